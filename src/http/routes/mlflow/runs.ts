import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'

import type { TrackingService } from '../../../tracking/index.js'
import { contextOf } from '../../context.js'
import { invalidParameter } from './errors.js'
import { toMlflowRun, toMlflowRunInfo } from './tracking-dto.js'
import {
  compact,
  double,
  int32,
  int64,
  keyValue,
  repeated,
  required,
  runIdOf,
  runRef,
  runStatus,
  viewType,
} from './wire.js'

const TAGS = ['mlflow: tracking'] as const

const metricSchema = z.object({
  key: z.string(),
  value: double,
  timestamp: int64,
  step: int64.optional(),
})

const LOG_MODEL_HISTORY = 'mlflow.log-model.history'

/** Largest JSON body of `runs/log-batch` (MLflow: "at most 1 MB"). */
const LOG_BATCH_BODY_LIMIT = 1024 * 1024

/** MLflow `runs/*` (§1.3 of the reference). */
export function registerRunRoutes(app: FastifyInstance, tracking: TrackingService): void {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.post(
    '/mlflow/runs/create',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a run (MLflow CreateRun).',
        body: z.object({
          experiment_id: z.string().optional(),
          run_name: z.string().optional(),
          start_time: int64.optional(),
          tags: z.array(keyValue).optional(),
          user_id: z.string().optional(),
        }),
      },
    },
    async (req) => {
      const b = req.body
      const run = await tracking.createRun(contextOf(req), {
        ...(b.experiment_id === undefined ? {} : { experimentId: b.experiment_id }),
        ...(b.run_name === undefined || b.run_name === '' ? {} : { runName: b.run_name }),
        ...(b.start_time === undefined ? {} : { startTime: b.start_time }),
        ...(b.user_id === undefined || b.user_id === '' ? {} : { userId: b.user_id }),
        tags: (b.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })),
      })
      return { run: toMlflowRun(run) }
    },
  )

  r.post(
    '/mlflow/runs/update',
    {
      schema: {
        tags: TAGS,
        summary: 'Update a run’s status, end time or name.',
        body: z.object({
          ...runRef,
          status: runStatus.optional(),
          end_time: int64.optional(),
          run_name: z.string().optional(),
        }),
      },
    },
    async (req) => {
      const b = req.body
      const info = await tracking.updateRun(contextOf(req), runIdOf(b), {
        ...(b.status === undefined ? {} : { status: b.status }),
        ...(b.end_time === undefined ? {} : { endTime: b.end_time }),
        ...(b.run_name === undefined || b.run_name === '' ? {} : { runName: b.run_name }),
      })
      return { run_info: toMlflowRunInfo(info) }
    },
  )

  r.post(
    '/mlflow/runs/delete',
    { schema: { tags: TAGS, summary: 'Delete a run (soft).', body: z.object(runRef) } },
    async (req) => {
      await tracking.deleteRun(contextOf(req), runIdOf(req.body))
      return {}
    },
  )

  r.post(
    '/mlflow/runs/restore',
    { schema: { tags: TAGS, summary: 'Restore a deleted run.', body: z.object(runRef) } },
    async (req) => {
      await tracking.restoreRun(contextOf(req), runIdOf(req.body))
      return {}
    },
  )

  r.get(
    '/mlflow/runs/get',
    {
      schema: {
        tags: TAGS,
        summary: 'Get a run with its latest metrics, params, tags and inputs.',
        querystring: z.object(runRef),
      },
    },
    async (req) => ({
      run: toMlflowRun(await tracking.getRun(contextOf(req), runIdOf(req.query))),
    }),
  )

  r.post(
    '/mlflow/runs/search',
    {
      schema: {
        tags: TAGS,
        summary: 'Search runs with MLflow’s filter grammar (plus OR and parentheses).',
        body: z.object({
          experiment_ids: repeated(z.string()).optional(),
          filter: z.string().optional(),
          run_view_type: viewType.optional(),
          max_results: int32.optional(),
          order_by: repeated(z.string()).optional(),
          page_token: z.string().optional(),
        }),
      },
    },
    async (req) => {
      const b = req.body
      const page = await tracking.searchRuns(contextOf(req), {
        experimentIds: b.experiment_ids ?? [],
        ...(b.filter === undefined || b.filter === '' ? {} : { filter: b.filter }),
        ...(b.run_view_type === undefined ? {} : { runViewType: b.run_view_type }),
        ...(b.max_results === undefined ? {} : { maxResults: b.max_results }),
        ...(b.order_by === undefined ? {} : { orderBy: b.order_by }),
        ...(b.page_token === undefined || b.page_token === '' ? {} : { pageToken: b.page_token }),
      })
      return compact({ runs: page.items.map(toMlflowRun), next_page_token: page.nextPageToken })
    },
  )

  r.post(
    '/mlflow/runs/log-metric',
    {
      schema: {
        tags: TAGS,
        summary: 'Log one metric point.',
        body: z.object({
          ...runRef,
          key: z.string().optional(),
          value: double.optional(),
          timestamp: int64.optional(),
          step: int64.optional(),
        }),
      },
    },
    async (req) => {
      const b = req.body
      await tracking.logMetric(contextOf(req), runIdOf(b), {
        key: required(b.key, 'key'),
        value: required(b.value, 'value'),
        timestamp: required(b.timestamp, 'timestamp'),
        step: b.step ?? 0,
      })
      return {}
    },
  )

  r.post(
    '/mlflow/runs/log-parameter',
    {
      schema: {
        tags: TAGS,
        summary: 'Log a parameter (write-once; the same value again is accepted).',
        body: z.object({ ...runRef, key: z.string().optional(), value: z.string().optional() }),
      },
    },
    async (req) => {
      const b = req.body
      if (b.value === undefined) required(undefined, 'value')
      await tracking.logParam(contextOf(req), runIdOf(b), required(b.key, 'key'), b.value ?? '')
      return {}
    },
  )

  r.post(
    '/mlflow/runs/set-tag',
    {
      schema: {
        tags: TAGS,
        summary: 'Set a run tag (last value wins).',
        body: z.object({ ...runRef, key: z.string().optional(), value: z.string().optional() }),
      },
    },
    async (req) => {
      const b = req.body
      await tracking.setTag(contextOf(req), runIdOf(b), required(b.key, 'key'), b.value ?? '')
      return {}
    },
  )

  r.post(
    '/mlflow/runs/delete-tag',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a run tag.',
        body: z.object({ run_id: z.string().optional(), key: z.string().optional() }),
      },
    },
    async (req) => {
      await tracking.deleteTag(
        contextOf(req),
        required(req.body.run_id, 'run_id'),
        required(req.body.key, 'key'),
      )
      return {}
    },
  )

  r.post(
    '/mlflow/runs/log-batch',
    {
      bodyLimit: LOG_BATCH_BODY_LIMIT,
      schema: {
        tags: TAGS,
        summary:
          'Log metrics, params and tags at once (≤ 1000 metrics, ≤ 100 params, ≤ 100 tags, ≤ 1000 in all).',
        body: z.object({
          run_id: z.string().optional(),
          metrics: z.array(metricSchema).optional(),
          params: z.array(keyValue).optional(),
          tags: z.array(keyValue).optional(),
        }),
      },
    },
    async (req) => {
      const b = req.body
      await tracking.logBatch(contextOf(req), required(b.run_id, 'run_id'), {
        metrics: (b.metrics ?? []).map((m) => ({
          key: m.key,
          value: m.value,
          timestamp: m.timestamp,
          step: m.step ?? 0,
        })),
        params: (b.params ?? []).map((p) => ({ key: p.key, value: p.value ?? '' })),
        tags: (b.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })),
      })
      return {}
    },
  )

  r.post(
    '/mlflow/runs/log-inputs',
    {
      schema: {
        tags: TAGS,
        summary: 'Record the datasets a run used.',
        body: z.object({
          run_id: z.string().optional(),
          datasets: z
            .array(
              z.object({
                tags: z.array(keyValue).optional(),
                dataset: z.object({
                  name: z.string(),
                  digest: z.string(),
                  source_type: z.string(),
                  source: z.string(),
                  schema: z.string().optional(),
                  profile: z.string().optional(),
                }),
              }),
            )
            .optional(),
        }),
      },
    },
    async (req) => {
      const b = req.body
      await tracking.logInputs(
        contextOf(req),
        required(b.run_id, 'run_id'),
        (b.datasets ?? []).map((d) => ({
          dataset: {
            name: d.dataset.name,
            digest: d.dataset.digest,
            sourceType: d.dataset.source_type,
            source: d.dataset.source,
            ...(d.dataset.schema === undefined ? {} : { schema: d.dataset.schema }),
            ...(d.dataset.profile === undefined ? {} : { profile: d.dataset.profile }),
          },
          tags: (d.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })),
        })),
      )
      return {}
    },
  )

  r.post(
    '/mlflow/runs/log-model',
    {
      schema: {
        tags: TAGS,
        summary: 'Record a logged model (MLmodel as JSON) in the run’s model history.',
        body: z.object({ run_id: z.string().optional(), model_json: z.string().optional() }),
      },
    },
    async (req) => {
      const runId = required(req.body.run_id, 'run_id')
      const modelJson = required(req.body.model_json, 'model_json')
      let model: unknown
      try {
        model = JSON.parse(modelJson)
      } catch {
        throw invalidParameter("Invalid value for 'model_json': not JSON")
      }
      if (typeof model !== 'object' || model === null || Array.isArray(model)) {
        throw invalidParameter("Invalid value for 'model_json': expected a JSON object")
      }
      // MLflow keeps logged models as a JSON list in the run tag `mlflow.log-model.history`.
      const ctx = contextOf(req)
      const run = await tracking.getRun(ctx, runId)
      const previous = run.data.tags.find((t) => t.key === LOG_MODEL_HISTORY)?.value
      let history: unknown[] = []
      if (previous !== undefined) {
        try {
          const parsed: unknown = JSON.parse(previous)
          if (Array.isArray(parsed)) history = parsed
        } catch {
          history = []
        }
      }
      history.push(model)
      await tracking.setTag(ctx, runId, LOG_MODEL_HISTORY, JSON.stringify(history))
      return {}
    },
  )
}
