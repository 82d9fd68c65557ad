import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'

import type { RequestContext } from '../../../core/index.js'
import type { RegistryService } from '../../../registry/index.js'
import { contextOf } from '../../context.js'
import { toMlflowModelVersion, toMlflowRegisteredModel } from './registry-dto.js'
import { compact, int32, keyValue, repeated, required } from './wire.js'

const TAGS = ['mlflow: model registry'] as const

const nameOnly = z.object({ name: z.string().optional() })
const tagKey = z.object({ name: z.string().optional(), key: z.string().optional() })
const aliasRef = z.object({ name: z.string().optional(), alias: z.string().optional() })

/**
 * The fields of a DELETE: MLflow clients send them as a JSON body, some HTTP tools as a query
 * string; both are accepted, the body winning.
 */
function deleteFields<T extends object>(query: T, body: T | null | undefined): T {
  return { ...query, ...(body ?? {}) }
}

/** MLflow `registered-models/*` (model_registry.proto, §1.7 of the reference). */
export function registerRegisteredModelRoutes(
  app: FastifyInstance,
  registry: RegistryService,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.post(
    '/mlflow/registered-models/create',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a registered model.',
        body: z.object({
          name: z.string().optional(),
          tags: z.array(keyValue).optional(),
          description: z.string().optional(),
        }),
      },
    },
    async (req) => {
      const b = req.body
      const model = await registry.createRegisteredModel(contextOf(req), {
        name: required(b.name, 'name'),
        ...(b.description === undefined ? {} : { description: b.description }),
        tags: (b.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })),
      })
      return { registered_model: toMlflowRegisteredModel(model) }
    },
  )

  r.post(
    '/mlflow/registered-models/rename',
    {
      schema: {
        tags: TAGS,
        summary: 'Rename a registered model.',
        body: z.object({ name: z.string().optional(), new_name: z.string().optional() }),
      },
    },
    async (req) => {
      const model = await registry.renameRegisteredModel(
        contextOf(req),
        required(req.body.name, 'name'),
        required(req.body.new_name, 'new_name'),
      )
      return { registered_model: toMlflowRegisteredModel(model) }
    },
  )

  r.patch(
    '/mlflow/registered-models/update',
    {
      schema: {
        tags: TAGS,
        summary: 'Set a registered model’s description.',
        body: z.object({ name: z.string().optional(), description: z.string().optional() }),
      },
    },
    async (req) => {
      const model = await registry.updateRegisteredModel(
        contextOf(req),
        required(req.body.name, 'name'),
        req.body.description === undefined ? {} : { description: req.body.description },
      )
      return { registered_model: toMlflowRegisteredModel(model) }
    },
  )

  r.delete(
    '/mlflow/registered-models/delete',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a registered model with its versions.',
        querystring: nameOnly,
        body: nameOnly.nullish(),
      },
    },
    async (req) => {
      const f = deleteFields(req.query, req.body)
      await registry.deleteRegisteredModel(contextOf(req), required(f.name, 'name'))
      return {}
    },
  )

  r.get(
    '/mlflow/registered-models/get',
    { schema: { tags: TAGS, summary: 'Get a registered model.', querystring: nameOnly } },
    async (req) => ({
      registered_model: toMlflowRegisteredModel(
        await registry.getRegisteredModel(contextOf(req), required(req.query.name, 'name')),
      ),
    }),
  )

  r.get(
    '/mlflow/registered-models/search',
    {
      schema: {
        tags: TAGS,
        summary: 'Search registered models.',
        querystring: z.object({
          filter: z.string().optional(),
          max_results: int32.optional(),
          order_by: repeated(z.string()).optional(),
          page_token: z.string().optional(),
        }),
      },
    },
    async (req) => {
      const q = req.query
      const page = await registry.searchRegisteredModels(contextOf(req), {
        ...(q.filter === undefined || q.filter === '' ? {} : { filter: q.filter }),
        ...(q.max_results === undefined ? {} : { maxResults: q.max_results }),
        ...(q.order_by === undefined ? {} : { orderBy: q.order_by }),
        ...(q.page_token === undefined || q.page_token === '' ? {} : { pageToken: q.page_token }),
      })
      return compact({
        registered_models: page.items.map(toMlflowRegisteredModel),
        next_page_token: page.nextPageToken,
      })
    },
  )

  const latestSchema = z.object({
    name: z.string().optional(),
    stages: repeated(z.string()).optional(),
  })
  const latest = async (ctx: RequestContext, f: z.output<typeof latestSchema>) => {
    const versions = await registry.getLatestVersions(ctx, required(f.name, 'name'), f.stages)
    return compact({ model_versions: versions.map(toMlflowModelVersion) })
  }
  r.post(
    '/mlflow/registered-models/get-latest-versions',
    {
      schema: {
        tags: TAGS,
        summary: 'The newest version in each stage (deprecated by MLflow).',
        body: latestSchema,
      },
    },
    async (req) => latest(contextOf(req), req.body),
  )
  r.get(
    '/mlflow/registered-models/get-latest-versions',
    {
      schema: {
        tags: TAGS,
        summary: 'The newest version in each stage (deprecated by MLflow).',
        querystring: latestSchema,
      },
    },
    async (req) => latest(contextOf(req), req.query),
  )

  r.post(
    '/mlflow/registered-models/set-tag',
    {
      schema: {
        tags: TAGS,
        summary: 'Set a tag on a registered model.',
        body: z.object({
          name: z.string().optional(),
          key: z.string().optional(),
          value: z.string().optional(),
        }),
      },
    },
    async (req) => {
      await registry.setRegisteredModelTag(
        contextOf(req),
        required(req.body.name, 'name'),
        required(req.body.key, 'key'),
        req.body.value ?? '',
      )
      return {}
    },
  )

  r.delete(
    '/mlflow/registered-models/delete-tag',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a tag of a registered model.',
        querystring: tagKey,
        body: tagKey.nullish(),
      },
    },
    async (req) => {
      const f = deleteFields(req.query, req.body)
      await registry.deleteRegisteredModelTag(
        contextOf(req),
        required(f.name, 'name'),
        required(f.key, 'key'),
      )
      return {}
    },
  )

  r.post(
    '/mlflow/registered-models/alias',
    {
      schema: {
        tags: TAGS,
        summary: 'Point an alias at a version (moving it if it exists).',
        body: z.object({
          name: z.string().optional(),
          alias: z.string().optional(),
          version: z.union([z.string(), z.number()]).optional(),
        }),
      },
    },
    async (req) => {
      await registry.setRegisteredModelAlias(
        contextOf(req),
        required(req.body.name, 'name'),
        required(req.body.alias, 'alias'),
        required(req.body.version, 'version'),
      )
      return {}
    },
  )

  r.delete(
    '/mlflow/registered-models/alias',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete an alias.',
        querystring: aliasRef,
        body: aliasRef.nullish(),
      },
    },
    async (req) => {
      const f = deleteFields(req.query, req.body)
      await registry.deleteRegisteredModelAlias(
        contextOf(req),
        required(f.name, 'name'),
        required(f.alias, 'alias'),
      )
      return {}
    },
  )

  r.get(
    '/mlflow/registered-models/alias',
    { schema: { tags: TAGS, summary: 'The version an alias points at.', querystring: aliasRef } },
    async (req) => ({
      model_version: toMlflowModelVersion(
        await registry.getModelVersionByAlias(
          contextOf(req),
          required(req.query.name, 'name'),
          required(req.query.alias, 'alias'),
        ),
      ),
    }),
  )
}
