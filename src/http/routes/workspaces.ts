import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'

import type { Workspace, WorkspaceService } from '../../workspaces/index.js'
import { contextOf } from '../context.js'
import { commonErrorResponses, errorResponseSchema } from '../schemas.js'

const workspaceSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  description: z.string(),
  createdAt: z.number().int(),
  createdBy: z.string(),
  updatedAt: z.number().int(),
  updatedBy: z.string(),
})

const createBody = z
  .object({
    id: z.string().min(1).max(63).describe('Slug: lowercase letters, digits and dashes.'),
    displayName: z.string().min(1).max(200).optional(),
    description: z.string().max(1000).optional(),
  })
  .strict()

function toDto(ws: Workspace): z.infer<typeof workspaceSchema> {
  return { ...ws }
}

/** `/api/v1/workspaces`: list, create and get tenants. */
export function registerWorkspaceRoutes(app: FastifyInstance, service: WorkspaceService): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  r.get(
    '/workspaces',
    {
      schema: {
        tags: ['workspaces'],
        summary: 'List workspaces.',
        response: {
          200: z.object({ workspaces: z.array(workspaceSchema) }),
          ...commonErrorResponses,
        },
      },
    },
    async (req) => ({ workspaces: (await service.listWorkspaces(contextOf(req))).map(toDto) }),
  )

  r.post(
    '/workspaces',
    {
      schema: {
        tags: ['workspaces'],
        summary: 'Create a workspace.',
        body: createBody,
        response: { 201: workspaceSchema, 409: errorResponseSchema, ...commonErrorResponses },
      },
    },
    async (req, reply) => {
      const { id, displayName, description } = req.body
      const ws = await service.createWorkspace(contextOf(req), {
        id,
        ...(displayName === undefined ? {} : { displayName }),
        ...(description === undefined ? {} : { description }),
      })
      return reply.code(201).send(toDto(ws))
    },
  )

  r.get(
    '/workspaces/:id',
    {
      schema: {
        tags: ['workspaces'],
        summary: 'Get a workspace.',
        params: z.object({ id: z.string().max(63) }),
        response: { 200: workspaceSchema, ...commonErrorResponses },
      },
    },
    async (req) => toDto(await service.getWorkspace(contextOf(req), req.params.id)),
  )
}
