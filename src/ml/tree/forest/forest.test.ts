import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { CancelledError, createRng } from '../../../core/index.js'
import { createColumn, createFrame, type Column, type Frame } from '../../../frame/index.js'
import { estimatorChecks } from '../../checks/index.js'
import { prepareTreeData, resolveGrowSpec } from '../cart/index.js'

import {
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  RandomForestClassifier,
  RandomForestRegressor,
  loadExtraTreesClassifier,
  loadExtraTreesRegressor,
  loadRandomForestClassifier,
  loadRandomForestRegressor,
} from './index.js'
import { startForestWorkers, trainForest } from './train.js'
import type { ForestJob } from './tree-job.js'

describe('checkEstimator', () => {
  const cases = [
    [
      'tree.random-forest-classifier',
      'classification',
      () => new RandomForestClassifier({ nEstimators: 8, seed: 1 }),
      loadRandomForestClassifier,
    ],
    [
      'tree.extra-trees-classifier',
      'classification',
      () => new ExtraTreesClassifier({ nEstimators: 8, seed: 1 }),
      loadExtraTreesClassifier,
    ],
    [
      'tree.random-forest-regressor',
      'regression',
      () => new RandomForestRegressor({ nEstimators: 8, seed: 1, oobScore: true }),
      loadRandomForestRegressor,
    ],
    [
      'tree.extra-trees-regressor',
      'regression',
      () => new ExtraTreesRegressor({ nEstimators: 8, seed: 1 }),
      loadExtraTreesRegressor,
    ],
  ] as const
  for (const [name, task, make, load] of cases) {
    describe(name, () => {
      for (const c of estimatorChecks({ task, make, load, missing: 'handle', oneRow: 'fit' }))
        it(c.name, c.run)
    })
  }
})

/** A CSV of numbers with a header, as columns. */
function readCsv(name: string): { names: string[]; cols: Float64Array[] } {
  const text = readFileSync(
    new URL(`../../../../examples/datasets/${name}`, import.meta.url),
    'utf8',
  )
  const lines = text.trim().split('\n')
  const names = lines[0]!.split(',')
  const rows = lines.slice(1).map((l) => l.split(','))
  const cols = names.map((_, j) => Float64Array.from(rows, (r) => Number(r[j])))
  return { names, cols }
}

interface ForestCase {
  readonly dataset: string
  readonly target: string
  readonly task: 'classification' | 'regression'
  readonly estimator: 'random-forest' | 'extra-trees'
  readonly trainRows: number[]
  readonly testScore: number
  readonly testScoreSd: number
  readonly oobScore?: number
  readonly drop?: string[]
}

const FORESTS = JSON.parse(
  readFileSync(
    new URL('../../../../test/fixtures/ml/forest/forests.json', import.meta.url),
    'utf8',
  ),
) as { cases: ForestCase[] }

function split(c: ForestCase): { Xtr: Frame; ytr: Column; Xte: Frame; yte: Float64Array } {
  const { names, cols } = readCsv(c.dataset)
  const t = names.indexOf(c.target)
  const drop = new Set(c.drop ?? [c.target])
  const n = cols[0]!.length
  const inTrain = new Uint8Array(n)
  for (const r of c.trainRows) inTrain[r] = 1
  const pick = (a: Float64Array, train: boolean): Float64Array =>
    a.filter((_, i) => (inTrain[i] === 1) === train)
  const frame = (train: boolean): Frame =>
    createFrame(
      names.flatMap((nm, j) =>
        drop.has(nm)
          ? []
          : [createColumn({ name: nm, dtype: 'f64', values: pick(cols[j]!, train) })],
      ),
    )
  // Train rows in the fixture's order (scikit-learn saw them so; order does not matter here).
  const ytrv = pick(cols[t]!, true)
  const ytr =
    c.task === 'classification'
      ? createColumn({ name: 'y', dtype: 'i32', values: Int32Array.from(ytrv) })
      : createColumn({ name: 'y', dtype: 'f64', values: ytrv })
  return { Xtr: frame(true), ytr, Xte: frame(false), yte: pick(cols[t]!, false) }
}

describe('forests against scikit-learn 1.2.1 (100 trees; scikit-learn: mean of 5 seeds)', () => {
  for (const c of FORESTS.cases) {
    if (c.dataset === 'kernlab_spam.csv') continue // 4,601 × 57: too slow for a unit test
    it(`${c.estimator} ${c.task} on ${c.dataset}`, () => {
      const { Xtr, ytr, Xte, yte } = split(c)
      const params = {
        nEstimators: 100,
        seed: 7,
        ...(c.oobScore === undefined ? {} : { oobScore: true }),
      }
      const est =
        c.task === 'classification'
          ? c.estimator === 'random-forest'
            ? new RandomForestClassifier(params)
            : new ExtraTreesClassifier(params)
          : c.estimator === 'random-forest'
            ? new RandomForestRegressor(params)
            : new ExtraTreesRegressor(params)
      const m = est.fit(Xtr, ytr)
      const pred = m.predict(Xte).values as ArrayLike<number>
      let score: number
      if (c.task === 'classification') {
        let hits = 0
        for (let i = 0; i < yte.length; i++) if (pred[i] === yte[i]) hits++
        score = hits / yte.length
      } else {
        let mean = 0
        for (const v of yte) mean += v / yte.length
        let res = 0
        let tot = 0
        for (let i = 0; i < yte.length; i++) {
          res += (yte[i]! - pred[i]!) ** 2
          tot += (yte[i]! - mean) ** 2
        }
        score = 1 - res / tot
      }
      const tol = c.task === 'classification' ? 0.02 : 0.03
      expect(Math.abs(score - c.testScore), `test score ${score} vs ${c.testScore}`).toBeLessThan(
        tol,
      )
      if (c.oobScore !== undefined) {
        const oob = m.oob!.score
        expect(Math.abs(oob - c.oobScore), `OOB ${oob} vs ${c.oobScore}`).toBeLessThan(tol)
      }
    })
  }
})

function synthetic(n: number, seed: number): { X: Frame; y: Column } {
  const rng = createRng(seed)
  const cols = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(n).map(() => rng.normal()))
  const y = Int32Array.from({ length: n }, (_, i) =>
    cols[0]![i]! + cols[1]![i]! * cols[2]![i]! + 0.5 * rng.normal() > 0 ? 1 : 0,
  )
  for (let i = 0; i < n; i += 17) cols[3]![i] = NaN
  return {
    X: createFrame(cols.map((values, j) => createColumn({ name: `x${j}`, dtype: 'f64', values }))),
    y: createColumn({ name: 'y', dtype: 'i32', values: y }),
  }
}

describe('threads', () => {
  it('nJobs 1 and 2 give the same forest', () => {
    const { X, y } = synthetic(600, 3)
    const a = new RandomForestClassifier({
      nEstimators: 12,
      nJobs: 1,
      seed: 5,
      oobScore: true,
    }).fit(X, y)
    const b = new RandomForestClassifier({
      nEstimators: 12,
      nJobs: 2,
      seed: 5,
      oobScore: true,
    }).fit(X, y)
    expect(JSON.stringify(b.toJSON().state)).toBe(JSON.stringify(a.toJSON().state))
  })

  it('trees grown on a worker equal those grown on the calling thread', () => {
    const { X, y } = synthetic(400, 4)
    const Xm = new Float64Array(X.nRows * X.nColumns)
    X.columns.forEach((c, j) => {
      Xm.set(c.values as Float64Array, j * X.nRows)
    })
    const job = (shared: boolean): ForestJob => ({
      data: prepareTreeData(
        Xm,
        X.nRows,
        X.nColumns,
        { classes: y.values as Int32Array, nClasses: 2 },
        shared,
      ),
      baseWeight: shared
        ? new Float64Array(new SharedArrayBuffer(8 * X.nRows)).fill(1)
        : new Float64Array(X.nRows).fill(1),
      spec: resolveGrowSpec(
        {
          minSamplesSplit: 2,
          minSamplesLeaf: 1,
          minWeightFractionLeaf: 0,
          minImpurityDecrease: 0,
          maxFeatures: 'sqrt',
        },
        X.nRows,
        X.nColumns,
        0,
        'gini',
        'best',
      ),
      bootstrap: true,
      nBoot: X.nRows,
      balancedSubsample: true,
      seeds: [11, 12, 13, 14],
      minWeightFraction: 0,
    })
    const here = trainForest(job(false), startForestWorkers(1))
    const there = trainForest(job(true), startForestWorkers(2), undefined, false)
    expect(there.nThreads).toBe(1)
    expect(here.trees.length).toBe(4)
    here.trees.forEach((g, t) => {
      const h = there.trees[t]!
      expect(h.tree.threshold).toEqual(g.tree.threshold)
      expect(h.tree.feature).toEqual(g.tree.feature)
      expect(h.tree.value).toEqual(g.tree.value)
      expect(h.importance).toEqual(g.importance)
    })
  })
})

describe('forest behaviour', () => {
  const { X, y } = synthetic(500, 9)

  it('predictProba is the mean of the trees’ leaf distributions', () => {
    const m = new RandomForestClassifier({ nEstimators: 5, seed: 2 }).fit(X, y)
    const p = m.predictProba(X.slice(0, 3))
    for (let i = 0; i < 3; i++) {
      const s = Number(p.columns[0]!.values[i]) + Number(p.columns[1]!.values[i])
      expect(s).toBeCloseTo(1, 12)
      // With 5 trees of pure leaves, each probability is a multiple of 1/5.
      expect(Number(p.columns[1]!.values[i]) * 5).toBeCloseTo(
        Math.round(Number(p.columns[1]!.values[i]) * 5),
        9,
      )
    }
  })

  it('importances sum to 1 and find the informative features', () => {
    const m = new ExtraTreesClassifier({ nEstimators: 20, seed: 2 }).fit(X, y)
    const imp = m.featureImportances
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    const top = [...imp.keys()].sort((a, b) => imp[b]! - imp[a]!).slice(0, 3)
    expect(top.sort()).toEqual([0, 1, 2])
  })

  it('OOB decision function rows sum to 1 and need bootstrap', () => {
    const m = new RandomForestClassifier({ nEstimators: 30, seed: 2, oobScore: true }).fit(X, y)
    const d = m.oob!.decision
    expect(d[0]! + d[1]!).toBeCloseTo(1, 12)
    expect(m.oob!.score).toBeGreaterThan(0.7)
    expect(() => new ExtraTreesClassifier({ oobScore: true }).fit(X, y)).toThrow(
      expect.objectContaining({
        issues: [expect.objectContaining({ path: ['params', 'oobScore'] })],
      }) as Error,
    )
  })

  it('class weights: balanced_subsample and a map', () => {
    const a = new RandomForestClassifier({
      nEstimators: 5,
      seed: 2,
      classWeight: 'balanced_subsample',
    }).fit(X, y)
    const c0 = new RandomForestClassifier({ nEstimators: 5, seed: 2 }).fit(X, y)
    expect(JSON.stringify(a.toJSON().state)).not.toBe(JSON.stringify(c0.toJSON().state))
    const shallow = { nEstimators: 5, seed: 2, minSamplesLeaf: 30 }
    const b = new RandomForestClassifier({ ...shallow, classWeight: { '1': 3 } }).fit(X, y)
    const c = new RandomForestClassifier(shallow).fit(X, y)
    const mean = (m: typeof b): number => {
      const p = m.predictProba(X).columns[1]!.values as Float64Array
      return p.reduce((s, v) => s + v, 0) / p.length
    }
    expect(mean(b)).toBeGreaterThan(mean(c))
  })

  it('a signal fired between trees cancels the fit', () => {
    const ac = new AbortController()
    const est = new RandomForestClassifier({ nEstimators: 50, seed: 2, nJobs: 2 })
    expect(() =>
      est.fit(X, y, {
        signal: ac.signal,
        onProgress: (p) => {
          if (p.stage === 'trees' && p.step >= 3) ac.abort()
        },
      }),
    ).toThrow(CancelledError)
  })

  it('maxSamples bounds each bootstrap sample', () => {
    const m = new RandomForestRegressor({
      nEstimators: 3,
      seed: 2,
      maxSamples: 50,
      maxDepth: 2,
    }).fit(
      X,
      createColumn({ name: 'y', dtype: 'f64', values: Float64Array.from(y.values as Int32Array) }),
    )
    for (const t of m.ensemble.trees) expect(t.cover[0]).toBe(50)
  })
})
