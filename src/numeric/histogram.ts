/**
 * Histogram bin edges and counts, matching numpy, and Evidently's shared-edge binning.
 */
import { ValidationError } from '../core/index.js'
import type { NumericArray } from './sum.js'
import { checkSample } from './validate.js'

/** Bin specification for {@link histogramBinEdges}: Sturges' rule or a bin count. */
export type BinSpec = 'sturges' | number

/**
 * Equal-width bin edges over `[min(values), max(values)]`, like
 * `numpy.histogram_bin_edges(values, bins)` for `bins='sturges'` or an integer bin count.
 *
 * Throws a ValidationError for empty input, non-finite values, or a bin count that is not a
 * positive integer. A constant sample gets the range `[v - 0.5, v + 0.5]` (numpy's rule).
 *
 * ## Method
 * Sturges: `width = (max - min) / (log2(n) + 1)` and `ceil((max - min) / width)` bins (1 when the
 * range is 0). Edges follow `numpy.linspace`: `min + i * step` with the last edge set to `max`.
 *
 * ## References
 * - Sturges, H. A. (1926). "The choice of a class interval." JASA 21(153), 65–66.
 * - numpy `numpy/lib/histograms.py` (`_hist_bin_sturges`, `_get_bin_edges`).
 *
 * @example
 * ```ts
 * histogramBinEdges([1, 2, 2, 3, 3, 3, 4, 4, 4, 4], 'sturges')
 * // => Float64Array [1, 1.6, 2.2, 2.8, 3.4, 4] (5 bins: ceil(3 / (3 / (log2(10) + 1))))
 * ```
 */
export function histogramBinEdges(values: NumericArray, bins: BinSpec = 'sturges'): Float64Array {
  checkSample(values, 'values', true)
  if (bins !== 'sturges' && !(Number.isInteger(bins) && bins > 0)) {
    throw new ValidationError('bins must be "sturges" or a positive integer', [
      { path: ['bins'], code: 'invalid_value', message: `got ${String(bins)}` },
    ])
  }
  let lo = Infinity
  let hi = -Infinity
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  const ptp = hi - lo
  let first = lo
  let last = hi
  if (first === last) {
    first -= 0.5
    last += 0.5
  }
  let nBins: number
  if (bins === 'sturges') {
    const width = ptp / (Math.log2(values.length) + 1)
    nBins = width ? Math.ceil((last - first) / width) : 1
  } else {
    nBins = bins
  }
  const edges = new Float64Array(nBins + 1)
  const delta = last - first
  const step = delta / nBins
  for (let i = 0; i <= nBins; i++)
    edges[i] = step === 0 ? (i / nBins) * delta + first : i * step + first
  edges[nBins] = last
  return edges
}

/** Index of the first element of sorted `a` that is greater than `v` (`searchsorted` right). */
function upperBound(a: Float64Array, v: number): number {
  let lo = 0
  let hi = a.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (a[mid]! <= v) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Counts of `values` in the bins delimited by `edges`, like `numpy.histogram(values, edges)[0]`.
 *
 * Bins are half-open `[e_i, e_{i+1})` except the last, which also includes its right edge; values
 * outside `[e_0, e_last]` are not counted. Throws a ValidationError when `edges` has fewer than two
 * entries, is not non-decreasing, or is not finite, or when `values` holds NaN. Empty `values` give
 * all-zero counts.
 *
 * ## Method
 * For each value, a binary search for the first edge greater than it (numpy's `searchsorted`
 * with `side='right'`); O(n log k).
 *
 * ## References
 * - numpy `numpy/lib/histograms.py` (`histogram`, `_search_sorted_inclusive`).
 *
 * @example
 * ```ts
 * histogram([0, 1, 1, 2, 3], new Float64Array([0, 1, 2, 3])) // => Float64Array [1, 2, 2]
 * ```
 */
export function histogram(values: NumericArray, edges: Float64Array): Float64Array {
  if (edges.length < 2) {
    throw new ValidationError('edges must have at least two entries', [
      { path: ['edges'], code: 'too_small', message: `got ${edges.length}` },
    ])
  }
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i]!
    if (!Number.isFinite(e) || (i > 0 && e < edges[i - 1]!)) {
      throw new ValidationError('edges must be finite and non-decreasing', [
        { path: ['edges', i], code: 'invalid_value', message: `edges[${i}] is ${e}` },
      ])
    }
  }
  if (values.length > 0) checkSample(values, 'values', false)
  const k = edges.length - 1
  const counts = new Float64Array(k)
  const first = edges[0]!
  const last = edges[k]!
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (v < first || v > last) continue
    // The last bin is closed: a value equal to the last edge belongs to bin k - 1.
    const b = v === last ? k - 1 : upperBound(edges, v) - 1
    counts[b]! += 1
  }
  return counts
}

/** Proportions of two samples over shared bins; see {@link binProportions}. */
export interface BinnedProportions {
  /** Shared bin edges (Sturges on the union of both samples). */
  readonly edges: Float64Array
  /** Reference counts divided by the reference size. */
  readonly ref: Float64Array
  /** Current counts divided by the current size. */
  readonly cur: Float64Array
}

/**
 * Bins two numeric samples on shared Sturges edges of their union and returns per-bin proportions,
 * like Evidently's `get_binned_data` for numeric columns (used by its PSI, Jensen–Shannon and KL
 * stattests when the reference has more than 20 unique values).
 *
 * Zero proportions are left as they are: apply {@link fillZeroProportions} before PSI or KL
 * (Evidently's `feel_zeroes=True`), not before Jensen–Shannon. Throws a ValidationError for an
 * empty sample or a non-finite value.
 *
 * ## Method
 * `edges = histogramBinEdges(concat(ref, cur), 'sturges')`, then `histogram(ref, edges) / n_ref`
 * and `histogram(cur, edges) / n_cur`.
 *
 * ## References
 * - Evidently `src/evidently/legacy/calculations/stattests/utils.py` (`get_binned_data`).
 *
 * @example
 * ```ts
 * binProportions([0, 1, 2, 3], [3, 3]).cur // => Float64Array [0, 0, 0, 1] (4 Sturges bins)
 * ```
 */
export function binProportions(ref: NumericArray, cur: NumericArray): BinnedProportions {
  checkSample(ref, 'ref', true)
  checkSample(cur, 'cur', true)
  const all = new Float64Array(ref.length + cur.length)
  for (let i = 0; i < ref.length; i++) all[i] = ref[i]!
  for (let i = 0; i < cur.length; i++) all[ref.length + i] = cur[i]!
  const edges = histogramBinEdges(all, 'sturges')
  const r = histogram(ref, edges)
  const c = histogram(cur, edges)
  for (let i = 0; i < r.length; i++) r[i]! /= ref.length
  for (let i = 0; i < c.length; i++) c[i]! /= cur.length
  return { edges, ref: r, cur: c }
}

/**
 * Replaces zero proportions so that logarithms stay finite, as Evidently does before PSI and KL.
 *
 * Returns a new array; the input is not modified. With `m` the smallest non-zero entry, zeros
 * become `m / 1e6` when `m ≤ 1e-4`, else `1e-4`. An all-zero vector is returned unchanged.
 *
 * ## Method
 * Evidently `get_binned_data(..., feel_zeroes=True)`.
 *
 * ## References
 * - Evidently `src/evidently/legacy/calculations/stattests/utils.py`.
 *
 * @example
 * ```ts
 * fillZeroProportions([0, 0.5, 0.5]) // => Float64Array [0.0001, 0.5, 0.5]
 * ```
 */
export function fillZeroProportions(p: NumericArray): Float64Array {
  const out = Float64Array.from(p)
  let m = Infinity
  for (let i = 0; i < out.length; i++) if (out[i]! !== 0 && out[i]! < m) m = out[i]!
  if (m === Infinity) return out
  const fill = m <= 0.0001 ? m / 1e6 : 0.0001
  for (let i = 0; i < out.length; i++) if (out[i] === 0) out[i] = fill
  return out
}
