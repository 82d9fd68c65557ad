/**
 * Solving one logistic regression problem (binomial or multinomial) with the chosen solver,
 * on scikit-learn's objective so the coefficients match: `Σ swᵢ·lossᵢ + (λ₂/2)·‖w‖² + λ₁·‖w‖₁`
 * with `λ₂ = (1 − l1Ratio)/C`, `λ₁ = l1Ratio/C` (`l2`: l1Ratio 0; `l1`: 1; `none`: both 0).
 * Intercepts are never penalised. This is `1/C` times the documented
 * `C·Σ swᵢ·lossᵢ + penalty(w)`, the scale scikit-learn's `lbfgs` hands to scipy, so `tol`
 * means the same thing.
 */
import type { Rng } from '../../../core/index.js'

import { minimizeLbfgs, type QuasiNewtonIteration } from './lbfgs.js'
import type { LossData } from './logistic-kernel.js'
import type { LossEvaluator } from './loss-evaluator.js'
import { minimizeOwlqn } from './owlqn.js'
import { solveSaga } from './saga.js'

const FTOL = 2.220446049250313e-9

/** A resolved solver (after `'auto'`). */
export type Solver = 'lbfgs' | 'owlqn' | 'saga'

/** What {@link solveProblem} needs. */
export interface SolveSpec {
  readonly solver: Solver
  readonly l2: number
  readonly l1: number
  readonly fitIntercept: boolean
  readonly maxIter: number
  readonly tol: number
  readonly rng: Rng
  /** Called once per iteration or epoch; may throw (a cancellation). */
  readonly onStep?: (step: number, metrics: Readonly<Record<string, number>>) => void
}

/** The solution of one problem. */
export interface Solution {
  /** `k × (p + 1)`, class-major, intercept last (0 without an intercept). */
  readonly W: Float64Array
  readonly nIter: number
  readonly converged: boolean
  /** The stopping measure at the end: `max|g|` (quasi-Newton) or the relative change (SAGA). */
  readonly gradNorm: number
  /** The objective above at the solution (NaN for SAGA, which does not evaluate it). */
  readonly objective: number
  readonly message: string
}

/**
 * Minimises the objective for the rows of `data` (`data.k = 1`: binomial, class `positive` is
 * 1; `data.k ≥ 2`: multinomial). Quasi-Newton solvers evaluate through `ev`, which must hold
 * `data`; SAGA reads `data` directly.
 */
export function solveProblem(
  data: LossData,
  ev: LossEvaluator | undefined,
  positive: number,
  spec: SolveSpec,
): Solution {
  const { p, k } = data
  const q = p + 1
  let unit = true
  for (let i = 0; i < data.n && unit; i++) if (data.sw[i] !== 1) unit = false

  if (spec.solver === 'saga') {
    const r = solveSaga(data, {
      positive,
      fitIntercept: spec.fitIntercept,
      alpha: spec.l2 / data.n,
      beta: spec.l1 / data.n,
      maxIter: spec.maxIter,
      tol: spec.tol,
      rng: spec.rng,
      onEpoch: (e, rel) => spec.onStep?.(e, { relativeChange: rel }),
    })
    return {
      W: r.W,
      nIter: r.nIter,
      converged: r.converged,
      gradNorm: r.relativeChange,
      objective: Number.NaN,
      message: r.converged
        ? 'converged'
        : `stopped at maxIter=${spec.maxIter} with a relative change of ${r.relativeChange.toExponential(2)}`,
    }
  }
  if (ev === undefined) throw new Error('a quasi-Newton solver needs a loss evaluator')

  const nv = p + (spec.fitIntercept ? 1 : 0)
  const W = new Float64Array(k * q)
  const G = new Float64Array(k * q)
  const fg = (x: Float64Array, grad: Float64Array): number => {
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < p; j++) W[c * q + j] = x[c * nv + j]!
      W[c * q + p] = spec.fitIntercept ? x[c * nv + p]! : 0
    }
    let f = ev.evaluate(W, G, positive, unit)
    let sq = 0
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < p; j++) {
        const wj = x[c * nv + j]!
        sq += wj * wj
        grad[c * nv + j] = G[c * q + j]! + spec.l2 * wj
      }
      if (spec.fitIntercept) grad[c * nv + p] = G[c * q + p]!
    }
    f += 0.5 * spec.l2 * sq
    return f
  }
  const onIteration = (it: QuasiNewtonIteration): void =>
    spec.onStep?.(it.iter, { objective: it.f, gradNorm: it.gradNorm })
  // scipy's relative-decrease stop (factr·epsmch = 2.2e-9) at scikit-learn's default tol and
  // above, so the default fit takes scikit-learn's iterations; scaled down with a tighter tol, so
  // that asking for one gives a more accurate solution (scikit-learn keeps it fixed).
  const ftol = FTOL * Math.min(1, spec.tol / 1e-4)
  const options = { maxIter: spec.maxIter, gtol: spec.tol, ftol, onIteration }
  const x0 = new Float64Array(k * nv)
  let r
  if (spec.solver === 'lbfgs') {
    r = minimizeLbfgs(fg, x0, options)
  } else {
    const l1 = new Float64Array(k * nv)
    for (let c = 0; c < k; c++) for (let j = 0; j < p; j++) l1[c * nv + j] = spec.l1
    r = minimizeOwlqn(fg, x0, l1, options)
  }
  const out = new Float64Array(k * q)
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < p; j++) out[c * q + j] = r.x[c * nv + j]!
    if (spec.fitIntercept) out[c * q + p] = r.x[c * nv + p]!
  }
  return {
    W: out,
    nIter: r.nIter,
    converged: r.converged,
    gradNorm: r.gradNorm,
    objective: r.f,
    message: r.message,
  }
}
