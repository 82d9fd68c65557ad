import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

import { ValidationError, createRng } from '../../../core/index.js'
import {
  columnFromArray,
  createColumn,
  createFrame,
  type Column,
  type Frame,
} from '../../../frame/index.js'
import type { Progress } from '../../base/index.js'
import { checkData, estimatorChecks } from '../../checks/index.js'

import {
  GBDTClassifier,
  GBDTRegressor,
  loadGBDTClassifier,
  loadGBDTRegressor,
  type GBDTClassifierParams,
  type GBDTRegressorParams,
} from './index.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const FIXTURE = path.resolve(HERE, '../../../../test/fixtures/ml/gbdt/xgb-cases.json')

interface XgbCase {
  name: string
  objective: string
  params: Record<string, unknown>
  X: (number | null)[][]
  Xtest: (number | null)[][]
  categorical: { column: number; nCategories: number } | null
  y: number[]
  weights: number[] | null
  trainMetric: Record<string, number[]>
  marginTrain: number[]
  marginTest: number[]
  importanceGain: Record<string, number>
  importanceSplit: Record<string, number>
}
const CASES = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: XgbCase[] }).cases

function caseFrame(c: XgbCase, cols: (number | null)[][]): Frame {
  return createFrame(
    cols.map((v, j) =>
      c.categorical?.column === j
        ? createColumn({
            name: `x${j}`,
            dtype: 'cat',
            values: Int32Array.from(v, (x) => x ?? 0),
            categories: Array.from({ length: c.categorical.nCategories }, (_, k) => `c${k}`),
          })
        : columnFromArray(`x${j}`, v, 'f64'),
    ),
  )
}

function maxRelDiff(a: Float64Array, b: readonly number[]): number {
  let m = 0
  for (let i = 0; i < b.length; i++)
    m = Math.max(m, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)))
  return m
}

/** A frame with a `cat` column `c` (5 categories) next to the default check data. */
function catData(task: 'classification' | 'regression'): { X: Frame; y: Column } {
  const { X, y } = checkData(task)
  if (y === undefined) throw new Error('no target')
  const codes = Int32Array.from({ length: X.nRows }, (_, i) => (i * 7) % 5)
  return {
    X: createFrame([
      ...X.columns,
      createColumn({
        name: 'c',
        dtype: 'cat',
        values: codes,
        categories: ['a', 'b', 'c', 'd', 'e'],
      }),
    ]),
    y,
  }
}

describe('checkEstimator', () => {
  const clsParams: GBDTClassifierParams = { nEstimators: 5, maxDepth: 3, seed: 1 }
  describe('tree.gbdt-classifier (softmax)', () => {
    for (const c of estimatorChecks({
      task: 'classification',
      make: () => new GBDTClassifier(clsParams),
      load: loadGBDTClassifier,
      missing: 'handle',
      oneRow: 'error',
    }))
      it(c.name, c.run)
  })
  describe('tree.gbdt-classifier (cat column, sampling)', () => {
    for (const c of estimatorChecks({
      task: 'classification',
      make: () =>
        new GBDTClassifier({
          ...clsParams,
          subsample: 0.8,
          colsampleByTree: 0.7,
          colsampleByNode: 0.8,
        }),
      load: loadGBDTClassifier,
      data: catData('classification'),
      missing: 'handle',
      unseenCategory: 'handle',
      oneRow: 'error',
    }))
      it(c.name, c.run)
  })
  const objectives: GBDTRegressorParams['objective'][] = [
    'squared-error',
    'absolute-error',
    'huber',
    'quantile',
    'poisson',
  ]
  for (const objective of objectives) {
    describe(`tree.gbdt-regressor (${objective})`, () => {
      const data = checkData('regression')
      // Poisson needs non-negative targets.
      const y: Column =
        objective === 'poisson'
          ? createColumn({
              name: 'y',
              dtype: 'f64',
              values: Float64Array.from(data.y!.values as Float64Array, (v) => Math.abs(v)),
            })
          : data.y!
      for (const c of estimatorChecks({
        task: 'regression',
        make: () => new GBDTRegressor({ nEstimators: 5, maxDepth: 3, objective }),
        load: loadGBDTRegressor,
        data: { X: data.X, y },
        missing: 'handle',
        oneRow: 'fit',
      }))
        it(c.name, c.run)
    })
  }
})

describe('equal to XGBoost 1.7 (tree_method hist) on small data', () => {
  // Every fixture feature has < 256 distinct values, so both bin every distinct value apart
  // and grow the same trees; what remains is float32 rounding (XGBoost sums margins in float32).
  for (const c of CASES) {
    it(`${c.name} (${c.objective})`, () => {
      const X = caseFrame(c, c.X)
      const Xt = caseFrame(c, c.Xtest)
      const y = createColumn({ name: 'y', dtype: 'f64', values: Float64Array.from(c.y) })
      const opts = {
        evalTrain: true,
        ...(c.weights === null ? {} : { sampleWeight: Float64Array.from(c.weights) }),
      }
      const classifier = c.objective.startsWith('binary') || c.objective.startsWith('multi')
      const model = classifier
        ? new GBDTClassifier(c.params).fit(X, y, opts)
        : new GBDTRegressor(c.params).fit(X, y, opts)
      expect(maxRelDiff(model.predictMargin(X), c.marginTrain)).toBeLessThan(1e-5)
      expect(maxRelDiff(model.predictMargin(Xt), c.marginTest)).toBeLessThan(1e-5)
      const [metric, theirs] = Object.entries(c.trainMetric)[0]!
      const ours = model.evalsResult.train![metric]!
      expect(ours).toHaveLength(theirs.length)
      // XGBoost 1.7's mphe metric ignores huber_slope (uses 1); ours uses the loss's slope.
      if (metric !== 'mphe')
        ours.forEach((v, i) => {
          expect(Math.abs(v - theirs[i]!) / theirs[i]!).toBeLessThan(1e-5)
        })
      // Importance: XGBoost names features f0…, or by column for a DataFrame.
      const gain = model.featureImportance('gain')
      const split = model.featureImportance('split')
      for (const [name, v] of Object.entries(c.importanceGain)) {
        const ours = name.startsWith('f') ? gain[`x${name.slice(1)}`]! : gain[name]!
        expect(Math.abs(ours - v) / v).toBeLessThan(1e-4)
      }
      for (const [name, v] of Object.entries(c.importanceSplit))
        expect(name.startsWith('f') ? split[`x${name.slice(1)}`] : split[name]).toBe(v)
    })
  }
})

/** n rows of a noisy nonlinear problem with missing values, for the larger tests. */
function bigData(n: number, seed = 3): { X: Frame; y: Float64Array; cls: Int32Array } {
  const rng = createRng(seed)
  const cols = Array.from({ length: 5 }, () => new Float64Array(n))
  const validity = new Uint8Array(n).fill(1)
  const y = new Float64Array(n)
  const cls = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    for (const c of cols) c[i] = rng.normal()
    if (rng.float() < 0.1) validity[i] = 0
    const f = Math.sin(cols[0]![i]!) * 2 + cols[1]![i]! * cols[2]![i]! + 0.3 * rng.normal()
    y[i] = f
    cls[i] = f > 0.5 ? 2 : f > -0.5 ? 1 : 0
  }
  // A categorical column with 10 categories whose effect is added to y.
  const codes = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    codes[i] = rng.int(10)
    y[i]! += ((codes[i]! * 7) % 10) / 5 - 1
  }
  const X = createFrame([
    ...cols.map((values, j) =>
      createColumn({
        name: `x${j}`,
        dtype: 'f64',
        values,
        validity: j === 3 ? validity : undefined,
      }),
    ),
    createColumn({
      name: 'c',
      dtype: 'cat',
      values: codes,
      categories: Array.from({ length: 10 }, (_, k) => `k${k}`),
    }),
  ])
  return { X, y, cls }
}

describe('GBDT behaviour', () => {
  it('gives a bit-identical model for 1 and 2 threads', () => {
    // Enough rows (after subsampling) for the engine's parallel batches.
    const { X, y } = bigData(180_000)
    const yc = createColumn({ name: 'y', dtype: 'f64', values: y })
    const p: GBDTRegressorParams = { nEstimators: 4, maxDepth: 5, subsample: 0.8 }
    const one = new GBDTRegressor({ ...p, nThreads: 1 }).fit(X, yc)
    const two = new GBDTRegressor({ ...p, nThreads: 2 }).fit(X, yc)
    expect(two.diagnostics.nThreads).toBe(2)
    // params differ in nThreads only; the learned state must be identical.
    expect(JSON.stringify(two.toJSON().state)).toBe(JSON.stringify(one.toJSON().state))
  })

  it('stops early on a validation set and keeps the best round', () => {
    const { X, cls } = bigData(3000)
    const y = createColumn({ name: 'y', dtype: 'i32', values: cls })
    const steps: Progress[] = []
    const model = new GBDTClassifier({
      nEstimators: 500,
      learningRate: 0.5,
      maxDepth: 6,
      earlyStoppingRounds: 5,
    }).fit(X.slice(0, 2000), createFrame([y]).slice(0, 2000).columns[0], {
      validation: { X: X.slice(2000), y: createFrame([y]).slice(2000).columns[0]! },
      onProgress: (p) => steps.push(p),
    })
    const d = model.diagnostics
    expect(d.stopReason).toBe('earlyStopping')
    expect(d.bestIteration).toBeDefined()
    const valid = model.evalsResult.validation!['mlogloss']!
    expect(valid.length).toBe(d.nIter)
    expect(d.nIter).toBe(d.bestIteration! + 6)
    expect(Math.min(...valid)).toBe(valid[d.bestIteration!])
    expect(model.ensemble.trees.length).toBe((d.bestIteration! + 1) * 3)
    const last = steps.at(-1)!
    expect(last.metrics?.['validation-mlogloss']).toBe(valid.at(-1))
  })

  it('holds out validationFraction when early stopping has no validation set', () => {
    const { X, y } = bigData(2000)
    const model = new GBDTRegressor({
      nEstimators: 300,
      learningRate: 0.8,
      earlyStoppingRounds: 3,
      validationFraction: 0.2,
    }).fit(X, createColumn({ name: 'y', dtype: 'f64', values: y }))
    expect(model.diagnostics.stopReason).toBe('earlyStopping')
    expect(model.evalsResult.validation?.['rmse']?.length).toBe(model.diagnostics.nIter)
  })

  it("weights classes with classWeight: 'balanced'", () => {
    const { X, cls } = bigData(2000)
    // A rare positive class: 1 vs rest.
    const y = createColumn({ name: 'y', dtype: 'i32', values: cls.map((c) => (c === 2 ? 1 : 0)) })
    const frac = (m: GBDTClassifier): number => {
      const pred = m.fit(X, y).predict(X).values as Int32Array
      return pred.reduce((a, b) => a + b, 0) / pred.length
    }
    const plain = frac(new GBDTClassifier({ nEstimators: 10, maxDepth: 2 }))
    const balanced = frac(
      new GBDTClassifier({ nEstimators: 10, maxDepth: 2, classWeight: 'balanced' }),
    )
    expect(balanced).toBeGreaterThan(plain)
  })

  it('fits the asked quantile with the quantile loss', () => {
    const { X, y } = bigData(3000)
    const yc = createColumn({ name: 'y', dtype: 'f64', values: y })
    for (const alpha of [0.1, 0.9]) {
      const model = new GBDTRegressor({
        objective: 'quantile',
        quantileAlpha: alpha,
        nEstimators: 50,
        maxDepth: 3,
        learningRate: 0.2,
      }).fit(X, yc)
      const pred = model.predict(X).values as Float64Array
      let below = 0
      for (let i = 0; i < y.length; i++) if (y[i]! <= pred[i]!) below++
      expect(Math.abs(below / y.length - alpha)).toBeLessThan(0.03)
    }
  })

  it('grows at most maxLeaves leaves with the lossguide policy', () => {
    const { X, y } = bigData(2000)
    const model = new GBDTRegressor({
      nEstimators: 3,
      growPolicy: 'lossguide',
      maxLeaves: 7,
      maxDepth: 0,
    }).fit(X, createColumn({ name: 'y', dtype: 'f64', values: y }))
    for (const t of model.ensemble.trees) {
      let leaves = 0
      for (let i = 0; i < t.nNodes; i++) if (t.left[i]! < 0) leaves++
      expect(leaves).toBe(7)
    }
  })

  it('keeps predictions monotone in a constrained feature', () => {
    const { X, y } = bigData(2000)
    const model = new GBDTRegressor({ nEstimators: 20, monotoneConstraints: { x0: 1 } }).fit(
      X,
      createColumn({ name: 'y', dtype: 'f64', values: y }),
    )
    const grid = Float64Array.from({ length: 50 }, (_, i) => -3 + (6 * i) / 49)
    for (const r of [0, 1, 2]) {
      const rows = createFrame(
        X.columns.map((c, j) =>
          c.dtype === 'cat'
            ? createColumn({
                name: c.name,
                dtype: 'cat',
                values: new Int32Array(50).fill(c.values[r]!),
                categories: c.categories,
              })
            : createColumn({
                name: c.name,
                dtype: 'f64',
                values: j === 0 ? grid : new Float64Array(50).fill((c.values as Float64Array)[r]!),
              }),
        ),
      )
      const pred = model.predict(rows).values as Float64Array
      for (let i = 1; i < 50; i++) expect(pred[i]!).toBeGreaterThanOrEqual(pred[i - 1]!)
    }
  })

  it('rejects bad inputs with field-level errors', () => {
    const { X, y } = checkData('regression')
    const pathOf = (fn: () => unknown): string => {
      try {
        fn()
      } catch (err) {
        if (err instanceof ValidationError) return err.issues.map((i) => i.path.join('.')).join('|')
        throw err
      }
      throw new Error('no error')
    }
    const neg = createColumn({ name: 'y', dtype: 'f64', values: new Float64Array(60).fill(-1) })
    expect(pathOf(() => new GBDTRegressor({ objective: 'poisson' }).fit(X, neg))).toBe('y')
    expect(pathOf(() => new GBDTRegressor({ monotoneConstraints: [1] }).fit(X, y))).toBe(
      'params.monotoneConstraints',
    )
    expect(pathOf(() => new GBDTRegressor({ monotoneConstraints: { nope: 1 } }).fit(X, y))).toBe(
      'params.monotoneConstraints.nope',
    )
    expect(pathOf(() => new GBDTRegressor({ maxDepth: 0 }).fit(X, y))).toBe('params.maxDepth')
    expect(pathOf(() => new GBDTRegressor({ learningRate: 0 }).fit(X, y))).toBe(
      'params.learningRate',
    )
    expect(
      pathOf(() =>
        new GBDTRegressor({}).fit(X, y, { sampleWeight: new Float64Array(60).fill(-1) }),
      ),
    ).toBe('sampleWeight')
    const text = createFrame([
      ...X.columns,
      createColumn({ name: 's', dtype: 'str', values: Array<string>(60).fill('a') }),
    ])
    expect(pathOf(() => new GBDTRegressor({}).fit(text, y))).toBe('X.s')
    expect(
      pathOf(() => new GBDTRegressor({}).fit(X, y, { validation: { X: X.drop(['x1']), y: y! } })),
    ).toBe('validation.X.x1')
  })
})
