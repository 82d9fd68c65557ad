import type { IncomingMessage } from 'node:http'

import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'

import type { Artifact, ArtifactService } from '../../artifacts/index.js'
import { clientGoneSignal, contextOf } from '../context.js'
import { assertUploadSize } from '../upload.js'
import { commonErrorResponses, errorResponseSchema, workspaceHeadersSchema } from '../schemas.js'

const artifactSchema = z.object({
  id: z.string(),
  workspace: z.string(),
  name: z.string(),
  digest: z.string().describe('`sha256:<hex>` of the content.'),
  size: z.number().int(),
  mediaType: z.string(),
  createdAt: z.number().int(),
  createdBy: z.string(),
})

const idParams = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/, 'expected an artifact id') })

function toDto(a: Artifact): z.infer<typeof artifactSchema> {
  return {
    id: a.id,
    workspace: a.workspace,
    name: a.name,
    digest: a.digest,
    size: a.size,
    mediaType: a.mediaType,
    createdAt: a.createdAt,
    createdBy: a.createdBy,
  }
}

/**
 * `Content-Disposition` for a download: the user's name is only a suggestion to the browser,
 * reduced to safe ASCII with the exact name in RFC 5987 form.
 */
function contentDisposition(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'artifact'
  const ascii = base.replace(/[^\x20-\x7e]|["\\;]/g, '_').trim() || 'artifact'
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`
}

/** `/api/v1/artifacts`: upload (streamed), list, get, download and delete named files. */
export function registerArtifactRoutes(
  app: FastifyInstance,
  service: ArtifactService,
  options: { readonly uploadLimitBytes: number },
): void {
  // Uploads are raw bytes; the stream goes straight to the artifact store, never buffered.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => {
    done(null, payload)
  })
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.post(
    '/artifacts',
    {
      schema: {
        tags: ['artifacts'],
        summary: 'Upload a file (request body: the raw bytes, `application/octet-stream`).',
        headers: workspaceHeadersSchema,
        querystring: z.object({
          name: z.string().min(1).max(512).describe('Display name; metadata only.'),
          mediaType: z.string().max(255).optional(),
        }),
        response: { 201: artifactSchema, 413: errorResponseSchema, ...commonErrorResponses },
      },
    },
    async (req, reply) => {
      assertUploadSize(req, options.uploadLimitBytes)
      const body = req.body as IncomingMessage
      const artifact = await service.putArtifact(contextOf(req, clientGoneSignal(req)), body, {
        name: req.query.name,
        maxBytes: options.uploadLimitBytes,
        ...(req.query.mediaType === undefined ? {} : { mediaType: req.query.mediaType }),
      })
      return reply.code(201).send(toDto(artifact))
    },
  )

  r.get(
    '/artifacts',
    {
      schema: {
        tags: ['artifacts'],
        summary: 'List artifacts of the workspace, newest first.',
        headers: workspaceHeadersSchema,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(1000).optional(),
          pageToken: z.string().max(512).optional(),
        }),
        response: {
          200: z.object({
            artifacts: z.array(artifactSchema),
            nextPageToken: z.string().optional(),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (req) => {
      const page = await service.listArtifacts(contextOf(req), {
        ...(req.query.limit === undefined ? {} : { limit: req.query.limit }),
        ...(req.query.pageToken === undefined ? {} : { pageToken: req.query.pageToken }),
      })
      return {
        artifacts: page.items.map(toDto),
        ...(page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken }),
      }
    },
  )

  r.get(
    '/artifacts/:id',
    {
      schema: {
        tags: ['artifacts'],
        summary: 'Get an artifact’s metadata.',
        headers: workspaceHeadersSchema,
        params: idParams,
        response: { 200: artifactSchema, ...commonErrorResponses },
      },
    },
    async (req) => toDto(await service.getArtifact(contextOf(req), req.params.id)),
  )

  // Registered without the type provider: the reply is a byte stream, not a serialized schema.
  app.get(
    '/artifacts/:id/content',
    {
      schema: {
        tags: ['artifacts'],
        summary: 'Download an artifact’s bytes (always as an attachment, never rendered).',
        headers: workspaceHeadersSchema,
        params: idParams,
        produces: ['application/octet-stream'],
        response: { ...commonErrorResponses },
      },
    },
    async (req, reply) => {
      const { id } = idParams.parse(req.params)
      const { artifact, body } = await service.openArtifact(
        contextOf(req, clientGoneSignal(req)),
        id,
      )
      return reply
        .type('application/octet-stream')
        .header('content-length', artifact.size)
        .header('content-disposition', contentDisposition(artifact.name))
        .header('content-security-policy', 'sandbox')
        .header('etag', `"${artifact.key}"`)
        .header('repr-digest', `sha-256=:${Buffer.from(artifact.key, 'hex').toString('base64')}:`)
        .send(body)
    },
  )

  r.delete(
    '/artifacts/:id',
    {
      schema: {
        tags: ['artifacts'],
        summary: 'Delete an artifact.',
        headers: workspaceHeadersSchema,
        params: idParams,
        response: { 204: z.null().describe('Deleted.'), ...commonErrorResponses },
      },
    },
    async (req, reply) => {
      await service.deleteArtifact(contextOf(req), req.params.id)
      return reply.code(204).send(null)
    },
  )
}
