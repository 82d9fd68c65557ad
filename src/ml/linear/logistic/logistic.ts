/**
 * `linear.logistic`: logistic regression with scikit-learn 1.2.1's semantics and objective
 * (`LogisticRegression`), fitted by L-BFGS, OWL-QN or SAGA, with the loss evaluated on several
 * threads for large data.
 */
import { createRng } from '../../../core/index.js'
import type { Column, Frame } from '../../../frame/index.js'
import {
  assertHasFeatures,
  assertMinClasses,
  assertMinRows,
  captureFeatures,
  classCounts,
  classWeights,
  encodeClasses,
  fitStep,
  parseParams,
  readSampleWeight,
  sampleWeightsFromClasses,
  type EncodedTarget,
  type Estimator,
  type FitOptions,
} from '../../base/index.js'
import { fillRowMajor } from './design-matrix.js'
import type { LossData } from './logistic-kernel.js'
import {
  LOGISTIC_KIND,
  LogisticRegressionModel,
  type LogisticDiagnostics,
} from './logistic-model.js'
import { allocF64, allocI32, chooseThreads, createLossEvaluator } from './loss-evaluator.js'
import {
  LogisticRegressionParamsSchema,
  type LogisticRegressionParams,
  type LogisticRegressionResolved,
} from './params.js'
import { solveProblem, type Solution, type SolveSpec, type Solver } from './solve.js'

/** {@link FitOptions} plus per-row weights. */
export interface LogisticFitOptions extends FitOptions {
  /**
   * One finite, non-negative weight per row (scikit-learn's `sample_weight`), multiplied by the
   * class weights. A numeric `Column` or a `Float64Array`.
   */
  readonly sampleWeight?: Float64Array | Column
}

/**
 * Logistic regression (scikit-learn's `LogisticRegression`): binomial for two classes, softmax
 * (multinomial) or one-vs-rest for more; L2, L1, elastic-net or no penalty; class and sample
 * weights. The coefficients minimise `C·Σ swᵢ·lossᵢ + penalty(w)`, scikit-learn's objective,
 * so they match its solution.
 *
 * @example
 * ```ts
 * const model = new LogisticRegression({ C: 0.5 }).fit(X, y)
 * model.predictProba(X)   // one column per class
 * model.coef              // scikit-learn's coef_, row-major
 * ```
 */
export class LogisticRegression implements Estimator<
  LogisticRegressionParams,
  LogisticRegressionModel
> {
  readonly kind = LOGISTIC_KIND
  constructor(readonly params: Readonly<LogisticRegressionParams> = {}) {}
  withParams(patch: Partial<LogisticRegressionParams>): LogisticRegression {
    return new LogisticRegression({ ...this.params, ...patch })
  }

  fit(X: Frame, y?: Column, opts?: LogisticFitOptions): LogisticRegressionModel {
    const p = parseParams(LOGISTIC_KIND, LogisticRegressionParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: p.maxIter })
    assertMinRows(X, 1, LOGISTIC_KIND)
    assertHasFeatures(X, LOGISTIC_KIND)
    const target = encodeClasses(X, y, LOGISTIC_KIND)
    assertMinClasses(target, 2, LOGISTIC_KIND)
    const baseWeights = readSampleWeight(X.nRows, opts?.sampleWeight)
    const k = target.classes.length
    const multinomial = p.multiClass === 'multinomial' || (p.multiClass === 'auto' && k > 2)
    const solver = resolveSolver(p)
    // scikit-learn: a per-class record always applies to the original labels; 'balanced' too for
    // the multinomial model, but per binary problem for one-vs-rest.
    if (p.classWeight !== undefined && (multinomial || p.classWeight !== 'balanced')) {
      const cw = sampleWeightsFromClasses(target, classWeights(target, p.classWeight))
      for (let i = 0; i < cw.length; i++) baseWeights[i]! *= cw[i]!
    }
    const n = X.nRows
    const nFeatures = X.nColumns
    const kLoss = multinomial ? k : 1
    const nThreads = solver === 'saga' ? 1 : chooseThreads(n, nFeatures, kLoss, p.nThreads)
    const shared = nThreads > 1
    const data: LossData = {
      X: allocF64(n * nFeatures, shared),
      y: allocI32(n, shared),
      sw: allocF64(n, shared),
      n,
      p: nFeatures,
      k: kLoss,
    }
    // Workers start now, so their start-up overlaps the copy of X.
    const ev = solver === 'saga' ? undefined : createLossEvaluator(data, nThreads)
    try {
      fillRowMajor(X, data.X, LOGISTIC_KIND)
      data.y.set(target.codes)
      const rng = opts?.rng ?? createRng(p.seed)
      const spec = (stage: string): SolveSpec => ({
        solver,
        ...penaltyStrengths(p),
        fitIntercept: p.fitIntercept,
        maxIter: p.maxIter,
        tol: p.tol,
        rng,
        onStep: (step, metrics) => {
          fitStep(opts, { stage, step, total: p.maxIter, metrics })
        },
      })
      const q = nFeatures + 1
      const rows = k === 2 ? 1 : k
      const coef = new Float64Array(rows * nFeatures)
      const intercept = new Float64Array(rows)
      const sols: Solution[] = []
      if (multinomial) {
        data.sw.set(baseWeights)
        const sol = solveProblem(data, ev, 0, spec(solver))
        sols.push(sol)
        // Two classes: scikit-learn keeps the second class's row of the softmax model.
        const first = k === 2 ? 1 : 0
        for (let r = 0; r < rows; r++) {
          coef.set(sol.W.subarray((first + r) * q, (first + r) * q + nFeatures), r * nFeatures)
          intercept[r] = sol.W[(first + r) * q + nFeatures]!
        }
      } else {
        for (let r = 0; r < rows; r++) {
          const positive = k === 2 ? 1 : r
          setProblemWeights(data.sw, baseWeights, target, positive, p.classWeight === 'balanced')
          const sol = solveProblem(
            data,
            ev,
            positive,
            spec(rows === 1 ? solver : `${solver} class ${r}`),
          )
          sols.push(sol)
          coef.set(sol.W.subarray(0, nFeatures), r * nFeatures)
          intercept[r] = sol.W[nFeatures]!
        }
      }
      return new LogisticRegressionModel(
        p,
        captureFeatures(X),
        { classes: target.classes, dtype: target.dtype },
        coef,
        intercept,
        multinomial,
        summarize(sols, solver, ev?.activeThreads() ?? 1, ignoredParams(this.params, p)),
      )
    } finally {
      ev?.close()
    }
  }
}

function resolveSolver(p: LogisticRegressionResolved): Solver {
  if (p.solver !== 'auto') return p.solver
  return p.penalty === 'l1' || p.penalty === 'elasticnet' ? 'owlqn' : 'lbfgs'
}

function penaltyStrengths(p: LogisticRegressionResolved): { l2: number; l1: number } {
  switch (p.penalty) {
    case 'none':
      return { l2: 0, l1: 0 }
    case 'l2':
      return { l2: 1 / p.C, l1: 0 }
    case 'l1':
      return { l2: 0, l1: 1 / p.C }
    case 'elasticnet': {
      const r = p.l1Ratio ?? 0
      return { l2: (1 - r) / p.C, l1: r / p.C }
    }
  }
}

/** The row weights of one binary problem: base weights, times balanced weights of its mask. */
function setProblemWeights(
  out: Float64Array,
  base: Float64Array,
  target: EncodedTarget,
  positive: number,
  balanced: boolean,
): void {
  out.set(base)
  if (!balanced) return
  const n = target.codes.length
  const nPos = classCounts(target)[positive]!
  // compute_class_weight('balanced') on the masked labels {rest, positive}.
  const wPos = n / (2 * nPos)
  const wNeg = n / (2 * (n - nPos))
  for (let i = 0; i < n; i++) out[i]! *= target.codes[i] === positive ? wPos : wNeg
}

/** scikit-learn's warnings for parameters the chosen penalty ignores. */
function ignoredParams(given: LogisticRegressionParams, p: LogisticRegressionResolved): string[] {
  const out: string[] = []
  if (p.l1Ratio !== undefined && p.penalty !== 'elasticnet')
    out.push(`l1Ratio is only used by the elasticnet penalty (penalty is ${p.penalty})`)
  if (p.penalty === 'none' && given.C !== undefined) out.push('penalty none ignores C')
  return out
}

function summarize(
  sols: readonly Solution[],
  solver: Solver,
  nThreads: number,
  notes: readonly string[],
): LogisticDiagnostics {
  const warnings: string[] = [...notes]
  sols.forEach((s, c) => {
    if (!s.converged) {
      const which = sols.length > 1 ? ` (class ${c})` : ''
      warnings.push(
        `${solver} did not converge${which}: ${s.message}; increase maxIter or scale the features`,
      )
    }
  })
  let objective = 0
  for (const s of sols) objective += s.objective
  return {
    converged: sols.every((s) => s.converged),
    nIter: Math.max(...sols.map((s) => s.nIter)),
    warnings,
    solver,
    gradNorm: Math.max(...sols.map((s) => s.gradNorm)),
    ...(solver === 'saga' || sols.length !== 1 ? {} : { objective }),
    ...(sols.length > 1 ? { nIterPerClass: sols.map((s) => s.nIter) } : {}),
    nThreads,
  }
}
