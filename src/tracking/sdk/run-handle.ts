import { createReadStream } from 'node:fs'
import type { Readable } from 'node:stream'

import type { Clock } from '../../core/index.js'
import { PlatformError } from '../../core/index.js'
import type { Frame } from '../../frame/index.js'
import type { Model } from '../../ml/index.js'
import type { DatasetVersion } from '../../datasets/index.js'
import { TAGS, type MetricInput, type RunInfo, type RunStatus } from '../entities.js'
import type { TrackingBackend } from './backend.js'
import {
  MODEL_ARTIFACT_DIR,
  MODEL_DESCRIPTOR_FILE,
  MODEL_STATE_FILE,
  modelDescriptor,
  type ModelSignature,
} from './model-artifact.js'

/** What `logArtifact` uploads: bytes, a stream, or `{ file }`, a local file to read. */
export type ArtifactSource =
  Uint8Array | Readable | AsyncIterable<Uint8Array> | { readonly file: string }

/** Options of `logModel`. */
export interface LogModelOptions {
  /** The artifact directory. @default 'model' (where the registry looks) */
  readonly name?: string
  /** A few rows (a Frame or records) stored in the descriptor; types the signature's inputs. */
  readonly inputExample?: Frame | readonly Readonly<Record<string, unknown>>[]
  /** @default inferred from the model and the input example */
  readonly signature?: ModelSignature
}

/** Buffering knobs of a run handle. */
export interface RunHandleOptions {
  /** Points that trigger a flush. @default 10_000 */
  readonly flushSize?: number
  /** The longest a point waits in the buffer, ms. @default 1000 */
  readonly flushIntervalMs?: number
  /**
   * Waits before retrying a flush that failed with `UNAVAILABLE` (one retry per entry). A retry
   * after a request the server did commit would store its points twice; SQLite's lock timeouts
   * commit nothing. @default [50, 200, 800]
   */
  readonly retryDelaysMs?: readonly number[]
}

/** @internal What the client gives a handle. */
export interface RunHandleDeps {
  readonly backend: TrackingBackend
  readonly clock: Clock
  readonly options: Required<RunHandleOptions>
  /** Called once when the run ends (the client stops watching it). */
  readonly onEnd: (run: RunHandle) => void
}

const MAX_PARAM_VALUE = 6000

/** A param value as MLflow stores it: a string (JSON for objects), at most 6000 characters. */
export function paramText(value: unknown): string {
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
        ? String(value)
        : value === null || value === undefined
          ? 'None'
          : JSON.stringify(value)
  return text.length > MAX_PARAM_VALUE ? `${text.slice(0, MAX_PARAM_VALUE - 1)}…` : text
}

/**
 * A live run: the handle `startRun` returns. Pass it explicitly (there is no global active run).
 *
 * `logMetric` and `logMetrics` only buffer and return at once, so a training loop never waits on
 * the store. The buffer is flushed when it reaches `flushSize` points, after `flushIntervalMs`,
 * on `flush()`, on `end()`, and when the process is about to exit (`beforeExit`). A failed
 * background flush is thrown by the next call on the handle (and by `end`).
 *
 * Resource usage (CPU time, peak RSS, wall time) is logged as `system.*` metrics at `end`. CPU
 * time and peak RSS are the whole process's, from `startRun` to `end`.
 *
 * @example
 * ```ts
 * const run = await tracking.startRun({ experiment: 'churn' })
 * await run.logParams({ lr: 0.1, maxIter: 100 })
 * for (let epoch = 0; epoch < 10; epoch++) run.logMetric('loss', 1 / (epoch + 1), epoch)
 * await run.end()
 * ```
 */
export class RunHandle {
  private buffer: MetricInput[] = []
  private chain: Promise<void> = Promise.resolve()
  private failure: unknown = undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private ended = false
  private endPromise: Promise<RunInfo> | undefined
  private readonly startCpu = process.cpuUsage()
  private readonly startMono: number
  private modelHistory: unknown[] = []

  /** @internal Use `TrackingClient.startRun`. */
  constructor(
    /** The run as created. */
    readonly info: RunInfo,
    private readonly deps: RunHandleDeps,
  ) {
    this.startMono = deps.clock.monotonic()
  }

  /** The run id (32 hex characters). */
  get runId(): string {
    return this.info.runId
  }

  /** The experiment id. */
  get experimentId(): string {
    return this.info.experimentId
  }

  /** Points waiting to be flushed. */
  get pendingMetrics(): number {
    return this.buffer.length
  }

  private check(): void {
    if (this.failure !== undefined) {
      const err = this.failure
      this.failure = undefined
      throw err instanceof PlatformError
        ? err
        : new PlatformError(
            'UNAVAILABLE',
            'logging metrics in the background failed',
            {},
            { cause: err },
          )
    }
    if (this.ended) {
      throw new PlatformError('FAILED_PRECONDITION', `run '${this.runId}' has ended`, {
        runId: this.runId,
      })
    }
  }

  /** Buffers one metric point (`step` defaults to 0, the timestamp is now). */
  logMetric(key: string, value: number, step = 0): void {
    this.check()
    this.buffer.push({ key, value, timestamp: this.deps.clock.now(), step })
    this.afterPush()
  }

  /** Buffers several metrics at one step. */
  logMetrics(metrics: Readonly<Record<string, number>>, step = 0): void {
    this.check()
    const timestamp = this.deps.clock.now()
    for (const [key, value] of Object.entries(metrics))
      this.buffer.push({ key, value, timestamp, step })
    this.afterPush()
  }

  private afterPush(): void {
    if (this.buffer.length >= this.deps.options.flushSize) {
      void this.flush()
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        void this.flush()
      }, this.deps.options.flushIntervalMs)
      // A pending flush must not keep a finished program alive: `beforeExit` flushes instead.
      this.timer.unref()
    }
  }

  /**
   * Sends the buffered points now. Resolves when they (and every earlier flush) are stored;
   * never rejects: a failure is thrown by the next call on the handle.
   */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    if (this.buffer.length === 0) return this.chain
    const batch = this.buffer
    this.buffer = []
    this.chain = this.chain.then(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.deps.backend.logBatch(this.runId, { metrics: batch })
          return
        } catch (err) {
          // A store that is briefly unavailable (SQLite locked by another writer past its busy
          // timeout, a server restarting) gets a few more tries before the points are given up.
          const delay = this.deps.options.retryDelaysMs[attempt]
          if (
            !(err instanceof PlatformError && err.code === 'UNAVAILABLE') ||
            delay === undefined
          ) {
            this.failure ??= err
            return
          }
          await new Promise((resolve) => setTimeout(resolve, delay))
        }
      }
    })
    return this.chain
  }

  /** Logs one param (write-once; the same value again is fine). */
  async logParam(key: string, value: unknown): Promise<void> {
    this.check()
    await this.deps.backend.logBatch(this.runId, { params: [{ key, value: paramText(value) }] })
  }

  /** Logs params; values become strings (objects as JSON). */
  async logParams(params: Readonly<Record<string, unknown>>): Promise<void> {
    this.check()
    const list = Object.entries(params).map(([key, value]) => ({ key, value: paramText(value) }))
    if (list.length > 0) await this.deps.backend.logBatch(this.runId, { params: list })
  }

  /** Sets one tag (last value wins). */
  async setTag(key: string, value: string): Promise<void> {
    await this.setTags({ [key]: value })
  }

  /** Sets tags. */
  async setTags(tags: Readonly<Record<string, string>>): Promise<void> {
    this.check()
    const list = Object.entries(tags).map(([key, value]) => ({ key, value }))
    if (list.length > 0) await this.deps.backend.logBatch(this.runId, { tags: list })
  }

  /**
   * Uploads an artifact at the relative path `name` (`plots/roc.json`): bytes, a stream, or
   * `{ file: '/local/path' }` (read from the local disk, streamed).
   */
  async logArtifact(
    name: string,
    source: ArtifactSource,
    opts: { readonly mediaType?: string } = {},
  ): Promise<void> {
    this.check()
    const body =
      typeof source === 'object' && 'file' in source && typeof source.file === 'string'
        ? createReadStream(source.file)
        : (source as Uint8Array | Readable | AsyncIterable<Uint8Array>)
    await this.deps.backend.uploadArtifact(this.runId, name, body, opts)
  }

  /** Uploads `value` as pretty-printed JSON. */
  async logJSON(name: string, value: unknown): Promise<void> {
    await this.logArtifact(name, Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8'), {
      mediaType: 'application/json',
    })
  }

  /**
   * Records a Plinth dataset version this run used (`name@3`, or the version object), in a
   * context (`training`, `validation`, `test`). The store checks that the version exists.
   */
  async logInput(datasetVersion: DatasetVersion | string, context: string): Promise<void> {
    this.check()
    const ref =
      typeof datasetVersion === 'string'
        ? datasetVersion
        : `${datasetVersion.datasetName}@${datasetVersion.id}`
    await this.deps.backend.logInputs(this.runId, [{ datasetVersion: ref, context }])
  }

  /**
   * Stores a fitted model as run artifacts: `model/model.json` (its `toJSON()` state) and
   * `model/plinth-model.json` (kind, features, signature, input example), which the registry
   * reads; tags the run with `mlflow.log-model.history` and `plinth.model.kind`.
   */
  async logModel(model: Model, opts: LogModelOptions = {}): Promise<void> {
    this.check()
    const dir = opts.name ?? MODEL_ARTIFACT_DIR
    const createdAt = this.deps.clock.now()
    const descriptor = modelDescriptor(model, createdAt, {
      ...(opts.signature === undefined ? {} : { signature: opts.signature }),
      ...(opts.inputExample === undefined ? {} : { inputExample: opts.inputExample }),
    })
    await this.logJSON(`${dir}/${MODEL_STATE_FILE}`, model.toJSON())
    await this.logJSON(`${dir}/${MODEL_DESCRIPTOR_FILE}`, descriptor)
    this.modelHistory.push({
      run_id: this.runId,
      artifact_path: dir,
      utc_time_created: new Date(createdAt).toISOString().replace('T', ' ').replace('Z', ''),
      flavors: { plinth: { kind: model.kind, format_version: 1 } },
      signature: {
        inputs: JSON.stringify(descriptor.signature.inputs),
        outputs: JSON.stringify(descriptor.signature.outputs),
      },
    })
    await this.setTags({
      [TAGS.logModelHistory]: JSON.stringify(this.modelHistory),
      [TAGS.modelKind]: model.kind,
    })
  }

  /**
   * Flushes, logs resource usage, and ends the run with `status` (default `FINISHED`).
   * Idempotent: later calls return the first call's result. Throws a background flush failure
   * after the run has been ended.
   */
  end(status: RunStatus = 'FINISHED'): Promise<RunInfo> {
    this.endPromise ??= this.finish(status)
    return this.endPromise
  }

  private async finish(status: RunStatus): Promise<RunInfo> {
    if (this.failure === undefined) this.logResourceUsage()
    this.ended = true
    await this.flush()
    this.deps.onEnd(this)
    const failure = this.failure
    this.failure = undefined
    const info = await this.deps.backend.updateRun(this.runId, {
      status,
      endTime: this.deps.clock.now(),
    })
    if (failure !== undefined) {
      throw new PlatformError(
        'UNAVAILABLE',
        `run '${this.runId}' ended, but some metrics could not be stored`,
        { runId: this.runId },
        { cause: failure },
      )
    }
    return info
  }

  private logResourceUsage(): void {
    const cpu = process.cpuUsage(this.startCpu)
    const timestamp = this.deps.clock.now()
    const points: [string, number][] = [
      ['system.cpu_time_s', (cpu.user + cpu.system) / 1e6],
      // maxRSS is in kibibytes.
      ['system.peak_rss_mb', process.resourceUsage().maxRSS / 1024],
      ['system.wall_time_s', (this.deps.clock.monotonic() - this.startMono) / 1000],
    ]
    for (const [key, value] of points) this.buffer.push({ key, value, timestamp, step: 0 })
  }
}
