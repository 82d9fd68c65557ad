/**
 * Helpers of the numeric column-by-column transformers (scalers, clipper): selecting and
 * checking the fitted columns, mapping each to an `f64` output, and reading common state.
 */
import type { ValidationIssue } from '../../core/index.js'
import { ValidationError } from '../../core/index.js'
import { createFrame, type Column, type Frame } from '../../frame/index.js'
import {
  badState,
  decodeF64,
  dtypeFamily,
  selectFeatures,
  type FeatureSpec,
} from '../base/index.js'

import { checkNumericInput, f64Column, numericValues, type NumericValues } from './shared.js'

/**
 * Selects the fitted numeric columns of `X` by name (missing rows and NaN allowed, ±Infinity
 * rejected) and maps each through `fn` into a new `f64` column of the same name.
 *
 * @throws ValidationError for a missing column, a non-numeric one, or an infinite value.
 */
export function mapNumericColumns(
  X: Frame,
  features: readonly FeatureSpec[],
  kind: string,
  fn: (x: NumericValues, validity: Uint8Array | undefined, j: number, out: Float64Array) => void,
): Frame {
  const Xs = selectFeatures(X, features, kind)
  checkNumericInput(Xs, kind, { allowMissing: true, stage: 'transform' })
  return createFrame(
    Xs.columns.map((col, j) => {
      const out = new Float64Array(col.length)
      fn(numericValues(col), col.validity, j, out)
      return f64Column(col.name, out, col.validity)
    }),
  )
}

/**
 * The inverse direction: selects columns named `names` (the transformer's outputs), numeric,
 * and maps each to an `f64` column named after the fitted feature at the same position.
 *
 * @throws ValidationError for a missing or non-numeric column.
 */
export function mapInverseColumns(
  X: Frame,
  names: readonly string[],
  featureNames: readonly string[],
  kind: string,
  fn: (x: NumericValues, validity: Uint8Array | undefined, j: number, out: Float64Array) => void,
): Frame {
  const issues: ValidationIssue[] = []
  const cols: Column[] = []
  for (const name of names) {
    const col = X.findColumn(name)
    if (col === undefined) {
      issues.push({
        path: ['X', name],
        code: 'missing_column',
        message: `column "${name}" is missing`,
      })
    } else if (dtypeFamily(col.dtype) !== 'numeric') {
      issues.push({
        path: ['X', name],
        code: 'not_numeric',
        message: `column "${name}" is ${col.dtype}`,
      })
    } else {
      cols.push(col)
    }
  }
  if (issues.length > 0)
    throw new ValidationError(`inverseTransform of ${kind} needs its output columns`, issues)
  return createFrame(
    cols.map((col, j) => {
      const out = new Float64Array(col.length)
      fn(numericValues(col), col.validity, j, out)
      return f64Column(featureNames[j] ?? col.name, out, col.validity)
    }),
  )
}

/** Decodes a per-feature `Float64Array` of the state, checking its length. */
export function readPerFeature(v: unknown, path: string, nFeatures: number): Float64Array {
  const a = decodeF64(v, path)
  if (a.length !== nFeatures) throw badState(path, `expected ${nFeatures} values`)
  return a
}

/** Reads the `warnings` field of a state (a list of strings; absent means none). */
export function readWarnings(v: unknown): readonly string[] {
  if (v === undefined) return []
  if (!Array.isArray(v) || !v.every((w) => typeof w === 'string'))
    throw badState('warnings', 'expected a list of strings')
  return v
}
