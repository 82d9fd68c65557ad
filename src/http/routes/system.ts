import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Registry } from 'prom-client'
import { z } from 'zod'

/** One dependency's health. */
export interface CheckResult {
  readonly ok: boolean
  /** Where it is (no secrets) or what went wrong. */
  readonly detail: string
  readonly latencyMs: number
}

/** What `/readyz` reports. */
export interface ReadinessReport {
  readonly ok: boolean
  readonly checks: Readonly<Record<string, CheckResult>>
}

const checkSchema = z.object({ ok: z.boolean(), detail: z.string(), latencyMs: z.number() })
const readinessSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), checkSchema),
})

/** Liveness, readiness, metrics, version and the OpenAPI document. */
export function registerSystemRoutes(
  app: FastifyInstance,
  deps: { readiness: () => Promise<ReadinessReport>; registry: Registry; version: string },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  r.get(
    '/healthz',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness: the process is up and serving.',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  )

  r.get(
    '/readyz',
    {
      schema: {
        tags: ['system'],
        summary: 'Readiness: every store answers.',
        response: { 200: readinessSchema, 503: readinessSchema },
      },
    },
    async (_req, reply) => {
      const report = await deps.readiness()
      return reply
        .code(report.ok ? 200 : 503)
        .send({ status: report.ok ? 'ready' : 'unavailable', checks: { ...report.checks } })
    },
  )

  r.get(
    '/metrics',
    {
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics in the text exposition format.',
        produces: ['text/plain'],
        response: { 200: z.string() },
      },
    },
    async (_req, reply) => {
      const body = await deps.registry.metrics()
      return reply.type(deps.registry.contentType).send(body)
    },
  )

  r.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  r.get(
    '/api/v1/version',
    {
      schema: {
        tags: ['system'],
        summary: 'The server version.',
        response: {
          200: z.object({ name: z.literal('plinth'), version: z.string(), node: z.string() }),
        },
      },
    },
    async () => ({ name: 'plinth' as const, version: deps.version, node: process.version }),
  )
}
