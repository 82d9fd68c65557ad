import { readFileSync } from 'node:fs'

import { fc, test as fcTest } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { expectClose, parseNum } from '../../../test/support/numeric-assert.js'
import { ValidationError } from '../../core/index.js'
import { columnFromArray, createColumn } from '../../frame/index.js'

import {
  explainedVarianceScore,
  maxError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  medianAbsoluteError,
  r2Score,
  rootMeanSquaredError,
} from './regression.js'

type Num = number | string
interface RegressionCase {
  name: string
  yTrue: Num[]
  yPred: Num[]
  sampleWeight: Num[] | null
  expected: Record<string, Num>
}

const fx = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/ml/metrics/regression.json', import.meta.url),
    'utf8',
  ),
) as { cases: RegressionCase[] }

const nums = (a: Num[]): number[] => a.map(parseNum)

const METRICS = {
  mse: meanSquaredError,
  rmse: rootMeanSquaredError,
  mae: meanAbsoluteError,
  mape: meanAbsolutePercentageError,
  r2: r2Score,
  explainedVariance: explainedVarianceScore,
  medianAbsoluteError,
} as const

describe.each(fx.cases)('$name matches scikit-learn 1.2.1', (c) => {
  const yTrue = nums(c.yTrue)
  const yPred = nums(c.yPred)
  const sampleWeight = c.sampleWeight === null ? undefined : nums(c.sampleWeight)
  for (const [key, metric] of Object.entries(METRICS)) {
    it(key, () => {
      expectClose(metric(yTrue, yPred, { sampleWeight }), parseNum(c.expected[key]!), 1e-9, 1e-12)
      // Columns and typed arrays give the same value.
      const t = createColumn({ name: 'y', dtype: 'f64', values: Float64Array.from(yTrue) })
      expect(metric(t, Float64Array.from(yPred), { sampleWeight })).toBe(
        metric(yTrue, yPred, { sampleWeight }),
      )
    })
  }
  it('maxError', () => {
    expectClose(maxError(yTrue, yPred), parseNum(c.expected['maxError']!))
  })
})

describe('validation', () => {
  it('rejects NaN, empty input, length mismatches and non-numeric columns', () => {
    expect(() => meanSquaredError([1, NaN], [1, 2])).toThrow(/yTrue contains NaN/)
    expect(() => meanSquaredError([], [])).toThrow(ValidationError)
    expect(() => meanAbsoluteError([1, 2], [1])).toThrow(/different lengths/)
    expect(() => r2Score(columnFromArray('s', ['a', 'b']), [1, 2])).toThrow(/must be numeric/)
    expect(() => meanSquaredError(columnFromArray('m', [1, null]), [1, 2])).toThrow(/missing/)
    expect(() => meanSquaredError([1, 2], [1, 2], { sampleWeight: [0, 0] })).toThrow(/sum to zero/)
  })

  it('gives R² NaN for one sample, like sklearn', () => {
    expect(r2Score([1], [2])).toBeNaN()
  })

  it('accepts i32 and bool columns as numbers', () => {
    const y = createColumn({ name: 'y', dtype: 'i32', values: Int32Array.from([1, 2, 3]) })
    expect(meanAbsoluteError(y, [1, 2, 4])).toBeCloseTo(1 / 3, 15)
  })
})

const PARAMS = { seed: 20240611, numRuns: 100 }
const pairArb = fc.integer({ min: 2, max: 50 }).chain((n) =>
  fc.tuple(
    // Multiples of 1/8 keep squares away from underflow.
    fc.array(
      fc.integer({ min: -8000, max: 8000 }).map((v) => v / 8),
      { minLength: n, maxLength: n },
    ),
    fc.array(
      fc.integer({ min: -8000, max: 8000 }).map((v) => v / 8),
      { minLength: n, maxLength: n },
    ),
  ),
)

describe('properties', () => {
  fcTest.prop([pairArb], PARAMS)('errors are non-negative and ordered', ([t, p]) => {
    const mae = meanAbsoluteError(t, p)
    const rmse = rootMeanSquaredError(t, p)
    expect(mae).toBeGreaterThanOrEqual(0)
    // MAE ≤ RMSE ≤ max error (power-mean inequality).
    expect(mae).toBeLessThanOrEqual(rmse * (1 + 1e-12))
    expect(rmse).toBeLessThanOrEqual(maxError(t, p) * (1 + 1e-12))
    expect(medianAbsoluteError(t, p)).toBeLessThanOrEqual(maxError(t, p))
  })

  fcTest.prop([pairArb], PARAMS)('R² is at most 1 and 1 for a perfect fit', ([t, p]) => {
    expect(r2Score(t, p)).toBeLessThanOrEqual(1)
    expect(r2Score(t, t)).toBe(1)
    expect(explainedVarianceScore(t, t)).toBe(1)
  })
})
