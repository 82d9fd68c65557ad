/**
 * Scoring by name: the sklearn scorer names of `ml/metrics`, plus `'score'`, the estimator's
 * default (accuracy for a classifier, R² for a regressor, like sklearn's `estimator.score`).
 * Names, not functions, so a worker thread can resolve the same scorer.
 */
import { ValidationError, type ValidationIssue } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import type { Model, Predictor } from '../base/index.js'
import { SCORER_NAMES, getScorer, isScorerName } from '../metrics/index.js'

/** A scorer: a fitted model, features and true target in, a number out (higher is better). */
export type Scorer = (model: Model, X: Frame, y: Column) => number

/** The scoring name that means the estimator's default score. */
export const DEFAULT_SCORING = 'score'

/** The scoring option of `crossValidate` and the searches: one name or several. */
export type Scoring = string | readonly string[]

/**
 * The scoring names to use, validated: `undefined` → `['score']`.
 *
 * @throws ValidationError naming each unknown or repeated scorer, at `scoring`.
 */
export function scoringNames(scoring: Scoring | undefined): readonly string[] {
  const names =
    scoring === undefined
      ? [DEFAULT_SCORING]
      : typeof scoring === 'string'
        ? [scoring]
        : [...scoring]
  if (names.length === 0) {
    throw new ValidationError('scoring is empty', [
      { path: ['scoring'], code: 'too_small', message: 'name at least one scorer' },
    ])
  }
  const issues: ValidationIssue[] = []
  names.forEach((n, i) => {
    if (n !== DEFAULT_SCORING && !isScorerName(n)) {
      issues.push({
        path: ['scoring', i],
        code: 'unknown_scorer',
        message: `unknown scorer "${n}"; known: ${[DEFAULT_SCORING, ...SCORER_NAMES].join(', ')}`,
      })
    } else if (names.indexOf(n) !== i) {
      issues.push({ path: ['scoring', i], code: 'duplicate', message: `"${n}" is listed twice` })
    }
  })
  if (issues.length > 0) throw new ValidationError(issues[0]!.message, issues)
  return names
}

function asPredictor(model: Model, name: string): Predictor {
  if (typeof (model as Partial<Predictor>).predict !== 'function') {
    throw new ValidationError(
      `scorer "${name}" needs a model that predicts; ${model.kind} does not`,
      [{ path: ['scoring'], code: 'not_predictor', message: `${model.kind} has no predict` }],
    )
  }
  return model as Predictor
}

/** The scorer of a (validated) name. */
export function scorerOf(name: string): Scorer {
  if (name !== DEFAULT_SCORING) {
    const s = getScorer(name)
    return (model, X, y) => s(asPredictor(model, name), X, y)
  }
  const accuracy = getScorer('accuracy')
  const r2 = getScorer('r2')
  return (model, X, y) => {
    const p = asPredictor(model, name)
    return Array.isArray((model as { classes?: unknown }).classes) ? accuracy(p, X, y) : r2(p, X, y)
  }
}
