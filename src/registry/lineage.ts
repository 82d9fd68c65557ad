import { isPlatformError, type RequestContext, type WorkspaceId } from '../core/index.js'
import type { DatasetService } from '../datasets/index.js'
import type { DatasetLineage, ModelVersion } from './entities.js'
import {
  listVersionRowsByDatasetVersion,
  listVersionRowsByRuns,
  loadVersions,
  type Db,
} from './repo.js'
import type { RegistryRun, RegistryRunSource } from './run-source.js'

/** A model version as a lineage node. */
export interface LineageModelVersion {
  readonly name: string
  readonly version: number
  readonly uri: string
  readonly status: string
  readonly aliases: readonly string[]
  readonly runId: string | null
}

/** A run as a lineage node. */
export interface LineageRun {
  readonly runId: string
  readonly experimentId: string
  readonly name: string
  readonly status: string
  readonly startTime: number
  readonly endTime: number | null
}

/** A dataset version as a lineage node. */
export interface LineageDataset extends DatasetLineage {
  /** The Plinth dataset version number, when known. */
  readonly version: number | null
}

/** Everything downstream of a dataset version: runs that used it and the models made from them. */
export interface DatasetVersionLineage {
  readonly dataset: {
    readonly datasetVersionId: string
    readonly datasetName: string | null
    readonly version: number | null
    readonly digest: string | null
  }
  readonly runs: readonly (LineageRun & {
    /** How the run used the dataset (`training`, `validation`, …). */
    readonly contexts: readonly string[]
    readonly modelVersions: readonly LineageModelVersion[]
  })[]
  /**
   * Every model version whose run used the dataset version, including versions whose run is no
   * longer visible to tracking (their lineage was copied at registration).
   */
  readonly modelVersions: readonly LineageModelVersion[]
  /** Deployments join here once serving exists. */
  readonly deployments: readonly never[]
}

/** Everything upstream of a model version: its run and the dataset versions the run used. */
export interface ModelVersionLineage {
  readonly modelVersion: LineageModelVersion & { readonly source: string }
  readonly run: LineageRun | null
  readonly datasets: readonly LineageDataset[]
  /** Deployments join here once serving exists. */
  readonly deployments: readonly never[]
}

/** What lineage queries read. */
export interface LineageSources {
  readonly db: Db
  readonly runs: RegistryRunSource
  readonly datasets?: DatasetService
}

function node(v: ModelVersion): LineageModelVersion {
  return {
    name: v.name,
    version: v.version,
    uri: `models:/${v.name}/${String(v.version)}`,
    status: v.status,
    aliases: v.aliases,
    runId: v.runId,
  }
}

function runNode(r: RegistryRun): LineageRun {
  return {
    runId: r.id,
    experimentId: r.experimentId,
    name: r.name,
    status: r.status,
    startTime: r.startTime,
    endTime: r.endTime,
  }
}

async function datasetVersionNumber(
  ctx: RequestContext,
  datasets: DatasetService | undefined,
  name: string,
  id: string,
): Promise<{ name: string; version: number; digest: string } | undefined> {
  if (datasets === undefined) return undefined
  try {
    const v = await datasets.getVersion(ctx, `${name.split('@')[0] ?? name}@${id}`)
    return { name: v.datasetName, version: v.version, digest: v.digest }
  } catch (err) {
    if (isPlatformError(err) && (err.code === 'NOT_FOUND' || err.code === 'INVALID_ARGUMENT')) {
      return undefined
    }
    throw err
  }
}

/**
 * From a dataset version to the runs that recorded it as an input and the model versions
 * registered from those runs. `datasetName`, when given, resolves the version number and digest.
 */
export async function lineageOfDatasetVersion(
  ctx: RequestContext,
  sources: LineageSources,
  datasetVersionId: string,
  datasetName?: string,
): Promise<DatasetVersionLineage> {
  const ws: WorkspaceId = ctx.workspace
  const runs = await sources.runs.findRunsByDatasetVersion(ctx, datasetVersionId)
  const [byRun, byLineage] = await Promise.all([
    listVersionRowsByRuns(
      sources.db,
      ws,
      runs.map((r) => r.id),
    ),
    listVersionRowsByDatasetVersion(sources.db, ws, datasetVersionId),
  ])
  const rows = [...byRun, ...byLineage.filter((r) => !byRun.some((b) => b.id === r.id))]
  const versions = await loadVersions(sources.db, ws, rows)
  const fromRuns = runs
    .flatMap((r) => r.inputs)
    .find((i) => i.datasetVersionId === datasetVersionId)
  const fromVersions = versions
    .flatMap((v) => v.datasets)
    .find((d) => d.datasetVersionId === datasetVersionId)
  const name = datasetName ?? fromRuns?.datasetName ?? fromVersions?.datasetName ?? null
  const resolved =
    name === null
      ? undefined
      : await datasetVersionNumber(ctx, sources.datasets, name, datasetVersionId)
  return {
    dataset: {
      datasetVersionId,
      datasetName: resolved?.name ?? name,
      version: resolved?.version ?? null,
      digest: resolved?.digest ?? fromRuns?.digest ?? fromVersions?.digest ?? null,
    },
    runs: runs.map((r) => ({
      ...runNode(r),
      contexts: [
        ...new Set(
          r.inputs.filter((i) => i.datasetVersionId === datasetVersionId).map((i) => i.context),
        ),
      ],
      modelVersions: versions.filter((v) => v.runId === r.id).map(node),
    })),
    modelVersions: versions.map(node),
    deployments: [],
  }
}

/** From a model version back to its run and the dataset versions the run used. */
export async function lineageOfModelVersion(
  ctx: RequestContext,
  sources: LineageSources,
  v: ModelVersion,
): Promise<ModelVersionLineage> {
  const run = v.runId === null ? undefined : await sources.runs.findRun(ctx, v.runId)
  // The lineage copied at registration, or the run's inputs for versions registered before
  // the run logged them.
  const inputs = v.datasets.length > 0 ? v.datasets : (run?.inputs ?? [])
  const datasets = await Promise.all(
    inputs.map(async (d): Promise<LineageDataset> => {
      const resolved =
        d.datasetVersionId === null
          ? undefined
          : await datasetVersionNumber(ctx, sources.datasets, d.datasetName, d.datasetVersionId)
      return {
        ...d,
        datasetName: resolved?.name ?? d.datasetName,
        version: resolved?.version ?? null,
      }
    }),
  )
  return {
    modelVersion: { ...node(v), source: v.source },
    run: run === undefined ? null : runNode(run),
    datasets,
    deployments: [],
  }
}
