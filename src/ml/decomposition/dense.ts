/**
 * Dense kernels for PCA on column-major matrices (`a[j·n + i]`, column `j` contiguous):
 * Gram products, tall-matrix products, and the QR / LU normalisations of randomized SVD.
 *
 * @internal
 */

const ROW_BLOCK = 512

/**
 * `AᵀA` of the column-major `n × p` matrix `a`, row-major `p × p`, in one pass over the rows:
 * blocks of rows stay in cache while every column pair is accumulated, and each block's sums are
 * added to the total in block order.
 */
export function gramColumns(a: Float64Array, n: number, p: number): Float64Array {
  const out = new Float64Array(p * p)
  for (let r0 = 0; r0 < n; r0 += ROW_BLOCK) {
    const r1 = Math.min(r0 + ROW_BLOCK, n)
    for (let u = 0; u < p; u++) {
      const ou = u * n
      for (let v = u; v < p; v++) {
        const ov = v * n
        let s0 = 0
        let s1 = 0
        let i = r0
        for (; i + 1 < r1; i += 2) {
          s0 += a[ou + i]! * a[ov + i]!
          s1 += a[ou + i + 1]! * a[ov + i + 1]!
        }
        if (i < r1) s0 += a[ou + i]! * a[ov + i]!
        out[u * p + v] = out[u * p + v]! + (s0 + s1)
      }
    }
  }
  for (let u = 0; u < p; u++) for (let v = 0; v < u; v++) out[u * p + v] = out[v * p + u]!
  return out
}

/** `A·B`: `a` column-major `n × p`, `b` column-major `p × s` → column-major `n × s`. */
export function multiply(
  a: Float64Array,
  n: number,
  p: number,
  b: Float64Array,
  s: number,
): Float64Array {
  const out = new Float64Array(n * s)
  for (let c = 0; c < s; c++) {
    const oc = c * n
    for (let j = 0; j < p; j++) {
      const w = b[c * p + j]!
      if (w === 0) continue
      const oj = j * n
      for (let i = 0; i < n; i++) out[oc + i] = out[oc + i]! + w * a[oj + i]!
    }
  }
  return out
}

/** `Aᵀ·B`: `a` column-major `n × p`, `b` column-major `n × s` → column-major `p × s`. */
export function multiplyTransposed(
  a: Float64Array,
  n: number,
  p: number,
  b: Float64Array,
  s: number,
): Float64Array {
  const out = new Float64Array(p * s)
  for (let c = 0; c < s; c++) {
    for (let j = 0; j < p; j++) {
      let acc = 0
      const oj = j * n
      const oc = c * n
      for (let i = 0; i < n; i++) acc += a[oj + i]! * b[oc + i]!
      out[c * p + j] = acc
    }
  }
  return out
}

/**
 * Orthonormalises the columns of the column-major `n × s` matrix `q` in place (modified
 * Gram–Schmidt, applied twice, which keeps orthogonality at working precision). A column that
 * vanishes is left at zero.
 */
export function orthonormalize(q: Float64Array, n: number, s: number): Float64Array {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < s; c++) {
      const oc = c * n
      for (let d = 0; d < c; d++) {
        const od = d * n
        let dot = 0
        for (let i = 0; i < n; i++) dot += q[od + i]! * q[oc + i]!
        for (let i = 0; i < n; i++) q[oc + i] = q[oc + i]! - dot * q[od + i]!
      }
      let norm = 0
      for (let i = 0; i < n; i++) norm += q[oc + i]! * q[oc + i]!
      norm = Math.sqrt(norm)
      const inv = norm > 0 ? 1 / norm : 0
      for (let i = 0; i < n; i++) q[oc + i] = q[oc + i]! * inv
    }
  }
  return q
}

/**
 * The permuted unit-lower factor `P·L` of the LU factorisation with partial pivoting of the
 * column-major `n × s` matrix `a` (scipy `lu(a, permute_l=True)[0]`), column-major `n × s`.
 */
export function permutedLower(a: Float64Array, n: number, s: number): Float64Array {
  const w = Float64Array.from(a)
  const out = new Float64Array(n * s)
  const used = new Uint8Array(n)
  for (let k = 0; k < Math.min(n, s); k++) {
    const ok = k * n
    let piv = -1
    let best = -1
    for (let r = 0; r < n; r++) {
      if (used[r] === 1) continue
      const v = Math.abs(w[ok + r]!)
      if (v > best) {
        best = v
        piv = r
      }
    }
    used[piv] = 1
    out[ok + piv] = 1
    const pv = w[ok + piv]!
    for (let r = 0; r < n; r++) {
      if (used[r] === 1) continue
      const f = pv === 0 ? 0 : w[ok + r]! / pv
      out[ok + r] = f
      if (f === 0) continue
      for (let c = k + 1; c < s; c++) w[c * n + r] = w[c * n + r]! - f * w[c * n + piv]!
    }
  }
  return out
}
