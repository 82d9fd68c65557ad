/**
 * Limited-memory BFGS for smooth unconstrained minimisation, following scipy's L-BFGS-B
 * (without bounds) step for step, so a model fitted here takes the iterations scikit-learn's
 * `lbfgs` solver takes.
 *
 * ## Method
 * The search direction is `−H·g`, with `H` the L-BFGS inverse-Hessian approximation from the
 * last `memory` pairs `(s, y)` (two-loop recursion, `H₀ = (sᵀy / yᵀy)·I`), which for an
 * unconstrained problem is the direction L-BFGS-B's compact form gives. The first step is
 * `1/‖g‖₂` along `−g`, later ones start at 1; the step is found by the Moré–Thuente search with
 * L-BFGS-B's constants (`ftol = 1e-3`, `gtol = 0.9`, `xtol = 0.1`, at most 20 evaluations). A pair
 * with `sᵀy ≤ ε·(−gᵀd)·stp` is skipped. A failed line search restarts from steepest descent
 * with an empty memory; failing again with an empty memory ends the run. It stops when
 * `max|gᵢ| ≤ gtol`, when `(f_old − f) ≤ ftol·max(|f_old|, |f|, 1)` (scipy's `factr·epsmch`),
 * or at `maxIter` iterations / `maxFun` evaluations.
 *
 * ## References
 * - D. C. Liu, J. Nocedal. "On the limited memory BFGS method for large scale optimization".
 *   Mathematical Programming 45, 1989, 503–528.
 * - R. H. Byrd, P. Lu, J. Nocedal, C. Zhu. "A limited memory algorithm for bound constrained
 *   optimization". SIAM J. Sci. Comput. 16(5), 1995 (L-BFGS-B; scipy's `lbfgsb.f` 3.0).
 * - J. Nocedal, S. J. Wright. *Numerical Optimization*, 2nd ed., Algorithm 7.4.
 *
 * @example
 * ```ts
 * // Rosenbrock: f = (1 − x)² + 100 (y − x²)², minimum at (1, 1).
 * const r = minimizeLbfgs((x, g) => {
 *   const a = 1 - x[0]!, b = x[1]! - x[0]! ** 2
 *   g[0] = -2 * a - 400 * x[0]! * b
 *   g[1] = 200 * b
 *   return a * a + 100 * b * b
 * }, Float64Array.of(-1.2, 1))
 * // r.converged === true, r.x ≈ [1, 1]
 * ```
 */
import { MoreThuenteSearch } from './line-search.js'

/** An objective: writes the gradient at `x` into `grad` and returns the value. */
export type Objective = (x: Float64Array, grad: Float64Array) => number

/** Per-iteration report of {@link minimizeLbfgs} (and {@link minimizeOwlqn}). */
export interface QuasiNewtonIteration {
  /** Iterations done (1 after the first accepted step). */
  readonly iter: number
  readonly f: number
  /** The stopping measure: `max|gᵢ|` (the pseudo-gradient for OWL-QN). */
  readonly gradNorm: number
  /** The current point; read it, do not keep it (it is updated in place). */
  readonly x: Float64Array
}

/** Options of {@link minimizeLbfgs}. */
export interface LbfgsOptions {
  /** Number of correction pairs kept. @default 10 (scipy's `maxcor`) */
  readonly memory?: number
  /** @default 15000 */
  readonly maxIter?: number
  /** Maximum objective evaluations. @default 15000 */
  readonly maxFun?: number
  /** Stop when `max|gᵢ| ≤ gtol`. @default 1e-5 */
  readonly gtol?: number
  /** Stop when the relative decrease of f is at most this (scipy's `factr·epsmch`). @default 2.220446049250313e-9 */
  readonly ftol?: number
  /** Maximum evaluations in one line search. @default 20 */
  readonly maxLineSearch?: number
  /** Called after every iteration; may throw (a cancellation) to end the run. */
  readonly onIteration?: (it: QuasiNewtonIteration) => void
}

/** Why a quasi-Newton run stopped. */
export type QuasiNewtonStatus = 'gtol' | 'ftol' | 'maxIter' | 'maxFun' | 'lineSearch' | 'nonFinite'

/** The outcome of {@link minimizeLbfgs} or {@link minimizeOwlqn}. */
export interface QuasiNewtonResult {
  readonly x: Float64Array
  readonly f: number
  /** The gradient of the smooth part at `x`. */
  readonly grad: Float64Array
  readonly nIter: number
  readonly nFev: number
  /** True when it stopped on `gtol` or `ftol`. */
  readonly converged: boolean
  readonly status: QuasiNewtonStatus
  /** `max|gᵢ|` at `x` (the pseudo-gradient for OWL-QN). */
  readonly gradNorm: number
  /** A one-line explanation of the status. */
  readonly message: string
}

const EPSMCH = 2.220446049250313e-16
const STPMAX = 1e10

/**
 * The L-BFGS memory: the last `m` pairs `(s, y)` and the two-loop product with the inverse
 * Hessian approximation.
 *
 * @internal Shared by {@link minimizeLbfgs} and {@link minimizeOwlqn}.
 */
export class LbfgsHistory {
  private readonly s: Float64Array
  private readonly y: Float64Array
  private readonly rho: Float64Array
  private readonly alpha: Float64Array
  private head = 0
  /** Pairs held. */
  count = 0
  private gamma = 1

  constructor(
    private readonly n: number,
    private readonly m: number,
  ) {
    this.s = new Float64Array(n * m)
    this.y = new Float64Array(n * m)
    this.rho = new Float64Array(m)
    this.alpha = new Float64Array(m)
  }

  reset(): void {
    this.head = 0
    this.count = 0
    this.gamma = 1
  }

  /** Stores a pair; `sy = sᵀy > 0` and `yy = yᵀy` are passed in because the caller has them. */
  push(s: Float64Array, y: Float64Array, sy: number, yy: number): void {
    const slot = (this.head + this.count) % this.m
    if (this.count < this.m) this.count++
    else this.head = (this.head + 1) % this.m
    this.s.set(s, slot * this.n)
    this.y.set(y, slot * this.n)
    this.rho[slot] = 1 / sy
    this.gamma = sy / yy
  }

  /** `d = −H·g` (two-loop recursion). With no pairs, `d = −g`. */
  direction(g: Float64Array, d: Float64Array): void {
    const n = this.n
    for (let i = 0; i < n; i++) d[i] = -g[i]!
    const { s, y, rho, alpha } = this
    for (let k = this.count - 1; k >= 0; k--) {
      const slot = (this.head + k) % this.m
      const off = slot * n
      let a = 0
      for (let i = 0; i < n; i++) a += s[off + i]! * d[i]!
      a *= rho[slot]!
      alpha[slot] = a
      for (let i = 0; i < n; i++) d[i]! -= a * y[off + i]!
    }
    const gamma = this.gamma
    for (let i = 0; i < n; i++) d[i]! *= gamma
    for (let k = 0; k < this.count; k++) {
      const slot = (this.head + k) % this.m
      const off = slot * n
      let b = 0
      for (let i = 0; i < n; i++) b += y[off + i]! * d[i]!
      b *= rho[slot]!
      const c = alpha[slot]! - b
      for (let i = 0; i < n; i++) d[i]! += c * s[off + i]!
    }
  }
}

/** `Σ aᵢ·bᵢ`. @internal */
export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!
  return s
}

/** `max|aᵢ|` (NaN if any entry is NaN). @internal */
export function maxAbs(a: Float64Array): number {
  let m = 0
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!)
    if (!(v <= m)) m = v
  }
  return m
}

/** Whether every entry is finite. @internal */
export function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false
  return true
}

/**
 * Minimises a smooth function with L-BFGS (scipy's L-BFGS-B without bounds).
 *
 * Never throws for numerical trouble: a non-finite objective at the start, a line search that
 * cannot make progress, or the iteration limits end the run with `converged: false` and the
 * best point found. Errors thrown by `fg` or `onIteration` propagate.
 */
export function minimizeLbfgs(
  fg: Objective,
  x0: Float64Array,
  options: LbfgsOptions = {},
): QuasiNewtonResult {
  const n = x0.length
  const m = options.memory ?? 10
  const maxIter = options.maxIter ?? 15000
  const maxFun = options.maxFun ?? 15000
  const gtol = options.gtol ?? 1e-5
  const ftol = options.ftol ?? 2.220446049250313e-9
  const maxLs = options.maxLineSearch ?? 20

  const x = Float64Array.from(x0)
  const g = new Float64Array(n)
  const xOld = new Float64Array(n)
  const gOld = new Float64Array(n)
  const d = new Float64Array(n)
  const s = new Float64Array(n)
  const yv = new Float64Array(n)
  const hist = new LbfgsHistory(n, m)
  const search = new MoreThuenteSearch(1e-3, 0.9, 0.1, 0, STPMAX)

  let f = fg(x, g)
  let nFev = 1
  let iter = 0
  const done = (status: QuasiNewtonStatus, message: string): QuasiNewtonResult => ({
    x,
    f,
    grad: g,
    nIter: iter,
    nFev,
    converged: status === 'gtol' || status === 'ftol',
    status,
    gradNorm: maxAbs(g),
    message,
  })
  if (!Number.isFinite(f) || !allFinite(g))
    return done('nonFinite', 'the objective or its gradient is not finite at the start')
  if (maxAbs(g) <= gtol) return done('gtol', 'the gradient is already within gtol')

  for (;;) {
    hist.direction(g, d)
    const gd0 = dot(g, d)
    let ok = gd0 < 0
    const fOld = f
    let stp = 0
    if (ok) {
      xOld.set(x)
      gOld.set(g)
      const dnorm = Math.sqrt(dot(d, d))
      const stp0 = iter === 0 && hist.count === 0 ? Math.min(1 / dnorm, STPMAX) : 1
      let task = search.start(stp0, f, gd0)
      let nLs = 0
      while (task === 'evaluate') {
        if (nLs >= maxLs) {
          ok = false
          break
        }
        stp = search.stp
        for (let i = 0; i < n; i++) x[i] = xOld[i]! + stp * d[i]!
        f = fg(x, g)
        nFev++
        nLs++
        if (!Number.isFinite(f) || !allFinite(g)) {
          search.shrink()
          continue
        }
        task = search.next(f, dot(g, d))
      }
      // A finished search (converged or warning) ends on the step it evaluated last.
      if (task === 'error') ok = false
    }
    if (!ok) {
      if (gd0 < 0) {
        x.set(xOld)
        g.set(gOld)
        f = fOld
      }
      if (hist.count === 0) {
        iter++
        return done('lineSearch', 'the line search could not make progress')
      }
      hist.reset()
      continue
    }
    iter++
    const gnorm = maxAbs(g)
    options.onIteration?.({ iter, f, gradNorm: gnorm, x })
    if (gnorm <= gtol) return done('gtol', `max|g| = ${gnorm.toExponential(2)} ≤ gtol`)
    if (fOld - f <= ftol * Math.max(Math.abs(fOld), Math.abs(f), 1))
      return done('ftol', 'the relative reduction of f is within ftol')
    if (iter >= maxIter)
      return done(
        'maxIter',
        `stopped at maxIter=${maxIter} with max|g| = ${gnorm.toExponential(2)}`,
      )
    if (nFev >= maxFun)
      return done(
        'maxFun',
        `stopped after ${nFev} evaluations with max|g| = ${gnorm.toExponential(2)}`,
      )
    for (let i = 0; i < n; i++) {
      s[i] = stp * d[i]!
      yv[i] = g[i]! - gOld[i]!
    }
    const sy = dot(s, yv)
    if (sy > EPSMCH * -gd0 * stp) hist.push(s, yv, sy, dot(yv, yv))
  }
}
