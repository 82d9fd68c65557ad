import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { ValidationError } from '../../core/index.js'
import { createColumn, createFrame, type Frame } from '../../frame/index.js'
import { estimatorChecks } from '../checks/index.js'

import {
  MinMaxScaler,
  RobustScaler,
  StandardScaler,
  loadMinMaxScaler,
  loadRobustScaler,
  loadStandardScaler,
} from './index.js'

const PARAMS = { seed: 20240611, numRuns: 100 }

/** The issue paths and messages of the ValidationError `fn` throws. */
function issuesOf(fn: () => unknown): string[] {
  try {
    fn()
  } catch (err) {
    if (err instanceof ValidationError)
      return err.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    throw err
  }
  throw new Error('expected a ValidationError')
}

describe('checkEstimator', () => {
  const specs = [
    ['standard-scaler', () => new StandardScaler(), loadStandardScaler],
    [
      'min-max-scaler',
      () => new MinMaxScaler({ featureRange: [-1, 1], clip: true }),
      loadMinMaxScaler,
    ],
    ['robust-scaler', () => new RobustScaler(), loadRobustScaler],
  ] as const
  for (const [name, make, load] of specs) {
    describe(name, () => {
      for (const c of estimatorChecks({
        task: 'transform',
        make,
        load,
        missing: 'handle',
        oneRow: 'fit',
      }))
        it(c.name, c.run)
    })
  }
})

function frameOf(cols: Record<string, number[]>): Frame {
  return createFrame(
    Object.entries(cols).map(([name, v]) =>
      createColumn({ name, dtype: 'f64', values: Float64Array.from(v) }),
    ),
  )
}

function col(X: Frame, name: string): number[] {
  return Array.from(X.column(name).values as Float64Array)
}

describe('StandardScaler', () => {
  it('standardizes with the population standard deviation', () => {
    const X = frameOf({ a: [1, 2, 3, 4], b: [10, 10, 10, 10] })
    const m = new StandardScaler().fit(X)
    expect(Array.from(m.mean)).toEqual([2.5, 10])
    expect(Array.from(m.scale)).toEqual([Math.sqrt(1.25), 1])
    expect(col(m.transform(X), 'b')).toEqual([0, 0, 0, 0])
    expect(m.diagnostics.warnings).toEqual(['column "b" is constant; its scale is 1'])
  })
  it('skips missing rows and NaN at fit and keeps them at transform', () => {
    const X = createFrame([
      createColumn({
        name: 'a',
        dtype: 'f64',
        values: Float64Array.of(1, 99, 3, NaN),
        validity: Uint8Array.of(1, 0, 1, 1),
      }),
    ])
    const m = new StandardScaler().fit(X)
    expect(m.mean[0]).toBe(2)
    const out = m.transform(X).column('a')
    expect(out.validity).toEqual(Uint8Array.of(1, 0, 1, 1))
    expect(Array.from(out.values as Float64Array)).toEqual([-1, NaN, 1, NaN])
  })
  it('accepts i32 and bool columns and rejects text', () => {
    const X = createFrame([
      createColumn({ name: 'i', dtype: 'i32', values: Int32Array.of(1, 2, 3) }),
      createColumn({ name: 'b', dtype: 'bool', values: Uint8Array.of(0, 1, 1) }),
    ])
    expect(new StandardScaler().fit(X).transform(X).column('i').dtype).toBe('f64')
    const bad = createFrame([createColumn({ name: 's', dtype: 'str', values: ['a', 'b'] })])
    expect(() => new StandardScaler().fit(bad)).toThrow(ValidationError)
  })
  it('rejects infinite values at fit and transform', () => {
    const X = frameOf({ a: [1, 2, Infinity] })
    expect(issuesOf(() => new StandardScaler().fit(X))).toEqual([
      'X.a: column "a" has 1 infinite value(s), first at row 2',
    ])
    const m = new StandardScaler().fit(frameOf({ a: [1, 2, 3] }))
    expect(() => m.transform(X)).toThrow(ValidationError)
  })
})

describe('MinMaxScaler', () => {
  it('maps the training range onto featureRange and clips held-out data', () => {
    const m = new MinMaxScaler({ featureRange: [-1, 1], clip: true }).fit(
      frameOf({ a: [0, 5, 10] }),
    )
    expect(col(m.transform(frameOf({ a: [0, 5, 10, 20, -20] })), 'a')).toEqual([-1, 0, 1, 1, -1])
  })
  it('rejects an empty feature range', () => {
    expect(
      issuesOf(() => new MinMaxScaler({ featureRange: [1, 1] }).fit(frameOf({ a: [0, 1] }))),
    ).toEqual(['params.featureRange: featureRange must be finite [lo, hi] with lo < hi'])
  })
})

describe('RobustScaler', () => {
  it('uses the median and the numpy-interpolated interquartile range', () => {
    const m = new RobustScaler().fit(frameOf({ a: [1, 2, 3, 4, 100] }))
    expect(m.center[0]).toBe(3)
    expect(m.scale[0]).toBe(2)
  })
  it('rejects a quantile range outside [0, 100]', () => {
    expect(
      issuesOf(() => new RobustScaler({ quantileRange: [50, 20] }).fit(frameOf({ a: [0, 1] }))),
    ).toEqual(['params.quantileRange: quantileRange must satisfy 0 ≤ qMin ≤ qMax ≤ 100'])
  })
})

const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true })
const columnArb = fc.array(finite, { minLength: 1, maxLength: 40 })

describe('properties', () => {
  const scalers = [
    ['standard', () => new StandardScaler()],
    ['standard without mean', () => new StandardScaler({ withMean: false })],
    ['min-max', () => new MinMaxScaler({ featureRange: [-2, 3] })],
    ['robust', () => new RobustScaler({ quantileRange: [10, 90] })],
  ] as const
  for (const [name, make] of scalers) {
    test.prop([columnArb, columnArb], PARAMS)(`${name}: inverse(transform(x)) ≈ x`, (a, b) => {
      const n = Math.min(a.length, b.length)
      const X = frameOf({ a: a.slice(0, n), b: b.slice(0, n) })
      const m = make().fit(X)
      const back = m.inverseTransform(m.transform(X))
      for (const name of ['a', 'b']) {
        const got = col(back, name)
        const want = col(X, name)
        const spread = Math.max(1, ...want.map(Math.abs))
        got.forEach((g, i) => {
          expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(1e-9 * spread)
        })
      }
    })
    test.prop([columnArb], PARAMS)(`${name}: fitting twice gives the same model`, (a) => {
      const X = frameOf({ a })
      const e = make()
      expect(JSON.stringify(e.fit(X).toJSON())).toBe(JSON.stringify(e.fit(X).toJSON()))
    })
  }
})
