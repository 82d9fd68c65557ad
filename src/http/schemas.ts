import { z } from 'zod'

import { ERROR_CODES, type ErrorCode } from '../core/index.js'

/** The body of every error response: `{ error: { code, message, details } }`. */
export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .describe('An error: a stable code, a message for people and structured details.')

/** Error responses every API route may produce, for the OpenAPI document. */
export const commonErrorResponses = {
  400: errorResponseSchema,
  404: errorResponseSchema,
  500: errorResponseSchema,
} as const

/** The header that selects the workspace of a request. */
export const WORKSPACE_HEADER = 'x-plinth-workspace'

/** Header schema of workspace-scoped routes. */
export const workspaceHeadersSchema = z.object({
  [WORKSPACE_HEADER]: z
    .string()
    .optional()
    .describe('Workspace (tenant) of the request; defaults to `default`.'),
})
