import { randomBytes } from 'node:crypto'

import {
  NotFoundError,
  PlatformError,
  ValidationError,
  newEventId,
  type Clock,
  type DomainEventMap,
  type DomainEventType,
  type RequestContext,
} from '../core/index.js'
import type { DatasetService } from '../datasets/index.js'
import type { EventBus, MetadataStore } from '../ports/index.js'
import type { WorkspaceService } from '../workspaces/index.js'
import type { ModelVersion, RegistryAuditAction } from './entities.js'
import './events.js'
import { checkModelName, checkVersionNumber } from './names.js'
import {
  findModelRowByName,
  findVersionRow,
  loadVersions,
  type Db,
  type ModelVersionRow,
  type NewRegistryAuditRow,
  type RegisteredModelRow,
} from './repo.js'
import { insertAuditRows } from './repo-audit.js'
import type { RegistryRunSource } from './run-source.js'

/** Collaborators of the registry service. */
export interface RegistryServiceDeps {
  readonly metadata: MetadataStore
  readonly events: EventBus
  readonly clock: Clock
  readonly workspaces: WorkspaceService
  /** Runs, their metrics, inputs and artifacts (see `createTrackingRunSource`). */
  readonly runs: RegistryRunSource
  /** Dataset versions and profiles, for model cards. */
  readonly datasets?: DatasetService
}

/** One audit entry to write: the workspace, actor and time are added when written. */
export interface AuditEntry {
  readonly modelId: string
  readonly modelName: string
  readonly action: RegistryAuditAction
  readonly version?: number | null
  readonly alias?: string | null
  readonly from?: string | null
  readonly to?: string | null
}

const UNIQUE_VIOLATION = /^(SQLITE_CONSTRAINT_PRIMARYKEY|SQLITE_CONSTRAINT_UNIQUE|23505)$/

/** Whether a driver error is a unique or primary-key violation (better-sqlite3, pg). */
export function isUniqueViolation(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : ''
  return typeof code === 'string' && UNIQUE_VIOLATION.test(code)
}

/** Checks a page size. */
export function checkMaxResults(value: number | undefined, fallback: number, max: number): number {
  const n = value ?? fallback
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new ValidationError('invalid maxResults', [
      {
        path: ['maxResults'],
        code: 'too_big',
        message: `must be an integer from 1 to ${String(max)}`,
      },
    ])
  }
  return n
}

export function alreadyExists(name: string): PlatformError {
  return new PlatformError('ALREADY_EXISTS', `registered model '${name}' already exists`, { name })
}

export function modelNotFound(name: string): NotFoundError {
  return new NotFoundError(`registered model '${name}' not found`, { name })
}

export function versionNotFound(name: string, version: number): NotFoundError {
  return new NotFoundError(`version ${String(version)} of registered model '${name}' not found`, {
    name,
    version,
  })
}

export function aliasNotFound(name: string, alias: string): NotFoundError {
  return new NotFoundError(`registered model '${name}' has no alias '${alias}'`, { name, alias })
}

/**
 * What every registry operation shares: the collaborators, lookups that throw `NOT_FOUND`, the
 * audit writer and the event publisher. The service's operation modules take it as their first
 * argument.
 */
export class RegistryOps {
  #auditCounter = 0

  constructor(readonly deps: RegistryServiceDeps) {}

  get db(): Db {
    return this.deps.metadata.db
  }

  /** The model row; `NOT_FOUND` if absent. */
  async requireModelRow(ctx: RequestContext, name: string): Promise<RegisteredModelRow> {
    const n = checkModelName(name)
    const row = await findModelRowByName(this.db, ctx.workspace, n)
    if (row === undefined) throw modelNotFound(n)
    return row
  }

  /** The model and version rows; `NOT_FOUND` if either is absent. */
  async requireVersionRow(
    ctx: RequestContext,
    name: string,
    version: number | string,
  ): Promise<{ model: RegisteredModelRow; row: ModelVersionRow }> {
    const n = checkVersionNumber(version)
    const model = await this.requireModelRow(ctx, name)
    const row = await findVersionRow(this.db, ctx.workspace, model.id, n)
    if (row === undefined) throw versionNotFound(model.name, n)
    return { model, row }
  }

  /** The version, or `undefined` (also when the model does not exist). */
  async findModelVersion(
    ctx: RequestContext,
    name: string,
    version: number | string,
  ): Promise<ModelVersion | undefined> {
    const n = checkVersionNumber(version)
    const m = await findModelRowByName(this.db, ctx.workspace, checkModelName(name))
    if (m === undefined) return undefined
    const row = await findVersionRow(this.db, ctx.workspace, m.id, n)
    if (row === undefined) return undefined
    const [v] = await loadVersions(this.db, ctx.workspace, [row], new Map([[m.id, m.name]]))
    return v
  }

  /** The version; `NOT_FOUND` when the model or the version does not exist. */
  async getModelVersion(
    ctx: RequestContext,
    name: string,
    version: number | string,
  ): Promise<ModelVersion> {
    const v = await this.findModelVersion(ctx, name, version)
    if (v === undefined) {
      await this.requireModelRow(ctx, name)
      throw versionNotFound(name, checkVersionNumber(version))
    }
    return v
  }

  /** Writes audit rows in the caller's transaction, stamped with the actor and `at`. */
  async audit(
    trx: Db,
    ctx: RequestContext,
    at: number,
    entries: readonly AuditEntry[],
  ): Promise<void> {
    const rows: NewRegistryAuditRow[] = entries.map((e) => ({
      workspace_id: ctx.workspace,
      id: this.auditId(at),
      model_id: e.modelId,
      model_name: e.modelName,
      version: e.version ?? null,
      action: e.action,
      alias: e.alias ?? null,
      from_value: e.from ?? null,
      to_value: e.to ?? null,
      actor: ctx.actor,
      at,
    }))
    await insertAuditRows(trx, rows)
  }

  /** Publishes a registry event (after its write committed). */
  async publish<T extends DomainEventType>(
    ctx: RequestContext,
    type: T,
    payload: DomainEventMap[T],
  ): Promise<void> {
    await this.deps.events.publish({
      id: newEventId(),
      type,
      workspace: ctx.workspace,
      actor: ctx.actor,
      occurredAt: this.deps.clock.now(),
      payload,
    })
  }

  /**
   * A 32-hex id that sorts by time, then by the order this process wrote it, so the history of
   * one millisecond reads in the order it happened.
   */
  private auditId(at: number): string {
    this.#auditCounter = (this.#auditCounter + 1) % 0x1_0000_0000
    return (
      Math.max(0, Math.min(at, 0xffff_ffff_ffff)).toString(16).padStart(12, '0') +
      this.#auditCounter.toString(16).padStart(8, '0') +
      randomBytes(6).toString('hex')
    )
  }
}
