/**
 * Exact k-nearest-neighbour search within one point set (each point's neighbours among the
 * others), the neighbour step of SMOTE.
 */

const NO_INDEX = 0x7fffffff
/** Blocks of 4 rows per candidate tile: 32 blocks = 128 rows, ~28 KB at d = 28 (stays in L1/L2). */
const TILE_BLOCKS = 32

/**
 * For each row `i` of the row-major `m × d` matrix `x` (from `offsetX`), writes the indices of
 * its `k` nearest other rows by Euclidean distance into `out[i·k … i·k + k)`, nearest first;
 * equal distances go to the lower index. Needs `1 ≤ k ≤ m − 1`.
 *
 * ## Method
 * Brute force over the m(m−1)/2 unordered pairs, each distance computed once and offered to
 * both rows' sorted top-k lists (insertion, k is small). Squared distances are summed over the
 * features in order, straight from the differences (no `|a|² + |b|² − 2a·b` expansion, which
 * loses precision far from the origin), in 4 × 2 register blocks so each loaded value serves
 * several pairs, with candidate rows tiled to stay in cache. O(m² d) time, O(m k) extra memory,
 * no allocation inside the loops.
 *
 * ## References
 * - K. Goto, R. A. van de Geijn. "Anatomy of high-performance matrix multiplication". ACM TOMS
 *   34(3), 2008 (register blocking and cache tiling).
 *
 * @param check called once per candidate tile (an abort check); may throw.
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
  if (m <= 1 || k <= 0) return out
  const best = new Float64Array(m * k).fill(Infinity)
  out.fill(NO_INDEX, 0, m * k)
  const nb = Math.floor(m / 4)
  // Pairs inside each block of 4 rows.
  for (let b = 0; b < nb; b++) {
    for (let a = 0; a < 4; a++) {
      for (let c = a + 1; c < 4; c++) {
        const p = 4 * b + a
        const q = 4 * b + c
        offer(best, out, k, p, q, distance(x, offsetX, d, p, q))
      }
    }
  }
  // Pairs across blocks bi < bj, the later block tiled.
  for (let t0 = 0; t0 < nb; t0 += TILE_BLOCKS) {
    if (check !== undefined) check()
    const t1 = Math.min(t0 + TILE_BLOCKS, nb)
    for (let bi = 0; bi < t1; bi++) {
      for (let bj = Math.max(t0, bi + 1); bj < t1; bj++) {
        block4x2(best, out, k, x, offsetX, d, 4 * bi, 4 * bj)
        block4x2(best, out, k, x, offsetX, d, 4 * bi, 4 * bj + 2)
      }
    }
  }
  // Rows past the last full block, against every earlier row.
  for (let q = 4 * nb; q < m; q++)
    for (let p = 0; p < q; p++) offer(best, out, k, p, q, distance(x, offsetX, d, p, q))
  return out
}

function distance(x: Float64Array, off: number, d: number, p: number, q: number): number {
  const op = off + p * d
  const oq = off + q * d
  let s = 0
  for (let t = 0; t < d; t++) {
    const u = x[op + t]! - x[oq + t]!
    s += u * u
  }
  return s
}

/** The 8 pairs (i + a, j + b), a < 4, b < 2: each accumulator sums its features in order. */
function block4x2(
  best: Float64Array,
  out: Int32Array,
  k: number,
  x: Float64Array,
  off: number,
  d: number,
  i: number,
  j: number,
): void {
  const a0 = off + i * d
  const a1 = a0 + d
  const a2 = a1 + d
  const a3 = a2 + d
  const b0 = off + j * d
  const b1 = b0 + d
  let s00 = 0
  let s01 = 0
  let s10 = 0
  let s11 = 0
  let s20 = 0
  let s21 = 0
  let s30 = 0
  let s31 = 0
  for (let t = 0; t < d; t++) {
    const y0 = x[b0 + t]!
    const y1 = x[b1 + t]!
    const x0 = x[a0 + t]!
    const x1 = x[a1 + t]!
    const x2 = x[a2 + t]!
    const x3 = x[a3 + t]!
    let u = x0 - y0
    s00 += u * u
    u = x0 - y1
    s01 += u * u
    u = x1 - y0
    s10 += u * u
    u = x1 - y1
    s11 += u * u
    u = x2 - y0
    s20 += u * u
    u = x2 - y1
    s21 += u * u
    u = x3 - y0
    s30 += u * u
    u = x3 - y1
    s31 += u * u
  }
  offer(best, out, k, i, j, s00)
  offer(best, out, k, i, j + 1, s01)
  offer(best, out, k, i + 1, j, s10)
  offer(best, out, k, i + 1, j + 1, s11)
  offer(best, out, k, i + 2, j, s20)
  offer(best, out, k, i + 2, j + 1, s21)
  offer(best, out, k, i + 3, j, s30)
  offer(best, out, k, i + 3, j + 1, s31)
}

/** Offers the pair (p, q) at squared distance s to both rows' lists. */
function offer(
  best: Float64Array,
  out: Int32Array,
  k: number,
  p: number,
  q: number,
  s: number,
): void {
  insert(best, out, k, p, q, s)
  insert(best, out, k, q, p, s)
}

/** Inserts neighbour j at s into row i's list, ordered by (distance, index). */
function insert(
  best: Float64Array,
  out: Int32Array,
  k: number,
  i: number,
  j: number,
  s: number,
): void {
  const base = i * k
  let p = base + k - 1
  const worst = best[p]!
  if (s > worst || (s === worst && j > out[p]!)) return
  while (p > base) {
    const prev = best[p - 1]!
    if (prev < s || (prev === s && out[p - 1]! < j)) break
    best[p] = prev
    out[p] = out[p - 1]!
    p--
  }
  best[p] = s
  out[p] = j
}
