/**
 * The feature columns of a frame as `Float64Array`s, without copying `f64` columns.
 *
 * TODO(#4): `toMatrix` could hand out unmasked `f64` columns uncopied like this (a
 * column-view variant), and naive Bayes use it.
 */
import type { Frame } from '../../frame/index.js'
import { toMatrix } from '../base/index.js'

/**
 * The columns of `X` as `Float64Array`s: an `f64` column without a validity mask is returned
 * as it is (not copied; callers must not write to it), `f32`/`i32`/`bool` columns are converted.
 * Anything else (missing values, non-finite values, non-numeric columns) goes through
 * `toMatrix`, so the checks and error messages are exactly its own.
 *
 * @throws ValidationError as `toMatrix` does.
 */
export function numericColumns(X: Frame, kind: string): Float64Array[] {
  const out: Float64Array[] = []
  for (const col of X.columns) {
    if (col.validity !== undefined) return viaToMatrix(X, kind)
    let values: Float64Array
    switch (col.dtype) {
      case 'f64':
        values = col.values
        break
      case 'f32':
      case 'i32':
      case 'bool':
        values = Float64Array.from(col.values)
        break
      default:
        return viaToMatrix(X, kind)
    }
    // x − x is 0 for finite x and NaN for NaN and ±∞: one test catches both.
    let s = 0
    for (let i = 0; i < values.length; i++) s += values[i]! - values[i]!
    if (s !== 0) return viaToMatrix(X, kind)
    out.push(values)
  }
  return out
}

function viaToMatrix(X: Frame, kind: string): Float64Array[] {
  const m = toMatrix(X, { layout: 'col', kind })
  return Array.from({ length: m.nCols }, (_, j) => m.data.subarray(j * m.nRows, (j + 1) * m.nRows))
}
