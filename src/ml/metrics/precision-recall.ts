/**
 * Precision, recall and F-scores (per class and averaged: binary, macro, weighted, micro) and the
 * classification report, with sklearn 1.2's semantics (label handling, `zero_division`).
 */
import { ValidationError } from '../../core/index.js'
import type { ClassLabel } from '../base/index.js'

import { readPair, type LabelPair, type SampleWeightOptions } from './classification.js'
import { encodeLabels, findLabel, type LabelsInput } from './labels.js'

/**
 * How per-class scores combine: `'binary'` reports the class `posLabel` only (the target must
 * have at most two labels), `'macro'` is the unweighted mean over classes, `'weighted'` the mean
 * weighted by support, `'micro'` pools the counts of every class.
 */
export type Average = 'binary' | 'macro' | 'weighted' | 'micro'

/** Options of precision, recall and F-scores. */
export interface PrecisionRecallOptions extends SampleWeightOptions {
  /** @default 'binary' */
  readonly average?: Average | undefined
  /** The positive class for `average: 'binary'`. @default 1 (also matches `true`) */
  readonly posLabel?: ClassLabel | undefined
  /** The classes to report and average over, in order. @default the sorted labels present */
  readonly labels?: readonly ClassLabel[] | undefined
  /**
   * The value of a ratio whose denominator is zero (a class never predicted, for precision).
   * sklearn's default `'warn'` gives 0.
   * @default 0
   */
  readonly zeroDivision?: 0 | 1 | undefined
}

/** Per-class precision, recall, F-beta and support. */
export interface PerClassScores {
  readonly labels: readonly ClassLabel[]
  readonly precision: Float64Array
  readonly recall: Float64Array
  readonly fScore: Float64Array
  /** The (weighted) number of samples of each class in `yTrue`. */
  readonly support: Float64Array
}

/** Averaged precision, recall and F-beta. */
export interface AveragedScores {
  readonly precision: number
  readonly recall: number
  readonly fScore: number
}

interface Sums {
  readonly tp: Float64Array
  readonly pred: Float64Array
  readonly true: Float64Array
}

function classSums(pair: LabelPair, k: number): Sums {
  const tp = new Float64Array(k)
  const pred = new Float64Array(k)
  const tru = new Float64Array(k)
  const { t, p, w, n } = pair
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : w[i]!
    const a = t[i]!
    const b = p[i]!
    if (a >= 0) tru[a]! += wi
    if (b >= 0) pred[b]! += wi
    if (a >= 0 && a === b) tp[a]! += wi
  }
  return { tp, pred, true: tru }
}

function divide(num: Float64Array, den: Float64Array, zeroDivision: number): Float64Array {
  const out = new Float64Array(num.length)
  for (let i = 0; i < num.length; i++) out[i] = den[i] === 0 ? zeroDivision : num[i]! / den[i]!
  return out
}

function fbetaOf(precision: Float64Array, recall: Float64Array, beta: number): Float64Array {
  if (beta === Infinity) return Float64Array.from(recall)
  const b2 = beta * beta
  const out = new Float64Array(precision.length)
  for (let i = 0; i < out.length; i++) {
    const p = precision[i]!
    const r = recall[i]!
    const den = b2 * p + r
    out[i] = ((1 + b2) * p * r) / (den === 0 ? 1 : den)
  }
  return out
}

function checkBeta(beta: number): void {
  if (!(beta >= 0)) {
    throw new ValidationError('beta must be >= 0', [
      { path: ['beta'], code: 'invalid_value', message: `beta is ${beta}` },
    ])
  }
}

/**
 * Per-class precision, recall, F-beta and support (sklearn's `precision_recall_fscore_support`
 * with `average=None`).
 *
 * ## Method
 * For each class c: precision = TP/(TP+FP), recall = TP/(TP+FN), Fβ = (1+β²)·P·R/(β²·P+R), each
 * ratio with a zero denominator set to `zeroDivision`, an F with P = R = 0 set to 0.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.precision_recall_fscore_support`; van Rijsbergen,
 * *Information Retrieval* (1979), ch. 7.
 *
 * @throws ValidationError for empty input, a length mismatch, or `beta < 0`.
 */
export function precisionRecallFscoreSupport(
  yTrue: LabelsInput,
  yPred: LabelsInput,
  options: Omit<PrecisionRecallOptions, 'average' | 'posLabel'> & {
    readonly beta?: number | undefined
  } = {},
): PerClassScores {
  const beta = options.beta ?? 1
  checkBeta(beta)
  const pair = readPair(yTrue, yPred, options.sampleWeight, options.labels)
  const k = pair.enc.classes.length
  const s = classSums(pair, k)
  const zd = options.zeroDivision ?? 0
  const precision = divide(s.tp, s.pred, zd)
  const recall = divide(s.tp, s.true, zd)
  return {
    labels: pair.enc.classes,
    precision,
    recall,
    fScore: fbetaOf(precision, recall, beta),
    support: s.true,
  }
}

function mean(x: Float64Array, w?: Float64Array): number {
  let s = 0
  let sw = 0
  for (let i = 0; i < x.length; i++) {
    const wi = w === undefined ? 1 : w[i]!
    s += x[i]! * wi
    sw += wi
  }
  return s / sw
}

/**
 * Precision, recall and F-beta averaged as `options.average` says (sklearn's
 * `precision_recall_fscore_support` with an average).
 *
 * ## Method
 * `'binary'` keeps the scores of `posLabel`; `'macro'` averages the per-class scores; `'weighted'`
 * averages them weighted by support (all `zeroDivision` when no sample has a listed class);
 * `'micro'` computes the ratios from TP, FP and FN summed over the classes.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.precision_recall_fscore_support`.
 *
 * @throws ValidationError for empty input, a length mismatch, `beta < 0`, `average: 'binary'` with
 * more than two labels, or a `posLabel` that is not one of two present labels.
 */
export function precisionRecallFscore(
  yTrue: LabelsInput,
  yPred: LabelsInput,
  options: PrecisionRecallOptions & { readonly beta?: number | undefined } = {},
): AveragedScores {
  const beta = options.beta ?? 1
  checkBeta(beta)
  const average = options.average ?? 'binary'
  const zd = options.zeroDivision ?? 0
  let pair: LabelPair
  let sums: Sums
  if (average === 'binary') {
    pair = readPair(yTrue, yPred, options.sampleWeight)
    const present = pair.enc.classes
    if (present.length > 2) {
      throw new ValidationError(
        "the target is multiclass but average is 'binary'; choose 'macro', 'weighted' or 'micro'",
        [
          {
            path: ['average'],
            code: 'multiclass',
            message: `${present.length} labels present: ${present.map(String).join(', ')}`,
          },
        ],
      )
    }
    const posLabel = options.posLabel ?? 1
    const pos = findLabel(present, posLabel)
    if (pos < 0 && present.length >= 2) {
      throw new ValidationError(`posLabel=${String(posLabel)} is not a valid label`, [
        {
          path: ['posLabel'],
          code: 'not_present',
          message: `should be one of ${present.map(String).join(', ')}`,
        },
      ])
    }
    const all = classSums(pair, present.length)
    const pick = (a: Float64Array) => Float64Array.of(pos < 0 ? 0 : a[pos]!)
    sums = { tp: pick(all.tp), pred: pick(all.pred), true: pick(all.true) }
  } else {
    pair = readPair(yTrue, yPred, options.sampleWeight, options.labels)
    sums = classSums(pair, pair.enc.classes.length)
    if (average === 'micro') {
      const total = (a: Float64Array) => Float64Array.of(a.reduce((x, y) => x + y, 0))
      sums = { tp: total(sums.tp), pred: total(sums.pred), true: total(sums.true) }
    }
  }
  const precision = divide(sums.tp, sums.pred, zd)
  const recall = divide(sums.tp, sums.true, zd)
  const f = fbetaOf(precision, recall, beta)
  if (average === 'weighted') {
    const wsum = sums.true.reduce((x, y) => x + y, 0)
    if (wsum === 0) {
      const predSum = sums.pred.reduce((x, y) => x + y, 0)
      if (predSum === 0) return { precision: zd, recall: zd, fScore: zd }
      return { precision: 0, recall: zd, fScore: 0 }
    }
    return {
      precision: mean(precision, sums.true),
      recall: mean(recall, sums.true),
      fScore: mean(f, sums.true),
    }
  }
  return { precision: mean(precision), recall: mean(recall), fScore: mean(f) }
}

/**
 * Precision TP/(TP+FP), averaged as `options.average` says; see {@link precisionRecallFscore}.
 *
 * ## Method
 * The precision of {@link precisionRecallFscore}.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.precision_score`.
 *
 * @example
 * ```ts
 * precisionScore([0, 1, 1, 0], [1, 1, 1, 0]) // 0.6666666666666666
 * ```
 */
export function precisionScore(
  yTrue: LabelsInput,
  yPred: LabelsInput,
  options: PrecisionRecallOptions = {},
): number {
  return precisionRecallFscore(yTrue, yPred, options).precision
}

/**
 * Recall TP/(TP+FN), averaged as `options.average` says; see {@link precisionRecallFscore}.
 *
 * ## Method
 * The recall of {@link precisionRecallFscore}.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.recall_score`.
 *
 * @example
 * ```ts
 * recallScore([0, 1, 1, 0], [1, 1, 0, 0]) // 0.5
 * ```
 */
export function recallScore(
  yTrue: LabelsInput,
  yPred: LabelsInput,
  options: PrecisionRecallOptions = {},
): number {
  return precisionRecallFscore(yTrue, yPred, options).recall
}

/**
 * F1, the harmonic mean of precision and recall, averaged as `options.average` says; see
 * {@link precisionRecallFscore}.
 *
 * ## Method
 * F-beta of {@link precisionRecallFscore} with β = 1: 2·P·R/(P+R).
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.f1_score`.
 *
 * @example
 * ```ts
 * f1Score([0, 1, 1, 0], [1, 1, 0, 0]) // 0.5
 * ```
 */
export function f1Score(
  yTrue: LabelsInput,
  yPred: LabelsInput,
  options: PrecisionRecallOptions = {},
): number {
  return precisionRecallFscore(yTrue, yPred, { ...options, beta: 1 }).fScore
}

/**
 * F-beta: (1+β²)·P·R/(β²·P+R), recall weighted β times as much as precision; see
 * {@link precisionRecallFscore}.
 *
 * ## Method
 * The F-beta of {@link precisionRecallFscore}.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.fbeta_score`.
 *
 * @example
 * ```ts
 * fbetaScore([0, 1, 1, 0], [1, 1, 0, 0], 2) // 0.5
 * ```
 */
export function fbetaScore(
  yTrue: LabelsInput,
  yPred: LabelsInput,
  beta: number,
  options: PrecisionRecallOptions = {},
): number {
  return precisionRecallFscore(yTrue, yPred, { ...options, beta }).fScore
}

/** One row of a {@link ClassificationReport}. */
export interface ReportRow {
  readonly precision: number
  readonly recall: number
  readonly f1: number
  readonly support: number
}

/** sklearn's `classification_report(output_dict=True)` as data. */
export interface ClassificationReport {
  /** One row per class, in label order. */
  readonly classes: readonly (ReportRow & { readonly label: ClassLabel })[]
  /** Accuracy, when the reported labels are exactly the present ones (it equals micro F1). */
  readonly accuracy?: number
  /** The micro averages instead of accuracy, when `labels` differs from the present labels. */
  readonly microAvg?: ReportRow
  readonly macroAvg: ReportRow
  readonly weightedAvg: ReportRow
}

/**
 * Per-class precision, recall, F1 and support plus their macro and weighted averages and the
 * accuracy, as data (sklearn's `classification_report(output_dict=True)`).
 *
 * ## Method
 * {@link precisionRecallFscoreSupport} per class, {@link precisionRecallFscore} for each average;
 * the support of an average row is the total support.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.classification_report`.
 */
export function classificationReport(
  yTrue: LabelsInput,
  yPred: LabelsInput,
  options: Omit<PrecisionRecallOptions, 'average' | 'posLabel'> = {},
): ClassificationReport {
  const per = precisionRecallFscoreSupport(yTrue, yPred, options)
  const present = encodeLabels([
    { input: yTrue, path: 'yTrue' },
    { input: yPred, path: 'yPred' },
  ]).classes
  // sklearn reports accuracy only when the labels are exactly the labels present.
  const microIsAccuracy =
    options.labels === undefined ||
    (present.every((c) => findLabel(per.labels, c) >= 0) &&
      per.labels.every((c) => findLabel(present, c) >= 0))
  let total = 0
  for (const s of per.support) total += s
  const row = (average: Average): ReportRow => {
    const r = precisionRecallFscore(yTrue, yPred, { ...options, average })
    return { precision: r.precision, recall: r.recall, f1: r.fScore, support: total }
  }
  const micro = row('micro')
  return {
    classes: per.labels.map((label, j) => ({
      label,
      precision: per.precision[j]!,
      recall: per.recall[j]!,
      f1: per.fScore[j]!,
      support: per.support[j]!,
    })),
    ...(microIsAccuracy ? { accuracy: micro.precision } : { microAvg: micro }),
    macroAvg: row('macro'),
    weightedAvg: row('weighted'),
  }
}
