import { NotFoundError, PlatformError, type WorkspaceId } from '../core/index.js'
import {
  fromMlflowExperiment,
  fromMlflowFileInfo,
  fromMlflowMetric,
  fromMlflowRun,
  fromMlflowRunInfo,
  type MlflowClient,
  type MlflowExperiment,
  type MlflowFileInfo,
  type MlflowMetric,
  type MlflowRun,
  type MlflowRunInfo,
} from '../http/index.js'
import {
  splitBatch,
  type Experiment,
  type LogInputsDataset,
  type Run,
  type RunArtifactFile,
  type TrackingBackend,
} from '../tracking/index.js'

/** The context tag MLflow uses for a dataset input (`mlflow.data.context`). */
const CONTEXT_TAG = 'mlflow.data.context'

function omitEmpty<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(obj).filter(([, v]) => v !== undefined && v !== ''),
  ) as Partial<T>
}

/**
 * A dataset input on MLflow's wire. A Plinth dataset version travels as an MLflow dataset of
 * source type `plinth-dataset` whose JSON source holds the reference; the server resolves it to
 * the version (name, digest, schema) exactly as the embedded SDK does.
 */
function toWireDataset(d: LogInputsDataset): Record<string, unknown> {
  const tags = [...(d.tags ?? [])]
  if (d.context !== undefined && !tags.some((t) => t.key === CONTEXT_TAG)) {
    tags.push({ key: CONTEXT_TAG, value: d.context })
  }
  if (d.datasetVersion !== undefined) {
    const name = d.dataset?.name ?? d.datasetVersion.split('@')[0] ?? d.datasetVersion
    return {
      tags,
      dataset: {
        name,
        // Replaced by the version's own digest on the server.
        digest: 'plinth-dataset-ref',
        source_type: 'plinth-dataset',
        source: JSON.stringify({ ref: d.datasetVersion }),
      },
    }
  }
  const ds = d.dataset
  if (ds === undefined) {
    throw new PlatformError('INVALID_ARGUMENT', 'a dataset input needs datasetVersion or dataset')
  }
  return {
    tags,
    dataset: omitEmpty({
      name: ds.name,
      digest: ds.digest,
      source_type: ds.sourceType,
      source: ds.source,
      schema: ds.schema,
      profile: ds.profile,
    }),
  }
}

/**
 * The SDK's tracking backend over HTTP: every call is one of the MLflow REST endpoints that an
 * MLflow client would send (`runs/log-batch` in MLflow-sized chunks, artifacts through the
 * `mlflow-artifacts` proxy), so a remote run behaves like an embedded one.
 */
export function createRemoteTrackingBackend(
  client: MlflowClient,
  workspace: WorkspaceId,
): TrackingBackend {
  // Artifact paths on the proxy name the experiment; remember each run's.
  const experimentOfRun = new Map<string, string>()
  const remember = (run: Run): Run => {
    experimentOfRun.set(run.info.runId, run.info.experimentId)
    return run
  }
  const getRun = async (runId: string): Promise<Run> => {
    const { run } = await client.get<{ run: MlflowRun }>('mlflow/runs/get', { run_id: runId })
    return remember(fromMlflowRun(run, workspace))
  }
  const artifactRoot = async (runId: string): Promise<string> => {
    const experimentId = experimentOfRun.get(runId) ?? (await getRun(runId)).info.experimentId
    return `${experimentId}/${runId}/artifacts`
  }
  const getExperiment = async (experimentId: string): Promise<Experiment> => {
    const { experiment } = await client.get<{ experiment: MlflowExperiment }>(
      'mlflow/experiments/get',
      { experiment_id: experimentId },
    )
    return fromMlflowExperiment(experiment, workspace)
  }
  const findExperimentByName = async (name: string): Promise<Experiment | undefined> => {
    try {
      const { experiment } = await client.get<{ experiment: MlflowExperiment }>(
        'mlflow/experiments/get-by-name',
        { experiment_name: name },
      )
      return fromMlflowExperiment(experiment, workspace)
    } catch (err) {
      if (err instanceof NotFoundError) return undefined
      throw err
    }
  }

  return {
    description: client.url,
    async getOrCreateExperiment(name) {
      const found = await findExperimentByName(name)
      if (found !== undefined) return found
      try {
        const { experiment_id: id } = await client.send<{ experiment_id: string }>(
          'POST',
          'mlflow/experiments/create',
          { name },
        )
        return await getExperiment(id)
      } catch (err) {
        // Another client created it in between: use theirs (the call is idempotent).
        if (err instanceof PlatformError && err.code === 'ALREADY_EXISTS') {
          const again = await findExperimentByName(name)
          if (again !== undefined) return again
        }
        throw err
      }
    },
    getExperiment,
    async createRun(input) {
      const tags = [...(input.tags ?? [])]
      if (input.parentRunId !== undefined) {
        tags.push({ key: 'mlflow.parentRunId', value: input.parentRunId })
      }
      const { run } = await client.send<{ run: MlflowRun }>('POST', 'mlflow/runs/create', {
        ...omitEmpty({
          experiment_id: input.experimentId,
          run_name: input.runName,
          user_id: input.userId,
        }),
        ...(input.startTime === undefined ? {} : { start_time: input.startTime }),
        tags,
      })
      return remember(fromMlflowRun(run, workspace))
    },
    getRun,
    async updateRun(runId, input) {
      const { run_info: info } = await client.send<{ run_info: MlflowRunInfo }>(
        'POST',
        'mlflow/runs/update',
        {
          run_id: runId,
          ...omitEmpty({ status: input.status, run_name: input.runName }),
          ...(input.endTime === undefined ? {} : { end_time: input.endTime }),
        },
      )
      return fromMlflowRunInfo(info, workspace)
    },
    async logBatch(runId, input) {
      for (const batch of splitBatch(input)) {
        await client.send('POST', 'mlflow/runs/log-batch', {
          run_id: runId,
          ...(batch.metrics === undefined
            ? {}
            : {
                metrics: batch.metrics.map((m) => ({
                  key: m.key,
                  // Non-finite values travel as protobuf JSON names (JSON has no NaN).
                  value: Number.isFinite(m.value) ? m.value : String(m.value),
                  timestamp: m.timestamp ?? Date.now(),
                  step: m.step ?? 0,
                })),
              }),
          ...(batch.params === undefined ? {} : { params: batch.params }),
          ...(batch.tags === undefined ? {} : { tags: batch.tags }),
        })
      }
    },
    async logInputs(runId, datasets) {
      if (datasets.length === 0) return
      await client.send('POST', 'mlflow/runs/log-inputs', {
        run_id: runId,
        datasets: datasets.map(toWireDataset),
      })
    },
    async uploadArtifact(runId, path, body, opts) {
      await client.putArtifact(`${await artifactRoot(runId)}/${path}`, body, opts?.mediaType)
    },
    async listArtifacts(runId, path) {
      const files: RunArtifactFile[] = []
      let pageToken: string | undefined
      do {
        const page = await client.get<{ files?: MlflowFileInfo[]; next_page_token?: string }>(
          'mlflow/artifacts/list',
          { run_id: runId, path, page_token: pageToken },
        )
        files.push(...(page.files ?? []).map(fromMlflowFileInfo))
        pageToken = page.next_page_token
      } while (pageToken !== undefined)
      return files
    },
    async openArtifact(runId, path) {
      return client.getArtifact(`${await artifactRoot(runId)}/${path}`)
    },
    async searchRuns(opts) {
      const page = await client.send<{ runs?: MlflowRun[]; next_page_token?: string }>(
        'POST',
        'mlflow/runs/search',
        {
          experiment_ids: opts.experimentIds,
          ...omitEmpty({
            filter: opts.filter,
            run_view_type: opts.runViewType,
            page_token: opts.pageToken,
          }),
          ...(opts.maxResults === undefined ? {} : { max_results: opts.maxResults }),
          ...(opts.orderBy === undefined ? {} : { order_by: opts.orderBy }),
        },
      )
      const items = (page.runs ?? []).map((r) => fromMlflowRun(r, workspace))
      return page.next_page_token === undefined
        ? { items }
        : { items, nextPageToken: page.next_page_token }
    },
    async getMetricHistory(runId, key, opts = {}) {
      const page = await client.get<{ metrics?: MlflowMetric[]; next_page_token?: string }>(
        'mlflow/metrics/get-history',
        {
          run_id: runId,
          metric_key: key,
          max_results: opts.maxResults,
          page_token: opts.pageToken,
        },
      )
      const items = (page.metrics ?? []).map(fromMlflowMetric)
      return page.next_page_token === undefined
        ? { items }
        : { items, nextPageToken: page.next_page_token }
    },
  }
}
