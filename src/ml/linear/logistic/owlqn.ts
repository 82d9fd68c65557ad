/**
 * OWL-QN: L-BFGS for a smooth function plus a weighted L1 norm, `F(x) = f(x) + Σ λᵢ·|xᵢ|`
 * (L1 and elastic-net logistic regression).
 *
 * ## Method
 * Orthant-wise limited-memory quasi-Newton (Andrew and Gao). At `x`, the pseudo-gradient
 * `◇F` is the gradient of `F` where it is differentiable and the minimum-norm subgradient at
 * zeros (0 when `|∂f/∂xᵢ| ≤ λᵢ`). The L-BFGS direction is computed from `−◇F` with the memory
 * of the smooth part's `(s, y)` pairs, then zeroed where it disagrees in sign with `−◇F`. A
 * backtracking line search (halving, Armijo constant 1e-4 on `◇Fᵀ(x₊ − x)`) projects each trial
 * point onto the orthant of `x` (coordinates that would cross zero are set to 0), so exact
 * zeros appear. Coordinates with `λᵢ = 0` (an intercept) are never projected. It stops when
 * `max|◇Fᵢ| ≤ gtol`, on the relative decrease `ftol` of `F`, or at the limits, like
 * {@link minimizeLbfgs}.
 *
 * ## References
 * - G. Andrew, J. Gao. "Scalable training of L1-regularized log-linear models". ICML 2007.
 *
 * @example
 * ```ts
 * // min (x − 3)² + 2·|x|  →  x = 2
 * const r = minimizeOwlqn((x, g) => { g[0] = 2 * (x[0]! - 3); return (x[0]! - 3) ** 2 },
 *   Float64Array.of(0), Float64Array.of(2))
 * // r.x[0] ≈ 2
 * ```
 */
import {
  LbfgsHistory,
  allFinite,
  dot,
  maxAbs,
  type LbfgsOptions,
  type Objective,
  type QuasiNewtonResult,
  type QuasiNewtonStatus,
} from './lbfgs.js'

const EPSMCH = 2.220446049250313e-16

/** The pseudo-gradient of `f + Σ λᵢ|xᵢ|` at `x`, with `g = ∇f(x)`, into `out`. @internal */
export function pseudoGradient(
  x: Float64Array,
  g: Float64Array,
  l1: Float64Array,
  out: Float64Array,
): void {
  for (let i = 0; i < x.length; i++) {
    const lam = l1[i]!
    const xi = x[i]!
    const gi = g[i]!
    if (lam === 0) out[i] = gi
    else if (xi > 0) out[i] = gi + lam
    else if (xi < 0) out[i] = gi - lam
    else if (gi + lam < 0) out[i] = gi + lam
    else if (gi - lam > 0) out[i] = gi - lam
    else out[i] = 0
  }
}

function l1Norm(x: Float64Array, l1: Float64Array): number {
  let s = 0
  for (let i = 0; i < x.length; i++) s += l1[i]! * Math.abs(x[i]!)
  return s
}

/**
 * Minimises `f(x) + Σ l1ᵢ·|xᵢ|` (`l1ᵢ ≥ 0`) with OWL-QN. The result's `f` is the full
 * objective, `grad` the gradient of the smooth part and `gradNorm` the max-norm of the
 * pseudo-gradient. With all `l1ᵢ = 0` it is plain L-BFGS with a backtracking search.
 *
 * Never throws for numerical trouble (see {@link minimizeLbfgs}).
 */
export function minimizeOwlqn(
  fg: Objective,
  x0: Float64Array,
  l1: Float64Array,
  options: LbfgsOptions = {},
): QuasiNewtonResult {
  const n = x0.length
  const maxIter = options.maxIter ?? 15000
  const maxFun = options.maxFun ?? 15000
  const gtol = options.gtol ?? 1e-5
  const ftol = options.ftol ?? 2.220446049250313e-9
  const maxLs = Math.max(options.maxLineSearch ?? 20, 40)

  const x = Float64Array.from(x0)
  const g = new Float64Array(n)
  const pg = new Float64Array(n)
  const xNew = new Float64Array(n)
  const gNew = new Float64Array(n)
  const d = new Float64Array(n)
  const s = new Float64Array(n)
  const yv = new Float64Array(n)
  const hist = new LbfgsHistory(n, options.memory ?? 10)

  let F = fg(x, g) + l1Norm(x, l1)
  let nFev = 1
  let iter = 0
  pseudoGradient(x, g, l1, pg)
  const done = (status: QuasiNewtonStatus, message: string): QuasiNewtonResult => ({
    x,
    f: F,
    grad: g,
    nIter: iter,
    nFev,
    converged: status === 'gtol' || status === 'ftol',
    status,
    gradNorm: maxAbs(pg),
    message,
  })
  if (!Number.isFinite(F) || !allFinite(g))
    return done('nonFinite', 'the objective or its gradient is not finite at the start')
  if (maxAbs(pg) <= gtol) return done('gtol', 'the pseudo-gradient is already within gtol')

  for (;;) {
    hist.direction(pg, d)
    // Keep only the components that descend along −◇F (Andrew and Gao's projection π(d; −◇F)).
    for (let i = 0; i < n; i++) if (l1[i]! !== 0 && d[i]! * pg[i]! >= 0) d[i] = 0
    let dd = dot(pg, d)
    if (!(dd < 0)) {
      for (let i = 0; i < n; i++) d[i] = -pg[i]!
      hist.reset()
      dd = dot(pg, d)
    }
    const dnorm = Math.sqrt(dot(d, d))
    // Without curvature information the scale of −◇F is unknown: start at unit length.
    let alpha = hist.count === 0 ? Math.min(1 / dnorm, 1e10) : 1
    let Fnew = Number.NaN
    let accepted = false
    for (let ls = 0; ls < maxLs; ls++) {
      for (let i = 0; i < n; i++) {
        const xi = x[i]!
        let v = xi + alpha * d[i]!
        if (l1[i]! !== 0) {
          // The orthant of x (or of −◇F at a zero): a coordinate may reach zero, not cross it.
          const orth = xi !== 0 ? Math.sign(xi) : -Math.sign(pg[i]!)
          if (Math.sign(v) !== orth) v = 0
        }
        xNew[i] = v
      }
      Fnew = fg(xNew, gNew) + l1Norm(xNew, l1)
      nFev++
      let decrease = 0
      for (let i = 0; i < n; i++) decrease += pg[i]! * (xNew[i]! - x[i]!)
      if (Number.isFinite(Fnew) && allFinite(gNew) && Fnew <= F + 1e-4 * decrease) {
        accepted = true
        break
      }
      alpha *= 0.5
    }
    if (!accepted) {
      if (hist.count === 0) {
        iter++
        return done('lineSearch', 'the line search could not make progress')
      }
      hist.reset()
      continue
    }
    iter++
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!
      yv[i] = gNew[i]! - g[i]!
    }
    const Fold = F
    x.set(xNew)
    g.set(gNew)
    F = Fnew
    pseudoGradient(x, g, l1, pg)
    const pgNorm = maxAbs(pg)
    options.onIteration?.({ iter, f: F, gradNorm: pgNorm, x })
    if (pgNorm <= gtol) return done('gtol', `max|◇F| = ${pgNorm.toExponential(2)} ≤ gtol`)
    if (Fold - F <= ftol * Math.max(Math.abs(Fold), Math.abs(F), 1))
      return done('ftol', 'the relative reduction of F is within ftol')
    if (iter >= maxIter)
      return done(
        'maxIter',
        `stopped at maxIter=${maxIter} with max|◇F| = ${pgNorm.toExponential(2)}`,
      )
    if (nFev >= maxFun)
      return done(
        'maxFun',
        `stopped after ${nFev} evaluations with max|◇F| = ${pgNorm.toExponential(2)}`,
      )
    const sy = dot(s, yv)
    if (sy > EPSMCH * dot(yv, yv)) hist.push(s, yv, sy, dot(yv, yv))
  }
}
