/**
 * The training matrix of a linear model: the numeric columns of a Frame copied row-major into
 * a caller-provided `Float64Array` (which may live on a `SharedArrayBuffer` for worker threads).
 *
 * @internal `ml/base`'s `toMatrix` could take an `out` buffer and tile its transpose like this;
 * until then this is the fast path, and every error still comes from `toMatrix`.
 */
import { toMatrix } from '../../base/index.js'
import type { Frame } from '../../../frame/index.js'

const TILE_ROWS = 1024

/**
 * Fills `out` (length `X.nRows × X.nColumns`) with `X` row-major. Columns must be numeric
 * (`f64`, `f32`, `i32`, `bool`), finite and without missing values.
 *
 * ## Method
 * Columns are copied a tile of 1024 rows at a time: a tile of the output (1024 × p doubles)
 * stays in cache while each column writes its stride-p entries into it, instead of every column
 * sweeping the whole output. Finiteness is checked on the way; on any problem the conversion is
 * redone by `toMatrix`, which throws the standard field-level `ValidationError`.
 *
 * @throws ValidationError (from `toMatrix`) for a non-numeric column, a missing or non-finite value.
 */
export function fillRowMajor(X: Frame, out: Float64Array, kind: string): void {
  // Dtype problems are reported by toMatrix on zero rows, for every column at once.
  toMatrix(X.slice(0, 0), { kind })
  const n = X.nRows
  const p = X.nColumns
  const cols = X.columns
  let bad = false
  for (const c of cols) if (c.validity !== undefined && c.validity.includes(0)) bad = true
  for (let r0 = 0; r0 < n && !bad; r0 += TILE_ROWS) {
    const r1 = Math.min(n, r0 + TILE_ROWS)
    for (let j = 0; j < p; j++) {
      const v = cols[j]!.values as ArrayLike<number>
      let check = 0
      for (let i = r0, o = r0 * p + j; i < r1; i++, o += p) {
        const x = v[i]!
        out[o] = x
        check += x - x
      }
      // x − x is 0 for every finite x and NaN for NaN or ±Infinity.
      if (check !== 0) bad = true
    }
  }
  if (bad) out.set(toMatrix(X, { kind }).data)
}
