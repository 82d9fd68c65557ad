import { PlatformError, isPlatformError, type RequestContext } from '../core/index.js'
import type { Run, TrackingService } from '../tracking/index.js'
import type { DatasetLineage } from './entities.js'
import type { RegistryRun, RegistryRunSource } from './run-source.js'

/** The input tag MLflow uses for a dataset's role in a run. */
const CONTEXT_TAG = 'mlflow.data.context'
/** Largest artifact the registry reads into memory (a model's `model.json`). */
const MAX_ARTIFACT_BYTES = 1024 * 1024 * 1024

function toRegistryRun(run: Run): RegistryRun {
  const metrics: Record<string, number> = {}
  for (const m of run.data.metrics) metrics[m.key] = m.value
  const tags: Record<string, string> = {}
  for (const t of run.data.tags) tags[t.key] = t.value
  return {
    id: run.info.runId,
    experimentId: run.info.experimentId,
    name: run.info.runName,
    status: run.info.status,
    startTime: run.info.startTime,
    endTime: run.info.endTime,
    artifactUri: run.info.artifactUri,
    metrics,
    tags,
    inputs: run.inputs.datasetInputs.map((i): DatasetLineage => ({
      datasetName: i.dataset.name,
      digest: i.dataset.digest,
      context: i.tags.find((t) => t.key === CONTEXT_TAG)?.value ?? '',
      datasetVersionId: i.datasetVersionId,
    })),
  }
}

/** A malformed id (not a Plinth run id) or a missing run: absent either way. */
function isAbsence(err: unknown): boolean {
  return isPlatformError(err) && (err.code === 'NOT_FOUND' || err.code === 'INVALID_ARGUMENT')
}

async function readAll(body: AsyncIterable<unknown>, path: string): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array)
    size += buf.length
    if (size > MAX_ARTIFACT_BYTES) {
      throw new PlatformError('FAILED_PRECONDITION', `artifact ${path} is too large to load`, {
        path,
        maxBytes: MAX_ARTIFACT_BYTES,
      })
    }
    chunks.push(buf)
  }
  return Buffer.concat(chunks)
}

/**
 * The registry's view of runs, over the tracking service: latest metrics, tags, dataset inputs
 * (context from the `mlflow.data.context` input tag) and artifact files.
 */
export function createTrackingRunSource(tracking: TrackingService): RegistryRunSource {
  return {
    async findRun(ctx: RequestContext, runId: string) {
      try {
        const run = await tracking.findRun(ctx, runId)
        return run === undefined ? undefined : toRegistryRun(run)
      } catch (err) {
        if (isAbsence(err)) return undefined
        throw err
      }
    },
    async readArtifact(ctx: RequestContext, runId: string, path: string) {
      let opened: Awaited<ReturnType<TrackingService['openRunArtifact']>>
      try {
        opened = await tracking.openRunArtifact(ctx, runId, path)
      } catch (err) {
        if (isAbsence(err)) return undefined
        throw err
      }
      return readAll(opened.body, path)
    },
    async findRunsByTag(ctx: RequestContext, experimentId: string, key: string, value: string) {
      const page = await tracking.searchRuns(ctx, {
        experimentIds: [experimentId],
        filter: `tags.\`${key.replaceAll('`', '')}\` = '${value.replaceAll("'", "''")}'`,
        orderBy: ['attributes.start_time DESC'],
        maxResults: 100,
      })
      return page.items.map(toRegistryRun)
    },
    async findRunsByDatasetVersion(ctx: RequestContext, datasetVersionId: string) {
      const infos = await tracking.listRunsByDatasetVersion(ctx, datasetVersionId)
      if (infos.length === 0) return []
      const runs = await tracking.getRuns(
        ctx,
        infos.map((i) => i.runId),
      )
      return runs.map(toRegistryRun)
    },
  }
}
