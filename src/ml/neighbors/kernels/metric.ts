/**
 * The distance metrics of the neighbour searches, in their "reduced" form (scikit-learn's
 * `rdist`): a monotone transform of the distance that is cheaper to compute and compares the
 * same way (the squared distance for Euclidean, `Σ|a−b|^p` for Minkowski).
 */

/** Metric codes the kernels switch on. */
export const EUCLIDEAN = 0
/** `Σ|a−b|`. */
export const MANHATTAN = 1
/** `(Σ|a−b|^p)^(1/p)`, reduced to `Σ|a−b|^p`. */
export const MINKOWSKI = 2
/** `1 − a·b / (‖a‖‖b‖)`, clipped to [0, 2] (brute force only). */
export const COSINE = 3

/** One of {@link EUCLIDEAN}, {@link MANHATTAN}, {@link MINKOWSKI}, {@link COSINE}. */
export type MetricCode = typeof EUCLIDEAN | typeof MANHATTAN | typeof MINKOWSKI | typeof COSINE

/**
 * The reduced distance between rows `a[aOff..aOff+d)` and `b[bOff..bOff+d)` for a Minkowski-family
 * metric, summed over features in order. Stops early and returns a partial sum as soon as the
 * sum exceeds `bound` (the caller only needs to know it is larger); otherwise the result is the
 * full sum, bit for bit the same whatever `bound` was.
 */
export function reducedDistance(
  metric: MetricCode,
  p: number,
  a: Float64Array,
  aOff: number,
  b: Float64Array,
  bOff: number,
  d: number,
  bound: number,
): number {
  let s = 0
  if (metric === EUCLIDEAN) {
    for (let c = 0; c < d; c++) {
      const t = a[aOff + c]! - b[bOff + c]!
      s += t * t
      if (s > bound) return s
    }
  } else if (metric === MANHATTAN) {
    for (let c = 0; c < d; c++) {
      s += Math.abs(a[aOff + c]! - b[bOff + c]!)
      if (s > bound) return s
    }
  } else {
    for (let c = 0; c < d; c++) {
      s += Math.abs(a[aOff + c]! - b[bOff + c]!) ** p
      if (s > bound) return s
    }
  }
  return s
}

/**
 * The reduced distance from row `q[qOff..qOff+d)` to the nearest point of the axis-aligned box
 * `[lower, upper]` (rows at `boxOff`): a lower bound of {@link reducedDistance} to any point in
 * the box.
 *
 * Rounding is monotone, so for a point `x` inside the box each per-feature gap here is at most
 * the computed `|q − x|`, and the sum (in the same order) at most the computed distance: pruning
 * with this bound never drops a neighbour.
 */
export function boxReducedDistance(
  metric: MetricCode,
  p: number,
  q: Float64Array,
  qOff: number,
  lower: Float64Array,
  upper: Float64Array,
  boxOff: number,
  d: number,
): number {
  let s = 0
  for (let c = 0; c < d; c++) {
    const x = q[qOff + c]!
    const lo = lower[boxOff + c]!
    const hi = upper[boxOff + c]!
    const gap = x < lo ? lo - x : x > hi ? x - hi : 0
    if (metric === EUCLIDEAN) s += gap * gap
    else if (metric === MANHATTAN) s += gap
    else s += gap ** p
  }
  return s
}

/** The distance from its reduced form (`√r` for Euclidean, `r^(1/p)` for Minkowski). */
export function fromReduced(metric: MetricCode, p: number, r: number): number {
  if (metric === EUCLIDEAN) return Math.sqrt(r)
  if (metric === MINKOWSKI) return r ** (1 / p)
  return r
}
