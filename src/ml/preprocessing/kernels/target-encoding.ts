/**
 * The per-category statistics of the target encoder: shrunk target means of one column's
 * categories, from all rows or from the rows outside one fold.
 */

/**
 * Which rows an encoding is learned from: all (`folds` undefined) or those whose fold is not
 * `skip` (the training part of a cross-fitting split).
 */
export interface RowSelection {
  readonly folds?: Int32Array
  readonly skip?: number
}

/** The mean and population variance (`numpy.mean`, `numpy.var`) of the selected `y`. */
export function targetMoments(
  y: Float64Array,
  rows: RowSelection,
): { mean: number; variance: number } {
  const { folds, skip } = rows
  const n = y.length
  let s = 0
  let count = 0
  for (let i = 0; i < n; i++) {
    if (folds !== undefined && folds[i] === skip) continue
    s += y[i]!
    count++
  }
  const mean = s / count
  let sq = 0
  for (let i = 0; i < n; i++) {
    if (folds !== undefined && folds[i] === skip) continue
    const d = y[i]! - mean
    sq += d * d
  }
  return { mean, variance: sq / count }
}

/**
 * Writes into `out` (one value per category) the target encoding of a column whose rows have
 * category indices `codes`, learned from the selected rows. Returns `out`.
 *
 * With `smooth` a number `m`: `(m ȳ + Σ y) / (m + n_c)` (the m-estimate), or `ȳ` when
 * `m + n_c = 0`. With `smooth` `'auto'`: the empirical-Bayes blend `λ ȳ_c + (1 - λ) ȳ` with
 * `λ = σ² n_c / (σ² n_c + s²_c / n_c)`, where `σ²` is the variance of the selected `y` and
 * `s²_c` the sum of squared deviations of category `c` from its mean; `ȳ` when `λ` is
 * undefined (no rows of the category, or no variance at all).
 *
 * ## Method
 * Two passes over the rows (sums and counts, then squared deviations), as sklearn 1.3's
 * `_fit_encoding_fast` and `_fit_encoding_fast_auto_smooth` do.
 *
 * ## References
 * - D. Micci-Barreca. "A preprocessing scheme for high-cardinality categorical attributes in
 *   classification and prediction problems". SIGKDD Explorations 3(1), 2001 (Eq. 5–7).
 * - scikit-learn 1.3 `sklearn.preprocessing.TargetEncoder`.
 *
 * @example
 * ```ts
 * encodeTarget(Int32Array.of(0, 0, 1), Float64Array.of(1, 0, 1), {}, 1, 2 / 3, 0, new Float64Array(2))
 * // [(2/3 + 1) / 3, (2/3 + 1) / 2]
 * ```
 */
export function encodeTarget(
  codes: Int32Array,
  y: Float64Array,
  rows: RowSelection,
  smooth: number | 'auto',
  yMean: number,
  yVariance: number,
  out: Float64Array,
): Float64Array {
  const { folds, skip } = rows
  const n = codes.length
  const k = out.length
  const counts = new Float64Array(k)
  if (smooth !== 'auto') {
    const sums = new Float64Array(k).fill(smooth * yMean)
    counts.fill(smooth)
    for (let i = 0; i < n; i++) {
      if (folds !== undefined && folds[i] === skip) continue
      const c = codes[i]!
      if (c < 0) continue
      sums[c]! += y[i]!
      counts[c]! += 1
    }
    for (let c = 0; c < k; c++) out[c] = counts[c] === 0 ? yMean : sums[c]! / counts[c]!
    return out
  }
  const means = new Float64Array(k)
  const squares = new Float64Array(k)
  for (let i = 0; i < n; i++) {
    if (folds !== undefined && folds[i] === skip) continue
    const c = codes[i]!
    if (c < 0) continue
    counts[c]! += 1
    means[c]! += y[i]!
  }
  for (let c = 0; c < k; c++) means[c]! /= counts[c]!
  for (let i = 0; i < n; i++) {
    if (folds !== undefined && folds[i] === skip) continue
    const c = codes[i]!
    if (c < 0) continue
    const d = y[i]! - means[c]!
    squares[c]! += d * d
  }
  for (let c = 0; c < k; c++) {
    const nc = counts[c]!
    const lambda = (yVariance * nc) / (yVariance * nc + squares[c]! / nc)
    out[c] = Number.isNaN(lambda) ? yMean : lambda * means[c]! + (1 - lambda) * yMean
  }
  return out
}
