/**
 * Scorers: sklearn's scoring names mapped to metrics, so model selection can score any fitted
 * model by name (`getScorer('roc_auc')(model, X, y)`; higher is always better, losses negated).
 */
import { ValidationError } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import { isClassifierModel, type ClassLabel, type Predictor } from '../base/index.js'

import { accuracyScore, balancedAccuracyScore, matthewsCorrcoef } from './classification.js'
import { isFrameInput, readProba, type NumbersInput } from './inputs.js'
import { encodeLabels, findLabel, sortLabels } from './labels.js'
import { brierScoreLoss, logLoss } from './probabilistic.js'
import { averagePrecisionScore } from './pr-curve.js'
import { precisionRecallFscore, type Average } from './precision-recall.js'
import { rocAucScore } from './roc.js'
import {
  explainedVarianceScore,
  maxError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  medianAbsoluteError,
  r2Score,
  rootMeanSquaredError,
} from './regression.js'

/** Every scoring name {@link getScorer} knows (sklearn 1.2's names). */
export const SCORER_NAMES = Object.freeze([
  'accuracy',
  'balanced_accuracy',
  'matthews_corrcoef',
  'f1',
  'f1_macro',
  'f1_micro',
  'f1_weighted',
  'precision',
  'precision_macro',
  'precision_micro',
  'precision_weighted',
  'recall',
  'recall_macro',
  'recall_micro',
  'recall_weighted',
  'roc_auc',
  'roc_auc_ovr',
  'roc_auc_ovr_weighted',
  'roc_auc_ovo',
  'roc_auc_ovo_weighted',
  'average_precision',
  'neg_log_loss',
  'neg_brier_score',
  'r2',
  'explained_variance',
  'max_error',
  'neg_mean_squared_error',
  'neg_root_mean_squared_error',
  'neg_mean_absolute_error',
  'neg_mean_absolute_percentage_error',
  'neg_median_absolute_error',
] as const)

/** A scoring name, e.g. `'roc_auc'` or `'neg_root_mean_squared_error'`. */
export type ScorerName = (typeof SCORER_NAMES)[number]

/** What a scorer asks the model for: `predict` (labels or values) or `predictProba`. */
export type ScorerNeeds = 'predict' | 'proba'

/** Options of a scorer call. */
export interface ScoreOptions {
  /** One weight per row of X. */
  readonly sampleWeight?: NumbersInput | undefined
}

/** Options of a scorer's metric function. */
export interface ScorerFnOptions extends ScoreOptions {
  /**
   * The positive class of a binary scorer. When a {@link Scorer} is called with a classifier it
   * passes 1 if that is a class (sklearn's default), else the classifier's greater class; left
   * out, the same rule runs on the labels of yTrue and the output.
   */
  readonly posLabel?: ClassLabel | undefined
}

/**
 * A metric bound to a scoring name. Call it like sklearn's `get_scorer(name)(estimator, X, y)`:
 * it runs `predict` or `predictProba` on `X` and returns the score with `higher = better`.
 */
export interface Scorer {
  (model: Predictor, X: Frame, y: Column, options?: ScoreOptions): number
  /** The scoring name. */
  readonly name: ScorerName
  /** Whether the underlying metric grows with quality (false for losses, whose score is negated). */
  readonly greaterIsBetter: boolean
  /** `'proba'`: needs `Classifier.predictProba`; `'predict'`: the model's `predict`. */
  readonly needs: ScorerNeeds
  /**
   * The metric itself (not negated) from the true target and the model's output: the `predict`
   * column, or the `predictProba` Frame for `'proba'` scorers (ROC AUC and average precision
   * also take a column of scores).
   */
  readonly fn: (yTrue: Column, output: Column | Frame, options?: ScorerFnOptions) => number
  /** `fn` with the sign applied (higher is better): scores precomputed output. */
  score(yTrue: Column, output: Column | Frame, options?: ScorerFnOptions): number
}

function needColumn(output: Column | Frame, name: string): Column {
  if (isFrameInput(output)) {
    throw new ValidationError(`scorer ${name} needs predictions, got a probability Frame`, [
      { path: ['output'], code: 'bad_output', message: 'pass the predict column' },
    ])
  }
  return output
}

function needFrame(output: Column | Frame, name: string): Frame {
  if (!isFrameInput(output)) {
    throw new ValidationError(`scorer ${name} needs class probabilities`, [
      { path: ['output'], code: 'bad_output', message: 'pass the predictProba Frame' },
    ])
  }
  return output
}

/** sklearn's default positive class 1, or the greater of two labels when 1 is not one. */
function defaultPositive(classes: readonly ClassLabel[]): ClassLabel {
  if (findLabel(classes, 1) >= 0 || classes.length < 2) return 1
  return classes[classes.length - 1]!
}

/** The classes of a probability Frame, sorted, read as the labels of yTrue where they match. */
function frameClasses(yTrue: Column, proba: Frame): ClassLabel[] {
  const y = encodeLabels([{ input: yTrue, path: 'yTrue' }])
  return sortLabels(readProba(proba, 'output', y.classes).labels)
}

function labelScorer(name: string, average: Average, metric: 'precision' | 'recall' | 'fScore') {
  return (yTrue: Column, output: Column | Frame, options: ScorerFnOptions = {}): number => {
    const yPred = needColumn(output, name)
    let posLabel = options.posLabel
    if (average === 'binary' && posLabel === undefined) {
      const classes = encodeLabels([
        { input: yTrue, path: 'yTrue' },
        { input: yPred, path: 'yPred' },
      ]).classes
      posLabel = defaultPositive(classes)
    }
    return precisionRecallFscore(yTrue, yPred, {
      average,
      ...(posLabel === undefined ? {} : { posLabel }),
      sampleWeight: options.sampleWeight,
    })[metric]
  }
}

function probaPositive(yTrue: Column, proba: Frame, posLabel: ClassLabel | undefined) {
  const classes = frameClasses(yTrue, proba)
  return posLabel ?? classes[classes.length - 1] ?? 1
}

type Fn = Scorer['fn']

interface ScorerDef {
  readonly greaterIsBetter: boolean
  readonly needs: ScorerNeeds
  readonly fn: Fn
}

const predictLabels =
  (
    f: (yTrue: Column, yPred: Column, sampleWeight: NumbersInput | undefined) => number,
    name: string,
  ) =>
  (yTrue: Column, output: Column | Frame, options: ScorerFnOptions = {}): number =>
    f(yTrue, needColumn(output, name), options.sampleWeight)

const regression = (
  f: (yTrue: Column, yPred: Column, o: { sampleWeight?: NumbersInput | undefined }) => number,
  name: string,
): ScorerDef => ({
  greaterIsBetter: true,
  needs: 'predict',
  fn: (yTrue, output, options = {}) =>
    f(yTrue, needColumn(output, name), { sampleWeight: options.sampleWeight }),
})

const loss = (def: ScorerDef): ScorerDef => ({ ...def, greaterIsBetter: false })

function rocAuc(name: string, multiClass: 'ovr' | 'ovo', average: 'macro' | 'weighted'): Fn {
  return (yTrue, output, options = {}) => {
    const sampleWeight = options.sampleWeight
    if (!isFrameInput(output)) return rocAucScore(yTrue, output, { sampleWeight })
    if (name === 'roc_auc' && output.nColumns > 2) {
      throw new ValidationError(
        "scorer roc_auc is binary; use 'roc_auc_ovr' or 'roc_auc_ovo' for multiclass",
        [{ path: ['scoring'], code: 'multiclass', message: `${output.nColumns} classes` }],
      )
    }
    return rocAucScore(yTrue, output, { sampleWeight, multiClass, average })
  }
}

const DEFS: Readonly<Record<ScorerName, ScorerDef>> = {
  accuracy: {
    greaterIsBetter: true,
    needs: 'predict',
    fn: predictLabels((t, p, sampleWeight) => accuracyScore(t, p, { sampleWeight }), 'accuracy'),
  },
  balanced_accuracy: {
    greaterIsBetter: true,
    needs: 'predict',
    fn: predictLabels(
      (t, p, sampleWeight) => balancedAccuracyScore(t, p, { sampleWeight }),
      'balanced_accuracy',
    ),
  },
  matthews_corrcoef: {
    greaterIsBetter: true,
    needs: 'predict',
    fn: predictLabels(
      (t, p, sampleWeight) => matthewsCorrcoef(t, p, { sampleWeight }),
      'matthews_corrcoef',
    ),
  },
  f1: { greaterIsBetter: true, needs: 'predict', fn: labelScorer('f1', 'binary', 'fScore') },
  f1_macro: { greaterIsBetter: true, needs: 'predict', fn: labelScorer('f1', 'macro', 'fScore') },
  f1_micro: { greaterIsBetter: true, needs: 'predict', fn: labelScorer('f1', 'micro', 'fScore') },
  f1_weighted: {
    greaterIsBetter: true,
    needs: 'predict',
    fn: labelScorer('f1', 'weighted', 'fScore'),
  },
  precision: {
    greaterIsBetter: true,
    needs: 'predict',
    fn: labelScorer('precision', 'binary', 'precision'),
  },
  precision_macro: {
    greaterIsBetter: true,
    needs: 'predict',
    fn: labelScorer('precision', 'macro', 'precision'),
  },
  precision_micro: {
    greaterIsBetter: true,
    needs: 'predict',
    fn: labelScorer('precision', 'micro', 'precision'),
  },
  precision_weighted: {
    greaterIsBetter: true,
    needs: 'predict',
    fn: labelScorer('precision', 'weighted', 'precision'),
  },
  recall: {
    greaterIsBetter: true,
    needs: 'predict',
    fn: labelScorer('recall', 'binary', 'recall'),
  },
  recall_macro: {
    greaterIsBetter: true,
    needs: 'predict',
    fn: labelScorer('recall', 'macro', 'recall'),
  },
  recall_micro: {
    greaterIsBetter: true,
    needs: 'predict',
    fn: labelScorer('recall', 'micro', 'recall'),
  },
  recall_weighted: {
    greaterIsBetter: true,
    needs: 'predict',
    fn: labelScorer('recall', 'weighted', 'recall'),
  },
  roc_auc: { greaterIsBetter: true, needs: 'proba', fn: rocAuc('roc_auc', 'ovr', 'macro') },
  roc_auc_ovr: { greaterIsBetter: true, needs: 'proba', fn: rocAuc('roc_auc_ovr', 'ovr', 'macro') },
  roc_auc_ovr_weighted: {
    greaterIsBetter: true,
    needs: 'proba',
    fn: rocAuc('roc_auc_ovr_weighted', 'ovr', 'weighted'),
  },
  roc_auc_ovo: { greaterIsBetter: true, needs: 'proba', fn: rocAuc('roc_auc_ovo', 'ovo', 'macro') },
  roc_auc_ovo_weighted: {
    greaterIsBetter: true,
    needs: 'proba',
    fn: rocAuc('roc_auc_ovo_weighted', 'ovo', 'weighted'),
  },
  average_precision: {
    greaterIsBetter: true,
    needs: 'proba',
    fn: (yTrue, output, options = {}) => {
      const sampleWeight = options.sampleWeight
      if (!isFrameInput(output)) {
        return averagePrecisionScore(yTrue, output, {
          sampleWeight,
          ...(options.posLabel === undefined ? {} : { posLabel: options.posLabel }),
        })
      }
      const posLabel = probaPositive(yTrue, output, options.posLabel)
      return averagePrecisionScore(yTrue, output, { sampleWeight, posLabel })
    },
  },
  neg_log_loss: {
    greaterIsBetter: false,
    needs: 'proba',
    fn: (yTrue, output, options = {}) =>
      logLoss(yTrue, needFrame(output, 'neg_log_loss'), { sampleWeight: options.sampleWeight }),
  },
  neg_brier_score: {
    greaterIsBetter: false,
    needs: 'proba',
    fn: (yTrue, output, options = {}) => {
      const proba = needFrame(output, 'neg_brier_score')
      const posLabel = probaPositive(yTrue, proba, options.posLabel)
      return brierScoreLoss(yTrue, proba, { sampleWeight: options.sampleWeight, posLabel })
    },
  },
  r2: regression(r2Score, 'r2'),
  explained_variance: regression(explainedVarianceScore, 'explained_variance'),
  max_error: loss(
    regression((t, p, o) => {
      if (o.sampleWeight !== undefined) {
        throw new ValidationError('max_error does not take sample weights', [
          { path: ['sampleWeight'], code: 'unsupported', message: 'max_error is unweighted' },
        ])
      }
      return maxError(t, p)
    }, 'max_error'),
  ),
  neg_mean_squared_error: loss(regression(meanSquaredError, 'neg_mean_squared_error')),
  neg_root_mean_squared_error: loss(
    regression(rootMeanSquaredError, 'neg_root_mean_squared_error'),
  ),
  neg_mean_absolute_error: loss(regression(meanAbsoluteError, 'neg_mean_absolute_error')),
  neg_mean_absolute_percentage_error: loss(
    regression(meanAbsolutePercentageError, 'neg_mean_absolute_percentage_error'),
  ),
  neg_median_absolute_error: loss(regression(medianAbsoluteError, 'neg_median_absolute_error')),
}

function makeScorer(name: ScorerName, def: ScorerDef): Scorer {
  const sign = def.greaterIsBetter ? 1 : -1
  const score = (yTrue: Column, output: Column | Frame, options?: ScorerFnOptions): number =>
    sign * def.fn(yTrue, output, options)
  const call = (model: Predictor, X: Frame, y: Column, options: ScoreOptions = {}): number => {
    const classifier = isClassifierModel(model)
    let output: Column | Frame
    if (def.needs === 'proba') {
      if (classifier) output = model.predictProba(X)
      else if (name === 'roc_auc' || name === 'average_precision') output = model.predict(X)
      else {
        throw new ValidationError(`scorer ${name} needs a classifier with predictProba`, [
          { path: ['scoring'], code: 'needs_proba', message: `${model.kind} has no predictProba` },
        ])
      }
    } else {
      output = model.predict(X)
    }
    const classes = classifier ? model.classes : undefined
    const posLabel =
      classes === undefined
        ? undefined
        : def.needs === 'proba'
          ? classes[classes.length - 1]
          : defaultPositive(classes)
    return score(y, output, { sampleWeight: options.sampleWeight, posLabel })
  }
  Object.defineProperties(call, {
    name: { value: name, enumerable: true },
    greaterIsBetter: { value: def.greaterIsBetter, enumerable: true },
    needs: { value: def.needs, enumerable: true },
    fn: { value: def.fn, enumerable: true },
    score: { value: score, enumerable: true },
  })
  return Object.freeze(call) as Scorer
}

const SCORERS: ReadonlyMap<string, Scorer> = new Map(
  SCORER_NAMES.map((name) => [name, makeScorer(name, DEFS[name])]),
)

/**
 * The scorer of a scoring name (sklearn's `get_scorer`).
 *
 * @throws ValidationError (path `scoring`) for an unknown name, listing the known ones.
 * @example
 * ```ts
 * const auc = getScorer('roc_auc')(model, X, y)  // model: a fitted Classifier
 * getScorer('neg_log_loss').greaterIsBetter      // false: the score is −log loss
 * ```
 */
export function getScorer(name: string): Scorer {
  const s = SCORERS.get(name)
  if (s === undefined) {
    throw new ValidationError(`unknown scoring "${name}"`, [
      {
        path: ['scoring'],
        code: 'unknown_scorer',
        message: `expected one of ${SCORER_NAMES.join(', ')}`,
      },
    ])
  }
  return s
}

/** True when `name` is a known scoring name. */
export function isScorerName(name: string): name is ScorerName {
  return SCORERS.has(name)
}
