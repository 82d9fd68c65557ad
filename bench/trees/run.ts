/**
 * bench:trees — Plinth's histogram GBDT side by side with XGBoost 1.7 `hist` and scikit-learn
 * HistGradientBoosting on the same data in one run (these machines are noisy and shared:
 * compare the ratios, not absolute times).
 *
 * Data: ../shared/bench/gen_higgs_like.py, 1M rows × 28 float32 features (generated once into
 * bench/.data); the 100k case is its first 100k rows. Train = the first 80% of rows, test = the
 * rest. 100 rounds, eta 0.1, 255 bins, binary log loss; `depthwise` = depth 8, `lossguide` =
 * 255 leaves (scikit-learn's HGB runs this one: it grows leaf-wise only). With 2 threads and 1.
 * Each (case, side) runs REPS times in fresh processes, alternating which side goes first, each
 * after waiting (≤ QUIET_WAIT s) for the machine to be quiet; medians are compared. The CPU
 * time other processes used during each run is printed beside it ("foreign").
 * The 1M depth-8 2-thread case (100k with --quick) also times batch prediction of all rows
 * (Plinth `createPredictPool` vs XGBoost `inplace_predict`, both on 2 threads) and single-row
 * latency (Plinth `predictRowInto` in process vs XGBoost `inplace_predict` from Python).
 *
 * Usage: npm run bench:trees [-- --quick]   env: BENCH_REPS (1), QUIET_WAIT (60), BENCH_ONLY
 * Ends with one JSON line holding the figures.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const DATA = path.join(ROOT, 'bench', '.data')
const QUICK = process.argv.includes('--quick')
const REPS = Number(process.env['BENCH_REPS'] ?? 1)
const QUIET_WAIT = Number(process.env['QUIET_WAIT'] ?? 60)
const ONLY = process.env['BENCH_ONLY']?.split(',')

type Side = 'plinth' | 'xgb' | 'hgb'
interface Case {
  readonly key: string
  readonly exp: 'depthwise' | 'lossguide'
  readonly n: number
  readonly threads: number
  readonly predict: boolean
}
interface Result {
  fit_s: number
  cpu_s: number
  auc: number
  mean_leaves_per_tree: number
  foreign_s: number
  predict_rows_per_s?: number
  predict_rows_per_s_1t?: number
  predict_threads?: number
  single_p50_us?: number
  single_p99_us?: number
}

function ensureData(): void {
  if (existsSync(path.join(DATA, 'higgs_like_1000000_s42.X.f32'))) return
  const gen = path.resolve(ROOT, '..', 'shared', 'bench', 'gen_higgs_like.py')
  if (!existsSync(gen)) throw new Error(`need ${gen} to generate the benchmark data`)
  mkdirSync(DATA, { recursive: true })
  process.stderr.write('generating 1M rows (once)…\n')
  execFileSync('/usr/bin/python3', [gen, '1000000', '--out', DATA], { stdio: 'inherit' })
}

/** Busy CPU seconds of the whole machine, from /proc/stat. */
function machineBusy(): number {
  const f = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = f
  return (user + nice + system + irq + softirq) / 100
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Waits until other processes use < 0.15 core (sampled over 0.5 s), at most QUIET_WAIT s. */
function waitQuiet(): void {
  const end = Date.now() + QUIET_WAIT * 1000
  for (;;) {
    const b0 = machineBusy()
    sleep(500)
    const load = (machineBusy() - b0) / 0.5
    if (load < 0.15 || Date.now() > end) return
    sleep(1500)
  }
}

function run(side: Side, c: Case): Result {
  const env = { ...process.env, PREDICT: c.predict ? '1' : '0', OMP_NUM_THREADS: String(c.threads) }
  const [cmd, args] =
    side === 'plinth'
      ? [process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/trees/plinth.ts'), c.exp]]
      : ['/usr/bin/python3', [path.join(ROOT, 'bench/trees/peer.py'), side, c.exp]]
  waitQuiet()
  const b0 = machineBusy()
  const out = execFileSync(cmd, [...args, DATA, String(c.n), String(c.threads)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    env,
  })
  const busy = machineBusy() - b0
  const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Result
  // Whole-process CPU is not known here, so "foreign" is machine busy time minus the timed
  // section's own CPU time (an upper bound: it includes the child's data loading).
  r.foreign_s = Math.max(0, busy - r.cpu_s)
  return r
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

const CASES: Case[] = (
  QUICK
    ? ([
        { key: '100k_2t', exp: 'depthwise', n: 100_000, threads: 2, predict: true },
        { key: '100k_1t', exp: 'depthwise', n: 100_000, threads: 1, predict: false },
        { key: '100k_2t_lossguide', exp: 'lossguide', n: 100_000, threads: 2, predict: false },
      ] satisfies Case[])
    : ([
        { key: '1m_2t', exp: 'depthwise', n: 1_000_000, threads: 2, predict: true },
        { key: '1m_1t', exp: 'depthwise', n: 1_000_000, threads: 1, predict: false },
        { key: '100k_2t', exp: 'depthwise', n: 100_000, threads: 2, predict: false },
        { key: '100k_1t', exp: 'depthwise', n: 100_000, threads: 1, predict: false },
        { key: '1m_2t_lossguide', exp: 'lossguide', n: 1_000_000, threads: 2, predict: false },
        { key: '1m_1t_lossguide', exp: 'lossguide', n: 1_000_000, threads: 1, predict: false },
        { key: '100k_2t_lossguide', exp: 'lossguide', n: 100_000, threads: 2, predict: false },
      ] satisfies Case[])
).filter((c) => ONLY === undefined || ONLY.includes(c.key))

ensureData()
const figures: Record<string, number> = {}
process.stdout.write(
  `bench:trees  reps=${String(REPS)}  load=${loadavg()[0]?.toFixed(2) ?? '?'}${QUICK ? '  (--quick: 100k only)' : ''}\n\n`,
)
process.stdout.write(
  'case                side    fit (median)   cpu     foreign   ratio vs xgb  cpu ratio   test AUC   leaves/tree\n',
)
let predict: Record<Side, Result | undefined> = {
  plinth: undefined,
  xgb: undefined,
  hgb: undefined,
}
for (const c of CASES) {
  const sides: Side[] = c.exp === 'lossguide' ? ['plinth', 'xgb', 'hgb'] : ['plinth', 'xgb']
  const results: Record<Side, Result[]> = { plinth: [], xgb: [], hgb: [] }
  for (let i = 0; i < REPS; i++) {
    // Alternate which side goes first, so neither always enjoys the quieter moment.
    const order = i % 2 === 0 ? sides : [...sides].reverse()
    for (const s of order) results[s].push(run(s, c))
  }
  const xgbFit = median(results.xgb.map((r) => r.fit_s))
  const xgbCpu = median(results.xgb.map((r) => r.cpu_s))
  const xgbAuc = median(results.xgb.map((r) => r.auc))
  for (const s of sides) {
    const rs = results[s]
    const fit = median(rs.map((r) => r.fit_s))
    const cpu = median(rs.map((r) => r.cpu_s))
    const auc = median(rs.map((r) => r.auc))
    process.stdout.write(
      `${c.key.padEnd(19)} ${s.padEnd(6)} ${`${fit.toFixed(2)} s`.padStart(10)} ${`${cpu.toFixed(1)} s`.padStart(9)} ${`${median(rs.map((r) => r.foreign_s)).toFixed(1)} s`.padStart(8)} ${`${(fit / xgbFit).toFixed(2)}×`.padStart(12)} ${`${(cpu / xgbCpu).toFixed(2)}×`.padStart(9)} ${auc.toFixed(4).padStart(10)} ${median(
        rs.map((r) => r.mean_leaves_per_tree),
      )
        .toFixed(1)
        .padStart(12)}\n`,
    )
    if (s !== 'xgb') {
      const tag = s === 'plinth' ? '' : `_${s}`
      figures[`train_time_ratio_${c.key}${tag}`] = round(fit / xgbFit)
      // On a busy machine wall time mostly measures each process's share of the cores (and
      // XGBoost's OpenMP threads spin while they wait for a core): the CPU-time ratio beside it.
      figures[`train_cpu_ratio_${c.key}${tag}`] = round(cpu / xgbCpu)
      figures[`auc_delta_${c.key}${tag}`] = round(auc - xgbAuc, 4)
    }
    figures[`fit_s_${c.key}_${s}`] = round(fit)
    figures[`auc_${c.key}_${s}`] = round(auc, 4)
  }
  if (c.predict) predict = { plinth: results.plinth[0], xgb: results.xgb[0], hgb: undefined }
}
const base = QUICK ? '100k_2t' : '1m_2t'
if (figures[`auc_delta_${base}`] !== undefined)
  figures[QUICK ? 'auc_delta_100k' : 'auc_delta_1m'] = figures[`auc_delta_${base}`]!
const pp = predict.plinth
const px = predict.xgb
if (pp?.predict_rows_per_s !== undefined && px?.predict_rows_per_s !== undefined) {
  figures['predict_throughput_ratio'] = round(pp.predict_rows_per_s / px.predict_rows_per_s)
  figures['predict_rows_per_s_plinth'] = Math.round(pp.predict_rows_per_s)
  figures['predict_rows_per_s_xgb'] = Math.round(px.predict_rows_per_s)
  figures['single_row_p50_us'] = round(pp.single_p50_us ?? NaN, 2)
  figures['single_row_p99_us'] = round(pp.single_p99_us ?? NaN, 2)
  figures['single_row_p50_us_xgb_python'] = round(px.single_p50_us ?? NaN, 2)
  figures['single_row_p99_us_xgb_python'] = round(px.single_p99_us ?? NaN, 2)
  process.stdout.write(
    `\nbatch predict (${base}, all rows): plinth ${Math.round(pp.predict_rows_per_s).toLocaleString('en')} rows/s (${String(pp.predict_threads ?? '?')} threads; ${Math.round(pp.predict_rows_per_s_1t ?? NaN).toLocaleString('en')} on 1), xgboost ${Math.round(px.predict_rows_per_s).toLocaleString('en')} rows/s (2 threads), ratio ${(pp.predict_rows_per_s / px.predict_rows_per_s).toFixed(2)}×\n`,
  )
  process.stdout.write(
    `single row: plinth p50 ${pp.single_p50_us?.toFixed(2) ?? '?'} µs, p99 ${pp.single_p99_us?.toFixed(2) ?? '?'} µs (in process); xgboost inplace_predict from Python p50 ${px.single_p50_us?.toFixed(2) ?? '?'} µs, p99 ${px.single_p99_us?.toFixed(2) ?? '?'} µs\n`,
  )
}
process.stdout.write(
  `\ntargets: training ≤ 1.5× XGBoost (goal ≤ 1.0×) at |AUC delta| ≤ 0.002; batch predict ≥ 1.0×; single row p50 ≤ 10 µs  (load at the end ${loadavg()[0]?.toFixed(2) ?? '?'})\n\n`,
)
process.stdout.write(
  `${JSON.stringify({ bench: 'trees', quick: QUICK, reps: REPS, ...figures })}\n`,
)
