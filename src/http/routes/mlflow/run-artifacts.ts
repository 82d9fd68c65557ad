import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'

import type { TrackingService } from '../../../tracking/index.js'
import { contextOf } from '../../context.js'
import { parseArtifactPath } from './artifact-path.js'
import { MlflowError } from './errors.js'
import { toMlflowFileInfo } from './tracking-dto.js'
import { compact, runIdOf, runRef } from './wire.js'

const TAGS = ['mlflow: tracking'] as const

/** MLflow `artifacts/list` and the presigned-URL RPCs (§1.3), run-scoped. */
export function registerRunArtifactRoutes(app: FastifyInstance, tracking: TrackingService): void {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get(
    '/mlflow/artifacts/list',
    {
      schema: {
        tags: TAGS,
        summary: 'List one directory of a run’s artifacts.',
        querystring: z.object({
          ...runRef,
          path: z.string().optional(),
          page_token: z.string().optional(),
        }),
      },
    },
    async (req) => {
      const q = req.query
      const ctx = contextOf(req)
      const runId = runIdOf(q)
      const path = parseArtifactPath(q.path ?? '', 'path', { allowEmpty: true })
      const page = await tracking.listRunArtifacts(ctx, runId, {
        ...(path === '' ? {} : { path }),
        ...(q.page_token === undefined || q.page_token === '' ? {} : { pageToken: q.page_token }),
      })
      return compact({
        root_uri: page.rootUri,
        files: page.items.map((f) => toMlflowFileInfo(f)),
        next_page_token: page.nextPageToken,
      })
    },
  )

  // Presigned URLs need a store that signs URLs (S3 and kin); files reach Plinth's store through
  // the mlflow-artifacts proxy instead, which MLflow clients fall back to.
  for (const kind of ['upload', 'download']) {
    r.post(
      `/mlflow/artifacts/presigned-${kind}-url`,
      {
        schema: { tags: TAGS, summary: `A presigned ${kind} URL (not supported: use the proxy).` },
      },
      async () => {
        throw new MlflowError(
          'NOT_IMPLEMENTED',
          `Presigned ${kind} URLs are not supported; use the mlflow-artifacts proxy`,
        )
      },
    )
  }
}
