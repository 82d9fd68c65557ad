/**
 * What a model remembers about its input columns, the check that `predict` sees the same kind
 * of input, and the conversion of numeric feature columns to a dense matrix.
 */
import { z } from 'zod'

import { ValidationError, type ValidationIssue } from '../../core/index.js'
import type { Column, DType, Frame } from '../../frame/index.js'

import { badState } from './state.js'

/** One input column as fit saw it. */
export interface FeatureSpec {
  readonly name: string
  readonly dtype: DType
  /** For `cat` columns: the categories fit saw (encoders use them; checks only compare dtype). */
  readonly categories?: readonly string[]
}

/** Dtype families: within a family, predict accepts any member (an `i32` where fit saw `f64`). */
export type DTypeFamily = 'numeric' | 'categorical' | 'text' | 'time'

/** The family of a dtype: f64/f32/i32/bool → numeric, cat → categorical, str → text, ts → time. */
export function dtypeFamily(dtype: DType): DTypeFamily {
  switch (dtype) {
    case 'f64':
    case 'f32':
    case 'i32':
    case 'bool':
      return 'numeric'
    case 'cat':
      return 'categorical'
    case 'str':
      return 'text'
    case 'ts':
      return 'time'
  }
}

/** The feature specs of every column of `X`, in order. */
export function captureFeatures(X: Frame): readonly FeatureSpec[] {
  return Object.freeze(
    X.columns.map((c) =>
      Object.freeze(
        c.dtype === 'cat'
          ? { name: c.name, dtype: c.dtype, categories: c.categories }
          : { name: c.name, dtype: c.dtype },
      ),
    ),
  )
}

/**
 * Selects the fitted features from `X` by name, checking that each exists and has the family
 * of dtype fit saw. Extra columns in `X` are ignored (a serving request may carry ids).
 *
 * @throws ValidationError naming every missing column and every dtype mismatch.
 */
export function selectFeatures(X: Frame, features: readonly FeatureSpec[], kind: string): Frame {
  const issues: ValidationIssue[] = []
  for (const f of features) {
    const col = X.findColumn(f.name)
    if (col === undefined) {
      issues.push({
        path: ['X', f.name],
        code: 'missing_column',
        message: `column "${f.name}" is missing (the model was fitted with it)`,
      })
    } else if (dtypeFamily(col.dtype) !== dtypeFamily(f.dtype)) {
      issues.push({
        path: ['X', f.name],
        code: 'dtype_mismatch',
        message: `column "${f.name}" is ${col.dtype}, but the model was fitted on ${f.dtype}`,
      })
    }
  }
  if (issues.length > 0)
    throw new ValidationError(`input does not match the features ${kind} was fitted on`, issues)
  const names = features.map((f) => f.name)
  return sameNames(X, names) ? X : X.select(names)
}

function sameNames(X: Frame, names: readonly string[]): boolean {
  if (X.nColumns !== names.length) return false
  for (let j = 0; j < names.length; j++) if (X.columns[j]?.name !== names[j]) return false
  return true
}

/** A dense numeric matrix: `data[i * nCols + j]` (row-major) or `data[j * nRows + i]` (col-major). */
export interface DenseMatrix<A extends Float64Array | Float32Array = Float64Array> {
  readonly data: A
  readonly nRows: number
  readonly nCols: number
  readonly layout: 'row' | 'col'
}

/** Options of {@link toMatrix}. */
export interface ToMatrixOptions {
  /** @default 'row' */
  readonly layout?: 'row' | 'col'
  /** Missing values become NaN instead of an error (for estimators that handle them). @default false */
  readonly allowMissing?: boolean
  /** Accept NaN and ±Infinity values. @default false */
  readonly allowNonFinite?: boolean
  /** The estimator kind, for messages. */
  readonly kind?: string
}

/**
 * Copies the numeric columns of `X` into a new dense `Float64Array` matrix.
 *
 * `f64`, `f32`, `i32` and `bool` (0/1) columns are accepted; `cat`, `str` and `ts` columns are
 * rejected with a message pointing at the encoders. Missing values and non-finite values are
 * rejected unless allowed, each issue naming the column, the count and the first row.
 *
 * @throws ValidationError with one issue per bad column.
 * @example
 * ```ts
 * const m = toMatrix(X, { layout: 'col' })  // m.data[j * m.nRows + i]
 * ```
 */
export function toMatrix(X: Frame, options: ToMatrixOptions = {}): DenseMatrix {
  return toMatrixOf(X, options, Float64Array)
}

/** {@link toMatrix} into a `Float32Array` (half the memory; for distance-heavy estimators). */
export function toMatrix32(X: Frame, options: ToMatrixOptions = {}): DenseMatrix<Float32Array> {
  return toMatrixOf(X, options, Float32Array)
}

/** Rows per block of the row-major fill: 256 rows × a few dozen features stay in L1/L2. */
const ROW_BLOCK = 256

/** Copies rows [start, end) of `col` to `out[at + (i - start) * stride]`, missing rows as NaN. */
function copyColumn(
  col: Column,
  start: number,
  end: number,
  out: Float64Array | Float32Array,
  at: number,
  stride: number,
): void {
  const v = col.values as ArrayLike<number>
  const validity = col.validity
  let o = at
  if (validity === undefined) {
    for (let i = start; i < end; i++, o += stride) out[o] = v[i] ?? NaN
  } else {
    for (let i = start; i < end; i++, o += stride) out[o] = validity[i] === 0 ? NaN : (v[i] ?? NaN)
  }
}

function toMatrixOf<A extends Float64Array | Float32Array>(
  X: Frame,
  options: ToMatrixOptions,
  Ctor: new (n: number) => A,
): DenseMatrix<A> {
  const layout = options.layout ?? 'row'
  const n = X.nRows
  const p = X.nColumns
  assertNumericFeatures(X, options)
  const data = new Ctor(n * p)
  if (layout === 'col') {
    for (let j = 0; j < p; j++) {
      const col = X.columns[j]
      if (col !== undefined) copyColumn(col, 0, n, data, j * n, 1)
    }
  } else {
    fillRows(X, data, 0)
  }
  return { data, nRows: n, nCols: p, layout }
}

/** Writes `X` row-major into `out` from element `offset` (columns already checked). */
function fillRows(X: Frame, out: Float64Array | Float32Array, offset: number): void {
  const n = X.nRows
  const p = X.nColumns
  // Row-major writes stride by a whole row per value; filling blocks of rows column by column
  // keeps the block being written in cache (a plain column-at-a-time fill misses on every write).
  for (let start = 0; start < n; start += ROW_BLOCK) {
    const end = Math.min(n, start + ROW_BLOCK)
    for (let j = 0; j < p; j++) {
      const col = X.columns[j]
      if (col !== undefined) copyColumn(col, start, end, out, offset + start * p + j, p)
    }
  }
}

/**
 * {@link toMatrix32} (row-major) written into `out` from element `offset` instead of a new
 * array: for estimators whose kernels read the matrix from memory they own (e.g. shared with
 * workers), saving a copy. Checks the columns as {@link toMatrix} does.
 *
 * @throws ValidationError as {@link toMatrix}; RangeError when `out` is too short.
 */
export function toMatrix32Into(
  X: Frame,
  out: Float32Array,
  offset: number,
  options: Omit<ToMatrixOptions, 'layout'> = {},
): void {
  assertNumericFeatures(X, options)
  if (offset < 0 || offset + X.nRows * X.nColumns > out.length)
    throw new RangeError('toMatrix32Into: the output is too short')
  fillRows(X, out, offset)
}

/**
 * Checks the columns of `X` as {@link toMatrix} does, without copying them: numeric dtypes only,
 * and no missing or non-finite values unless `options` allows them (`layout` is ignored).
 *
 * @throws ValidationError with one issue per problem, each naming the column, the count and
 *   the first row.
 */
export function assertNumericFeatures(
  X: Frame,
  options: Omit<ToMatrixOptions, 'layout'> = {},
): void {
  const kind = options.kind ?? 'this estimator'
  const issues: ValidationIssue[] = []
  for (const col of X.columns) issues.push(...numericIssues(col, options, kind))
  if (issues.length > 0) throw new ValidationError(`${kind} needs finite numeric features`, issues)
}

function numericIssues(col: Column, options: ToMatrixOptions, kind: string): ValidationIssue[] {
  const path = ['X', col.name]
  if (dtypeFamily(col.dtype) !== 'numeric') {
    return [
      {
        path,
        code: 'not_numeric',
        message: `column "${col.name}" is ${col.dtype}; ${kind} takes numeric columns (encode it first, e.g. with preprocessing.one-hot)`,
      },
    ]
  }
  const out: ValidationIssue[] = []
  const validity = col.validity
  if (validity !== undefined && options.allowMissing !== true) {
    let count = 0
    let first = -1
    for (let i = 0; i < validity.length; i++) {
      if (validity[i] === 0) {
        count++
        if (first < 0) first = i
      }
    }
    if (count > 0)
      out.push({
        path,
        code: 'missing_values',
        message: `column "${col.name}" has ${count} missing value(s), first at row ${first}; impute them first (preprocessing.simple-imputer)`,
      })
  }
  if (options.allowNonFinite !== true && (col.dtype === 'f64' || col.dtype === 'f32')) {
    const v = col.values
    let count = 0
    let first = -1
    for (let i = 0; i < v.length; i++) {
      const x = v[i] ?? 0
      if (!Number.isFinite(x) && (validity === undefined || validity[i] === 1)) {
        count++
        if (first < 0) first = i
      }
    }
    if (count > 0) {
      out.push({
        path,
        code: 'non_finite',
        message: `column "${col.name}" has ${count} NaN or infinite value(s), first at row ${first}`,
      })
    }
  }
  return out
}

/** Throws a `ValidationError` unless `X` has at least `min` rows. */
export function assertMinRows(X: Frame, min: number, kind: string): void {
  if (X.nRows < min) {
    throw new ValidationError(`${kind} needs at least ${min} row(s) to fit, got ${X.nRows}`, [
      { path: ['X'], code: 'too_few_rows', message: `got ${X.nRows} row(s), need at least ${min}` },
    ])
  }
}

/** Throws a `ValidationError` unless `X` has at least one column. */
export function assertHasFeatures(X: Frame, kind: string): void {
  if (X.nColumns === 0) {
    throw new ValidationError(`${kind} needs at least one feature column`, [
      { path: ['X'], code: 'no_features', message: 'the frame has no columns' },
    ])
  }
}

const FeatureSpecSchema = z.array(
  z.strictObject({
    name: z.string(),
    dtype: z.enum(['f64', 'f32', 'i32', 'bool', 'cat', 'str', 'ts']),
    categories: z.array(z.string()).optional(),
  }),
)

/**
 * Reads the `features` field of a model state (as {@link captureFeatures} wrote it).
 *
 * @throws ValidationError if malformed.
 */
export function readFeatures(v: unknown): readonly FeatureSpec[] {
  const r = FeatureSpecSchema.safeParse(v)
  if (!r.success) throw badState('features', 'expected a list of {name, dtype}')
  return r.data.map((f) =>
    f.categories === undefined
      ? { name: f.name, dtype: f.dtype }
      : { name: f.name, dtype: f.dtype, categories: f.categories },
  )
}
