/**
 * One-dimensional k-means from given initial centers, for the `kmeans` binning strategy.
 */

/** What {@link kMeans1d} returns. */
export interface KMeans1dResult {
  /** The final centers, in cluster order (not sorted). */
  readonly centers: Float64Array
  /** Lloyd iterations run. */
  readonly nIter: number
  /** Whether the assignment stopped changing or the centers moved less than the tolerance. */
  readonly converged: boolean
}

/**
 * Lloyd's k-means on the values `x`, started from `init`, as sklearn's `KMeans(init=…,
 * n_init=1)` runs it: the data is centered on its mean; each iteration assigns every value to
 * its nearest center (ties to the lower index), then moves each center to the mean of its
 * values; it stops when the assignment repeats, when the centers' total squared move is at
 * most `tol · var(x)`, or after `maxIter` iterations. An empty cluster takes the value
 * farthest from its center (ties to the lower row).
 *
 * ## Method
 * `O(n k)` per iteration with typed arrays and no allocation inside the loop.
 *
 * ## References
 * - S. P. Lloyd. "Least squares quantization in PCM". IEEE Trans. Inf. Theory 28(2), 1982.
 * - scikit-learn 1.2 `sklearn.cluster.KMeans` (`algorithm='lloyd'`).
 *
 * @example
 * ```ts
 * kMeans1d(Float64Array.of(0, 1, 10, 11), Float64Array.of(2, 8)).centers // [0.5, 10.5]
 * ```
 */
export function kMeans1d(
  x: Float64Array,
  init: Float64Array,
  maxIter = 300,
  tol = 1e-4,
): KMeans1dResult {
  const n = x.length
  const k = init.length
  let mean = 0
  for (let i = 0; i < n; i++) mean += x[i]!
  mean /= n
  const xc = new Float64Array(n)
  let variance = 0
  for (let i = 0; i < n; i++) {
    xc[i] = x[i]! - mean
    variance += xc[i]! * xc[i]!
  }
  const tolerance = (variance / n) * tol
  let centers = Float64Array.from(init, (c) => c - mean)
  let next = new Float64Array(k)
  const weight = new Float64Array(k)
  const labels = new Int32Array(n).fill(-1)
  const previous = new Int32Array(n).fill(-1)
  let nIter = 0
  let converged = false
  const squares = new Float64Array(k)
  for (let it = 0; it < maxIter; it++) {
    nIter = it + 1
    next.fill(0)
    weight.fill(0)
    for (let c = 0; c < k; c++) squares[c] = centers[c]! * centers[c]!
    for (let i = 0; i < n; i++) {
      const v = xc[i]!
      let best = 0
      let bestD = Infinity
      for (let c = 0; c < k; c++) {
        // sklearn's ‖c‖² − 2 x·c (‖x‖² dropped), rounded the same way, so that a value exactly
        // between two centers goes where sklearn sends it.
        const d = squares[c]! + -2 * (v * centers[c]!)
        if (d < bestD) {
          bestD = d
          best = c
        }
      }
      labels[i] = best
      next[best]! += v
      weight[best]! += 1
    }
    relocateEmpty(xc, centers, next, weight, labels)
    let shift = 0
    for (let c = 0; c < k; c++) {
      // sklearn's `_average_centers`: multiply by 1/w; a cluster emptied by a relocation keeps
      // its (zero) sum, i.e. moves to the data mean.
      if (weight[c]! > 0) next[c]! *= 1 / weight[c]!
      shift += (next[c]! - centers[c]!) * (next[c]! - centers[c]!)
    }
    const swap = centers
    centers = next
    next = swap
    let same = true
    for (let i = 0; i < n && same; i++) if (labels[i] !== previous[i]) same = false
    if (same || shift <= tolerance) {
      converged = true
      break
    }
    previous.set(labels)
  }
  for (let c = 0; c < k; c++) centers[c]! += mean
  return { centers, nIter, converged }
}

/** Gives each empty cluster the value farthest from its current center (sklearn's relocation). */
function relocateEmpty(
  x: Float64Array,
  centers: Float64Array,
  sums: Float64Array,
  weight: Float64Array,
  labels: Int32Array,
): void {
  const empty: number[] = []
  for (let c = 0; c < weight.length; c++) if (weight[c] === 0) empty.push(c)
  if (empty.length === 0) return
  const distance = Float64Array.from(x, (v, i) => (v - centers[labels[i]!]!) ** 2)
  // Every value sits on its center (fewer distinct values than clusters): nothing to move.
  if (Math.max(...distance) === 0) return
  const far = Array.from(distance.keys())
    .sort((a, b) => distance[b]! - distance[a]! || a - b)
    .slice(0, empty.length)
  empty.forEach((c, e) => {
    const i = far[e]
    if (i === undefined) return
    const old = labels[i]!
    sums[old]! -= x[i]!
    weight[old]! -= 1
    sums[c] = x[i]!
    weight[c] = 1
  })
}
