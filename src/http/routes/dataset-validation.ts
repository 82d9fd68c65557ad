import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'

import {
  datasetSchemaZod,
  type DatasetValidationService,
  type StoredDatasetSchema,
} from '../../datasets/index.js'
import { contextOf } from '../context.js'
import { commonErrorResponses, workspaceHeadersSchema } from '../schemas.js'

const nameParams = z.object({ name: z.string().min(1).max(128) })
const versionRef = z
  .string()
  .regex(/^(latest|\d{1,9}|[0-9a-f]{32})$/, 'expected latest, a number or a version id')

const storedSchema = z.object({
  datasetName: z.string(),
  revision: z.number().int(),
  schema: z.record(z.string(), z.unknown()),
  inferredFromVersionId: z.string().nullable(),
  createdAt: z.number().int(),
  createdBy: z.string(),
})

const driftSchema = z.object({
  column: z.string(),
  columnType: z.enum(['numeric', 'categorical']),
  method: z.enum(['ks', 'wasserstein', 'chisquare', 'z', 'jensenshannon', 'linf']),
  statistic: z.number().nullable(),
  pValue: z.number().nullable(),
  score: z.number(),
  threshold: z.number(),
  rule: z.enum(['p_value_below', 'distance_at_least']),
  drifted: z.boolean(),
  nUnique: z.number().int(),
  referenceCount: z.number().int(),
  currentCount: z.number().int(),
  sampled: z.boolean(),
})

const reportSchema = z.object({
  ok: z.boolean(),
  rowCount: z.number().int(),
  // Each kind carries its own fields (counts, examples, expected type…); see `Anomaly`.
  anomalies: z.array(
    z.looseObject({
      kind: z.enum([
        'missing_column',
        'extra_column',
        'type_changed',
        'unexpected_nulls',
        'out_of_range',
        'unseen_category',
        'distribution_shift',
      ]),
      column: z.string(),
      message: z.string(),
    }),
  ),
  drift: z.array(driftSchema),
  sampling: z.object({ maxValues: z.number().int(), method: z.literal('hash') }).optional(),
})

function storedDto(s: StoredDatasetSchema): z.infer<typeof storedSchema> {
  return { ...s, schema: { version: s.schema.version, columns: s.schema.columns } }
}

/**
 * `/api/v1/datasets/:name/schema` and `/validate`: TFDV-style schemas and validation of stored
 * versions (uploads of unsaved batches come later).
 */
export function registerDatasetValidationRoutes(
  app: FastifyInstance,
  service: DatasetValidationService,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get(
    '/datasets/:name/schema',
    {
      schema: {
        tags: ['datasets'],
        summary: "The dataset's current validation schema (404 if none was saved).",
        headers: workspaceHeadersSchema,
        params: nameParams,
        response: { 200: storedSchema, ...commonErrorResponses },
      },
    },
    async (req) => storedDto(await service.getSchema(contextOf(req), req.params.name)),
  )

  r.put(
    '/datasets/:name/schema',
    {
      schema: {
        tags: ['datasets'],
        summary: 'Save an edited schema as the next revision.',
        headers: workspaceHeadersSchema,
        params: nameParams,
        body: datasetSchemaZod,
        response: { 200: storedSchema, ...commonErrorResponses },
      },
    },
    async (req) => storedDto(await service.saveSchema(contextOf(req), req.params.name, req.body)),
  )

  r.post(
    '/datasets/:name/schema/infer',
    {
      schema: {
        tags: ['datasets'],
        summary: 'Infer a schema from a version and save it as the next revision.',
        headers: workspaceHeadersSchema,
        params: nameParams,
        querystring: z.object({ version: versionRef.default('latest') }),
        response: { 200: storedSchema, ...commonErrorResponses },
      },
    },
    async (req) =>
      storedDto(
        await service.inferAndSaveSchema(contextOf(req), req.params.name, `@${req.query.version}`),
      ),
  )

  r.post(
    '/datasets/:name/validate',
    {
      schema: {
        tags: ['datasets'],
        summary:
          'Validate a stored version against the schema and, with `reference`, check drift. `ok` is false when there are anomalies.',
        headers: workspaceHeadersSchema,
        params: nameParams,
        body: z.strictObject({
          version: versionRef,
          reference: versionRef.optional(),
          schema: z.enum(['saved', 'inferred']).optional(),
        }),
        response: { 200: reportSchema, ...commonErrorResponses },
      },
    },
    async (req) => {
      const { version, reference, schema } = req.body
      const report = await service.validate(contextOf(req), {
        dataset: req.params.name,
        against: { ref: `@${version}` },
        ...(reference === undefined ? {} : { reference: `@${reference}` }),
        ...(schema === undefined ? {} : { schema }),
      })
      return {
        ...report,
        anomalies: report.anomalies.map((a) => ({ ...a })),
        drift: report.drift.map((d) => ({ ...d })),
      }
    },
  )
}
