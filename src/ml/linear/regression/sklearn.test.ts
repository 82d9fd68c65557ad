/**
 * Plinth's linear regressors against scikit-learn 1.2.1 on the fixtures of
 * `test/fixtures/ml/linear-regression/generate.py`: closed forms to 1e-9 (relative), coordinate
 * descent and other iterative fits to 1e-4.
 */
import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { createColumn, createFrame, type Column, type Frame } from '../../../frame/index.js'

import {
  ElasticNet,
  Lasso,
  LinearRegression,
  Ridge,
  enetPath,
  type LinearRegressionModel,
} from './index.js'

interface Dataset {
  dtype: 'f64' | 'f32'
  columns: Record<string, number[]>
  y: number[]
  sampleWeight?: number[]
}
interface Case {
  name: string
  dataset: string
  kind: string
  params: Record<string, unknown>
  coef: number[]
  intercept: number
  predictions: number[]
  nIter?: number
  dualGap?: number
  rank?: number
}
interface PathCase {
  name: string
  dataset: string
  options: Record<string, unknown>
  alphas: number[]
  coefs: number[][]
  nIters: number[]
}

const read = (name: string): unknown =>
  JSON.parse(
    readFileSync(
      new URL(`../../../../test/fixtures/ml/linear-regression/${name}`, import.meta.url),
      'utf8',
    ),
  )

const { datasets } = read('datasets.json') as { datasets: Record<string, Dataset> }
const { cases, paths } = read('cases.json') as { cases: Case[]; paths: PathCase[] }

function frameOf(d: Dataset): { X: Frame; y: Column } {
  const X = createFrame(
    Object.entries(d.columns).map(([name, v]) =>
      d.dtype === 'f32'
        ? createColumn({ name, dtype: 'f32', values: Float32Array.from(v) })
        : createColumn({ name, dtype: 'f64', values: Float64Array.from(v) }),
    ),
  )
  return { X, y: createColumn({ name: 'y', dtype: 'f64', values: Float64Array.from(d.y) }) }
}

/** max |a − b| / max |b| (norm-wise relative error). */
function relErr(a: ArrayLike<number>, b: readonly number[]): number {
  expect(a.length).toBe(b.length)
  let num = 0
  let den = 0
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!))
    den = Math.max(den, Math.abs(b[i]!))
  }
  return den === 0 ? num : num / den
}

function fitCase(c: Case): LinearRegressionModel {
  const { X, y } = frameOf(datasets[c.dataset]!)
  const sw = datasets[c.dataset]!.sampleWeight
  const opts = sw === undefined ? {} : { sampleWeight: sw }
  switch (c.kind) {
    case 'linear.ols':
      return new LinearRegression(c.params).fit(X, y, opts)
    case 'linear.ridge':
      return new Ridge(c.params).fit(X, y, opts)
    case 'linear.lasso':
      return new Lasso(c.params).fit(X, y, opts)
    default:
      return new ElasticNet(c.params).fit(X, y, opts)
  }
}

/** Closed forms match to 1e-9; anything iterative (here or in sklearn) to 1e-4. */
function tolerance(c: Case): number {
  if (c.kind === 'linear.lasso' || c.kind === 'linear.elastic-net') return 1e-4
  if (c.params.positive === true || c.params.solver === 'lsqr') return 1e-4
  return 1e-9
}

describe('matches scikit-learn 1.2.1', () => {
  for (const c of cases) {
    it(`${c.name} (${c.kind} ${JSON.stringify(c.params)})`, () => {
      const m = fitCase(c)
      const tol = tolerance(c)
      const { X } = frameOf(datasets[c.dataset]!)
      const pred = m.predict(X.slice(0, c.predictions.length)).values as Float64Array
      expect(relErr(m.coef, c.coef)).toBeLessThan(tol)
      expect(relErr(pred, c.predictions)).toBeLessThan(tol)
      expect(Math.abs(m.intercept - c.intercept)).toBeLessThan(
        tol * Math.max(1, Math.abs(c.intercept), ...c.predictions.map(Math.abs)),
      )
      expect(m.diagnostics.converged).toBe(true)
      if (c.rank !== undefined && m.diagnostics.rank !== undefined)
        expect(m.diagnostics.rank).toBe(c.rank)
    })
  }
})

describe('coordinate descent takes the same steps as sklearn', () => {
  for (const c of cases.filter((c) => c.nIter !== undefined && c.params.tol === undefined)) {
    it(`${c.name}: n_iter_ and dual_gap_`, () => {
      const m = fitCase(c)
      expect(Math.abs(m.diagnostics.nIter - c.nIter!)).toBeLessThanOrEqual(1)
      expect(m.diagnostics.dualGap).toBeDefined()
    })
  }
})

describe('regularisation paths match sklearn lasso_path / enet_path', () => {
  for (const c of paths) {
    it(c.name, () => {
      const { X, y } = frameOf(datasets[c.dataset]!)
      const path = enetPath(X, y, c.options)
      expect(relErr(path.alphas, c.alphas)).toBeLessThan(1e-12)
      // Relative to the largest coefficient on the path: the first fits are (almost) all 0.
      const scale = Math.max(...c.coefs.flat().map(Math.abs))
      c.coefs.forEach((coef, k) => {
        const err = Math.max(...coef.map((v, j) => Math.abs(v - path.coefs[k]![j]!)))
        expect(err / scale).toBeLessThan(1e-4)
      })
      expect(path.converged.every(Boolean)).toBe(true)
    })
  }
})
