import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { CancelledError, ValidationError, createRng } from '../../../core/index.js'
import { createColumn, createFrame, type Column, type Frame } from '../../../frame/index.js'
import type { Estimator, Model } from '../../base/index.js'
import { estimatorChecks } from '../../checks/index.js'

import {
  ElasticNet,
  Lasso,
  LinearRegression,
  REGRESSION_ESTIMATORS,
  Ridge,
  enetPath,
  lassoPath,
  loadElasticNet,
  loadLasso,
  loadLinearRegression,
  loadRidge,
  LinearRegressionModel,
  type LinearFitOptions,
} from './index.js'

const PARAMS = { seed: 20240611, numRuns: 40 }

/** `n` rows of `p` normal features (column j offset by 10·j) and a linear target with noise. */
function problem(n: number, p: number, seed = 1): { X: Frame; y: Column } {
  const rng = createRng(seed)
  const cols = Array.from({ length: p }, () => new Float64Array(n))
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = 2
    for (let j = 0; j < p; j++) {
      const v = rng.normal() + 10 * j
      cols[j]![i] = v
      s += (j % 3 === 0 ? 1.5 : -0.5) * v
    }
    y[i] = s + 0.1 * rng.normal()
  }
  return {
    X: createFrame(cols.map((values, j) => createColumn({ name: `x${j}`, dtype: 'f64', values }))),
    y: createColumn({ name: 'y', dtype: 'f64', values: y }),
  }
}

function fitOf(e: Estimator, X: Frame, y: Column, opts?: LinearFitOptions): LinearRegressionModel {
  const m = e.fit(X, y, opts)
  if (!isLinear(m)) throw new Error(`${m.kind} is not a linear model`)
  return m
}

function isLinear(m: Model): m is LinearRegressionModel {
  return m instanceof LinearRegressionModel
}

describe('checkEstimator', () => {
  const kinds: [string, () => Estimator, (typeof REGRESSION_ESTIMATORS)[number]['load']][] = [
    ['linear.ols', () => new LinearRegression(), loadLinearRegression],
    ['linear.ols positive', () => new LinearRegression({ positive: true }), loadLinearRegression],
    ['linear.ridge', () => new Ridge({ alpha: 0.5 }), loadRidge],
    ['linear.ridge svd', () => new Ridge({ solver: 'svd' }), loadRidge],
    ['linear.ridge lsqr', () => new Ridge({ solver: 'lsqr' }), loadRidge],
    ['linear.ridge positive', () => new Ridge({ positive: true }), loadRidge],
    ['linear.lasso', () => new Lasso({ alpha: 0.05 }), loadLasso],
    ['linear.lasso dense', () => new Lasso({ alpha: 0.05, precompute: false }), loadLasso],
    [
      'linear.lasso random',
      () => new Lasso({ alpha: 0.05, selection: 'random', seed: 9 }),
      loadLasso,
    ],
    ['linear.elastic-net', () => new ElasticNet({ alpha: 0.05, l1Ratio: 0.3 }), loadElasticNet],
  ]
  for (const [name, make, load] of kinds) {
    describe(name, () => {
      for (const c of estimatorChecks({ task: 'regression', make, load, oneRow: 'fit' }))
        it(c.name, c.run)
    })
  }

  it('the registry lists the four kinds with working create and load', () => {
    expect(REGRESSION_ESTIMATORS.map((e) => e.kind)).toEqual([
      'linear.ols',
      'linear.ridge',
      'linear.lasso',
      'linear.elastic-net',
    ])
    const { X, y } = problem(30, 3)
    for (const entry of REGRESSION_ESTIMATORS) {
      const m = entry.create({}).fit(X, y)
      expect(m.kind).toBe(entry.kind)
      expect(entry.load(JSON.parse(JSON.stringify(m.toJSON())) as never).toJSON()).toEqual(
        m.toJSON(),
      )
    }
  })
})

describe('state', () => {
  it('load rejects malformed arrays and diagnostics', () => {
    const { X, y } = problem(20, 3)
    const s = new Ridge().fit(X, y).toJSON()
    const bad = (state: Record<string, unknown>) => () =>
      loadRidge({ ...s, state: { ...s.state, ...state } })
    const other = new Ridge().fit(X.select(['x0', 'x1']), y).toJSON()
    expect(bad({ coef: other.state.coef })).toThrow(ValidationError)
    expect(bad({ intercept: other.state.coef })).toThrow(ValidationError)
    expect(bad({ diagnostics: { converged: 'yes' } })).toThrow(ValidationError)
    expect(bad({ features: [{ name: 1 }] })).toThrow(ValidationError)
    expect(() => loadLasso(s)).toThrow(ValidationError)
  })
  it('keeps coordinate-descent diagnostics through JSON', () => {
    const { X, y } = problem(40, 3)
    const m = new Lasso({ alpha: 0.1 }).fit(X, y)
    const back = loadLasso(JSON.parse(JSON.stringify(m.toJSON())) as ReturnType<typeof m.toJSON>)
    expect(back.diagnostics).toEqual(m.diagnostics)
    expect(back.diagnostics.dualGap).toBeGreaterThanOrEqual(0)
    expect(back.diagnostics.solver).toBe('cd-gram')
  })
})

describe('parameters', () => {
  const { X, y } = problem(20, 2)
  const issuePaths = (fn: () => unknown): string[] => {
    try {
      fn()
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError)
      return (err as ValidationError).issues.map((i) => i.path.join('.'))
    }
    throw new Error('no error')
  }
  it('rejects out-of-range values with field-level issues', () => {
    expect(issuePaths(() => new Ridge({ alpha: -1 }).fit(X, y))).toEqual(['params.alpha'])
    expect(issuePaths(() => new Lasso({ alpha: Number.NaN }).fit(X, y))).toEqual(['params.alpha'])
    expect(issuePaths(() => new ElasticNet({ l1Ratio: 1.5 }).fit(X, y))).toEqual(['params.l1Ratio'])
    expect(issuePaths(() => new Lasso({ maxIter: 0 }).fit(X, y))).toEqual(['params.maxIter'])
    expect(issuePaths(() => new Lasso({ tol: -1 }).fit(X, y))).toEqual(['params.tol'])
    expect(issuePaths(() => new Ridge({ positive: true, solver: 'svd' }).fit(X, y))).toEqual([
      'params.solver',
    ])
  })
  it('rejects bad sample weights', () => {
    const fit = (sampleWeight: NonNullable<LinearFitOptions['sampleWeight']>) => () =>
      new Ridge().fit(X, y, { sampleWeight })
    expect(issuePaths(fit([1, 2]))).toEqual(['sampleWeight'])
    expect(issuePaths(fit(new Float64Array(20).fill(-1)))).toEqual(['sampleWeight'])
    expect(issuePaths(fit(new Float64Array(20)))).toEqual(['sampleWeight'])
    expect(issuePaths(fit(new Float64Array(20).fill(Number.NaN)))).toEqual(['sampleWeight'])
    expect(
      issuePaths(
        fit(createColumn({ name: 'w', dtype: 'str', values: Array<string>(20).fill('1') })),
      ),
    ).toEqual(['sampleWeight'])
  })
  it('accepts weights as an array, a typed array or a column', () => {
    const w = Array.from({ length: 20 }, (_, i) => 1 + (i % 3))
    const a = new Ridge().fit(X, y, { sampleWeight: w })
    const b = new Ridge().fit(X, y, { sampleWeight: Float32Array.from(w) })
    const c = new Ridge().fit(X, y, {
      sampleWeight: createColumn({ name: 'w', dtype: 'i32', values: Int32Array.from(w) }),
    })
    expect(b.coef).toEqual(a.coef)
    expect(c.coef).toEqual(a.coef)
  })
  it('rejects non-numeric feature columns and non-numeric targets', () => {
    const Xs = X.withColumn(
      createColumn({ name: 'name', dtype: 'str', values: Array<string>(20).fill('a') }),
    )
    expect(issuePaths(() => new LinearRegression().fit(Xs, y))).toEqual(['X.name'])
    const ys = createColumn({ name: 'y', dtype: 'str', values: Array<string>(20).fill('a') })
    expect(issuePaths(() => new Lasso().fit(X, ys))).toEqual(['y'])
  })
  it('rejects a non-finite target under every solver, even at a zero weight', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      for (const dtype of ['f64', 'f32'] as const) {
        const v = Float64Array.from(y.values as Float64Array)
        v[7] = bad
        const yb =
          dtype === 'f64'
            ? createColumn({ name: 'y', dtype, values: v })
            : createColumn({ name: 'y', dtype, values: Float32Array.from(v) })
        const zeroAt7 = Float64Array.from({ length: 20 }, (_, i) => (i === 7 ? 0 : 1))
        for (const e of [
          new LinearRegression(),
          new Ridge(),
          new Ridge({ solver: 'svd' }),
          new Ridge({ positive: true }),
          new Lasso(),
        ]) {
          expect(issuePaths(() => e.fit(X, yb))).toEqual(['y'])
          expect(issuePaths(() => e.fit(X, yb, { sampleWeight: zeroAt7 }))).toEqual(['y'])
        }
      }
    }
  })
})

describe('fits', () => {
  it('the documented example: y = 1 + 2x', () => {
    const X = createFrame([
      createColumn({ name: 'x', dtype: 'f64', values: Float64Array.of(0, 1, 2, 3) }),
    ])
    const y = createColumn({ name: 'y', dtype: 'f64', values: Float64Array.of(1, 3, 5, 7) })
    const model = new LinearRegression().fit(X, y)
    expect(model.coef[0]).toBeCloseTo(2, 14)
    expect(model.intercept).toBeCloseTo(1, 14)
  })

  it('integer sample weights equal repeated rows', () => {
    const { X, y } = problem(40, 3, 5)
    const reps = Int32Array.from({ length: 40 }, (_, i) => i % 4)
    const idx = Int32Array.from(Array.from(reps).flatMap((r, i) => Array<number>(r).fill(i)))
    const Xr = X.take(idx)
    const yr = createFrame([y]).take(idx).columns[0]!
    for (const e of [
      new LinearRegression(),
      new Ridge({ alpha: 3 }),
      new Ridge({ alpha: 3, solver: 'svd' }),
    ]) {
      const a = fitOf(e, X, y, { sampleWeight: Float64Array.from(reps) })
      const b = fitOf(e, Xr, yr)
      for (let j = 0; j < 3; j++) expect(a.coef[j]).toBeCloseTo(b.coef[j]!, 9)
      expect(a.intercept).toBeCloseTo(b.intercept, 8)
    }
    // The lasso rescales weights to sum to n, so its alpha means the same per (weighted) row.
    const wl = fitOf(new Lasso({ alpha: 0.1, tol: 1e-12 }), X, y, {
      sampleWeight: Float64Array.from(reps),
    })
    const rl = fitOf(new Lasso({ alpha: 0.1, tol: 1e-12 }), Xr, yr)
    for (let j = 0; j < 3; j++) expect(wl.coef[j]).toBeCloseTo(rl.coef[j]!, 7)
  })

  it('the Gram solvers agree with the data solvers over many chunks (n = 20 001)', () => {
    const { X, y } = problem(20_001, 5, 2)
    const chol = fitOf(new Ridge({ alpha: 2 }), X, y)
    const svd = fitOf(new Ridge({ alpha: 2, solver: 'svd' }), X, y)
    expect(chol.diagnostics.solver).toBe('cholesky')
    for (let j = 0; j < 5; j++) expect(chol.coef[j]! / svd.coef[j]!).toBeCloseTo(1, 10)
    expect(chol.intercept / svd.intercept).toBeCloseTo(1, 9)
    const gram = fitOf(new Lasso({ alpha: 0.01, tol: 1e-12 }), X, y)
    const dense = fitOf(new Lasso({ alpha: 0.01, tol: 1e-12, precompute: false }), X, y)
    expect(gram.diagnostics.solver).toBe('cd-gram')
    expect(dense.diagnostics.solver).toBe('cd')
    for (let j = 0; j < 5; j++) expect(gram.coef[j]).toBeCloseTo(dense.coef[j]!, 8)
  })

  it('f32, i32 and bool columns fit like their f64 values', () => {
    const rng = createRng(3)
    const n = 101
    const a = Float32Array.from({ length: n }, () => rng.normal())
    const b = Int32Array.from({ length: n }, () => rng.int(7))
    const c = Uint8Array.from({ length: n }, () => rng.int(2))
    const y = createColumn({
      name: 'y',
      dtype: 'f64',
      values: Float64Array.from({ length: n }, (_, i) => a[i]! + 2 * b[i]! - c[i]! + rng.normal()),
    })
    const typed = createFrame([
      createColumn({ name: 'a', dtype: 'f32', values: a }),
      createColumn({ name: 'b', dtype: 'i32', values: b }),
      createColumn({ name: 'c', dtype: 'bool', values: c }),
    ])
    const f64 = createFrame(
      typed.columns.map((col) =>
        createColumn({
          name: col.name,
          dtype: 'f64',
          values: Float64Array.from(col.values as ArrayLike<number>),
        }),
      ),
    )
    for (const e of [new LinearRegression(), new Ridge(), new Lasso({ alpha: 0.01 })]) {
      expect(fitOf(e, typed, y).coef).toEqual(fitOf(e, f64, y).coef)
      const m = fitOf(e, f64, y)
      expect(m.predict(typed).values).toEqual(m.predict(f64).values)
    }
  })

  it('OLS is the minimum-norm solution on duplicated and constant columns', () => {
    const { X, y } = problem(50, 2, 4)
    const x0 = X.columns[0]!
    const Xd = createFrame([
      ...X.columns,
      createColumn({
        name: 'dup',
        dtype: 'f64',
        values: Float64Array.from(x0.values as Float64Array),
      }),
      createColumn({ name: 'const', dtype: 'f64', values: new Float64Array(50).fill(0.1) }),
    ])
    const single = new LinearRegression().fit(X, y)
    const dup = new LinearRegression().fit(Xd, y)
    expect(dup.diagnostics.rank).toBe(2)
    expect(dup.diagnostics.warnings[0]).toMatch(/rank deficient/)
    // The weight of x0 splits evenly between x0 and its copy; the constant column gets 0.
    expect(dup.coef[0]).toBeCloseTo(single.coef[0]! / 2, 10)
    expect(dup.coef[2]).toBeCloseTo(single.coef[0]! / 2, 10)
    expect(dup.coef[1]).toBeCloseTo(single.coef[1]!, 10)
    expect(dup.coef[3]).toBeCloseTo(0, 12)
    expect(dup.intercept).toBeCloseTo(single.intercept, 9)
  })

  it('fitIntercept false gives intercept 0', () => {
    const { X, y } = problem(30, 3)
    for (const e of [
      new LinearRegression({ fitIntercept: false }),
      new Ridge({ fitIntercept: false }),
      new Lasso({ fitIntercept: false }),
      new ElasticNet({ fitIntercept: false }),
    ])
      expect(fitOf(e, X, y).intercept).toBe(0)
  })

  it('records non-convergence in diagnostics instead of throwing', () => {
    const { X, y } = problem(60, 4)
    const m = new Lasso({ alpha: 1e-4, maxIter: 2, tol: 1e-12 }).fit(X, y)
    expect(m.diagnostics.converged).toBe(false)
    expect(m.diagnostics.nIter).toBe(2)
    expect(m.diagnostics.warnings.join()).toMatch(/did not converge.*Duality gap/)
    expect(m.diagnostics.dualGap).toBeGreaterThan(0)
    const r = new Ridge({ solver: 'lsqr', maxIter: 1, tol: 1e-14 }).fit(X, y)
    expect(r.diagnostics.converged).toBe(false)
    const zero = new Lasso({ alpha: 0 }).fit(X, y)
    expect(zero.diagnostics.warnings.join()).toMatch(/alpha=0/)
  })

  it('positive constrains every coefficient to ≥ 0', () => {
    const { X, y } = problem(80, 6, 8)
    for (const e of [
      new LinearRegression({ positive: true }),
      new Ridge({ positive: true, alpha: 3 }),
      new Lasso({ positive: true, alpha: 0.01 }),
      new ElasticNet({ positive: true, alpha: 0.01 }),
    ]) {
      const m = fitOf(e, X, y)
      expect(Math.min(...m.coef)).toBeGreaterThanOrEqual(0)
      expect(Math.max(...m.coef)).toBeGreaterThan(0)
    }
  })

  it('reports progress per epoch and stops on an abort signalled mid-fit', () => {
    const { X, y } = problem(60, 4)
    const steps: number[] = []
    new Lasso({ alpha: 1e-3, tol: 1e-12 }).fit(X, y, { onProgress: (p) => steps.push(p.step) })
    expect(steps.length).toBeGreaterThan(2)
    const ac = new AbortController()
    expect(() =>
      new Lasso({ alpha: 1e-6, tol: 0, maxIter: 1000 }).fit(X, y, {
        signal: ac.signal,
        onProgress: (p) => {
          if (p.step === 5) ac.abort()
        },
      }),
    ).toThrow(CancelledError)
  })

  it('a one-row fit predicts the target', () => {
    const { X, y } = problem(1, 3)
    for (const e of [new LinearRegression(), new Ridge(), new Lasso()]) {
      const m = fitOf(e, X, y)
      expect(m.predict(X).values[0]).toBeCloseTo(y.values[0] as number, 9)
    }
  })
})

describe('paths', () => {
  const { X, y } = problem(80, 5, 6)
  it('start at alphaMax with all-zero coefficients and warm-start down the grid', () => {
    const path = lassoPath(X, y, { nAlphas: 12, fitIntercept: true })
    expect(path.alphas).toHaveLength(12)
    for (let k = 1; k < 12; k++) expect(path.alphas[k]!).toBeLessThan(path.alphas[k - 1]!)
    expect(path.alphas[11]! / path.alphas[0]!).toBeCloseTo(1e-3, 12)
    expect(Array.from(path.coefs[0]!).every((v) => Math.abs(v) < 1e-12)).toBe(true)
    // The last fit equals a cold-start fit at the same alpha.
    const m = new Lasso({ alpha: path.alphas[11]!, tol: 1e-12 }).fit(X, y)
    const tight = lassoPath(X, y, { nAlphas: 12, fitIntercept: true, tol: 1e-12 })
    for (let j = 0; j < 5; j++) expect(tight.coefs[11]![j]).toBeCloseTo(m.coef[j]!, 7)
    expect(tight.intercepts[11]).toBeCloseTo(m.intercept, 6)
  })
  it('needs explicit alphas when l1Ratio is 0', () => {
    expect(() => enetPath(X, y, { l1Ratio: 0 })).toThrow(ValidationError)
    const ridgeLike = enetPath(X, y, { l1Ratio: 0, alphas: [0.1, 1] })
    expect(Array.from(ridgeLike.alphas)).toEqual([1, 0.1])
  })
})

describe('cross products (property)', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 9000 }),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
      fc.boolean(),
      fc.integer({ min: 0, max: 1000 }),
    ],
    PARAMS,
  )('Ridge gives the same bits on WebAssembly and JS kernels', async (n, p, weighted, f32, s) => {
    const { crossProducts } = await import('./cross-products.js')
    const rng = createRng(s)
    const cols = Array.from({ length: p }, (_, j) =>
      f32
        ? createColumn({
            name: `c${j}`,
            dtype: 'f32',
            values: Float32Array.from({ length: n }, () => rng.normal() * 3 + j),
          })
        : createColumn({
            name: `c${j}`,
            dtype: 'f64',
            values: Float64Array.from({ length: n }, () => rng.normal() * 3 + j),
          }),
    )
    const y = Float64Array.from({ length: n }, () => rng.normal())
    const weights = weighted ? Float64Array.from({ length: n }, () => rng.int(3)) : undefined
    const opts = { center: true, weights }
    const a = crossProducts(cols, y, { ...opts, backend: 'wasm' })
    const b = crossProducts(cols, y, { ...opts, backend: 'js' })
    expect(a.backend).toBe('wasm')
    expect(Array.from(a.gram)).toEqual(Array.from(b.gram))
    expect(Array.from(a.mean)).toEqual(Array.from(b.mean))
    // And agree with the two-pass textbook computation.
    const q = p + 1
    const Z = [...cols.map((c) => Float64Array.from(c.values as Float32Array)), y]
    const w = weights ?? new Float64Array(n).fill(1)
    const W = w.reduce((t, v) => t + v, 0)
    if (W === 0) return
    const m = Z.map((z) => z.reduce((t, v, i) => t + w[i]! * v, 0) / W)
    for (let r = 0; r < q; r++) {
      for (let c = 0; c < q; c++) {
        let g = 0
        for (let i = 0; i < n; i++) g += w[i]! * (Z[r]![i]! - m[r]!) * (Z[c]![i]! - m[c]!)
        const scale = Math.sqrt(Math.abs(a.gram[r * q + r]! * a.gram[c * q + c]!)) + 1e-300
        expect(Math.abs(a.gram[r * q + c]! - g) / scale).toBeLessThan(1e-12)
      }
      expect(Math.abs(a.mean[r]! - m[r]!)).toBeLessThan(1e-12 * (1 + Math.abs(m[r]!)))
    }
  })
})
