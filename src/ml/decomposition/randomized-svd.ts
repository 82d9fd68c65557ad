/**
 * Truncated SVD by random projection (scikit-learn's `randomized_svd`).
 *
 * ## Method
 * Halko–Martinsson–Tropp: a Gaussian `p × (k + nOversamples)` test matrix, `nIter` power
 * iterations `Q ← norm(A·Q)`, `Q ← norm(Aᵀ·Q)` (norm: LU with partial pivoting, QR, or none),
 * `Q = qr(A·Q)`; then the exact SVD of the small `B = QᵀA` (through the eigendecomposition of
 * `BBᵀ`), `U = Q·Û`, and signs flipped so that each column of `U` has its largest-magnitude
 * entry positive (`svd_flip`).
 *
 * ## References
 * - N. Halko, P.-G. Martinsson, J. A. Tropp. "Finding structure with randomness". SIAM Review
 *   53(2), 2011. Algorithm 4.4 (randomized subspace iteration).
 * - scikit-learn 1.2 `sklearn/utils/extmath.py` (`randomized_range_finder`, `randomized_svd`).
 *
 * @internal
 */
import type { Rng } from '../../core/index.js'

import { multiply, multiplyTransposed, orthonormalize, permutedLower } from './dense.js'
import { symmetricEigen } from './eigen.js'

/** Options of {@link randomizedSvd}. */
export interface RandomizedSvdOptions {
  readonly nOversamples: number
  /** Power iterations; `'auto'`: 7 if `k < 0.1·min(n, p)`, else 4. */
  readonly nIter: number | 'auto'
  /** `'auto'`: `'none'` for at most 2 iterations, else `'LU'`. */
  readonly normalizer: 'auto' | 'QR' | 'LU' | 'none'
}

/** The top `k` singular values and right singular vectors (row-major `k × p`). */
export interface TruncatedSvd {
  readonly s: Float64Array
  readonly vt: Float64Array
  /** Power iterations run. */
  readonly nIter: number
}

/** The rank-`k` randomized SVD of the column-major `n × p` matrix `a`. */
export function randomizedSvd(
  a: Float64Array,
  n: number,
  p: number,
  k: number,
  o: RandomizedSvdOptions,
  rng: Rng,
): TruncatedSvd {
  const size = Math.min(k + o.nOversamples, n, p)
  const nIter = o.nIter === 'auto' ? (k < 0.1 * Math.min(n, p) ? 7 : 4) : o.nIter
  const norm = o.normalizer === 'auto' ? (nIter <= 2 ? 'none' : 'LU') : o.normalizer
  // Q: column-major p × size.
  let q: Float64Array = new Float64Array(p * size)
  for (let c = 0; c < size; c++) for (let j = 0; j < p; j++) q[c * p + j] = rng.normal()
  const normalize = (m: Float64Array, rows: number): Float64Array =>
    norm === 'LU' ? permutedLower(m, rows, size) : norm === 'QR' ? orthonormalize(m, rows, size) : m
  for (let it = 0; it < nIter; it++) {
    const y = normalize(multiply(a, n, p, q, size), n)
    q = normalize(multiplyTransposed(a, n, p, y, size), p)
  }
  const basis = orthonormalize(multiply(a, n, p, q, size), n, size)
  // B = Qᵀ·A: column-major size × p (B[j·size + c]).
  const bt = multiplyTransposed(a, n, p, basis, size) // column-major p × size = Bᵀ
  const bbt = new Float64Array(size * size)
  for (let c = 0; c < size; c++) {
    for (let d = c; d < size; d++) {
      let acc = 0
      for (let j = 0; j < p; j++) acc += bt[c * p + j]! * bt[d * p + j]!
      bbt[c * size + d] = acc
      bbt[d * size + c] = acc
    }
  }
  const eig = symmetricEigen(bbt, size)
  const s = new Float64Array(k)
  const vt = new Float64Array(k * p)
  for (let t = 0; t < k; t++) {
    const sv = Math.sqrt(Math.max(eig.values[t]!, 0))
    s[t] = sv
    // v_t = Bᵀ·û_t / s_t
    for (let j = 0; j < p; j++) {
      let acc = 0
      for (let c = 0; c < size; c++) acc += bt[c * p + j]! * eig.vectors[c * size + t]!
      vt[t * p + j] = sv > 0 ? acc / sv : 0
    }
    // svd_flip (u-based): the sign of the largest |u_i| with u = Q·û_t.
    let best = -1
    let sign = 1
    for (let i = 0; i < n; i++) {
      let u = 0
      for (let c = 0; c < size; c++) u += basis[c * n + i]! * eig.vectors[c * size + t]!
      if (Math.abs(u) > best) {
        best = Math.abs(u)
        sign = u < 0 ? -1 : 1
      }
    }
    if (sign < 0) for (let j = 0; j < p; j++) vt[t * p + j] = -vt[t * p + j]!
  }
  return { s, vt, nIter }
}
