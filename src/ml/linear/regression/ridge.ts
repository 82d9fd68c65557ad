/**
 * Ridge regression (sklearn's `Ridge`), kind `linear.ridge`.
 */
import { z } from 'zod'

import type { Column, Frame } from '../../../frame/index.js'
import { captureFeatures, closedForm, parseParams, type Estimator } from '../../base/index.js'

import { designMatrix, type DesignMatrix, type LinearFitOptions } from './design.js'
import { lsqr, svdSolve } from './least-squares.js'
import { LinearRegressionModel, linearModelLoader, type LinearDiagnostics } from './linear-model.js'
import { cholesky, choleskySolve, nnlsGram } from './linalg.js'
import { gramProblem, interceptOf, readFitInput, type FitInput } from './problem.js'

/** Parameters of {@link Ridge} (sklearn names in camelCase). */
export const RidgeParamsSchema = z
  .strictObject({
    /** The L2 penalty: minimises `‖y − Xw‖² + alpha‖w‖²`. @default 1 */
    alpha: z.number().min(0).default(1),
    /** Fit an intercept (center X and y first; the intercept is not penalised). @default true */
    fitIntercept: z.boolean().default(true),
    /**
     * `auto`/`cholesky`: the normal equations `(XᵀX + αI) w = Xᵀy` from one pass over X (the
     * kernel form `(XXᵀ + αI)` when there are more features than rows), falling back to `svd`
     * if the matrix is singular. `svd`: QR + SVD of the centered data. `lsqr`: iterative
     * (scipy's LSQR with `damp = √alpha`, stopping at `tol`).
     * @default 'auto'
     */
    solver: z.enum(['auto', 'cholesky', 'svd', 'lsqr']).default('auto'),
    /** Iteration limit of `lsqr` (default: twice the feature count, as scipy's). */
    maxIter: z.int().min(1).optional(),
    /** Tolerance of `lsqr` (`atol` and `btol`). @default 1e-4 */
    tol: z.number().min(0).default(1e-4),
    /** Constrain the coefficients to be ≥ 0 (solved exactly by NNLS; needs solver `auto`). @default false */
    positive: z.boolean().default(false),
  })
  .superRefine((v, ctx) => {
    if (v.positive && v.solver !== 'auto') {
      ctx.addIssue({
        code: 'custom',
        path: ['solver'],
        message: `positive=true needs solver 'auto', got '${v.solver}'`,
      })
    }
  })
/** Parameters of {@link Ridge} as given (defaults applied at fit). */
export type RidgeParams = z.input<typeof RidgeParamsSchema>
/** Parameters of {@link Ridge} after defaults. */
export type RidgeResolved = z.output<typeof RidgeParamsSchema>

const KIND = 'linear.ridge'

/**
 * Ridge regression: least squares with an L2 penalty, `‖y − Xw‖² + alpha‖w‖²` (weighted rows
 * with `sampleWeight`), matching sklearn's `Ridge`.
 *
 * ## Method
 * The default solver builds `XᵀX` and `Xᵀy` of the centered data in one blocked SIMD pass over
 * the Frame's columns (no dense copy of X), adds `alpha` to the diagonal and solves by Cholesky,
 * as sklearn's `cholesky` solver does. See {@link RidgeParamsSchema} for the others.
 *
 * ## References
 * - A. E. Hoerl, R. W. Kennard (1970), "Ridge regression: biased estimation for nonorthogonal
 *   problems", Technometrics 12(1).
 *
 * @example
 * ```ts
 * const model = new Ridge({ alpha: 0.5 }).fit(X, y)
 * model.predict(X)
 * ```
 */
export class Ridge implements Estimator<RidgeParams, LinearRegressionModel<RidgeResolved>> {
  readonly kind = KIND
  constructor(readonly params: Readonly<RidgeParams> = {}) {}
  withParams(patch: Partial<RidgeParams>): Ridge {
    return new Ridge({ ...this.params, ...patch })
  }
  /** Fits; `opts.sampleWeight` weighs the rows (sklearn `sample_weight`, not rescaled). */
  fit(X: Frame, y?: Column, opts?: LinearFitOptions): LinearRegressionModel<RidgeResolved> {
    const p = parseParams(KIND, RidgeParamsSchema, this.params)
    const input = readFitInput(X, y, opts, KIND)
    const fit = solve(X, input, p, opts?.signal)
    return new LinearRegressionModel(
      KIND,
      p,
      captureFeatures(X),
      fit.coef,
      interceptOf(fit.xMean, fit.yMean, fit.coef, p.fitIntercept),
      fit.diagnostics,
    )
  }
}

interface RidgeFit {
  readonly coef: Float64Array
  readonly xMean: Float64Array
  readonly yMean: number
  readonly diagnostics: LinearDiagnostics
}

const closed = (solver: string, warnings: readonly string[] = []): LinearDiagnostics => ({
  ...closedForm(warnings),
  solver,
})

function solve(
  X: Frame,
  input: FitInput,
  p: RidgeResolved,
  signal: AbortSignal | undefined,
): RidgeFit {
  const w = input.w
  const nFeatures = X.nColumns
  const alpha = p.alpha
  const useGram = p.positive || (p.solver !== 'svd' && p.solver !== 'lsqr' && X.nRows >= nFeatures)
  if (useGram) {
    const g = gramProblem(X, input.target, w, p.fitIntercept, KIND, { signal })
    const a = Float64Array.from(g.xtx)
    for (let j = 0; j < nFeatures; j++) a[j * nFeatures + j] = a[j * nFeatures + j]! + alpha
    if (p.positive) {
      const r = nnlsGram(a, g.xty, nFeatures)
      const warnings = r.converged ? [] : [`nnls stopped after ${r.nIter} iterations`]
      return {
        coef: r.x,
        xMean: g.xMean,
        yMean: g.yMean,
        diagnostics: { converged: r.converged, nIter: r.nIter, warnings, solver: 'nnls' },
      }
    }
    if (cholesky(a, nFeatures)) {
      const coef = choleskySolve(a, nFeatures, Float64Array.from(g.xty))
      return { coef, xMean: g.xMean, yMean: g.yMean, diagnostics: closed('cholesky') }
    }
  }
  const dm = designMatrix(X, input.y, w, p.fitIntercept, KIND)
  const fallback = useGram ? ['XᵀX + alpha·I is singular; solved with svd instead'] : []
  const base = { xMean: dm.xMean, yMean: dm.yMean }
  if (p.solver === 'lsqr') {
    const r = lsqr(dm, Math.sqrt(alpha), p.tol, p.tol, p.maxIter ?? 2 * nFeatures)
    const converged = r.istop !== 7
    const warnings = converged ? [] : [`lsqr stopped at maxIter=${r.nIter}`]
    return {
      ...base,
      coef: r.x,
      diagnostics: { converged, nIter: r.nIter, warnings, solver: 'lsqr' },
    }
  }
  if (p.solver !== 'svd' && !useGram) {
    const coef = kernelRidge(dm, alpha)
    if (coef !== undefined) return { ...base, coef, diagnostics: closed('cholesky-kernel') }
    fallback.push('XXᵀ + alpha·I is singular; solved with svd instead')
  }
  // sklearn's _solve_svd keeps singular values above 1e-15 (absolute, like scipy's pinv).
  const sol = svdSolve(dm, (s) => (s > 1e-15 ? s / (s * s + alpha) : 0))
  return { ...base, coef: sol.coef, diagnostics: { ...closed('svd', fallback), rank: sol.rank } }
}

/**
 * sklearn's `_solve_cholesky_kernel` for more features than rows: `dual = (XXᵀ + αI)⁻¹ y`,
 * `coef = Xᵀ dual`, an `n × n` system instead of `p × p`.
 */
function kernelRidge(dm: DesignMatrix, alpha: number): Float64Array | undefined {
  const { nRows: n, nCols: p, data } = dm
  const k = new Float64Array(n * n)
  for (let j = 0; j < p; j++) {
    const c = j * n
    for (let a = 0; a < n; a++) {
      const xa = data[c + a]!
      if (xa === 0) continue
      for (let b = 0; b <= a; b++) k[a * n + b] = k[a * n + b]! + xa * data[c + b]!
    }
  }
  for (let a = 0; a < n; a++) {
    k[a * n + a] = k[a * n + a]! + alpha
    for (let b = 0; b < a; b++) k[b * n + a] = k[a * n + b]!
  }
  if (!cholesky(k, n)) return undefined
  const dual = choleskySolve(k, n, Float64Array.from(dm.y))
  const coef = new Float64Array(p)
  for (let j = 0; j < p; j++) {
    let s = 0
    for (let i = 0, c = j * n; i < n; i++) s += data[c + i]! * dual[i]!
    coef[j] = s
  }
  return coef
}

/** Rebuilds a `linear.ridge` model from its JSON state. */
export const loadRidge = linearModelLoader(KIND, RidgeParamsSchema)
