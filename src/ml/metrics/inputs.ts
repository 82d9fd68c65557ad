/**
 * Numeric metric inputs: score and value vectors, sample weights, lengths, and probability
 * Frames or matrices, each validated with field-level `ValidationError`s.
 */
import { ValidationError, type ValidationIssue } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import type { ClassLabel } from '../base/index.js'

import { findLabel } from './labels.js'
import { checkMissing, fail, isColumn, isFrame, issue } from './validate.js'

/** Numbers: a numeric Column (`f64`, `f32`, `i32`, `bool`) or an array of numbers. */
export type NumbersInput = Column | ArrayLike<number>

/**
 * A dense probability (or score) matrix: `data[i * nCols + j]` (row-major, the default) or
 * `data[j * nRows + i]` (`layout: 'col'`). Compatible with `DenseMatrix` from `ml/base`.
 */
export interface ScoreMatrix {
  readonly data: ArrayLike<number>
  readonly nRows: number
  readonly nCols: number
  readonly layout?: 'row' | 'col' | undefined
}

/**
 * Class probabilities: a Frame like `Classifier.predictProba` returns (one numeric column per
 * class, named `String(label)`), or a {@link ScoreMatrix} whose columns are the sorted classes
 * (or the `labels` option of the metric).
 */
export type ProbaInput = Frame | ScoreMatrix

/** True when `x` is a Frame (not a matrix, a Column or an array). */
export function isFrameInput(x: unknown): x is Frame {
  return isFrame(x)
}

/** True when `x` is a {@link ScoreMatrix} or a Frame (a 2-D input). */
export function isProbaInput(x: unknown): x is ProbaInput {
  if (isFrame(x)) return true
  return (
    typeof x === 'object' &&
    x !== null &&
    !isColumn(x) &&
    'data' in x &&
    'nRows' in x &&
    'nCols' in x
  )
}

/**
 * Reads numbers into a `Float64Array` (the input itself when it already is one).
 *
 * @throws ValidationError for missing values, a non-numeric Column, or (unless `allowNonFinite`)
 * NaN and ±Infinity.
 */
export function readNumbers(
  input: NumbersInput,
  path: string,
  allowNonFinite = false,
): Float64Array {
  let out: Float64Array
  if (isColumn(input)) {
    checkMissing(input, path)
    if (
      input.dtype !== 'f64' &&
      input.dtype !== 'f32' &&
      input.dtype !== 'i32' &&
      input.dtype !== 'bool'
    ) {
      fail(`${path} must be numeric, got a ${input.dtype} column`, path, 'not_numeric')
    }
    out = input.values instanceof Float64Array ? input.values : Float64Array.from(input.values)
  } else if (input instanceof Float64Array) {
    out = input
  } else {
    const n = input.length
    out = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const x: unknown = input[i]
      if (typeof x !== 'number') {
        fail(`${path} must hold numbers`, path, 'not_numeric', `row ${i} is not a number`)
      }
      out[i] = x
    }
  }
  if (!allowNonFinite) {
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i]!)) {
        const what = Number.isNaN(out[i]!) ? 'NaN' : 'infinite'
        fail(`${path} contains ${what} values`, path, 'non_finite', `${what} value at row ${i}`)
      }
    }
  }
  return out
}

/**
 * Reads optional sample weights: finite numbers, one per row.
 *
 * @throws ValidationError for a length other than `n`, or a missing or non-finite weight.
 */
export function readWeights(input: NumbersInput | undefined, n: number): Float64Array | undefined {
  if (input === undefined) return undefined
  const w = readNumbers(input, 'sampleWeight')
  if (w.length !== n) {
    fail(
      `sampleWeight has ${w.length} values but there are ${n} samples`,
      'sampleWeight',
      'length_mismatch',
    )
  }
  return w
}

/**
 * Checks that every input has the same, non-zero number of rows.
 *
 * @throws ValidationError with one issue per input whose length differs from the first's, or an
 * `empty` issue when there are no rows.
 */
export function checkLengths(
  entries: readonly { readonly path: string; readonly n: number }[],
): number {
  const first = entries[0]
  if (first === undefined) return 0
  const issues: ValidationIssue[] = []
  for (const e of entries.slice(1)) {
    if (e.n !== first.n) {
      issues.push(
        issue(e.path, 'length_mismatch', `${e.path} has ${e.n} rows, ${first.path} has ${first.n}`),
      )
    }
  }
  if (issues.length > 0) throw new ValidationError('inputs have different lengths', issues)
  if (first.n === 0) fail('metrics need at least one sample', first.path, 'empty', 'no rows')
  return first.n
}

/** A probability matrix read into row-major `Float64Array` form with its column labels. */
export interface ReadProba {
  /** `data[i * nCols + j]`. */
  readonly data: Float64Array
  readonly nRows: number
  readonly nCols: number
  /** The class of each column. */
  readonly labels: readonly ClassLabel[]
}

/**
 * Reads class probabilities. A Frame's columns name their classes (`String(label)`); a matrix's
 * columns are `labels` if given, else the sorted classes of `yTrue` (`defaultLabels`).
 *
 * @throws ValidationError for non-numeric or missing columns, non-finite values, or a matrix whose
 * column count differs from the number of labels.
 */
export function readProba(
  input: ProbaInput,
  path: string,
  defaultLabels: readonly ClassLabel[],
  labels?: readonly ClassLabel[],
): ReadProba {
  if (isFrame(input)) {
    const nRows = input.nRows
    const nCols = input.nColumns
    const data = new Float64Array(nRows * nCols)
    input.columns.forEach((col, j) => {
      const v = readNumbers(col, `${path}.${col.name}`)
      for (let i = 0; i < nRows; i++) data[i * nCols + j] = v[i]!
    })
    // Column names are String(label); map them back onto the labels of y where possible.
    const out = input.columns.map((col): ClassLabel => {
      const j = findLabel(defaultLabels, col.name)
      return j >= 0 ? defaultLabels[j]! : col.name
    })
    return { data, nRows, nCols, labels: out }
  }
  const { nRows, nCols } = input
  const cols = labels ?? defaultLabels
  if (cols.length !== nCols) {
    fail(
      `${path} has ${nCols} columns but there are ${cols.length} classes`,
      path,
      'shape_mismatch',
      `expected ${cols.length} columns (one per class, in sorted order or as in labels)`,
    )
  }
  if (input.data.length !== nRows * nCols) {
    fail(`${path} data has ${input.data.length} values, not ${nRows}×${nCols}`, path, 'bad_shape')
  }
  const data = new Float64Array(nRows * nCols)
  const colMajor = input.layout === 'col'
  for (let i = 0; i < nRows; i++) {
    for (let j = 0; j < nCols; j++) {
      const x = input.data[colMajor ? j * nRows + i : i * nCols + j]!
      if (!Number.isFinite(x)) {
        fail(`${path} contains non-finite values`, path, 'non_finite', `row ${i}, column ${j}`)
      }
      data[i * nCols + j] = x
    }
  }
  return { data, nRows, nCols, labels: cols }
}
