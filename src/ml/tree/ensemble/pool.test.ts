import { describe, expect, it } from 'vitest'

import { createRng } from '../../../core/index.js'

import { createColumn, createFrame } from '../../../frame/index.js'

import { TreeBuilder, createPredictPool, makeEnsemble, predictFrame, predictRaw } from './index.js'

function ensemble(seed: number, nFeatures: number, nOutputs: number) {
  const rng = createRng(seed)
  const trees = Array.from({ length: 12 }, () => {
    const b = new TreeBuilder()
    const grow = (id: number, depth: number): void => {
      if (depth === 6 || (depth > 1 && rng.float() < 0.2)) {
        b.setLeaf(id, rng.normal())
        return
      }
      b.setSplit(id, {
        feature: rng.int(nFeatures),
        threshold: rng.normal(),
        missingLeft: rng.float() < 0.5,
      })
      const l = b.addLeaf(0)
      const r = b.addLeaf(0)
      b.setChildren(id, l, r)
      grow(l, depth + 1)
      grow(r, depth + 1)
    }
    grow(b.addLeaf(0), 0)
    return b.finish()
  })
  return makeEnsemble(trees, { nFeatures, nOutputs, link: nOutputs > 1 ? 'softmax' : 'identity' })
}

describe('createPredictPool', () => {
  it('predicts on two threads exactly as on one (shared and unshared inputs)', () => {
    const e = ensemble(3, 5, 3)
    const nRows = 9000
    const rng = createRng(4)
    const X = Float32Array.from({ length: nRows * 5 }, () =>
      rng.float() < 0.1 ? NaN : rng.normal(),
    )
    const want = predictRaw(e, X, nRows, new Float64Array(nRows * 3))
    const pool = createPredictPool(e, { nThreads: 2 })
    try {
      expect(pool.threads).toBe(2)
      const got = pool.predictRaw(X, nRows, new Float64Array(nRows * 3))
      expect(got).toEqual(want)
      const shared = new Float32Array(new SharedArrayBuffer(X.byteLength))
      shared.set(X)
      const out = new Float64Array(new SharedArrayBuffer(nRows * 3 * 8))
      expect(pool.predictRaw(shared, nRows, out)).toEqual(want)
      // Small batches stay on the calling thread.
      expect(pool.predictRaw(X, 10, new Float64Array(30))).toEqual(want.subarray(0, 30))
      expect(() => pool.predictRaw(X, nRows + 1, new Float64Array(3 * nRows + 3))).toThrow(
        RangeError,
      )
    } finally {
      pool.close()
    }
    expect(pool.threads).toBe(1)
  })

  it('serves predictFrame with nThreads on large frames, identically', () => {
    const e = ensemble(5, 3, 1)
    const rng = createRng(6)
    const n = 50_000
    const X = createFrame(
      ['a', 'b', 'c'].map((name) =>
        createColumn({
          name,
          dtype: 'f64',
          values: Float64Array.from({ length: n }, () => rng.normal()),
        }),
      ),
    )
    expect(predictFrame(e, X, { nThreads: 2 })).toEqual(predictFrame(e, X))
  })
})
