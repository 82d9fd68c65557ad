import type { IncomingMessage } from 'node:http'

import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'

import type { RequestContext } from '../../../core/index.js'
import type { TrackingService } from '../../../tracking/index.js'
import { clientGoneSignal, contextOf } from '../../context.js'
import { assertUploadSize } from '../../upload.js'
import { parseArtifactPath } from './artifact-path.js'
import { MlflowError, invalidParameter } from './errors.js'
import { toMlflowFileInfo } from './tracking-dto.js'
import { compact } from './wire.js'

const TAGS = ['mlflow: artifacts'] as const
const EXPERIMENT_ID = /^\d{1,18}$/
const RUN_ID = /^[0-9a-f]{32}$/
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/

/** A proxied artifact path resolved to a run and a path inside the run's artifact root. */
interface RunArtifactRef {
  readonly runId: string
  /** Relative to the run's artifact root; '' is the root. */
  readonly path: string
}

/**
 * Resolves `<experiment id>/<run id>/artifacts[/<path>]` (the layout of the `mlflow-artifacts:/`
 * URIs Plinth gives runs) to a run and a relative path, checking that the run belongs to that
 * experiment. The path is validated before anything is looked up and is only ever a key for the
 * tracking service: no file-system path is built from it.
 */
async function resolve(
  tracking: TrackingService,
  ctx: RequestContext,
  raw: string,
  options: { readonly allowRoot: boolean },
): Promise<RunArtifactRef> {
  const full = parseArtifactPath(raw, 'path')
  const [experimentId = '', runId = '', root = '', ...rest] = full.split('/')
  if (!EXPERIMENT_ID.test(experimentId) || !RUN_ID.test(runId) || root !== 'artifacts') {
    throw invalidParameter(
      "Invalid value for 'path': expected '<experiment id>/<run id>/artifacts/<path>'",
    )
  }
  if (rest.length === 0 && !options.allowRoot) {
    throw invalidParameter("Invalid value for 'path': it names the run's artifact root, not a file")
  }
  const run = await tracking.getRun(ctx, runId)
  if (run.info.experimentId !== experimentId) {
    throw new MlflowError(
      'RESOURCE_DOES_NOT_EXIST',
      `Run '${runId}' not found in experiment '${experimentId}'`,
    )
  }
  return { runId, path: rest.join('/') }
}

/** The `*` parameter of a wildcard route (decoded once by the router). */
function wildcard(req: FastifyRequest): string {
  return (req.params as Record<string, string | undefined>)['*'] ?? ''
}

/**
 * `content-type` → a media type to record, or undefined. Parameters (`; charset=…`) are dropped
 * and anything that is not a plain `type/subtype` is ignored rather than stored.
 */
function mediaTypeOf(header: string | undefined): string | undefined {
  const t = header?.split(';')[0]?.trim().toLowerCase()
  return t !== undefined && MEDIA_TYPE.test(t) ? t : undefined
}

/**
 * MLflow's artifact proxy (mlflow_artifacts.proto `MlflowArtifactsService`): upload, download,
 * list and delete the files of a run through `/mlflow-artifacts/artifacts/<path>`, which MLflow
 * clients use for `mlflow-artifacts:/` artifact URIs. Multipart uploads (`mpu/*`) answer
 * NOT_IMPLEMENTED: clients use them only when `MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD` is set.
 *
 * Register in a scope of its own: the upload route accepts any content type as raw bytes.
 */
export function registerMlflowArtifactRoutes(
  app: FastifyInstance,
  tracking: TrackingService,
  options: { readonly uploadLimitBytes: number },
): void {
  // MLflow clients send each file with the media type guessed from its name (text/plain,
  // application/json…); the bytes are streamed to the store unparsed whatever it says. This is
  // a PUT, so a foreign page cannot send it without a preflight, and the Origin check applies.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_req, payload, done) => {
    done(null, payload)
  })
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.put(
    '/mlflow-artifacts/artifacts/*',
    {
      schema: {
        tags: TAGS,
        summary: 'Upload one artifact file (request body: the raw bytes).',
        consumes: ['application/octet-stream'],
      },
    },
    async (req) => {
      assertUploadSize(req, options.uploadLimitBytes)
      const ctx = contextOf(req, clientGoneSignal(req))
      const ref = await resolve(tracking, ctx, wildcard(req), { allowRoot: false })
      const mediaType = mediaTypeOf(req.headers['content-type'])
      await tracking.uploadRunArtifact(ctx, ref.runId, req.body as IncomingMessage, {
        path: ref.path,
        maxBytes: options.uploadLimitBytes,
        ...(mediaType === undefined ? {} : { mediaType }),
      })
      return {}
    },
  )

  r.get(
    '/mlflow-artifacts/artifacts/*',
    {
      schema: {
        tags: TAGS,
        summary: 'Download one artifact file (always as an attachment).',
        produces: ['application/octet-stream'],
      },
    },
    async (req, reply) => {
      const ctx = contextOf(req, clientGoneSignal(req))
      const ref = await resolve(tracking, ctx, wildcard(req), { allowRoot: false })
      const { artifact, body } = await tracking.openRunArtifact(ctx, ref.runId, ref.path)
      const base = ref.path.split('/').pop() ?? 'artifact'
      const ascii = base.replace(/[^\x20-\x7e]|["\\;]/g, '_').trim() || 'artifact'
      return reply
        .type('application/octet-stream')
        .header('content-length', artifact.size)
        .header(
          'content-disposition',
          `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`,
        )
        .header('content-security-policy', 'sandbox')
        .send(body)
    },
  )

  r.get(
    '/mlflow-artifacts/artifacts',
    {
      schema: {
        tags: TAGS,
        summary: 'List one directory of a run’s artifacts; paths are relative to it.',
        querystring: z.object({ path: z.string().optional() }),
      },
    },
    async (req) => {
      const ctx = contextOf(req)
      const ref = await resolve(tracking, ctx, req.query.path ?? '', { allowRoot: true })
      const files = []
      let pageToken: string | undefined
      // The proxy's list has no pagination in MLflow, so every page is gathered here.
      do {
        const page = await tracking.listRunArtifacts(ctx, ref.runId, {
          ...(ref.path === '' ? {} : { path: ref.path }),
          ...(pageToken === undefined ? {} : { pageToken }),
        })
        for (const f of page.items) {
          const name = ref.path === '' ? f.path : f.path.slice(ref.path.length + 1)
          files.push(toMlflowFileInfo(f, name))
        }
        pageToken = page.nextPageToken
      } while (pageToken !== undefined)
      return compact({ files })
    },
  )

  r.delete(
    '/mlflow-artifacts/artifacts/*',
    { schema: { tags: TAGS, summary: 'Delete one artifact file.' } },
    async (req) => {
      const ctx = contextOf(req)
      const ref = await resolve(tracking, ctx, wildcard(req), { allowRoot: false })
      await tracking.deleteRunArtifact(ctx, ref.runId, ref.path)
      return {}
    },
  )

  for (const action of ['create', 'complete', 'abort']) {
    r.post(
      `/mlflow-artifacts/mpu/${action}/*`,
      { schema: { tags: TAGS, summary: `Multipart upload ${action} (not supported).` } },
      async () => {
        throw new MlflowError(
          'NOT_IMPLEMENTED',
          'Multipart artifact uploads are not supported; unset MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD',
        )
      },
    )
  }
}
