/**
 * Ordinary least squares (sklearn's `LinearRegression`), kind `linear.ols`.
 */
import { z } from 'zod'

import type { Column, Frame } from '../../../frame/index.js'
import { captureFeatures, closedForm, parseParams, type Estimator } from '../../base/index.js'

import { designMatrix, type LinearFitOptions } from './design.js'
import { svdSolve } from './least-squares.js'
import { LinearRegressionModel, linearModelLoader, type LinearDiagnostics } from './linear-model.js'
import { cholesky, choleskySolve, conditionEstimate, nnlsGram } from './linalg.js'
import { gramProblem, interceptOf, readFitInput, type GramProblem } from './problem.js'

/** Parameters of {@link LinearRegression} (sklearn names in camelCase). */
export const LinearRegressionParamsSchema = z.strictObject({
  /** Fit an intercept (center X and y first). @default true */
  fitIntercept: z.boolean().default(true),
  /** Constrain the coefficients to be ≥ 0 (non-negative least squares). @default false */
  positive: z.boolean().default(false),
})
/** Parameters of {@link LinearRegression} as given (defaults applied at fit). */
export type LinearRegressionParams = z.input<typeof LinearRegressionParamsSchema>
/** Parameters of {@link LinearRegression} after defaults. */
export type LinearRegressionResolved = z.output<typeof LinearRegressionParamsSchema>

const KIND = 'linear.ols'
const EPS = 2.220446049250313e-16
// Above this estimated condition number of the unit-diagonal Gram matrix, the normal equations
// lose more than about 1e-10 relative accuracy, and the fit goes through QR + SVD of the data.
const NORMAL_EQUATIONS_MAX_COND = 1e6
const CONSTANT_TOL = 1e3 * EPS

/**
 * Ordinary least squares: minimises `Σ wᵢ (yᵢ − xᵢ·coef − intercept)²`. Rank-deficient data gets
 * the minimum-norm solution, like sklearn's `lstsq`.
 *
 * ## Method
 * One pass over X builds the centered Gram matrix (see `crossProducts`). When it is well
 * conditioned (estimated condition < 1e6 after scaling to unit diagonal) the normal equations are
 * solved by Cholesky; otherwise X is centered into a dense copy and solved by Householder QR
 * and a Jacobi SVD, dropping singular values below `ε · max(n, p) · s_max` (numpy's `lstsq`
 * cutoff; scipy's `gelsd` uses `ε · s_max`, which only differs on numerically singular data).
 * `positive: true` runs Lawson–Hanson NNLS on the Gram matrix (sklearn calls scipy's `nnls`).
 *
 * ## References
 * - Å. Björck (1996), *Numerical Methods for Least Squares Problems*, SIAM, §2.
 *
 * @example
 * ```ts
 * const X = createFrame([createColumn({ name: 'x', dtype: 'f64', values: Float64Array.of(0, 1, 2, 3) })])
 * const y = createColumn({ name: 'y', dtype: 'f64', values: Float64Array.of(1, 3, 5, 7) })
 * const model = new LinearRegression().fit(X, y)
 * model.coef      // Float64Array [2]
 * model.intercept // 1
 * ```
 */
export class LinearRegression implements Estimator<
  LinearRegressionParams,
  LinearRegressionModel<LinearRegressionResolved>
> {
  readonly kind = KIND
  constructor(readonly params: Readonly<LinearRegressionParams> = {}) {}
  withParams(patch: Partial<LinearRegressionParams>): LinearRegression {
    return new LinearRegression({ ...this.params, ...patch })
  }
  /** Fits; `opts.sampleWeight` weighs the rows (sklearn `sample_weight`). */
  fit(
    X: Frame,
    y?: Column,
    opts?: LinearFitOptions,
  ): LinearRegressionModel<LinearRegressionResolved> {
    const p = parseParams(KIND, LinearRegressionParamsSchema, this.params)
    const input = readFitInput(X, y, opts, KIND)
    const nFeatures = X.nColumns
    let coef: Float64Array
    let xMean: Float64Array
    let yMean: number
    let diagnostics: LinearDiagnostics
    const gram =
      p.positive || X.nRows >= nFeatures
        ? gramProblem(X, input.target, input.w, p.fitIntercept, KIND, { signal: opts?.signal })
        : undefined
    const normal = gram !== undefined && !p.positive ? normalEquations(gram) : undefined
    if (gram !== undefined && p.positive) {
      const r = nnlsGram(gram.xtx, gram.xty, nFeatures)
      ;({ xMean, yMean } = gram)
      coef = r.x
      diagnostics = {
        converged: r.converged,
        nIter: r.nIter,
        warnings: r.converged ? [] : [`nnls stopped after ${r.nIter} iterations`],
        solver: 'nnls',
      }
    } else if (gram !== undefined && normal !== undefined) {
      ;({ xMean, yMean } = gram)
      coef = normal.coef
      diagnostics = {
        ...closedForm(normal.rank < nFeatures ? ['constant column(s) got coefficient 0'] : []),
        solver: 'cholesky',
        rank: normal.rank,
      }
    } else {
      const dm = designMatrix(X, input.y, input.w, p.fitIntercept, KIND)
      const cutoff = EPS * Math.max(dm.nRows, dm.nCols)
      const sol = svdSolve(dm, (s, sMax) => (s > cutoff * sMax ? 1 / s : 0))
      ;({ xMean, yMean } = dm)
      coef = sol.coef
      diagnostics = {
        ...closedForm(
          sol.rank < Math.min(dm.nRows, dm.nCols)
            ? [`the design matrix is rank deficient (rank ${sol.rank}); minimum-norm solution`]
            : [],
        ),
        solver: 'qr-svd',
        rank: sol.rank,
      }
    }
    return new LinearRegressionModel(
      KIND,
      p,
      captureFeatures(X),
      coef,
      interceptOf(xMean, yMean, coef, p.fitIntercept),
      diagnostics,
    )
  }
}

/**
 * The normal-equations solution and its rank when the scaled Gram matrix is well conditioned,
 * else `undefined`. Columns that are constant (zero after centering) get coefficient 0, which is
 * the minimum-norm choice.
 */
function normalEquations(g: GramProblem): { coef: Float64Array; rank: number } | undefined {
  const p = g.nFeatures
  const keep: number[] = []
  for (let j = 0; j < p; j++) {
    // A constant column centers to rounding noise of about ε·|mean| per row, not to exact 0.
    const noise = CONSTANT_TOL * CONSTANT_TOL * g.sumWeights * g.xMean[j]! * g.xMean[j]!
    if (g.xtx[j * p + j]! > noise) keep.push(j)
  }
  const k = keep.length
  const scale = keep.map((j) => 1 / Math.sqrt(g.xtx[j * p + j]!))
  const a = new Float64Array(k * k)
  const b = new Float64Array(k)
  for (let r = 0; r < k; r++) {
    b[r] = g.xty[keep[r]!]! * scale[r]!
    for (let c = 0; c < k; c++)
      a[r * k + c] = g.xtx[keep[r]! * p + keep[c]!]! * scale[r]! * scale[c]!
  }
  const l = Float64Array.from(a)
  if (!cholesky(l, k) || conditionEstimate(a, l, k) > NORMAL_EQUATIONS_MAX_COND) return undefined
  choleskySolve(l, k, b)
  const coef = new Float64Array(p)
  for (let r = 0; r < k; r++) coef[keep[r]!] = b[r]! * scale[r]!
  return { coef, rank: k }
}

/** Rebuilds a `linear.ols` model from its JSON state. */
export const loadLinearRegression = linearModelLoader(KIND, LinearRegressionParamsSchema)
