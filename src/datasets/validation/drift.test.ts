import { describe, expect, it } from 'vitest'

import {
  DEFAULT_DRIFT_THRESHOLDS,
  alignCounts,
  chooseDriftMethod,
  scoreCategorical,
  scoreLInfinity,
  scoreNumeric,
} from './drift.js'

const counts = (o: Record<string, number>) => new Map(Object.entries(o))

describe('chooseDriftMethod (Evidently defaults)', () => {
  it.each([
    ['numeric', 6, 1000, 'ks'],
    ['numeric', 6, 1001, 'wasserstein'],
    ['numeric', 5, 1000, 'chisquare'],
    ['numeric', 3, 5000, 'jensenshannon'],
    ['numeric', 2, 1000, 'z'],
    ['numeric', 2, 1001, 'jensenshannon'],
    ['categorical', 40, 10, 'chisquare'],
    ['categorical', 40, 10_000, 'jensenshannon'],
    ['categorical', 2, 10, 'z'],
    ['categorical', 1, 10_000, 'jensenshannon'],
  ] as const)('%s with %i unique and %i reference rows → %s', (type, n, rows, method) => {
    expect(chooseDriftMethod(type, n, rows)).toBe(method)
  })
})

describe('scores', () => {
  it('aligns counts on the sorted union of categories', () => {
    const a = alignCounts(counts({ b: 2, a: 1 }), counts({ c: 5, a: 3 }))
    expect(a.keys).toEqual(['a', 'b', 'c'])
    expect([...a.ref]).toEqual([1, 2, 0])
    expect([...a.cur]).toEqual([3, 0, 5])
  })

  it('reports a χ² p-value against its threshold, and null for an infinite statistic', () => {
    const same = scoreCategorical(
      'chisquare',
      counts({ a: 10, b: 20 }),
      counts({ a: 20, b: 40 }),
      DEFAULT_DRIFT_THRESHOLDS,
    )
    expect(same).toMatchObject({ method: 'chisquare', pValue: 1, drifted: false, threshold: 0.05 })
    const unseen = scoreCategorical(
      'chisquare',
      counts({ a: 10 }),
      counts({ a: 10, z: 1 }),
      DEFAULT_DRIFT_THRESHOLDS,
    )
    expect(unseen).toMatchObject({ statistic: null, score: 0, drifted: true })
  })

  it('runs the z-test on the first category (scipy/Evidently value)', () => {
    const r = scoreCategorical(
      'z',
      counts({ no: 70, yes: 30 }),
      counts({ no: 55, yes: 45 }),
      DEFAULT_DRIFT_THRESHOLDS,
    )
    expect(r.pValue).toBeCloseTo(0.02845973691631055, 12)
    expect(r.drifted).toBe(true)
  })

  it('flags L∞ at or above its threshold', () => {
    const r = scoreLInfinity(counts({ a: 10, b: 30 }), counts({ a: 20, b: 20 }), {
      ...DEFAULT_DRIFT_THRESHOLDS,
      lInfinity: 0.25,
    })
    expect(r).toMatchObject({
      method: 'linf',
      score: 0.25,
      drifted: true,
      rule: 'distance_at_least',
    })
  })

  it('computes KS and normed Wasserstein on samples', () => {
    const ks = scoreNumeric(
      'ks',
      Float64Array.of(1, 2, 3, 4),
      Float64Array.of(5, 6, 7, 8),
      DEFAULT_DRIFT_THRESHOLDS,
    )
    expect(ks).toMatchObject({ statistic: 1, drifted: true })
    expect(ks.pValue).toBeCloseTo(0.028571428571428577, 12)
    const w = scoreNumeric(
      'wasserstein',
      Float64Array.of(0, 2),
      Float64Array.of(1, 3),
      DEFAULT_DRIFT_THRESHOLDS,
    )
    expect(w).toMatchObject({ score: 1, pValue: null, drifted: true, threshold: 0.1 })
  })
})
