import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { createRng } from '../../../core/index.js'
import { createColumn, createFrame, type Frame } from '../../../frame/index.js'
import { estimatorChecks } from '../../checks/index.js'

import {
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  loadDecisionTreeClassifier,
  loadDecisionTreeRegressor,
} from './index.js'

interface TreeCase {
  readonly name: string
  readonly estimator: 'classifier' | 'regressor'
  readonly params: Record<string, unknown>
  readonly X: number[][]
  readonly y: number[]
  readonly Xtest: number[][]
  readonly sampleWeight: number[] | null
  readonly featureImportances: number[]
  readonly depth: number
  readonly nLeaves: number
  readonly nodeCount: number
  readonly probaTrain?: number[][]
  readonly probaTest?: number[][]
  readonly predTrain?: number[]
  readonly predTest?: number[]
}

const FIXTURE = JSON.parse(
  readFileSync(new URL('../../../../test/fixtures/ml/forest/trees.json', import.meta.url), 'utf8'),
) as { cases: TreeCase[] }

function frameOf(rows: readonly (readonly number[])[]): Frame {
  const p = rows[0]!.length
  return createFrame(
    Array.from({ length: p }, (_, j) =>
      createColumn({ name: `x${j}`, dtype: 'f64', values: Float64Array.from(rows, (r) => r[j]!) }),
    ),
  )
}

/** scikit-learn's snake_case parameters in camelCase. */
function camel(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(params))
    out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v
  return out
}

describe('DecisionTree against scikit-learn 1.2.1', () => {
  for (const c of FIXTURE.cases) {
    it(c.name, () => {
      const X = frameOf(c.X)
      const Xt = frameOf(c.Xtest)
      const sw = c.sampleWeight === null ? undefined : Float64Array.from(c.sampleWeight)
      const opts = sw === undefined ? {} : { sampleWeight: sw }
      if (c.estimator === 'classifier') {
        const y = createColumn({ name: 'y', dtype: 'i32', values: Int32Array.from(c.y) })
        const m = new DecisionTreeClassifier(camel(c.params)).fit(X, y, opts)
        expect(m.diagnostics.depth).toBe(c.depth)
        expect(m.diagnostics.nLeaves).toBe(c.nLeaves)
        expect(m.ensemble.trees[0]!.nNodes).toBe(c.nodeCount)
        for (const [Xs, want] of [
          [X, c.probaTrain!],
          [Xt, c.probaTest!],
        ] as const) {
          const proba = m.predictProba(Xs)
          for (let i = 0; i < want.length; i++)
            for (let k = 0; k < want[i]!.length; k++)
              expect(proba.columns[k]!.values[i]).toBeCloseTo(want[i]![k]!, 12)
        }
      } else {
        const y = createColumn({ name: 'y', dtype: 'f64', values: Float64Array.from(c.y) })
        const m = new DecisionTreeRegressor(camel(c.params)).fit(X, y, opts)
        expect(m.diagnostics.depth).toBe(c.depth)
        expect(m.diagnostics.nLeaves).toBe(c.nLeaves)
        expect(m.ensemble.trees[0]!.nNodes).toBe(c.nodeCount)
        for (const [Xs, want] of [
          [X, c.predTrain!],
          [Xt, c.predTest!],
        ] as const) {
          const pred = m.predict(Xs).values
          for (let i = 0; i < want.length; i++) {
            const tol = 1e-12 * Math.max(1, Math.abs(want[i]!))
            expect(Math.abs(Number(pred[i]) - want[i]!)).toBeLessThanOrEqual(tol)
          }
        }
      }
    })
  }

  it('matches feature importances to 1e-12', () => {
    for (const c of FIXTURE.cases) {
      const X = frameOf(c.X)
      const sw = c.sampleWeight === null ? undefined : Float64Array.from(c.sampleWeight)
      const opts = sw === undefined ? {} : { sampleWeight: sw }
      const m =
        c.estimator === 'classifier'
          ? new DecisionTreeClassifier(camel(c.params)).fit(
              X,
              createColumn({ name: 'y', dtype: 'i32', values: Int32Array.from(c.y) }),
              opts,
            )
          : new DecisionTreeRegressor(camel(c.params)).fit(
              X,
              createColumn({ name: 'y', dtype: 'f64', values: Float64Array.from(c.y) }),
              opts,
            )
      c.featureImportances.forEach((v, j) => {
        expect(Math.abs(m.featureImportances[j]! - v), `${c.name} feature ${j}`).toBeLessThan(1e-12)
      })
    }
  })
})

describe('checkEstimator', () => {
  describe('tree.decision-tree-classifier', () => {
    for (const c of estimatorChecks({
      task: 'classification',
      make: () => new DecisionTreeClassifier({ maxFeatures: 'sqrt', seed: 3 }),
      load: loadDecisionTreeClassifier,
      missing: 'handle',
      oneRow: 'fit',
    }))
      it(c.name, c.run)
  })
  describe('tree.decision-tree-regressor', () => {
    for (const c of estimatorChecks({
      task: 'regression',
      make: () => new DecisionTreeRegressor({ splitter: 'random', seed: 3 }),
      load: loadDecisionTreeRegressor,
      missing: 'handle',
      oneRow: 'fit',
    }))
      it(c.name, c.run)
  })
})

describe('missing values', () => {
  /** x0 decides the class; rows with x0 missing are all class 1, so they should go with x0 > 0. */
  function data(n: number): { X: Frame; y: ReturnType<typeof createColumn> } {
    const rng = createRng(5)
    const x0 = new Float64Array(n)
    const x1 = new Float64Array(n)
    const y = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      x1[i] = rng.float()
      if (i % 5 === 0) {
        x0[i] = NaN
        y[i] = 1
      } else {
        x0[i] = rng.float() * 2 - 1
        y[i] = x0[i]! > 0 ? 1 : 0
      }
    }
    return {
      X: createFrame([
        createColumn({ name: 'x0', dtype: 'f64', values: x0 }),
        createColumn({ name: 'x1', dtype: 'f64', values: x1 }),
      ]),
      y: createColumn({ name: 'y', dtype: 'i32', values: y }),
    }
  }

  it('learns the direction of missing values', () => {
    const { X, y } = data(200)
    const m = new DecisionTreeClassifier({ maxDepth: 1 }).fit(X, y)
    const t = m.ensemble.trees[0]!
    expect(t.feature[0]).toBe(0)
    expect(t.threshold[0]).toBeGreaterThan(-0.1)
    expect(t.threshold[0]).toBeLessThan(0.1)
    expect(t.missingLeft[0]).toBe(0)
    const probe = createFrame([
      createColumn({ name: 'x0', dtype: 'f64', values: Float64Array.of(NaN, -0.5, 0.5) }),
      createColumn({ name: 'x1', dtype: 'f64', values: Float64Array.of(0.5, 0.5, 0.5) }),
    ])
    expect(Array.from(m.predict(probe).values as Int32Array)).toEqual([1, 0, 1])
  })

  it('sends missing values left when that is better', () => {
    const { X, y } = data(200)
    const flipped = createColumn({
      name: 'y',
      dtype: 'i32',
      values: Int32Array.from(y.values as Int32Array, (v, i) => (i % 5 === 0 ? 0 : v)),
    })
    const m = new DecisionTreeClassifier({ maxDepth: 1 }).fit(X, flipped)
    expect(m.ensemble.trees[0]!.missingLeft[0]).toBe(1)
  })

  it('splits present from missing when only missingness is informative', () => {
    const n = 100
    const x = new Float64Array(n).map((_, i) => (i % 2 === 0 ? NaN : 1))
    const y = Int32Array.from({ length: n }, (_, i) => i % 2)
    const m = new DecisionTreeClassifier().fit(
      createFrame([createColumn({ name: 'x', dtype: 'f64', values: x })]),
      createColumn({ name: 'y', dtype: 'i32', values: y }),
    )
    expect(m.diagnostics.nLeaves).toBe(2)
    expect(m.ensemble.trees[0]!.threshold[0]).toBe(Infinity)
  })

  it('treats a column missing row as NaN', () => {
    const { X, y } = data(100)
    const x0 = X.columns[0]!
    const values = Float64Array.from(x0.values as Float64Array, (v) => (v !== v ? 0 : v))
    const validity = Uint8Array.from(values, (_, i) => (i % 5 === 0 ? 0 : 1))
    const Xv = createFrame([
      createColumn({ name: 'x0', dtype: 'f64', values, validity }),
      X.columns[1]!,
    ])
    const a = new DecisionTreeClassifier({ seed: 1 }).fit(X, y).toJSON()
    const b = new DecisionTreeClassifier({ seed: 1 }).fit(Xv, y).toJSON()
    expect(JSON.stringify(b.state)).toBe(JSON.stringify(a.state))
  })
})

describe('parameters', () => {
  const { X, y } = (() => {
    const rng = createRng(2)
    const n = 300
    const cols = [0, 1, 2].map(() => new Float64Array(n).map(() => rng.normal()))
    const yv = new Float64Array(n).map((_, i) => cols[0]![i]! * 2 + cols[1]![i]! + rng.normal())
    return {
      X: createFrame(
        cols.map((values, j) => createColumn({ name: `x${j}`, dtype: 'f64', values })),
      ),
      y: createColumn({ name: 'y', dtype: 'f64', values: yv }),
    }
  })()

  it('log_loss is entropy, and balanced class weights are per-row weights', () => {
    const yc = createColumn({
      name: 'y',
      dtype: 'i32',
      values: Int32Array.from(y.values, (v) => (v > 1.2 ? 1 : 0)),
    })
    const a = new DecisionTreeClassifier({ criterion: 'log_loss', maxDepth: 3 }).fit(X, yc)
    const b = new DecisionTreeClassifier({ criterion: 'entropy', maxDepth: 3 }).fit(X, yc)
    expect(a.ensemble.trees[0]!.threshold).toEqual(b.ensemble.trees[0]!.threshold)
    const codes = yc.values
    const n1 = codes.reduce((s, v) => s + v, 0)
    const w = Float64Array.from(codes, (v) => X.nRows / (2 * (v === 1 ? n1 : X.nRows - n1)))
    const c = new DecisionTreeClassifier({ classWeight: 'balanced', maxDepth: 4 }).fit(X, yc)
    const d = new DecisionTreeClassifier({ maxDepth: 4 }).fit(X, yc, { sampleWeight: w })
    expect(c.ensemble.trees[0]!.threshold).toEqual(d.ensemble.trees[0]!.threshold)
    expect(c.featureImportances).toEqual(d.featureImportances)
  })

  it('maxLeafNodes bounds the leaves and maxDepth the depth', () => {
    expect(new DecisionTreeRegressor({ maxLeafNodes: 7 }).fit(X, y).diagnostics.nLeaves).toBe(7)
    expect(new DecisionTreeRegressor({ maxDepth: 3 }).fit(X, y).diagnostics.depth).toBe(3)
  })

  it('minSamplesLeaf as a fraction', () => {
    const m = new DecisionTreeRegressor({ minSamplesLeaf: 0.1 }).fit(X, y)
    const t = m.ensemble.trees[0]!
    for (let i = 0; i < t.nNodes; i++)
      if (t.left[i] === -1) expect(t.cover[i]).toBeGreaterThanOrEqual(30)
  })

  it('rejects maxFeatures beyond the features and infinite values', () => {
    expect(() => new DecisionTreeRegressor({ maxFeatures: 4 }).fit(X, y)).toThrow(/maxFeatures/)
    const bad = createFrame([
      createColumn({ name: 'x0', dtype: 'f64', values: Float64Array.of(1, Infinity, 2) }),
    ])
    expect(() =>
      new DecisionTreeRegressor().fit(
        bad,
        createColumn({ name: 'y', dtype: 'f64', values: Float64Array.of(1, 2, 3) }),
      ),
    ).toThrow(/infinite/)
  })

  it('zero sample weights leave rows out', () => {
    const w = new Float64Array(X.nRows).fill(1)
    for (let i = 0; i < 100; i++) w[i] = 0
    const a = new DecisionTreeRegressor({ seed: 4 }).fit(X, y, { sampleWeight: w })
    const b = new DecisionTreeRegressor({ seed: 4 }).fit(
      X.slice(100, X.nRows),
      createFrame([y]).slice(100, X.nRows).columns[0],
    )
    expect(a.predict(X).values).toEqual(b.predict(X).values)
  })
})
