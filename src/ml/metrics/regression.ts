/**
 * Regression metrics: squared, absolute and percentage errors, R², explained variance, median
 * absolute error and max error (sklearn 1.2, single output).
 */
import { ValidationError } from '../../core/index.js'

import type { SampleWeightOptions } from './classification.js'
import { checkLengths, readNumbers, readWeights, type NumbersInput } from './inputs.js'

interface Pair {
  readonly t: Float64Array
  readonly p: Float64Array
  readonly w: Float64Array | undefined
  readonly n: number
}

function readPair(yTrue: NumbersInput, yPred: NumbersInput, sampleWeight?: NumbersInput): Pair {
  const t = readNumbers(yTrue, 'yTrue')
  const p = readNumbers(yPred, 'yPred')
  const n = checkLengths([
    { path: 'yTrue', n: t.length },
    { path: 'yPred', n: p.length },
  ])
  return { t, p, w: readWeights(sampleWeight, n), n }
}

/** Σ wᵢ·f(i) / Σ wᵢ, with Neumaier-compensated sums. */
function average(n: number, w: Float64Array | undefined, f: (i: number) => number): number {
  let s = 0
  let cs = 0
  let sw = 0
  let csw = 0
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : w[i]!
    const x = wi * f(i)
    const ts = s + x
    cs += Math.abs(s) >= Math.abs(x) ? s - ts + x : x - ts + s
    s = ts
    const tw = sw + wi
    csw += Math.abs(sw) >= Math.abs(wi) ? sw - tw + wi : wi - tw + sw
    sw = tw
  }
  const den = sw + csw
  if (den === 0) {
    throw new ValidationError('the sample weights sum to zero', [
      { path: ['sampleWeight'], code: 'zero_sum', message: 'weights sum to zero' },
    ])
  }
  return (s + cs) / den
}

/** Σ f(i), Neumaier-compensated. */
function sum(n: number, f: (i: number) => number): number {
  let s = 0
  let c = 0
  for (let i = 0; i < n; i++) {
    const x = f(i)
    const t = s + x
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s
    s = t
  }
  return s + c
}

/**
 * Mean squared error Σ wᵢ(yᵢ − ŷᵢ)² / Σ wᵢ.
 *
 * ## Method
 * One compensated pass.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.mean_squared_error`.
 *
 * @throws ValidationError for empty input, a length mismatch, or NaN/±Infinity.
 * @example
 * ```ts
 * meanSquaredError([3, -0.5, 2, 7], [2.5, 0, 2, 8]) // 0.375
 * ```
 */
export function meanSquaredError(
  yTrue: NumbersInput,
  yPred: NumbersInput,
  options: SampleWeightOptions = {},
): number {
  const { t, p, w, n } = readPair(yTrue, yPred, options.sampleWeight)
  return average(n, w, (i) => (t[i]! - p[i]!) ** 2)
}

/**
 * Root mean squared error √MSE (sklearn's `mean_squared_error(squared=False)`).
 *
 * ## Method
 * The square root of {@link meanSquaredError}.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.mean_squared_error`.
 *
 * @example
 * ```ts
 * rootMeanSquaredError([3, -0.5, 2, 7], [2.5, 0, 2, 8]) // 0.6123724356957945
 * ```
 */
export function rootMeanSquaredError(
  yTrue: NumbersInput,
  yPred: NumbersInput,
  options: SampleWeightOptions = {},
): number {
  return Math.sqrt(meanSquaredError(yTrue, yPred, options))
}

/**
 * Mean absolute error Σ wᵢ|yᵢ − ŷᵢ| / Σ wᵢ.
 *
 * ## Method
 * One compensated pass.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.mean_absolute_error`.
 *
 * @example
 * ```ts
 * meanAbsoluteError([3, -0.5, 2, 7], [2.5, 0, 2, 8]) // 0.5
 * ```
 */
export function meanAbsoluteError(
  yTrue: NumbersInput,
  yPred: NumbersInput,
  options: SampleWeightOptions = {},
): number {
  const { t, p, w, n } = readPair(yTrue, yPred, options.sampleWeight)
  return average(n, w, (i) => Math.abs(t[i]! - p[i]!))
}

const F64_EPS = 2.220446049250313e-16

/**
 * Mean absolute percentage error Σ wᵢ|yᵢ − ŷᵢ|/max(|yᵢ|, ε) / Σ wᵢ, as a fraction (not ×100).
 *
 * ## Method
 * ε is float64 machine epsilon, so a zero target gives a huge but finite error (sklearn).
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.mean_absolute_percentage_error`; de Myttenaere et al., "Mean
 * absolute percentage error for regression models", Neurocomputing 192 (2016).
 *
 * @example
 * ```ts
 * meanAbsolutePercentageError([3, -0.5, 2, 7], [2.5, 0, 2, 8]) // 0.3273809523809524
 * ```
 */
export function meanAbsolutePercentageError(
  yTrue: NumbersInput,
  yPred: NumbersInput,
  options: SampleWeightOptions = {},
): number {
  const { t, p, w, n } = readPair(yTrue, yPred, options.sampleWeight)
  return average(n, w, (i) => Math.abs(p[i]! - t[i]!) / Math.max(Math.abs(t[i]!), F64_EPS))
}

/** R² and explained variance share sklearn's handling of zero numerators and denominators. */
function assemble(numerator: number, denominator: number): number {
  if (numerator === 0) return 1
  if (denominator === 0) return 0
  return 1 - numerator / denominator
}

/**
 * The coefficient of determination R² = 1 − SS_res/SS_tot (1 is perfect; can be negative).
 *
 * ## Method
 * SS_res = Σ wᵢ(yᵢ − ŷᵢ)², SS_tot = Σ wᵢ(yᵢ − ȳ_w)²; a perfect fit scores 1 and a constant yTrue
 * with errors scores 0 (sklearn's `force_finite=True`). NaN for fewer than two samples.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.r2_score`.
 *
 * @example
 * ```ts
 * r2Score([3, -0.5, 2, 7], [2.5, 0, 2, 8]) // 0.9486081370449679
 * ```
 */
export function r2Score(
  yTrue: NumbersInput,
  yPred: NumbersInput,
  options: SampleWeightOptions = {},
): number {
  const { t, p, w, n } = readPair(yTrue, yPred, options.sampleWeight)
  if (n < 2) return NaN
  const mean = average(n, w, (i) => t[i]!)
  const wt = (i: number): number => (w === undefined ? 1 : w[i]!)
  const num = sum(n, (i) => wt(i) * (t[i]! - p[i]!) ** 2)
  const den = sum(n, (i) => wt(i) * (t[i]! - mean) ** 2)
  return assemble(num, den)
}

/**
 * Explained variance 1 − Var_w(y − ŷ)/Var_w(y): R² without penalizing a constant bias.
 *
 * ## Method
 * Weighted means and variances in compensated passes, combined like {@link r2Score}.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.explained_variance_score`.
 *
 * @example
 * ```ts
 * explainedVarianceScore([3, -0.5, 2, 7], [2.5, 0, 2, 8]) // 0.9571734475374732
 * ```
 */
export function explainedVarianceScore(
  yTrue: NumbersInput,
  yPred: NumbersInput,
  options: SampleWeightOptions = {},
): number {
  const { t, p, w, n } = readPair(yTrue, yPred, options.sampleWeight)
  const diffMean = average(n, w, (i) => t[i]! - p[i]!)
  const num = average(n, w, (i) => (t[i]! - p[i]! - diffMean) ** 2)
  const mean = average(n, w, (i) => t[i]!)
  const den = average(n, w, (i) => (t[i]! - mean) ** 2)
  return assemble(num, den)
}

/**
 * Median absolute error: the (weighted) median of |yᵢ − ŷᵢ|, robust to outliers.
 *
 * ## Method
 * Unweighted: numpy's median (mean of the two middle values for even n). Weighted: sklearn's
 * `_weighted_percentile` at 50 — sort, cumulate weights, take the first value whose cumulative
 * weight reaches half the total.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.median_absolute_error`.
 *
 * @example
 * ```ts
 * medianAbsoluteError([3, -0.5, 2, 7], [2.5, 0, 2, 8]) // 0.5
 * ```
 */
export function medianAbsoluteError(
  yTrue: NumbersInput,
  yPred: NumbersInput,
  options: SampleWeightOptions = {},
): number {
  const { t, p, w, n } = readPair(yTrue, yPred, options.sampleWeight)
  const err = new Float64Array(n)
  for (let i = 0; i < n; i++) err[i] = Math.abs(p[i]! - t[i]!)
  if (w === undefined) {
    err.sort()
    const h = n >> 1
    return n % 2 === 1 ? err[h]! : (err[h - 1]! + err[h]!) / 2
  }
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  order.sort((a, b) => err[a]! - err[b]!)
  let total = 0
  for (let i = 0; i < n; i++) total += w[order[i]!]!
  let target = 0.5 * total
  if (target === 0) target = Number.MIN_VALUE
  let cdf = 0
  for (let i = 0; i < n; i++) {
    cdf += w[order[i]!]!
    if (cdf >= target) return err[order[i]!]!
  }
  return err[order[n - 1]!]!
}

/**
 * The largest absolute error max |yᵢ − ŷᵢ|.
 *
 * ## Method
 * One pass.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.max_error`.
 *
 * @example
 * ```ts
 * maxError([3, 2, 7, 1], [9, 2, 7, 1]) // 6
 * ```
 */
export function maxError(yTrue: NumbersInput, yPred: NumbersInput): number {
  const { t, p, n } = readPair(yTrue, yPred)
  let m = 0
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(t[i]! - p[i]!))
  return m
}
