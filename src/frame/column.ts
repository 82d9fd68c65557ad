/**
 * `Column`: one named, typed, immutable vector with an explicit missing-value mask.
 */
import { ValidationError, type ValidationIssue } from '../core/index.js'

import { DTYPES, MAX_TIMESTAMP_MS, isDType, type DType, type DTypeValues } from './dtype.js'

interface ColumnBase<D extends DType> {
  /** The column name; unique within a frame. Any string, including `''` and unicode. */
  readonly name: string
  readonly dtype: D
  /** The number of rows; always `values.length`. */
  readonly length: number
  /**
   * The storage. Typed arrays can't be frozen: callers must never write to them (frames share
   * them). Values at missing rows are unspecified (frame code writes NaN, 0, -1 or `''`
   * there) and must not be read.
   */
  readonly values: DTypeValues[D]
  /**
   * The missing-value mask: `1` = present, `0` = missing, one byte per row. Absent means every
   * row is present, and columns made by this module carry a mask only when at least one row is
   * missing, so `validity !== undefined` exactly when `countMissing(col) > 0`.
   */
  readonly validity?: Uint8Array
}

/** A `f64` column (`Float64Array`). A NaN is a value, not a missing row. */
export type F64Column = ColumnBase<'f64'>
/** A `f32` column (`Float32Array`). */
export type F32Column = ColumnBase<'f32'>
/** An `i32` column (`Int32Array`). */
export type I32Column = ColumnBase<'i32'>
/** A `bool` column (`Uint8Array` of 0/1). */
export type BoolColumn = ColumnBase<'bool'>
/** A `str` column (frozen `string[]`). */
export type StrColumn = ColumnBase<'str'>
/** A `ts` column: UTC epoch milliseconds in a `Float64Array`; fractional ms allowed. */
export type TsColumn = ColumnBase<'ts'>

/** A categorical column: `Int32Array` codes, each an index into `categories`. */
export interface CatColumn extends ColumnBase<'cat'> {
  /** The distinct category labels (frozen, no duplicates). Code `k` means `categories[k]`. */
  readonly categories: readonly string[]
}

interface ColumnsByDType {
  f64: F64Column
  f32: F32Column
  i32: I32Column
  bool: BoolColumn
  cat: CatColumn
  str: StrColumn
  ts: TsColumn
}

/**
 * A named, typed, immutable column, discriminated on `dtype`: `Column` is the union of all
 * kinds and `Column<'cat'>` is one kind, so `col.dtype === 'cat'` narrows to a column that has
 * `categories`.
 *
 * Missing values are only ever expressed by `validity`; a NaN in a `f64` column is a value.
 * Column objects are frozen; their typed arrays must be treated as read-only.
 */
export type Column<D extends DType = DType> = ColumnsByDType[D]

/**
 * The input of {@link createColumn}: a column without its derived `length`; `validity` may be
 * `undefined` (no missing rows).
 */
export type ColumnInit<D extends DType = DType> = D extends DType
  ? Omit<ColumnsByDType[D], 'length' | 'validity'> & { readonly validity?: Uint8Array | undefined }
  : never

/** A JS value of one cell, as returned by {@link valueAt}. */
export type CellValue = number | boolean | string | null

// Columns built (and therefore validated) by this module. `createFrame` skips the O(n) content
// checks for these, so select/slice/take chains never re-validate. A WeakSet, not a flag on the
// object, so that a hand-built object literal can't claim to be validated.
const SEALED = new WeakSet<Column>()

/**
 * Freezes a column built by frame code and records it as validated.
 *
 * @internal Sibling modules only; the caller guarantees the invariants `createColumn` checks.
 */
export function sealColumn<C extends Column>(col: C): C {
  Object.freeze(col)
  SEALED.add(col)
  return col
}

/** @internal True when `col` was built by this module (and so is known to be valid). */
export function isSealedColumn(col: Column): boolean {
  return SEALED.has(col)
}

/**
 * Drops a mask that marks nothing missing, so that `validity` is present only when a row is
 * missing (see {@link Column}).
 *
 * @internal
 */
export function normalizeValidity(validity: Uint8Array | undefined): Uint8Array | undefined {
  if (validity === undefined) return undefined
  return validity.includes(0) ? validity : undefined
}

/**
 * Builds and validates a column. Every problem is reported at once as a `ValidationError`.
 *
 * Checks: a known dtype; `values` of the dtype's storage type; `validity` a `Uint8Array` of
 * 0/1 with one byte per row; `bool` values 0/1; `cat` categories distinct strings and present
 * codes in range; `str` elements strings; present `ts` values finite and within the `Date` range.
 * Typed arrays are used as given (zero-copy); a `str` array or `categories` array is copied
 * and frozen unless it is already frozen. An all-present `validity` is dropped.
 *
 * @example
 * ```ts
 * const age = createColumn({ name: 'age', dtype: 'f64', values: new Float64Array([31, 0, 45]),
 *   validity: new Uint8Array([1, 0, 1]) })
 * isMissing(age, 1) // true
 * ```
 */
export function createColumn<I extends ColumnInit>(init: I): Column<I['dtype']>
export function createColumn(init: ColumnInit): Column {
  const issues = validateColumnInit(init)
  if (issues.length > 0) {
    const label = typeof init.name === 'string' ? ` "${init.name}"` : ''
    throw new ValidationError(`invalid column${label}`, issues)
  }
  return buildColumn(init)
}

/**
 * Builds a column from an init already checked by {@link validateColumnInit}.
 *
 * @internal
 */
export function buildColumn(init: ColumnInit): Column {
  const validity = normalizeValidity(init.validity)
  const mask = validity === undefined ? {} : { validity }
  const length = init.values.length
  // One case per dtype so TypeScript keeps `dtype` and `values` paired; the explicit fields
  // also keep stray properties of a JS caller's object out of the frozen column.
  switch (init.dtype) {
    case 'f64':
      return sealColumn(plain(init, length, mask))
    case 'f32':
      return sealColumn(plain(init, length, mask))
    case 'i32':
      return sealColumn(plain(init, length, mask))
    case 'bool':
      return sealColumn(plain(init, length, mask))
    case 'ts':
      return sealColumn(plain(init, length, mask))
    case 'str':
      return sealColumn({ ...plain(init, length, mask), values: frozenCopy(init.values) })
    case 'cat':
      return sealColumn({
        ...plain(init, length, mask),
        categories: frozenCopy(init.categories),
      })
  }
}

function plain<D extends DType>(
  init: { readonly name: string; readonly dtype: D; readonly values: DTypeValues[D] },
  length: number,
  mask: { readonly validity?: Uint8Array },
): ColumnBase<D> {
  return { name: init.name, dtype: init.dtype, length, values: init.values, ...mask }
}

function frozenCopy(xs: readonly string[]): readonly string[] {
  return Object.isFrozen(xs) ? xs : Object.freeze(xs.slice())
}

type NumberStorage = Float64Array | Float32Array | Int32Array | Uint8Array

const STORAGE: Record<
  Exclude<DType, 'str'>,
  { readonly is: (v: unknown) => v is NumberStorage; readonly label: string }
> = {
  f64: { is: (v) => v instanceof Float64Array, label: 'Float64Array' },
  f32: { is: (v) => v instanceof Float32Array, label: 'Float32Array' },
  i32: { is: (v) => v instanceof Int32Array, label: 'Int32Array' },
  bool: { is: (v) => v instanceof Uint8Array, label: 'Uint8Array' },
  cat: { is: (v) => v instanceof Int32Array, label: 'Int32Array' },
  ts: { is: (v) => v instanceof Float64Array, label: 'Float64Array' },
}

/**
 * Every problem with a column init, each path prefixed with `prefix`. Reads fields as
 * `unknown` because JS callers (and JSON) can hand over anything.
 *
 * @internal
 */
export function validateColumnInit(
  init: ColumnInit,
  prefix: readonly (string | number)[] = [],
): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const add = (path: readonly (string | number)[], code: string, message: string): void => {
    issues.push({ path: [...prefix, ...path], code, message })
  }
  const name: unknown = init.name
  if (typeof name !== 'string') add(['name'], 'invalid_type', 'name must be a string')
  const dtype: unknown = init.dtype
  if (!isDType(dtype)) {
    add(['dtype'], 'invalid_value', `unknown dtype ${String(dtype)}; expected ${DTYPES.join('|')}`)
    return issues
  }
  const values: unknown = init.values
  let length: number
  if (dtype === 'str') {
    if (!Array.isArray(values)) {
      add(['values'], 'invalid_type', 'values of a str column must be an array of strings')
      return issues
    }
    length = values.length
    const bad = firstOffender(length, (i) => typeof values[i] !== 'string')
    if (bad !== undefined)
      add(['values', bad.first], 'invalid_type', `${bad.count} value(s) are not strings`)
  } else {
    const storage = STORAGE[dtype]
    if (!storage.is(values)) {
      add(['values'], 'invalid_type', `values of a ${dtype} column must be a ${storage.label}`)
      return issues
    }
    length = values.length
  }
  const validity: unknown = init.validity
  let present = (_i: number): boolean => true
  if (validity !== undefined) {
    if (!(validity instanceof Uint8Array)) {
      add(['validity'], 'invalid_type', 'validity must be a Uint8Array')
    } else if (validity.length !== length) {
      add(
        ['validity'],
        'length_mismatch',
        `validity has ${validity.length} entries for ${length} rows`,
      )
    } else {
      const bad = firstOffender(length, (i) => (validity[i] ?? 0) > 1)
      if (bad !== undefined) {
        add(
          ['validity', bad.first],
          'invalid_value',
          `${bad.count} validity byte(s) are not 0 or 1`,
        )
      }
      present = (i) => validity[i] === 1
    }
  }
  checkContent(init, length, present, add)
  return issues
}

function checkContent(
  init: ColumnInit,
  length: number,
  present: (i: number) => boolean,
  add: (path: readonly (string | number)[], code: string, message: string) => void,
): void {
  switch (init.dtype) {
    case 'bool': {
      const xs = init.values
      const bad = firstOffender(length, (i) => present(i) && (xs[i] ?? 0) > 1)
      if (bad !== undefined)
        add(['values', bad.first], 'invalid_value', `${bad.count} bool value(s) are not 0 or 1`)
      return
    }
    case 'ts': {
      const xs = init.values
      const bad = firstOffender(length, (i) => {
        const v = xs[i] ?? 0
        return present(i) && !(Math.abs(v) <= MAX_TIMESTAMP_MS)
      })
      if (bad !== undefined) {
        add(
          ['values', bad.first],
          'out_of_range',
          `${bad.count} timestamp(s) are not finite or outside ±8.64e15 ms`,
        )
      }
      return
    }
    case 'cat': {
      const categories: unknown = init.categories
      if (!Array.isArray(categories)) {
        add(['categories'], 'invalid_type', 'a cat column needs a categories array of strings')
        return
      }
      const seen = new Map<unknown, number>()
      categories.forEach((c: unknown, k) => {
        if (typeof c !== 'string')
          add(['categories', k], 'invalid_type', 'categories must be strings')
        else if (seen.has(c))
          add(
            ['categories', k],
            'duplicate',
            `duplicate category "${c}" (first at ${seen.get(c) ?? 0})`,
          )
        else seen.set(c, k)
      })
      const xs = init.values
      const n = categories.length
      const bad = firstOffender(length, (i) => {
        const code = xs[i] ?? 0
        return present(i) && (code < 0 || code >= n)
      })
      if (bad !== undefined) {
        add(
          ['values', bad.first],
          'out_of_range',
          `${bad.count} code(s) outside [0, ${n}) for ${n} categories`,
        )
      }
      return
    }
    case 'f64':
    case 'f32':
    case 'i32':
    case 'str':
      return
  }
}

function firstOffender(
  length: number,
  isBad: (i: number) => boolean,
): { first: number; count: number } | undefined {
  let first = -1
  let count = 0
  for (let i = 0; i < length; i++) {
    if (isBad(i)) {
      if (first < 0) first = i
      count++
    }
  }
  return first < 0 ? undefined : { first, count }
}

/**
 * True when row `i` of `col` is missing. A NaN in a `f64`/`f32` column is *not* missing:
 * missingness lives only in `validity`. `i` is not bounds-checked (hot path).
 *
 * @example
 * ```ts
 * isMissing(columnFromArray('x', [1, null, NaN]), 1) // true
 * isMissing(columnFromArray('x', [1, null, NaN]), 2) // false
 * ```
 */
export function isMissing(col: Column, i: number): boolean {
  return col.validity !== undefined && col.validity[i] === 0
}

/**
 * The number of missing rows in `col` (0 when it has no `validity`).
 *
 * @example
 * ```ts
 * countMissing(columnFromArray('x', [1, null, undefined])) // 2
 * ```
 */
export function countMissing(col: Column): number {
  const validity = col.validity
  if (validity === undefined) return 0
  let missing = 0
  for (const v of validity) if (v === 0) missing++
  return missing
}

/**
 * The JS value of row `i`: a number for `f64`/`f32`/`i32`/`ts` (epoch ms), a boolean for
 * `bool`, the label for `cat`, the string for `str`, and `null` when the row is missing or
 * `i` is out of range.
 *
 * @example
 * ```ts
 * valueAt(columnFromArray('c', ['b', 'a']), 0) // 'b'
 * ```
 */
export function valueAt(col: Column, i: number): CellValue {
  if (!Number.isInteger(i) || i < 0 || i >= col.length || isMissing(col, i)) return null
  switch (col.dtype) {
    case 'bool':
      return col.values[i] === 1
    case 'cat':
      return col.categories[col.values[i] ?? -1] ?? null
    case 'str':
      return col.values[i] ?? null
    case 'f64':
    case 'f32':
    case 'i32':
    case 'ts':
      return col.values[i] ?? null
  }
}
