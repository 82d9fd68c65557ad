/**
 * The `cv` option shared by cross-validation, search and learning curves, and the summary
 * statistics they report.
 */
import { ValidationError } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import { isEstimator, type Estimator } from '../base/index.js'
import { getEstimatorEntry } from '../registry.js'

import { KFold, StratifiedKFold } from './kfold.js'
import { isClassLabelColumn, numpyStd, numpySum } from './labels.js'
import { isCvSplitter, type CvSplitter, type Fold } from './splitter.js'

/**
 * How to cross-validate: a fold count (stratified k-fold for a classifier with class labels,
 * k-fold otherwise, unshuffled, as sklearn's `check_cv`), a {@link CvSplitter}, or explicit
 * folds.
 */
export type CvOption = number | CvSplitter | readonly Fold[]

/**
 * True when `e` is a classifier: its registry task is classification, or it is a composite
 * whose last step is one (a pipeline ending in a classifier).
 */
export function isClassifier(e: Estimator): boolean {
  let task: string
  try {
    task = getEstimatorEntry(e.kind).task
  } catch {
    return false
  }
  if (task === 'classification') return true
  const steps = (e.params as Readonly<Record<string, unknown>>)['steps']
  if (!Array.isArray(steps) || steps.length === 0) return false
  const last: unknown = steps[steps.length - 1]
  const child = Array.isArray(last)
    ? (last as unknown[])[1]
    : typeof last === 'object' && last !== null
      ? (last as { estimator?: unknown }).estimator
      : undefined
  if (isEstimator(child)) return isClassifier(child)
  if (
    typeof child === 'object' &&
    child !== null &&
    typeof (child as { kind?: unknown }).kind === 'string'
  ) {
    try {
      return getEstimatorEntry((child as { kind: string }).kind).task === 'classification'
    } catch {
      return false
    }
  }
  return false
}

/**
 * The folds for `cv`.
 *
 * @throws ValidationError for a bad fold count, explicit folds with out-of-range rows, or
 *   whatever the splitter rejects.
 */
export function resolveFolds(
  cv: CvOption | undefined,
  estimator: Estimator,
  X: Frame,
  y: Column,
  groups: Column | undefined,
): readonly Fold[] {
  const option = cv ?? 5
  if (typeof option === 'number') {
    if (!Number.isInteger(option) || option < 2) {
      throw new ValidationError('cv must be an integer ≥ 2, a splitter or a list of folds', [
        { path: ['cv'], code: 'invalid_value', message: `got ${option}` },
      ])
    }
    const splitter =
      isClassifier(estimator) && isClassLabelColumn(y)
        ? new StratifiedKFold({ nSplits: option })
        : new KFold({ nSplits: option })
    return splitter.split(X, y)
  }
  if (isCvSplitter(option)) return option.split(X, y, groups)
  checkFolds(option, X.nRows)
  return option
}

function checkFolds(folds: readonly Fold[], n: number): void {
  if (folds.length === 0) {
    throw new ValidationError('cv has no folds', [
      { path: ['cv'], code: 'too_small', message: 'give at least one fold' },
    ])
  }
  folds.forEach((f, k) => {
    for (const side of ['train', 'test'] as const) {
      const idx = f[side]
      if (!(idx instanceof Int32Array) || idx.length === 0) {
        throw new ValidationError(`fold ${k} has no ${side} rows`, [
          {
            path: ['cv', k, side],
            code: 'invalid_value',
            message: 'expected a non-empty Int32Array',
          },
        ])
      }
      for (let i = 0; i < idx.length; i++) {
        const r = idx[i]!
        if (r < 0 || r >= n) {
          throw new ValidationError(`fold ${k} has a row index out of range`, [
            { path: ['cv', k, side, i], code: 'out_of_range', message: `${r} not in [0, ${n})` },
          ])
        }
      }
    }
  })
}

/** `np.mean` of the values, rounding as numpy does. */
export function mean(v: Float64Array): number {
  return numpySum(v) / v.length
}

/** `np.std` (ddof 0) of the values, as sklearn reports score spreads. */
export function std(v: Float64Array): number {
  return numpyStd(v)
}
