/**
 * Batch and single-row prediction of a {@link TreeEnsemble} in margin space (`predictRaw`,
 * `predictRowInto`) and through its link (`predictOutput`, `predictRowOutputInto`).
 *
 * ## Method
 * Rows are processed in blocks of {@link ROW_BLOCK}; within a block the loop runs tree-outer,
 * row-inner, so one tree's nodes stay in L1 while the block's rows walk it, and each row's sum
 * still adds the trees in order 0, 1, … (the single-row path adds them in the same order, so
 * both give bit-identical results). Nothing is allocated per row.
 */
import { denseBlockRows, denseKernel, denseRow } from './kernels/dense.js'
import { packEnsemble, type PackedEnsemble } from './packed.js'

import type { TreeEnsemble } from './types.js'

/** A dense row-major feature matrix: row `r`, feature `f` at `X[r * nFeatures + f]`. */
export type FeatureRows = Float64Array | Float32Array

/** Rows per block: 64 rows × a few dozen features stay in L1 beside one tree. */
const ROW_BLOCK = 64

/**
 * The leaf (global node id) a row reaches in the tree rooted at `node`. `X[o + f]` is the row's
 * feature `f`.
 *
 * @internal
 */
export function leafOf(p: PackedEnsemble, node: number, X: ArrayLike<number>, o: number): number {
  const { feature, threshold, left, right, missingLeft } = p
  if (p.hasCategorical) return leafOfCategorical(p, node, X, o)
  let n = node
  if (p.f32Input) {
    for (let l = left[n]!; l >= 0; l = left[n]!) {
      const x = Math.fround(X[o + feature[n]!]!)
      n = x < threshold[n]! || (x !== x && missingLeft[n] === 1) ? l : right[n]!
    }
  } else {
    for (let l = left[n]!; l >= 0; l = left[n]!) {
      const x = X[o + feature[n]!]!
      n = x < threshold[n]! || (x !== x && missingLeft[n] === 1) ? l : right[n]!
    }
  }
  return n
}

function leafOfCategorical(
  p: PackedEnsemble,
  node: number,
  X: ArrayLike<number>,
  o: number,
): number {
  const { feature, threshold, left, right, missingLeft, catOffset, catWords, catBits } = p
  let n = node
  for (let l = left[n]!; l >= 0; l = left[n]!) {
    let x = X[o + feature[n]!]!
    if (p.f32Input) x = Math.fround(x)
    let goLeft: boolean
    if (x !== x) goLeft = missingLeft[n] === 1
    else if (catOffset[n]! < 0) goLeft = x < threshold[n]!
    else {
      // Category code c goes left when its bit is set; negative, fractional or out-of-bitset
      // codes go right.
      const word = Math.floor(x / 32)
      goLeft =
        x >= 0 &&
        x === Math.floor(x) &&
        word < catWords[n]! &&
        ((catBits[catOffset[n]! + word]! >>> (x - word * 32)) & 1) === 1
    }
    n = goLeft ? l : right[n]!
  }
  return n
}

/** Writes the starting sums of rows [r0, r1) into `out`. */
function initRows(p: PackedEnsemble, out: Float64Array, r0: number, r1: number): void {
  const K = p.nOutputs
  for (let r = r0; r < r1; r++) {
    for (let k = 0; k < K; k++) {
      const b = p.baseScore[k]!
      out[r * K + k] = p.mean ? 0 : p.f32Sum ? Math.fround(b) : b
    }
  }
}

/** Turns mean-aggregated sums of rows [r0, r1) into margins. */
function finishRows(p: PackedEnsemble, out: Float64Array, r0: number, r1: number): void {
  if (!p.mean) return
  const K = p.nOutputs
  for (let r = r0; r < r1; r++) {
    for (let k = 0; k < K; k++) out[r * K + k] = p.baseScore[k]! + out[r * K + k]! * p.scale[k]!
  }
}

/**
 * Raw scores (margins) of rows [r0, r1) into `out[r * nOutputs + k]`, with the generic walk.
 *
 * @internal
 */
export function predictRowsGeneric(
  p: PackedEnsemble,
  X: FeatureRows,
  nFeatures: number,
  r0: number,
  r1: number,
  out: Float64Array,
): void {
  const K = p.nOutputs
  const w = p.leafWidth
  const { value, root, group } = p
  for (let b0 = r0; b0 < r1; b0 += ROW_BLOCK) {
    const b1 = Math.min(r1, b0 + ROW_BLOCK)
    initRows(p, out, b0, b1)
    for (let t = 0; t < p.nTrees; t++) {
      const rt = root[t]!
      if (w === 1) {
        const g = group[t]!
        if (p.f32Sum) {
          for (let r = b0; r < b1; r++) {
            const leaf = leafOf(p, rt, X, r * nFeatures)
            out[r * K + g] = Math.fround(out[r * K + g]! + value[leaf]!)
          }
        } else {
          for (let r = b0; r < b1; r++) {
            out[r * K + g] = out[r * K + g]! + value[leafOf(p, rt, X, r * nFeatures)]!
          }
        }
      } else {
        for (let r = b0; r < b1; r++) {
          const v = leafOf(p, rt, X, r * nFeatures) * w
          for (let k = 0; k < w; k++) {
            const s = out[r * K + k]! + value[v + k]!
            out[r * K + k] = p.f32Sum ? Math.fround(s) : s
          }
        }
      }
    }
    finishRows(p, out, b0, b1)
  }
}

/**
 * Throws unless `X` and `out` hold `nRows` rows.
 *
 * @internal
 */
export function checkBatch(
  e: TreeEnsemble,
  X: FeatureRows,
  nRows: number,
  out: Float64Array,
): void {
  if (!Number.isSafeInteger(nRows) || nRows < 0)
    throw new RangeError(`nRows must be an integer ≥ 0, got ${nRows}`)
  if (X.length < nRows * e.nFeatures)
    throw new RangeError(
      `X holds ${X.length} values, fewer than ${nRows} rows × ${e.nFeatures} features`,
    )
  if (out.length < nRows * e.nOutputs)
    throw new RangeError(`out holds ${out.length} values, fewer than ${nRows * e.nOutputs}`)
}

/**
 * Raw scores (margins) of `nRows` rows: `out[r * nOutputs + k]` is `baseScore[k]` plus the sum
 * (or mean) of the leaf outputs tree by tree, before the link.
 *
 * `X` is row-major with `e.nFeatures` columns; NaN means missing. Returns `out`.
 *
 * @throws RangeError if `X` or `out` is too short.
 * @example
 * ```ts
 * const margins = predictRaw(e, X, nRows, new Float64Array(nRows * e.nOutputs))
 * ```
 */
export function predictRaw(
  e: TreeEnsemble,
  X: FeatureRows,
  nRows: number,
  out: Float64Array,
): Float64Array {
  checkBatch(e, X, nRows, out)
  const p = packEnsemble(e)
  if (p.dense === undefined || e.nFeatures === 0)
    predictRowsGeneric(p, X, e.nFeatures, 0, nRows, out)
  else {
    const scratch = new Float64Array(denseBlockRows(e.nFeatures) * 2 * e.nFeatures)
    denseKernel(p.dense, X, 0, nRows, out, scratch)
  }
  return out
}

/**
 * The raw scores of one row into `out[0 … nOutputs)`, allocating nothing (the ensemble's packed
 * layout is built on the first call and cached). Equal bit for bit to {@link predictRaw}'s.
 *
 * @throws RangeError if `row` has fewer than `nFeatures` values or `out` fewer than `nOutputs`.
 *
 * @example
 * ```ts
 * const out = new Float64Array(e.nOutputs)
 * predictRowInto(e, row, out)   // reuse `out` for every request
 * ```
 */
export function predictRowInto(
  e: TreeEnsemble,
  row: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  if (row.length < e.nFeatures || out.length < e.nOutputs)
    throw new RangeError(
      `row needs ${e.nFeatures} values (got ${row.length}), out ${e.nOutputs} (got ${out.length})`,
    )
  const p = packEnsemble(e)
  if (p.dense !== undefined && p.rowScratch.length > 0) {
    denseRow(p.dense, row, out, p.rowScratch)
    return out
  }
  const K = p.nOutputs
  const w = p.leafWidth
  const { value, root, group } = p
  for (let k = 0; k < K; k++) {
    const b = p.baseScore[k]!
    out[k] = p.mean ? 0 : p.f32Sum ? Math.fround(b) : b
  }
  for (let t = 0; t < p.nTrees; t++) {
    const leaf = leafOf(p, root[t]!, row, 0)
    if (w === 1) {
      const g = group[t]!
      const s = out[g]! + value[leaf]!
      out[g] = p.f32Sum ? Math.fround(s) : s
    } else {
      for (let k = 0; k < w; k++) {
        const s = out[k]! + value[leaf * w + k]!
        out[k] = p.f32Sum ? Math.fround(s) : s
      }
    }
  }
  if (p.mean) for (let k = 0; k < K; k++) out[k] = p.baseScore[k]! + out[k]! * p.scale[k]!
  return out
}
