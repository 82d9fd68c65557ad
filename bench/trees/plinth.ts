/**
 * The Plinth side of bench:trees: one experiment per process, printed as one JSON line.
 * Usage: plinth.ts EXPERIMENT DATA_DIR N THREADS (see run.ts).
 *
 * EXPERIMENT: `depthwise` (depth 8) or `lossguide` (255 leaves), 100 rounds, eta 0.1, 255 bins,
 * binary log loss; train = the first 80% of the N rows, test = the rest. Only the fit is timed
 * (binning included, as XGBoost's hist bins inside `train`). With PREDICT=1 it also times batch
 * prediction of raw scores of all N rows (like XGBoost's `inplace_predict`): `predictRaw` on the
 * calling thread, and `createPredictPool` on THREADS threads (the figure compared), best of 3;
 * and single-row `predictRowInto` latency.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'

import { createColumn, createFrame, type Frame } from '../../src/frame/index.js'
import { rocAucScore } from '../../src/ml/metrics/index.js'
import { createPredictPool, predictRaw, predictRowInto } from '../../src/ml/tree/ensemble/index.js'
import { GBDTClassifier } from '../../src/ml/tree/gbdt/index.js'

const N_FEATURES = 28
const [exp, dataDir, nArg, threadsArg] = process.argv.slice(2)
if (exp === undefined || dataDir === undefined || nArg === undefined || threadsArg === undefined)
  throw new Error('usage: plinth.ts EXPERIMENT DATA_DIR N THREADS')
const n = Number(nArg)
const threads = Number(threadsArg)
// The 100k data set is the first 100k rows of the 1M file.
const stem = path.join(dataDir, 'higgs_like_1000000_s42')
const raw = readFileSync(`${stem}.X.f32`)
const xs = new Float32Array(raw.buffer, raw.byteOffset, n * N_FEATURES)
const labels = readFileSync(`${stem}.y.u8`).subarray(0, n)
const cut = Math.floor((n * 8) / 10)

function frame(start: number, end: number): Frame {
  return createFrame(
    Array.from({ length: N_FEATURES }, (_, j) => {
      const v = new Float32Array(end - start)
      for (let i = start; i < end; i++) v[i - start] = xs[i * N_FEATURES + j]!
      return createColumn({ name: `f${String(j)}`, dtype: 'f32', values: v })
    }),
  )
}

const Xtr = frame(0, cut)
const Xte = frame(cut, n)
const ytr = createColumn({
  name: 'label',
  dtype: 'i32',
  values: Int32Array.from(labels.subarray(0, cut)),
})
const yte = Array.from(labels.subarray(cut, n))

const est = new GBDTClassifier({
  nEstimators: 100,
  learningRate: 0.1,
  maxBin: 255,
  nThreads: threads,
  ...(exp === 'lossguide'
    ? { growPolicy: 'lossguide' as const, maxLeaves: 255, maxDepth: 0 }
    : { maxDepth: 8 }),
})
const cpu0 = process.cpuUsage()
const t0 = performance.now()
const model = est.fit(Xtr, ytr)
const fitS = (performance.now() - t0) / 1000
const cpu = process.cpuUsage(cpu0)
const proba = model.predictProba(Xte)
const p1 = proba.columns[1]!.values as Float64Array
const auc = rocAucScore(yte, Array.from(p1))
const trees = model.ensemble.trees
const leaves = trees.reduce((s, t) => s + t.left.filter((l) => l < 0).length, 0) / trees.length

const out: Record<string, number | string> = {
  exp,
  n,
  threads,
  fit_s: fitS,
  cpu_s: (cpu.user + cpu.system) / 1e6,
  auc,
  mean_leaves_per_tree: leaves,
}

if (process.env['PREDICT'] === '1') {
  const e = model.ensemble
  const scores = new Float64Array(n)
  predictRaw(e, xs.subarray(0, 1000 * N_FEATURES), 1000, scores) // warm-up
  const best = (fn: () => void): number => {
    let b = Infinity
    for (let r = 0; r < 3; r++) {
      const t = performance.now()
      fn()
      b = Math.min(b, (performance.now() - t) / 1000)
    }
    return b
  }
  out['predict_rows_per_s_1t'] =
    n /
    best(() => {
      predictRaw(e, xs, n, scores)
    })
  // The same threads as training (XGBoost's inplace_predict runs on its nthread).
  const pool = createPredictPool(e, { nThreads: threads })
  try {
    pool.predictRaw(xs.subarray(0, 1000 * N_FEATURES), 1000, scores)
    out['predict_rows_per_s'] =
      n /
      best(() => {
        pool.predictRaw(xs, n, scores)
      })
    out['predict_threads'] = pool.threads
  } finally {
    pool.close()
  }
  const K = 20_000
  const row = new Float64Array(1)
  const lat = new Float64Array(K)
  for (let i = 0; i < 2000; i++)
    predictRowInto(e, xs.subarray(i * N_FEATURES, (i + 1) * N_FEATURES), row)
  for (let i = 0; i < K; i++) {
    const x = xs.subarray(i * N_FEATURES, (i + 1) * N_FEATURES)
    const t = process.hrtime.bigint()
    predictRowInto(e, x, row)
    lat[i] = Number(process.hrtime.bigint() - t) / 1000
  }
  lat.sort()
  out['single_p50_us'] = lat[Math.floor(K * 0.5)]!
  out['single_p99_us'] = lat[Math.floor(K * 0.99)]!
}
process.stdout.write(`${JSON.stringify(out)}\n`)
