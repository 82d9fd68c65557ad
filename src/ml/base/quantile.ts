/**
 * Quantiles as numpy computes them, shared by the transformers that learn them and the metrics
 * that bin by them.
 */

/**
 * The `q`-quantile (`q` in [0, 1]) of ascending `sorted` values, numpy's default `linear`
 * method; NaN for no values.
 *
 * ## Method
 * Hyndman and Fan's definition 7: the virtual index `(n - 1) q` split into `floor` and a weight
 * `g`, then numpy's `_lerp` (`a + (b - a) g` below `g = 0.5`, `b - (b - a)(1 - g)` from it), so
 * results match `numpy.percentile` to the last bit in the common case.
 *
 * ## References
 * - R. J. Hyndman, Y. Fan. "Sample Quantiles in Statistical Packages". The American
 *   Statistician 50(4), 1996.
 *
 * @example
 * ```ts
 * quantileSorted(Float64Array.of(1, 2, 3, 4), 0.25) // 1.75
 * ```
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length
  if (n === 0) return NaN
  const virtual = (n - 1) * q
  if (virtual >= n - 1) return sorted[n - 1]!
  if (virtual < 0) return sorted[0]!
  const lo = Math.floor(virtual)
  const a = sorted[lo]!
  const b = sorted[lo + 1]!
  const g = virtual - lo
  const diff = b - a
  return g >= 0.5 ? b - diff * (1 - g) : a + diff * g
}
