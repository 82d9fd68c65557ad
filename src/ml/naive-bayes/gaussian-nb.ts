/**
 * Gaussian naive Bayes (scikit-learn's `GaussianNB`): per class, an independent normal
 * distribution for each feature; prediction by Bayes' rule in log space.
 */
import { z } from 'zod'

import { ValidationError, type ValidationIssue } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import {
  assertHasFeatures,
  assertMinClasses,
  assertMinRows,
  badState,
  captureFeatures,
  checkState,
  decodeClasses,
  decodeF64,
  encodeArray,
  encodeClasses,
  fitStep,
  parseParams,
  probabilityFrame,
  readEncoding,
  readFeatures,
  selectFeatures,
  type ClassEncoding,
  type ClassLabel,
  type Classifier,
  type Diagnostics,
  type Estimator,
  type FeatureSpec,
  type FitOptions,
  type ModelState,
} from '../base/index.js'

import { numericColumns } from './columns.js'

const KIND = 'naive-bayes.gaussian'

/** Parameters of {@link GaussianNB}. */
export const GaussianNBParamsSchema = z.strictObject({
  /**
   * Class prior probabilities in the order of the sorted classes (non-negative, summing to 1
   * within `1e-8 + 1e-5`, numpy's `isclose`). Default: the (weighted) class frequencies.
   */
  priors: z.array(z.number().min(0)).min(1).optional(),
  /**
   * Added to every variance, as a fraction of the largest feature variance of `X` (scikit-learn's
   * `epsilon_ = var_smoothing · max(var(X, axis=0))`), for numerical stability.
   * @default 1e-9
   */
  varSmoothing: z.number().min(0).default(1e-9),
})
/** Parameters of {@link GaussianNB}, as given. */
export type GaussianNBParams = z.input<typeof GaussianNBParamsSchema>
type Resolved = z.output<typeof GaussianNBParamsSchema>

/** Options of {@link GaussianNB.fit}. */
export interface GaussianNBFitOptions extends FitOptions {
  /**
   * One weight per row (finite, ≥ 0, not all 0): weighted means, variances and class counts,
   * like scikit-learn's `fit(X, y, sample_weight)`. The smoothing `epsilon` stays unweighted,
   * as there.
   */
  readonly sampleWeight?: Float64Array | readonly number[]
}

/**
 * Gaussian naive Bayes: `log P(c | x) ∝ log P(c) − ½ Σ_j [log(2π σ²_cj) + (x_j − θ_cj)² / σ²_cj]`.
 *
 * ## Method
 * Per class, the (weighted) mean `θ` and population variance `σ²` of each feature, each
 * variance plus `epsilon = varSmoothing · max_j var(X_j)`; predictions are the argmax of the
 * joint log-likelihood and probabilities its normalisation by log-sum-exp. Matches
 * scikit-learn 1.2's `GaussianNB` (`fit`, `predict`, `predict_proba`, `predict_log_proba`).
 *
 * One deviation: when every feature is constant (so `max var = 0`), scikit-learn divides by
 * zero and returns NaN; here `epsilon = 1` (unit variances) and the model predicts the priors
 * (with a warning in `diagnostics`).
 *
 * ## References
 * T. F. Chan, G. H. Golub and R. J. LeVeque, "Updating formulae and a pairwise algorithm for
 * computing sample variances", Stanford CS report STAN-CS-79-773, 1979 (scikit-learn's
 * `_update_mean_variance`).
 *
 * @example
 * ```ts
 * const model = new GaussianNB().fit(X, y)
 * model.predictProba(Xnew)
 * ```
 */
export class GaussianNB implements Estimator<GaussianNBParams, GaussianNBModel> {
  readonly kind = KIND
  constructor(readonly params: Readonly<GaussianNBParams> = {}) {}

  withParams(patch: Partial<GaussianNBParams>): GaussianNB {
    return new GaussianNB({ ...this.params, ...patch })
  }

  /**
   * Estimates the per-class means and variances (and priors unless given).
   *
   * @throws ValidationError for invalid parameters or sample weights, fewer than 2 classes,
   * priors that do not fit the classes, or missing, non-finite or non-numeric features.
   */
  fit(X: Frame, y?: Column, opts?: GaussianNBFitOptions): GaussianNBModel {
    const p = parseParams(KIND, GaussianNBParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    assertMinRows(X, 1, KIND)
    assertHasFeatures(X, KIND)
    const target = encodeClasses(X, y, KIND)
    assertMinClasses(target, 2, KIND)
    const nClasses = target.classes.length
    const priors = p.priors === undefined ? undefined : checkPriors(p.priors, nClasses)
    const sw =
      opts?.sampleWeight === undefined ? undefined : checkWeights(opts.sampleWeight, X.nRows)
    const cols = numericColumns(X, KIND)
    const n = X.nRows
    const d = cols.length
    const codes = target.codes

    const warnings: string[] = []
    let maxVar = 0
    for (let j = 0; j < d; j++) {
      const v = columnVariance(cols[j]!, n)
      if (v > maxVar) maxVar = v
    }
    let epsilon = p.varSmoothing * maxVar
    if (maxVar === 0) {
      // No feature has a scale to smooth against: unit variances keep the (identical per class)
      // likelihood terms small, so the posteriors are the priors to full precision.
      epsilon = 1
      warnings.push('every feature is constant: unit variances, predictions follow the priors')
    }

    const count = new Float64Array(nClasses)
    for (let i = 0; i < n; i++) count[codes[i]!]! += sw === undefined ? 1 : sw[i]!
    const theta = new Float64Array(nClasses * d)
    const variance = new Float64Array(nClasses * d)
    for (let j = 0; j < d; j++) {
      classMoments(cols[j]!, n, codes, sw, count, theta, variance, j, d)
    }
    for (let t = 0; t < variance.length; t++) variance[t]! += epsilon
    const zero = variance.findIndex((v) => !(v > 0))
    if (zero >= 0) {
      const feature = X.columns[zero % d]!.name
      throw new ValidationError(`${KIND}: a zero variance with varSmoothing 0`, [
        {
          path: ['params', 'varSmoothing'],
          code: 'zero_variance',
          message: `feature "${feature}" is constant within class ${String(target.classes[Math.floor(zero / d)])}; use varSmoothing > 0`,
        },
      ])
    }
    let total = 0
    for (let c = 0; c < nClasses; c++) total += count[c]!
    const prior = priors ?? count.map((v) => v / total)
    return new GaussianNBModel(
      p,
      captureFeatures(X),
      { classes: target.classes, dtype: target.dtype },
      { theta, variance, classPrior: prior, classCount: count, epsilon },
      Object.freeze(warnings),
    )
  }
}

/** Population variance of `x[0..n)` (numpy's `var`: the mean first, then the squares). */
function columnVariance(x: Float64Array, n: number): number {
  let s = 0
  for (let i = 0; i < n; i++) s += x[i]!
  const mean = s / n
  let ss = 0
  for (let i = 0; i < n; i++) {
    const t = x[i]! - mean
    ss += t * t
  }
  return ss / n
}

/**
 * Per-class (weighted) mean and population variance of column `j` (`x[0..n)`), into
 * `theta`/`variance` at `[c * d + j]`. A class whose weights sum to ~0 keeps zeros (sklearn).
 */
function classMoments(
  x: Float64Array,
  n: number,
  codes: Int32Array,
  sw: Float64Array | undefined,
  count: Float64Array,
  theta: Float64Array,
  variance: Float64Array,
  j: number,
  d: number,
): void {
  const nClasses = count.length
  const sums = new Float64Array(nClasses)
  if (sw === undefined) for (let i = 0; i < n; i++) sums[codes[i]!]! += x[i]!
  else for (let i = 0; i < n; i++) sums[codes[i]!]! += x[i]! * sw[i]!
  for (let c = 0; c < nClasses; c++) {
    if (isCloseToZero(count[c]!)) continue
    theta[c * d + j] = sums[c]! / count[c]!
  }
  sums.fill(0)
  for (let i = 0; i < n; i++) {
    const c = codes[i]!
    const t = x[i]! - theta[c * d + j]!
    sums[c]! += sw === undefined ? t * t : t * t * sw[i]!
  }
  for (let c = 0; c < nClasses; c++) {
    if (isCloseToZero(count[c]!)) continue
    variance[c * d + j] = sums[c]! / count[c]!
  }
}

/** numpy's `isclose(v, 0)`: `|v| ≤ 1e-8`. */
function isCloseToZero(v: number): boolean {
  return Math.abs(v) <= 1e-8
}

function checkPriors(priors: readonly number[], nClasses: number): Float64Array {
  const issues: ValidationIssue[] = []
  const path = ['params', 'priors']
  if (priors.length !== nClasses) {
    issues.push({
      path,
      code: 'length_mismatch',
      message: `expected one prior per class (${nClasses}), got ${priors.length}`,
    })
  }
  const sum = priors.reduce((a, b) => a + b, 0)
  if (!(Math.abs(sum - 1) <= 1e-8 + 1e-5)) {
    issues.push({ path, code: 'not_normalized', message: `priors sum to ${sum}, not 1` })
  }
  if (issues.length > 0) throw new ValidationError(`invalid parameters for ${KIND}`, issues)
  return Float64Array.from(priors)
}

function checkWeights(w: Float64Array | readonly number[], n: number): Float64Array {
  const out = Float64Array.from(w)
  const path = ['sampleWeight']
  let message: string | undefined
  if (out.length !== n) message = `expected ${n} weights, got ${out.length}`
  else if (out.some((v) => !Number.isFinite(v) || v < 0)) message = 'weights must be finite and ≥ 0'
  else if (out.every((v) => v === 0)) message = 'weights must not all be 0'
  if (message !== undefined) {
    throw new ValidationError(`invalid sample weights for ${KIND}`, [
      { path, code: 'invalid_value', message },
    ])
  }
  return out
}

/** The learned arrays of a {@link GaussianNBModel}. */
export interface GaussianNBState {
  /** Per-class feature means, `[c * d + j]` (scikit-learn's `theta_`). */
  readonly theta: Float64Array
  /** Per-class feature variances including `epsilon`, `[c * d + j]` (`var_`). */
  readonly variance: Float64Array
  /** The class priors used (`class_prior_`). */
  readonly classPrior: Float64Array
  /** The (weighted) number of training rows per class (`class_count_`). */
  readonly classCount: Float64Array
  /** The variance added for stability (`epsilon_`). */
  readonly epsilon: number
}

/** A fitted {@link GaussianNB}. */
export class GaussianNBModel implements Classifier {
  readonly kind = KIND
  readonly classes: readonly ClassLabel[]
  readonly featureNames: readonly string[]
  readonly diagnostics: Diagnostics
  // Per class: log prior − ½ Σ log(2π σ²), the part of the joint log-likelihood without x.
  private readonly constant: Float64Array

  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    private readonly enc: ClassEncoding,
    /** The learned means, variances, priors and counts. */
    readonly state: GaussianNBState,
    warnings: readonly string[] = [],
  ) {
    this.classes = enc.classes
    this.featureNames = features.map((f) => f.name)
    this.diagnostics = Object.freeze({
      converged: true,
      nIter: 0,
      warnings,
      epsilon: state.epsilon,
    })
    const d = features.length
    this.constant = new Float64Array(this.classes.length)
    for (let c = 0; c < this.classes.length; c++) {
      let s = 0
      for (let j = 0; j < d; j++) s += Math.log(2 * Math.PI * state.variance[c * d + j]!)
      this.constant[c] = -0.5 * s
    }
  }

  /** The joint log-likelihood `log P(c) + log P(x | c)`, `m × nClasses` row-major. */
  private jointLogLikelihood(X: Frame): { jll: Float64Array; m: number } {
    const cols = numericColumns(selectFeatures(X, this.features, KIND), KIND)
    const m = X.nRows
    const d = cols.length
    const k = this.classes.length
    const { theta, variance, classPrior } = this.state
    const jll = new Float64Array(m * k)
    // Column by column (contiguous reads, no transpose): per class, Σ_j (x_j − θ_j)² / σ²_j
    // accumulates in `acc` in feature order, as a row-wise sum would.
    const acc = new Float64Array(m)
    for (let c = 0; c < k; c++) {
      acc.fill(0)
      for (let j = 0; j < d; j++) {
        const x = cols[j]!
        const mu = theta[c * d + j]!
        const v = variance[c * d + j]!
        for (let i = 0; i < m; i++) {
          const t = x[i]! - mu
          acc[i]! += (t * t) / v
        }
      }
      // sklearn: log(prior) + (−½ Σ log(2πσ²) − ½ Σ (x−θ)²/σ²), in that order.
      const logPrior = Math.log(classPrior[c]!)
      const constant = this.constant[c]!
      for (let i = 0; i < m; i++) jll[i * k + c] = logPrior + (constant - 0.5 * acc[i]!)
    }
    return { jll, m }
  }

  /** The class with the largest posterior (the first of equal ones). */
  predict(X: Frame): Column {
    const { jll, m } = this.jointLogLikelihood(X)
    const k = this.classes.length
    const codes = new Int32Array(m)
    for (let i = 0; i < m; i++) {
      let best = 0
      for (let c = 1; c < k; c++) if (jll[i * k + c]! > jll[i * k + best]!) best = c
      codes[i] = best
    }
    return decodeClasses(codes, this.enc)
  }

  /**
   * The log posterior of each class: the joint log-likelihood minus its log-sum-exp over
   * classes (scipy's `logsumexp`, shifted by the row maximum). One `f64` column per class.
   */
  predictLogProba(X: Frame): Frame {
    const { jll, m } = this.jointLogLikelihood(X)
    logNormalize(jll, m, this.classes.length)
    return probabilityFrame(jll, m, this.classes)
  }

  /** The posterior probability of each class (`exp` of {@link predictLogProba}). */
  predictProba(X: Frame): Frame {
    const { jll, m } = this.jointLogLikelihood(X)
    logNormalize(jll, m, this.classes.length)
    for (let t = 0; t < jll.length; t++) jll[t] = Math.exp(jll[t]!)
    return probabilityFrame(jll, m, this.classes)
  }

  toJSON(): ModelState {
    const { theta, variance, classPrior, classCount, epsilon } = this.state
    return {
      kind: KIND,
      version: 1,
      params: { ...this.p },
      state: {
        features: this.features,
        classes: this.classes,
        dtype: this.enc.dtype,
        theta: encodeArray(theta),
        variance: encodeArray(variance),
        classPrior: encodeArray(classPrior),
        classCount: encodeArray(classCount),
        epsilon: encodeArray(Float64Array.of(epsilon)),
        warnings: this.diagnostics.warnings,
      },
    }
  }
}

/** Rows of `a` (`m × k`) minus their log-sum-exp, in place. */
function logNormalize(a: Float64Array, m: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const off = i * k
    let max = -Infinity
    for (let c = 0; c < k; c++) if (a[off + c]! > max) max = a[off + c]!
    if (!Number.isFinite(max)) max = 0
    let s = 0
    for (let c = 0; c < k; c++) s += Math.exp(a[off + c]! - max)
    const lse = Math.log(s) + max
    for (let c = 0; c < k; c++) a[off + c]! -= lse
  }
}

/** Rebuilds a {@link GaussianNBModel} from its JSON state. */
export function loadGaussianNB(state: ModelState): GaussianNBModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, GaussianNBParamsSchema, state.params)
  const s = state.state
  const features = readFeatures(s.features)
  const enc = readEncoding(s)
  const k = enc.classes.length
  const d = features.length
  const theta = decodeF64(s.theta, 'theta')
  const variance = decodeF64(s.variance, 'variance')
  const classPrior = decodeF64(s.classPrior, 'classPrior')
  const classCount = decodeF64(s.classCount, 'classCount')
  const epsilon = decodeF64(s.epsilon, 'epsilon')
  if (theta.length !== k * d) throw badState('theta', `expected ${k} × ${d} values`)
  if (variance.length !== k * d || variance.some((v) => !(v > 0)))
    throw badState('variance', `expected ${k} × ${d} positive values`)
  if (classPrior.length !== k) throw badState('classPrior', `expected ${k} values`)
  if (classCount.length !== k) throw badState('classCount', `expected ${k} values`)
  if (epsilon.length !== 1) throw badState('epsilon', 'expected one value')
  const warnings = Array.isArray(s.warnings) ? s.warnings.map(String) : []
  return new GaussianNBModel(
    p,
    features,
    enc,
    { theta, variance, classPrior, classCount, epsilon: epsilon[0]! },
    Object.freeze(warnings),
  )
}
