/**
 * From Frames to the dense float32 rows the booster and the prediction kernels read: numeric
 * columns as values (missing → NaN), `cat` columns as category codes of the categories fit saw
 * (a category fit never saw → NaN, so it follows each split's missing direction).
 */
import { ValidationError, type ValidationIssue } from '../../../core/index.js'
import type { Column, Frame } from '../../../frame/index.js'
import { captureFeatures, dtypeFamily, selectFeatures, type FeatureSpec } from '../../base/index.js'

import type { DenseRows } from './boost.js'

/** Most categories a `cat` feature may have (bins 0 … 254; bin 255 is the missing bin). */
export const MAX_CATEGORIES = 255

/** The dense rows of a training frame, with its feature specs and categorical feature indices. */
export function fitRows(
  X: Frame,
  kind: string,
): { rows: DenseRows; features: readonly FeatureSpec[]; categorical: number[] } {
  const issues: ValidationIssue[] = []
  const categorical: number[] = []
  X.columns.forEach((c, j) => {
    const fam = dtypeFamily(c.dtype)
    if (fam === 'categorical') {
      categorical.push(j)
      if (c.dtype === 'cat' && c.categories.length > MAX_CATEGORIES)
        issues.push({
          path: ['X', c.name],
          code: 'too_many_categories',
          message: `column "${c.name}" has ${c.categories.length} categories; at most ${MAX_CATEGORIES} are supported (encode it first, e.g. with preprocessing.target-encoder)`,
        })
    } else if (fam !== 'numeric') {
      issues.push({
        path: ['X', c.name],
        code: 'not_numeric',
        message: `column "${c.name}" is ${c.dtype}; ${kind} takes numeric and cat columns`,
      })
    }
  })
  if (issues.length > 0) throw new ValidationError(`${kind} cannot use some columns`, issues)
  const features = captureFeatures(X)
  return { rows: denseRows(X, features), features, categorical }
}

/** The dense rows of a prediction frame, its columns selected and checked against `features`. */
export function predictRows(X: Frame, features: readonly FeatureSpec[], kind: string): DenseRows {
  return denseRows(selectFeatures(X, features, kind), features)
}

function denseRows(X: Frame, features: readonly FeatureSpec[]): DenseRows {
  const n = X.nRows
  const p = features.length
  const data = new Float32Array(n * p)
  for (let j = 0; j < p; j++) {
    const col = X.columns[j]!
    const spec = features[j]!
    fillColumn(col, spec, data, j, p)
  }
  return { data, nRows: n, nCols: p }
}

function fillColumn(col: Column, spec: FeatureSpec, out: Float32Array, j: number, p: number): void {
  const n = col.length
  const validity = col.validity
  if (col.dtype === 'cat') {
    const fitCats = spec.categories ?? col.categories
    const index = new Map(fitCats.map((c, k) => [c, k]))
    const remap = Float32Array.from(col.categories, (c) => index.get(c) ?? NaN)
    const v = col.values
    for (let i = 0, o = j; i < n; i++, o += p)
      out[o] = validity !== undefined && validity[i] === 0 ? NaN : (remap[v[i]!] ?? NaN)
    return
  }
  const v = col.values as ArrayLike<number>
  for (let i = 0, o = j; i < n; i++, o += p)
    out[o] = validity !== undefined && validity[i] === 0 ? NaN : v[i]!
}
