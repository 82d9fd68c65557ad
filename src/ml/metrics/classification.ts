/**
 * Classification metrics on predicted labels: accuracy, precision, recall, F-beta, balanced
 * accuracy, Matthews correlation, the confusion matrix and the classification report, with
 * sklearn 1.2's semantics (label handling, averages, `zero_division`).
 */
import { ValidationError } from '../../core/index.js'
import type { ClassLabel } from '../base/index.js'

import {
  checkLengths,
  encodeLabels,
  findLabel,
  readWeights,
  type EncodedLabels,
  type LabelsInput,
  type NumbersInput,
} from './inputs.js'

/** Options every label metric takes. */
export interface SampleWeightOptions {
  /** One finite weight per sample. @default all ones */
  readonly sampleWeight?: NumbersInput | undefined
}

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

/** The labels of `yTrue` and `yPred` encoded together, after length and weight checks. */
interface LabelPair {
  readonly enc: EncodedLabels
  readonly t: Int32Array
  readonly p: Int32Array
  readonly w: Float64Array | undefined
  readonly n: number
}

function readPair(
  yTrue: LabelsInput,
  yPred: LabelsInput,
  sampleWeight: NumbersInput | undefined,
  labels?: readonly ClassLabel[],
): LabelPair {
  const n = checkLengths([
    { path: 'yTrue', n: yTrue.length },
    { path: 'yPred', n: yPred.length },
  ])
  const w = readWeights(sampleWeight, n)
  const enc = encodeLabels(
    [
      { input: yTrue, path: 'yTrue' },
      { input: yPred, path: 'yPred' },
    ],
    labels,
  )
  return { enc, t: enc.codes[0]!, p: enc.codes[1]!, w, n }
}

function weightedMean(score: Float64Array, w: Float64Array | undefined): number {
  let s = 0
  let sw = 0
  for (let i = 0; i < score.length; i++) {
    const wi = w === undefined ? 1 : w[i]!
    s += score[i]! * wi
    sw += wi
  }
  if (sw === 0) {
    throw new ValidationError('the sample weights sum to zero', [
      { path: ['sampleWeight'], code: 'zero_sum', message: 'weights sum to zero' },
    ])
  }
  return s / sw
}

/**
 * Accuracy: the (weighted) fraction of samples whose predicted label equals the true label.
 *
 * With `normalize: false`, the (weighted) count of correct predictions instead.
 *
 * ## Method
 * Σ wᵢ·[yᵢ = ŷᵢ] / Σ wᵢ, labels compared by value.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.accuracy_score`.
 *
 * @throws ValidationError for empty input, a length mismatch, or missing labels.
 * @example
 * ```ts
 * accuracyScore(['a', 'b', 'b'], ['a', 'b', 'a']) // 0.6666666666666666
 * ```
 */
export function accuracyScore(
  yTrue: LabelsInput,
  yPred: LabelsInput,
  options: SampleWeightOptions & { readonly normalize?: boolean | undefined } = {},
): number {
  const { t, p, w, n } = readPair(yTrue, yPred, options.sampleWeight)
  const score = new Float64Array(n)
  for (let i = 0; i < n; i++) score[i] = t[i] === p[i] ? 1 : 0
  if (options.normalize === false) {
    let s = 0
    for (let i = 0; i < n; i++) s += score[i]! * (w === undefined ? 1 : w[i]!)
    return s
  }
  return weightedMean(score, w)
}

/** A confusion matrix with its labels. */
export interface ConfusionMatrix {
  /** The class of each row (true label) and column (predicted label). */
  readonly labels: readonly ClassLabel[]
  /** `values[i * labels.length + j]`: the (weighted) count of true `i` predicted `j`. */
  readonly values: Float64Array
}

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions extends SampleWeightOptions {
  /** Row and column order; samples with other labels are left out. @default the sorted labels */
  readonly labels?: readonly ClassLabel[] | undefined
  /** Divide by the row sums (`'true'`), column sums (`'pred'`) or the total (`'all'`); 0/0 → 0. */
  readonly normalize?: 'true' | 'pred' | 'all' | undefined
}

function countMatrix(t: Int32Array, p: Int32Array, k: number, w: Float64Array | undefined) {
  const cm = new Float64Array(k * k)
  for (let i = 0; i < t.length; i++) {
    const a = t[i]!
    const b = p[i]!
    if (a >= 0 && b >= 0) cm[a * k + b]! += w === undefined ? 1 : w[i]!
  }
  return cm
}

/**
 * The confusion matrix: rows are true labels, columns predicted labels.
 *
 * ## Method
 * Cᵢⱼ = Σ w over samples with true label i and predicted label j.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.confusion_matrix`.
 *
 * @throws ValidationError for empty input, a length mismatch, or `labels` none of which occur in
 * `yTrue`.
 * @example
 * ```ts
 * confusionMatrix([0, 1, 1], [0, 0, 1]).values // Float64Array [1, 0, 1, 1]
 * ```
 */
export function confusionMatrix(
  yTrue: LabelsInput,
  yPred: LabelsInput,
  options: ConfusionMatrixOptions = {},
): ConfusionMatrix {
  if (options.labels?.length === 0) {
    throw new ValidationError("'labels' should contain at least one label", [
      { path: ['labels'], code: 'empty', message: 'no labels given' },
    ])
  }
  const { enc, t, p, w } = readPair(yTrue, yPred, options.sampleWeight, options.labels)
  const k = enc.classes.length
  if (options.labels !== undefined && !t.some((c) => c >= 0)) {
    throw new ValidationError('at least one label specified must be in yTrue', [
      { path: ['labels'], code: 'not_present', message: 'none of the labels occurs in yTrue' },
    ])
  }
  const cm = countMatrix(t, p, k, w)
  const norm = options.normalize
  if (norm !== undefined) {
    const div = new Float64Array(k * k)
    let total = 0
    for (let i = 0; i < k * k; i++) total += cm[i]!
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let d = total
        if (norm === 'true') {
          d = 0
          for (let jj = 0; jj < k; jj++) d += cm[i * k + jj]!
        } else if (norm === 'pred') {
          d = 0
          for (let ii = 0; ii < k; ii++) d += cm[ii * k + j]!
        }
        const v = cm[i * k + j]! / d
        div[i * k + j] = Number.isFinite(v) ? v : 0
      }
    }
    return { labels: enc.classes, values: div }
  }
  return { labels: enc.classes, values: cm }
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

/**
 * Balanced accuracy: the mean per-class recall over the classes present in `yTrue`.
 *
 * ## Method
 * mean over classes c with support of Cc,c / Σⱼ Cc,j; with `adjusted`, rescaled by
 * (s − 1/k)/(1 − 1/k) so that chance scores 0.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.balanced_accuracy_score`; Brodersen et al., "The balanced
 * accuracy and its posterior distribution", ICPR 2010.
 *
 * @example
 * ```ts
 * balancedAccuracyScore([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1]) // 0.625
 * ```
 */
export function balancedAccuracyScore(
  yTrue: LabelsInput,
  yPred: LabelsInput,
  options: SampleWeightOptions & { readonly adjusted?: boolean | undefined } = {},
): number {
  const { enc, t, p, w } = readPair(yTrue, yPred, options.sampleWeight)
  const k = enc.classes.length
  const cm = countMatrix(t, p, k, w)
  let s = 0
  let m = 0
  for (let i = 0; i < k; i++) {
    let row = 0
    for (let j = 0; j < k; j++) row += cm[i * k + j]!
    const r = cm[i * k + i]! / row
    if (!Number.isNaN(r)) {
      s += r
      m++
    }
  }
  let score = s / m
  if (options.adjusted === true) {
    const chance = 1 / m
    score = (score - chance) / (1 - chance)
  }
  return score
}

/**
 * The Matthews correlation coefficient (the multiclass R_K statistic), in [−1, 1].
 *
 * ## Method
 * From the confusion matrix C with row sums t, column sums p, trace c and total s:
 * (c·s − t·p) / √((s² − p·p)(s² − t·t)); 0 when a denominator factor is 0.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.matthews_corrcoef`; Gorodkin, "Comparing two K-category
 * assignments by a K-category correlation coefficient", Comput. Biol. Chem. 28 (2004).
 *
 * @example
 * ```ts
 * matthewsCorrcoef([1, 1, 1, 0], [1, 0, 1, 1]) // -0.3333333333333333
 * ```
 */
export function matthewsCorrcoef(
  yTrue: LabelsInput,
  yPred: LabelsInput,
  options: SampleWeightOptions = {},
): number {
  const { enc, t, p, w } = readPair(yTrue, yPred, options.sampleWeight)
  const k = enc.classes.length
  const cm = countMatrix(t, p, k, w)
  const tSum = new Float64Array(k)
  const pSum = new Float64Array(k)
  let correct = 0
  for (let i = 0; i < k; i++) {
    correct += cm[i * k + i]!
    for (let j = 0; j < k; j++) {
      tSum[i]! += cm[i * k + j]!
      pSum[j]! += cm[i * k + j]!
    }
  }
  let nSamples = 0
  let tp = 0
  let pp = 0
  let tt = 0
  for (let i = 0; i < k; i++) {
    nSamples += pSum[i]!
    tp += tSum[i]! * pSum[i]!
    pp += pSum[i]! * pSum[i]!
    tt += tSum[i]! * tSum[i]!
  }
  const covYtYp = correct * nSamples - tp
  const covYpYp = nSamples * nSamples - pp
  const covYtYt = nSamples * nSamples - tt
  if (covYpYp * covYtYt === 0) return 0
  return covYtYp / Math.sqrt(covYtYt * covYpYp)
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
