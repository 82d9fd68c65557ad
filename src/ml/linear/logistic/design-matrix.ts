/**
 * The numeric input of a linear model: the columns of a Frame checked once (numeric, finite, no
 * missing values) and either read in place or copied row-major into a caller-provided
 * `Float64Array` (which may live on a `SharedArrayBuffer` for worker threads).
 *
 * @internal `ml/base`'s `toMatrix` could take an `out` buffer and tile its transpose like this;
 * until then this is the fast path, and every error still comes from `toMatrix`.
 */
import { toMatrix } from '../../base/index.js'
import type { Frame } from '../../../frame/index.js'

const TILE_ROWS = 256

/**
 * The value arrays of the columns of `X`, after checking that every column is numeric (`f64`,
 * `f32`, `i32`, `bool`), finite and without missing values. Nothing is copied.
 *
 * ## Method
 * Each column is scanned once, summing `x − x` in four independent accumulators: the sum is 0
 * for finite values and NaN as soon as one value is NaN or ±Infinity. On any problem `toMatrix`
 * redoes the conversion and throws its standard field-level `ValidationError`.
 *
 * @throws ValidationError (from `toMatrix`) for a non-numeric column, a missing or non-finite value.
 */
export function numericColumns(X: Frame, kind: string): ArrayLike<number>[] {
  // Dtype problems are reported by toMatrix on zero rows, for every column at once.
  toMatrix(X.slice(0, 0), { kind })
  const n = X.nRows
  let bad = false
  const out: ArrayLike<number>[] = []
  for (const c of X.columns) {
    if (c.validity !== undefined && c.validity.includes(0)) bad = true
    const v = c.values as ArrayLike<number>
    if (c.dtype === 'f64' || c.dtype === 'f32') {
      let c0 = 0
      let c1 = 0
      let c2 = 0
      let c3 = 0
      let i = 0
      for (; i + 3 < n; i += 4) {
        c0 += v[i]! - v[i]!
        c1 += v[i + 1]! - v[i + 1]!
        c2 += v[i + 2]! - v[i + 2]!
        c3 += v[i + 3]! - v[i + 3]!
      }
      for (; i < n; i++) c0 += v[i]! - v[i]!
      if (c0 + c1 + c2 + c3 !== 0) bad = true
    }
    out.push(v)
  }
  if (bad) toMatrix(X, { kind })
  return out
}

/**
 * Fills `out` (length `X.nRows × X.nColumns`) with `X` row-major, with the checks of
 * {@link numericColumns} made on the way.
 *
 * ## Method
 * A tile of 256 rows at a time, four columns per pass: the tile of the output (256 × p doubles)
 * stays in cache while the columns write their stride-p entries into it, instead of every
 * column sweeping the whole output. The finiteness sums (`x − x`) ride along in the same pass.
 * On a fresh buffer most of the cost is the first touch of its pages (≈ 60 ms for 180 MB),
 * which no copy order avoids.
 *
 * @throws ValidationError (from `toMatrix`) for a non-numeric column, a missing or non-finite value.
 */
export function fillRowMajor(X: Frame, out: Float64Array, kind: string): void {
  toMatrix(X.slice(0, 0), { kind })
  const cols: ArrayLike<number>[] = []
  let bad = false
  for (const c of X.columns) {
    if (c.validity !== undefined && c.validity.includes(0)) bad = true
    cols.push(c.values as ArrayLike<number>)
  }
  const n = X.nRows
  const p = cols.length
  let c0 = 0
  let c1 = 0
  let c2 = 0
  let c3 = 0
  for (let r0 = 0; r0 < n && !bad; r0 += TILE_ROWS) {
    const r1 = Math.min(n, r0 + TILE_ROWS)
    let j = 0
    for (; j + 3 < p; j += 4) {
      const a = cols[j]!
      const b = cols[j + 1]!
      const c = cols[j + 2]!
      const d = cols[j + 3]!
      for (let i = r0, o = r0 * p + j; i < r1; i++, o += p) {
        const va = a[i]!
        const vb = b[i]!
        const vc = c[i]!
        const vd = d[i]!
        out[o] = va
        out[o + 1] = vb
        out[o + 2] = vc
        out[o + 3] = vd
        c0 += va - va
        c1 += vb - vb
        c2 += vc - vc
        c3 += vd - vd
      }
    }
    for (; j < p; j++) {
      const v = cols[j]!
      for (let i = r0, o = r0 * p + j; i < r1; i++, o += p) {
        const x = v[i]!
        out[o] = x
        c0 += x - x
      }
    }
    // NaN once any value was NaN or ±Infinity (checked per tile, so a bad input stops early).
    if (c0 + c1 + c2 + c3 !== 0) bad = true
  }
  if (bad) out.set(toMatrix(X, { kind }).data)
}
