import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'

import type { Metric, TrackingService } from '../../../tracking/index.js'
import { contextOf } from '../../context.js'
import { invalidParameter } from './errors.js'
import { toMlflowMetric } from './tracking-dto.js'
import { compact, int32, int64, repeated, required, runIdOf, runRef } from './wire.js'

const TAGS = ['mlflow: tracking'] as const

/** Runs per `get-history-bulk-interval` request (MLflow's `MAX_RUNS_GET_METRIC_HISTORY_BULK`). */
const MAX_BULK_RUNS = 100
/** Steps per run in `get-history-bulk-interval` (MLflow's `MAX_RESULTS_PER_RUN`). */
const MAX_BULK_POINTS = 2500

/**
 * At most `n` of the distinct `steps`, evenly spaced, always keeping the first and the last
 * (how MLflow samples a long history for charts).
 */
function sampleSteps(steps: number[], n: number): Set<number> {
  steps.sort((a, b) => a - b)
  if (steps.length <= n) return new Set(steps)
  if (n === 1) return new Set(steps.slice(-1))
  const keep = new Set<number>()
  for (let i = 0; i < n; i++) {
    keep.add(steps[Math.round((i * (steps.length - 1)) / (n - 1))] ?? 0)
  }
  return keep
}

/** MLflow `metrics/get-history` and `metrics/get-history-bulk-interval` (§1.3). */
export function registerMetricRoutes(app: FastifyInstance, tracking: TrackingService): void {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get(
    '/mlflow/metrics/get-history',
    {
      schema: {
        tags: TAGS,
        summary: 'Every point of one metric of a run, by step then timestamp, paginated.',
        querystring: z.object({
          ...runRef,
          metric_key: z.string().optional(),
          page_token: z.string().optional(),
          max_results: int32.optional(),
        }),
      },
    },
    async (req) => {
      const q = req.query
      const page = await tracking.getMetricHistory(
        contextOf(req),
        runIdOf(q),
        required(q.metric_key, 'metric_key'),
        {
          ...(q.max_results === undefined ? {} : { maxResults: q.max_results }),
          ...(q.page_token === undefined || q.page_token === '' ? {} : { pageToken: q.page_token }),
        },
      )
      return compact({
        metrics: page.items.map(toMlflowMetric),
        next_page_token: page.nextPageToken,
      })
    },
  )

  r.get(
    '/mlflow/metrics/get-history-bulk-interval',
    {
      schema: {
        tags: TAGS,
        summary:
          'One metric of up to 100 runs, sampled to at most max_results steps per run (MLflow UI charts).',
        querystring: z.object({
          run_ids: repeated(z.string()).optional(),
          metric_key: z.string().optional(),
          start_step: int64.optional(),
          end_step: int64.optional(),
          max_results: int32.optional(),
        }),
      },
    },
    async (req) => {
      const q = req.query
      const runIds = q.run_ids ?? []
      if (runIds.length === 0) required(undefined, 'run_ids')
      if (runIds.length > MAX_BULK_RUNS) {
        throw invalidParameter(
          `Invalid value for 'run_ids': at most ${String(MAX_BULK_RUNS)} runs per request`,
        )
      }
      const key = required(q.metric_key, 'metric_key')
      const maxResults = q.max_results ?? MAX_BULK_POINTS
      if (maxResults < 1 || maxResults > MAX_BULK_POINTS) {
        throw invalidParameter(
          `Invalid value for 'max_results': must be from 1 to ${String(MAX_BULK_POINTS)}`,
        )
      }
      const ctx = contextOf(req)
      const out: (ReturnType<typeof toMlflowMetric> & { run_id: string })[] = []
      for (const runId of [...new Set(runIds)].sort()) {
        const points: Metric[] = []
        let pageToken: string | undefined
        do {
          const page = await tracking.getMetricHistory(ctx, runId, key, {
            ...(pageToken === undefined ? {} : { pageToken }),
          })
          for (const m of page.items) {
            if (q.start_step !== undefined && m.step < q.start_step) continue
            if (q.end_step !== undefined && m.step > q.end_step) continue
            points.push(m)
          }
          pageToken = page.nextPageToken
        } while (pageToken !== undefined)
        const keep = sampleSteps([...new Set(points.map((m) => m.step))], maxResults)
        for (const m of points) {
          if (keep.has(m.step)) out.push({ ...toMlflowMetric(m), run_id: runId })
        }
      }
      return compact({ metrics: out })
    },
  )
}
