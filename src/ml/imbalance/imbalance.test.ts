import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { CancelledError, ValidationError, createRng } from '../../core/index.js'
import { createColumn, createFrame, type Column, type Frame } from '../../frame/index.js'
import { encodeClasses, classCounts } from '../base/index.js'

import {
  IMBALANCE_SAMPLERS,
  RandomOverSampler,
  RandomUnderSampler,
  Smote,
  nearestNeighbors,
  samplingTargets,
  type ResampleResult,
  type SamplingStrategy,
} from './index.js'

const PARAMS = { seed: 20240611, numRuns: 60 }

function values(c: Column): unknown[] {
  return Array.from(c.values as ArrayLike<unknown>)
}

/** Class label → row count of a resampled y. */
function countsOf(y: Column): Record<string, number> {
  const out: Record<string, number> = {}
  for (let i = 0; i < y.length; i++) {
    const v = y.dtype === 'cat' ? y.categories[y.values[i]!]! : String(y.values[i])
    out[v] = (out[v] ?? 0) + 1
  }
  return out
}

function issuesOf(fn: () => unknown): { path: string; code: string }[] {
  try {
    fn()
  } catch (err) {
    if (err instanceof ValidationError)
      return err.issues.map((i) => ({ path: i.path.join('.'), code: i.code }))
    throw err
  }
  throw new Error('expected a ValidationError')
}

/** 2-D numeric data with classes a (n[0] rows), b (n[1]), c (n[2]), labels as a str column. */
function imbalanced(sizes: readonly number[], seed = 1): { X: Frame; y: Column } {
  const rng = createRng(seed)
  const x0: number[] = []
  const x1: number[] = []
  const labels: string[] = []
  sizes.forEach((size, c) => {
    for (let i = 0; i < size; i++) {
      x0.push(rng.normal() + 3 * c)
      x1.push(rng.normal() - c)
      labels.push('abc'[c]!)
    }
  })
  // Interleave the classes so that row order is not class order.
  const order = rng.shuffle(Array.from({ length: labels.length }, (_, i) => i))
  return {
    X: createFrame([
      createColumn({ name: 'x0', dtype: 'f64', values: Float64Array.from(order, (i) => x0[i]!) }),
      createColumn({ name: 'x1', dtype: 'f64', values: Float64Array.from(order, (i) => x1[i]!) }),
    ]),
    y: createColumn({ name: 'y', dtype: 'str', values: order.map((i) => labels[i]!) }),
  }
}

describe('samplingTargets (imbalanced-learn semantics)', () => {
  const { X, y } = imbalanced([10, 5, 2])
  const target = encodeClasses(X, y, 'test')
  const counts = classCounts(target)
  const over = (s: SamplingStrategy) => Array.from(samplingTargets(s, target, counts, 'over'))
  const under = (s: SamplingStrategy) => Array.from(samplingTargets(s, target, counts, 'under'))

  it('resolves the keywords', () => {
    expect(over('auto')).toEqual([-1, 5, 8])
    expect(over('not majority')).toEqual([-1, 5, 8])
    expect(over('minority')).toEqual([-1, -1, 8])
    expect(over('not minority')).toEqual([0, 5, -1])
    expect(over('all')).toEqual([0, 5, 8])
    expect(under('auto')).toEqual([2, 2, -1])
    expect(under('not minority')).toEqual([2, 2, -1])
    expect(under('majority')).toEqual([2, -1, -1])
    expect(under('not majority')).toEqual([-1, 2, 2])
    expect(under('all')).toEqual([2, 2, 2])
  })

  it('takes per-class counts and rejects impossible ones', () => {
    expect(over({ b: 7, c: 2 })).toEqual([-1, 2, 0])
    expect(under({ a: 3 })).toEqual([3, -1, -1])
    expect(issuesOf(() => over({ b: 4 }))).toEqual([
      { path: 'params.samplingStrategy.b', code: 'invalid_value' },
    ])
    expect(issuesOf(() => under({ a: 11 }))).toEqual([
      { path: 'params.samplingStrategy.a', code: 'invalid_value' },
    ])
    expect(issuesOf(() => over({ z: 4 }))).toEqual([
      { path: 'params.samplingStrategy.z', code: 'invalid_value' },
    ])
    expect(issuesOf(() => over(0.5))).toEqual([
      { path: 'params.samplingStrategy', code: 'invalid_value' },
    ])
  })

  it('turns a ratio into counts on a binary target, truncating like imbalanced-learn', () => {
    const bin = imbalanced([10, 3])
    const t = encodeClasses(bin.X, bin.y, 'test')
    const cs = classCounts(t)
    expect(Array.from(samplingTargets(0.55, t, cs, 'over'))).toEqual([-1, 2])
    expect(Array.from(samplingTargets(0.7, t, cs, 'under'))).toEqual([4, -1])
    expect(issuesOf(() => samplingTargets(0.2, t, cs, 'over'))[0]?.path).toBe(
      'params.samplingStrategy',
    )
    expect(Array.from(samplingTargets(1, t, cs, 'under'))).toEqual([3, -1])
  })
})

function expectOriginalsFirst(X: Frame, y: Column, r: ResampleResult): void {
  const n = X.nRows
  expect(r.X.slice(0, n).toRows()).toEqual(X.toRows())
  expect(values(r.y).slice(0, n)).toEqual(values(y))
}

describe('RandomOverSampler', () => {
  const { X, y } = imbalanced([12, 5, 3])

  it('grows the classes to exactly the strategy, keeping the input rows first', () => {
    const r = new RandomOverSampler({ seed: 3 }).resample(X, y)
    expect(countsOf(r.y)).toEqual({ a: 12, b: 12, c: 12 })
    expectOriginalsFirst(X, y, r)
    // Every added row is a copy of a row of its own class.
    const idx = r.sampleIndices!
    for (let i = X.nRows; i < r.X.nRows; i++) {
      expect(r.y.values[i]).toBe(y.values[idx[i]!])
      expect(r.X.toRows(i + 1)[i]).toEqual(X.toRows(idx[i]! + 1)[idx[i]!])
    }
    expect(
      countsOf(new RandomOverSampler({ samplingStrategy: { c: 4 } }).resample(X, y).y),
    ).toEqual({ a: 12, b: 5, c: 4 })
  })

  it('is reproducible from its seed (or the rng option) and leaves its input alone', () => {
    const before = JSON.stringify([X.toRows(), values(y)])
    const a = new RandomOverSampler({ seed: 9 }).resample(X, y)
    const b = new RandomOverSampler({ seed: 9 }).resample(X, y)
    const c = new RandomOverSampler({ seed: 10 }).resample(X, y)
    const d = new RandomOverSampler().resample(X, y, { rng: createRng(9) })
    expect(Array.from(a.sampleIndices!)).toEqual(Array.from(b.sampleIndices!))
    expect(Array.from(a.sampleIndices!)).not.toEqual(Array.from(c.sampleIndices!))
    expect(Array.from(a.sampleIndices!)).toEqual(Array.from(d.sampleIndices!))
    expect(JSON.stringify([X.toRows(), values(y)])).toBe(before)
  })

  it('takes any column dtype and missing values, and keeps a cat target', () => {
    const Xm = createFrame([
      createColumn({ name: 's', dtype: 'str', values: ['p', 'q', 'r', 's'] }),
      createColumn({
        name: 'v',
        dtype: 'f64',
        values: Float64Array.of(1, 2, 3, 4),
        validity: Uint8Array.of(1, 0, 1, 1),
      }),
    ])
    const yc = createColumn({
      name: 'y',
      dtype: 'cat',
      values: Int32Array.of(0, 0, 0, 1),
      categories: ['no', 'yes'],
    })
    const r = new RandomOverSampler().resample(Xm, yc)
    expect(r.y.dtype).toBe('cat')
    expect(countsOf(r.y)).toEqual({ no: 3, yes: 3 })
    expect(r.X.toRows().slice(4)).toEqual([
      { s: 's', v: 4 },
      { s: 's', v: 4 },
    ])
  })

  it('validates parameters and the target', () => {
    const s = new RandomOverSampler()
    expect(
      issuesOf(() => s.withParams({ samplingStrategy: 'majority' } as never).resample(X, y)),
    ).toMatchObject([{ path: 'params.samplingStrategy' }])
    expect(issuesOf(() => s.withParams({ seed: -1 }).resample(X, y))[0]?.path).toBe('params.seed')
    expect(issuesOf(() => s.resample(X, createFrame([y]).slice(0, 3).columns[0]!))[0]?.path).toBe(
      'y',
    )
    const one = createColumn({ name: 'y', dtype: 'str', values: Array(X.nRows).fill('a') })
    expect(issuesOf(() => s.resample(X, one))).toEqual([{ path: 'y', code: 'too_few_classes' }])
    const missing = createColumn({
      name: 'y',
      dtype: 'f64',
      values: new Float64Array(X.nRows),
      validity: Uint8Array.from({ length: X.nRows }, (_, i) => (i === 2 ? 0 : 1)),
    })
    expect(issuesOf(() => s.resample(X, missing))[0]?.code).toBe('missing_values')
    expect(
      issuesOf(() => s.resample(X.slice(0, 0), createFrame([y]).slice(0, 0).columns[0]!))[0]?.path,
    ).toBe('X')
    const ac = new AbortController()
    ac.abort()
    expect(() => s.resample(X, y, { signal: ac.signal })).toThrow(CancelledError)
  })
})

describe('RandomOverSampler with shrinkage (smoothed bootstrap)', () => {
  const { X, y } = imbalanced([3000, 600])

  it('adds Gaussian noise of sd shrinkage · h · σ_class to each drawn row', () => {
    const shrinkage = 2
    const r = new RandomOverSampler({ shrinkage, seed: 7 }).resample(X, y)
    expect(countsOf(r.y)).toEqual({ a: 3000, b: 3000 })
    expectOriginalsFirst(X, y, r)
    const n = X.nRows
    const d = 2
    const h = Math.pow(4 / ((d + 2) * n), 1 / (d + 4))
    const idx = r.sampleIndices!
    for (const name of ['x0', 'x1']) {
      const src = X.column(name, 'f64').values
      const out = r.X.column(name, 'f64').values
      const minority = Array.from(src).filter((_, i) => y.values[i] === 'b')
      const mu = minority.reduce((a, b) => a + b, 0) / minority.length
      const sigma = Math.sqrt(minority.reduce((a, b) => a + (b - mu) ** 2, 0) / minority.length)
      let ss = 0
      let sum = 0
      for (let i = n; i < r.X.nRows; i++) {
        expect(r.y.values[i]).toBe('b')
        const e = out[i]! - src[idx[i]!]!
        sum += e
        ss += e * e
      }
      const m = r.X.nRows - n
      const sd = Math.sqrt(ss / m)
      expect(Math.abs(sum / m)).toBeLessThan(0.05 * shrinkage * h * sigma)
      expect(sd / (shrinkage * h * sigma)).toBeGreaterThan(0.96)
      expect(sd / (shrinkage * h * sigma)).toBeLessThan(1.04)
    }
  })

  it('gives exact copies with shrinkage 0 and validates the factors and features', () => {
    const r0 = new RandomOverSampler({ shrinkage: 0, seed: 1 }).resample(X, y)
    const r1 = new RandomOverSampler({ seed: 1 }).resample(X, y)
    expect(r0.X.toRows()).toEqual(r1.X.toRows())
    const s = new RandomOverSampler({ shrinkage: { a: 1 } })
    expect(issuesOf(() => s.resample(X, y))).toEqual([
      { path: 'params.shrinkage', code: 'missing_class' },
    ])
    expect(issuesOf(() => s.withParams({ shrinkage: { b: 1, z: 1 } }).resample(X, y))).toEqual([
      { path: 'params.shrinkage.z', code: 'invalid_value' },
    ])
    expect(issuesOf(() => s.withParams({ shrinkage: -1 }).resample(X, y))[0]?.path).toBe(
      'params.shrinkage',
    )
    const withText = X.withColumn(
      createColumn({ name: 't', dtype: 'str', values: Array(X.nRows).fill('x') }),
    )
    expect(issuesOf(() => s.withParams({ shrinkage: 1 }).resample(withText, y))).toEqual([
      { path: 'X.t', code: 'not_numeric' },
    ])
    expect(() => new RandomOverSampler().resample(withText, y)).not.toThrow()
  })
})

describe('RandomUnderSampler', () => {
  const { X, y } = imbalanced([12, 5, 3])

  it('shrinks the classes to exactly the strategy, grouped by class, without repeats', () => {
    const r = new RandomUnderSampler({ seed: 2 }).resample(X, y)
    expect(countsOf(r.y)).toEqual({ a: 3, b: 3, c: 3 })
    const idx = Array.from(r.sampleIndices!)
    expect(new Set(idx).size).toBe(idx.length)
    expect(values(r.y)).toEqual(['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c'])
    for (let i = 0; i < idx.length; i++) expect(r.y.values[i]).toBe(y.values[idx[i]!])
    // Within a class, rows keep their input order.
    for (let i = 1; i < idx.length; i++)
      if (r.y.values[i] === r.y.values[i - 1]) expect(idx[i]!).toBeGreaterThan(idx[i - 1]!)
    expect(
      countsOf(new RandomUnderSampler({ samplingStrategy: { a: 7, b: 0 } }).resample(X, y).y),
    ).toEqual({ a: 7, c: 3 })
  })

  it('draws with replacement when asked, and is reproducible', () => {
    const a = new RandomUnderSampler({ replacement: true, samplingStrategy: 'all', seed: 5 })
    const r1 = a.resample(X, y)
    const r2 = a.resample(X, y)
    expect(Array.from(r1.sampleIndices!)).toEqual(Array.from(r2.sampleIndices!))
    expect(countsOf(r1.y)).toEqual({ a: 3, b: 3, c: 3 })
    expect(
      issuesOf(() => a.withParams({ samplingStrategy: 'minority' } as never).resample(X, y))[0]
        ?.path,
    ).toBe('params.samplingStrategy')
  })
})

/** The exact k nearest same-class rows of `a` (indices into `pts`), ties to the lower index. */
function kNearest(pts: readonly number[][], a: number, k: number): number[] {
  const dist = (p: number[], q: number[]) => p.reduce((s, v, t) => s + (v - q[t]!) ** 2, 0)
  return pts
    .map((p, j) => ({ j, d: dist(pts[a]!, p) }))
    .filter((e) => e.j !== a)
    .sort((u, v) => u.d - v.d || u.j - v.j)
    .slice(0, k)
    .map((e) => e.j)
}

function rowsOf(X: Frame): number[][] {
  return Array.from({ length: X.nRows }, (_, i) => X.columns.map((c) => Number(c.values[i])))
}

/** True when `s` = `a + u (b − a)` for one u in [0, 1] (to rounding). */
function onSegment(s: number[], a: number[], b: number[]): boolean {
  let u: number | undefined
  for (let t = 0; t < s.length; t++) {
    const span = b[t]! - a[t]!
    if (Math.abs(span) < 1e-12) {
      if (Math.abs(s[t]! - a[t]!) > 1e-12) return false
      continue
    }
    const ut = (s[t]! - a[t]!) / span
    if (ut < -1e-9 || ut > 1 + 1e-9) return false
    if (u === undefined) u = ut
    else if (Math.abs(u - ut) > 1e-9) return false
  }
  return true
}

describe('Smote', () => {
  const { X, y } = imbalanced([20, 9, 6])

  it('grows the classes to exactly the strategy, with synthetic rows between a row and one of its k nearest same-class rows', () => {
    const k = 3
    const r = new Smote({ kNeighbors: k, seed: 4 }).resample(X, y)
    expect(countsOf(r.y)).toEqual({ a: 20, b: 20, c: 20 })
    expectOriginalsFirst(X, y, r)
    const all = rowsOf(X)
    const out = rowsOf(r.X)
    for (let i = X.nRows; i < r.X.nRows; i++) {
      const label = r.y.values[i]
      const members = all.filter((_, j) => y.values[j] === label)
      const ok = members.some((_, a) =>
        kNearest(members, a, k).some((b) => onSegment(out[i]!, members[a]!, members[b]!)),
      )
      expect(ok, `synthetic row ${i}`).toBe(true)
    }
  })

  test.prop(
    [
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 6, max: 14 }),
      fc.integer({ min: 15, max: 30 }),
      fc.integer({ min: 1, max: 4 }),
      fc.nat(1000),
    ],
    PARAMS,
  )(
    'counts match, originals are kept, and new rows lie on minority neighbour segments',
    (k, nMinority, nMajority, d, seed) => {
      const rng = createRng(seed)
      const n = nMinority + nMajority
      // Few distinct values, so that equal distances (ties) happen.
      const cols = Array.from({ length: d }, (_, j) =>
        createColumn({
          name: `f${j}`,
          dtype: 'f64',
          values: Float64Array.from({ length: n }, () => rng.int(5) - 2),
        }),
      )
      const Xp = createFrame(cols)
      const yp = createColumn({
        name: 'y',
        dtype: 'i32',
        values: Int32Array.from({ length: n }, (_, i) =>
          i % 3 === 0 && i / 3 < nMinority ? 1 : 0,
        ),
      })
      const target = classCounts(encodeClasses(Xp, yp, 't'))
      const minority = target[1]!
      if (minority <= k) {
        expect(issuesOf(() => new Smote({ kNeighbors: k }).resample(Xp, yp))[0]?.path).toBe(
          'params.kNeighbors',
        )
        return
      }
      const r = new Smote({ kNeighbors: k, seed }).resample(Xp, yp)
      expect(countsOf(r.y)).toEqual({ '0': target[0]!, '1': target[0]! })
      expectOriginalsFirst(Xp, yp, r)
      const members = rowsOf(Xp).filter((_, j) => yp.values[j] === 1)
      const out = rowsOf(r.X)
      for (let i = n; i < r.X.nRows; i++) {
        expect(r.y.values[i]).toBe(1)
        const ok = members.some((_, a) =>
          kNearest(members, a, k).some((b) => onSegment(out[i]!, members[a]!, members[b]!)),
        )
        expect(ok).toBe(true)
      }
      const again = new Smote({ kNeighbors: k, seed }).resample(Xp, yp)
      expect(again.X.toRows()).toEqual(r.X.toRows())
    },
  )

  it('is reproducible and leaves its input alone', () => {
    const before = JSON.stringify([X.toRows(), values(y)])
    const a = new Smote({ seed: 1 }).resample(X, y)
    const b = new Smote({ seed: 1 }).resample(X, y)
    const c = new Smote({ seed: 2 }).resample(X, y)
    expect(a.X.toRows()).toEqual(b.X.toRows())
    expect(a.X.toRows()).not.toEqual(c.X.toRows())
    expect(JSON.stringify([X.toRows(), values(y)])).toBe(before)
  })

  it('takes numeric features only, finite and present', () => {
    const s = new Smote({ kNeighbors: 2 })
    const withCat = X.withColumn(
      createColumn({ name: 'c', dtype: 'cat', values: new Int32Array(X.nRows), categories: ['u'] }),
    )
    expect(issuesOf(() => s.resample(withCat, y))).toEqual([{ path: 'X.c', code: 'not_numeric' }])
    const x0 = Float64Array.from(X.column('x0', 'f64').values)
    x0[4] = NaN
    const withNaN = X.withColumn(createColumn({ name: 'x0', dtype: 'f64', values: x0 }))
    expect(issuesOf(() => s.resample(withNaN, y))).toEqual([{ path: 'X.x0', code: 'non_finite' }])
    expect(issuesOf(() => s.resample(X.select([]), y))).toEqual([
      { path: 'X', code: 'no_features' },
    ])
    expect(issuesOf(() => s.withParams({ kNeighbors: 0 }).resample(X, y))[0]?.path).toBe(
      'params.kNeighbors',
    )
    expect(issuesOf(() => s.withParams({ kNeighbors: 6 }).resample(X, y))).toEqual([
      { path: 'params.kNeighbors', code: 'too_few_rows' },
    ])
    // kNeighbors only matters for classes that grow.
    expect(() =>
      s.withParams({ kNeighbors: 6, samplingStrategy: { b: 12 } }).resample(X, y),
    ).not.toThrow()
  })

  it('keeps integer and boolean columns in their dtype (rounded) and f32 in f32', () => {
    const n = 12
    const Xd = createFrame([
      createColumn({
        name: 'i',
        dtype: 'i32',
        values: Int32Array.from({ length: n }, (_, i) => i * 3),
      }),
      createColumn({
        name: 'b',
        dtype: 'bool',
        values: Uint8Array.from({ length: n }, (_, i) => i % 2),
      }),
      createColumn({
        name: 'f',
        dtype: 'f32',
        values: Float32Array.from({ length: n }, (_, i) => i / 3),
      }),
    ])
    const yd = createColumn({
      name: 'y',
      dtype: 'bool',
      values: Uint8Array.from({ length: n }, (_, i) => (i < 4 ? 1 : 0)),
    })
    const r = new Smote({ kNeighbors: 2 }).resample(Xd, yd)
    expect(r.X.columns.map((c) => c.dtype)).toEqual(['i32', 'bool', 'f32'])
    expect(r.y.dtype).toBe('bool')
    expect(countsOf(r.y)).toEqual({ '0': 8, '1': 8 })
    for (let i = n; i < r.X.nRows; i++) {
      expect(Number.isInteger(r.X.column('i').values[i])).toBe(true)
      expect(r.X.column('i').values[i]).toBeLessThanOrEqual(9)
    }
  })

  it('stops on an aborted signal', () => {
    const ac = new AbortController()
    ac.abort()
    expect(() => new Smote().resample(X, y, { signal: ac.signal })).toThrow(CancelledError)
  })
})

describe('nearestNeighbors', () => {
  it('matches the documented example', () => {
    expect(
      Array.from(nearestNeighbors(4, 1, Float64Array.of(0, 1, 3, 10), 0, 2, new Int32Array(8))),
    ).toEqual([1, 2, 0, 2, 1, 0, 2, 1])
  })

  test.prop(
    [fc.integer({ min: 2, max: 25 }), fc.integer({ min: 1, max: 5 }), fc.nat(1000)],
    PARAMS,
  )('equals a sort of all distances (ties to the lower index), at an offset', (m, d, seed) => {
    const rng = createRng(seed)
    const k = 1 + rng.int(m - 1)
    const x = Float64Array.from({ length: 3 + m * d }, () => rng.int(4))
    const out = nearestNeighbors(m, d, x, 3, k, new Int32Array(m * k))
    const pts = Array.from({ length: m }, (_, i) =>
      Array.from(x.subarray(3 + i * d, 3 + i * d + d)),
    )
    for (let i = 0; i < m; i++)
      expect(Array.from(out.subarray(i * k, i * k + k))).toEqual(kNearest(pts, i, k))
  })
})

describe('IMBALANCE_SAMPLERS', () => {
  it('builds every sampler by kind', () => {
    const { X, y } = imbalanced([10, 6])
    for (const e of IMBALANCE_SAMPLERS) {
      const s = e.create({ seed: 1 })
      expect(s.kind).toBe(e.kind)
      const r = s.resample(X, y)
      const c = countsOf(r.y)
      expect(c['a']).toBe(c['b'])
    }
  })
})
