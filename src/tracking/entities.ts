import type { ActorId, Brand, WorkspaceId } from '../core/index.js'

/** A run id: 32 lowercase hex characters (MLflow's run UUID without dashes). */
export type RunId = Brand<string, 'RunId'>
/** An experiment id: a decimal string (`"0"` is the Default experiment, as in MLflow). */
export type ExperimentId = Brand<string, 'ExperimentId'>

/** MLflow's run statuses. */
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED'
/** Every run status, in MLflow's enum order (RUNNING = 1 … KILLED = 5). */
export const RUN_STATUSES: readonly RunStatus[] = Object.freeze([
  'RUNNING',
  'SCHEDULED',
  'FINISHED',
  'FAILED',
  'KILLED',
])

/** Whether an experiment or run is live or soft-deleted. */
export type LifecycleStage = 'active' | 'deleted'

/** MLflow's `ViewType`: which lifecycle stages a search returns. */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL'

/** A key/value string pair (tags, params). */
export interface KeyValue {
  readonly key: string
  readonly value: string
}

/** A named group of runs. */
export interface Experiment {
  readonly experimentId: ExperimentId
  readonly workspace: WorkspaceId
  /** Unique in the workspace, deleted experiments included. */
  readonly name: string
  /** Where the runs' artifacts are said to live (`mlflow-artifacts:/<id>` by default). */
  readonly artifactLocation: string
  readonly lifecycleStage: LifecycleStage
  /** Epoch ms. */
  readonly creationTime: number
  /** Epoch ms. */
  readonly lastUpdateTime: number
  readonly tags: readonly KeyValue[]
}

/** A run's descriptive fields (MLflow `RunInfo`). */
export interface RunInfo {
  readonly runId: RunId
  readonly experimentId: ExperimentId
  readonly workspace: WorkspaceId
  readonly runName: string
  readonly userId: string
  readonly status: RunStatus
  /** Epoch ms. */
  readonly startTime: number
  /** Epoch ms; `null` while the run is not terminated. */
  readonly endTime: number | null
  /** `<experiment artifact location>/<run id>/artifacts`. */
  readonly artifactUri: string
  readonly lifecycleStage: LifecycleStage
}

/**
 * One metric point. `value` may be NaN or ±Infinity (kept as logged). `timestamp` is epoch ms,
 * `step` an integer (default 0).
 */
export interface Metric {
  readonly key: string
  readonly value: number
  readonly timestamp: number
  readonly step: number
}

/** A run's logged data (MLflow `RunData`); `metrics` holds the latest point of each key. */
export interface RunData {
  readonly metrics: readonly Metric[]
  readonly params: readonly KeyValue[]
  readonly tags: readonly KeyValue[]
}

/** A dataset as MLflow describes it (`Dataset` message). */
export interface DatasetDescriptor {
  readonly name: string
  readonly digest: string
  /** `plinth-dataset`, `local`, `s3`, `http`, `code`, … */
  readonly sourceType: string
  /** JSON or a URI naming where the data came from. */
  readonly source: string
  /** JSON text (MLflow: a schema document). @default '' */
  readonly schema?: string
  /** JSON text (MLflow: a profile summary). @default '' */
  readonly profile?: string
}

/** One dataset input of a run (MLflow `DatasetInput`). */
export interface DatasetInput {
  readonly dataset: Required<DatasetDescriptor>
  /** Input tags; the context is the tag `mlflow.data.context`. */
  readonly tags: readonly KeyValue[]
  /** The Plinth dataset version, when the input is one (lineage). */
  readonly datasetVersionId: string | null
}

/** A run's inputs (MLflow `RunInputs`). */
export interface RunInputs {
  readonly datasetInputs: readonly DatasetInput[]
}

/** A run with its data and inputs (MLflow `Run`). */
export interface Run {
  readonly info: RunInfo
  readonly data: RunData
  readonly inputs: RunInputs
}

/** One page of results. */
export interface TrackingPage<T> {
  readonly items: readonly T[]
  /** Pass back to get the next page; absent on the last page. */
  readonly nextPageToken?: string
}

/** Input of `createExperiment`. */
export interface CreateExperimentInput {
  /** 1–500 characters, unique in the workspace. */
  readonly name: string
  /** @default `mlflow-artifacts:/<experiment id>` */
  readonly artifactLocation?: string
  readonly tags?: readonly KeyValue[]
}

/** Options of `searchExperiments`. */
export interface SearchExperimentsOptions {
  /** `name LIKE 'x%' AND tags.team = 'a'` (attributes name, creation_time, last_update_time). */
  readonly filter?: string
  /** @default 'ACTIVE_ONLY' */
  readonly viewType?: ViewType
  /** 1–50 000. @default 1000 */
  readonly maxResults?: number
  /** `['name ASC', 'creation_time DESC']`; keys name, experiment_id, creation_time, last_update_time. */
  readonly orderBy?: readonly string[]
  readonly pageToken?: string
}

/** Input of `createRun`. */
export interface CreateRunInput {
  /** @default '0' (the Default experiment) */
  readonly experimentId?: string
  /** Generated like MLflow (`bold-owl-123`) when absent or empty. */
  readonly runName?: string
  /** Epoch ms. @default now */
  readonly startTime?: number
  readonly tags?: readonly KeyValue[]
  /** @default the tag `mlflow.user`, else the request's actor */
  readonly userId?: string
  /** Nests the run under another run of the workspace (tag `mlflow.parentRunId`). */
  readonly parentRunId?: string
}

/** Input of `updateRun`. */
export interface UpdateRunInput {
  readonly status?: RunStatus
  /** Epoch ms. */
  readonly endTime?: number
  readonly runName?: string
}

/** A metric point as logged: `timestamp` defaults to now, `step` to 0. */
export interface MetricInput {
  readonly key: string
  readonly value: number
  readonly timestamp?: number
  readonly step?: number
}

/** Input of `logBatch` (MLflow `runs/log-batch`). */
export interface LogBatchInput {
  readonly metrics?: readonly MetricInput[]
  readonly params?: readonly KeyValue[]
  readonly tags?: readonly KeyValue[]
}

/** One dataset input of `logInputs`: a Plinth dataset version, or an MLflow dataset. */
export interface LogInputsDataset {
  /**
   * A Plinth dataset version (`name`, `name@3`, `name@latest`, `name@<version id>`): must exist;
   * name, digest, source and schema are taken from it.
   */
  readonly datasetVersion?: string
  /** An MLflow dataset descriptor (required unless `datasetVersion` is given). */
  readonly dataset?: DatasetDescriptor
  /** `training`, `validation`, `test`, … (stored as the input tag `mlflow.data.context`). */
  readonly context?: string
  readonly tags?: readonly KeyValue[]
}

/** Options of `searchRuns` (MLflow `runs/search`). */
export interface SearchRunsOptions {
  /** Experiments to search (at least one). */
  readonly experimentIds: readonly string[]
  /** MLflow filter grammar plus `OR` and parentheses. */
  readonly filter?: string
  /** @default 'ACTIVE_ONLY' */
  readonly runViewType?: ViewType
  /** 1–50 000. @default 1000 */
  readonly maxResults?: number
  /** `['metrics.rmse ASC', 'params.lr DESC', 'attributes.start_time']` */
  readonly orderBy?: readonly string[]
  readonly pageToken?: string
}

/** Options of `getMetricHistory`. */
export interface MetricHistoryOptions {
  /** 1–25 000. @default 25 000 */
  readonly maxResults?: number
  readonly pageToken?: string
}

/** One file or directory of a run's artifact tree (MLflow `FileInfo`). */
export interface RunArtifactFile {
  /** Relative to the run's artifact root (`model/model.json`). */
  readonly path: string
  readonly isDir: boolean
  /** Bytes; absent for directories. */
  readonly fileSize?: number
}

/** Options of `listRunArtifacts`. */
export interface ListRunArtifactsOptions {
  /** A directory relative to the artifact root. @default '' (the root) */
  readonly path?: string
  /** 1–10 000. @default 1000 */
  readonly maxResults?: number
  readonly pageToken?: string
}

/** Input of `uploadRunArtifact` besides the bytes. */
export interface UploadRunArtifactInput {
  /** Relative path (`model/model.json`): no `..`, no leading `/`, no backslash. */
  readonly path: string
  /** @default guessed from the extension, else 'application/octet-stream' */
  readonly mediaType?: string
  /** Refuse larger content. */
  readonly maxBytes?: number
}

/** A run's stored artifact file. */
export interface RunArtifact {
  readonly runId: RunId
  readonly path: string
  /** `sha256:<hex>`. */
  readonly digest: string
  readonly size: number
  readonly mediaType: string
  readonly createdAt: number
  readonly createdBy: ActorId
}

/** `compareRuns`: one row per run, one column per param and metric key seen in any run. */
export interface RunComparison {
  readonly runs: readonly {
    readonly runId: RunId
    readonly runName: string
    readonly experimentId: ExperimentId
    readonly experimentName: string
    readonly status: RunStatus
    readonly startTime: number
    readonly endTime: number | null
  }[]
  /** Sorted keys. */
  readonly paramKeys: readonly string[]
  readonly metricKeys: readonly string[]
  /** `params[i][key]`: the value for `runs[i]`, or `null` when that run has no such param. */
  readonly params: readonly Readonly<Record<string, string | null>>[]
  /** `metrics[i][key]`: the latest value for `runs[i]`, or `null`. */
  readonly metrics: readonly Readonly<Record<string, number | null>>[]
  /** Param keys whose values differ between runs (the interesting ones). */
  readonly differingParams: readonly string[]
}

/** MLflow's limits, enforced by the service (§1.5 of the MLflow REST reference). */
export const TRACKING_LIMITS = Object.freeze({
  /** Metrics per `logBatch`. */
  maxMetricsPerBatch: 1000,
  /** Params per `logBatch`. */
  maxParamsPerBatch: 100,
  /** Tags per `logBatch`. */
  maxTagsPerBatch: 100,
  /** Items (metrics + params + tags) per `logBatch`. */
  maxEntitiesPerBatch: 1000,
  /** Characters in a metric, param or tag key. */
  maxKeyLength: 250,
  /** Characters in a param value. */
  maxParamValueLength: 6000,
  /** Characters in a run tag value. */
  maxTagValueLength: 8000,
  /** Characters in an experiment tag value. */
  maxExperimentTagValueLength: 20_000,
  /** Characters in an experiment name. */
  maxExperimentNameLength: 500,
  /** Characters in a run name. */
  maxRunNameLength: 250,
  /** Runs per `searchRuns` page. */
  maxSearchResults: 50_000,
  /** Points per `getMetricHistory` page. */
  maxHistoryResults: 25_000,
  /** Metric points per call of the SDK's bulk path (`logMetricsBulk`). */
  maxBulkMetrics: 100_000,
})

/** Well-known tag keys (MLflow's `mlflow.*` names and Plinth's `plinth.*`). */
export const TAGS = Object.freeze({
  runName: 'mlflow.runName',
  user: 'mlflow.user',
  parentRunId: 'mlflow.parentRunId',
  sourceType: 'mlflow.source.type',
  sourceName: 'mlflow.source.name',
  gitCommit: 'mlflow.source.git.commit',
  logModelHistory: 'mlflow.log-model.history',
  datasetContext: 'mlflow.data.context',
  nodeVersion: 'plinth.node.version',
  plinthVersion: 'plinth.version',
  packageVersions: 'plinth.package.versions',
  seed: 'plinth.seed',
  modelKind: 'plinth.model.kind',
})
