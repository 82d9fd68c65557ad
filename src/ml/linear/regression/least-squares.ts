/**
 * Least-squares solvers on a centered design matrix: the SVD route (minimum-norm solutions for
 * rank-deficient or ill-conditioned data, and ridge's `svd` solver), and LSQR.
 *
 * @internal
 */
import type { DesignMatrix } from './design.js'
import { applyQ, applyQt, extractR, householderQr, jacobiSvd } from './linalg.js'

/** The result of {@link svdSolve}. */
export interface SvdSolution {
  readonly coef: Float64Array
  /** Singular values of the design matrix. */
  readonly singular: Float64Array
  /** How many singular values the filter kept (non-zero factor). */
  readonly rank: number
}

/**
 * Solves `min ‖y − A w‖` through the thin SVD `A = U S Vᵀ`: `w = V diag(f(s)) Uᵀ y`, where
 * `factor(s, sMax)` gives `1/s` for least squares (0 below a cutoff: the minimum-norm solution),
 * or `s / (s² + α)` for ridge.
 *
 * ## Method
 * Householder QR first (of `A` when `n ≥ p`, of `Aᵀ` otherwise), then a one-sided Jacobi SVD of
 * the small square factor: the accuracy of LAPACK's `gelsd` (used by scipy's `lstsq`) at O(np²).
 *
 * ## References
 * - G. H. Golub, C. F. Van Loan (2013), *Matrix Computations*, 4th ed., §5.5 (rank-deficient LS).
 */
export function svdSolve(
  dm: DesignMatrix,
  factor: (s: number, sMax: number) => number,
): SvdSolution {
  const { nRows: n, nCols: p } = dm
  if (n >= p) {
    const a = Float64Array.from(dm.data)
    const tau = householderQr(a, n, p)
    const qty = Float64Array.from(dm.y)
    applyQt(a, tau, n, p, qty)
    const { u, s, v } = jacobiSvd(extractR(a, n, p), p, p)
    const d = factors(s, factor)
    const coef = new Float64Array(p)
    for (let k = 0; k < p; k++) {
      if (d.f[k] === 0) continue
      let c = 0
      for (let i = 0; i < p; i++) c += u[k * p + i]! * qty[i]!
      c *= d.f[k]!
      for (let j = 0; j < p; j++) coef[j] = coef[j]! + v[k * p + j]! * c
    }
    return { coef, singular: s, rank: d.rank }
  }
  // Wide: Aᵀ = Q R, so A = Rᵀ Qᵀ and with Rᵀ = U S Vᵀ, w = Q V diag(f) Uᵀ y.
  const at = new Float64Array(p * n)
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) at[i * p + j] = dm.data[j * n + i]!
  const tau = householderQr(at, p, n)
  const r = extractR(at, p, n)
  const rt = new Float64Array(n * n)
  for (let c = 0; c < n; c++) for (let i = 0; i < n; i++) rt[c * n + i] = r[i * n + c]!
  const { u, s, v } = jacobiSvd(rt, n, n)
  const d = factors(s, factor)
  const t = new Float64Array(p)
  for (let k = 0; k < n; k++) {
    if (d.f[k] === 0) continue
    let c = 0
    for (let i = 0; i < n; i++) c += u[k * n + i]! * dm.y[i]!
    c *= d.f[k]!
    for (let j = 0; j < n; j++) t[j] = t[j]! + v[k * n + j]! * c
  }
  applyQ(at, tau, p, n, t)
  return { coef: t, singular: s, rank: d.rank }
}

function factors(
  s: Float64Array,
  factor: (s: number, sMax: number) => number,
): { f: Float64Array; rank: number } {
  let sMax = 0
  for (const v of s) sMax = Math.max(sMax, v)
  const f = s.map((v) => factor(v, sMax))
  let rank = 0
  for (const v of f) if (v !== 0) rank++
  return { f, rank }
}

/** The result of {@link lsqr}. */
export interface LsqrResult {
  readonly x: Float64Array
  /** scipy's `istop`: 1–3 converged, 4–6 reached machine precision, 7 hit the iteration limit. */
  readonly istop: number
  readonly nIter: number
}

const EPS = 2.220446049250313e-16

/**
 * Damped least squares `min ‖y − A x‖² + damp²‖x‖²` by LSQR, a port of
 * `scipy.sparse.linalg.lsqr` (what sklearn's Ridge `solver='lsqr'` calls with
 * `damp = √alpha`, `atol = btol = tol`).
 *
 * ## References
 * - C. C. Paige, M. A. Saunders (1982), "LSQR: An algorithm for sparse linear equations and
 *   sparse least squares", ACM TOMS 8(1).
 */
export function lsqr(
  dm: DesignMatrix,
  damp: number,
  atol: number,
  btol: number,
  iterLim: number,
  conlim = 1e8,
): LsqrResult {
  const { nRows: m, nCols: n, data: A } = dm
  const matvec = (v: Float64Array, out: Float64Array): void => {
    out.fill(0)
    for (let j = 0; j < n; j++) {
      const vj = v[j]!
      if (vj !== 0) for (let i = 0, c = j * m; i < m; i++) out[i] = out[i]! + vj * A[c + i]!
    }
  }
  const rmatvec = (u: Float64Array, out: Float64Array): void => {
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let i = 0, c = j * m; i < m; i++) s += A[c + i]! * u[i]!
      out[j] = s
    }
  }
  const norm = (a: Float64Array): number => {
    let s = 0
    for (const v of a) s += v * v
    return Math.sqrt(s)
  }
  const x = new Float64Array(n)
  const ctol = conlim > 0 ? 1 / conlim : 0
  const dampsq = damp * damp
  let anorm = 0
  let acond = 0
  let ddnorm = 0
  let res2 = 0
  let xnorm = 0
  let xxnorm = 0
  let z = 0
  let cs2 = -1
  let sn2 = 0
  const u = Float64Array.from(dm.y)
  const bnorm = norm(u)
  let beta = bnorm
  const v = new Float64Array(n)
  const tmpM = new Float64Array(m)
  const tmpN = new Float64Array(n)
  let alfa = 0
  if (beta > 0) {
    const inv = 1 / beta
    for (let i = 0; i < m; i++) u[i] = inv * u[i]!
    rmatvec(u, v)
    alfa = norm(v)
  }
  if (alfa > 0) {
    const inv = 1 / alfa
    for (let j = 0; j < n; j++) v[j] = inv * v[j]!
  }
  const w = Float64Array.from(v)
  let rhobar = alfa
  let phibar = beta
  if (alfa * beta === 0) return { x, istop: 0, nIter: 0 }
  let itn = 0
  let istop = 0
  while (itn < iterLim) {
    itn++
    matvec(v, tmpM)
    for (let i = 0; i < m; i++) u[i] = tmpM[i]! - alfa * u[i]!
    beta = norm(u)
    if (beta > 0) {
      const invBeta = 1 / beta
      for (let i = 0; i < m; i++) u[i] = invBeta * u[i]!
      anorm = Math.sqrt(anorm * anorm + alfa * alfa + beta * beta + dampsq)
      rmatvec(u, tmpN)
      for (let j = 0; j < n; j++) v[j] = tmpN[j]! - beta * v[j]!
      alfa = norm(v)
      if (alfa > 0) {
        const invAlfa = 1 / alfa
        for (let j = 0; j < n; j++) v[j] = invAlfa * v[j]!
      }
    }
    let rhobar1 = rhobar
    let psi = 0
    if (damp > 0) {
      rhobar1 = Math.sqrt(rhobar * rhobar + dampsq)
      const cs1 = rhobar / rhobar1
      const sn1 = damp / rhobar1
      psi = sn1 * phibar
      phibar = cs1 * phibar
    }
    const [cs, sn, rho] = symOrtho(rhobar1, beta)
    const theta = sn * alfa
    rhobar = -cs * alfa
    const phi = cs * phibar
    phibar = sn * phibar
    const tau = sn * phi
    const t1 = phi / rho
    const t2 = -theta / rho
    // Scipy's order of operations, so that the iterates agree closely with sklearn's.
    const invRho = 1 / rho
    let dk2 = 0
    for (let j = 0; j < n; j++) {
      const dk = invRho * w[j]!
      dk2 += dk * dk
      x[j] = x[j]! + t1 * w[j]!
      w[j] = v[j]! + t2 * w[j]!
    }
    ddnorm += dk2
    const delta = sn2 * rho
    const gambar = -cs2 * rho
    const rhs = phi - delta * z
    const zbar = rhs / gambar
    xnorm = Math.sqrt(xxnorm + zbar * zbar)
    const gamma = Math.sqrt(gambar * gambar + theta * theta)
    cs2 = gambar / gamma
    sn2 = theta / gamma
    z = rhs / gamma
    xxnorm += z * z
    acond = anorm * Math.sqrt(ddnorm)
    const res1 = phibar * phibar
    res2 += psi * psi
    const rnorm = Math.sqrt(res1 + res2)
    const arnorm = alfa * Math.abs(tau)
    const test1 = rnorm / bnorm
    const test2 = arnorm / (anorm * rnorm + EPS)
    const test3 = 1 / (acond + EPS)
    const tt1 = test1 / (1 + (anorm * xnorm) / bnorm)
    const rtol = btol + (atol * anorm * xnorm) / bnorm
    if (itn >= iterLim) istop = 7
    if (1 + test3 <= 1) istop = 6
    if (1 + test2 <= 1) istop = 5
    if (1 + tt1 <= 1) istop = 4
    if (test3 <= ctol) istop = 3
    if (test2 <= atol) istop = 2
    if (test1 <= rtol) istop = 1
    if (istop !== 0) break
  }
  return { x, istop, nIter: itn }
}

/** scipy's `_sym_ortho`: a stable Givens rotation `[c, s, r]` with `r = √(a² + b²)`. */
function symOrtho(a: number, b: number): [number, number, number] {
  if (b === 0) return [Math.sign(a), 0, Math.abs(a)]
  if (a === 0) return [0, Math.sign(b), Math.abs(b)]
  if (Math.abs(b) > Math.abs(a)) {
    const tau = a / b
    const s = Math.sign(b) / Math.sqrt(1 + tau * tau)
    return [s * tau, s, b / s]
  }
  const tau = b / a
  const c = Math.sign(a) / Math.sqrt(1 + tau * tau)
  return [c, c * tau, a / c]
}
