/**
 * Regularisation paths: the lasso or elastic net fitted along a decreasing grid of alphas, each
 * fit warm-started from the previous one (sklearn's `lasso_path` and `enet_path`).
 */
import { z } from 'zod'

import { ValidationError, createRng } from '../../../core/index.js'
import type { Column, Frame } from '../../../frame/index.js'
import { parseParams } from '../../base/index.js'

import type { LinearFitOptions } from './design.js'
import { CD_SOLVER_FIELDS, createCdSolver } from './elastic-net.js'
import { interceptOf, readFitInput } from './problem.js'

/** Options of {@link enetPath} (sklearn's `enet_path` arguments in camelCase). */
export const EnetPathOptionsSchema = z.strictObject({
  /** The L1 share of the penalty. @default 0.5 (1 for {@link lassoPath}) */
  l1Ratio: z.number().min(0).max(1).default(0.5),
  /** The grid spans `[eps·alphaMax, alphaMax]`. @default 1e-3 */
  eps: z.number().positive().default(1e-3),
  /** Grid size. @default 100 */
  nAlphas: z.int().min(1).default(100),
  /** An explicit grid (sorted decreasing before use) instead of `eps`/`nAlphas`. */
  alphas: z.array(z.number().min(0)).min(1).optional(),
  /**
   * Center X and y first and report intercepts. sklearn's path functions expect centered data
   * and do not center: the default `false` matches them.
   * @default false
   */
  fitIntercept: z.boolean().default(false),
  ...CD_SOLVER_FIELDS,
})
/** Options of {@link enetPath} as given. */
export type EnetPathOptions = z.input<typeof EnetPathOptionsSchema>

/** A fitted path: entry `k` of every array belongs to `alphas[k]`. */
export interface EnetPath {
  /** Decreasing. */
  readonly alphas: Float64Array
  /** One coefficient vector per alpha (in the column order of X). */
  readonly coefs: readonly Float64Array[]
  /** The intercept per alpha (all 0 unless `fitIntercept`). */
  readonly intercepts: Float64Array
  /** sklearn's `dual_gaps`: the final duality gap per alpha, divided by n. */
  readonly dualGaps: Float64Array
  readonly nIters: Int32Array
  readonly converged: readonly boolean[]
}

const KIND = 'linear.enet-path'
const RESOLUTION = 1e-15 // numpy's finfo(float).resolution

/**
 * Fits the elastic net along a grid of alphas, largest first, each fit starting from the
 * previous coefficients. The default grid is sklearn's `_alpha_grid`: `nAlphas` values spaced
 * evenly in log from `alphaMax = max|Xᵀy| / (n·l1Ratio)` (the smallest alpha whose solution is
 * all zeros) down to `eps·alphaMax`.
 *
 * @throws ValidationError for bad options or data, or `l1Ratio = 0` without `alphas`.
 * @example
 * ```ts
 * const path = lassoPath(X, y, { nAlphas: 20, fitIntercept: true })
 * path.coefs[19] // the least regularised fit
 * ```
 */
export function enetPath(
  X: Frame,
  y: Column,
  options: EnetPathOptions & Pick<LinearFitOptions, 'sampleWeight' | 'signal' | 'onProgress'> = {},
): EnetPath {
  const { sampleWeight, signal, onProgress, ...rest } = options
  const fitOpts: LinearFitOptions = {
    ...(sampleWeight === undefined ? {} : { sampleWeight }),
    ...(signal === undefined ? {} : { signal }),
    ...(onProgress === undefined ? {} : { onProgress }),
  }
  const o = parseParams(KIND, EnetPathOptionsSchema, rest)
  const input = readFitInput(X, y, fitOpts, KIND)
  const solver = createCdSolver(X, input.y, input.w, {
    kind: KIND,
    fitIntercept: o.fitIntercept,
    precompute: o.precompute,
    opts: fitOpts,
  })
  const alphas =
    o.alphas === undefined ? alphaGrid(solver.xty, solver.nRows, o) : sortedDesc(o.alphas)
  const rng = o.selection === 'random' ? createRng(o.seed) : undefined
  const w = new Float64Array(X.nColumns)
  const k = alphas.length
  const coefs: Float64Array[] = []
  const intercepts = new Float64Array(k)
  const dualGaps = new Float64Array(k)
  const nIters = new Int32Array(k)
  const converged: boolean[] = []
  for (let i = 0; i < k; i++) {
    const r = solver.run(w, alphas[i]!, o.l1Ratio, { ...o, rng })
    coefs.push(Float64Array.from(w))
    intercepts[i] = interceptOf(solver.xMean, solver.yMean, w, o.fitIntercept)
    dualGaps[i] = r.gap / solver.nRows
    nIters[i] = r.nIter
    converged.push(r.converged)
  }
  return { alphas, coefs, intercepts, dualGaps, nIters, converged }
}

/**
 * {@link enetPath} with `l1Ratio = 1` (sklearn's `lasso_path`).
 *
 * @example
 * ```ts
 * const { alphas, coefs } = lassoPath(X, y)
 * ```
 */
export function lassoPath(
  X: Frame,
  y: Column,
  options: Omit<EnetPathOptions, 'l1Ratio'> &
    Pick<LinearFitOptions, 'sampleWeight' | 'signal' | 'onProgress'> = {},
): EnetPath {
  return enetPath(X, y, { ...options, l1Ratio: 1 })
}

function sortedDesc(a: readonly number[]): Float64Array {
  return Float64Array.from(a).sort().reverse()
}

function alphaGrid(
  xty: Float64Array,
  n: number,
  o: { readonly l1Ratio: number; readonly eps: number; readonly nAlphas: number },
): Float64Array {
  if (o.l1Ratio === 0) {
    throw new ValidationError('an automatic alpha grid needs l1Ratio > 0', [
      {
        path: ['params', 'alphas'],
        code: 'required',
        message: 'give alphas explicitly when l1Ratio is 0',
      },
    ])
  }
  let max = 0
  for (const v of xty) max = Math.max(max, Math.abs(v))
  const alphaMax = max / (n * o.l1Ratio)
  const out = new Float64Array(o.nAlphas)
  if (alphaMax <= RESOLUTION) return out.fill(RESOLUTION)
  // numpy's logspace: 10 ** linspace(log10(alphaMax·eps), log10(alphaMax)), largest first.
  const lo = Math.log10(alphaMax * o.eps)
  const hi = Math.log10(alphaMax)
  const k = o.nAlphas
  const step = k > 1 ? (hi - lo) / (k - 1) : 0
  for (let i = 0; i < k; i++) out[k - 1 - i] = 10 ** (i === k - 1 && k > 1 ? hi : lo + i * step)
  return out
}
