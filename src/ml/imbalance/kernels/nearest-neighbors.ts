/**
 * Exact k-nearest-neighbour search within one point set (each point's neighbours among the
 * others), the neighbour step of SMOTE.
 */

/**
 * For each row `i` of the row-major `m × d` matrix `x` (from `offsetX`), writes the indices of
 * its `k` nearest other rows by Euclidean distance into `out[i·k … i·k + k)`, nearest first;
 * equal distances go to the lower index. Needs `k ≤ m − 1`.
 *
 * ## Method
 * Brute force, O(m² d) time and O(k) extra memory: per query a sorted list of the `k` best
 * (insertion, since `k` is small), and a candidate's squared distance is abandoned as soon as
 * its partial sum exceeds the current k-th best (partial distance search), which skips most of
 * the `d` terms once the list is full. No allocation per row.
 *
 * ## References
 * - C.-D. Bei, R. M. Gray. "An improvement of the minimum distortion encoding algorithm for
 *   vector quantization". IEEE Trans. Communications 33(10), 1985 (partial distance search).
 *
 * @param check called every 256 queries (an abort check); may throw.
 * @example
 * ```ts
 * const out = nearestNeighbors(4, 1, Float64Array.of(0, 1, 3, 10), 0, 2, new Int32Array(8))
 * // out = [1, 2,  0, 2,  1, 0,  2, 1]
 * ```
 */
export function nearestNeighbors(
  m: number,
  d: number,
  x: Float64Array,
  offsetX: number,
  k: number,
  out: Int32Array,
  check?: () => void,
): Int32Array {
  if (m <= 0 || k <= 0) return out
  const bestD = new Float64Array(k)
  for (let i = 0; i < m; i++) {
    if (check !== undefined && (i & 255) === 0) check()
    const oi = offsetX + i * d
    const base = i * k
    let count = 0
    let worst = Infinity
    for (let j = 0; j < m; j++) {
      if (j === i) continue
      const oj = offsetX + j * d
      let s = 0
      for (let t = 0; t < d; t++) {
        const u = x[oi + t]! - x[oj + t]!
        s += u * u
        if (s >= worst) break
      }
      // Strict: a later index never displaces an equal distance (ties go to the lower index).
      if (s >= worst) continue
      let p = count < k ? count++ : k - 1
      while (p > 0 && bestD[p - 1]! > s) {
        bestD[p] = bestD[p - 1]!
        out[base + p] = out[base + p - 1]!
        p--
      }
      bestD[p] = s
      out[base + p] = j
      if (count === k) worst = bestD[k - 1]!
    }
  }
  return out
}
