/**
 * SAGA for L2, L1 and elastic-net logistic regression (binomial or multinomial), the
 * stochastic solver of scikit-learn's `saga`.
 *
 * ## Method
 * Minimises `(1/n)·Σ swᵢ·lossᵢ + (α/2)·‖w‖² + β·‖w‖₁` (intercepts unpenalised). Each step draws a
 * row `i` uniformly with replacement, computes the derivative of its loss with respect to the
 * margins, replaces the stored derivative of that row (the gradient memory: `k` numbers per row
 * for a linear model), and moves the weights by the correction `(new − old)·xᵢ` plus the
 * average of the stored gradients, then applies the L1 proximal step (soft-thresholding). The
 * average runs over the rows seen so far during the first pass. Step size
 * `1 / (2L + min(2nα, L))` with `L = 0.25·max(swᵢ)·(max‖xᵢ‖² + 1) + α` (scikit-learn's
 * `get_auto_step_size`, with the largest row weight folded in so weighted rows cannot make it
 * diverge). Stops after an epoch whose largest coefficient change is at most
 * `tol × max|coefficient|`, as scikit-learn does.
 *
 * ## References
 * - A. Defazio, F. Bach, S. Lacoste-Julien. "SAGA: A fast incremental gradient method with support
 *   for non-strongly convex composite objectives". NeurIPS 2014.
 * - scikit-learn 1.2 `sklearn/linear_model/_sag.py`, `_sag_fast.pyx.tp`.
 */
import type { Rng } from '../../../core/index.js'

import type { LossData } from './logistic-kernel.js'

/** The problem and options of {@link solveSaga}. */
export interface SagaOptions {
  readonly positive: number
  readonly fitIntercept: boolean
  /** L2 strength `α` of the per-row-averaged objective. */
  readonly alpha: number
  /** L1 strength `β` of the per-row-averaged objective. */
  readonly beta: number
  readonly maxIter: number
  readonly tol: number
  readonly rng: Rng
  /** Called after every epoch; may throw (a cancellation). */
  readonly onEpoch?: (epoch: number, relativeChange: number) => void
}

/** The outcome of {@link solveSaga}. */
export interface SagaResult {
  /** `k × (p + 1)`, class-major, intercept last. */
  readonly W: Float64Array
  readonly nIter: number
  readonly converged: boolean
  /** The last epoch's `max|Δw| / max|w|`. */
  readonly relativeChange: number
}

/** Runs SAGA on `data` (`k = 1`: binomial with class `positive` as 1). */
export function solveSaga(data: LossData, o: SagaOptions): SagaResult {
  const { X, y, sw, n, p } = data
  const k = data.k
  const q = p + 1
  const W = new Float64Array(k * q)
  const prev = new Float64Array(k * q)
  const memory = new Float64Array(n * k)
  const sumGrad = new Float64Array(k * q)
  const seen = new Uint8Array(n)
  const z = new Float64Array(k)
  const delta = new Float64Array(k)

  let maxSq = 0
  let maxW = 0
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < p; j++) s += X[i * p + j]! ** 2
    if (s > maxSq) maxSq = s
    if (sw[i]! > maxW) maxW = sw[i]!
  }
  const L = 0.25 * maxW * (maxSq + (o.fitIntercept ? 1 : 0)) + o.alpha
  const step = 1 / (2 * L + Math.min(2 * n * o.alpha, L))
  const shrink = step * o.beta
  let nSeen = 0
  let epoch = 0
  let converged = false
  let rel = Number.POSITIVE_INFINITY
  while (epoch < o.maxIter) {
    prev.set(W)
    for (let it = 0; it < n; it++) {
      const i = o.rng.int(n)
      if (seen[i] === 0) {
        seen[i] = 1
        nSeen++
      }
      const off = i * p
      const w = sw[i]!
      for (let c = 0; c < k; c++) {
        let s = W[c * q + p]!
        for (let j = 0; j < p; j++) s += X[off + j]! * W[c * q + j]!
        z[c] = s
      }
      if (k === 1) {
        const zi = z[0]!
        const ez = Math.exp(-Math.abs(zi))
        const prob = (zi >= 0 ? 1 : ez) / (1 + ez)
        delta[0] = w * (prob - (y[i] === o.positive ? 1 : 0))
      } else {
        let zmax = z[0]!
        for (let c = 1; c < k; c++) if (z[c]! > zmax) zmax = z[c]!
        let sum = 0
        for (let c = 0; c < k; c++) {
          z[c] = Math.exp(z[c]! - zmax)
          sum += z[c]!
        }
        for (let c = 0; c < k; c++) delta[c] = w * (z[c]! / sum - (y[i] === c ? 1 : 0))
      }
      const inv = 1 / nSeen
      for (let c = 0; c < k; c++) {
        const g = delta[c]!
        const corr = g - memory[i * k + c]!
        memory[i * k + c] = g
        const wo = c * q
        for (let j = 0; j < p; j++) {
          const xj = X[off + j]!
          sumGrad[wo + j]! += corr * xj
          let v = W[wo + j]! - step * (corr * xj + sumGrad[wo + j]! * inv + o.alpha * W[wo + j]!)
          if (shrink > 0) v = v > shrink ? v - shrink : v < -shrink ? v + shrink : 0
          W[wo + j] = v
        }
        sumGrad[wo + p]! += corr
        if (o.fitIntercept) W[wo + p]! -= step * (corr + sumGrad[wo + p]! * inv)
      }
    }
    epoch++
    let maxChange = 0
    let maxWeight = 0
    for (let t = 0; t < W.length; t++) {
      maxChange = Math.max(maxChange, Math.abs(W[t]! - prev[t]!))
      maxWeight = Math.max(maxWeight, Math.abs(W[t]!))
    }
    rel = maxWeight > 0 ? maxChange / maxWeight : maxChange === 0 ? 0 : Number.POSITIVE_INFINITY
    o.onEpoch?.(epoch, rel)
    if (rel <= o.tol) {
      converged = true
      break
    }
  }
  return { W, nIter: epoch, converged, relativeChange: rel }
}
