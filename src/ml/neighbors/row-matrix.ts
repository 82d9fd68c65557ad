/**
 * The feature columns of a frame as one row-major matrix, transposed in cache-sized blocks.
 *
 * TODO(#4): `toMatrix` now fills row-major in the same blocks; give it an output buffer
 * (shared memory) and this file can go.
 */
import type { Frame } from '../../frame/index.js'
import { toMatrix } from '../base/index.js'

import { allocF64 } from './kernels/alloc.js'

/** Rows per transposed block: 256 rows × a few dozen features stay in L1/L2 while written. */
const BLOCK = 256

/**
 * `X` as a new row-major `Float64Array` (`data[i * d + j]`), in shared memory if `shared`.
 * Numeric columns without a validity mask and with finite values take the fast path; anything
 * else goes through `toMatrix`, so the checks and error messages are exactly its own.
 *
 * @throws ValidationError as `toMatrix` does.
 */
export function rowMatrix(X: Frame, kind: string, shared = false): Float64Array {
  const n = X.nRows
  const d = X.nColumns
  const cols: ArrayLike<number>[] = []
  for (const col of X.columns) {
    if (col.validity !== undefined) return toMatrix(X, { layout: 'row', kind }).data
    switch (col.dtype) {
      case 'f64':
      case 'f32':
      case 'i32':
      case 'bool':
        cols.push(col.values)
        break
      default:
        return toMatrix(X, { layout: 'row', kind }).data
    }
  }
  const out = allocF64(n * d, shared)
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const i1 = Math.min(n, i0 + BLOCK)
    for (let j = 0; j < d; j++) {
      const v = cols[j]!
      for (let i = i0; i < i1; i++) out[i * d + j] = v[i]!
    }
  }
  // x − x is 0 for finite x and NaN for NaN and ±∞: one test catches both.
  let s = 0
  for (let t = 0; t < out.length; t++) s += out[t]! - out[t]!
  if (s !== 0) return toMatrix(X, { layout: 'row', kind }).data
  return out
}
