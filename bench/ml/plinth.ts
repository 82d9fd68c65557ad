/**
 * The Plinth side of bench:ml: one experiment per process, printed as one JSON line
 * `{ exp, fit_s, quality, n_iter }`. Usage: plinth.ts EXPERIMENT DATA_DIR N [SEED] (see run.ts).
 * SEED (default 0) seeds k-means. Mirrors peer.py: the same rows, the same scaler fitted on the same rows, only the fit timed.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { createColumn, createFrame, type Column, type Frame } from '../../src/frame/index.js'
import { createRng } from '../../src/core/index.js'
import {
  toMatrix32Into,
  type Classifier,
  type Predictor,
  type Transformer,
} from '../../src/ml/base/index.js'
import { createBlockPool } from '../../src/ml/cluster/block-pool.js'
import { kmeansLayout, kmeansPlusPlus } from '../../src/ml/cluster/kmeans-fit.js'
import { logLoss, r2Score } from '../../src/ml/metrics/index.js'
import { createEstimator } from '../../src/ml/registry.js'

const N_FEATURES = 28
const [exp, dataDir, nArg, seedArg] = process.argv.slice(2)
/** KMEANS_ALGORITHM=lloyd|elkan overrides Plinth's default ('auto'), to compare the two. */
const KMEANS_ALGORITHM =
  process.env['KMEANS_ALGORITHM'] === undefined
    ? {}
    : { algorithm: process.env['KMEANS_ALGORITHM'] }
const seed = Number(seedArg ?? 0)
if (exp === undefined || dataDir === undefined || nArg === undefined) {
  throw new Error('usage: plinth.ts EXPERIMENT DATA_DIR N')
}
const n = Number(nArg)
const stem = path.join(dataDir, `higgs_like_${String(n)}_s42`)
const raw = readFileSync(`${stem}.X.f32`)
const xs = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4)
const labels = readFileSync(`${stem}.y.u8`)
const cut = Math.floor((n * 8) / 10)

/** Rows [start, end) of features `cols` as f32 columns f0…f27. */
function frame(start: number, end: number, cols: readonly number[]): Frame {
  return createFrame(
    cols.map((j) => {
      const v = new Float32Array(end - start)
      for (let i = start; i < end; i++) v[i - start] = xs[i * N_FEATURES + j]!
      return createColumn({ name: `f${String(j)}`, dtype: 'f32', values: v })
    }),
  )
}

function scaled(train: Frame, ...others: Frame[]): Frame[] {
  const scaler = createEstimator('preprocessing.standard-scaler').fit(train) as Transformer
  return [scaler.transform(train), ...others.map((f) => scaler.transform(f))]
}

const ALL = Array.from({ length: N_FEATURES }, (_, j) => j)
const time = <T>(fn: () => T): [T, number] => {
  const t = performance.now()
  const r = fn()
  return [r, (performance.now() - t) / 1000]
}

let out: { exp: string; fit_s: number; quality: number; n_iter?: number }
switch (exp) {
  case 'logreg': {
    const [Ztr, Zte] = scaled(frame(0, cut, ALL), frame(cut, n, ALL)) as [Frame, Frame]
    const y = (s: number, e: number): Column =>
      createColumn({ name: 'label', dtype: 'i32', values: Int32Array.from(labels.subarray(s, e)) })
    const est = createEstimator('linear.logistic', { C: 1, maxIter: 100 })
    const [m, s] = time(() => est.fit(Ztr, y(0, cut)) as Classifier)
    const p = m.predictProba(Zte)
    out = { exp, fit_s: s, quality: logLoss(y(cut, n), p), n_iter: m.diagnostics.nIter }
    break
  }
  case 'kmeans1':
  case 'kmeans10': {
    const [Z] = scaled(frame(0, n, ALL)) as [Frame]
    const est = createEstimator('cluster.kmeans', {
      nClusters: 8,
      nInit: exp === 'kmeans1' ? 1 : 10,
      seed,
      ...KMEANS_ALGORITHM,
    })
    const [m, s] = time(() => est.fit(Z) as Predictor & { inertia: number })
    out = { exp, fit_s: s, quality: m.inertia, n_iter: m.diagnostics.nIter }
    break
  }
  case 'kmeans_init':
  case 'kmeans_same_init': {
    // kmeans_init writes Plinth's k-means++ centers for SEED; kmeans_same_init runs Lloyd from
    // them on either side: the two random streams' luck taken out of the comparison.
    const [Z] = scaled(frame(0, n, ALL)) as [Frame]
    const file = path.join(dataDir, `kmeans_init_${String(n)}_s${String(seed)}.json`)
    if (exp === 'kmeans_init') {
      const L = kmeansLayout(n, N_FEATURES, 8, true)
      const pool = createBlockPool(L.bytes, 1)
      toMatrix32Into(Z, pool.views.f32, L.x / 4)
      const c = kmeansPlusPlus(pool, L, createRng(seed))
      pool.close()
      const rows = Array.from({ length: 8 }, (_, r) => Array.from(c.subarray(r * 28, r * 28 + 28)))
      writeFileSync(file, JSON.stringify(rows))
      out = { exp, fit_s: 0, quality: 0 }
      break
    }
    const init = JSON.parse(readFileSync(file, 'utf8')) as number[][]
    const est = createEstimator('cluster.kmeans', {
      nClusters: 8,
      nInit: 1,
      init,
      seed,
      ...KMEANS_ALGORITHM,
    })
    const [m, s] = time(() => est.fit(Z) as Predictor & { inertia: number })
    out = { exp, fit_s: s, quality: m.inertia, n_iter: m.diagnostics.nIter }
    break
  }
  case 'ridge': {
    const feats = ALL.slice(0, -1)
    const [Ztr, Zte] = scaled(frame(0, cut, feats), frame(cut, n, feats)) as [Frame, Frame]
    const target = (s: number, e: number): Column => frame(s, e, [N_FEATURES - 1]).columns[0]!
    const est = createEstimator('linear.ridge', { alpha: 1 })
    const [m, s] = time(() => est.fit(Ztr, target(0, cut)) as Predictor)
    out = { exp, fit_s: s, quality: r2Score(target(cut, n), m.predict(Zte)) }
    break
  }
  case 'pca': {
    const [Z] = scaled(frame(0, cut, ALL)) as [Frame]
    const est = createEstimator('decomposition.pca', { nComponents: 10, seed: 0 })
    const [m, s] = time(() => est.fit(Z) as Transformer & { explainedVarianceRatio: Float64Array })
    out = { exp, fit_s: s, quality: m.explainedVarianceRatio.reduce((a, b) => a + b, 0) }
    break
  }
  default:
    throw new Error(`unknown experiment ${exp}`)
}
process.stdout.write(`${JSON.stringify(out)}\n`)
