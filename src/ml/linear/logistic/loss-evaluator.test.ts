import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { createRng } from '../../../core/index.js'

import { BLOCK_ROWS, blockCount, type LossData } from './logistic-kernel.js'
import { allocF64, allocI32, chooseThreads, createLossEvaluator } from './loss-evaluator.js'

function makeData(
  n: number,
  p: number,
  k: number,
  seed: number,
  shared: boolean,
  weighted: boolean,
): LossData {
  const rng = createRng(seed)
  const X = allocF64(n * p, shared)
  const y = allocI32(n, shared)
  const sw = allocF64(n, shared)
  for (let i = 0; i < n * p; i++) X[i] = rng.normal() * 2
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(Math.max(k, 2))
    sw[i] = weighted ? rng.float() * 3 : 1
  }
  return { X, y, sw, n, p, k }
}

/** The loss and gradient by the textbook formulas, one row at a time. */
function naive(
  d: LossData,
  W: Float64Array,
  positive: number,
): { loss: number; grad: Float64Array } {
  const { X, y, sw, n, p, k } = d
  const q = p + 1
  const grad = new Float64Array(k * q)
  let loss = 0
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: k }, (_, c) => {
      let s = W[c * q + p]!
      for (let j = 0; j < p; j++) s += X[i * p + j]! * W[c * q + j]!
      return s
    })
    if (k === 1) {
      const t = y[i] === positive ? 1 : 0
      const pr = 1 / (1 + Math.exp(-z[0]!))
      loss += sw[i]! * (Math.log1p(Math.exp(z[0]!)) - t * z[0]!)
      const r = sw[i]! * (pr - t)
      for (let j = 0; j < p; j++) grad[j]! += r * X[i * p + j]!
      grad[p]! += r
    } else {
      const m = Math.max(...z)
      const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0))
      loss += sw[i]! * (lse - z[y[i]!]!)
      for (let c = 0; c < k; c++) {
        const r = sw[i]! * (Math.exp(z[c]! - lse) - (y[i] === c ? 1 : 0))
        for (let j = 0; j < p; j++) grad[c * q + j]! += r * X[i * p + j]!
        grad[c * q + p]! += r
      }
    }
  }
  return { loss, grad }
}

describe('the loss kernel', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 1, max: 11 }),
      fc.constantFrom(1, 2, 3, 5),
      fc.boolean(),
      fc.integer({ min: 0, max: 1000 }),
    ],
    { seed: 4242, numRuns: 60 },
  )('equals the textbook loss and gradient', (n, p, k, weighted, seed) => {
    const d = makeData(n, p, k, seed, false, weighted)
    const rng = createRng(seed + 1)
    const W = Float64Array.from({ length: k * (p + 1) }, () => rng.normal())
    const ev = createLossEvaluator(d, 1)
    const grad = new Float64Array(W.length)
    const loss = ev.evaluate(W, grad, 1, !weighted)
    const ref = naive(d, W, 1)
    expect(loss).toBeCloseTo(ref.loss, 8)
    for (let t = 0; t < grad.length; t++) expect(grad[t]).toBeCloseTo(ref.grad[t]!, 8)
  })

  it('is finite for huge margins (stable softplus and softmax)', () => {
    const d = makeData(50, 3, 1, 1, false, false)
    const grad = new Float64Array(4)
    for (const k of [1, 3]) {
      const dk = { ...makeData(50, 3, k, 1, false, false) }
      const W = new Float64Array(k * 4).fill(1e6)
      W[0] = -1e6
      const g = new Float64Array(W.length)
      expect(Number.isFinite(createLossEvaluator(dk, 1).evaluate(W, g, 1, true))).toBe(true)
      expect(g.every(Number.isFinite)).toBe(true)
    }
    expect(createLossEvaluator(d, 1).evaluate(new Float64Array(4), grad, 1, true)).toBeCloseTo(
      50 * Math.LN2,
      12,
    )
  })
})

describe('threads', () => {
  it('uses one thread for small data and several for large', () => {
    expect(chooseThreads(1000, 10, 1, undefined)).toBe(1)
    expect(chooseThreads(800_000, 28, 1, undefined)).toBeGreaterThanOrEqual(1)
    expect(chooseThreads(800_000, 28, 1, 3)).toBe(3)
    // Never more threads than blocks.
    expect(chooseThreads(BLOCK_ROWS * 2, 28, 1, 8)).toBe(2)
  })

  for (const [k, weighted] of [
    [1, false],
    [1, true],
    [4, true],
  ] as const) {
    it(`gives bit-identical sums for 1–3 threads (k=${k}, weights ${weighted})`, () => {
      const n = BLOCK_ROWS * 9 + 17
      const p = 6
      const single = makeData(n, p, k, 7, false, weighted)
      const rng = createRng(3)
      const W = Float64Array.from({ length: k * (p + 1) }, () => rng.normal() * 0.3)
      const g1 = new Float64Array(W.length)
      const l1 = createLossEvaluator(single, 1).evaluate(W, g1, 1, !weighted)
      for (const nThreads of [2, 3]) {
        const d = makeData(n, p, k, 7, true, weighted)
        const ev = createLossEvaluator(d, nThreads)
        try {
          expect(ev.ready(60_000)).toBe(true)
          for (let rep = 0; rep < 5; rep++) {
            const g = new Float64Array(W.length)
            expect(ev.evaluate(W, g, 1, !weighted)).toBe(l1)
            expect(Array.from(g)).toEqual(Array.from(g1))
          }
          expect(ev.nThreads).toBe(nThreads)
          // With every worker running, each claims blocks (9+ blocks, 5 evaluations).
          expect(ev.activeThreads()).toBe(nThreads)
        } finally {
          ev.close()
        }
      }
      expect(blockCount(n)).toBe(10)
    })
  }
})
