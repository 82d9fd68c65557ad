/**
 * The fitted `linear.logistic` model: coefficients, intercepts, scikit-learn's
 * `decision_function`, `predict_proba` and `predict`, and its JSON state.
 */
import { z } from 'zod'

import type { Column, Frame } from '../../../frame/index.js'
import {
  badState,
  checkState,
  decodeClasses,
  decodeF64,
  encodeArray,
  parseParams,
  probabilityFrame,
  readEncoding,
  readFeatures,
  selectFeatures,
  type ClassEncoding,
  type ClassLabel,
  type Classifier,
  type Diagnostics,
  type FeatureSpec,
  type ModelState,
} from '../../base/index.js'
import { numericColumns } from './design-matrix.js'
import { LogisticRegressionParamsSchema, type LogisticRegressionResolved } from './params.js'

/** The registry key of logistic regression. */
export const LOGISTIC_KIND = 'linear.logistic'

/** The diagnostics of a logistic fit. */
export interface LogisticDiagnostics extends Diagnostics {
  /** The solver that ran (`'auto'` resolved). */
  readonly solver: string
  /** The final stopping measure: max-norm of the (pseudo-)gradient, or SAGA's relative change. */
  readonly gradNorm: number
  /** The objective minimised, `Σ swᵢ·lossᵢ + penalty/C` (absent for SAGA). */
  readonly objective?: number
  /** One-vs-rest: iterations of each class's problem. */
  readonly nIterPerClass?: readonly number[]
  /** Threads that took part in evaluating the loss (not saved with the model). */
  readonly nThreads?: number
}

/** A fitted logistic regression. */
export class LogisticRegressionModel implements Classifier {
  readonly kind = LOGISTIC_KIND
  readonly featureNames: readonly string[]
  readonly classes: readonly ClassLabel[]
  constructor(
    private readonly p: LogisticRegressionResolved,
    private readonly features: readonly FeatureSpec[],
    private readonly enc: ClassEncoding,
    /**
     * `rows × nFeatures`, row-major, in `featureNames` order (scikit-learn's `coef_`): one row
     * for a binary target (the score of `classes[1]`), else one per class.
     */
    readonly coef: Float64Array,
    /** One per row of `coef` (scikit-learn's `intercept_`; zeros without `fitIntercept`). */
    readonly intercept: Float64Array,
    /** Whether the probabilities are a softmax (multinomial) or normalised sigmoids (one-vs-rest). */
    readonly multinomial: boolean,
    readonly diagnostics: LogisticDiagnostics,
  ) {
    this.featureNames = features.map((f) => f.name)
    this.classes = enc.classes
  }

  /**
   * Scores, row-major `n × rows` (scikit-learn's `decision_function`), streamed over the columns
   * of `X` with no copy; the additions come in the kernel's order (intercept, then feature 0,
   * 1, …), so a training row scores exactly as the fit saw it.
   */
  private scores(X: Frame): { s: Float64Array; n: number; rows: number } {
    const sel = selectFeatures(X, this.features, this.kind)
    const cols = numericColumns(sel, this.kind)
    const rows = this.intercept.length
    const p = this.features.length
    const n = sel.nRows
    const s = new Float64Array(n * rows)
    for (let c = 0; c < rows; c++) {
      const b = this.intercept[c]!
      for (let i = 0; i < n; i++) s[i * rows + c] = b
      for (let j = 0; j < p; j++) {
        const w = this.coef[c * p + j]!
        const v = cols[j]!
        for (let i = 0; i < n; i++) s[i * rows + c]! += w * v[i]!
      }
    }
    return { s, n, rows }
  }

  /**
   * The decision scores: for a binary target one `f64` column named after `classes[1]` (positive
   * means that class); otherwise one column per class.
   */
  decisionFunction(X: Frame): Frame {
    const { s, n, rows } = this.scores(X)
    const names = rows === 1 ? [this.classes[1]!] : this.classes
    return probabilityFrame(s, n, names)
  }

  predictProba(X: Frame): Frame {
    const { s, n, rows } = this.scores(X)
    const k = this.classes.length
    const proba = new Float64Array(n * k)
    for (let i = 0; i < n; i++) {
      if (rows === 1) {
        // scikit-learn: [1 − σ(d), σ(d)] for one-vs-rest, softmax([−d, d]) = σ(2d) for multinomial.
        const d = this.multinomial ? 2 * s[i]! : s[i]!
        const e = Math.exp(-Math.abs(d))
        const p1 = (d >= 0 ? 1 : e) / (1 + e)
        proba[i * 2] = 1 - p1
        proba[i * 2 + 1] = p1
      } else if (this.multinomial) {
        let zmax = s[i * k]!
        for (let c = 1; c < k; c++) zmax = Math.max(zmax, s[i * k + c]!)
        let sum = 0
        for (let c = 0; c < k; c++) {
          const e = Math.exp(s[i * k + c]! - zmax)
          proba[i * k + c] = e
          sum += e
        }
        for (let c = 0; c < k; c++) proba[i * k + c]! /= sum
      } else {
        let sum = 0
        for (let c = 0; c < k; c++) {
          const d = s[i * k + c]!
          const e = Math.exp(-Math.abs(d))
          const pc = (d >= 0 ? 1 : e) / (1 + e)
          proba[i * k + c] = pc
          sum += pc
        }
        for (let c = 0; c < k; c++) proba[i * k + c]! /= sum
      }
    }
    return probabilityFrame(proba, n, this.classes)
  }

  predict(X: Frame): Column {
    const { s, n, rows } = this.scores(X)
    const codes = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      if (rows === 1) {
        codes[i] = s[i]! > 0 ? 1 : 0
      } else {
        let best = 0
        for (let c = 1; c < rows; c++) if (s[i * rows + c]! > s[i * rows + best]!) best = c
        codes[i] = best
      }
    }
    return decodeClasses(codes, this.enc)
  }

  toJSON(): ModelState {
    const d = this.diagnostics
    return {
      kind: this.kind,
      version: 1,
      params: { ...this.p },
      state: {
        features: this.features,
        classes: this.classes,
        dtype: this.enc.dtype,
        coef: encodeArray(this.coef),
        intercept: encodeArray(this.intercept),
        multinomial: this.multinomial,
        diagnostics: {
          converged: d.converged,
          nIter: d.nIter,
          warnings: d.warnings,
          solver: d.solver,
          gradNorm: finiteOrNull(d.gradNorm),
          objective: d.objective === undefined ? null : finiteOrNull(d.objective),
          ...(d.nIterPerClass === undefined ? {} : { nIterPerClass: d.nIterPerClass }),
        },
      },
    }
  }
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null
}

const DiagnosticsSchema = z.object({
  converged: z.boolean(),
  nIter: z.int().min(0),
  warnings: z.array(z.string()),
  solver: z.string(),
  gradNorm: z.number().nullable(),
  objective: z.number().nullable(),
  nIterPerClass: z.array(z.int().min(0)).optional(),
})

/**
 * Rebuilds a {@link LogisticRegressionModel} from its JSON state.
 *
 * @throws ValidationError if the state is malformed or of another kind or version.
 */
export function loadLogisticRegression(state: ModelState): LogisticRegressionModel {
  checkState(state, LOGISTIC_KIND, [1])
  const p = parseParams(LOGISTIC_KIND, LogisticRegressionParamsSchema, state.params)
  const s = state.state
  const features = readFeatures(s.features)
  const enc = readEncoding(s)
  const coef = decodeF64(s.coef, 'coef')
  const intercept = decodeF64(s.intercept, 'intercept')
  const rows = enc.classes.length === 2 ? 1 : enc.classes.length
  if (enc.classes.length < 2) throw badState('classes', 'expected at least two classes')
  if (intercept.length !== rows) throw badState('intercept', `expected ${rows} value(s)`)
  if (coef.length !== rows * features.length)
    throw badState('coef', `expected ${rows} × ${features.length} values`)
  if (typeof s.multinomial !== 'boolean') throw badState('multinomial', 'expected a boolean')
  const dr = DiagnosticsSchema.safeParse(s.diagnostics)
  if (!dr.success) throw badState('diagnostics', 'expected converged, nIter, warnings, solver')
  const d = dr.data
  const diagnostics: LogisticDiagnostics = {
    converged: d.converged,
    nIter: d.nIter,
    warnings: d.warnings,
    solver: d.solver,
    gradNorm: d.gradNorm ?? Number.NaN,
    ...(d.objective === null ? {} : { objective: d.objective }),
    ...(d.nIterPerClass === undefined ? {} : { nIterPerClass: d.nIterPerClass }),
  }
  return new LogisticRegressionModel(p, features, enc, coef, intercept, s.multinomial, diagnostics)
}
