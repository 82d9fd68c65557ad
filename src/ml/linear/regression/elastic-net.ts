/**
 * Lasso and elastic net by coordinate descent (sklearn's `Lasso` and `ElasticNet`), kinds
 * `linear.lasso` and `linear.elastic-net`.
 */
import { z } from 'zod'

import { createRng, type Rng } from '../../../core/index.js'
import type { Column, Frame } from '../../../frame/index.js'
import {
  captureFeatures,
  fitStep,
  parseParams,
  type Estimator,
  type FitOptions,
} from '../../base/index.js'

import {
  enetCoordinateDescent,
  enetCoordinateDescentGram,
  type CdResult,
} from './coordinate-descent.js'
import { designMatrix, type LinearFitOptions } from './design.js'
import { LinearRegressionModel, linearModelLoader, type LinearDiagnostics } from './linear-model.js'
import { gramProblem, interceptOf, readFitInput } from './problem.js'

/**
 * The coordinate-descent solver's parameters, shared by {@link Lasso}, {@link ElasticNet} and
 * the regularisation paths (sklearn's names in camelCase).
 *
 * @internal
 */
export const CD_SOLVER_FIELDS = {
  /**
   * Run coordinate descent on the precomputed Gram matrix `XᵀX` (one pass over X, then O(p²)
   * per epoch instead of O(np)). `auto` precomputes when there are more rows than features.
   * sklearn's `Lasso`/`ElasticNet` default to `false`; both converge to the same solution
   * within `tol`, and `auto` is much faster on tall data.
   * @default 'auto'
   */
  precompute: z.union([z.boolean(), z.literal('auto')]).default('auto'),
  /** Epochs of coordinate descent at most. @default 1000 */
  maxIter: z.int().min(1).default(1000),
  /**
   * Stop once the largest coefficient change of an epoch is below `tol · max|w|` and the duality
   * gap is below `tol · ‖y − ȳ‖²` (sklearn's criterion). @default 1e-4
   */
  tol: z.number().min(0).default(1e-4),
  /** Constrain the coefficients to be ≥ 0. @default false */
  positive: z.boolean().default(false),
  /** Visit the coordinates in order (`cyclic`) or at random (`random`, seeded). @default 'cyclic' */
  selection: z.enum(['cyclic', 'random']).default('cyclic'),
  /** Seed of `selection: 'random'` (sklearn `random_state`). @default 0 */
  seed: z.int().min(0).max(0xffffffff).default(0),
}

const common = {
  /** The penalty strength. @default 1 */
  alpha: z.number().min(0).default(1),
  /** Fit an intercept (center X and y first; the intercept is not penalised). @default true */
  fitIntercept: z.boolean().default(true),
  ...CD_SOLVER_FIELDS,
}

/** Parameters of {@link Lasso} (sklearn names in camelCase). */
export const LassoParamsSchema = z.strictObject(common)
/** Parameters of {@link Lasso} as given (defaults applied at fit). */
export type LassoParams = z.input<typeof LassoParamsSchema>
/** Parameters of {@link Lasso} after defaults. */
export type LassoResolved = z.output<typeof LassoParamsSchema>

/** Parameters of {@link ElasticNet} (sklearn names in camelCase). */
export const ElasticNetParamsSchema = z.strictObject({
  ...common,
  /** The L1 share of the penalty: 1 is the lasso, 0 is ridge. @default 0.5 */
  l1Ratio: z.number().min(0).max(1).default(0.5),
})
/** Parameters of {@link ElasticNet} as given (defaults applied at fit). */
export type ElasticNetParams = z.input<typeof ElasticNetParamsSchema>
/** Parameters of {@link ElasticNet} after defaults. */
export type ElasticNetResolved = z.output<typeof ElasticNetParamsSchema>

const LASSO = 'linear.lasso'
const ENET = 'linear.elastic-net'

/**
 * The elastic net: minimises
 * `1/(2n) ‖y − Xw‖² + alpha·l1Ratio‖w‖₁ + ½·alpha·(1 − l1Ratio)‖w‖²` (weighted rows with
 * `sampleWeight`, rescaled to sum to n as sklearn does).
 *
 * ## Method
 * Coordinate descent exactly as sklearn's `enet_coordinate_descent` (or its Gram variant when
 * `precompute` applies), with the duality-gap stopping rule. Non-convergence is reported in
 * `diagnostics` (`converged: false`, a warning, the gap), never thrown.
 *
 * ## References
 * - J. Friedman, T. Hastie, R. Tibshirani (2010), "Regularization paths for generalized linear
 *   models via coordinate descent", J. Stat. Softw. 33(1).
 * - H. Zou, T. Hastie (2005), "Regularization and variable selection via the elastic net",
 *   J. R. Stat. Soc. B 67(2).
 *
 * @example
 * ```ts
 * const model = new ElasticNet({ alpha: 0.1, l1Ratio: 0.7 }).fit(X, y)
 * model.diagnostics.converged
 * ```
 */
export class ElasticNet implements Estimator<
  ElasticNetParams,
  LinearRegressionModel<ElasticNetResolved>
> {
  readonly kind = ENET
  constructor(readonly params: Readonly<ElasticNetParams> = {}) {}
  withParams(patch: Partial<ElasticNetParams>): ElasticNet {
    return new ElasticNet({ ...this.params, ...patch })
  }
  /** Fits; `opts.sampleWeight` weighs the rows (sklearn `sample_weight`). */
  fit(X: Frame, y?: Column, opts?: LinearFitOptions): LinearRegressionModel<ElasticNetResolved> {
    const p = parseParams(ENET, ElasticNetParamsSchema, this.params)
    return fitEnet(ENET, p, p.l1Ratio, X, y, opts)
  }
}

/**
 * The lasso: minimises `1/(2n) ‖y − Xw‖² + alpha‖w‖₁`, the elastic net with `l1Ratio = 1`
 * (see {@link ElasticNet}).
 *
 * @example
 * ```ts
 * const model = new Lasso({ alpha: 0.01 }).fit(X, y)
 * model.coef // sparse: many exact zeros
 * ```
 */
export class Lasso implements Estimator<LassoParams, LinearRegressionModel<LassoResolved>> {
  readonly kind = LASSO
  constructor(readonly params: Readonly<LassoParams> = {}) {}
  withParams(patch: Partial<LassoParams>): Lasso {
    return new Lasso({ ...this.params, ...patch })
  }
  /** Fits; `opts.sampleWeight` weighs the rows (sklearn `sample_weight`). */
  fit(X: Frame, y?: Column, opts?: LinearFitOptions): LinearRegressionModel<LassoResolved> {
    const p = parseParams(LASSO, LassoParamsSchema, this.params)
    return fitEnet(LASSO, p, 1, X, y, opts)
  }
}

type CdParams = z.output<z.ZodObject<typeof common>>

function fitEnet<P extends CdParams>(
  kind: string,
  p: P,
  l1Ratio: number,
  X: Frame,
  y: Column | undefined,
  opts: LinearFitOptions | undefined,
): LinearRegressionModel<P> {
  const input = readFitInput(X, y, opts, kind)
  const solver = createCdSolver(X, input.y, input.w, {
    kind,
    fitIntercept: p.fitIntercept,
    precompute: p.precompute,
    opts,
  })
  const rng = p.selection === 'random' ? (opts?.rng ?? createRng(p.seed)) : undefined
  const w = new Float64Array(X.nColumns)
  const r = solver.run(w, p.alpha, l1Ratio, { ...p, rng })
  const warnings: string[] = []
  if (p.alpha === 0) {
    warnings.push(
      'alpha=0: coordinate descent converges poorly without regularisation; use linear.ols',
    )
  }
  if (!r.converged) {
    warnings.push(
      `Objective did not converge in maxIter=${p.maxIter} epochs. Duality gap: ${r.gap}, tolerance: ${r.gapTol}`,
    )
  }
  const diagnostics: LinearDiagnostics = {
    converged: r.converged,
    nIter: r.nIter,
    warnings,
    solver: solver.name,
    dualGap: r.gap / X.nRows,
  }
  const coef = r.w
  return new LinearRegressionModel<P>(
    kind,
    p,
    captureFeatures(X),
    coef,
    interceptOf(solver.xMean, solver.yMean, coef, p.fitIntercept),
    diagnostics,
  )
}

/**
 * Coordinate descent bound to one data set, re-runnable for several alphas (warm starts).
 *
 * @internal
 */
export interface CdSolver {
  readonly name: 'cd' | 'cd-gram'
  readonly nRows: number
  /** `Xᵀy` of the centered, weighted data (for the alpha grid). */
  readonly xty: Float64Array
  readonly xMean: Float64Array
  readonly yMean: number
  /** Runs from (and updates) `w` at `alpha`. */
  run(
    w: Float64Array,
    alpha: number,
    l1Ratio: number,
    o: {
      readonly maxIter: number
      readonly tol: number
      readonly positive: boolean
      readonly rng: Rng | undefined
    },
  ): CdResult
}

/**
 * Prepares coordinate descent on `X`, `y`: sample weights rescaled to sum to n, centered data,
 * and either the Gram matrix or a dense column-major copy of X (sklearn's `_pre_fit`).
 *
 * @internal
 * @throws ValidationError if X holds NaN or ±Infinity.
 */
export function createCdSolver(
  X: Frame,
  y: Float64Array,
  weights: Float64Array | undefined,
  o: {
    readonly kind: string
    readonly fitIntercept: boolean
    readonly precompute: boolean | 'auto'
    readonly opts: FitOptions | undefined
  },
): CdSolver {
  const n = X.nRows
  const p = X.nColumns
  let w = weights
  if (w !== undefined) {
    let total = 0
    for (const v of w) total += v
    w = w.map((v) => v * (n / total))
  }
  const scaled = (alpha: number, l1Ratio: number): { l1: number; l2: number } => ({
    l1: alpha * l1Ratio * n,
    l2: alpha * (1 - l1Ratio) * n,
  })
  const onEpoch = (maxIter: number) => (epoch: number) => {
    fitStep(o.opts, { stage: 'coordinate descent', step: epoch + 1, total: maxIter })
  }
  const precompute = o.precompute === 'auto' ? n > p : o.precompute
  if (precompute) {
    const g = gramProblem(X, y, w, o.fitIntercept, o.kind, { signal: o.opts?.signal })
    return {
      name: 'cd-gram',
      nRows: n,
      xty: g.xty,
      xMean: g.xMean,
      yMean: g.yMean,
      run: (coef, alpha, l1Ratio, r) =>
        enetCoordinateDescentGram(g.xtx, g.xty, g.yty, p, coef, {
          ...scaled(alpha, l1Ratio),
          ...r,
          onEpoch: onEpoch(r.maxIter),
        }),
    }
  }
  const dm = designMatrix(X, y, w, o.fitIntercept, o.kind)
  const xty = new Float64Array(p)
  for (let j = 0; j < p; j++) {
    let s = 0
    for (let i = 0, c = j * n; i < n; i++) s += dm.data[c + i]! * dm.y[i]!
    xty[j] = s
  }
  return {
    name: 'cd',
    nRows: n,
    xty,
    xMean: dm.xMean,
    yMean: dm.yMean,
    run: (coef, alpha, l1Ratio, r) =>
      enetCoordinateDescent(dm.data, n, p, dm.y, coef, {
        ...scaled(alpha, l1Ratio),
        ...r,
        onEpoch: onEpoch(r.maxIter),
      }),
  }
}

/** Rebuilds a `linear.lasso` model from its JSON state. */
export const loadLasso = linearModelLoader(LASSO, LassoParamsSchema)
/** Rebuilds a `linear.elastic-net` model from its JSON state. */
export const loadElasticNet = linearModelLoader(ENET, ElasticNetParamsSchema)
