import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { ValidationError } from '../../core/index.js'
import { columnFromArray, createFrame, type Column, type Frame } from '../../frame/index.js'
import { estimatorChecks } from '../checks/index.js'

import { GaussianNB, loadGaussianNB, type GaussianNBParams } from './index.js'

describe('checkEstimator', () => {
  for (const params of [
    {},
    { varSmoothing: 1e-2, priors: [0.2, 0.3, 0.5] },
  ] as GaussianNBParams[]) {
    describe(`naive-bayes.gaussian ${JSON.stringify(params)}`, () => {
      for (const c of estimatorChecks({
        task: 'classification',
        make: () => new GaussianNB(params),
        load: loadGaussianNB,
        oneRow: 'error',
      }))
        it(c.name, c.run)
    })
  }
})

type Label = string | number

interface FixtureCase {
  features: string[]
  target: string
  weight: string | null
  params: GaussianNBParams
  classes: Label[]
  theta: number[][]
  var: number[][]
  classPrior: number[]
  classCount: number[]
  epsilon: number
  predict: Label[]
  proba: number[][]
  logProba: number[][]
}

interface Fixture {
  versions: Record<string, string>
  train: { columns: Record<string, Label[]> }
  query: { columns: Record<string, Label[]> }
  cases: FixtureCase[]
}

function column(name: string, values: Label[]): Column {
  return typeof values[0] === 'string'
    ? columnFromArray(name, values, 'str')
    : columnFromArray(name, values, 'f64')
}

function frameOf(columns: Record<string, Label[]>, names: string[]): Frame {
  return createFrame(names.map((n) => column(n, columns[n]!)))
}

/** The entries of `actual` farther than 1e-9 (relative above 1) from `expected`. */
function mismatches(actual: ArrayLike<number>, expected: readonly number[]): string[] {
  const out: string[] = []
  expected.forEach((e, i) => {
    const a = actual[i]!
    if (!(Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)))) out.push(`[${i}] ${a} vs ${e}`)
  })
  if (actual.length !== expected.length) out.push(`length ${actual.length} vs ${expected.length}`)
  return out
}

function byRow(f: Frame): number[] {
  const out: number[] = []
  for (let i = 0; i < f.nRows; i++) for (const c of f.columns) out.push(c.values[i] as number)
  return out
}

for (const name of ['breast_cancer', 'digits', 'pima', 'synthetic']) {
  const fx = JSON.parse(
    readFileSync(
      new URL(`../../../test/fixtures/ml/naive-bayes/${name}.json`, import.meta.url),
      'utf8',
    ),
  ) as Fixture
  describe(`scikit-learn ${fx.versions['sklearn']} GaussianNB on ${name}`, () => {
    for (const c of fx.cases) {
      it(`${JSON.stringify(c.params)}${c.weight === null ? '' : ' weighted'}`, () => {
        const X = frameOf(fx.train.columns, c.features)
        const y = column(c.target, fx.train.columns[c.target]!)
        const Q = frameOf(fx.query.columns, c.features)
        const sampleWeight =
          c.weight === null ? undefined : Float64Array.from(fx.train.columns[c.weight] as number[])
        const m = new GaussianNB(c.params).fit(X, y, sampleWeight ? { sampleWeight } : {})
        expect(m.classes.map(String)).toEqual(c.classes.map(String))
        expect(mismatches(m.state.theta, c.theta.flat())).toEqual([])
        expect(mismatches(m.state.variance, c.var.flat())).toEqual([])
        expect(mismatches(m.state.classPrior, c.classPrior)).toEqual([])
        expect(mismatches(m.state.classCount, c.classCount)).toEqual([])
        expect(mismatches([m.state.epsilon], [c.epsilon])).toEqual([])
        expect(Array.from(m.predict(Q).values as ArrayLike<Label>, String)).toEqual(
          c.predict.map(String),
        )
        expect(mismatches(byRow(m.predictProba(Q)), c.proba.flat())).toEqual([])
        expect(mismatches(byRow(m.predictLogProba(Q)), c.logProba.flat())).toEqual([])
      })
    }
  })
}

describe('naive-bayes.gaussian', () => {
  const X = createFrame([
    columnFromArray('a', [0, 1, 2, 10, 11, 12], 'f64'),
    columnFromArray('b', [5, 5, 5, 5, 5, 5], 'f64'),
  ])
  const y = columnFromArray('y', ['n', 'n', 'n', 'p', 'p', 'p'], 'str')

  const issues = (fn: () => unknown): unknown[] => {
    try {
      fn()
    } catch (err) {
      if (err instanceof ValidationError) return err.issues.map((i) => i.path)
      throw err
    }
    return []
  }

  it('checks the priors against the classes', () => {
    expect(issues(() => new GaussianNB({ priors: [1] }).fit(X, y))).toEqual([['params', 'priors']])
    expect(issues(() => new GaussianNB({ priors: [0.5, 0.6] }).fit(X, y))).toEqual([
      ['params', 'priors'],
    ])
    expect(issues(() => new GaussianNB({ priors: [-0.5, 1.5] }).fit(X, y))).toEqual([
      ['params', 'priors', 0],
    ])
    const m = new GaussianNB({ priors: [0.25, 0.75] }).fit(X, y)
    expect(Array.from(m.state.classPrior)).toEqual([0.25, 0.75])
  })

  it('checks sample weights', () => {
    const fit = (w: number[]) => () => new GaussianNB().fit(X, y, { sampleWeight: w })
    expect(issues(fit([1, 1, 1]))).toEqual([['sampleWeight']])
    expect(issues(fit([1, 1, 1, 1, 1, -1]))).toEqual([['sampleWeight']])
    expect(issues(fit([0, 0, 0, 0, 0, 0]))).toEqual([['sampleWeight']])
    // Weight 2 on a row is the row twice.
    const twice = createFrame([
      columnFromArray('a', [0, 0, 1, 2, 10, 11, 12], 'f64'),
      columnFromArray('b', [5, 5, 5, 5, 5, 5, 5], 'f64'),
    ])
    const y2 = columnFromArray('y', ['n', 'n', 'n', 'n', 'p', 'p', 'p'], 'str')
    const a = new GaussianNB().fit(X, y, { sampleWeight: [2, 1, 1, 1, 1, 1] })
    const b = new GaussianNB().fit(twice, y2)
    expect(mismatches(a.state.theta, Array.from(b.state.theta))).toEqual([])
    expect(mismatches(a.state.variance, Array.from(b.state.variance))).toEqual([])
    expect(Array.from(a.state.classCount)).toEqual([4, 3])
  })

  it('log probabilities are the logs of the probabilities', () => {
    const m = new GaussianNB().fit(X, y)
    const Q = createFrame([
      columnFromArray('a', [6, 6.5], 'f64'),
      columnFromArray('b', [5, 4], 'f64'),
    ])
    const p = byRow(m.predictProba(Q))
    const lp = byRow(m.predictLogProba(Q))
    lp.forEach((v, i) => {
      expect(Math.exp(v)).toBeCloseTo(p[i]!, 15)
    })
  })

  it('falls back to the priors, with a warning, when every feature is constant', () => {
    const Xc = createFrame([columnFromArray('b', [5, 5, 5, 5, 5, 5], 'f64')])
    const m = new GaussianNB({ priors: [0.3, 0.7] }).fit(Xc, y)
    expect(m.diagnostics.warnings).toHaveLength(1)
    const Q = createFrame([columnFromArray('b', [5, 9], 'f64')])
    expect(mismatches(byRow(m.predictProba(Q)), [0.3, 0.7, 0.3, 0.7])).toEqual([])
    expect(new GaussianNB({ varSmoothing: 0 }).fit(Xc, y).state.epsilon).toBe(1)
  })

  it('rejects varSmoothing 0 when a feature is constant within a class', () => {
    expect(issues(() => new GaussianNB({ varSmoothing: 0 }).fit(X, y))).toEqual([
      ['params', 'varSmoothing'],
    ])
  })
})
