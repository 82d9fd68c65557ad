import type { WorkspaceId } from '../../../core/index.js'
import type {
  DatasetInput,
  Experiment,
  ExperimentId,
  KeyValue,
  Metric,
  Run,
  RunArtifactFile,
  RunId,
  RunInfo,
  RunStatus,
} from '../../../tracking/index.js'
import { compact, toJsonDouble } from './wire.js'

/*
 * Tracking entities as MLflow writes them (service.proto messages as JSON): snake_case names,
 * int64 as numbers, unset fields and empty lists left out.
 */

/** `{key, value}` as MLflow writes tags and params. */
export interface MlflowKeyValue {
  readonly key: string
  readonly value: string
}

/** MLflow `Experiment`. */
export interface MlflowExperiment {
  readonly experiment_id: string
  readonly name: string
  readonly artifact_location?: string
  readonly lifecycle_stage: string
  readonly last_update_time?: number
  readonly creation_time?: number
  readonly tags?: readonly MlflowKeyValue[]
}

/** MLflow `RunInfo`. */
export interface MlflowRunInfo {
  readonly run_id: string
  readonly run_uuid: string
  readonly run_name?: string
  readonly experiment_id: string
  readonly user_id?: string
  readonly status: string
  readonly start_time?: number
  readonly end_time?: number
  readonly artifact_uri?: string
  readonly lifecycle_stage: string
}

/** MLflow `Metric`. `value` is a number, or "NaN" / "Infinity" / "-Infinity". */
export interface MlflowMetric {
  readonly key: string
  readonly value: number | string
  readonly timestamp: number
  readonly step: number
}

/** MLflow `DatasetInput`. */
export interface MlflowDatasetInput {
  readonly tags?: readonly MlflowKeyValue[]
  readonly dataset: {
    readonly name: string
    readonly digest: string
    readonly source_type: string
    readonly source: string
    readonly schema?: string
    readonly profile?: string
  }
}

/** MLflow `Run`. */
export interface MlflowRun {
  readonly info: MlflowRunInfo
  readonly data: {
    readonly metrics?: readonly MlflowMetric[]
    readonly params?: readonly MlflowKeyValue[]
    readonly tags?: readonly MlflowKeyValue[]
  }
  readonly inputs: { readonly dataset_inputs?: readonly MlflowDatasetInput[] }
}

/** MLflow `FileInfo`. */
export interface MlflowFileInfo {
  readonly path: string
  readonly is_dir: boolean
  readonly file_size?: number
}

function pairs(list: readonly KeyValue[]): MlflowKeyValue[] {
  return list.map((p) => ({ key: p.key, value: p.value }))
}

/** An experiment as MLflow writes it. */
export function toMlflowExperiment(e: Experiment): MlflowExperiment {
  return compact({
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: pairs(e.tags),
  })
}

/** A run's info as MLflow writes it (`run_uuid` repeats `run_id`, for old clients). */
export function toMlflowRunInfo(i: RunInfo): MlflowRunInfo {
  return compact({
    run_id: i.runId,
    run_uuid: i.runId,
    run_name: i.runName,
    experiment_id: i.experimentId,
    user_id: i.userId,
    status: i.status,
    start_time: i.startTime,
    end_time: i.endTime ?? undefined,
    artifact_uri: i.artifactUri,
    lifecycle_stage: i.lifecycleStage,
  })
}

/** A metric point as MLflow writes it. */
export function toMlflowMetric(m: Metric): MlflowMetric {
  return { key: m.key, value: toJsonDouble(m.value), timestamp: m.timestamp, step: m.step }
}

function toMlflowDatasetInput(d: DatasetInput): MlflowDatasetInput {
  return compact({
    tags: pairs(d.tags),
    dataset: compact({
      name: d.dataset.name,
      digest: d.dataset.digest,
      source_type: d.dataset.sourceType,
      source: d.dataset.source,
      schema: d.dataset.schema === '' ? undefined : d.dataset.schema,
      profile: d.dataset.profile === '' ? undefined : d.dataset.profile,
    }),
  })
}

/** A run as MLflow writes it. */
export function toMlflowRun(r: Run): MlflowRun {
  return {
    info: toMlflowRunInfo(r.info),
    data: compact({
      metrics: r.data.metrics.map(toMlflowMetric),
      params: pairs(r.data.params),
      tags: pairs(r.data.tags),
    }),
    inputs: compact({ dataset_inputs: r.inputs.datasetInputs.map(toMlflowDatasetInput) }),
  }
}

/** A file entry as MLflow writes it. */
export function toMlflowFileInfo(f: RunArtifactFile, path = f.path): MlflowFileInfo {
  return compact({ path, is_dir: f.isDir, file_size: f.isDir ? undefined : f.fileSize })
}

// ------------------------------------------------------------------ reading MLflow JSON back

function fromJsonDouble(v: number | string): number {
  if (typeof v === 'number') return v
  if (v === 'NaN') return Number.NaN
  if (v === 'Infinity') return Number.POSITIVE_INFINITY
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY
  return Number(v)
}

function fromPairs(list: readonly MlflowKeyValue[] | undefined): KeyValue[] {
  return (list ?? []).map((p) => ({ key: p.key, value: p.value }))
}

/** An experiment read back from MLflow JSON, placed in `workspace`. */
export function fromMlflowExperiment(e: MlflowExperiment, workspace: WorkspaceId): Experiment {
  return {
    experimentId: e.experiment_id as ExperimentId,
    workspace,
    name: e.name,
    artifactLocation: e.artifact_location ?? '',
    lifecycleStage: e.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    creationTime: e.creation_time ?? 0,
    lastUpdateTime: e.last_update_time ?? 0,
    tags: fromPairs(e.tags),
  }
}

/** A run's info read back from MLflow JSON. */
export function fromMlflowRunInfo(i: MlflowRunInfo, workspace: WorkspaceId): RunInfo {
  return {
    runId: i.run_id as RunId,
    experimentId: i.experiment_id as ExperimentId,
    workspace,
    runName: i.run_name ?? '',
    userId: i.user_id ?? '',
    status: i.status as RunStatus,
    startTime: i.start_time ?? 0,
    endTime: i.end_time ?? null,
    artifactUri: i.artifact_uri ?? '',
    lifecycleStage: i.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
  }
}

/** A metric point read back from MLflow JSON. */
export function fromMlflowMetric(m: MlflowMetric): Metric {
  return { key: m.key, value: fromJsonDouble(m.value), timestamp: m.timestamp, step: m.step }
}

/**
 * A run read back from MLflow JSON. The wire carries no Plinth dataset-version id, so a
 * `plinth-dataset` input gets it from its JSON source when present.
 */
export function fromMlflowRun(r: MlflowRun, workspace: WorkspaceId): Run {
  return {
    info: fromMlflowRunInfo(r.info, workspace),
    data: {
      metrics: (r.data.metrics ?? []).map(fromMlflowMetric),
      params: fromPairs(r.data.params),
      tags: fromPairs(r.data.tags),
    },
    inputs: {
      datasetInputs: (r.inputs.dataset_inputs ?? []).map((d) => ({
        dataset: {
          name: d.dataset.name,
          digest: d.dataset.digest,
          sourceType: d.dataset.source_type,
          source: d.dataset.source,
          schema: d.dataset.schema ?? '',
          profile: d.dataset.profile ?? '',
        },
        tags: fromPairs(d.tags),
        datasetVersionId: versionIdOf(d.dataset.source_type, d.dataset.source),
      })),
    },
  }
}

function versionIdOf(sourceType: string, source: string): string | null {
  if (sourceType !== 'plinth-dataset') return null
  try {
    const parsed: unknown = JSON.parse(source)
    return typeof parsed === 'object' &&
      parsed !== null &&
      'versionId' in parsed &&
      typeof parsed.versionId === 'string'
      ? parsed.versionId
      : null
  } catch {
    return null
  }
}

/** A file entry read back from MLflow JSON. */
export function fromMlflowFileInfo(f: MlflowFileInfo): RunArtifactFile {
  return f.is_dir || f.file_size === undefined
    ? { path: f.path, isDir: f.is_dir }
    : { path: f.path, isDir: f.is_dir, fileSize: f.file_size }
}
