/**
 * Eigendecomposition of a real symmetric matrix.
 *
 * ## Method
 * Householder reduction to tridiagonal form, then the implicit QL algorithm with Wilkinson-style
 * shifts on the tridiagonal matrix, accumulating the transformations (EISPACK `tred2`/`tql2`, as
 * in JAMA's `EigenvalueDecomposition`). Backward stable: eigenvalues carry an absolute error of
 * about `ε‖A‖` and the eigenvectors are orthonormal to working precision.
 *
 * ## References
 * - R. S. Martin, C. Reinsch, J. H. Wilkinson. "Householder's tridiagonalization of a symmetric
 *   matrix"; H. Bowdler et al. "The QR and QL algorithms for symmetric matrices". Numer. Math.
 *   11 (1968). Handbook for Automatic Computation, Vol. II.
 * - JAMA: A Java Matrix Package (public domain), `EigenvalueDecomposition.tred2/tql2`.
 *
 * @internal
 */

/** Eigenvalues in descending order and the matching unit eigenvectors. */
export interface SymmetricEigen {
  /** `values[k]`, descending. */
  readonly values: Float64Array
  /** Row-major `n × n`: eigenvector `k` is column `k` (`vectors[i·n + k]`). */
  readonly vectors: Float64Array
}

/**
 * Eigenvalues and eigenvectors of the symmetric `n × n` row-major matrix `a` (only read; the
 * lower triangle is used).
 *
 * @example
 * ```ts
 * symmetricEigen(Float64Array.of(2, 1, 1, 2), 2).values  // [3, 1]
 * ```
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  const V = Float64Array.from(a.subarray(0, n * n))
  const d = new Float64Array(n)
  const e = new Float64Array(n)
  if (n === 0) return { values: d, vectors: V }
  tred2(V, d, e, n)
  tql2(V, d, e, n)
  // tql2 leaves ascending eigenvalues: reverse into descending order.
  const order = Array.from(d.keys()).sort((x, y) => d[y]! - d[x]! || x - y)
  const values = Float64Array.from(order, (k) => d[k]!)
  const vectors = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) vectors[i * n + k] = V[i * n + order[k]!]!
  return { values, vectors }
}

function tred2(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = V[(n - 1) * n + j]!
  for (let i = n - 1; i > 0; i--) {
    let scale = 0
    let h = 0
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!)
    if (scale === 0) {
      e[i] = d[i - 1]!
      for (let j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j]!
        V[i * n + j] = 0
        V[j * n + i] = 0
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale
        h += d[k]! * d[k]!
      }
      let f = d[i - 1]!
      let g = Math.sqrt(h)
      if (f > 0) g = -g
      e[i] = scale * g
      h -= f * g
      d[i - 1] = f - g
      for (let j = 0; j < i; j++) e[j] = 0
      for (let j = 0; j < i; j++) {
        f = d[j]!
        V[j * n + i] = f
        g = e[j]! + V[j * n + j]! * f
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k * n + j]! * d[k]!
          e[k] = e[k]! + V[k * n + j]! * f
        }
        e[j] = g
      }
      f = 0
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h
        f += e[j]! * d[j]!
      }
      const hh = f / (h + h)
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!
      for (let j = 0; j < i; j++) {
        f = d[j]!
        g = e[j]!
        for (let k = j; k <= i - 1; k++) V[k * n + j] = V[k * n + j]! - (f * e[k]! + g * d[k]!)
        d[j] = V[(i - 1) * n + j]!
        V[i * n + j] = 0
      }
    }
    d[i] = h
  }
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = V[i * n + i]!
    V[i * n + i] = 1
    const h = d[i + 1]!
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k * n + i + 1]! / h
      for (let j = 0; j <= i; j++) {
        let g = 0
        for (let k = 0; k <= i; k++) g += V[k * n + i + 1]! * V[k * n + j]!
        for (let k = 0; k <= i; k++) V[k * n + j] = V[k * n + j]! - g * d[k]!
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j]!
    V[(n - 1) * n + j] = 0
  }
  V[(n - 1) * n + n - 1] = 1
  e[0] = 0
}

function tql2(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!
  e[n - 1] = 0
  let f = 0
  let tst1 = 0
  const eps = 2 ** -52
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!))
    let m = l
    while (m < n && Math.abs(e[m]!) > eps * tst1) m++
    if (m > l) {
      // Converges in 1-2 iterations per eigenvalue in practice; the cap only guards NaN input.
      for (let iter = 0; iter < 60; iter++) {
        let g = d[l]!
        let p = (d[l + 1]! - g) / (2 * e[l]!)
        let r = Math.hypot(p, 1)
        if (p < 0) r = -r
        d[l] = e[l]! / (p + r)
        d[l + 1] = e[l]! * (p + r)
        const dl1 = d[l + 1]!
        let h = g - d[l]!
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h
        f += h
        p = d[m]!
        let c = 1
        let c2 = c
        let c3 = c
        const el1 = e[l + 1]!
        let s = 0
        let s2 = 0
        for (let i = m - 1; i >= l; i--) {
          c3 = c2
          c2 = c
          s2 = s
          g = c * e[i]!
          h = c * p
          r = Math.hypot(p, e[i]!)
          e[i + 1] = s * r
          s = e[i]! / r
          c = p / r
          p = c * d[i]! - s * g
          d[i + 1] = h + s * (c * g + s * d[i]!)
          for (let k = 0; k < n; k++) {
            const vk = k * n
            h = V[vk + i + 1]!
            V[vk + i + 1] = s * V[vk + i]! + c * h
            V[vk + i] = c * V[vk + i]! - s * h
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1
        e[l] = s * p
        d[l] = c * p
        if (!(Math.abs(e[l]!) > eps * tst1)) break
      }
    }
    d[l] = d[l]! + f
    e[l] = 0
  }
}
