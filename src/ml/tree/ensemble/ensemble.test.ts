import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { ValidationError, createRng, type Rng } from '../../../core/index.js'
import { createColumn, createFrame } from '../../../frame/index.js'

import {
  TreeBuilder,
  applyLink,
  ensembleFromState,
  ensembleToState,
  featureImportance,
  makeEnsemble,
  predictFrame,
  predictOutput,
  predictRaw,
  predictRowInto,
  type FlatTree,
  type TreeEnsemble,
  type TreeLink,
} from './index.js'
import { packEnsemble } from './packed.js'
import { predictRowsGeneric } from './predict.js'

/** A random tree of at most `maxDepth` levels over `nFeatures` features. */
function randomTree(
  rng: Rng,
  nFeatures: number,
  leafWidth: number,
  maxDepth: number,
  categorical: boolean,
): FlatTree {
  const b = new TreeBuilder(leafWidth)
  const leafValue = (): number[] => Array.from({ length: leafWidth }, () => rng.normal())
  const grow = (id: number, depth: number): void => {
    if (depth >= maxDepth || (depth > 0 && rng.float() < 0.25)) {
      b.setLeaf(id, leafValue(), rng.float())
      return
    }
    const feature = rng.int(nFeatures)
    const missingLeft = rng.float() < 0.5
    if (categorical && rng.float() < 0.3) {
      const cats = [0, 1, 2, 3, 4, 5].filter(() => rng.float() < 0.5)
      b.setSplit(id, { feature, categories: cats, missingLeft, gain: rng.float() })
    } else {
      const threshold = Math.fround(rng.normal())
      b.setSplit(id, { feature, threshold, missingLeft, gain: rng.float(), cover: rng.float() })
    }
    const l = b.addLeaf(leafValue())
    const r = b.addLeaf(leafValue())
    b.setChildren(id, l, r)
    grow(l, depth + 1)
    grow(r, depth + 1)
  }
  grow(b.addLeaf(leafValue()), 0)
  return b.finish(nFeatures)
}

interface Shape {
  readonly nFeatures: number
  readonly nOutputs: number
  readonly leafWidth: number
  readonly nTrees: number
  readonly link: TreeLink
  readonly aggregate: 'sum' | 'mean'
  readonly precision: 'f64' | 'f32'
  readonly accumulate: 'f64' | 'f32'
  readonly categorical: boolean
}

function randomEnsemble(seed: number, s: Shape): TreeEnsemble {
  const rng = createRng(seed)
  const trees = Array.from({ length: s.nTrees }, () =>
    randomTree(rng, s.nFeatures, s.leafWidth, 1 + rng.int(6), s.categorical),
  )
  return makeEnsemble(trees, {
    nFeatures: s.nFeatures,
    nOutputs: s.nOutputs,
    leafWidth: s.leafWidth,
    baseScore: Array.from({ length: s.nOutputs }, () => rng.normal()),
    aggregate: s.aggregate,
    link: s.link,
    precision: s.precision,
    accumulate: s.accumulate,
  })
}

/** Rows with some NaN, some ±Infinity and some small category-like integers. */
function randomRows(rng: Rng, nRows: number, nFeatures: number): Float64Array {
  const X = new Float64Array(nRows * nFeatures)
  for (let i = 0; i < X.length; i++) {
    const u = rng.float()
    X[i] =
      u < 0.1
        ? NaN
        : u < 0.12
          ? Infinity
          : u < 0.14
            ? -Infinity
            : u < 0.4
              ? rng.int(7)
              : rng.normal()
  }
  return X
}

function shapeOf(nFeatures: number, nOutputs: number): Shape {
  return {
    nFeatures,
    nOutputs,
    leafWidth: 1,
    nTrees: 5,
    link: nOutputs > 1 ? 'softmax' : 'identity',
    aggregate: 'sum',
    precision: 'f64',
    accumulate: 'f64',
    categorical: false,
  }
}

const shapeArb = fc
  .record({
    nFeatures: fc.integer({ min: 1, max: 6 }),
    nOutputs: fc.integer({ min: 1, max: 4 }),
    forest: fc.boolean(),
    nTrees: fc.integer({ min: 0, max: 12 }),
    precision: fc.constantFrom('f64' as const, 'f32' as const),
    accumulate: fc.constantFrom('f64' as const, 'f32' as const),
    categorical: fc.boolean(),
  })
  .map((r): Shape => ({
    ...r,
    leafWidth: r.forest ? r.nOutputs : 1,
    aggregate: r.forest ? 'mean' : 'sum',
    link: r.forest ? 'identity' : r.nOutputs === 1 ? 'sigmoid' : 'softmax',
  }))

function bytes(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex')
}

describe('TreeBuilder and makeEnsemble', () => {
  it('builds a tree and predicts with XGBoost split semantics', () => {
    const b = new TreeBuilder()
    const root = b.addSplit({ feature: 1, threshold: 0.5, missingLeft: true, gain: 3, cover: 10 })
    const l = b.addLeaf(-1, 6)
    const r = b.addSplit({ feature: 0, categories: [1, 3], missingLeft: false, gain: 1, cover: 4 })
    b.setChildren(root, l, r)
    b.setChildren(r, b.addLeaf(2), b.addLeaf(5))
    const e = makeEnsemble([b.finish(2)], { nFeatures: 2, baseScore: [0.25] })
    const X = Float64Array.of(
      ...[0, 0.4], // left: -1
      ...[0, 0.5], // x == threshold goes right; code 0 not in {1,3}: right → 5
      ...[3, 0.7], // right, code 3 in set → 2
      ...[0, NaN], // missing goes left → -1
      ...[NaN, 1], // right, missing goes right → 5
      ...[1.5, 1], // right, non-integer code goes right → 5
      ...[99, 1], // right, code beyond the bitset goes right → 5
    )
    const out = predictRaw(e, X, 7, new Float64Array(7))
    expect([...out]).toEqual([-0.75, 5.25, 2.25, -0.75, 5.25, 5.25, 5.25])
    expect([...featureImportance(e, 'split')]).toEqual([1, 1])
    expect([...featureImportance(e, 'gain')]).toEqual([1, 3])
    expect([...featureImportance(e, 'cover')]).toEqual([4, 10])
  })

  it('rejects a split without children, cycles and out-of-range features', () => {
    const b = new TreeBuilder()
    b.addSplit({ feature: 0, threshold: 1, missingLeft: false })
    expect(() => b.finish()).toThrow(ValidationError)
    const c = new TreeBuilder()
    const root = c.addSplit({ feature: 0, threshold: 1, missingLeft: false })
    const s = c.addSplit({ feature: 0, threshold: 1, missingLeft: false })
    c.setChildren(root, s, c.addLeaf(0))
    c.setChildren(s, root, c.addLeaf(0))
    expect(() => c.finish()).toThrow(/child 0 is not in 1…3/)
    const d = new TreeBuilder()
    d.setChildren(d.addSplit({ feature: 5, threshold: 1, missingLeft: false }), 1, 2)
    d.addLeaf(0)
    d.addLeaf(1)
    expect(() => makeEnsemble([d.finish()], { nFeatures: 3 })).toThrow(/feature 5 is not in 0…2/)
  })
})

describe('ensembleToState / ensembleFromState', () => {
  const shape: Shape = {
    nFeatures: 4,
    nOutputs: 3,
    leafWidth: 1,
    nTrees: 6,
    link: 'softmax',
    aggregate: 'sum',
    precision: 'f32',
    accumulate: 'f32',
    categorical: true,
  }

  test.prop([fc.integer({ min: 0, max: 1e6 }), shapeArb], { seed: 42, numRuns: 60 })(
    'round-trips through JSON bit for bit and predicts identically',
    (seed, s) => {
      const e = randomEnsemble(seed, s)
      const back = ensembleFromState(JSON.parse(JSON.stringify(ensembleToState(e))))
      expect(ensembleToState(back)).toEqual(ensembleToState(e))
      const X = randomRows(createRng(seed + 1), 40, s.nFeatures)
      const a = predictRaw(e, X, 40, new Float64Array(40 * s.nOutputs))
      const b = predictRaw(back, X, 40, new Float64Array(40 * s.nOutputs))
      expect(bytes(b)).toBe(bytes(a))
    },
  )

  it('names the malformed field', () => {
    const state = JSON.parse(JSON.stringify(ensembleToState(randomEnsemble(1, shape)))) as {
      trees: Record<string, unknown>[]
      link: string
    }
    const bad = (mutate: (s: typeof state) => void): unknown => {
      const copy = structuredClone(state)
      mutate(copy)
      return copy
    }
    const issuePath = (s: unknown): string => {
      try {
        ensembleFromState(s)
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError)
        return (err as ValidationError).issues[0]!.path.join('.')
      }
      throw new Error('expected a ValidationError')
    }
    expect(issuePath(bad((s) => (s.link = 'tanh')))).toBe('state.ensemble.link')
    expect(
      issuePath(bad((s) => (s.trees[0]!['left'] = { dtype: 'f64', length: 0, b64: '' }))),
    ).toBe('state.ensemble.trees.0.left')
    // A left array one element short.
    const shortLeft = bad((s) => {
      const t = s.trees[0]!
      const left = Buffer.from((t['left'] as { b64: string }).b64, 'base64')
      t['left'] = {
        dtype: 'i32',
        length: left.length / 4 - 1,
        b64: left.subarray(4).toString('base64'),
      }
    })
    expect(issuePath(shortLeft)).toBe('state.ensemble.trees.0.left')
    // Child index out of range, and a child pointing back at the root (a cycle).
    const withLeft = (values: (l: Int32Array) => void): unknown =>
      bad((s) => {
        const t = s.trees[0]!
        const l = new Int32Array(
          new Uint8Array(Buffer.from((t['left'] as { b64: string }).b64, 'base64')).buffer,
        )
        values(l)
        t['left'] = {
          dtype: 'i32',
          length: l.length,
          b64: Buffer.from(l.buffer).toString('base64'),
        }
      })
    const first = (l: Int32Array): number => l.findIndex((v) => v > 0)
    expect(issuePath(withLeft((l) => (l[first(l)] = 10_000)))).toBe('state.ensemble.trees.0.left.0')
    expect(issuePath(withLeft((l) => (l[first(l)] = 0)))).toBe('state.ensemble.trees.0.left.0')
    expect(issuePath(bad((s) => (s.trees[0] = 'x' as never)))).toBe('state.ensemble.trees.0')
    // Two nodes pointing at the same child.
    const twoParents = new TreeBuilder()
    twoParents.addSplit({ feature: 0, threshold: 0, missingLeft: false }, 1, 2)
    twoParents.addSplit({ feature: 0, threshold: 1, missingLeft: false }, 3, 4)
    twoParents.addLeaf(0)
    twoParents.addLeaf(1)
    twoParents.addLeaf(2)
    twoParents.setChildren(1, 3, 2)
    expect(() => twoParents.finish()).toThrow(/node 2 has two parents \(0 and 1\)/)
  })
})

describe('prediction', () => {
  test.prop([fc.integer({ min: 0, max: 1e6 }), shapeArb], { seed: 7, numRuns: 80 })(
    'batch equals single-row prediction and the plain walk bit for bit (f64 and f32 input)',
    (seed, s) => {
      const e = randomEnsemble(seed, s)
      const nRows = 70 // more than one 64-row block
      const X = randomRows(createRng(seed + 1), nRows, s.nFeatures)
      const K = s.nOutputs
      const batch = predictRaw(e, X, nRows, new Float64Array(nRows * K))
      const row = new Float64Array(K)
      const single = new Float64Array(nRows * K)
      for (let r = 0; r < nRows; r++) {
        predictRowInto(e, X.subarray(r * s.nFeatures, (r + 1) * s.nFeatures), row)
        single.set(row, r * K)
      }
      expect(bytes(single)).toBe(bytes(batch))
      // The branch-free kernel (used when every split is numeric) equals the plain tree walk.
      const walk = new Float64Array(nRows * K)
      predictRowsGeneric(packEnsemble(e), X, s.nFeatures, 0, nRows, walk)
      expect(bytes(walk)).toBe(bytes(batch))
      if (s.precision === 'f32') {
        const b32 = predictRaw(e, Float32Array.from(X), nRows, new Float64Array(nRows * K))
        expect(bytes(b32)).toBe(bytes(batch))
      }
    },
  )

  it('walks trees deeper than the complete layout takes (pointer layout) like the plain walk', () => {
    const rng = createRng(9)
    const trees = Array.from({ length: 6 }, () => {
      // A caterpillar of depth 16: every right child splits again.
      const b = new TreeBuilder()
      let node = b.addLeaf(0)
      for (let d = 0; d < 16; d++) {
        b.setSplit(node, {
          feature: rng.int(3),
          threshold: rng.normal() * 0.3,
          missingLeft: rng.float() < 0.5,
        })
        const l = b.addLeaf(rng.normal())
        const r = b.addLeaf(rng.normal())
        b.setChildren(node, l, r)
        node = r
      }
      return b.finish()
    })
    const e = makeEnsemble(trees, { nFeatures: 3, baseScore: [0.5] })
    const nRows = 300
    const X = randomRows(createRng(10), nRows, 3)
    const batch = predictRaw(e, X, nRows, new Float64Array(nRows))
    const walk = new Float64Array(nRows)
    predictRowsGeneric(packEnsemble(e), X, 3, 0, nRows, walk)
    expect(bytes(batch)).toBe(bytes(walk))
    const one = new Float64Array(1)
    for (let r = 0; r < nRows; r++) {
      predictRowInto(e, X.subarray(3 * r, 3 * r + 3), one)
      expect(one[0]).toBe(batch[r])
    }
    expect(packEnsemble(e).dense?.padded).toBe(0)
  })

  it('checks the single-row buffers', () => {
    const e = randomEnsemble(5, { ...shapeOf(3, 2) })
    expect(() => predictRowInto(e, [1, 2], new Float64Array(2))).toThrow(RangeError)
    expect(() => predictRowInto(e, [1, 2, 3], new Float64Array(1))).toThrow(RangeError)
  })

  it('applies sigmoid, softmax and exp links', () => {
    const b = new TreeBuilder()
    b.addLeaf(0)
    const leaf = b.finish()
    const m = Float64Array.of(0, Math.log(3))
    const sig = makeEnsemble([], { nFeatures: 1, link: 'sigmoid' })
    const s = applyLink(sig, m, 2, new Float64Array(2))
    expect(s[0]).toBe(0.5)
    expect(s[1]).toBeCloseTo(0.75, 15)
    const soft = makeEnsemble([leaf, leaf], { nFeatures: 1, nOutputs: 2, link: 'softmax' })
    const p = applyLink(soft, m, 1, new Float64Array(2))
    expect(p[0]).toBeCloseTo(0.25, 15)
    expect(p[1]).toBeCloseTo(0.75, 15)
    const pois = makeEnsemble([leaf], { nFeatures: 1, link: 'exp', baseScore: [Math.log(2)] })
    expect(predictOutput(pois, Float64Array.of(1), 1, new Float64Array(1))[0]).toBeCloseTo(2, 14)
  })

  it('predicts a frame, missing values following the missing direction', () => {
    const b = new TreeBuilder()
    b.addSplit({ feature: 1, threshold: 0, missingLeft: false }, 1, 2)
    b.addLeaf(-2)
    b.addLeaf(2)
    const e = makeEnsemble([b.finish()], { nFeatures: 2, link: 'sigmoid' })
    const X = createFrame([
      createColumn({ name: 'a', dtype: 'f64', values: Float64Array.of(1, 2, 3) }),
      createColumn({
        name: 'b',
        dtype: 'f64',
        values: Float64Array.of(-1, 1, 0),
        validity: Uint8Array.of(1, 1, 0),
      }),
    ])
    expect([...predictFrame(e, X, { output: 'raw' })]).toEqual([-2, 2, 2])
    expect(predictFrame(e, X)[0]).toBeCloseTo(1 / (1 + Math.exp(2)), 15)
    expect(() => predictFrame(e, X.select(['a']))).toThrow(ValidationError)
  })
})
