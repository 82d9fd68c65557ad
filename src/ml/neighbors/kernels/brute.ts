/**
 * Brute-force k-nearest-neighbour search: every query row against every training row, in
 * cache-sized blocks, keeping a fixed-size max-heap per query row (`heap.ts`).
 *
 * This file has the direct path, {@link searchDirect} (Manhattan, Minkowski, and the exact
 * Euclidean fallback {@link directRow}): the reduced distance summed feature by feature, exactly
 * as the KD-tree computes it; and {@link dotTile}, the JavaScript dot-product micro-kernel of
 * the expanded path (`expanded.ts`, Euclidean and cosine from dot products).
 *
 * Rows are row-major `Float64Array`s (`x[i * d + c]`). Results go to `outDist`/`outIndex` at
 * `[i * k + j]`, nearest first, ties in distance in ascending training index. Scratch buffers
 * come from {@link createBruteScratch}; nothing allocates per row.
 */
import { EMPTY_INDEX, heapClear, heapReplaceRoot, heapSortAscending } from './heap.js'
import { fromReduced, reducedDistance, type MetricCode } from './metric.js'
import { QUERY_BLOCK, TRAIN_TILE } from './tiles.js'

/** Reusable buffers of one search thread. */
export interface BruteScratch {
  readonly heapDist: Float64Array
  readonly heapIndex: Int32Array
  /** The search's `k`. */
  readonly k: number
}

/**
 * Scratch buffers for `k` neighbours. The heaps hold `k + 1` pairs: the expanded-form search
 * keeps one candidate more than it returns, to certify the selection.
 */
export function createBruteScratch(k: number): BruteScratch {
  return {
    heapDist: new Float64Array(QUERY_BLOCK * (k + 1)),
    heapIndex: new Int32Array(QUERY_BLOCK * (k + 1)),
    k,
  }
}

/**
 * `tile[r * TRAIN_TILE + c] = a[r] · b[j0 + c]` for `r < aRows`, `c < bRows`, each dot product
 * summed over features in order (so a pair gets the same bits on every path).
 *
 * ## Method
 * A 4×4 register-blocked micro-kernel (16 accumulators, 8 loads per 16 multiply-adds), the inner
 * loop of a GEMM, with scalar loops for the ragged edges.
 *
 * ## References
 * K. Goto and R. A. van de Geijn, "Anatomy of high-performance matrix multiplication",
 * ACM TOMS 34(3), 2008.
 */
export function dotTile(
  a: Float64Array,
  aRows: number,
  b: Float64Array,
  j0: number,
  bRows: number,
  d: number,
  tile: Float64Array,
): void {
  const r4 = aRows - (aRows % 4)
  const c4 = bRows - (bRows % 4)
  for (let r = 0; r < r4; r += 4) {
    const qa = r * d
    const qb = qa + d
    const qc = qb + d
    const qd = qc + d
    for (let c = 0; c < c4; c += 4) {
      const t0 = (j0 + c) * d
      const t1 = t0 + d
      const t2 = t1 + d
      const t3 = t2 + d
      // prettier-ignore
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0
      // prettier-ignore
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0
      for (let x = 0; x < d; x++) {
        const x0 = b[t0 + x]!
        const x1 = b[t1 + x]!
        const x2 = b[t2 + x]!
        const x3 = b[t3 + x]!
        let v = a[qa + x]!
        s00 += v * x0
        s01 += v * x1
        s02 += v * x2
        s03 += v * x3
        v = a[qb + x]!
        s10 += v * x0
        s11 += v * x1
        s12 += v * x2
        s13 += v * x3
        v = a[qc + x]!
        s20 += v * x0
        s21 += v * x1
        s22 += v * x2
        s23 += v * x3
        v = a[qd + x]!
        s30 += v * x0
        s31 += v * x1
        s32 += v * x2
        s33 += v * x3
      }
      let o = r * TRAIN_TILE + c
      tile[o] = s00
      tile[o + 1] = s01
      tile[o + 2] = s02
      tile[o + 3] = s03
      o += TRAIN_TILE
      tile[o] = s10
      tile[o + 1] = s11
      tile[o + 2] = s12
      tile[o + 3] = s13
      o += TRAIN_TILE
      tile[o] = s20
      tile[o + 1] = s21
      tile[o + 2] = s22
      tile[o + 3] = s23
      o += TRAIN_TILE
      tile[o] = s30
      tile[o + 1] = s31
      tile[o + 2] = s32
      tile[o + 3] = s33
    }
    for (let c = c4; c < bRows; c++) dotEdge(a, r, 4, b, j0 + c, d, tile, r * TRAIN_TILE + c)
  }
  for (let r = r4; r < aRows; r++)
    for (let c = 0; c < bRows; c++) dotEdge(a, r, 1, b, j0 + c, d, tile, r * TRAIN_TILE + c)
}

/** Scalar dot products of `rows` query rows from `r` with training row `j` (the ragged edges). */
function dotEdge(
  a: Float64Array,
  r: number,
  rows: number,
  b: Float64Array,
  j: number,
  d: number,
  tile: Float64Array,
  o: number,
): void {
  const t = j * d
  for (let rr = 0; rr < rows; rr++) {
    const q = (r + rr) * d
    let s = 0
    for (let x = 0; x < d; x++) s += a[q + x]! * b[t + x]!
    tile[o + rr * TRAIN_TILE] = s
  }
}

/**
 * Exact search of one query row (`q[qOff..qOff+d)`) against all `n` training rows: the heap at
 * `off` ends sorted in pair order, holding reduced distances.
 */
export function directRow(
  metric: MetricCode,
  p: number,
  rows: Float64Array,
  n: number,
  d: number,
  q: Float64Array,
  qOff: number,
  heapDist: Float64Array,
  heapIndex: Int32Array,
  off: number,
  k: number,
): void {
  heapClear(heapDist, heapIndex, off, k)
  let root = Infinity
  let rootIndex = EMPTY_INDEX
  for (let j = 0; j < n; j++) {
    const e = reducedDistance(metric, p, q, qOff, rows, j * d, d, root)
    if (e < root || (e === root && j < rootIndex)) {
      heapReplaceRoot(heapDist, heapIndex, off, k, e, j)
      root = heapDist[off]!
      rootIndex = heapIndex[off]!
    }
  }
  heapSortAscending(heapDist, heapIndex, off, k)
}

/**
 * The `k` nearest training rows of query rows `r0 ≤ i < r1` under a Minkowski-family metric,
 * with reduced distances summed feature by feature (the KD-tree's arithmetic), written as
 * distances to `outDist`/`outIndex` at `[i * k + j]`.
 *
 * ## Method
 * Query blocks × training tiles, so a tile is reused from cache by the whole block; the sum for
 * a pair stops as soon as it exceeds the row's current `k`-th distance.
 */
export function searchDirect(
  metric: MetricCode,
  p: number,
  rows: Float64Array,
  n: number,
  d: number,
  queries: Float64Array,
  r0: number,
  r1: number,
  scratch: BruteScratch,
  outDist: Float64Array,
  outIndex: Int32Array,
): void {
  const { heapDist, heapIndex, k } = scratch
  for (let i0 = r0; i0 < r1; i0 += QUERY_BLOCK) {
    const nq = Math.min(QUERY_BLOCK, r1 - i0)
    for (let r = 0; r < nq; r++) heapClear(heapDist, heapIndex, r * k, k)
    for (let j0 = 0; j0 < n; j0 += TRAIN_TILE) {
      const j1 = Math.min(n, j0 + TRAIN_TILE)
      for (let r = 0; r < nq; r++) {
        const off = r * k
        const qOff = (i0 + r) * d
        let root = heapDist[off]!
        let rootIndex = heapIndex[off]!
        for (let j = j0; j < j1; j++) {
          const e = reducedDistance(metric, p, queries, qOff, rows, j * d, d, root)
          if (e < root || (e === root && j < rootIndex)) {
            heapReplaceRoot(heapDist, heapIndex, off, k, e, j)
            root = heapDist[off]!
            rootIndex = heapIndex[off]!
          }
        }
      }
    }
    for (let r = 0; r < nq; r++) {
      const off = r * k
      heapSortAscending(heapDist, heapIndex, off, k)
      const i = i0 + r
      for (let j = 0; j < k; j++) {
        outDist[i * k + j] = fromReduced(metric, p, heapDist[off + j]!)
        outIndex[i * k + j] = heapIndex[off + j]!
      }
    }
  }
}
