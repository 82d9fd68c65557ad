/**
 * `Frame`: an immutable, columnar table of named {@link Column}s with equal lengths.
 */
import { NotFoundError, ValidationError, type ValidationIssue } from '../core/index.js'

import {
  buildColumn,
  isSealedColumn,
  validateColumnInit,
  valueAt,
  type CellValue,
  type Column,
} from './column.js'
import { renameColumn, sliceColumn, takeColumn, type IndexArray } from './column-ops.js'
import type { DType } from './dtype.js'
import type { FieldSchema, FrameSchema } from './schema.js'

/** Options for {@link createFrame}. */
export interface FrameOptions {
  /**
   * The row count. Needed only for a frame with no columns (which still has rows, like the
   * result of `select([])`); with columns it must match their length.
   *
   * @default the columns' length, or 0 when there are none
   */
  readonly nRows?: number
}

/** One row of {@link Frame.toRows}: column name → cell (`null` when missing). */
export type Row = Readonly<Record<string, CellValue>>

const NAMES_IN_MESSAGES = 20

/**
 * An immutable, columnar table. Every operation returns a new frame; `select`, `drop`,
 * `rename`, `withColumn` and `slice` share the column buffers (zero-copy), `take` and `filter`
 * gather into new buffers. Frames and columns are frozen; their typed arrays can't be, so never
 * write to `column.values` or `column.validity`. Column lookup is by a `Map`, so frames with
 * many thousands of columns stay fast.
 *
 * @example
 * ```ts
 * const X = createFrame([
 *   columnFromArray('age', [31, null, 45]),
 *   columnFromArray('city', ['Oslo', 'Lima', 'Oslo'], 'cat'),
 * ])
 * X.column('age', 'f64').values // Float64Array [31, NaN, 45], row 1 missing
 * X.slice(1).toRows() // [{ age: null, city: 'Lima' }, { age: 45, city: 'Oslo' }]
 * ```
 */
export class Frame {
  /** The number of rows. */
  readonly nRows: number
  /** The columns, in order. */
  readonly columns: readonly Column[]
  /** The column names, in order. */
  readonly names: readonly string[]
  readonly #index: ReadonlyMap<string, number>

  private constructor(columns: readonly Column[], nRows: number) {
    this.nRows = nRows
    this.columns = Object.freeze(columns.slice())
    this.names = Object.freeze(columns.map((c) => c.name))
    this.#index = new Map(this.names.map((name, i) => [name, i]))
    Object.freeze(this)
  }

  /**
   * Builds a frame, checking that names are unique and lengths equal. Columns not made by
   * this module (object literals) are fully validated, as by `createColumn`.
   *
   * @throws ValidationError with every problem found, paths `['columns', i, ...]`.
   */
  static fromColumns(columns: readonly Column[], options: FrameOptions = {}): Frame {
    const issues: ValidationIssue[] = []
    const checked: Column[] = []
    const firstAt = new Map<string, number>()
    let nRows = options.nRows
    if (nRows !== undefined && !(Number.isInteger(nRows) && nRows >= 0)) {
      issues.push({
        path: ['nRows'],
        code: 'invalid_value',
        message: 'nRows must be a non-negative integer',
      })
      nRows = undefined
    }
    let lengthFrom: string | undefined = nRows === undefined ? undefined : 'options.nRows'
    columns.forEach((given, i) => {
      const col = toCheckedColumn(given, ['columns', i], issues)
      if (col === undefined) return
      checked.push(col)
      const prior = firstAt.get(col.name)
      if (prior !== undefined) {
        issues.push({
          path: ['columns', i, 'name'],
          code: 'duplicate',
          message: `duplicate column name "${col.name}" (first at ${prior})`,
        })
      } else firstAt.set(col.name, i)
      if (nRows === undefined) {
        nRows = col.length
        lengthFrom = `column "${col.name}"`
      } else if (col.length !== nRows) {
        issues.push({
          path: ['columns', i],
          code: 'length_mismatch',
          message: `column "${col.name}" has ${col.length} rows, expected ${nRows} (from ${lengthFrom ?? ''})`,
        })
      }
    })
    if (issues.length > 0) throw new ValidationError('invalid frame', issues)
    return new Frame(checked, nRows ?? 0)
  }

  /** The number of columns. */
  get nColumns(): number {
    return this.columns.length
  }

  /**
   * The column called `name`; with `dtype`, also checks its dtype and narrows the type.
   *
   * @throws NotFoundError listing the available names; ValidationError on a dtype mismatch.
   * @example
   * ```ts
   * const ages: Float64Array = X.column('age', 'f64').values
   * ```
   */
  column(name: string): Column
  column<D extends DType>(name: string, dtype: D): Column<D>
  column(name: string, dtype?: DType): Column {
    const col = this.findColumn(name)
    if (col === undefined) throw this.#notFound([name])
    if (dtype !== undefined && col.dtype !== dtype) {
      throw new ValidationError(`column "${name}" is ${col.dtype}, expected ${dtype}`, [
        { path: [name], code: 'invalid_dtype', message: `expected ${dtype}, got ${col.dtype}` },
      ])
    }
    return col
  }

  /** The column called `name`, or `undefined`. */
  findColumn(name: string): Column | undefined {
    const i = this.#index.get(name)
    return i === undefined ? undefined : this.columns[i]
  }

  /** True when the frame has a column called `name`. */
  has(name: string): boolean {
    return this.#index.has(name)
  }

  /**
   * The named columns, in the order given (zero-copy: the same column objects).
   *
   * @throws NotFoundError for unknown names; ValidationError for a name given twice.
   */
  select(names: readonly string[]): Frame {
    const missing = names.filter((n) => !this.#index.has(n))
    if (missing.length > 0) throw this.#notFound(missing)
    const seen = new Set<string>()
    const issues: ValidationIssue[] = []
    names.forEach((n, i) => {
      if (seen.has(n))
        issues.push({ path: [i], code: 'duplicate', message: `"${n}" selected twice` })
      seen.add(n)
    })
    if (issues.length > 0) throw new ValidationError('invalid selection', issues)
    return new Frame(
      names.map((n) => this.column(n)),
      this.nRows,
    )
  }

  /**
   * Every column except the named ones (zero-copy).
   *
   * @throws NotFoundError for unknown names.
   */
  drop(names: readonly string[]): Frame {
    const missing = names.filter((n) => !this.#index.has(n))
    if (missing.length > 0) throw this.#notFound(missing)
    const dropped = new Set(names)
    return new Frame(
      this.columns.filter((c) => !dropped.has(c.name)),
      this.nRows,
    )
  }

  /**
   * Renames columns (old name → new name), keeping order and sharing storage. Swaps work.
   *
   * @throws NotFoundError for unknown old names; ValidationError when names would collide.
   */
  rename(mapping: Readonly<Record<string, string>> | ReadonlyMap<string, string>): Frame {
    const pairs = isMap(mapping) ? [...mapping.entries()] : Object.entries(mapping)
    const missing = pairs.map(([from]) => from).filter((n) => !this.#index.has(n))
    if (missing.length > 0) throw this.#notFound(missing)
    const to = new Map(pairs)
    const renamed = this.columns.map((c) => {
      const name = to.get(c.name)
      return name === undefined || name === c.name ? c : renameColumn(c, name)
    })
    return Frame.fromColumns(renamed, { nRows: this.nRows })
  }

  /**
   * Replaces the column with the same name (in place) or appends it. A frame with no columns
   * takes the new column's length.
   *
   * @throws ValidationError when the length differs from `nRows` or the column is invalid.
   */
  withColumn(col: Column): Frame {
    const i = this.#index.get(col.name)
    const columns = this.columns.slice()
    if (i === undefined) columns.push(col)
    else columns[i] = col
    return Frame.fromColumns(columns, this.nColumns === 0 ? {} : { nRows: this.nRows })
  }

  /**
   * Rows `[start, end)` with `Array.prototype.slice` semantics (negative counts from the end,
   * out-of-range clamps). Zero-copy except for `str` columns, whose string arrays are copied.
   */
  slice(start = 0, end: number = this.nRows): Frame {
    const lo = clampIndex(start, this.nRows)
    const hi = Math.max(lo, clampIndex(end, this.nRows))
    return new Frame(
      this.columns.map((c) => sliceColumn(c, lo, hi)),
      hi - lo,
    )
  }

  /** The first `n` rows (zero-copy, like `slice(0, n)`). */
  head(n = 5): Frame {
    return this.slice(0, Math.max(0, n))
  }

  /**
   * The rows at `indices`, in that order (repeats allowed), into new buffers. Keeps dtypes,
   * categories and missingness.
   *
   * @throws ValidationError when an index is not an integer in `[0, nRows)`.
   */
  take(indices: IndexArray): Frame {
    let bad: { first: number; count: number } | undefined
    for (let i = 0; i < indices.length; i++) {
      const j = indices[i]
      if (j !== undefined && Number.isInteger(j) && j >= 0 && j < this.nRows) continue
      if (bad === undefined) bad = { first: i, count: 1 }
      else bad.count++
    }
    if (bad !== undefined) {
      throw new ValidationError('row index out of range', [
        {
          path: ['indices', bad.first],
          code: 'out_of_range',
          message: `${bad.count} index(es) not integers in [0, ${this.nRows}); first ${String(indices[bad.first])}`,
        },
      ])
    }
    return this.#gather(indices)
  }

  /**
   * The rows where `mask` is nonzero, in order, into new buffers.
   *
   * @throws ValidationError when `mask` is not a `Uint8Array` of length `nRows`.
   */
  filter(mask: Uint8Array): Frame {
    const given: unknown = mask
    if (!(given instanceof Uint8Array) || mask.length !== this.nRows) {
      throw new ValidationError('invalid row mask', [
        {
          path: ['mask'],
          code: 'length_mismatch',
          message: `mask must be a Uint8Array of ${this.nRows} bytes`,
        },
      ])
    }
    let kept = 0
    for (const m of mask) if (m !== 0) kept++
    const indices = new Int32Array(kept)
    let k = 0
    for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) indices[k++] = i
    return this.#gather(indices)
  }

  /**
   * Plain records for display and JSON: `null` for missing, `cat` as its label, `bool` as a
   * boolean, `ts` as an ISO-8601 UTC string (millisecond precision: fractional ms are dropped;
   * use {@link valueAt} for the exact number). A NaN stays NaN (JSON.stringify writes `null`).
   *
   * @param limit the most rows to return (default all).
   */
  toRows(limit: number = this.nRows): Row[] {
    if (!(Number.isInteger(limit) && limit >= 0)) {
      throw new ValidationError('invalid limit', [
        { path: ['limit'], code: 'invalid_value', message: 'limit must be a non-negative integer' },
      ])
    }
    const n = Math.min(limit, this.nRows)
    const rows: Row[] = []
    for (let i = 0; i < n; i++) {
      // Object.fromEntries defines own properties, so a column named "__proto__" stays data.
      rows.push(Object.fromEntries(this.columns.map((c) => [c.name, displayValue(c, i)])))
    }
    return rows
  }

  /** The frame's {@link FrameSchema} (frozen, JSON-safe). */
  schema(): FrameSchema {
    return Object.freeze(
      this.columns.map((c): FieldSchema => {
        const base = { name: c.name, dtype: c.dtype, nullable: c.validity !== undefined }
        return Object.freeze(c.dtype === 'cat' ? { ...base, categories: c.categories } : base)
      }),
    )
  }

  #gather(indices: IndexArray): Frame {
    return new Frame(
      this.columns.map((c) => takeColumn(c, indices)),
      indices.length,
    )
  }

  #notFound(missing: readonly string[]): NotFoundError {
    const shown = this.names.slice(0, NAMES_IN_MESSAGES).map((n) => JSON.stringify(n))
    const more = this.names.length - shown.length
    const available =
      shown.length === 0 ? '(none)' : shown.join(', ') + (more > 0 ? `, … ${more} more` : '')
    const what = missing.map((n) => JSON.stringify(n)).join(', ')
    return new NotFoundError(`no column ${what}; available: ${available}`, {
      missing,
      available: this.names.slice(0, NAMES_IN_MESSAGES),
    })
  }
}

/**
 * Builds a frame from columns; the same as {@link Frame.fromColumns}.
 *
 * @example
 * ```ts
 * const X = createFrame([columnFromArray('a', [1, 2]), columnFromArray('b', [true, false])])
 * X.nRows // 2
 * ```
 */
export function createFrame(columns: readonly Column[], options: FrameOptions = {}): Frame {
  return Frame.fromColumns(columns, options)
}

function toCheckedColumn(
  col: Column,
  path: readonly (string | number)[],
  issues: ValidationIssue[],
): Column | undefined {
  const given: unknown = col
  if (typeof given !== 'object' || given === null) {
    issues.push({ path, code: 'invalid_type', message: 'expected a column object' })
    return undefined
  }
  // A column this module built is valid by construction; anything else gets the full check.
  if (isSealedColumn(col)) return col
  const found = validateColumnInit(col, path)
  if (found.length > 0) {
    issues.push(...found)
    return undefined
  }
  return buildColumn(col)
}

function isMap(
  m: Readonly<Record<string, string>> | ReadonlyMap<string, string>,
): m is ReadonlyMap<string, string> {
  return m instanceof Map
}

function clampIndex(i: number, n: number): number {
  const t = Number.isNaN(i) ? 0 : Math.trunc(i)
  return t < 0 ? Math.max(0, n + t) : Math.min(t, n)
}

function displayValue(col: Column, i: number): CellValue {
  const v = valueAt(col, i)
  return col.dtype === 'ts' && typeof v === 'number' ? new Date(v).toISOString() : v
}
