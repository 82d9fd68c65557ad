import { systemClock, type Clock } from '../../core/index.js'
import {
  TAGS,
  type KeyValue,
  type Run,
  type SearchRunsOptions,
  type TrackingPage,
} from '../entities.js'
import type { TrackingBackend } from './backend.js'
import { captureEnvironment } from './environment.js'
import { RunHandle, type RunHandleOptions } from './run-handle.js'

/** Options of `createTrackingClient`. */
export interface TrackingClientOptions extends RunHandleOptions {
  /** @default systemClock */
  readonly clock?: Clock
  /** Record `mlflow.source.*` and `plinth.*` environment tags on each run. @default true */
  readonly captureEnvironment?: boolean
  /** Directory whose git commit and package.json describe the code. @default process.cwd() */
  readonly cwd?: string
  /** The Plinth version recorded in `plinth.version`. */
  readonly plinthVersion?: string
  /** Flush open runs when the process is about to exit (`beforeExit`). @default true */
  readonly flushOnExit?: boolean
}

/** Input of `startRun`. */
export interface StartRunInput {
  /** The experiment's name (created when missing). @default the Default experiment */
  readonly experiment?: string
  /** The experiment's id (instead of a name). */
  readonly experimentId?: string
  /** @default generated like MLflow (`bold-owl-123`) */
  readonly runName?: string
  readonly tags?: Readonly<Record<string, string>>
  /** Nests this run under another (tag `mlflow.parentRunId`). */
  readonly parentRunId?: string
  /** Recorded as the tag `plinth.seed`. */
  readonly seed?: number
}

/** The SDK's tracking entry point, in embedded or remote mode alike. */
export interface TrackingClient {
  /** The backend in use. */
  readonly backend: TrackingBackend
  /** Starts a run and returns its handle. */
  startRun(input?: StartRunInput): Promise<RunHandle>
  /** A stored run (latest metric values). */
  getRun(runId: string): Promise<Run>
  /** Runs matching a filter (see `TrackingService.searchRuns`). */
  searchRuns(opts: SearchRunsOptions): Promise<TrackingPage<Run>>
  /** Flushes every open run's buffered metrics. */
  flushAll(): Promise<void>
  /** Ends every open run with `status` (default `KILLED`) and stops watching process exit. */
  close(status?: 'FINISHED' | 'FAILED' | 'KILLED'): Promise<void>
}

const DEFAULTS = {
  flushSize: 10_000,
  flushIntervalMs: 1000,
  retryDelaysMs: [50, 200, 800],
  captureEnvironment: true,
  flushOnExit: true,
} satisfies Partial<TrackingClientOptions>

/**
 * Creates a tracking client over a backend (`createEmbeddedBackend(service, ctx)` in-process, or
 * the HTTP backend of the remote SDK).
 *
 * @example
 * ```ts
 * const tracking = createTrackingClient(createEmbeddedBackend(platform.services.tracking, ctx))
 * const run = await tracking.startRun({ experiment: 'churn', seed: 42 })
 * run.logMetric('loss', 0.3, 1)
 * await run.end()
 * ```
 */
export function createTrackingClient(
  backend: TrackingBackend,
  options: TrackingClientOptions = {},
): TrackingClient {
  const opts = { ...DEFAULTS, ...options }
  const clock = opts.clock ?? systemClock
  const open = new Set<RunHandle>()
  let environment: Promise<Record<string, string>> | undefined
  const onBeforeExit = (): void => {
    for (const run of open) void run.flush()
  }
  let watching = false
  const watch = (on: boolean): void => {
    if (!opts.flushOnExit || on === watching) return
    watching = on
    if (on) process.on('beforeExit', onBeforeExit)
    else process.off('beforeExit', onBeforeExit)
  }

  return {
    backend,
    async startRun(input = {}) {
      const experimentId =
        input.experimentId ??
        (input.experiment === undefined
          ? undefined
          : (await backend.getOrCreateExperiment(input.experiment)).experimentId)
      const tags: KeyValue[] = []
      if (opts.captureEnvironment) {
        environment ??= captureEnvironment({
          ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
          ...(opts.plinthVersion === undefined ? {} : { plinthVersion: opts.plinthVersion }),
        })
        for (const [key, value] of Object.entries(await environment)) tags.push({ key, value })
      }
      if (input.seed !== undefined) tags.push({ key: TAGS.seed, value: String(input.seed) })
      for (const [key, value] of Object.entries(input.tags ?? {})) tags.push({ key, value })
      const run = await backend.createRun({
        ...(experimentId === undefined ? {} : { experimentId }),
        ...(input.runName === undefined ? {} : { runName: input.runName }),
        ...(input.parentRunId === undefined ? {} : { parentRunId: input.parentRunId }),
        startTime: clock.now(),
        tags,
      })
      const handle = new RunHandle(run.info, {
        backend,
        clock,
        options: {
          flushSize: opts.flushSize,
          flushIntervalMs: opts.flushIntervalMs,
          retryDelaysMs: opts.retryDelaysMs,
        },
        onEnd: (h) => {
          open.delete(h)
          if (open.size === 0) watch(false)
        },
      })
      open.add(handle)
      watch(true)
      return handle
    },
    getRun: (runId) => backend.getRun(runId),
    searchRuns: (o) => backend.searchRuns(o),
    async flushAll() {
      await Promise.all([...open].map((r) => r.flush()))
    },
    async close(status = 'KILLED') {
      await Promise.allSettled([...open].map((r) => r.end(status)))
      watch(false)
    },
  }
}
