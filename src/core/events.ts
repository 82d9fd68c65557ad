import type { ActorId, EventId, WorkspaceId } from './ids.js'

/**
 * Domain events: what happened, published by services after their write commits.
 *
 * Event names are dotted and past tense (`run.finished`). Each domain declares its payloads by
 * augmenting `DomainEventMap`, so publishers and subscribers are type-checked:
 *
 * @example
 * ```ts
 * declare module '../core/index.js' {
 *   interface DomainEventMap { 'run.finished': { runId: string; status: string } }
 * }
 * ```
 */
export interface DomainEventMap {
  'workspace.created': { readonly name: string }
  'artifact.created': { readonly artifactId: string; readonly key: string; readonly size: number }
  'artifact.deleted': { readonly artifactId: string; readonly key: string }
  'dataset.created': { readonly datasetId: string; readonly name: string }
  'dataset.version.created': {
    readonly datasetId: string
    readonly name: string
    readonly versionId: string
    readonly version: number
    readonly digest: string
    readonly rowCount: number
    readonly parentVersionId: string | null
  }
}

/** A known event type. */
export type DomainEventType = Extract<keyof DomainEventMap, string>

/** The envelope every event travels in. */
export interface DomainEvent<T extends DomainEventType = DomainEventType> {
  readonly id: EventId
  readonly type: T
  readonly workspace: WorkspaceId
  readonly actor: ActorId
  /** Epoch milliseconds from the publisher's clock. */
  readonly occurredAt: number
  readonly payload: Readonly<DomainEventMap[T]>
}
