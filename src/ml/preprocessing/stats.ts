/**
 * Column statistics the transformers learn: numpy-compatible quantiles, the median, and the
 * mean and variance of a column's present values.
 */
import type { Column } from '../../frame/index.js'
import { quantileSorted } from '../base/index.js'

import { selectRanks } from './kernels/select.js'
import { numericValues } from './shared.js'

/**
 * The numpy-linear quantiles (see {@link quantileSorted}) of `values` at each `q` in `qs`, and
 * the median when `median` is set (appended last). Reorders `values` in place (pass a scratch
 * copy): only the needed order statistics are selected, which is `O(n)` instead of a sort.
 *
 * @example
 * ```ts
 * quantilesOf(Float64Array.of(4, 1, 3, 2), [0.25, 0.75]) // [1.75, 3.25]
 * ```
 */
export function quantilesOf(values: Float64Array, qs: readonly number[], median = false): number[] {
  const n = values.length
  if (n === 0) return [...qs.map(() => NaN), ...(median ? [NaN] : [])]
  const ranks: number[] = []
  for (const q of qs) {
    const virtual = (n - 1) * q
    if (virtual >= n - 1) ranks.push(n - 1)
    else if (virtual < 0) ranks.push(0)
    else ranks.push(Math.floor(virtual), Math.floor(virtual) + 1)
  }
  if (median) ranks.push((n >> 1) - 1, n >> 1)
  selectRanks(values, ranks)
  // Reading the selected ranks is the same as reading a sorted array at those positions.
  const out = qs.map((q) => quantileSorted(values, q))
  if (median) out.push(medianSorted(values))
  return out
}

/**
 * The median of ascending `sorted` values (the mean of the middle two for an even count, like
 * `numpy.median`); NaN for no values.
 */
export function medianSorted(sorted: Float64Array): number {
  const n = sorted.length
  if (n === 0) return NaN
  const h = n >> 1
  return n % 2 === 1 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2
}

/** The count, mean and population variance of a column's present values. */
export interface Moments {
  readonly count: number
  readonly mean: number
  readonly variance: number
}

/**
 * The count, mean and population variance (divisor `n`) of the present values of a numeric
 * column; missing rows and NaN values are skipped. NaN mean and variance when none is present.
 *
 * ## Method
 * Two passes, as sklearn's `_incremental_mean_and_var` does from scratch: the mean, then the
 * sum of squared deviations minus the squared sum of deviations over `n` (the correction of
 * Chan, Golub and LeVeque, which removes the first-order error of the mean).
 *
 * ## References
 * - T. F. Chan, G. H. Golub, R. J. LeVeque. "Algorithms for computing the sample variance:
 *   analysis and recommendations". The American Statistician 37(3), 1983.
 */
export function columnMoments(col: Column): Moments {
  const v = numericValues(col)
  const validity = col.validity
  const n = v.length
  let count = 0
  let s = 0
  for (let i = 0; i < n; i++) {
    if (validity !== undefined && validity[i] === 0) continue
    const x = v[i]!
    if (x === x) {
      s += x
      count++
    }
  }
  if (count === 0) return { count, mean: NaN, variance: NaN }
  const mean = s / count
  let dev = 0
  let sq = 0
  for (let i = 0; i < n; i++) {
    if (validity !== undefined && validity[i] === 0) continue
    const x = v[i]!
    if (x === x) {
      const d = x - mean
      dev += d
      sq += d * d
    }
  }
  return { count, mean, variance: (sq - (dev * dev) / count) / count }
}

/** The minimum and maximum of a column's present values (NaN, NaN when none is present). */
export function columnRange(col: Column): { readonly min: number; readonly max: number } {
  const v = numericValues(col)
  const validity = col.validity
  let min = Infinity
  let max = -Infinity
  let any = false
  for (let i = 0; i < v.length; i++) {
    if (validity !== undefined && validity[i] === 0) continue
    const x = v[i]!
    if (x === x) {
      any = true
      if (x < min) min = x
      if (x > max) max = x
    }
  }
  return any ? { min, max } : { min: NaN, max: NaN }
}

/**
 * sklearn's `_handle_zeros_in_scale`: a scale below `10 ε` (or flagged constant) becomes 1, so
 * a constant column maps to a constant instead of dividing by zero.
 */
export function safeScale(scale: number, constant = false): number {
  return constant || scale < 10 * Number.EPSILON ? 1 : scale
}
