import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'

import type { RegistryService } from '../../../registry/index.js'
import { contextOf } from '../../context.js'
import { parseArtifactPath } from './artifact-path.js'
import { invalidParameter } from './errors.js'
import { toMlflowModelVersion } from './registry-dto.js'
import { bool, compact, int32, keyValue, repeated, required } from './wire.js'

const TAGS = ['mlflow: model registry'] as const

const version = z.union([z.string(), z.number()])
const versionRef = z.object({ name: z.string().optional(), version: version.optional() })
const versionTagKey = versionRef.extend({ key: z.string().optional() })

const ARTIFACTS_SCHEME = 'mlflow-artifacts:/'

/**
 * Checks a model version's `source`: it must name files of a run on this server, either
 * `runs:/<run id>/<path>` or `mlflow-artifacts:/<experiment id>/<run id>/artifacts/<path>` (what
 * MLflow clients send after resolving a `runs:/` URI). Local paths, `file:` and network URIs are
 * refused: a source pointing anywhere else is how MLflow servers were made to serve arbitrary
 * files (CVE-2023-1177, -1176, -2356, -2780, CVE-2024-1483, CVE-2024-3573). When `runId` is given
 * it must be the run the source names.
 */
function checkSource(source: string, runId: string | undefined): void {
  const bad = (why: string) => invalidParameter(`Invalid value for 'source': ${why}`)
  if (source.startsWith('runs:/')) return // parsed and checked by the registry
  if (!source.startsWith(ARTIFACTS_SCHEME) || source.startsWith(`${ARTIFACTS_SCHEME}/`)) {
    throw bad('expected runs:/<run id>/<path> or mlflow-artifacts:/<experiment>/<run>/artifacts/…')
  }
  const path = parseArtifactPath(source.slice(ARTIFACTS_SCHEME.length), 'source')
  const [experiment = '', run = '', root = ''] = path.split('/')
  if (!/^\d{1,18}$/.test(experiment) || !/^[0-9a-f]{32}$/.test(run) || root !== 'artifacts') {
    throw bad('expected mlflow-artifacts:/<experiment id>/<run id>/artifacts/<path>')
  }
  if (runId !== undefined && runId !== '' && runId !== run) {
    throw bad(`it names run '${run}', not run '${runId}'`)
  }
}

/** MLflow `model-versions/*` (model_registry.proto, §1.7 of the reference). */
export function registerModelVersionRoutes(app: FastifyInstance, registry: RegistryService): void {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.post(
    '/mlflow/model-versions/create',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a version of a registered model from a run’s files.',
        body: z.object({
          name: z.string().optional(),
          source: z.string().optional(),
          run_id: z.string().optional(),
          tags: z.array(keyValue).optional(),
          run_link: z.string().optional(),
          description: z.string().optional(),
        }),
      },
    },
    async (req) => {
      const b = req.body
      const name = required(b.name, 'name')
      const source = required(b.source, 'source')
      checkSource(source, b.run_id)
      const runId =
        b.run_id ?? (source.startsWith(ARTIFACTS_SCHEME) ? source.split('/')[2] : undefined)
      const v = await registry.createModelVersion(contextOf(req), {
        name,
        source,
        ...(runId === undefined || runId === '' ? {} : { runId }),
        ...(b.run_link === undefined ? {} : { runLink: b.run_link }),
        ...(b.description === undefined ? {} : { description: b.description }),
        tags: (b.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })),
      })
      return { model_version: toMlflowModelVersion(v) }
    },
  )

  r.patch(
    '/mlflow/model-versions/update',
    {
      schema: {
        tags: TAGS,
        summary: 'Set a version’s description.',
        body: versionRef.extend({ description: z.string().optional() }),
      },
    },
    async (req) => {
      const b = req.body
      const v = await registry.updateModelVersion(
        contextOf(req),
        required(b.name, 'name'),
        required(b.version, 'version'),
        b.description === undefined ? {} : { description: b.description },
      )
      return { model_version: toMlflowModelVersion(v) }
    },
  )

  r.post(
    '/mlflow/model-versions/transition-stage',
    {
      schema: {
        tags: TAGS,
        summary: 'Move a version to a legacy stage (deprecated by MLflow; prefer aliases).',
        body: versionRef.extend({
          stage: z.string().optional(),
          archive_existing_versions: bool.optional(),
        }),
      },
    },
    async (req) => {
      const b = req.body
      const v = await registry.transitionModelVersionStage(
        contextOf(req),
        required(b.name, 'name'),
        required(b.version, 'version'),
        required(b.stage, 'stage'),
        required(b.archive_existing_versions, 'archive_existing_versions'),
      )
      return { model_version: toMlflowModelVersion(v) }
    },
  )

  r.delete(
    '/mlflow/model-versions/delete',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a version.',
        querystring: versionRef,
        body: versionRef.nullish(),
      },
    },
    async (req) => {
      const f = { ...req.query, ...(req.body ?? {}) }
      await registry.deleteModelVersion(
        contextOf(req),
        required(f.name, 'name'),
        required(f.version, 'version'),
      )
      return {}
    },
  )

  r.get(
    '/mlflow/model-versions/get',
    { schema: { tags: TAGS, summary: 'Get a version.', querystring: versionRef } },
    async (req) => ({
      model_version: toMlflowModelVersion(
        await registry.getModelVersion(
          contextOf(req),
          required(req.query.name, 'name'),
          required(req.query.version, 'version'),
        ),
      ),
    }),
  )

  r.get(
    '/mlflow/model-versions/search',
    {
      schema: {
        tags: TAGS,
        summary: 'Search versions.',
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
      const page = await registry.searchModelVersions(contextOf(req), {
        ...(q.filter === undefined || q.filter === '' ? {} : { filter: q.filter }),
        ...(q.max_results === undefined ? {} : { maxResults: q.max_results }),
        ...(q.order_by === undefined ? {} : { orderBy: q.order_by }),
        ...(q.page_token === undefined || q.page_token === '' ? {} : { pageToken: q.page_token }),
      })
      return compact({
        model_versions: page.items.map(toMlflowModelVersion),
        next_page_token: page.nextPageToken,
      })
    },
  )

  r.get(
    '/mlflow/model-versions/get-download-uri',
    { schema: { tags: TAGS, summary: 'Where a version’s files are.', querystring: versionRef } },
    async (req) => ({
      artifact_uri: await registry.getModelVersionDownloadUri(
        contextOf(req),
        required(req.query.name, 'name'),
        required(req.query.version, 'version'),
      ),
    }),
  )

  r.post(
    '/mlflow/model-versions/set-tag',
    {
      schema: {
        tags: TAGS,
        summary: 'Set a tag on a version.',
        body: versionTagKey.extend({ value: z.string().optional() }),
      },
    },
    async (req) => {
      const b = req.body
      await registry.setModelVersionTag(
        contextOf(req),
        required(b.name, 'name'),
        required(b.version, 'version'),
        required(b.key, 'key'),
        b.value ?? '',
      )
      return {}
    },
  )

  r.delete(
    '/mlflow/model-versions/delete-tag',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a tag of a version.',
        querystring: versionTagKey,
        body: versionTagKey.nullish(),
      },
    },
    async (req) => {
      const f = { ...req.query, ...(req.body ?? {}) }
      await registry.deleteModelVersionTag(
        contextOf(req),
        required(f.name, 'name'),
        required(f.version, 'version'),
        required(f.key, 'key'),
      )
      return {}
    },
  )
}
