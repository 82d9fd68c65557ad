import type { IncomingMessage } from 'node:http'

import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'

import {
  FILE_FORMATS,
  type DatasetService,
  type DatasetVersion,
  type FileFormat,
  type SplitSpec,
} from '../../datasets/index.js'
import { clientGoneSignal, contextOf } from '../context.js'
import { assertUploadSize } from '../upload.js'
import { commonErrorResponses, errorResponseSchema, workspaceHeadersSchema } from '../schemas.js'

const columnSchema = z.object({ name: z.string(), type: z.string() })
const datasetSchema = z.object({
  id: z.string(),
  workspace: z.string(),
  name: z.string(),
  description: z.string(),
  createdAt: z.number().int(),
  createdBy: z.string(),
  updatedAt: z.number().int(),
})
const versionSchema = z.object({
  id: z.string(),
  datasetId: z.string(),
  datasetName: z.string(),
  workspace: z.string(),
  version: z.number().int(),
  digest: z.string(),
  sizeBytes: z.number().int(),
  rowCount: z.number().int(),
  columns: z.array(columnSchema),
  sourceUri: z.string(),
  sourceFormat: z.string(),
  parentVersionId: z.string().nullable(),
  lineage: z.record(z.string(), z.unknown()),
  createdAt: z.number().int(),
  createdBy: z.string(),
})
const nameParams = z.object({ name: z.string().min(1).max(128) })
const versionParams = z.object({
  name: z.string().min(1).max(128),
  version: z
    .string()
    .regex(/^(latest|\d{1,9}|[0-9a-f]{32})$/, 'expected latest, a number or a version id'),
})
const ref = (p: { name: string; version: string }): string => `${p.name}@${p.version}`

function versionDto(v: DatasetVersion): z.infer<typeof versionSchema> {
  return { ...v, columns: v.columns.map((c) => ({ ...c })), lineage: { ...v.lineage } }
}

/** `/api/v1/datasets`: upload-ingest, list, versions, profile, head and export. */
export function registerDatasetRoutes(
  app: FastifyInstance,
  service: DatasetService,
  options: { readonly uploadLimitBytes: number },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get(
    '/datasets',
    {
      schema: {
        tags: ['datasets'],
        summary: 'List datasets of the workspace.',
        headers: workspaceHeadersSchema,
        response: {
          200: z.object({
            datasets: z.array(
              datasetSchema.extend({
                versions: z.number().int(),
                latest: z.number().int().nullable(),
              }),
            ),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (req) => ({ datasets: await service.listDatasets(contextOf(req)) }),
  )

  r.get(
    '/datasets/:name',
    {
      schema: {
        tags: ['datasets'],
        summary: 'Get a dataset.',
        headers: workspaceHeadersSchema,
        params: nameParams,
        response: { 200: datasetSchema, ...commonErrorResponses },
      },
    },
    async (req) => service.getDataset(contextOf(req), req.params.name),
  )

  r.get(
    '/datasets/:name/versions',
    {
      schema: {
        tags: ['datasets'],
        summary: 'List versions, newest first.',
        headers: workspaceHeadersSchema,
        params: nameParams,
        response: { 200: z.object({ versions: z.array(versionSchema) }), ...commonErrorResponses },
      },
    },
    async (req) => ({
      versions: (await service.listVersions(contextOf(req), req.params.name)).map(versionDto),
    }),
  )

  r.post(
    '/datasets/:name/versions',
    {
      schema: {
        tags: ['datasets'],
        summary:
          'Ingest uploaded bytes (`application/octet-stream`) as a new version; identical content returns the existing one.',
        headers: workspaceHeadersSchema,
        params: nameParams,
        querystring: z.object({
          format: z.enum(FILE_FORMATS as [FileFormat, ...FileFormat[]]),
          target: z.string().max(256).optional(),
          description: z.string().max(1000).optional(),
          skipBadRows: z.enum(['true', 'false']).optional(),
          encoding: z.enum(['utf-8', 'utf-16', 'latin-1']).optional(),
          fileName: z.string().max(256).optional(),
        }),
        response: {
          201: z.object({
            dataset: datasetSchema,
            version: versionSchema,
            created: z.boolean(),
            skippedRows: z.number().int(),
          }),
          200: z.object({
            dataset: datasetSchema,
            version: versionSchema,
            created: z.boolean(),
            skippedRows: z.number().int(),
          }),
          413: errorResponseSchema,
          ...commonErrorResponses,
        },
      },
    },
    async (req, reply) => {
      assertUploadSize(req, options.uploadLimitBytes)
      const q = req.query
      const result = await service.ingestUpload(
        contextOf(req, clientGoneSignal(req)),
        req.body as IncomingMessage,
        q.format,
        {
          name: req.params.name,
          maxBytes: options.uploadLimitBytes,
          ...(q.target === undefined ? {} : { target: q.target }),
          ...(q.description === undefined ? {} : { description: q.description }),
          ...(q.skipBadRows === undefined ? {} : { skipBadRows: q.skipBadRows === 'true' }),
          ...(q.encoding === undefined ? {} : { encoding: q.encoding }),
          ...(q.fileName === undefined ? {} : { fileName: q.fileName }),
        },
      )
      return reply
        .code(result.created ? 201 : 200)
        .send({ ...result, version: versionDto(result.version) })
    },
  )

  r.get(
    '/datasets/:name/versions/:version',
    {
      schema: {
        tags: ['datasets'],
        summary: 'Get a version (`latest`, its number or its id).',
        headers: workspaceHeadersSchema,
        params: versionParams,
        response: { 200: versionSchema, ...commonErrorResponses },
      },
    },
    async (req) => versionDto(await service.getVersion(contextOf(req), ref(req.params))),
  )

  r.get(
    '/datasets/:name/versions/:version/profile',
    {
      schema: {
        tags: ['datasets'],
        summary: 'The profile computed at ingest.',
        headers: workspaceHeadersSchema,
        params: versionParams,
        response: { 200: z.record(z.string(), z.unknown()), ...commonErrorResponses },
      },
    },
    async (req) => ({ ...(await service.getProfile(contextOf(req), ref(req.params))) }),
  )

  r.get(
    '/datasets/:name/versions/:version/head',
    {
      schema: {
        tags: ['datasets'],
        summary: 'The first rows of a version.',
        headers: workspaceHeadersSchema,
        params: versionParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() }),
        response: {
          200: z.object({
            columns: z.array(columnSchema),
            rows: z.array(z.record(z.string(), z.unknown())),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (req) => {
      const preview = await service.headVersion(
        contextOf(req),
        ref(req.params),
        req.query.limit ?? 10,
      )
      return {
        columns: preview.columns.map((c) => ({ ...c })),
        rows: preview.rows.map((row) => ({ ...row })),
      }
    },
  )

  const fractions = z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/), z.number().gt(0).lt(1))
  const splitBody = z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('random'), fractions, seed: z.number().int() }).strict(),
    z
      .object({
        kind: z.literal('stratified'),
        column: z.string().min(1),
        fractions,
        seed: z.number().int(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('grouped'),
        column: z.string().min(1),
        fractions,
        seed: z.number().int(),
      })
      .strict(),
    z.object({ kind: z.literal('time'), column: z.string().min(1), fractions }).strict(),
    z
      .object({
        kind: z.literal('kfold'),
        k: z.number().int().min(2).max(100),
        seed: z.number().int(),
        stratify: z.string().min(1).optional(),
        group: z.string().min(1).optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('timeseries'),
        column: z.string().min(1),
        k: z.number().int().min(2).max(100),
      })
      .strict(),
  ])

  r.post(
    '/datasets/:name/versions/:version/split',
    {
      schema: {
        tags: ['datasets'],
        summary: 'Split a version into seeded partitions stored as datasets `<name>.<partition>`.',
        headers: workspaceHeadersSchema,
        params: versionParams,
        body: splitBody,
        response: {
          200: z.object({
            parent: versionSchema,
            partitions: z.array(
              z.object({ name: z.string(), version: versionSchema, created: z.boolean() }),
            ),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (req) => {
      const body = req.body
      const spec: SplitSpec =
        body.kind === 'kfold'
          ? {
              kind: 'kfold',
              k: body.k,
              seed: body.seed,
              ...(body.stratify === undefined ? {} : { stratify: body.stratify }),
              ...(body.group === undefined ? {} : { group: body.group }),
            }
          : body
      const result = await service.splitVersion(contextOf(req), ref(req.params), spec)
      return {
        parent: versionDto(result.parent),
        partitions: result.partitions.map((p) => ({ ...p, version: versionDto(p.version) })),
      }
    },
  )

  const exportQuery = z.object({ format: z.enum(['parquet', 'csv', 'ndjson']).default('parquet') })
  // Without the type provider: the reply is a byte stream.
  app.get(
    '/datasets/:name/versions/:version/content',
    {
      schema: {
        tags: ['datasets'],
        summary: 'Download a version as Parquet, CSV or NDJSON (as an attachment).',
        headers: workspaceHeadersSchema,
        params: versionParams,
        querystring: exportQuery,
        produces: ['application/vnd.apache.parquet', 'text/csv', 'application/x-ndjson'],
        response: { ...commonErrorResponses },
      },
    },
    async (req, reply) => {
      const params = versionParams.parse(req.params)
      const { format } = exportQuery.parse(req.query)
      const out = await service.exportVersion(
        contextOf(req, clientGoneSignal(req)),
        ref(params),
        format,
      )
      const file = `${out.version.datasetName}-v${String(out.version.version)}.${format}`.replace(
        /[^A-Za-z0-9._-]/g,
        '_',
      )
      return reply
        .type(out.mediaType)
        .header('content-disposition', `attachment; filename="${file}"`)
        .header('content-security-policy', 'sandbox')
        .send(out.body)
    },
  )
}
