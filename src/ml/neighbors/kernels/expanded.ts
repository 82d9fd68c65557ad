/**
 * The expanded-form brute force (Euclidean and cosine): distances from dot products,
 * `‖q−x‖² = ‖q‖² + ‖x‖² − 2 q·x`, the matrix-product form scikit-learn's `EuclideanArgKmin`
 * uses, two flops per feature and pair instead of three, and SIMD-friendly. Cosine runs through
 * the same tile with unit norms on normalised rows: `2 − 2 q̂·x̂ = 2(1 − q̂·x̂)` exactly.
 */
import { allocF64 } from './alloc.js'
import { directRow, dotTile, type BruteScratch } from './brute.js'
import {
  EMPTY_INDEX,
  heapClear,
  heapReplaceRoot,
  heapSortAscending,
  insertionSortPairs,
} from './heap.js'
import { type COSINE, EUCLIDEAN, reducedDistance } from './metric.js'
import { createSimdPanels, createSimdTile, type SimdPanels } from './simd-dot.js'
import { QUERY_BLOCK, TRAIN_TILE } from './tiles.js'

const U = 2 ** -53

/** A training set prepared for {@link searchExpanded}. */
export interface ExpandedRows {
  readonly metric: typeof EUCLIDEAN | typeof COSINE
  readonly n: number
  readonly d: number
  /**
   * Euclidean: the rows minus `shift`; cosine: the rows scaled to unit norm (zero rows stay
   * zero). Packed for the SIMD kernel when WebAssembly is available, plain otherwise.
   */
  readonly rows: SimdPanels | Float64Array
  /** Euclidean: the squared norms of the prepared rows; cosine: ones. */
  readonly norms: Float64Array
  /** Euclidean: the largest of `norms`. */
  readonly maxNorm: number
  /** Euclidean: the per-feature shift subtracted from training and query rows. */
  readonly shift: Float64Array
  /** The training rows as given (the exact distances are computed on them). */
  readonly original: Float64Array
}

/**
 * Prepares training rows for {@link searchExpanded}, with `slots` scratch slots for query
 * threads (`shared`: every array in memory workers can share; `original` should be shared too).
 * `simd: false` keeps the rows for the JavaScript kernel (tests compare the two).
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
  slots = 1,
  shared = false,
  simd = true,
): ExpandedRows {
  const rows = new Float64Array(n * d)
  const norms = allocF64(n, shared)
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
    norms.fill(1)
  }
  const packed = simd ? createSimdPanels(rows, norms, n, d, slots, shared) : undefined
  let plain: Float64Array = rows
  if (packed === undefined && shared) {
    plain = allocF64(n * d, true)
    plain.set(rows)
  }
  return { metric, n, d, rows: packed ?? plain, norms, maxNorm, shift, original }
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

/** Computes distance tiles of a query block against runs of training rows. */
export interface TileEngine {
  /** The query block to fill (`QUERY_BLOCK × d`, row-major, shifted or normalised). */
  readonly block: Float64Array
  /** The block rows' squared norms (cosine: ones), to fill. */
  readonly blockNorms: Float64Array
  /** Per block row, the minimum of its tile row. */
  readonly rowMin: Float64Array
  /** `tile[r·TRAIN_TILE + c] = (qn[r] + tn[j0+c]) − 2 block[r]·row[j0+c]`. */
  readonly tile: Float64Array
  /** Fills `tile` and `rowMin` for block rows `r < nq` and training rows `j0 ≤ j < j0 + nt`. */
  run(nq: number, j0: number, nt: number): void
}

/**
 * The tile engine of scratch slot `slot` over `train`: the WebAssembly SIMD kernel when the
 * rows are packed for it and it instantiates, the JavaScript micro-kernel otherwise. Both give
 * the same bits.
 */
export function createTileEngine(train: ExpandedRows, slot = 0): TileEngine {
  const { rows } = train
  if (!(rows instanceof Float64Array)) {
    const simd = createSimdTile(rows, slot)
    if (simd !== undefined) return simd
    return jsEngine(unpack(rows), train)
  }
  return jsEngine(rows, train)
}

function jsEngine(rows: Float64Array, train: ExpandedRows): TileEngine {
  const { d, norms } = train
  const block = new Float64Array(QUERY_BLOCK * d)
  const blockNorms = new Float64Array(QUERY_BLOCK)
  const rowMin = new Float64Array(QUERY_BLOCK)
  const tile = new Float64Array(QUERY_BLOCK * TRAIN_TILE)
  return {
    block,
    blockNorms,
    rowMin,
    tile,
    run(nq, j0, nt) {
      dotTile(block, nq, rows, j0, nt, d, tile)
      for (let r = 0; r < nq; r++) {
        const qn = blockNorms[r]!
        const t = r * TRAIN_TILE
        let min = Infinity
        for (let c = 0; c < nt; c++) {
          const v = qn + norms[j0 + c]! - 2 * tile[t + c]!
          tile[t + c] = v
          if (v < min) min = v
        }
        rowMin[r] = min
      }
    },
  }
}

/** The row-major rows back from their SIMD panels (when the kernel fails to instantiate). */
function unpack(p: SimdPanels): Float64Array {
  const { n, d } = p
  const view = new Float64Array(p.memory.buffer)
  const out = new Float64Array(n * d)
  for (let i = 0; i < n; i++) {
    const base = (i >> 2) * 4 * d + (i & 3)
    for (let x = 0; x < d; x++) out[i * d + x] = view[base + 4 * x]!
  }
  return out
}

/** Cosine works on `2(1 − cos)`, clipped to [0, 4] (scikit-learn clips `1 − cos` to [0, 2]). */
function clip4(v: number): number {
  return v < 0 ? 0 : v > 4 ? 4 : v
}

/**
 * The `k` nearest training rows of query rows `r0 ≤ i < r1` of `queries` (row-major, original
 * values), Euclidean or cosine, written to `outDist`/`outIndex` at `[i * k + j]`.
 *
 * ## Method
 * Blocked brute force over distance tiles from `engine`; a tile row whose minimum cannot beat
 * the row's current `k`-th candidate is skipped. For Euclidean, the expanded squared distance
 * only selects candidates: the search keeps the `k + 1` smallest, recomputes the first `k`
 * directly (`Σ(q−x)²`), and certifies the selection with a rounding-error bound of the
 * expanded form (Higham's `γ_d`): if the `(k+1)`-th expanded value minus the bound still
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
  engine: TileEngine,
  queries: Float64Array,
  r0: number,
  r1: number,
  scratch: BruteScratch,
  outDist: Float64Array,
  outIndex: Int32Array,
): void {
  const { n, d, metric, shift } = train
  const { block, blockNorms, rowMin, tile } = engine
  const { heapDist, heapIndex, k } = scratch
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
        blockNorms[r] = 1
      }
      heapClear(heapDist, heapIndex, r * stride, hk)
    }
    for (let j0 = 0; j0 < n; j0 += TRAIN_TILE) {
      const nt = Math.min(TRAIN_TILE, n - j0)
      engine.run(nq, j0, nt)
      for (let r = 0; r < nq; r++) {
        const off = r * stride
        let root = heapDist[off]!
        if (!((euclid ? rowMin[r]! : clip4(rowMin[r]!)) < root)) continue
        const t = r * TRAIN_TILE
        // Training rows arrive in index order, so a value equal to the root's loses the tie:
        // `<` is the whole pair comparison here.
        for (let c = 0; c < nt; c++) {
          const v = euclid ? tile[t + c]! : clip4(tile[t + c]!)
          if (v < root) {
            heapReplaceRoot(heapDist, heapIndex, off, hk, v, j0 + c)
            root = heapDist[off]!
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
        outDist[i * k + j] = euclid ? Math.sqrt(e) : e / 2
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
