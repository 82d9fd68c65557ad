/**
 * The precision–recall curve, average precision (PR AUC) and threshold selection (the F1-optimal
 * threshold, the highest threshold reaching a target recall).
 */
import { ValidationError } from '../../core/index.js'
import type { ClassLabel } from '../base/index.js'

import { binaryCurve, type BinaryCurve } from './curve.js'
import { findLabel, resolvePosLabel, sortLabels, type LabelsInput } from './labels.js'
import { readBinary, type CurveOptions, type ScoresInput } from './ranking-input.js'

/** A precision–recall curve. */
export interface PrecisionRecallCurve {
  /** Precision at each threshold (ascending thresholds), then a final 1. */
  readonly precision: Float64Array
  /** Recall at each threshold, decreasing, then a final 0. */
  readonly recall: Float64Array
  /** The distinct scores, ascending (one fewer than `precision`). */
  readonly thresholds: Float64Array
}

function prFromCurve(c: BinaryCurve): PrecisionRecallCurve {
  const d = c.tps.length
  const precision = new Float64Array(d + 1)
  const recall = new Float64Array(d + 1)
  const thresholds = new Float64Array(d)
  const tLast = d > 0 ? c.tps[d - 1]! : 0
  for (let i = 0; i < d; i++) {
    const r = d - 1 - i
    const tp = c.tps[r]!
    const ps = tp + c.fps[r]!
    precision[i] = ps !== 0 ? tp / ps : 0
    // No positive in yTrue: sklearn sets recall to 1 at every threshold.
    recall[i] = tLast === 0 ? 1 : tp / tLast
    thresholds[i] = c.thresholds[r]!
  }
  precision[d] = 1
  recall[d] = 0
  return { precision, recall, thresholds }
}

/**
 * The precision–recall curve of a binary problem.
 *
 * ## Method
 * {@link binaryCurve} (one sort); precision TP/(TP+FP) (0 when nothing is predicted positive),
 * recall TP/P; reversed so thresholds ascend, with a final point (recall 0, precision 1).
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.precision_recall_curve`.
 *
 * @throws ValidationError like {@link rocCurve}.
 * @example
 * ```ts
 * precisionRecallCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).recall // Float64Array [1, 1, 0.5, 0.5, 0]
 * ```
 */
export function precisionRecallCurve(
  yTrue: LabelsInput,
  yScore: ScoresInput,
  options: CurveOptions = {},
): PrecisionRecallCurve {
  const b = readBinary(yTrue, yScore, options.sampleWeight, (c) =>
    resolvePosLabel(c, options.posLabel),
  )
  return prFromCurve(binaryCurve(b.positive, b.score, b.weight))
}

function positiveDefaultOne(posLabel: ClassLabel | undefined) {
  return (classes: readonly ClassLabel[]): number => {
    if (classes.length > 2) {
      throw new ValidationError('average precision supports binary targets only', [
        { path: ['yTrue'], code: 'multiclass', message: `yTrue has ${classes.length} classes` },
      ])
    }
    const label = posLabel ?? 1
    const pos = findLabel(classes, label)
    if (pos < 0 && classes.length === 2) {
      throw new ValidationError(`posLabel=${String(label)} is not a valid label`, [
        {
          path: ['posLabel'],
          code: 'not_present',
          message: `should be one of ${sortLabels(classes).map(String).join(', ')}`,
        },
      ])
    }
    return pos
  }
}

/**
 * Average precision: the area under the precision–recall step curve, without interpolation
 * (sklearn's `average_precision_score`, the usual "PR AUC").
 *
 * ## Method
 * AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the thresholds of {@link precisionRecallCurve}.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.average_precision_score`; Zhu, "Recall, precision and average
 * precision" (2004).
 *
 * @throws ValidationError for more than two labels, a `posLabel` (default 1) that is not one of
 * two present labels, empty input, a length mismatch or non-finite scores.
 * @example
 * ```ts
 * averagePrecisionScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) // 0.8333333333333333
 * ```
 */
export function averagePrecisionScore(
  yTrue: LabelsInput,
  yScore: ScoresInput,
  options: CurveOptions = {},
): number {
  const b = readBinary(yTrue, yScore, options.sampleWeight, positiveDefaultOne(options.posLabel))
  const { precision, recall } = prFromCurve(binaryCurve(b.positive, b.score, b.weight))
  let s = 0
  for (let i = 0; i + 1 < recall.length; i++) s += (recall[i + 1]! - recall[i]!) * precision[i]!
  return -s
}

/** An operating point: the threshold and the scores of `score ≥ threshold → positive`. */
export interface ThresholdChoice {
  readonly threshold: number
  readonly precision: number
  readonly recall: number
  readonly f1: number
}

function operatingPoints(
  yTrue: LabelsInput,
  yScore: ScoresInput,
  options: CurveOptions,
): { readonly curve: BinaryCurve; readonly at: (i: number) => ThresholdChoice } {
  const b = readBinary(yTrue, yScore, options.sampleWeight, positiveDefaultOne(options.posLabel))
  const curve = binaryCurve(b.positive, b.score, b.weight)
  const d = curve.tps.length
  const total = d > 0 ? curve.tps[d - 1]! : 0
  if (!(total > 0)) {
    throw new ValidationError('yTrue has no positive sample', [
      { path: ['yTrue'], code: 'no_positive', message: 'recall is undefined without positives' },
    ])
  }
  const at = (i: number): ThresholdChoice => {
    const tp = curve.tps[i]!
    const ps = tp + curve.fps[i]!
    const precision = ps !== 0 ? tp / ps : 0
    const recall = tp / total
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
    return { threshold: curve.thresholds[i]!, precision, recall, f1 }
  }
  return { curve, at }
}

/**
 * The score threshold that maximizes F1 (ties: the highest such threshold), with the precision,
 * recall and F1 of predicting `score ≥ threshold` as positive.
 *
 * ## Method
 * One pass over {@link binaryCurve}'s distinct thresholds, F1 = 2PR/(P+R).
 *
 * ## References
 * Lipton, Elkan & Narayanaswamy, "Thresholding classifiers to maximize F1 score", ECML PKDD 2014.
 *
 * @throws ValidationError when yTrue has no positive sample, or as {@link averagePrecisionScore}.
 * @example
 * ```ts
 * thresholdMaxF1([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).threshold // 0.35
 * ```
 */
export function thresholdMaxF1(
  yTrue: LabelsInput,
  yScore: ScoresInput,
  options: CurveOptions = {},
): ThresholdChoice {
  const { curve, at } = operatingPoints(yTrue, yScore, options)
  let best = at(0)
  for (let i = 1; i < curve.tps.length; i++) {
    const c = at(i)
    if (c.f1 > best.f1) best = c
  }
  return best
}

/**
 * The highest score threshold whose recall reaches `targetRecall`, with its precision, recall
 * and F1 (the operating point of "catch at least 90% of positives").
 *
 * ## Method
 * Recall grows as the threshold falls; one pass down {@link binaryCurve}'s distinct thresholds
 * stops at the first with TP/P ≥ `targetRecall`.
 *
 * ## References
 * Davis & Goadrich, "The relationship between precision-recall and ROC curves", ICML 2006.
 *
 * @throws ValidationError when `targetRecall` is not in (0, 1], when yTrue has no positive sample,
 * or as {@link averagePrecisionScore}.
 * @example
 * ```ts
 * thresholdForRecall([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 1).threshold // 0.35
 * ```
 */
export function thresholdForRecall(
  yTrue: LabelsInput,
  yScore: ScoresInput,
  targetRecall: number,
  options: CurveOptions = {},
): ThresholdChoice {
  if (!(targetRecall > 0 && targetRecall <= 1)) {
    throw new ValidationError('targetRecall must be in (0, 1]', [
      { path: ['targetRecall'], code: 'invalid_value', message: `got ${targetRecall}` },
    ])
  }
  const { curve, at } = operatingPoints(yTrue, yScore, options)
  const d = curve.tps.length
  for (let i = 0; i < d; i++) {
    const c = at(i)
    if (c.recall >= targetRecall) return c
  }
  return at(d - 1)
}
