/**
 * bench:tracking, the REST part: a 1000-metric `runs/log-batch` (MLflow's maximum) handled by the
 * server. Target: ≤ 20 ms server-side (p50).
 *
 * Three figures per batch, on SQLite in a temp directory:
 * - `log_batch_1000_ms_p50`: the request through the whole Fastify pipeline (JSON parse, schema
 *   validation, the service's one transaction with multi-row inserts, the reply), driven with
 *   `app.inject`, so no socket time is counted;
 * - `log_batch_1000_http_ms_p50`: the server's own `reply.elapsedTime` for the same request sent
 *   over a loopback socket with `fetch`;
 * - `log_batch_1000_service_ms_p50`: `TrackingService.logBatch` alone.
 *
 * Run alone (`node --import tsx bench/tracking/log-batch.ts`) it ends with one JSON line;
 * `measureLogBatch` is exported for the tracking bench runner.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

import { createContext, silentLogger } from '../../src/core/index.js'
import { buildHttpApp, createHttpMetrics, startHttpServer } from '../../src/http/index.js'
import { createPlatform, loadConfig } from '../../src/platform/index.js'

/** The figures of one measurement, in milliseconds. */
export interface LogBatchFigures {
  readonly log_batch_1000_ms_p50: number
  readonly log_batch_1000_ms_p95: number
  readonly log_batch_1000_http_ms_p50: number
  readonly log_batch_1000_service_ms_p50: number
  /** CPU time of the process for one inject'ed request (what the work costs on an idle core). */
  readonly log_batch_1000_cpu_ms_p50: number
  readonly log_batch_1000_service_cpu_ms_p50: number
  /** The machine's 1-minute load average at the end (wall times inflate with it). */
  readonly load_average_1m: number
  readonly reps: number
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  const i = Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))
  return Math.round((s[i] ?? Number.NaN) * 100) / 100
}

function batch(rep: number): { key: string; value: number; timestamp: number; step: number }[] {
  // 1000 points over 20 keys and 50 steps, as a training loop logs them.
  return Array.from({ length: 1000 }, (_, i) => ({
    key: `metric_${String(i % 20)}`,
    value: Math.sin(rep * 1000 + i),
    timestamp: 1_700_000_000_000 + rep * 1000 + i,
    step: rep * 50 + Math.floor(i / 20),
  }))
}

/** Measures a 1000-metric log-batch `reps` times (after `warmup` unmeasured ones) per figure. */
export async function measureLogBatch(
  options: { readonly reps?: number; readonly warmup?: number } = {},
): Promise<LogBatchFigures> {
  const reps = options.reps ?? 50
  const warmup = options.warmup ?? 10
  const dir = mkdtempSync(path.join(tmpdir(), 'plinth-bench-log-batch-'))
  const platform = await createPlatform(loadConfig({ cwd: dir, env: {}, flags: {} }), {
    logger: silentLogger,
    cwd: dir,
  })
  // The app records each request's server-side time (`reply.elapsedTime`) in its duration
  // histogram; a wrapped `observe` keeps the log-batch ones.
  const elapsed: number[] = []
  const metrics = createHttpMetrics()
  const observe = metrics.requestDuration.observe.bind(metrics.requestDuration)
  metrics.requestDuration.observe = ((labels: Record<string, string>, seconds: number) => {
    if (labels['route'] === '/api/2.0/mlflow/runs/log-batch') elapsed.push(seconds * 1000)
    observe(labels, seconds)
  }) as typeof metrics.requestDuration.observe
  const app = await buildHttpApp(
    {
      services: platform.services,
      readiness: () => platform.readiness(),
      logger: platform.logger,
      version: platform.version,
      metrics,
    },
    platform.config.server,
  )
  try {
    const headers = { host: '127.0.0.1', 'content-type': 'application/json' }
    const created = await app.inject({
      method: 'POST',
      url: '/api/2.0/mlflow/runs/create',
      headers,
      payload: JSON.stringify({ experiment_id: '0' }),
    })
    const runId = created.json<{ run: { info: { run_id: string } } }>().run.info.run_id
    let rep = 0

    const inject: number[] = []
    const injectCpu: number[] = []
    for (let i = 0; i < warmup + reps; i++) {
      const payload = JSON.stringify({ run_id: runId, metrics: batch(rep++) })
      const c0 = process.cpuUsage()
      const t0 = performance.now()
      const res = await app.inject({
        method: 'POST',
        url: '/api/2.0/mlflow/runs/log-batch',
        headers,
        payload,
      })
      const ms = performance.now() - t0
      const cpu = process.cpuUsage(c0)
      if (res.statusCode !== 200) throw new Error(`log-batch failed: ${res.body}`)
      if (i >= warmup) {
        inject.push(ms)
        injectCpu.push((cpu.user + cpu.system) / 1000)
      }
    }

    const server = await startHttpServer(app, {
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 2000,
    })
    elapsed.length = 0
    try {
      for (let i = 0; i < warmup + reps; i++) {
        const res = await fetch(`${server.url}/api/2.0/mlflow/runs/log-batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ run_id: runId, metrics: batch(rep++) }),
        })
        if (!res.ok) throw new Error(`log-batch failed: ${await res.text()}`)
        await res.arrayBuffer()
      }
    } finally {
      await server.close()
    }
    const http = elapsed.slice(warmup)

    const ctx = createContext()
    const service: number[] = []
    const serviceCpu: number[] = []
    for (let i = 0; i < warmup + reps; i++) {
      const metrics = batch(rep++)
      const c0 = process.cpuUsage()
      const t0 = performance.now()
      await platform.services.tracking.logBatch(ctx, runId, { metrics })
      const ms = performance.now() - t0
      const cpu = process.cpuUsage(c0)
      if (i >= warmup) {
        service.push(ms)
        serviceCpu.push((cpu.user + cpu.system) / 1000)
      }
    }

    return {
      log_batch_1000_ms_p50: quantile(inject, 0.5),
      log_batch_1000_ms_p95: quantile(inject, 0.95),
      log_batch_1000_http_ms_p50: quantile(http, 0.5),
      log_batch_1000_service_ms_p50: quantile(service, 0.5),
      log_batch_1000_cpu_ms_p50: quantile(injectCpu, 0.5),
      log_batch_1000_service_cpu_ms_p50: quantile(serviceCpu, 0.5),
      load_average_1m: Math.round(loadavg()[0]! * 100) / 100,
      reps,
    }
  } finally {
    await app.close().catch(() => undefined)
    await platform.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  const figures = await measureLogBatch({
    reps: Number(process.env['BENCH_REPS'] ?? 50),
  })
  process.stdout.write(`${JSON.stringify(figures)}\n`)
}
