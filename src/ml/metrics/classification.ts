/**
 * Classification metrics on predicted labels: accuracy, the confusion matrix, balanced accuracy
 * and Matthews correlation, with sklearn 1.2's semantics (labels matched by value).
 */
import { ValidationError } from '../../core/index.js'
import type { ClassLabel } from '../base/index.js'

import { checkLengths, readWeights, type NumbersInput } from './inputs.js'
import { encodeLabels, type EncodedLabels, type LabelsInput } from './labels.js'

/** Options every label metric takes. */
export interface SampleWeightOptions {
  /** One finite weight per sample. @default all ones */
  readonly sampleWeight?: NumbersInput | undefined
}

/** The labels of `yTrue` and `yPred` encoded together, after length and weight checks. */
export interface LabelPair {
  readonly enc: EncodedLabels
  readonly t: Int32Array
  readonly p: Int32Array
  readonly w: Float64Array | undefined
  readonly n: number
}

/** @internal */
export function readPair(
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

/** @internal */
export function countMatrix(t: Int32Array, p: Int32Array, k: number, w: Float64Array | undefined) {
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
