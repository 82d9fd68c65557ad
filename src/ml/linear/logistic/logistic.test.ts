import { describe, expect, it } from 'vitest'

import { CancelledError, ValidationError, createRng } from '../../../core/index.js'
import { createColumn, createFrame, type Column, type Frame } from '../../../frame/index.js'
import {
  LOGISTIC_CASES,
  loadDataset,
  type LogisticCase,
} from '../../../../test/fixtures/ml/logistic/fixtures.js'
import type { ModelState } from '../../base/index.js'
import { estimatorChecks } from '../../checks/index.js'

import {
  LOGISTIC_ESTIMATORS,
  LogisticRegression,
  loadLogisticRegression,
  type LogisticRegressionModel,
  type LogisticRegressionParams,
} from './index.js'

function fitCase(
  c: LogisticCase,
  extra: Partial<LogisticRegressionParams>,
): LogisticRegressionModel {
  const { X, y } = loadDataset(c.dataset)
  const sampleWeight = c.sampleWeight === null ? undefined : Float64Array.from(c.sampleWeight)
  return new LogisticRegression({ ...(c.params as LogisticRegressionParams), ...extra }).fit(
    X,
    y,
    sampleWeight === undefined ? {} : { sampleWeight },
  )
}

/** `max|a − b| / max|b|` over all entries. */
function relErr(a: ArrayLike<number>, b: readonly number[]): number {
  expect(a.length).toBe(b.length)
  let d = 0
  let m = 0
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!))
    m = Math.max(m, Math.abs(b[i]!))
  }
  return m === 0 ? d : d / m
}

function maxAbsDiff(a: ArrayLike<number>, b: readonly number[]): number {
  let d = 0
  for (let i = 0; i < b.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!))
  return d
}

function probaRows(f: Frame, rows: number): number[][] {
  return Array.from({ length: rows }, (_, i) => f.columns.map((c) => Number(c.values[i])))
}

describe('estimatorChecks', () => {
  for (const [name, params] of [
    ['lbfgs', {}],
    ['owlqn l1', { penalty: 'l1', C: 0.5 }],
    ['saga elasticnet', { solver: 'saga', penalty: 'elasticnet', l1Ratio: 0.5, seed: 3 }],
    ['ovr balanced', { multiClass: 'ovr', classWeight: 'balanced' }],
  ] as const) {
    describe(`linear.logistic ${name}`, () => {
      for (const c of estimatorChecks({
        task: 'classification',
        make: () => new LogisticRegression(params),
        load: loadLogisticRegression,
      }))
        it(c.name, c.run)
    })
  }
})

describe('scikit-learn 1.2.1: the optimum (reference solved to a tight tolerance)', () => {
  for (const c of LOGISTIC_CASES) {
    it(`${c.name}: coefficients within 1e-4 (relative)`, () => {
      expect(c.refGradNorm ?? 0).toBeLessThan(1e-6)
      const m = fitCase(c, { tol: 1e-10, maxIter: 10_000 })
      expect(m.diagnostics.converged).toBe(true)
      expect(m.classes).toEqual(c.classes)
      expect(relErr(m.coef, c.coef.flat())).toBeLessThan(1e-4)
      expect(relErr(m.intercept, c.intercept)).toBeLessThan(1e-4)
      const { X } = loadDataset(c.dataset)
      const head = X.slice(0, c.proba.length)
      expect(
        maxAbsDiff(probaRows(m.predictProba(head), c.proba.length).flat(), c.proba.flat()),
      ).toBeLessThan(1e-5)
    })
  }
})

describe('scikit-learn 1.2.1 lbfgs with its defaults (tol 1e-4, max_iter 100)', () => {
  for (const c of LOGISTIC_CASES.filter((k) => k.lbfgsDefault !== undefined)) {
    it(`${c.name}: the same iterations and coefficients`, () => {
      const ref = c.lbfgsDefault!
      const m = fitCase(c, { solver: 'lbfgs' })
      // One-vs-rest: scikit-learn reports each class's count, Plinth the largest.
      expect(m.diagnostics.nIter).toBe(Math.max(...ref.nIter))
      expect(relErr(m.coef, ref.coef.flat())).toBeLessThan(1e-9)
      expect(relErr(m.intercept, ref.intercept)).toBeLessThan(1e-9)
    })
  }
})

describe("scikit-learn 1.2.1's predictions from its own coefficients", () => {
  for (const c of LOGISTIC_CASES) {
    it(`${c.name}: decision_function, predict_proba, predict`, () => {
      const fitted = fitCase(c, {})
      const s = fitted.toJSON()
      // The same model with scikit-learn's coef_ and intercept_ in place of ours.
      const state: ModelState = {
        ...s,
        state: {
          ...s.state,
          coef: { dtype: 'f64', length: c.coef.flat().length, b64: b64(c.coef.flat()) },
          intercept: { dtype: 'f64', length: c.intercept.length, b64: b64(c.intercept) },
        },
      }
      const m = loadLogisticRegression(state)
      const { X } = loadDataset(c.dataset)
      const head = X.slice(0, c.proba.length)
      const dec = m.decisionFunction(head)
      const decRows = probaRows(dec, c.proba.length).flat()
      expect(maxAbsDiff(decRows, c.decision)).toBeLessThan(1e-12)
      expect(
        maxAbsDiff(probaRows(m.predictProba(head), c.proba.length).flat(), c.proba.flat()),
      ).toBeLessThan(1e-14)
      expect(Array.from(m.predict(head).values as ArrayLike<unknown>)).toEqual(c.predict)
    })
  }
})

function b64(values: readonly number[]): string {
  const a = Float64Array.from(values)
  return Buffer.from(a.buffer).toString('base64')
}

describe('saga', () => {
  for (const name of [
    'syn2 l2',
    'syn2 l1 C=0.05',
    'syn3 multinomial',
    'syn3 multinomial l1',
    'pima l2',
  ]) {
    it(`${name}: reaches the optimum`, () => {
      const c = LOGISTIC_CASES.find((k) => k.name === name)!
      const m = fitCase(c, { solver: 'saga', tol: 1e-9, maxIter: 5000, seed: 1 })
      expect(m.diagnostics.converged).toBe(true)
      expect(relErr(m.coef, c.coef.flat())).toBeLessThan(1e-4)
      expect(relErr(m.intercept, c.intercept)).toBeLessThan(1e-4)
    })
  }

  it('is reproducible from its seed and from FitOptions.rng', () => {
    const { X, y } = loadDataset('syn2')
    const e = new LogisticRegression({ solver: 'saga', maxIter: 3, seed: 9 })
    const a = e.fit(X, y).coef
    expect(Array.from(e.fit(X, y).coef)).toEqual(Array.from(a))
    expect(Array.from(e.withParams({ seed: 10 }).fit(X, y).coef)).not.toEqual(Array.from(a))
    const r1 = e.fit(X, y, { rng: createRng(5) }).coef
    expect(Array.from(e.fit(X, y, { rng: createRng(5) }).coef)).toEqual(Array.from(r1))
  })
})

describe('threads', () => {
  // 30 blocks of rows: enough for several threads to share the work.
  const n = 30 * 4096 - 123
  const rng = createRng(11)
  const cols = Array.from({ length: 7 }, () => new Float64Array(n))
  const labels = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    let z = -0.3
    for (let j = 0; j < cols.length; j++) {
      const v = rng.normal()
      cols[j]![i] = v
      z += (j - 3) * 0.4 * v
    }
    labels[i] = rng.float() < 1 / (1 + Math.exp(-z)) ? 1 : z > 1 ? 2 : 0
  }
  const X = createFrame(
    cols.map((values, j) => createColumn({ name: `x${j}`, dtype: 'f64', values })),
  )
  const y = createColumn({ name: 'y', dtype: 'i32', values: labels })
  const yBin = createColumn({
    name: 'y',
    dtype: 'i32',
    values: labels.map((v) => (v === 0 ? 0 : 1)),
  })

  for (const [what, target, params] of [
    ['binomial', yBin, {}],
    ['multinomial', y, {}],
    ['one-vs-rest l1', y, { multiClass: 'ovr', penalty: 'l1', C: 0.01 }],
  ] as const) {
    it(`${what}: bit-identical coefficients for 1, 2 and 3 threads`, () => {
      // Workers join when they have started (from sources, through tsx, that can take longer
      // than this fit): whichever threads take part, the model is the same.
      const fits = [1, 2, 3].map((nThreads) =>
        new LogisticRegression({ ...params, nThreads }).fit(X, target),
      )
      expect(fits[0]!.diagnostics.nThreads).toBe(1)
      for (const m of fits.slice(1)) {
        expect(Array.from(m.coef)).toEqual(Array.from(fits[0]!.coef))
        expect(Array.from(m.intercept)).toEqual(Array.from(fits[0]!.intercept))
        expect(m.diagnostics.nIter).toBe(fits[0]!.diagnostics.nIter)
      }
    })
  }
})

describe('linear.logistic', () => {
  const { X, y } = loadDataset('syn2')

  it('is registered with its kind and loader', () => {
    const e = LOGISTIC_ESTIMATORS.find((x) => x.kind === 'linear.logistic')!
    expect(e.task).toBe('classification')
    const m = e.create({ C: 2 }).fit(X, y)
    expect(e.load(JSON.parse(JSON.stringify(m.toJSON())) as ModelState).kind).toBe(
      'linear.logistic',
    )
  })

  it('records non-convergence in diagnostics instead of throwing', () => {
    const m = new LogisticRegression({ maxIter: 2 }).fit(X, y)
    expect(m.diagnostics.converged).toBe(false)
    expect(m.diagnostics.nIter).toBe(2)
    expect(m.diagnostics.warnings[0]).toMatch(/lbfgs did not converge: stopped at maxIter=2/)
    expect(m.diagnostics.gradNorm).toBeGreaterThan(1e-4)
    const loaded = loadLogisticRegression(JSON.parse(JSON.stringify(m.toJSON())) as ModelState)
    expect(loaded.diagnostics).toMatchObject({ converged: false, nIter: 2 })
  })

  it('warns about parameters the penalty ignores', () => {
    const m = new LogisticRegression({ penalty: 'none', C: 3, l1Ratio: 0.2 }).fit(X, y)
    expect(m.diagnostics.warnings).toEqual([
      'l1Ratio is only used by the elasticnet penalty (penalty is none)',
      'penalty none ignores C',
    ])
  })

  it('reports progress per iteration and stops on an abort signalled from it', () => {
    const steps: number[] = []
    new LogisticRegression().fit(X, y, { onProgress: (p) => steps.push(p.step) })
    expect(steps.length).toBeGreaterThan(5)
    const ac = new AbortController()
    expect(() =>
      new LogisticRegression().fit(X, y, {
        signal: ac.signal,
        onProgress: (p) => {
          if (p.step === 3) ac.abort()
        },
      }),
    ).toThrow(CancelledError)
  })

  it('binary targets keep one coefficient row; predict follows the sign of the decision', () => {
    const m = new LogisticRegression().fit(X, y)
    expect(m.coef.length).toBe(X.nColumns)
    expect(m.intercept.length).toBe(1)
    const d = m.decisionFunction(X).columns
    expect(d.map((c) => c.name)).toEqual(['1'])
    const pred = m.predict(X).values
    for (let i = 0; i < X.nRows; i++) expect(pred[i]).toBe(Number(d[0]!.values[i]) > 0 ? 1 : 0)
  })

  it('accepts f32, i32 and bool feature columns', () => {
    const n = X.nRows
    const x0 = X.columns[0]!.values as Float64Array
    const Xm = createFrame([
      createColumn({ name: 'a', dtype: 'f32', values: Float32Array.from(x0) }),
      createColumn({ name: 'b', dtype: 'i32', values: Int32Array.from(x0, (v) => Math.round(v)) }),
      createColumn({
        name: 'c',
        dtype: 'bool',
        values: Uint8Array.from(x0, (v) => (v > 0 ? 1 : 0)),
      }),
    ])
    const m = new LogisticRegression().fit(Xm, y)
    expect(m.diagnostics.converged).toBe(true)
    expect(m.predictProba(Xm).nRows).toBe(n)
  })

  it('rejects bad parameters with issues under params', () => {
    const cases: [LogisticRegressionParams, string][] = [
      [{ solver: 'lbfgs', penalty: 'l1' }, 'solver'],
      [{ penalty: 'elasticnet' }, 'l1Ratio'],
      [{ C: 0 }, 'C'],
      [{ C: Number.POSITIVE_INFINITY }, 'C'],
      [{ l1Ratio: 1.5, penalty: 'elasticnet' }, 'l1Ratio'],
      [{ classWeight: { '7': 2 } }, 'classWeight'],
      [{ classWeight: { '1': -1 } }, 'classWeight'],
    ]
    for (const [params, field] of cases) {
      try {
        new LogisticRegression(params).fit(X, y)
        expect.unreachable(`no error for ${JSON.stringify(params)}`)
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError)
        expect((err as ValidationError).issues.map((i) => i.path.slice(0, 2))).toContainEqual([
          'params',
          field,
        ])
      }
    }
  })

  it('validates sample weights', () => {
    const bad: [Float64Array | Column, string][] = [
      [new Float64Array(3), 'length_mismatch'],
      [new Float64Array(X.nRows).fill(-1), 'invalid_value'],
      [new Float64Array(X.nRows), 'invalid_value'],
      [
        Float64Array.from({ length: X.nRows }, (_, i) => (i === 5 ? Number.NaN : 1)),
        'invalid_value',
      ],
      [
        createColumn({
          name: 'w',
          dtype: 'str',
          values: Array.from({ length: X.nRows }, () => 'a'),
        }),
        'not_numeric',
      ],
    ]
    for (const [sampleWeight, code] of bad) {
      try {
        new LogisticRegression().fit(X, y, { sampleWeight })
        expect.unreachable(code)
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError)
        expect((err as ValidationError).issues[0]).toMatchObject({ path: ['sampleWeight'], code })
      }
    }
    const asColumn = createColumn({
      name: 'w',
      dtype: 'f64',
      values: new Float64Array(X.nRows).fill(2),
    })
    const m = new LogisticRegression().fit(X, y, { sampleWeight: asColumn })
    // Doubling every weight is halving the penalty: C = 2 with unit weights.
    const half = new LogisticRegression({ C: 2 }).fit(X, y)
    expect(relErr(m.coef, Array.from(half.coef))).toBeLessThan(1e-3)
  })

  it('rejects a target with one class', () => {
    const one = createColumn({ name: 'y', dtype: 'i32', values: new Int32Array(X.nRows) })
    expect(() => new LogisticRegression().fit(X, one)).toThrow(ValidationError)
  })

  it('rejects a state whose arrays do not fit its features and classes', () => {
    const s = new LogisticRegression().fit(X, y).toJSON()
    expect(() =>
      loadLogisticRegression({
        ...s,
        state: { ...s.state, intercept: { dtype: 'f64', length: 2, b64: b64([0, 0]) } },
      }),
    ).toThrow(ValidationError)
    expect(() => loadLogisticRegression({ ...s, state: { ...s.state, diagnostics: {} } })).toThrow(
      ValidationError,
    )
  })
})
