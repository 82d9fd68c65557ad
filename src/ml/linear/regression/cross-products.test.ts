import { describe, expect, it } from 'vitest'

import { createRng } from '../../../core/index.js'
import { createColumn, type Column } from '../../../frame/index.js'

import { crossProducts, type CrossProductsOptions } from './cross-products.js'

/** Columns of every numeric dtype, with means far from 0 (the shifts matter). */
function data(n: number, seed: number): { cols: Column[]; y: Float64Array } {
  const rng = createRng(seed)
  const normal = (scale: number, shift: number): number[] =>
    Array.from({ length: n }, () => rng.normal() * scale + shift)
  const cols: Column[] = [
    createColumn({ name: 'a', dtype: 'f64', values: Float64Array.from(normal(3, 1e3)) }),
    createColumn({ name: 'b', dtype: 'f32', values: Float32Array.from(normal(2, -5)) }),
    createColumn({ name: 'c', dtype: 'i32', values: Int32Array.from(normal(10, 40), Math.round) }),
    createColumn({
      name: 'd',
      dtype: 'bool',
      values: Uint8Array.from(normal(1, 0), (v) => (v > 0.3 ? 1 : 0)),
    }),
    createColumn({ name: 'e', dtype: 'f64', values: Float64Array.from(normal(0.1, 0)) }),
  ]
  return { cols, y: Float64Array.from(normal(1, 7)) }
}

// 4096-row chunks at 6 columns: 20 chunks and an odd tail.
const N = 4096 * 20 + 3

describe('crossProducts with a helper thread', () => {
  const { cols, y } = data(N, 3)
  const rng = createRng(9)
  // Integer weights, and a whole chunk of zero weights (skipped by both threads).
  const weights = Float64Array.from({ length: N }, (_, i) =>
    i >= 4096 * 5 && i < 4096 * 6 ? 0 : rng.int(3),
  )
  const yColumn = createColumn({ name: 'y', dtype: 'f32', values: Float32Array.from(y) })
  const cases: [string, Float64Array | Column, Omit<CrossProductsOptions, 'threads'>][] = [
    ['centered', y, { center: true }],
    ['weighted', y, { center: true, weights }],
    ['not centered, weighted', y, { center: false, weights }],
    ['y as an f32 column', yColumn, { center: true }],
  ]
  it.each(cases)('gives the same bits on 1 and 2 threads (%s)', (_, target, opts) => {
    const one = crossProducts(cols, target, { ...opts, threads: 1 })
    const two = crossProducts(cols, target, { ...opts, threads: 2, helperStartMs: 20_000 })
    expect(one.helperChunks).toBe(0)
    expect(two.backend).toBe('wasm')
    // The helper ran: the comparison is not of one thread with itself.
    expect(two.helperChunks).toBeGreaterThan(0)
    expect(Array.from(two.gram)).toEqual(Array.from(one.gram))
    expect(Array.from(two.mean)).toEqual(Array.from(one.mean))
    expect(two.sumWeights).toBe(one.sumWeights)
    // And the JS kernels agree bit for bit.
    const js = crossProducts(cols, target, { ...opts, backend: 'js' })
    expect(Array.from(js.gram)).toEqual(Array.from(one.gram))
  })

  it('matches the two-pass textbook computation', () => {
    const r = crossProducts(cols, y, { center: true, weights, threads: 2, helperStartMs: 20_000 })
    const Z = [...cols.map((c) => Float64Array.from(c.values as ArrayLike<number>)), y]
    const W = weights.reduce((t, v) => t + v, 0)
    const m = Z.map((z) => z.reduce((t, v, i) => t + weights[i]! * v, 0) / W)
    const q = Z.length
    for (let a = 0; a < q; a++) {
      for (let b = a; b < q; b++) {
        let g = 0
        for (let i = 0; i < N; i++) g += weights[i]! * (Z[a]![i]! - m[a]!) * (Z[b]![i]! - m[b]!)
        const scale = Math.sqrt(r.gram[a * q + a]! * r.gram[b * q + b]!)
        expect(Math.abs(r.gram[a * q + b]! - g) / scale).toBeLessThan(1e-11)
        expect(r.gram[b * q + a]).toBe(r.gram[a * q + b])
      }
      expect(Math.abs(r.mean[a]! - m[a]!)).toBeLessThan(1e-12 * (1 + Math.abs(m[a]!)))
    }
  })

  it('keeps the helper for later passes, of other shapes too', () => {
    crossProducts(cols, y, { center: true, threads: 2, helperStartMs: 20_000 })
    // Twice the columns (a larger memory): the running helper serves it at once.
    const wide = [...cols, ...data(N, 5).cols]
    const one = crossProducts(wide, y, { center: true, weights, threads: 1 })
    const two = crossProducts(wide, y, { center: true, weights, threads: 2 })
    expect(two.helperChunks).toBeGreaterThan(0)
    expect(Array.from(two.gram)).toEqual(Array.from(one.gram))
    expect(Array.from(two.mean)).toEqual(Array.from(one.mean))
  })

  it('leaves small inputs to the calling thread by default', () => {
    const r = crossProducts(cols, y, { center: true })
    expect(r.helperChunks).toBe(0)
  })
})
