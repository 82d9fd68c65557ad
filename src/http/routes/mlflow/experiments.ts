import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'

import type { TrackingService } from '../../../tracking/index.js'
import { contextOf } from '../../context.js'
import { invalidParameter } from './errors.js'
import { toMlflowExperiment } from './tracking-dto.js'
import { compact, int32, keyValue, repeated, required, viewType } from './wire.js'

const TAGS = ['mlflow: tracking'] as const

const experimentIdBody = z.object({ experiment_id: z.string().optional() })

const searchSchema = z.object({
  max_results: int32.optional(),
  page_token: z.string().optional(),
  filter: z.string().optional(),
  order_by: repeated(z.string()).optional(),
  view_type: viewType.optional(),
})

/** MLflow `experiments/*` (service.proto `MlflowService`, §1.3 of the reference). */
export function registerExperimentRoutes(app: FastifyInstance, tracking: TrackingService): void {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.post(
    '/mlflow/experiments/create',
    {
      schema: {
        tags: TAGS,
        summary: 'Create an experiment (MLflow CreateExperiment).',
        body: z.object({
          name: z.string().optional(),
          artifact_location: z.string().optional(),
          tags: z.array(keyValue).optional(),
        }),
      },
    },
    async (req) => {
      const name = required(req.body.name, 'name')
      // Artifacts always live in Plinth's store: a caller-chosen location is how MLflow servers
      // were made to read and fetch arbitrary files and URLs (CVE-2024-1483, mlflow#24767).
      if (req.body.artifact_location !== undefined && req.body.artifact_location !== '') {
        throw invalidParameter(
          "Invalid value for 'artifact_location': Plinth chooses artifact locations itself; leave it unset.",
        )
      }
      const experiment = await tracking.createExperiment(contextOf(req), {
        name,
        tags: (req.body.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })),
      })
      return { experiment_id: experiment.experimentId }
    },
  )

  const search = async (ctx: ReturnType<typeof contextOf>, q: z.output<typeof searchSchema>) => {
    const page = await tracking.searchExperiments(ctx, {
      ...(q.filter === undefined || q.filter === '' ? {} : { filter: q.filter }),
      ...(q.view_type === undefined ? {} : { viewType: q.view_type }),
      ...(q.max_results === undefined ? {} : { maxResults: q.max_results }),
      ...(q.order_by === undefined ? {} : { orderBy: q.order_by }),
      ...(q.page_token === undefined || q.page_token === '' ? {} : { pageToken: q.page_token }),
    })
    return compact({
      experiments: page.items.map(toMlflowExperiment),
      next_page_token: page.nextPageToken,
    })
  }
  r.post(
    '/mlflow/experiments/search',
    { schema: { tags: TAGS, summary: 'Search experiments.', body: searchSchema } },
    async (req) => search(contextOf(req), req.body),
  )
  r.get(
    '/mlflow/experiments/search',
    { schema: { tags: TAGS, summary: 'Search experiments.', querystring: searchSchema } },
    async (req) => search(contextOf(req), req.query),
  )

  r.get(
    '/mlflow/experiments/get',
    {
      schema: {
        tags: TAGS,
        summary: 'Get an experiment by id.',
        querystring: experimentIdBody,
      },
    },
    async (req) => {
      const id = required(req.query.experiment_id, 'experiment_id')
      return { experiment: toMlflowExperiment(await tracking.getExperiment(contextOf(req), id)) }
    },
  )

  r.get(
    '/mlflow/experiments/get-by-name',
    {
      schema: {
        tags: TAGS,
        summary: 'Get an experiment by name.',
        querystring: z.object({ experiment_name: z.string().optional() }),
      },
    },
    async (req) => {
      const name = required(req.query.experiment_name, 'experiment_name')
      const experiment = await tracking.getExperimentByName(contextOf(req), name)
      return { experiment: toMlflowExperiment(experiment) }
    },
  )

  r.post(
    '/mlflow/experiments/delete',
    { schema: { tags: TAGS, summary: 'Delete an experiment (soft).', body: experimentIdBody } },
    async (req) => {
      await tracking.deleteExperiment(
        contextOf(req),
        required(req.body.experiment_id, 'experiment_id'),
      )
      return {}
    },
  )

  r.post(
    '/mlflow/experiments/restore',
    { schema: { tags: TAGS, summary: 'Restore a deleted experiment.', body: experimentIdBody } },
    async (req) => {
      await tracking.restoreExperiment(
        contextOf(req),
        required(req.body.experiment_id, 'experiment_id'),
      )
      return {}
    },
  )

  r.post(
    '/mlflow/experiments/update',
    {
      schema: {
        tags: TAGS,
        summary: 'Rename an experiment.',
        body: z.object({ experiment_id: z.string().optional(), new_name: z.string().optional() }),
      },
    },
    async (req) => {
      const id = required(req.body.experiment_id, 'experiment_id')
      if (req.body.new_name !== undefined && req.body.new_name !== '') {
        await tracking.updateExperiment(contextOf(req), id, req.body.new_name)
      } else {
        await tracking.getExperiment(contextOf(req), id)
      }
      return {}
    },
  )

  r.post(
    '/mlflow/experiments/set-experiment-tag',
    {
      schema: {
        tags: TAGS,
        summary: 'Set a tag on an experiment.',
        body: z.object({
          experiment_id: z.string().optional(),
          key: z.string().optional(),
          value: z.string().optional(),
        }),
      },
    },
    async (req) => {
      await tracking.setExperimentTag(
        contextOf(req),
        required(req.body.experiment_id, 'experiment_id'),
        required(req.body.key, 'key'),
        req.body.value ?? '',
      )
      return {}
    },
  )

  r.post(
    '/mlflow/experiments/delete-experiment-tag',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a tag of an experiment.',
        body: z.object({ experiment_id: z.string().optional(), key: z.string().optional() }),
      },
    },
    async (req) => {
      await tracking.deleteExperimentTag(
        contextOf(req),
        required(req.body.experiment_id, 'experiment_id'),
        required(req.body.key, 'key'),
      )
      return {}
    },
  )
}
