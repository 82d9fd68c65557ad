/**
 * Metrics on predicted probabilities: log loss, the Brier score and the calibration curve.
 */
import { ValidationError } from '../../core/index.js'
import { quantileSorted, type ClassLabel } from '../base/index.js'

import type { SampleWeightOptions } from './classification.js'
import {
  checkLengths,
  isProbaInput,
  readNumbers,
  readProba,
  readWeights,
  type NumbersInput,
} from './inputs.js'
import { encodeLabels, findLabel, resolvePosLabel, type LabelsInput } from './labels.js'
import type { ScoresInput } from './ranking-input.js'

/** float64 machine epsilon, sklearn 1.2's `eps='auto'` for float64 probabilities. */
const F64_EPS = 2.220446049250313e-16

/** Options of {@link logLoss}. */
export interface LogLossOptions extends SampleWeightOptions {
  /** Probabilities are clipped to [eps, 1 − eps]. @default float64 machine epsilon */
  readonly eps?: number | undefined
  /** Mean loss (true) or summed loss (false). @default true */
  readonly normalize?: boolean | undefined
  /**
   * The classes (for a matrix: of its columns, in order; for 1-D probabilities: the two classes).
   * A probability Frame names its classes itself. @default the sorted labels of yTrue
   */
  readonly labels?: readonly ClassLabel[] | undefined
}

/**
 * Log loss (cross-entropy) of predicted class probabilities.
 *
 * `yProba` is a probability Frame (as `predictProba` returns; its columns are the classes, so a
 * class absent from yTrue is fine), a matrix, or, for two classes, the probability of the greater
 * class per sample.
 *
 * ## Method
 * Clip each probability to [ε, 1 − ε], renormalize each row to sum 1, then
 * −Σᵢ wᵢ·log p(i, yᵢ) / Σᵢ wᵢ.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.log_loss`; Bishop, *Pattern Recognition and Machine
 * Learning* (2006), §4.3.4.
 *
 * @throws ValidationError for fewer than two classes, a label of yTrue without a probability
 * column, empty input, a length mismatch, or non-finite probabilities.
 * @example
 * ```ts
 * logLoss(['spam', 'ham', 'ham', 'spam'], [0.9, 0.1, 0.2, 0.65]) // 0.21616187468057912
 * ```
 */
export function logLoss(
  yTrue: LabelsInput,
  yProba: ScoresInput,
  options: LogLossOptions = {},
): number {
  const eps = options.eps ?? F64_EPS
  const y = encodeLabels([{ input: yTrue, path: 'yTrue' }])
  let k: number
  let data: Float64Array
  let labels: readonly ClassLabel[]
  if (isProbaInput(yProba)) {
    const proba = readProba(yProba, 'yProba', y.classes, options.labels)
    k = proba.nCols
    data = proba.data
    labels = proba.labels
  } else {
    const p = readNumbers(yProba, 'yProba')
    labels = options.labels ?? y.classes
    if (labels.length !== 2) {
      throw new ValidationError(
        labels.length < 2
          ? 'yTrue contains only one label: pass the classes through labels'
          : '1-D probabilities need exactly two classes',
        [{ path: ['labels'], code: 'bad_classes', message: `${labels.length} classes` }],
      )
    }
    k = 2
    data = new Float64Array(2 * p.length)
    for (let i = 0; i < p.length; i++) {
      const c = Math.min(Math.max(p[i]!, eps), 1 - eps)
      data[2 * i] = 1 - c
      data[2 * i + 1] = c
    }
  }
  const n = checkLengths([
    { path: 'yTrue', n: yTrue.length },
    { path: 'yProba', n: data.length / k },
  ])
  if (labels.length < 2) {
    throw new ValidationError('log loss needs at least two classes', [
      { path: ['labels'], code: 'bad_classes', message: `only ${String(labels[0])}` },
    ])
  }
  const w = readWeights(options.sampleWeight, n)
  const codes = encodeLabels([{ input: yTrue, path: 'yTrue' }], labels).codes[0]!
  const missing = codes.indexOf(-1)
  if (missing >= 0) {
    throw new ValidationError('yTrue contains labels that have no probability column', [
      { path: ['yTrue'], code: 'unknown_label', message: `row ${missing}` },
    ])
  }
  let loss = 0
  let sw = 0
  for (let i = 0; i < n; i++) {
    let rowSum = 0
    let own = 0
    for (let j = 0; j < k; j++) {
      const v = data[i * k + j]!
      const c = v < eps ? eps : v > 1 - eps ? 1 - eps : v
      rowSum += c
      if (j === codes[i]) own = c
    }
    const wi = w === undefined ? 1 : w[i]!
    loss -= wi * Math.log(own / rowSum)
    sw += wi
  }
  return options.normalize === false ? loss : loss / sw
}

function positiveProbability(
  yTrue: LabelsInput,
  yProb: ScoresInput,
  posLabel: ClassLabel | undefined,
  what: string,
): { readonly positive: Uint8Array; readonly prob: Float64Array } {
  const y = encodeLabels([{ input: yTrue, path: 'yTrue' }])
  if (y.classes.length > 2) {
    throw new ValidationError(`${what} supports binary targets only`, [
      { path: ['yTrue'], code: 'multiclass', message: `yTrue has ${y.classes.length} labels` },
    ])
  }
  const pos = resolvePosLabel(y.classes, posLabel)
  let prob: Float64Array
  if (isProbaInput(yProb)) {
    const proba = readProba(yProb, 'yProb', y.classes)
    const label = posLabel ?? (pos >= 0 ? y.classes[pos]! : 1)
    const j = findLabel(proba.labels, label)
    if (j < 0) {
      throw new ValidationError('the probabilities have no column for the positive class', [
        { path: ['yProb'], code: 'missing_class', message: `no column ${String(label)}` },
      ])
    }
    prob = new Float64Array(proba.nRows)
    for (let i = 0; i < proba.nRows; i++) prob[i] = proba.data[i * proba.nCols + j]!
  } else {
    prob = readNumbers(yProb, 'yProb')
  }
  checkLengths([
    { path: 'yTrue', n: yTrue.length },
    { path: 'yProb', n: prob.length },
  ])
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i]!
    if (p < 0 || p > 1) {
      throw new ValidationError('yProb has values outside [0, 1]', [
        { path: ['yProb'], code: 'out_of_range', message: `row ${i} is ${p}` },
      ])
    }
  }
  const codes = y.codes[0]!
  const positive = new Uint8Array(codes.length)
  for (let i = 0; i < codes.length; i++) positive[i] = codes[i] === pos ? 1 : 0
  return { positive, prob }
}

/**
 * The Brier score: the (weighted) mean squared difference between the predicted probability of
 * the positive class and the outcome (1 positive, 0 negative). Lower is better.
 *
 * ## Method
 * Σᵢ wᵢ(oᵢ − pᵢ)² / Σᵢ wᵢ.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.brier_score_loss`; Brier, "Verification of forecasts
 * expressed in terms of probability", Monthly Weather Review 78 (1950).
 *
 * @throws ValidationError for more than two labels, labels other than {0, 1}/{−1, 1} without
 * `posLabel`, probabilities outside [0, 1], empty input or a length mismatch.
 * @example
 * ```ts
 * brierScoreLoss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]) // 0.03749999999999999
 * ```
 */
export function brierScoreLoss(
  yTrue: LabelsInput,
  yProb: ScoresInput,
  options: SampleWeightOptions & { readonly posLabel?: ClassLabel | undefined } = {},
): number {
  const { positive, prob } = positiveProbability(yTrue, yProb, options.posLabel, 'Brier score')
  const w = readWeights(options.sampleWeight, prob.length)
  let s = 0
  let sw = 0
  for (let i = 0; i < prob.length; i++) {
    const d = positive[i]! - prob[i]!
    const wi = w === undefined ? 1 : w[i]!
    s += wi * d * d
    sw += wi
  }
  return s / sw
}

/** Options of {@link calibrationCurve}. */
export interface CalibrationOptions {
  /** The positive class; needed unless the labels are {0, 1} or {−1, 1}. */
  readonly posLabel?: ClassLabel | undefined
  /** @default 5 */
  readonly nBins?: number | undefined
  /** Equal-width bins on [0, 1] or bins holding equal numbers of samples. @default 'uniform' */
  readonly strategy?: 'uniform' | 'quantile' | undefined
}

/** A reliability diagram: one point per non-empty bin. */
export interface CalibrationCurve {
  /** The fraction of positives in each bin. */
  readonly probTrue: Float64Array
  /** The mean predicted probability in each bin. */
  readonly probPred: Float64Array
}

/** numpy's `linspace(0, 1, num)`: `i · (1/(num−1))`, the last point exactly 1. */
function unitLinspace(num: number): Float64Array {
  const out = new Float64Array(num)
  const step = 1 / (num - 1)
  for (let i = 0; i < num; i++) out[i] = i * step
  out[num - 1] = 1
  return out
}

/**
 * The calibration (reliability) curve of binary probabilities: per bin of predicted probability,
 * the observed fraction of positives against the mean prediction.
 *
 * ## Method
 * Bin edges are `linspace(0, 1, nBins + 1)` (`uniform`) or the percentiles of the predictions at
 * those levels (`quantile`); a prediction falls in the first bin whose inner right edge is ≥ it
 * (numpy `searchsorted`); empty bins are dropped.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.calibration.calibration_curve`; Niculescu-Mizil & Caruana,
 * "Predicting good probabilities with supervised learning", ICML 2005.
 *
 * @throws ValidationError for more than two labels, probabilities outside [0, 1], an `nBins`
 * that is not a positive integer, empty input or a length mismatch.
 * @example
 * ```ts
 * calibrationCurve([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], { nBins: 2 }).probTrue // Float64Array [0, 1]
 * ```
 */
export function calibrationCurve(
  yTrue: LabelsInput,
  yProb: NumbersInput,
  options: CalibrationOptions = {},
): CalibrationCurve {
  const nBins = options.nBins ?? 5
  if (!Number.isInteger(nBins) || nBins < 1) {
    throw new ValidationError('nBins must be a positive integer', [
      { path: ['nBins'], code: 'invalid_value', message: `got ${nBins}` },
    ])
  }
  const { positive, prob } = positiveProbability(
    yTrue,
    yProb,
    options.posLabel,
    'the calibration curve',
  )
  const levels = unitLinspace(nBins + 1)
  let edges: Float64Array
  if ((options.strategy ?? 'uniform') === 'quantile') {
    const sorted = Float64Array.from(prob).sort()
    // sklearn calls np.percentile(prob, levels * 100), which divides by 100 again.
    edges = levels.map((q) => quantileSorted(sorted, (q * 100) / 100))
  } else {
    edges = levels
  }
  const inner = edges.subarray(1, nBins)
  const sums = new Float64Array(nBins + 1)
  const trues = new Float64Array(nBins + 1)
  const totals = new Float64Array(nBins + 1)
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i]!
    // searchsorted(inner, p, 'left'): the number of inner edges < p.
    let lo = 0
    let hi = inner.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (inner[mid]! < p) lo = mid + 1
      else hi = mid
    }
    sums[lo]! += p
    trues[lo]! += positive[i]!
    totals[lo]! += 1
  }
  const probTrue: number[] = []
  const probPred: number[] = []
  for (let b = 0; b < totals.length; b++) {
    if (totals[b] === 0) continue
    probTrue.push(trues[b]! / totals[b]!)
    probPred.push(sums[b]! / totals[b]!)
  }
  return { probTrue: Float64Array.from(probTrue), probPred: Float64Array.from(probPred) }
}
