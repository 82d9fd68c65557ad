/**
 * bench:tracking — metric logging and run search on SQLite (a temp directory, the default
 * `synchronous=FULL`), measured in this process. These machines are noisy: CPU time is printed
 * beside wall time.
 *
 * 1. `sdk_points_per_s`: points logged through the SDK's buffered `run.logMetric` (20 keys, one
 *    point per key per step, as a training loop logs them) divided by the wall time from the
 *    first call until `run.end()` has stored them all. Target ≥ 100 000. Median of BENCH_REPS.
 * 2. `search_10k_runs_ms_p50`: `searchRuns` over 10 000 runs × 20 metrics (plus 3 params and
 *    2 tags each) in one experiment, with a metric filter and a metric order_by
 *    (`metrics.m0 > 0.5`, `metrics.m1 DESC`), first page of 100 runs with their data. Target
 *    ≤ 100 ms. Also the 1000-run page (MLflow's default `max_results`) and an OR filter.
 * 3. `log_batch_1000_ms_p50`: a 1000-metric `runs/log-batch` through the HTTP app
 *    (`bench/tracking/log-batch.ts`). Target ≤ 20 ms.
 * Ends with one JSON line holding the figures.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'

import { sql } from 'kysely'

import { createContext, createRng, silentLogger } from '../../src/core/index.js'
import { createPlatform, loadConfig, type Platform } from '../../src/platform/index.js'
import { createEmbeddedBackend, createTrackingClient } from '../../src/tracking/index.js'
import { measureLogBatch } from './log-batch.js'

const REPS = Number(process.env['BENCH_REPS'] ?? 3)
const POINTS = Number(process.env['BENCH_POINTS'] ?? 400_000)
const RUNS = Number(process.env['BENCH_RUNS'] ?? 10_000)
const SEARCH_REPS = Number(process.env['BENCH_SEARCH_REPS'] ?? 30)
const KEYS = 20
const ctx = createContext()

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  const i = Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))
  return s[i] ?? Number.NaN
}
const r2 = (x: number) => Math.round(x * 100) / 100

async function withPlatform<T>(fn: (p: Platform) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'plinth-bench-tracking-'))
  const platform = await createPlatform(loadConfig({ cwd: dir, env: {}, flags: {} }), {
    logger: silentLogger,
    cwd: dir,
  })
  try {
    return await fn(platform)
  } finally {
    await platform.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function sdkThroughput(): Promise<{ perS: number; cpuPerS: number }> {
  return withPlatform(async (platform) => {
    const tracking = createTrackingClient(createEmbeddedBackend(platform.services.tracking, ctx), {
      captureEnvironment: false,
    })
    const run = await tracking.startRun({ experiment: 'bench' })
    const steps = Math.ceil(POINTS / KEYS)
    const keys = Array.from({ length: KEYS }, (_, k) => `metric_${String(k)}`)
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    for (let step = 0; step < steps; step++) {
      for (let k = 0; k < KEYS; k++) run.logMetric(keys[k]!, Math.sin(step + k), step)
      // A training loop yields now and then (an await per epoch); background flushes run then.
      if (step % 500 === 499) await new Promise((resolve) => setImmediate(resolve))
    }
    await run.end()
    const seconds = (performance.now() - t0) / 1000
    const cpu = process.cpuUsage(c0)
    const n = steps * KEYS
    const stored = await platform.services.tracking.getMetricHistory(ctx, run.runId, 'metric_0', {
      maxResults: 25_000,
    })
    if (stored.items.length !== Math.min(steps, 25_000)) throw new Error('points were lost')
    return { perS: n / seconds, cpuPerS: n / ((cpu.user + cpu.system) / 1e6) }
  })
}

/** 10k runs × 20 metrics, written straight through Kysely (setup only, not measured). */
async function seedRuns(platform: Platform): Promise<string> {
  const exp = await platform.services.tracking.createExperiment(ctx, { name: 'search-bench' })
  const rng = createRng(7)
  const db = platform.metadata.db
  const ws = ctx.workspace
  const CHUNK = 500
  for (let start = 0; start < RUNS; start += CHUNK) {
    await platform.metadata.transaction(async (trx) => {
      const runs = []
      const metrics = []
      const params = []
      const tags = []
      for (let i = start; i < Math.min(RUNS, start + CHUNK); i++) {
        const id = i.toString(16).padStart(32, '0')
        runs.push({
          workspace_id: ws,
          id,
          experiment_id: exp.experimentId,
          name: `run-${String(i)}`,
          user_id: 'bench',
          status: i % 10 === 0 ? 'FAILED' : 'FINISHED',
          start_time: 1_700_000_000_000 + i * 1000,
          end_time: 1_700_000_000_000 + i * 1000 + 500,
          lifecycle_stage: 'active',
          artifact_uri: `${exp.artifactLocation}/${id}/artifacts`,
          deleted_at: null,
          created_at: 1_700_000_000_000 + i * 1000,
          created_by: 'local',
        })
        for (let k = 0; k < KEYS; k++) {
          const m = {
            workspace_id: ws,
            run_id: id,
            key: `m${String(k)}`,
            value: rng.float(),
            is_nan: 0,
            timestamp: 1_700_000_000_000 + i * 1000,
            step: 0,
          }
          metrics.push(m)
        }
        params.push(
          { workspace_id: ws, run_id: id, key: 'model', value: i % 3 === 0 ? 'gbdt' : 'logistic' },
          { workspace_id: ws, run_id: id, key: 'lr', value: String((i % 10) / 100) },
          { workspace_id: ws, run_id: id, key: 'seed', value: String(i) },
        )
        tags.push(
          { workspace_id: ws, run_id: id, key: 'mlflow.runName', value: `run-${String(i)}` },
          { workspace_id: ws, run_id: id, key: 'stage', value: i % 2 === 0 ? 'dev' : 'prod' },
        )
      }
      await trx.insertInto('runs').values(runs).execute()
      for (let j = 0; j < metrics.length; j += 1000) {
        await trx
          .insertInto('latest_metrics')
          .values(metrics.slice(j, j + 1000))
          .execute()
        await trx
          .insertInto('run_metrics')
          .values(metrics.slice(j, j + 1000))
          .execute()
      }
      await trx.insertInto('run_params').values(params).execute()
      await trx.insertInto('run_tags').values(tags).execute()
    })
  }
  // Fresh statistics, as a long-lived database would have them.
  await sql`analyze`.execute(db)
  return exp.experimentId
}

interface SearchFigures {
  p50: number
  p95: number
  cpuP50: number
  page1000P50: number
  orP50: number
}

async function searchLatency(): Promise<SearchFigures> {
  return withPlatform(async (platform) => {
    const t0 = performance.now()
    const experimentId = await seedRuns(platform)
    process.stderr.write(
      `seeded ${String(RUNS)} runs × ${String(KEYS)} metrics in ${String(Math.round(performance.now() - t0))} ms\n`,
    )
    const tracking = platform.services.tracking
    const time = async (opts: Parameters<typeof tracking.searchRuns>[1], expect: number) => {
      const wall: number[] = []
      const cpu: number[] = []
      for (let i = 0; i < SEARCH_REPS + 3; i++) {
        const c0 = process.cpuUsage()
        const s = performance.now()
        const page = await tracking.searchRuns(ctx, opts)
        const ms = performance.now() - s
        const c = process.cpuUsage(c0)
        if (page.items.length !== expect) {
          throw new Error(`expected ${String(expect)} runs, got ${String(page.items.length)}`)
        }
        if (i >= 3) {
          wall.push(ms)
          cpu.push((c.user + c.system) / 1000)
        }
      }
      return { wall, cpu }
    }
    const base = {
      experimentIds: [experimentId],
      filter: 'metrics.m0 > 0.5',
      orderBy: ['metrics.m1 DESC'],
    }
    const page100 = await time({ ...base, maxResults: 100 }, 100)
    const page1000 = await time({ ...base, maxResults: 1000 }, 1000)
    const or = await time(
      {
        experimentIds: [experimentId],
        filter: "(metrics.m0 > 0.9 OR metrics.m2 < 0.1) AND params.model = 'gbdt'",
        orderBy: ['metrics.m1 DESC'],
        maxResults: 100,
      },
      100,
    )
    return {
      p50: quantile(page100.wall, 0.5),
      p95: quantile(page100.wall, 0.95),
      cpuP50: quantile(page100.cpu, 0.5),
      page1000P50: quantile(page1000.wall, 0.5),
      orP50: quantile(or.wall, 0.5),
    }
  })
}

const sdk: { perS: number; cpuPerS: number }[] = []
for (let rep = 0; rep < REPS; rep++) {
  const r = await sdkThroughput()
  process.stderr.write(
    `sdk rep ${String(rep + 1)}: ${String(Math.round(r.perS))} points/s wall, ${String(Math.round(r.cpuPerS))} per CPU-second\n`,
  )
  sdk.push(r)
}
const search = await searchLatency()
const logBatch = await measureLogBatch({ reps: Number(process.env['BENCH_LOG_BATCH_REPS'] ?? 50) })

const figures = {
  sdk_points_per_s: Math.round(
    quantile(
      sdk.map((s) => s.perS),
      0.5,
    ),
  ),
  sdk_points_per_cpu_s: Math.round(
    quantile(
      sdk.map((s) => s.cpuPerS),
      0.5,
    ),
  ),
  search_10k_runs_ms_p50: r2(search.p50),
  search_10k_runs_ms_p95: r2(search.p95),
  search_10k_runs_cpu_ms_p50: r2(search.cpuP50),
  search_10k_runs_page_1000_ms_p50: r2(search.page1000P50),
  search_10k_runs_or_filter_ms_p50: r2(search.orP50),
  log_batch_1000_ms_p50: logBatch.log_batch_1000_ms_p50,
  log_batch_1000_http_ms_p50: logBatch.log_batch_1000_http_ms_p50,
  log_batch_1000_service_ms_p50: logBatch.log_batch_1000_service_ms_p50,
  log_batch_1000_cpu_ms_p50: logBatch.log_batch_1000_cpu_ms_p50,
}
process.stdout.write(
  [
    `SDK metric logging (${String(POINTS)} points, ${String(KEYS)} keys, SQLite): ${String(figures.sdk_points_per_s)} points/s (target ≥ 100000); ${String(figures.sdk_points_per_cpu_s)} per CPU-second`,
    `search ${String(RUNS)} runs × ${String(KEYS)} metrics, metrics.m0 > 0.5 ORDER BY metrics.m1 DESC, 100 runs: p50 ${String(figures.search_10k_runs_ms_p50)} ms, p95 ${String(figures.search_10k_runs_ms_p95)} ms (target ≤ 100); CPU p50 ${String(figures.search_10k_runs_cpu_ms_p50)} ms; 1000 runs: p50 ${String(figures.search_10k_runs_page_1000_ms_p50)} ms; OR filter: p50 ${String(figures.search_10k_runs_or_filter_ms_p50)} ms`,
    `log-batch 1000 metrics through the HTTP app: p50 ${String(figures.log_batch_1000_ms_p50)} ms (target ≤ 20); service alone ${String(figures.log_batch_1000_service_ms_p50)} ms`,
    '',
  ].join('\n'),
)
process.stdout.write(
  `${JSON.stringify({ bench: 'tracking', reps: REPS, load_average_1m: r2(loadavg()[0] ?? 0), ...figures })}\n`,
)
