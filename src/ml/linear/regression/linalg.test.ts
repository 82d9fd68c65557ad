import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { createRng } from '../../../core/index.js'

import {
  applyQ,
  applyQt,
  cholesky,
  choleskySolve,
  conditionEstimate,
  extractR,
  householderQr,
  jacobiSvd,
  nnlsGram,
} from './linalg.js'

const PARAMS = { seed: 20240612, numRuns: 60 }

/** A column-major `m × k` matrix of normals from `seed`. */
function randn(m: number, k: number, seed: number): Float64Array {
  const rng = createRng(seed)
  return Float64Array.from({ length: m * k }, () => rng.normal())
}

/** `AᵀA` (row-major `k × k`) of a column-major `m × k` matrix. */
function gram(a: Float64Array, m: number, k: number): Float64Array {
  const g = new Float64Array(k * k)
  for (let r = 0; r < k; r++)
    for (let c = 0; c < k; c++) {
      let s = 0
      for (let i = 0; i < m; i++) s += a[r * m + i]! * a[c * m + i]!
      g[r * k + c] = s
    }
  return g
}

describe('cholesky', () => {
  test.prop([fc.integer({ min: 1, max: 12 }), fc.nat(1000)], PARAMS)(
    'solves SPD systems',
    (k, seed) => {
      const a = gram(randn(k + 5, k, seed), k + 5, k)
      const x = randn(k, 1, seed + 1)
      const b = new Float64Array(k)
      for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) b[r] = b[r]! + a[r * k + c]! * x[c]!
      const l = Float64Array.from(a)
      expect(cholesky(l, k)).toBe(true)
      choleskySolve(l, k, b)
      for (let j = 0; j < k; j++) expect(b[j]).toBeCloseTo(x[j]!, 8)
      expect(conditionEstimate(a, l, k)).toBeGreaterThan(1 - 1e-9)
    },
  )
  it('refuses singular, indefinite and non-finite matrices', () => {
    expect(cholesky(Float64Array.of(1, 1, 1, 1), 2)).toBe(false)
    expect(cholesky(Float64Array.of(1, 2, 2, 1), 2)).toBe(false)
    expect(cholesky(Float64Array.of(Number.NaN), 1)).toBe(false)
    expect(cholesky(new Float64Array(0), 0)).toBe(true)
  })
  it('estimates the condition number of a diagonal matrix', () => {
    const a = Float64Array.of(1e4, 0, 0, 0, 1, 0, 0, 0, 1e-2)
    const l = Float64Array.from(a)
    cholesky(l, 3)
    expect(conditionEstimate(a, l, 3) / 1e6).toBeCloseTo(1, 3)
  })
})

describe('QR and SVD', () => {
  test.prop(
    [fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 20 }), fc.nat(1000)],
    PARAMS,
  )('Q is orthogonal, QR = A, and U S Vᵀ = R', (k, extra, seed) => {
    const m = k + extra
    const a = randn(m, k, seed)
    const qr = Float64Array.from(a)
    const tau = householderQr(qr, m, k)
    const r = extractR(qr, m, k)
    // Q (R padded with zeros) gives back each column of A.
    for (let j = 0; j < k; j++) {
      const col = new Float64Array(m)
      for (let i = 0; i <= j; i++) col[i] = r[j * k + i]!
      applyQ(qr, tau, m, k, col)
      for (let i = 0; i < m; i++) expect(col[i]).toBeCloseTo(a[j * m + i]!, 10)
      applyQt(qr, tau, m, k, col)
      for (let i = 0; i < m; i++) expect(col[i]).toBeCloseTo(i <= j ? r[j * k + i]! : 0, 10)
    }
    const { u, s, v } = jacobiSvd(r, k, k)
    for (let c = 0; c < k; c++) {
      for (let i = 0; i < k; i++) {
        let x = 0
        for (let t = 0; t < k; t++) x += u[t * k + i]! * s[t]! * v[t * k + c]!
        expect(x).toBeCloseTo(r[c * k + i]!, 10)
      }
    }
    for (const sv of s) expect(sv).toBeGreaterThanOrEqual(0)
  })
  it('finds exact zero singular values of a rank-1 matrix', () => {
    const a = Float64Array.of(1, 2, 3, 2, 4, 6) // columns (1,2,3) and (2,4,6)
    const { s } = jacobiSvd(a, 3, 2)
    const sorted = Array.from(s).sort((x, y) => y - x)
    expect(sorted[0]).toBeCloseTo(Math.sqrt(70), 12)
    expect(sorted[1]).toBeLessThan(1e-15)
  })
  it('leaves a zero column alone', () => {
    const a = Float64Array.of(0, 0, 0, 1, 2, 3)
    const tau = householderQr(a, 3, 2)
    expect(tau[0]).toBe(0)
    expect(a[3]).toBe(1) // R₀₁, untouched by the identity reflection
    expect(Math.abs(a[4]!)).toBeCloseTo(Math.sqrt(13), 12)
  })
})

describe('nnlsGram', () => {
  test.prop([fc.integer({ min: 1, max: 8 }), fc.nat(1000)], PARAMS)(
    'meets the KKT conditions',
    (k, seed) => {
      const m = k + 10
      const x = randn(m, k, seed)
      const y = randn(m, 1, seed + 7)
      const a = gram(x, m, k)
      const b = new Float64Array(k)
      for (let j = 0; j < k; j++) for (let i = 0; i < m; i++) b[j] = b[j]! + x[j * m + i]! * y[i]!
      const r = nnlsGram(a, b, k)
      expect(r.converged).toBe(true)
      for (let j = 0; j < k; j++) {
        let g = b[j]!
        for (let c = 0; c < k; c++) g -= a[j * k + c]! * r.x[c]!
        expect(r.x[j]).toBeGreaterThanOrEqual(0)
        // Gradient 0 on the free coordinates, ≤ 0 on those held at 0.
        if (r.x[j]! > 0) expect(Math.abs(g)).toBeLessThan(1e-8)
        else expect(g).toBeLessThan(1e-8)
      }
    },
  )
  it('keeps a duplicated column at 0 instead of failing', () => {
    // Columns 0 and 1 are equal, so XᵀX is singular.
    const a = Float64Array.of(2, 2, 2, 2)
    const r = nnlsGram(a, Float64Array.of(2, 2), 2)
    expect(r.converged).toBe(true)
    expect(r.x[0]! + r.x[1]!).toBeCloseTo(1, 12)
  })
})
