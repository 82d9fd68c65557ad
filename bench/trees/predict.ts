/**
 * Micro-benchmark of tree-ensemble inference: Plinth's kernels against XGBoost 1.7's own
 * predictor on the same model and the same rows, in one run (these machines are shared and
 * noisy: compare the ratios).
 *
 * The model is XGBoost 1.7 `hist`, binary:logistic, 100 rounds of depth 8 (eta 0.1, 255 bins,
 * trained once on the first 800k rows of ../shared/bench/gen_higgs_like.py data and cached in
 * bench/.data/xgb_predict_d8.json), imported into Plinth with `importXGBoostModel`. Both sides
 * predict the first `--rows` rows (default all 1M) as float32:
 * - XGBoost: `inplace_predict` with nthread 1 and 2 (best of `--reps`), and single-row
 *   `inplace_predict` latency from Python;
 * - Plinth: `predictRaw` + link on the calling thread, `createPredictPool` with 2 threads (the
 *   input copy into shared memory included), and `predictRowInto` latency in process.
 * Plinth's probabilities are checked against XGBoost's (max abs difference printed).
 *
 * Usage: node --import tsx bench/trees/predict.ts [--rows N] [--reps R] [--single N] [--json]
 * The last line is one JSON object with the figures (always printed; `--json` prints only it).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

import {
  applyLink,
  createPredictPool,
  importXGBoostModel,
  predictRaw,
  predictRowInto,
} from '../../src/ml/tree/index.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const DATA = path.join(ROOT, 'bench', '.data')
const STEM = path.join(DATA, 'higgs_like_1000000_s42')
const MODEL = path.join(DATA, 'xgb_predict_d8.json')
const N_FEATURES = 28

/** The XGBoost side: trains the model once if needed, then times prediction. */
const PEER = String.raw`
import json, os, sys, time
import numpy as np
import xgboost as xgb
stem, model_path, n_rows, reps, single, pred_path = sys.argv[1:7]
n_rows, reps, single = int(n_rows), int(reps), int(single)
X = np.fromfile(stem + '.X.f32', dtype=np.float32).reshape(-1, 28)
out = {'xgboost': xgb.__version__}
if not os.path.exists(model_path):
    y = np.fromfile(stem + '.y.u8', dtype=np.uint8)
    n_train = int(0.8 * len(X))
    d = xgb.DMatrix(X[:n_train], label=y[:n_train], nthread=2)
    bst = xgb.train({'objective': 'binary:logistic', 'tree_method': 'hist', 'max_depth': 8,
                     'eta': 0.1, 'max_bin': 255, 'nthread': 2, 'seed': 0}, d, num_boost_round=100)
    tmp = model_path[:-5] + '.tmp.json'
    bst.save_model(tmp)
    os.replace(tmp, model_path)
bst = xgb.Booster()
bst.load_model(model_path)
Xp = np.ascontiguousarray(X[:n_rows])
for threads in (1, 2):
    bst.set_param({'nthread': threads})
    bst.inplace_predict(Xp[:1000])
    best = float('inf')
    best_cpu = float('inf')
    for rep in range(reps):
        t = time.perf_counter()
        c = time.process_time()
        p = bst.inplace_predict(Xp)
        best = min(best, time.perf_counter() - t)
        best_cpu = min(best_cpu, time.process_time() - c)
    out['rows_per_s_%dt' % threads] = n_rows / best
    out['rows_per_cpu_s_%dt' % threads] = n_rows / best_cpu
np.asarray(p, dtype=np.float32).tofile(pred_path)
bst.set_param({'nthread': 1})
lat = np.empty(single)
for i in range(single):
    r = Xp[i:i + 1]
    t0 = time.perf_counter_ns()
    bst.inplace_predict(r)
    lat[i] = time.perf_counter_ns() - t0
out['single_p50_us'] = float(np.percentile(lat, 50) / 1000)
out['single_p99_us'] = float(np.percentile(lat, 99) / 1000)
print(json.dumps(out))
`

/** Options of {@link benchPredict}. */
export interface PredictBenchOptions {
  /** Rows to predict (a prefix of the 1M). @default 1_000_000 */
  readonly rows?: number
  /** Timed repetitions per configuration (best kept). @default 3 */
  readonly reps?: number
  /** Single-row calls timed. @default 20_000 */
  readonly single?: number
  /** Progress lines go here. @default stderr */
  readonly log?: (line: string) => void
}

/** The figures {@link benchPredict} returns (and prints as its JSON line). */
export interface PredictBenchResult {
  readonly rows: number
  readonly plinth_rows_per_s_1t: number
  readonly plinth_rows_per_s_2t: number
  readonly xgb_rows_per_s_1t: number
  readonly xgb_rows_per_s_2t: number
  /** Plinth 2 threads / XGBoost 2 threads. */
  readonly predict_throughput_ratio: number
  readonly predict_throughput_ratio_1t: number
  /**
   * One thread, rows per second of CPU time: steadier than wall time on a machine shared with
   * other jobs (a process waiting for a core spends no CPU time).
   */
  readonly plinth_rows_per_cpu_s_1t: number
  readonly xgb_rows_per_cpu_s_1t: number
  readonly predict_cpu_ratio_1t: number
  readonly single_row_p50_us: number
  readonly single_row_p99_us: number
  readonly xgb_single_row_p50_us: number
  readonly xgb_single_row_p99_us: number
  /** Largest |Plinth − XGBoost| probability over all rows. */
  readonly max_abs_diff: number
}

function seconds(fn: () => void): number {
  const t0 = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - t0) / 1e9
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

/** Runs both sides and returns the figures. */
export function benchPredict(options: PredictBenchOptions = {}): PredictBenchResult {
  const rows = options.rows ?? 1_000_000
  const reps = options.reps ?? 3
  const single = options.single ?? 20_000
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`))
  if (!existsSync(`${STEM}.X.f32`))
    throw new Error(`missing ${STEM}.X.f32 (run npm run bench:trees once, or gen_higgs_like.py)`)
  if (!existsSync(MODEL)) log('training the XGBoost model once (100 rounds, depth 8)…')
  const predPath = path.join(DATA, `xgb_predict_d8.${process.pid}.pred.f32`)
  const peerOut = execFileSync(
    '/usr/bin/python3',
    ['-c', PEER, STEM, MODEL, String(rows), String(reps), String(single), predPath],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  )
  const peer = JSON.parse(peerOut.trim().split('\n').pop()!) as Record<string, number>
  const xgbPred = new Float32Array(readFileSync(predPath).buffer.slice(0))
  rmSync(predPath, { force: true })

  const model = importXGBoostModel(readFileSync(MODEL, 'utf8'))
  const e = model.ensemble
  const buf = readFileSync(`${STEM}.X.f32`)
  const X = new Float32Array(buf.buffer, buf.byteOffset, rows * N_FEATURES)
  const out = new Float64Array(rows)

  predictRaw(e, X.subarray(0, 1000 * N_FEATURES), 1000, out) // warm-up (and packing)
  let best1 = Infinity
  let best1cpu = Infinity
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage()
    best1 = Math.min(
      best1,
      seconds(() => predictRaw(e, X, rows, out)),
    )
    const c = process.cpuUsage(c0)
    best1cpu = Math.min(best1cpu, (c.user + c.system) / 1e6)
  }
  applyLink(e, out, rows, out)
  let maxDiff = 0
  for (let i = 0; i < rows; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i]! - xgbPred[i]!))

  const pool = createPredictPool(e, { nThreads: 2 })
  let best2 = Infinity
  try {
    pool.predictRaw(X, rows, out) // warm-up: waits for the worker to start
    for (let r = 0; r < reps; r++)
      best2 = Math.min(
        best2,
        seconds(() => pool.predictRaw(X, rows, out)),
      )
  } finally {
    pool.close()
  }

  const one = new Float64Array(1)
  const lat = new Float64Array(single)
  for (let i = 0; i < 2000; i++)
    predictRowInto(e, X.subarray(i * N_FEATURES, (i + 1) * N_FEATURES), one)
  for (let i = 0; i < single; i++) {
    const row = X.subarray((i % rows) * N_FEATURES, ((i % rows) + 1) * N_FEATURES)
    const t0 = process.hrtime.bigint()
    predictRowInto(e, row, one)
    lat[i] = Number(process.hrtime.bigint() - t0) / 1000
  }
  lat.sort()

  const r = (x: number, d = 0): number => Number(x.toFixed(d))
  return {
    rows,
    plinth_rows_per_s_1t: r(rows / best1),
    plinth_rows_per_s_2t: r(rows / best2),
    xgb_rows_per_s_1t: r(peer['rows_per_s_1t']!),
    xgb_rows_per_s_2t: r(peer['rows_per_s_2t']!),
    predict_throughput_ratio: r(rows / best2 / peer['rows_per_s_2t']!, 3),
    predict_throughput_ratio_1t: r(rows / best1 / peer['rows_per_s_1t']!, 3),
    plinth_rows_per_cpu_s_1t: r(rows / best1cpu),
    xgb_rows_per_cpu_s_1t: r(peer['rows_per_cpu_s_1t']!),
    predict_cpu_ratio_1t: r(rows / best1cpu / peer['rows_per_cpu_s_1t']!, 3),
    single_row_p50_us: r(percentile(lat, 0.5), 2),
    single_row_p99_us: r(percentile(lat, 0.99), 2),
    xgb_single_row_p50_us: r(peer['single_p50_us']!, 2),
    xgb_single_row_p99_us: r(peer['single_p99_us']!, 2),
    max_abs_diff: maxDiff,
  }
}

function argOf(name: string): number | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : undefined
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const json = process.argv.includes('--json')
  const rows = argOf('--rows')
  const reps = argOf('--reps')
  const single = argOf('--single')
  const res = benchPredict({
    ...(rows === undefined ? {} : { rows }),
    ...(reps === undefined ? {} : { reps }),
    ...(single === undefined ? {} : { single }),
  })
  if (!json) {
    const m = (x: number): string => `${(x / 1e6).toFixed(3)} M rows/s`
    const lines = [
      `batch predict, ${res.rows} rows × 28, 100 trees depth 8 (max |Δp| = ${res.max_abs_diff.toExponential(2)})`,
      `  1 thread : Plinth ${m(res.plinth_rows_per_s_1t)}  XGBoost ${m(res.xgb_rows_per_s_1t)}  ratio ${res.predict_throughput_ratio_1t}`,
      `  1 thread, per CPU second: Plinth ${m(res.plinth_rows_per_cpu_s_1t)}  XGBoost ${m(res.xgb_rows_per_cpu_s_1t)}  ratio ${res.predict_cpu_ratio_1t}`,
      `  2 threads: Plinth ${m(res.plinth_rows_per_s_2t)}  XGBoost ${m(res.xgb_rows_per_s_2t)}  ratio ${res.predict_throughput_ratio}`,
      `single row: Plinth p50 ${res.single_row_p50_us} µs p99 ${res.single_row_p99_us} µs (in process)` +
        `  XGBoost inplace_predict p50 ${res.xgb_single_row_p50_us} µs p99 ${res.xgb_single_row_p99_us} µs (Python)`,
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  }
  process.stdout.write(`${JSON.stringify(res)}\n`)
}
