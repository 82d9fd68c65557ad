/**
 * The kernel behind every ranking metric: true and false positive (weighted) counts at each
 * distinct score threshold, from one native sort of the scores.
 */

/** Cumulative counts at each distinct score, highest score first (sklearn's `_binary_clf_curve`). */
export interface BinaryCurve {
  /** The distinct scores of the samples with non-zero weight, descending. */
  readonly thresholds: Float64Array
  /** `tps[i]`: the (weighted) positives with score ≥ `thresholds[i]`. */
  readonly tps: Float64Array
  /** `fps[i]`: the (weighted) negatives with score ≥ `thresholds[i]`. */
  readonly fps: Float64Array
}

/**
 * True and false positives above each distinct score threshold.
 *
 * Samples with zero weight are left out (they add no threshold), like sklearn.
 *
 * ## Method
 * Copy the scores into a `Float64Array` and sort it natively (no comparator), compact it to the
 * distinct values, then binary-search each sample's score to add its weight to the positive or
 * negative bin of its threshold, and take cumulative sums from the top. O(n log n) time, O(n)
 * memory in three typed arrays, nothing allocated per sample.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics._ranking._binary_clf_curve`; Fawcett, "An introduction to ROC
 * analysis", Pattern Recognition Letters 27 (2006), algorithm 2.
 *
 * @param positive - 1 for a positive sample, 0 for a negative one.
 * @param score - finite scores (checked by the caller).
 * @param weight - optional sample weights.
 */
export function binaryCurve(
  positive: Uint8Array,
  score: Float64Array,
  weight: Float64Array | undefined,
): BinaryCurve {
  const n = score.length
  let m = 0
  if (weight === undefined) m = n
  else for (let i = 0; i < n; i++) if (weight[i] !== 0) m++
  const sorted = new Float64Array(m)
  if (weight === undefined) sorted.set(score)
  else for (let i = 0, j = 0; i < n; i++) if (weight[i] !== 0) sorted[j++] = score[i]!
  sorted.sort()
  // Compact to distinct values in place (-0 and 0 are one threshold, as in numpy's diff).
  let d = 0
  for (let i = 0; i < m; i++) {
    const x = sorted[i]!
    if (d === 0 || sorted[d - 1] !== x) sorted[d++] = x
  }
  const uniq = sorted.subarray(0, d)
  const posW = new Float64Array(d)
  const negW = new Float64Array(d)
  for (let i = 0; i < n; i++) {
    const w = weight === undefined ? 1 : weight[i]!
    if (w === 0) continue
    const x = score[i]!
    let lo = 0
    let hi = d - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (uniq[mid]! < x) lo = mid + 1
      else hi = mid
    }
    if (positive[i] === 1) posW[lo]! += w
    else negW[lo]! += w
  }
  const thresholds = new Float64Array(d)
  const tps = new Float64Array(d)
  const fps = new Float64Array(d)
  let tp = 0
  let fp = 0
  for (let i = 0; i < d; i++) {
    const u = d - 1 - i
    tp += posW[u]!
    fp += negW[u]!
    thresholds[i] = uniq[u]!
    tps[i] = tp
    fps[i] = fp
  }
  return { thresholds, tps, fps }
}

/**
 * The area under a curve by the trapezoidal rule; `x` must be monotonic (either direction).
 *
 * ## Method
 * Σ (xᵢ − xᵢ₋₁)(yᵢ + yᵢ₋₁)/2, negated when `x` decreases (numpy `trapz` as sklearn's `auc`).
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.auc`.
 *
 * @returns NaN when `x` is not monotonic.
 */
export function trapezoid(x: Float64Array, y: Float64Array): number {
  let up = false
  let down = false
  for (let i = 1; i < x.length; i++) {
    const dx = x[i]! - x[i - 1]!
    if (dx < 0) down = true
    else if (dx > 0) up = true
  }
  if (up && down) return NaN
  let area = 0
  for (let i = 1; i < x.length; i++) {
    area += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2
  }
  return down ? -area : area
}
