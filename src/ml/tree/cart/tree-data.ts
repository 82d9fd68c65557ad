/**
 * The training data of the CART learner, prepared once per fit and shared by every tree (and
 * every worker thread) of a forest: each feature's distinct values sorted, and each value's rank
 * among them, so a node sorts small integers instead of doubles.
 *
 * @internal
 */
import { ValidationError } from '../../../core/index.js'
import { toMatrix } from '../../base/index.js'
import type { Frame } from '../../../frame/index.js'

/** Prepared training data (column-major ranks), on `SharedArrayBuffer`s when shared. */
export interface TreeData {
  /** Rows. */
  readonly n: number
  /** Features. */
  readonly p: number
  /**
   * `rank[j * n + i]`: `2·r + c` where `r` is the index of `X[i, j]` among feature `j`'s
   * distinct values and `c` is 1 when the next distinct value lies within scikit-learn's
   * `FEATURE_THRESHOLD` (1e-7) of it; `2·u` (`u` the count of distinct values) when `X[i, j]` is
   * missing (NaN). Ranks sort like the values, and the flag spares the splitter a value lookup
   * wherever values are far apart.
   */
  readonly rank: Int32Array
  /** Every feature's distinct non-missing values, ascending, concatenated. */
  readonly values: Float64Array
  /** Feature `j`'s values are `values[offset[j] … offset[j + 1])`. */
  readonly offset: Int32Array
  /** Class index of each row (classification), else empty. */
  readonly classes: Int32Array
  /** Target of each row (regression), else empty. */
  readonly target: Float64Array
  /** Number of classes; 0 for regression. */
  readonly nClasses: number
}

/**
 * Most rows: a node sorts exact integer keys `rank · 2^s + position` in doubles, with ranks below
 * `2n + 1` and positions below `2^s ≤ 2n`.
 */
const MAX_ROWS = 2 ** 25

/** The typed-array constructor over a plain or shared buffer. */
function alloc<A extends Int32Array | Float64Array>(
  Ctor: { new (b: ArrayBufferLike): A; BYTES_PER_ELEMENT: number },
  length: number,
  shared: boolean,
): A {
  const bytes = length * Ctor.BYTES_PER_ELEMENT
  return new Ctor(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes))
}

/**
 * The dense matrix of `X` for the tree learners: numeric columns, column-major, missing values
 * as NaN.
 *
 * @throws ValidationError for non-numeric columns or ±Infinity (which scikit-learn rejects too).
 */
export function treeMatrix(X: Frame, kind: string): Float64Array {
  const m = toMatrix(X, { layout: 'col', allowMissing: true, allowNonFinite: true, kind })
  const d = m.data
  for (let j = 0; j < m.nCols; j++) {
    for (let i = 0; i < m.nRows; i++) {
      const v = d[j * m.nRows + i]!
      if (v === Infinity || v === -Infinity) {
        const name = X.columns[j]?.name ?? String(j)
        throw new ValidationError(`${kind} does not accept infinite feature values`, [
          {
            path: ['X', name],
            code: 'non_finite',
            message: `column "${name}" has an infinite value at row ${i}`,
          },
        ])
      }
    }
  }
  return d
}

/**
 * Ranks the column-major matrix `X` (`n × p`, NaN = missing) for the learner.
 *
 * @param classes class index per row (classification), or undefined
 * @param target regression target per row, or undefined
 */
export function prepareTreeData(
  X: Float64Array,
  n: number,
  p: number,
  labels: {
    readonly classes?: Int32Array
    readonly nClasses?: number
    readonly target?: Float64Array
  },
  shared: boolean,
): TreeData {
  if (n > MAX_ROWS) {
    throw new ValidationError(`the tree learner takes at most ${MAX_ROWS} rows, got ${n}`, [
      { path: ['X'], code: 'too_many_rows', message: `at most ${MAX_ROWS} rows` },
    ])
  }
  const rank = alloc(Int32Array, n * p, shared)
  const offset = alloc(Int32Array, p + 1, shared)
  const uniques: Float64Array[] = []
  const col = new Float64Array(n)
  let total = 0
  for (let j = 0; j < p; j++) {
    col.set(X.subarray(j * n, (j + 1) * n))
    // TypedArray sort is numeric and puts NaN last; -0 sorts before 0 but compares equal.
    col.sort()
    let u = 0
    for (let i = 0; i < n; i++) {
      const v = col[i]!
      if (v !== v) break
      if (u === 0 || v !== col[u - 1]) col[u++] = v
    }
    const uniq = col.slice(0, u)
    uniques.push(uniq)
    offset[j] = total
    total += u
    const base = j * n
    for (let i = 0; i < n; i++) {
      const v = X[base + i]!
      if (v !== v) {
        rank[base + i] = 2 * u
        continue
      }
      let lo = 0
      let hi = u - 1
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (uniq[mid]! < v) lo = mid + 1
        else hi = mid
      }
      rank[base + i] = 2 * lo + (lo + 1 < u && uniq[lo + 1]! <= uniq[lo]! + 1e-7 ? 1 : 0)
    }
  }
  offset[p] = total
  const values = alloc(Float64Array, total, shared)
  for (let j = 0; j < p; j++) values.set(uniques[j]!, offset[j])
  const classes = alloc(Int32Array, labels.classes?.length ?? 0, shared)
  if (labels.classes !== undefined) classes.set(labels.classes)
  const target = alloc(Float64Array, labels.target?.length ?? 0, shared)
  if (labels.target !== undefined) target.set(labels.target)
  return { n, p, rank, values, offset, classes, target, nClasses: labels.nClasses ?? 0 }
}
