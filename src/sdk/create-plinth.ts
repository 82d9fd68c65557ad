import {
  createContext,
  toActorId,
  toWorkspaceId,
  DEFAULT_WORKSPACE_ID,
  type RequestContext,
} from '../core/index.js'
import { createHttpTransport, createMlflowClient } from '../http/index.js'
import type { Platform } from '../platform/index.js'
import {
  createEmbeddedBackend,
  createTrackingClient,
  type TrackingClient,
  type TrackingClientOptions,
} from '../tracking/index.js'
import type { DatasetsClient } from './datasets-client.js'
import { createEmbeddedDatasetsClient } from './embedded-datasets.js'
import {
  createEmbeddedRegistryClient,
  createRemoteRegistryClient,
  type RegistryClient,
} from './registry-client.js'
import { createRemoteDatasetsClient } from './remote-datasets.js'
import { createRemoteTrackingBackend } from './remote-tracking.js'

/** Options shared by both modes. */
interface CommonOptions {
  /** The workspace runs and models go to. @default 'default' */
  readonly workspace?: string
  /** Buffering, environment capture and exit handling of runs. */
  readonly tracking?: TrackingClientOptions
}

/** Embedded mode: calls go straight to a platform's services in this process. */
export interface EmbeddedPlinthOptions extends CommonOptions {
  readonly platform: Platform
  /** Recorded as the author of writes. @default 'local' */
  readonly actor?: string
}

/**
 * Remote mode: calls go to a Plinth server, tracking and registry over its MLflow-compatible
 * HTTP API, datasets over `/api/v1/datasets`.
 */
export interface RemotePlinthOptions extends CommonOptions {
  /** The server (`http://127.0.0.1:7700`). */
  readonly url: string
  /** Extra headers on every request (e.g. `authorization`). */
  readonly headers?: Readonly<Record<string, string>>
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch
  /** Deadline of each request, in ms. @default 30000 */
  readonly timeoutMs?: number
}

/** Options of `createPlinth`: a platform (embedded) or a URL (remote). */
export type CreatePlinthOptions = EmbeddedPlinthOptions | RemotePlinthOptions

/** The SDK: the same API over an in-process platform or a remote server. */
export interface Plinth {
  readonly mode: 'embedded' | 'remote'
  /** Experiments and runs: `startRun`, `getRun`, `searchRuns`. */
  readonly tracking: TrackingClient
  /** Registered models, versions and aliases. */
  readonly registry: RegistryClient
  /** Datasets: ingest, list, show, versions, profile, head, export and split. */
  readonly datasets: DatasetsClient
  /**
   * Flushes and ends the runs still open (as `KILLED`) and stops watching process exit. The
   * platform of embedded mode stays open: its owner closes it.
   */
  close(): Promise<void>
}

/**
 * Creates the SDK, embedded (over a `Platform`) or remote (over `url`). Both modes pass the same
 * suite: a run started, logged to and ended through one reads back the same through the other.
 *
 * @example
 * ```ts
 * const plinth = createPlinth({ url: 'http://127.0.0.1:7700' })
 * const run = await plinth.tracking.startRun({ experiment: 'churn' })
 * await run.logParams({ lr: 0.1 })
 * run.logMetric('loss', 0.25, 1)
 * await run.end()
 * await plinth.close()
 * ```
 */
export function createPlinth(options: CreatePlinthOptions): Plinth {
  const workspace =
    options.workspace === undefined
      ? DEFAULT_WORKSPACE_ID
      : toWorkspaceId(options.workspace, 'workspace')
  if ('platform' in options) {
    const ctx: RequestContext = createContext({
      workspace,
      ...(options.actor === undefined ? {} : { actor: toActorId(options.actor, 'actor') }),
    })
    const platform = options.platform
    const tracking = createTrackingClient(createEmbeddedBackend(platform.services.tracking, ctx), {
      plinthVersion: platform.version,
      ...options.tracking,
    })
    return {
      mode: 'embedded',
      tracking,
      registry: createEmbeddedRegistryClient(platform.services.registry, ctx),
      datasets: createEmbeddedDatasetsClient(platform.services.datasets, ctx),
      close: () => tracking.close(),
    }
  }
  const transportOptions = {
    url: options.url,
    ...(options.workspace === undefined ? {} : { workspace }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  }
  const client = createMlflowClient(transportOptions)
  const tracking = createTrackingClient(
    createRemoteTrackingBackend(client, workspace),
    options.tracking ?? {},
  )
  return {
    mode: 'remote',
    tracking,
    registry: createRemoteRegistryClient(client, workspace),
    datasets: createRemoteDatasetsClient(createHttpTransport(transportOptions)),
    close: () => tracking.close(),
  }
}
