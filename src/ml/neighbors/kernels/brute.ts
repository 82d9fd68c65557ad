/**
 * Brute-force k-nearest-neighbour search: every query row against every training row, in
 * cache-sized blocks, keeping a fixed-size max-heap per query row (`heap.ts`).
 *
 * Two paths:
 * - {@link searchExpanded} (Euclidean and cosine): the distance tile comes from dot products,
 *   `‖q−x‖² = ‖q‖² + ‖x‖² − 2 q·x` (cosine: `1 − q̂·x̂`), the matrix-product form scikit-learn's
 *   `EuclideanArgKmin` uses, which does two flops per feature and pair instead of three.
 * - {@link searchDirect} (Manhattan, Minkowski, and the exact Euclidean fallback): the reduced
 *   distance summed feature by feature, exactly as the KD-tree computes it.
 *
 * Rows are row-major `Float64Array`s (`x[i * d + c]`). Results go to `outDist`/`outIndex` at
 * `[i * k + j]`, nearest first, ties in distance in ascending training index. Scratch buffers
 * come from {@link createBruteScratch}; nothing allocates per row.
 */
import {
  EMPTY_INDEX,
  heapClear,
  heapReplaceRoot,
  heapSortAscending,
  insertionSortPairs,
} from './heap.js'
import { type COSINE, EUCLIDEAN, fromReduced, reducedDistance, type MetricCode } from './metric.js'

/** Query rows per block (a multiple of 4, the micro-kernel's height). */
export const QUERY_BLOCK = 32
/** Training rows per tile (a multiple of 4): a tile of 28-feature rows stays in L2. */
export const TRAIN_TILE = 256

const U = 2 ** -53

/** Reusable buffers of one search thread. */
export interface BruteScratch {
  readonly tile: Float64Array
  readonly block: Float64Array
  readonly blockNorms: Float64Array
  readonly heapDist: Float64Array
  readonly heapIndex: Int32Array
  /** The search's `k`. */
  readonly k: number
}

/**
 * Scratch buffers for `k` neighbours of `d`-feature rows. The heaps hold `k + 1` pairs: the
 * expanded-form search keeps one candidate more than it returns, to certify the selection.
 */
export function createBruteScratch(d: number, k: number): BruteScratch {
  return {
    tile: new Float64Array(QUERY_BLOCK * TRAIN_TILE),
    block: new Float64Array(QUERY_BLOCK * d),
    blockNorms: new Float64Array(QUERY_BLOCK),
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

/** A training set prepared for {@link searchExpanded}. */
export interface ExpandedRows {
  readonly metric: typeof EUCLIDEAN | typeof COSINE
  readonly n: number
  readonly d: number
  /** Euclidean: the rows minus `shift`; cosine: the rows scaled to unit norm (zero rows stay zero). */
  readonly rows: Float64Array
  /** Euclidean: the squared norms of `rows`. */
  readonly norms: Float64Array
  /** Euclidean: the largest of `norms`. */
  readonly maxNorm: number
  /** Euclidean: the per-feature shift subtracted from training and query rows. */
  readonly shift: Float64Array
  /** The training rows as given (the exact distances are computed on them). */
  readonly original: Float64Array
}

/**
 * Prepares training rows for {@link searchExpanded}.
 *
 * For Euclidean, every feature is shifted by its mean rounded to 8 significant bits: the
 * expanded form loses about `‖x‖²·2⁻⁵³` to cancellation, so moving the origin into the data
 * makes it accurate for uncentred data, while the short shift keeps integer and other
 * short-mantissa data exact (ties stay ties).
 */
export function prepareExpanded(
  metric: typeof EUCLIDEAN | typeof COSINE,
  original: Float64Array,
  n: number,
  d: number,
): ExpandedRows {
  const rows = new Float64Array(n * d)
  const norms = new Float64Array(n)
  const shift = new Float64Array(d)
  let maxNorm = 0
  if (metric === EUCLIDEAN) {
    for (let c = 0; c < d; c++) {
      let s = 0
      for (let i = 0; i < n; i++) s += original[i * d + c]!
      shift[c] = shortMantissa(s / n)
    }
    for (let i = 0; i < n; i++) {
      let s = 0
      for (let c = 0; c < d; c++) {
        const v = original[i * d + c]! - shift[c]!
        rows[i * d + c] = v
        s += v * v
      }
      norms[i] = s
      if (s > maxNorm) maxNorm = s
    }
  } else {
    for (let i = 0; i < n; i++) normalizeRow(original, i * d, d, rows, i * d)
  }
  return { metric, n, d, rows, norms, maxNorm, shift, original }
}

/** `v` rounded to 8 significant bits (0 for non-finite or negligible values). */
function shortMantissa(v: number): number {
  if (!Number.isFinite(v) || Math.abs(v) < 2 ** -900) return 0
  const scale = 2 ** (7 - Math.floor(Math.log2(Math.abs(v))))
  return Math.round(v * scale) / scale
}

/** `out = x / ‖x‖` (sklearn's `normalize`: a zero row stays zero). */
function normalizeRow(x: Float64Array, xOff: number, d: number, out: Float64Array, oOff: number) {
  let s = 0
  for (let c = 0; c < d; c++) s += x[xOff + c]! * x[xOff + c]!
  const norm = s === 0 ? 1 : Math.sqrt(s)
  for (let c = 0; c < d; c++) out[oOff + c] = x[xOff + c]! / norm
}

/**
 * The `k` nearest training rows of query rows `r0 ≤ i < r1` of `queries` (row-major, original
 * values), Euclidean or cosine, written to `outDist`/`outIndex` at `[i * k + j]`.
 *
 * ## Method
 * Blocked brute force over the expanded form (see the file header). For Euclidean, the expanded
 * squared distance only selects candidates: the search keeps the `k + 1` smallest, recomputes
 * the first `k` directly (`Σ(q−x)²`), and certifies the selection with a rounding-error bound of
 * the expanded form (Higham's `γ_d`): if the `(k+1)`-th expanded value minus the bound still
 * exceeds every kept candidate's exact distance, no other row can be nearer. A row that fails
 * (a tie or near-tie at the `k`-th place, or overflow) is searched again exactly with
 * {@link directRow}, so results equal the KD-tree's bit for bit. Cosine distances are
 * `1 − q̂·x̂` clipped to [0, 2], as scikit-learn computes them.
 *
 * ## References
 * N. J. Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., SIAM 2002, §3.1.
 */
export function searchExpanded(
  train: ExpandedRows,
  queries: Float64Array,
  r0: number,
  r1: number,
  scratch: BruteScratch,
  outDist: Float64Array,
  outIndex: Int32Array,
): void {
  const { n, d, rows, norms, metric, shift } = train
  const { tile, block, blockNorms, heapDist, heapIndex, k } = scratch
  const euclid = metric === EUCLIDEAN
  const stride = k + 1
  // The heap size: one spare candidate for the certificate (none to spare when k = n).
  const hk = euclid ? Math.min(k + 1, n) : k
  for (let i0 = r0; i0 < r1; i0 += QUERY_BLOCK) {
    const nq = Math.min(QUERY_BLOCK, r1 - i0)
    for (let r = 0; r < nq; r++) {
      const src = (i0 + r) * d
      if (euclid) {
        let s = 0
        for (let c = 0; c < d; c++) {
          const v = queries[src + c]! - shift[c]!
          block[r * d + c] = v
          s += v * v
        }
        blockNorms[r] = s
      } else {
        normalizeRow(queries, src, d, block, r * d)
      }
      heapClear(heapDist, heapIndex, r * stride, hk)
    }
    for (let j0 = 0; j0 < n; j0 += TRAIN_TILE) {
      const nt = Math.min(TRAIN_TILE, n - j0)
      dotTile(block, nq, rows, j0, nt, d, tile)
      for (let r = 0; r < nq; r++) {
        const off = r * stride
        const t = r * TRAIN_TILE
        let root = heapDist[off]!
        // Training rows arrive in index order, so a value equal to the root's loses the tie:
        // `<` is the whole pair comparison here.
        if (euclid) {
          const qn = blockNorms[r]!
          for (let c = 0; c < nt; c++) {
            const v = qn + norms[j0 + c]! - 2 * tile[t + c]!
            if (v < root) {
              heapReplaceRoot(heapDist, heapIndex, off, hk, v, j0 + c)
              root = heapDist[off]!
            }
          }
        } else {
          for (let c = 0; c < nt; c++) {
            const v = Math.min(2, Math.max(0, 1 - tile[t + c]!))
            if (v < root) {
              heapReplaceRoot(heapDist, heapIndex, off, hk, v, j0 + c)
              root = heapDist[off]!
            }
          }
        }
      }
    }
    for (let r = 0; r < nq; r++) {
      const i = i0 + r
      const off = r * stride
      heapSortAscending(heapDist, heapIndex, off, hk)
      if (euclid) finishEuclidean(train, queries, i, blockNorms[r]!, scratch, off, hk)
      for (let j = 0; j < k; j++) {
        const e = heapDist[off + j]!
        outDist[i * k + j] = euclid ? Math.sqrt(e) : e
        outIndex[i * k + j] = heapIndex[off + j]!
      }
    }
  }
}

/**
 * Turns the sorted expanded-form candidates of query row `i` (`hk` of them at `off`) into the
 * exact `k` nearest in pair order, re-searching the row directly when the selection cannot be
 * certified.
 */
function finishEuclidean(
  train: ExpandedRows,
  queries: Float64Array,
  i: number,
  qn: number,
  scratch: BruteScratch,
  off: number,
  hk: number,
): void {
  const { heapDist, heapIndex, k } = scratch
  const { d, original } = train
  // Every row not kept has an expanded value ≥ the spare candidate's (or there is none).
  const next = hk > k ? heapDist[off + k]! : Infinity
  let exactMax = 0
  let certified = Number.isFinite(qn + train.maxNorm)
  for (let j = 0; j < k && certified; j++) {
    const idx = heapIndex[off + j]!
    if (idx === EMPTY_INDEX) certified = false
    else {
      const e = reducedDistance(EUCLIDEAN, 2, queries, i * d, original, idx * d, d, Infinity)
      heapDist[off + j] = e
      if (e > exactMax) exactMax = e
    }
  }
  // Error bound of the expanded form (dot product, norms, shift) plus that of the direct sum,
  // with a factor of 4 to spare; the absolute term covers underflow.
  const slack = 4 * (d + 8) * U * (qn + train.maxNorm + exactMax) + 2 ** -960
  if (certified && next - slack > exactMax) {
    insertionSortPairs(heapDist, heapIndex, off, k)
    return
  }
  directRow(EUCLIDEAN, 2, original, train.n, d, queries, i * d, heapDist, heapIndex, off, k)
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
