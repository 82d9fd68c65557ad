/**
 * Scoring by name: the sklearn scorer names of `ml/metrics`, plus `'score'`, the estimator's
 * default (accuracy for a classifier, R² for a regressor, like sklearn's `estimator.score`).
 * Names, not functions, so a worker thread can resolve the same scorer.
 */
import { ValidationError } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import type { Model } from '../base/index.js'

import { INTERIM_SCORER_NAMES, getInterimScorer } from './interim-scorers.js'

/** A scorer: a fitted model, features and true target in, a number out (higher is better). */
export type Scorer = (model: Model, X: Frame, y: Column) => number

/** The scoring name that means the estimator's default score. */
export const DEFAULT_SCORING = 'score'

/** The scoring option of {@link crossValidate} and the searches: one name or several. */
export type Scoring = string | readonly string[]

/**
 * The scoring names to use, validated: `undefined` → `['score']`.
 *
 * @throws ValidationError naming an unknown scorer or a repeated one, at `scoring`.
 */
export function scoringNames(scoring: Scoring | undefined): readonly string[] {
  const names =
    scoring === undefined
      ? [DEFAULT_SCORING]
      : typeof scoring === 'string'
        ? [scoring]
        : [...scoring]
  const known = new Set<string>([DEFAULT_SCORING, ...INTERIM_SCORER_NAMES])
  if (names.length === 0) {
    throw new ValidationError('scoring is empty', [
      { path: ['scoring'], code: 'too_small', message: 'name at least one scorer' },
    ])
  }
  const issues = names.flatMap((n, i) =>
    known.has(n)
      ? names.indexOf(n) === i
        ? []
        : [{ path: ['scoring', i], code: 'duplicate', message: `"${n}" is listed twice` }]
      : [
          {
            path: ['scoring', i],
            code: 'unknown_scorer',
            message: `unknown scorer "${n}"; known: ${[...known].join(', ')}`,
          },
        ],
  )
  if (issues.length > 0) throw new ValidationError(`invalid scoring`, issues)
  return names
}

/** The scorer of a (validated) name. */
export function scorerOf(name: string): Scorer {
  if (name !== DEFAULT_SCORING) return getInterimScorer(name)
  const accuracy = getInterimScorer('accuracy')
  const r2 = getInterimScorer('r2')
  return (model, X, y) =>
    Array.isArray((model as { classes?: unknown }).classes)
      ? accuracy(model, X, y)
      : r2(model, X, y)
}
