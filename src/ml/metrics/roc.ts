/**
 * ROC curve and ROC AUC: binary, partial (McClish), multiclass one-vs-rest (macro, weighted,
 * micro) and one-vs-one (Hand & Till), from one radix sort per curve.
 */
import { ValidationError } from '../../core/index.js'
import type { ClassLabel } from '../base/index.js'

import type { SampleWeightOptions } from './classification.js'
import { binaryCurve, trapezoid, type BinaryCurve } from './curve.js'
import { checkLengths, isProbaInput, readProba, readWeights, type ReadProba } from './inputs.js'
import { encodeLabels, resolvePosLabel, type LabelsInput } from './labels.js'
import { column, readBinary, type CurveOptions, type ScoresInput } from './ranking-input.js'

/** Options of {@link rocAucScore}. */
export interface RocAucOptions extends SampleWeightOptions {
  /** Multiclass average over the per-class scores. @default 'macro' */
  readonly average?: 'macro' | 'weighted' | 'micro' | undefined
  /**
   * Multiclass strategy: one-vs-rest or one-vs-one (Hand & Till; no sample weights). sklearn's
   * default `'raise'` is not offered: a probability matrix with more than two classes means
   * multiclass.
   * @default 'ovr'
   */
  readonly multiClass?: 'ovr' | 'ovo' | undefined
  /** The classes of a matrix's columns, in order. @default the sorted labels of yTrue */
  readonly labels?: readonly ClassLabel[] | undefined
  /** Binary only: the standardized partial AUC up to this false positive rate (McClish). */
  readonly maxFpr?: number | undefined
}

function onlyOneClass(): never {
  throw new ValidationError(
    'only one class present in yTrue: ROC AUC is not defined in that case',
    [{ path: ['yTrue'], code: 'single_class', message: 'yTrue needs both classes for ROC AUC' }],
  )
}

/** A ROC curve. */
export interface RocCurve {
  /** False positive rates, increasing from 0. */
  readonly fpr: Float64Array
  /** True positive rates, increasing from 0. */
  readonly tpr: Float64Array
  /** Decreasing thresholds: a sample is predicted positive when its score is ≥ the threshold. */
  readonly thresholds: Float64Array
}

function rocFromCurve(c: BinaryCurve, dropIntermediate: boolean): RocCurve {
  let { fps, tps, thresholds } = c
  const d = fps.length
  if (dropIntermediate && d > 2) {
    // Keep the ends and every point where the curve bends (a non-zero second difference).
    const keep = new Int32Array(d)
    let m = 0
    keep[m++] = 0
    for (let i = 1; i < d - 1; i++) {
      const f2 = fps[i + 1]! - fps[i]! - (fps[i]! - fps[i - 1]!)
      const t2 = tps[i + 1]! - tps[i]! - (tps[i]! - tps[i - 1]!)
      if (f2 !== 0 || t2 !== 0) keep[m++] = i
    }
    keep[m++] = d - 1
    const pick = (a: Float64Array): Float64Array => {
      const out = new Float64Array(m)
      for (let j = 0; j < m; j++) out[j] = a[keep[j]!]!
      return out
    }
    fps = pick(c.fps)
    tps = pick(c.tps)
    thresholds = pick(c.thresholds)
  }
  const m = fps.length
  const fpr = new Float64Array(m + 1)
  const tpr = new Float64Array(m + 1)
  const th = new Float64Array(m + 1)
  const fLast = m > 0 ? fps[m - 1]! : 0
  const tLast = m > 0 ? tps[m - 1]! : 0
  // sklearn 1.2 puts thresholds[0] + 1 in front (1.3 changed it to +Infinity).
  th[0] = m > 0 ? thresholds[0]! + 1 : 1
  for (let i = 0; i < m; i++) {
    fpr[i + 1] = fLast <= 0 ? NaN : fps[i]! / fLast
    tpr[i + 1] = tLast <= 0 ? NaN : tps[i]! / tLast
    th[i + 1] = thresholds[i]!
  }
  if (fLast <= 0) fpr[0] = NaN
  if (tLast <= 0) tpr[0] = NaN
  return { fpr, tpr, thresholds: th }
}

/**
 * The ROC curve of a binary problem: false and true positive rates at each distinct threshold.
 *
 * ## Method
 * {@link binaryCurve} (one sort), then, with `dropIntermediate`, only the points where the curve
 * bends; a point (0, 0) with threshold `max + 1` is put first, as in sklearn 1.2.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.roc_curve`; Fawcett, "An introduction to ROC analysis",
 * Pattern Recognition Letters 27 (2006).
 *
 * @throws ValidationError for empty input, a length mismatch, non-finite scores, or labels other
 * than {0, 1}/{−1, 1} without `posLabel`.
 * @example
 * ```ts
 * rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).tpr // Float64Array [0, 0.5, 0.5, 1, 1]
 * ```
 */
export function rocCurve(
  yTrue: LabelsInput,
  yScore: ScoresInput,
  options: CurveOptions & { readonly dropIntermediate?: boolean | undefined } = {},
): RocCurve {
  const b = readBinary(yTrue, yScore, options.sampleWeight, (c) =>
    resolvePosLabel(c, options.posLabel),
  )
  return rocFromCurve(binaryCurve(b.positive, b.score, b.weight), options.dropIntermediate ?? true)
}

/**
 * The trapezoidal area under the ROC curve of `c`, without building the curve: the same sum as
 * sklearn's `auc(fpr, tpr)` (collinear points it drops add their exact share either way).
 */
function curveArea(c: BinaryCurve): number {
  const d = c.fps.length
  const fLast = c.fps[d - 1]!
  const tLast = c.tps[d - 1]!
  if (!(fLast > 0) || !(tLast > 0)) return NaN
  let area = 0
  let x0 = 0
  let y0 = 0
  for (let i = 0; i < d; i++) {
    const x = c.fps[i]! / fLast
    const y = c.tps[i]! / tLast
    area += ((x - x0) * (y + y0)) / 2
    x0 = x
    y0 = y
  }
  return area
}

function binaryAuc(
  positive: Uint8Array,
  score: Float64Array,
  weight: Float64Array | undefined,
  maxFpr: number | undefined,
): number {
  let nPos = 0
  for (let i = 0; i < positive.length; i++) nPos += positive[i]!
  if (nPos === 0 || nPos === positive.length) onlyOneClass()
  const curve = binaryCurve(positive, score, weight)
  if (maxFpr === undefined || maxFpr === 1) return curveArea(curve)
  const { fpr, tpr } = rocFromCurve(curve, true)
  if (!(maxFpr > 0 && maxFpr <= 1)) {
    throw new ValidationError('maxFpr must be in (0, 1]', [
      { path: ['maxFpr'], code: 'invalid_value', message: `got ${maxFpr}` },
    ])
  }
  // Cut the curve at maxFpr, adding one interpolated point (sklearn's searchsorted 'right').
  let stop = 0
  while (stop < fpr.length && fpr[stop]! <= maxFpr) stop++
  const x0 = fpr[stop - 1]!
  const x1 = fpr[stop]!
  const y0 = tpr[stop - 1]!
  const y1 = tpr[stop]!
  const xs = new Float64Array(stop + 1)
  const ys = new Float64Array(stop + 1)
  xs.set(fpr.subarray(0, stop))
  ys.set(tpr.subarray(0, stop))
  xs[stop] = maxFpr
  ys[stop] = ((y1 - y0) / (x1 - x0)) * (maxFpr - x0) + y0
  const partial = trapezoid(xs, ys)
  const minArea = 0.5 * maxFpr ** 2
  const maxArea = maxFpr
  return 0.5 * (1 + (partial - minArea) / (maxArea - minArea))
}

/**
 * Area under the ROC curve.
 *
 * Binary: `yScore` is one score per sample (the greater label is positive) or a probability
 * Frame/matrix with two columns. Multiclass: a probability Frame (as `predictProba` returns) or
 * matrix whose rows sum to 1, averaged one-vs-rest (`macro`, `weighted` by prevalence, or `micro`)
 * or one-vs-one (Hand & Till).
 *
 * ## Method
 * Trapezoidal area under {@link rocCurve} (one sort per class); ties in scores count half, as
 * the trapezoid between tied points does.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.roc_auc_score`; Hand & Till, "A simple generalisation of the
 * area under the ROC curve for multiple class classification problems", Machine Learning 45
 * (2001); McClish, "Analyzing a portion of the ROC curve", Med. Decis. Making 9 (1989).
 *
 * @throws ValidationError for a single class in yTrue (AUC is undefined), empty input, a length
 * mismatch, non-finite scores, rows of a multiclass matrix not summing to 1, or labels of yTrue
 * missing from the probability columns.
 * @example
 * ```ts
 * rocAucScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) // 0.75
 * ```
 */
export function rocAucScore(
  yTrue: LabelsInput,
  yScore: ScoresInput,
  options: RocAucOptions = {},
): number {
  if (isProbaInput(yScore)) {
    const y = encodeLabels([{ input: yTrue, path: 'yTrue' }])
    const proba = readProba(yScore, 'yScore', y.classes, options.labels)
    checkLengths([
      { path: 'yTrue', n: yTrue.length },
      { path: 'yScore', n: proba.nRows },
    ])
    if (proba.nCols > 2 || y.classes.length > 2) return multiclassAuc(yTrue, proba, options)
  }
  const b = readBinary(yTrue, yScore, options.sampleWeight, (c) => {
    if (c.length > 2) {
      throw new ValidationError('multiclass ROC AUC needs a probability matrix', [
        {
          path: ['yScore'],
          code: 'multiclass',
          message: `yTrue has ${c.length} classes: pass one probability column per class`,
        },
      ])
    }
    if (c.length < 2) onlyOneClass()
    return 1
  })
  return binaryAuc(b.positive, b.score, b.weight, options.maxFpr)
}

function multiclassAuc(yTrue: LabelsInput, proba: ReadProba, options: RocAucOptions): number {
  if (options.maxFpr !== undefined && options.maxFpr !== 1) {
    throw new ValidationError('partial AUC is not available for multiclass', [
      { path: ['maxFpr'], code: 'multiclass', message: 'maxFpr must be unset for multiclass' },
    ])
  }
  const { data, nRows: n, nCols: k, labels } = proba
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < k; j++) s += data[i * k + j]!
    // numpy.allclose(1, s): |1 − s| ≤ 1e-8 + 1e-5·|s|
    if (!(Math.abs(1 - s) <= 1e-8 + 1e-5 * Math.abs(s))) {
      throw new ValidationError(
        'multiclass ROC AUC needs probabilities: each row of yScore must sum to 1',
        [{ path: ['yScore'], code: 'not_probabilities', message: `row ${i} sums to ${s}` }],
      )
    }
  }
  const codes = encodeLabels([{ input: yTrue, path: 'yTrue' }], labels).codes[0]!
  const missing = codes.indexOf(-1)
  if (missing >= 0) {
    throw new ValidationError('yTrue contains labels that have no probability column', [
      {
        path: ['yTrue'],
        code: 'unknown_label',
        message: `row ${missing} has a label not among ${labels.map(String).join(', ')}`,
      },
    ])
  }
  const w = readWeights(options.sampleWeight, n)
  const average = options.average ?? 'macro'
  if ((options.multiClass ?? 'ovr') === 'ovo') {
    if (w !== undefined) {
      throw new ValidationError('sample weights are not supported for one-vs-one ROC AUC', [
        { path: ['sampleWeight'], code: 'unsupported', message: 'use multiClass: ovr' },
      ])
    }
    if (average === 'micro') {
      throw new ValidationError("one-vs-one ROC AUC averages 'macro' or 'weighted'", [
        { path: ['average'], code: 'invalid_value', message: 'micro is one-vs-rest only' },
      ])
    }
    return ovoAuc(codes, proba, average === 'weighted')
  }
  if (average === 'micro') {
    const positive = new Uint8Array(n * k)
    const wRep = w === undefined ? undefined : new Float64Array(n * k)
    for (let i = 0; i < n; i++) {
      positive[i * k + codes[i]!] = 1
      if (wRep !== undefined) wRep.fill(w![i]!, i * k, i * k + k)
    }
    return binaryAuc(positive, data, wRep, undefined)
  }
  const scores = new Float64Array(k)
  const classWeight = new Float64Array(k)
  const positive = new Uint8Array(n)
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      const isPos = codes[i] === c
      positive[i] = isPos ? 1 : 0
      if (isPos) classWeight[c]! += w === undefined ? 1 : w[i]!
    }
    scores[c] = binaryAuc(positive, column(proba, c), w, undefined)
  }
  if (average === 'macro') return scores.reduce((a, b) => a + b, 0) / k
  let sw = 0
  for (let c = 0; c < k; c++) sw += classWeight[c]!
  if (Math.abs(sw) <= 1e-8) return 0
  let s = 0
  for (let c = 0; c < k; c++) s += (classWeight[c] === 0 ? 0 : scores[c]!) * classWeight[c]!
  return s / sw
}

function ovoAuc(codes: Int32Array, proba: ReadProba, weighted: boolean): number {
  const n = codes.length
  const k = proba.nCols
  const present: number[] = []
  const seen = new Uint8Array(k)
  for (let i = 0; i < n; i++) seen[codes[i]!] = 1
  for (let c = 0; c < k; c++) if (seen[c] === 1) present.push(c)
  let s = 0
  let sw = 0
  for (let ia = 0; ia < present.length; ia++) {
    for (let ib = ia + 1; ib < present.length; ib++) {
      const a = present[ia]!
      const b = present[ib]!
      let m = 0
      for (let i = 0; i < n; i++) if (codes[i] === a || codes[i] === b) m++
      const isA = new Uint8Array(m)
      const isB = new Uint8Array(m)
      const sa = new Float64Array(m)
      const sb = new Float64Array(m)
      for (let i = 0, j = 0; i < n; i++) {
        const c = codes[i]!
        if (c !== a && c !== b) continue
        isA[j] = c === a ? 1 : 0
        isB[j] = c === b ? 1 : 0
        sa[j] = proba.data[i * k + a]!
        sb[j] = proba.data[i * k + b]!
        j++
      }
      const pair =
        (binaryAuc(isA, sa, undefined, undefined) + binaryAuc(isB, sb, undefined, undefined)) / 2
      const prevalence = weighted ? m / n : 1
      s += pair * prevalence
      sw += prevalence
    }
  }
  return s / sw
}
