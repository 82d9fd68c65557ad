/**
 * Plumbing shared by the preprocessing transformers: input checks, numeric column access with
 * missing values, and output columns.
 */
import { ValidationError, type ValidationIssue } from '../../core/index.js'
import { createColumn, type Column, type Frame } from '../../frame/index.js'
import {
  assertHasFeatures,
  assertMinRows,
  dtypeFamily,
  type FitTransformResult,
  type Transformer,
} from '../base/index.js'

/** The storage of a numeric-family column. */
export type NumericValues = Float64Array | Float32Array | Int32Array | Uint8Array

/** The values of a numeric-family column (`f64`, `f32`, `i32`, `bool`). */
export function numericValues(col: Column): NumericValues {
  switch (col.dtype) {
    case 'f64':
    case 'f32':
    case 'i32':
    case 'bool':
      return col.values
    case 'cat':
    case 'str':
    case 'ts':
      throw new ValidationError(`column "${col.name}" is not numeric`, [
        { path: ['X', col.name], code: 'not_numeric', message: `column is ${col.dtype}` },
      ])
  }
}

/** True for the float dtypes, where a NaN value counts as missing (sklearn's `np.nan`). */
export function isFloat(col: Column): boolean {
  return col.dtype === 'f64' || col.dtype === 'f32'
}

/** Options of {@link checkNumericInput}. */
export interface NumericInputOptions {
  /** Accept missing rows and NaN values (they are skipped at fit and kept at transform). */
  readonly allowMissing: boolean
  /** `'fit'` or `'transform'`, for messages. */
  readonly stage: 'fit' | 'transform'
}

/**
 * Checks that every column of `X` is numeric and holds no ±Infinity (and, unless allowed, no
 * missing row or NaN), naming each bad column with its count and first row.
 *
 * @throws ValidationError with one issue per bad column.
 */
export function checkNumericInput(X: Frame, kind: string, options: NumericInputOptions): void {
  const issues: ValidationIssue[] = []
  for (const col of X.columns) {
    const path = ['X', col.name]
    if (dtypeFamily(col.dtype) !== 'numeric') {
      issues.push({
        path,
        code: 'not_numeric',
        message: `column "${col.name}" is ${col.dtype}; ${kind} takes numeric columns`,
      })
      continue
    }
    const v = numericValues(col)
    const validity = col.validity
    let infinite = 0
    let firstInfinite = -1
    let missing = 0
    let firstMissing = -1
    const n = v.length
    for (let i = 0; i < n; i++) {
      if (validity !== undefined && validity[i] === 0) {
        if (missing++ === 0) firstMissing = i
        continue
      }
      const x = v[i]!
      if (x !== x) {
        if (missing++ === 0) firstMissing = i
      } else if (x === Infinity || x === -Infinity) {
        if (infinite++ === 0) firstInfinite = i
      }
    }
    if (infinite > 0) {
      issues.push({
        path,
        code: 'non_finite',
        message: `column "${col.name}" has ${infinite} infinite value(s), first at row ${firstInfinite}`,
      })
    }
    if (missing > 0 && !options.allowMissing) {
      issues.push({
        path,
        code: 'missing_values',
        message: `column "${col.name}" has ${missing} missing or NaN value(s), first at row ${firstMissing}; impute them first (preprocessing.simple-imputer)`,
      })
    }
  }
  if (issues.length > 0) {
    throw new ValidationError(`${kind} cannot ${options.stage} on this input`, issues)
  }
}

/** Throws unless `X` has at least one column and one row (every transformer's fit needs both). */
export function checkFitFrame(X: Frame, kind: string): void {
  assertHasFeatures(X, kind)
  assertMinRows(X, 1, kind)
}

/** A new `f64` column; `validity` (if given) marks the missing rows. */
export function f64Column(
  name: string,
  values: Float64Array,
  validity?: Uint8Array,
): Column<'f64'> {
  return createColumn({ name, dtype: 'f64', values, validity })
}

/**
 * The present values of a numeric column (missing rows and NaN skipped), in row order, as a
 * new `Float64Array` (a scratch copy for quantile selection).
 */
export function presentValues(col: Column): Float64Array {
  const v = numericValues(col)
  const validity = col.validity
  const out = new Float64Array(v.length)
  let m = 0
  for (let i = 0; i < v.length; i++) {
    if (validity !== undefined && validity[i] === 0) continue
    const x = v[i]!
    if (x === x) out[m++] = x
  }
  return out.subarray(0, m)
}

/** A `ValidationError` for a parameter that is invalid given the data, under `params`. */
export function paramError(kind: string, param: string, message: string): ValidationError {
  return new ValidationError(`invalid parameters for ${kind}: ${param} ${message}`, [
    { path: ['params', param], code: 'invalid_value', message },
  ])
}

/**
 * The default `fitTransform`: `fit`, then `transform` of the same frame.
 *
 * @internal For the estimators of this folder.
 */
export function fitThenTransform<M extends Transformer>(
  fit: () => M,
  X: Frame,
): FitTransformResult<M> {
  const model = fit()
  return { model, output: model.transform(X) }
}
