/**
 * Small dense linear algebra for the linear models: Cholesky, Householder QR, one-sided Jacobi
 * SVD, and non-negative least squares on a Gram matrix. Matrices are `Float64Array`s; square
 * ones are row-major `n × n`, tall ones column-major (`a[j * m + i]`).
 *
 * @internal
 */

/**
 * Cholesky factorisation `A = L Lᵀ` in place (row-major; the lower triangle becomes `L`, the
 * strict upper triangle is left as is).
 *
 * @returns false if `A` is not numerically positive definite (a pivot ≤ 0 or not finite).
 */
export function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n
    const d = a[rj + j]! - dotRows(a, rj, rj, j)
    if (!(d > 0) || !Number.isFinite(d)) return false
    const ljj = Math.sqrt(d)
    a[rj + j] = ljj
    for (let i = j + 1; i < n; i++) a[i * n + j] = (a[i * n + j]! - dotRows(a, i * n, rj, j)) / ljj
  }
  return true
}

/** `Σ_{k<len} a[r1 + k]·a[r2 + k]` with four running sums (the add latency, not the multiplies, limits one sum). */
function dotRows(a: Float64Array, r1: number, r2: number, len: number): number {
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  let k = 0
  for (; k + 3 < len; k += 4) {
    s0 += a[r1 + k]! * a[r2 + k]!
    s1 += a[r1 + k + 1]! * a[r2 + k + 1]!
    s2 += a[r1 + k + 2]! * a[r2 + k + 2]!
    s3 += a[r1 + k + 3]! * a[r2 + k + 3]!
  }
  for (; k < len; k++) s0 += a[r1 + k]! * a[r2 + k]!
  return s0 + s1 + (s2 + s3)
}

/** Solves `L Lᵀ x = b` in place in `b`, with `L` from {@link cholesky}. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = b[i]!
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * b[k]!
    b[i] = s / l[i * n + i]!
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!
    b[i] = s / l[i * n + i]!
  }
  return b
}

/**
 * An estimate of the 2-norm condition number of the SPD matrix whose Cholesky factor is `l`:
 * `λmax` by power iteration times `‖A⁻¹‖` by inverse iteration (a few steps each; a lower bound
 * that is usually within a small factor).
 */
export function conditionEstimate(a: Float64Array, l: Float64Array, n: number): number {
  const v = new Float64Array(n)
  const t = new Float64Array(n)
  const normalize = (x: Float64Array): number => {
    let s = 0
    for (let i = 0; i < n; i++) s += x[i]! * x[i]!
    const r = Math.sqrt(s)
    if (r > 0) for (let i = 0; i < n; i++) x[i] = x[i]! / r
    return r
  }
  // A deterministic start with no special structure (all-ones can be an eigenvector).
  for (let i = 0; i < n; i++) v[i] = 1 + ((i * 0.618034) % 1)
  normalize(v)
  let lmax = 0
  for (let it = 0; it < 12; it++) {
    for (let i = 0; i < n; i++) {
      let s = 0
      for (let k = 0; k < n; k++) s += a[i * n + k]! * v[k]!
      t[i] = s
    }
    lmax = normalize(t)
    v.set(t)
  }
  for (let i = 0; i < n; i++) v[i] = 1 + ((i * 0.381966) % 1)
  normalize(v)
  let inv = 0
  for (let it = 0; it < 12; it++) {
    choleskySolve(l, n, v)
    inv = normalize(v)
  }
  return lmax * inv
}

/**
 * Householder QR of a column-major `m × k` matrix (`m ≥ k`) in place, like LAPACK `dgeqr2`:
 * `R` in the upper triangle, the Householder vectors (unit first entry implied) below it.
 *
 * @returns the `k` Householder scalars `τ`.
 */
export function householderQr(a: Float64Array, m: number, k: number): Float64Array {
  const tau = new Float64Array(k)
  for (let j = 0; j < k; j++) {
    const cj = j * m
    let norm2 = 0
    for (let i = j + 1; i < m; i++) norm2 += a[cj + i]! * a[cj + i]!
    const alpha = a[cj + j]!
    if (norm2 === 0) {
      tau[j] = 0
      continue
    }
    const beta = -Math.sign(alpha || 1) * Math.sqrt(alpha * alpha + norm2)
    tau[j] = (beta - alpha) / beta
    const scale = 1 / (alpha - beta)
    for (let i = j + 1; i < m; i++) a[cj + i] = a[cj + i]! * scale
    a[cj + j] = beta
    // Apply H = I − τ v vᵀ to the remaining columns.
    for (let c = j + 1; c < k; c++) {
      const cc = c * m
      let s = a[cc + j]!
      for (let i = j + 1; i < m; i++) s += a[cj + i]! * a[cc + i]!
      s *= tau[j]!
      a[cc + j] = a[cc + j]! - s
      for (let i = j + 1; i < m; i++) a[cc + i] = a[cc + i]! - s * a[cj + i]!
    }
  }
  return tau
}

/** `b ← Qᵀ b` (length `m`) for the factorisation of {@link householderQr}. */
export function applyQt(
  a: Float64Array,
  tau: Float64Array,
  m: number,
  k: number,
  b: Float64Array,
): void {
  for (let j = 0; j < k; j++) reflect(a, tau, m, j, b)
}

/** `b ← Q b` (length `m`) for the factorisation of {@link householderQr}. */
export function applyQ(
  a: Float64Array,
  tau: Float64Array,
  m: number,
  k: number,
  b: Float64Array,
): void {
  for (let j = k - 1; j >= 0; j--) reflect(a, tau, m, j, b)
}

function reflect(a: Float64Array, tau: Float64Array, m: number, j: number, b: Float64Array): void {
  const t = tau[j]!
  if (t === 0) return
  const cj = j * m
  let s = b[j]!
  for (let i = j + 1; i < m; i++) s += a[cj + i]! * b[i]!
  s *= t
  b[j] = b[j]! - s
  for (let i = j + 1; i < m; i++) b[i] = b[i]! - s * a[cj + i]!
}

/** The upper-triangular `k × k` factor `R` of {@link householderQr}, column-major. */
export function extractR(a: Float64Array, m: number, k: number): Float64Array {
  const r = new Float64Array(k * k)
  for (let j = 0; j < k; j++) for (let i = 0; i <= j; i++) r[j * k + i] = a[j * m + i]!
  return r
}

/** A thin SVD `A = U diag(s) Vᵀ`; `u` is `m × k`, `v` is `k × k`, both column-major. */
export interface Svd {
  readonly u: Float64Array
  readonly s: Float64Array
  readonly v: Float64Array
}

/**
 * Thin SVD of a column-major `m × k` matrix (`m ≥ k`, small: use it on a QR factor `R`) by
 * one-sided Jacobi rotations. Accurate singular values even for tiny ones (relative to `‖A‖`).
 *
 * ## References
 * - J. Demmel, K. Veselić (1992), "Jacobi's method is more accurate than QR", SIAM J. Matrix
 *   Anal. Appl. 13(4).
 */
export function jacobiSvd(a: Float64Array, m: number, k: number): Svd {
  const u = Float64Array.from(a)
  const v = new Float64Array(k * k)
  for (let j = 0; j < k; j++) v[j * k + j] = 1
  const eps = 2.220446049250313e-16
  for (let sweep = 0; sweep < 80; sweep++) {
    let rotated = false
    for (let p = 0; p < k - 1; p++) {
      for (let q = p + 1; q < k; q++) {
        let alpha = 0
        let beta = 0
        let gamma = 0
        for (let i = 0; i < m; i++) {
          const x = u[p * m + i]!
          const y = u[q * m + i]!
          alpha += x * x
          beta += y * y
          gamma += x * y
        }
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue
        rotated = true
        const zeta = (beta - alpha) / (2 * gamma)
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta))
        const c = 1 / Math.sqrt(1 + t * t)
        const s = c * t
        for (let i = 0; i < m; i++) {
          const x = u[p * m + i]!
          const y = u[q * m + i]!
          u[p * m + i] = c * x - s * y
          u[q * m + i] = s * x + c * y
        }
        for (let i = 0; i < k; i++) {
          const x = v[p * k + i]!
          const y = v[q * k + i]!
          v[p * k + i] = c * x - s * y
          v[q * k + i] = s * x + c * y
        }
      }
    }
    if (!rotated) break
  }
  const s = new Float64Array(k)
  for (let j = 0; j < k; j++) {
    let norm2 = 0
    for (let i = 0; i < m; i++) norm2 += u[j * m + i]! * u[j * m + i]!
    const norm = Math.sqrt(norm2)
    s[j] = norm
    if (norm > 0) for (let i = 0; i < m; i++) u[j * m + i] = u[j * m + i]! / norm
  }
  return { u, s, v }
}

/** The result of {@link nnlsGram}. */
export interface NnlsResult {
  readonly x: Float64Array
  readonly nIter: number
  readonly converged: boolean
}

/**
 * Minimises `½ xᵀA x − bᵀx` subject to `x ≥ 0`, for a symmetric positive semi-definite `A`
 * (row-major `n × n`): non-negative least squares in normal-equation form (`A = XᵀX`,
 * `b = Xᵀy`), plus ridge when `A = XᵀX + αI`.
 *
 * ## Method
 * The active-set algorithm of Lawson & Hanson: move the coordinate with the largest positive
 * gradient into the passive set, solve the unconstrained problem on the passive set (Cholesky of
 * the sub-matrix), and step back to the feasible boundary whenever a passive coordinate would
 * turn negative. Finite; `maxIter` only guards against cycling in floating point.
 *
 * ## References
 * - C. L. Lawson, R. J. Hanson (1974), *Solving Least Squares Problems*, ch. 23 (NNLS).
 */
export function nnlsGram(
  a: Float64Array,
  b: Float64Array,
  n: number,
  maxIter = 3 * n + 30,
): NnlsResult {
  const x = new Float64Array(n)
  const passive = new Uint8Array(n)
  const blocked = new Uint8Array(n)
  const grad = Float64Array.from(b)
  let scale = 0
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(a[i * n + i]!))
  const tol = 10 * 2.220446049250313e-16 * Math.max(1, scale) * n
  let iter = 0
  for (; iter < maxIter; iter++) {
    let t = -1
    let best = tol
    for (let j = 0; j < n; j++) {
      if (passive[j] === 0 && blocked[j] === 0 && grad[j]! > best) {
        best = grad[j]!
        t = j
      }
    }
    if (t < 0) return { x, nIter: iter, converged: true }
    passive[t] = 1
    for (let inner = 0; inner < 3 * n + 1; inner++) {
      const z = solvePassive(a, b, n, passive)
      if (z === undefined) {
        // The new column is (numerically) dependent on the passive ones: leave it at 0.
        passive[t] = 0
        blocked[t] = 1
        break
      }
      let step = 1
      let leaving = -1
      for (let j = 0; j < n; j++) {
        if (passive[j] === 1 && z[j]! <= 0) {
          const s = x[j]! / (x[j]! - z[j]!)
          if (s < step) {
            step = s
            leaving = j
          }
        }
      }
      if (leaving < 0) {
        x.set(z)
        break
      }
      for (let j = 0; j < n; j++) {
        if (passive[j] === 1) {
          x[j] = x[j]! + step * (z[j]! - x[j]!)
          if (x[j]! <= 0 || j === leaving) {
            x[j] = 0
            passive[j] = 0
          }
        }
      }
    }
    for (let i = 0; i < n; i++) {
      let s = b[i]!
      for (let k = 0; k < n; k++) s -= a[i * n + k]! * x[k]!
      grad[i] = s
    }
  }
  return { x, nIter: iter, converged: false }
}

function solvePassive(
  a: Float64Array,
  b: Float64Array,
  n: number,
  passive: Uint8Array,
): Float64Array | undefined {
  const idx: number[] = []
  for (let j = 0; j < n; j++) if (passive[j] === 1) idx.push(j)
  const k = idx.length
  const sub = new Float64Array(k * k)
  const rhs = new Float64Array(k)
  for (let r = 0; r < k; r++) {
    rhs[r] = b[idx[r]!]!
    for (let c = 0; c < k; c++) sub[r * k + c] = a[idx[r]! * n + idx[c]!]!
  }
  if (!cholesky(sub, k)) return undefined
  choleskySolve(sub, k, rhs)
  const z = new Float64Array(n)
  for (let r = 0; r < k; r++) z[idx[r]!] = rhs[r]!
  return z
}
