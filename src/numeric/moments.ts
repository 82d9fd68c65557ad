/**
 * Mean, variance and standard deviation kernels (two-pass, compensated).
 */
import { type NumericArray, sumStrided } from './sum.js'

/**
 * Arithmetic mean of `n` strided elements.
 *
 * Returns NaN for `n <= 0` (the mean of nothing is undefined; numpy returns NaN with a warning).
 * NaN propagates; a mix of `+Infinity` and `-Infinity` gives NaN.
 *
 * ## Method
 * Compensated (Neumaier) sum divided by `n`. For very large magnitudes the sum is taken of
 * `x_i / n` so it cannot overflow when every `x_i` is finite.
 *
 * ## References
 * - Higham, N. J. (2002). Accuracy and Stability of Numerical Algorithms, 2nd ed., §4.3. SIAM.
 *
 * @example
 * ```ts
 * meanStrided(3, new Float64Array([1, 99, 2, 99, 3, 99]), 2, 0) // => 2
 * ```
 */
export function meanStrided(n: number, x: NumericArray, strideX: number, offsetX: number): number {
  if (n <= 0) return Number.NaN
  const s = sumStrided(n, x, strideX, offsetX)
  if (Number.isFinite(s) || Number.isNaN(s)) return s / n
  // The sum overflowed: either a true infinity is present or finite values add past 1.8e308.
  let m = 0
  let c = 0
  let ix = offsetX
  for (let i = 0; i < n; i++) {
    const v = x[ix]! / n
    const t = m + v
    if (Math.abs(m) >= Math.abs(v)) c += m - t + v
    else c += v - t + m
    m = t
    ix += strideX
  }
  return Number.isFinite(m) ? m + c : m
}

/**
 * Variance of `n` strided elements with `ddof` delta degrees of freedom (divisor `n - ddof`).
 *
 * Returns NaN when `n - ddof <= 0` (so NaN for `n <= 1` with the default sample variance, like
 * `numpy.var(x, ddof=1)`), and NaN if any element is NaN or infinite.
 *
 * ## Method
 * Two-pass algorithm with the correction term of Chan, Golub & LeVeque: the mean `m` is computed
 * first (compensated), then `(sum (x_i - m)^2 - (sum (x_i - m))^2 / n) / (n - ddof)`, both sums
 * compensated. The correction removes the first-order error of `m`.
 *
 * ## References
 * - Chan, T. F., Golub, G. H., & LeVeque, R. J. (1983). "Algorithms for computing the sample
 *   variance: analysis and recommendations." The American Statistician 37(3), 242–247.
 *
 * @param ddof - delta degrees of freedom
 * @default ddof 1
 *
 * @example
 * ```ts
 * varianceStrided(4, new Float64Array([1, 2, 3, 4]), 1, 0) // => 1.6666666666666667
 * ```
 */
export function varianceStrided(
  n: number,
  x: NumericArray,
  strideX: number,
  offsetX: number,
  ddof = 1,
): number {
  if (n <= 0 || n - ddof <= 0) return Number.NaN
  const m = meanStrided(n, x, strideX, offsetX)
  if (!Number.isFinite(m)) return Number.NaN
  let s2 = 0
  let c2 = 0
  let s1 = 0
  let c1 = 0
  let ix = offsetX
  for (let i = 0; i < n; i++) {
    const d = x[ix]! - m
    const sq = d * d
    let t = s2 + sq
    c2 += s2 >= sq ? s2 - t + sq : sq - t + s2
    s2 = t
    t = s1 + d
    c1 += Math.abs(s1) >= Math.abs(d) ? s1 - t + d : d - t + s1
    s1 = t
    ix += strideX
  }
  const ss = s2 + c2
  const sd = s1 + c1
  const v = (ss - (sd * sd) / n) / (n - ddof)
  return v < 0 ? 0 : v
}

/**
 * Sample mean of `x` (see {@link meanStrided}); NaN for an empty array.
 *
 * ## Method
 * Compensated sum divided by the length.
 *
 * ## References
 * - Higham (2002) §4.3, see {@link meanStrided}.
 *
 * @example
 * ```ts
 * mean([1, 2, 3, 4]) // => 2.5
 * ```
 */
export function mean(x: NumericArray): number {
  return meanStrided(x.length, x, 1, 0)
}

/**
 * Variance of `x` with divisor `n - ddof` (see {@link varianceStrided}).
 *
 * ## Method
 * Corrected two-pass algorithm.
 *
 * ## References
 * - Chan, Golub & LeVeque (1983), see {@link varianceStrided}.
 *
 * @default ddof 1 (sample variance, like `numpy.var(x, ddof=1)`)
 * @example
 * ```ts
 * variance([1, 2, 3, 4]) // => 1.6666666666666667
 * variance([1, 2, 3, 4], 0) // => 1.25
 * ```
 */
export function variance(x: NumericArray, ddof = 1): number {
  return varianceStrided(x.length, x, 1, 0, ddof)
}

/**
 * Standard deviation of `x`: `sqrt(variance(x, ddof))`.
 *
 * ## Method
 * Square root of the corrected two-pass variance.
 *
 * ## References
 * - Chan, Golub & LeVeque (1983), see {@link varianceStrided}.
 *
 * @default ddof 1
 * @example
 * ```ts
 * std([1, 2, 3, 4], 0) // => 1.118033988749895 (numpy.std default, ddof=0)
 * ```
 */
export function std(x: NumericArray, ddof = 1): number {
  return Math.sqrt(variance(x, ddof))
}
