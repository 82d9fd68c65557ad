/**
 * Compensated summation kernels (Neumaier's improved Kahan–Babuška algorithm).
 */

/** A readable run of f64 values: a typed array or a plain number array. */
export type NumericArray = Float64Array | Float32Array | Int32Array | readonly number[]

/**
 * Sums `n` strided elements with Neumaier (Kahan–Babuška) compensated summation.
 *
 * Element `i` is `x[offsetX + i * strideX]`. With `n <= 0` the sum is `0` (the empty sum), as in
 * stdlib `dsumkbn`. NaN propagates, and so do infinities (`Infinity + -Infinity` is NaN). The
 * error bound is `2 * eps * sum(|x_i|)` independent of `n` (to first order), so the result does not
 * depend on summation order beyond that bound. The kernel never throws and never allocates.
 *
 * ## Method
 * Keeps a running sum `s` and a correction `c`. For each term `v`, `t = s + v`; the low-order bits
 * lost by the addition are `(s - t) + v` when `|s| >= |v|`, else `(v - t) + s`; they accumulate in
 * `c`, and the result is `s + c`.
 *
 * ## References
 * - Neumaier, A. (1974). "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher Summen."
 *   ZAMM 54(1), 39–51. doi:10.1002/zamm.19740540106
 * - stdlib-js `@stdlib/blas/ext/base/dsumkbn`.
 *
 * @param n - number of elements
 * @param x - input array
 * @param strideX - index increment (may be negative or 0)
 * @param offsetX - index of the first element
 * @returns the compensated sum
 *
 * @example
 * ```ts
 * sumStrided(3, new Float64Array([1e16, 0, 1, 0, -1e16, 0]), 2, 0) // => 1
 * ```
 */
export function sumStrided(n: number, x: NumericArray, strideX: number, offsetX: number): number {
  if (n <= 0) return 0
  let s = 0
  let c = 0
  let ix = offsetX
  for (let i = 0; i < n; i++) {
    const v = x[ix]!
    const t = s + v
    if (Math.abs(s) >= Math.abs(v)) c += s - t + v
    else c += v - t + s
    s = t
    ix += strideX
  }
  // With an infinite term `s - t` is NaN; the plain sum is then the right answer (±Infinity or NaN).
  return Number.isFinite(s) ? s + c : s
}

/**
 * Compensated sum of every element of `x` (see {@link sumStrided}); `0` for an empty array.
 *
 * ## Method
 * Neumaier summation over the contiguous array.
 *
 * ## References
 * - Neumaier (1974), see {@link sumStrided}.
 *
 * @example
 * ```ts
 * sum([1e16, 1, -1e16]) // => 1 (naive left-to-right summation gives 0)
 * ```
 */
export function sum(x: NumericArray): number {
  return sumStrided(x.length, x, 1, 0)
}
