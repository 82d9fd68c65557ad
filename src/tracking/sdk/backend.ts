import type { Readable } from 'node:stream'

import type { RequestContext } from '../../core/index.js'
import {
  TRACKING_LIMITS,
  type CreateRunInput,
  type Experiment,
  type KeyValue,
  type LogBatchInput,
  type LogInputsDataset,
  type Metric,
  type MetricHistoryOptions,
  type MetricInput,
  type Run,
  type RunArtifactFile,
  type RunInfo,
  type SearchRunsOptions,
  type TrackingPage,
  type UpdateRunInput,
} from '../entities.js'
import type { TrackingService } from '../service.js'

/** Bytes an artifact upload accepts. */
export type ArtifactBody = Uint8Array | Readable | AsyncIterable<Uint8Array>

/**
 * What the SDK needs from a tracking store: implemented in-process over `TrackingService`
 * (`createEmbeddedBackend`) and over HTTP by the remote transport, so one `Run` handle works in
 * both modes.
 *
 * Contract, per method:
 * - Every method rejects with a `PlatformError` (the remote transport rebuilds it from the
 *   response with `PlatformError.fromJSON`): `NOT_FOUND` for an unknown run, `INVALID_ARGUMENT`
 *   for bad input or a param re-logged with another value.
 * - `logBatch` takes any number of items and splits them to fit the store's limits (MLflow's
 *   1000 metrics / 100 params / 100 tags for HTTP; see `splitBatch`), preserving order within
 *   each kind. Not atomic across chunks. Not idempotent for metrics (they append).
 * - `getOrCreateExperiment` is idempotent; two concurrent callers get the same experiment.
 * - `uploadArtifact` replaces a file at the same path; the path is validated by the store.
 * - Abort: none of the methods take a signal yet; a run handle stops calling them after `end`.
 */
export interface TrackingBackend {
  /** Where the store is (`embedded`, `http://host:port`), for messages. */
  readonly description: string
  getOrCreateExperiment(name: string): Promise<Experiment>
  getExperiment(experimentId: string): Promise<Experiment>
  createRun(input: CreateRunInput): Promise<Run>
  getRun(runId: string): Promise<Run>
  updateRun(runId: string, input: UpdateRunInput): Promise<RunInfo>
  logBatch(runId: string, input: LogBatchInput): Promise<void>
  logInputs(runId: string, datasets: readonly LogInputsDataset[]): Promise<void>
  uploadArtifact(
    runId: string,
    path: string,
    body: ArtifactBody,
    opts?: { readonly mediaType?: string },
  ): Promise<void>
  listArtifacts(runId: string, path?: string): Promise<readonly RunArtifactFile[]>
  /** The bytes of one artifact file. */
  openArtifact(runId: string, path: string): Promise<AsyncIterable<Uint8Array>>
  searchRuns(opts: SearchRunsOptions): Promise<TrackingPage<Run>>
  getMetricHistory(
    runId: string,
    key: string,
    opts?: MetricHistoryOptions,
  ): Promise<TrackingPage<Metric>>
}

/** Per-request limits a backend splits batches to. @default MLflow's (1000, 100, 100, 1000) */
export interface BatchLimits {
  readonly metrics: number
  readonly params: number
  readonly tags: number
  readonly total: number
}

/** MLflow's `log-batch` limits. */
export const MLFLOW_BATCH_LIMITS: BatchLimits = Object.freeze({
  metrics: TRACKING_LIMITS.maxMetricsPerBatch,
  params: TRACKING_LIMITS.maxParamsPerBatch,
  tags: TRACKING_LIMITS.maxTagsPerBatch,
  total: TRACKING_LIMITS.maxEntitiesPerBatch,
})

/**
 * Splits a batch into requests within `limits`: params first, then tags, then metrics, each in
 * order (what the remote transport sends one `log-batch` at a time).
 *
 * @example
 * ```ts
 * splitBatch({ metrics: new Array(2500).fill({ key: 'x', value: 1 }) }).length // 3
 * ```
 */
export function splitBatch(
  input: LogBatchInput,
  limits: BatchLimits = MLFLOW_BATCH_LIMITS,
): LogBatchInput[] {
  const out: { metrics: MetricInput[]; params: KeyValue[]; tags: KeyValue[] }[] = []
  let cur = { metrics: [] as MetricInput[], params: [] as KeyValue[], tags: [] as KeyValue[] }
  const size = () => cur.metrics.length + cur.params.length + cur.tags.length
  const push = <K extends 'metrics' | 'params' | 'tags'>(
    kind: K,
    item: (typeof cur)[K][number],
    max: number,
  ) => {
    if (cur[kind].length >= max || size() >= limits.total) {
      out.push(cur)
      cur = { metrics: [], params: [], tags: [] }
    }
    ;(cur[kind] as (typeof item)[]).push(item)
  }
  for (const p of input.params ?? []) push('params', p, limits.params)
  for (const t of input.tags ?? []) push('tags', t, limits.tags)
  for (const m of input.metrics ?? []) push('metrics', m, limits.metrics)
  if (size() > 0) out.push(cur)
  return out.map((b) => ({
    ...(b.metrics.length > 0 ? { metrics: b.metrics } : {}),
    ...(b.params.length > 0 ? { params: b.params } : {}),
    ...(b.tags.length > 0 ? { tags: b.tags } : {}),
  }))
}

/** Points per bulk call of the embedded backend (one transaction each). */
const EMBEDDED_METRIC_CHUNK = 20_000

/**
 * The SDK backend that calls `TrackingService` in-process with a fixed request context.
 * Metrics go through the service's bulk path (one transaction per 20 000 points), params and
 * tags through `logBatch` in MLflow-sized chunks.
 */
export function createEmbeddedBackend(
  service: TrackingService,
  ctx: RequestContext,
): TrackingBackend {
  return {
    description: 'embedded',
    getOrCreateExperiment: (name) => service.getOrCreateExperiment(ctx, name),
    getExperiment: (id) => service.getExperiment(ctx, id),
    createRun: (input) => service.createRun(ctx, input),
    getRun: (runId) => service.getRun(ctx, runId),
    updateRun: (runId, input) => service.updateRun(ctx, runId, input),
    async logBatch(runId, input) {
      const rest = { params: input.params ?? [], tags: input.tags ?? [] }
      if (rest.params.length > 0 || rest.tags.length > 0) {
        for (const b of splitBatch(rest)) await service.logBatch(ctx, runId, b)
      }
      const metrics = input.metrics ?? []
      for (let i = 0; i < metrics.length; i += EMBEDDED_METRIC_CHUNK) {
        await service.logMetricsBulk(ctx, runId, metrics.slice(i, i + EMBEDDED_METRIC_CHUNK))
      }
    },
    logInputs: (runId, datasets) => service.logInputs(ctx, runId, datasets),
    async uploadArtifact(runId, path, body, opts) {
      const source = body instanceof Uint8Array ? oneChunk(body) : body
      await service.uploadRunArtifact(ctx, runId, source, {
        path,
        ...(opts?.mediaType === undefined ? {} : { mediaType: opts.mediaType }),
      })
    },
    async listArtifacts(runId, path) {
      const files: RunArtifactFile[] = []
      let pageToken: string | undefined
      do {
        const page = await service.listRunArtifacts(ctx, runId, {
          ...(path === undefined ? {} : { path }),
          ...(pageToken === undefined ? {} : { pageToken }),
        })
        files.push(...page.items)
        pageToken = page.nextPageToken
      } while (pageToken !== undefined)
      return files
    },
    async openArtifact(runId, path) {
      return (await service.openRunArtifact(ctx, runId, path)).body
    },
    searchRuns: (opts) => service.searchRuns(ctx, opts),
    getMetricHistory: (runId, key, opts) => service.getMetricHistory(ctx, runId, key, opts),
  }
}

async function* oneChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  await Promise.resolve()
  yield bytes
}
