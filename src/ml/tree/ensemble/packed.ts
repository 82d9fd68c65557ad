/**
 * The inference layout of an ensemble: all trees' nodes concatenated into a few typed arrays
 * with global child indices, built once per ensemble and cached. Prediction kernels read only
 * this, so a walk touches four small arrays instead of one object per tree.
 *
 * @internal
 */
import type { DenseKernelData } from './kernels/dense.js'
import type { TreeEnsemble } from './types.js'

/** Concatenated node arrays of every tree of an ensemble. */
export interface PackedEnsemble {
  readonly nTrees: number
  readonly nOutputs: number
  readonly leafWidth: number
  /** Global id of each tree's root. */
  readonly root: Int32Array
  /** Output each tree adds to (leafWidth 1). */
  readonly group: Int32Array
  readonly feature: Int32Array
  readonly threshold: Float64Array
  /** Global child ids; -1 at leaves. */
  readonly left: Int32Array
  readonly right: Int32Array
  readonly missingLeft: Uint8Array
  /** `leafWidth` values per global node. */
  readonly value: Float64Array
  /** Global offset into `catBits`, or -1 for numeric nodes. */
  readonly catOffset: Int32Array
  readonly catWords: Int32Array
  readonly catBits: Uint32Array
  readonly hasCategorical: boolean
  /** Inputs are rounded to float32 before comparing. */
  readonly f32Input: boolean
  /** Partial sums are rounded to float32. */
  readonly f32Sum: boolean
  /** Per output: 1 for sums, 1 / (number of trees adding to it) for means. */
  readonly scale: Float64Array
  readonly mean: boolean
  readonly baseScore: Float64Array
  /** Depth of the deepest leaf over all trees (root = 0). */
  readonly maxDepth: number
  /** The branch-free layout, when every split is numeric with a finite threshold. */
  readonly dense: DenseKernelData | undefined
  /**
   * The single-row path's scratch row (`2 × nFeatures`), allocated once per ensemble so that
   * path allocates nothing. Safe because a thread runs one prediction at a time.
   */
  readonly rowScratch: Float64Array
}

// Ensembles are immutable, so their packed form is computed once and kept beside them for as
// long as the ensemble lives (a WeakMap: no leak, no mutation of the frozen object).
const CACHE = new WeakMap<TreeEnsemble, PackedEnsemble>()

/** The packed layout of `e`, built on first use. */
export function packEnsemble(e: TreeEnsemble): PackedEnsemble {
  let p = CACHE.get(e)
  if (p === undefined) {
    p = build(e)
    CACHE.set(e, p)
  }
  return p
}

function build(e: TreeEnsemble): PackedEnsemble {
  const w = e.leafWidth
  let nNodes = 0
  let nBits = 0
  for (const t of e.trees) {
    nNodes += t.nNodes
    nBits += t.catBits.length
  }
  const root = new Int32Array(e.trees.length)
  const feature = new Int32Array(nNodes)
  const threshold = new Float64Array(nNodes)
  const left = new Int32Array(nNodes)
  const right = new Int32Array(nNodes)
  const missingLeft = new Uint8Array(nNodes)
  const value = new Float64Array(nNodes * w)
  const catOffset = new Int32Array(nNodes)
  const catWords = new Int32Array(nNodes)
  const catBits = new Uint32Array(nBits)
  let base = 0
  let bitBase = 0
  let hasCategorical = false
  let maxDepth = 0
  for (let ti = 0; ti < e.trees.length; ti++) {
    const t = e.trees[ti]!
    root[ti] = base
    feature.set(t.feature, base)
    threshold.set(t.threshold, base)
    missingLeft.set(t.missingLeft, base)
    value.set(t.value, base * w)
    catWords.set(t.catWords, base)
    catBits.set(t.catBits, bitBase)
    for (let i = 0; i < t.nNodes; i++) {
      const l = t.left[i]!
      left[base + i] = l < 0 ? -1 : l + base
      right[base + i] = l < 0 ? -1 : t.right[i]! + base
      const off = t.catOffset[i]!
      if (off >= 0 && l >= 0) hasCategorical = true
      catOffset[base + i] = off < 0 || l < 0 ? -1 : off + bitBase
    }
    maxDepth = Math.max(maxDepth, depthOf(t.left, t.right))
    base += t.nNodes
    bitBase += t.catBits.length
  }
  const mean = e.aggregate === 'mean'
  const scale = new Float64Array(e.nOutputs).fill(1)
  if (mean) {
    const count = new Float64Array(e.nOutputs)
    for (let ti = 0; ti < e.trees.length; ti++) {
      if (w === 1) count[e.treeGroup[ti]!]! += 1
      else count.fill(e.trees.length)
    }
    for (let k = 0; k < e.nOutputs; k++) scale[k] = count[k]! > 0 ? 1 / count[k]! : 0
  }
  const packed = {
    nTrees: e.trees.length,
    nOutputs: e.nOutputs,
    leafWidth: w,
    root,
    group: Int32Array.from(e.treeGroup),
    feature,
    threshold,
    left,
    right,
    missingLeft,
    value,
    catOffset,
    catWords,
    catBits,
    hasCategorical,
    f32Input: e.precision === 'f32',
    f32Sum: e.accumulate === 'f32',
    scale,
    mean,
    baseScore: Float64Array.from(e.baseScore),
    maxDepth,
  }
  const dense = hasCategorical ? undefined : buildDense(e, packed)
  return { ...packed, dense, rowScratch: new Float64Array(2 * e.nFeatures) }
}

/** The sibling-adjacent layout of `kernels/dense.ts`, or undefined if a threshold is infinite. */
function buildDense(
  e: TreeEnsemble,
  p: Omit<PackedEnsemble, 'dense' | 'rowScratch'>,
): DenseKernelData | undefined {
  const P = e.nFeatures
  const w = p.leafWidth
  const n = p.feature.length
  const col = new Int32Array(n)
  const threshold = new Float64Array(n)
  const child = new Int32Array(n)
  const value = new Float64Array(n * w)
  const root = new Int32Array(p.nTrees)
  const depth = new Int32Array(p.nTrees)
  for (let i = 0; i < p.threshold.length; i++) {
    if (p.left[i]! >= 0 && !Number.isFinite(p.threshold[i]!)) return undefined
  }
  if (p.maxDepth <= MAX_PADDED_DEPTH) return buildPadded(e, p)
  let next = 0
  for (let t = 0; t < p.nTrees; t++) {
    root[t] = next
    // Breadth-first from the root: [old id, new id, depth] triples.
    const queue: number[] = [p.root[t]!, next, 0]
    next++
    for (let q = 0; q < queue.length; q += 3) {
      const old = queue[q]!
      const id = queue[q + 1]!
      const d = queue[q + 2]!
      if (d > depth[t]!) depth[t] = d
      const l = p.left[old]!
      if (l < 0) {
        child[id] = id
        threshold[id] = NaN
        for (let k = 0; k < w; k++) value[id * w + k] = p.value[old * w + k]!
        continue
      }
      const th = p.threshold[old]!
      if (!Number.isFinite(th)) return undefined
      threshold[id] = th
      col[id] = p.feature[old]! + (p.missingLeft[old] === 1 ? P : 0)
      child[id] = next
      queue.push(l, next, d + 1, p.right[old]!, next + 1, d + 1)
      next += 2
    }
  }
  return {
    nTrees: p.nTrees,
    nFeatures: P,
    nOutputs: p.nOutputs,
    leafWidth: w,
    root,
    depth,
    group: p.group,
    col,
    threshold,
    child,
    value,
    baseScore: p.baseScore,
    scale: p.scale,
    mean: p.mean ? 1 : 0,
    f32Input: p.f32Input ? 1 : 0,
    f32Sum: p.f32Sum ? 1 : 0,
    padded: 0,
  }
}

/** Deepest trees stored complete (a depth-10 tree takes 2047 slots). */
const MAX_PADDED_DEPTH = 10

/** The complete-tree variant of the dense layout (`padded: 1`). */
function buildPadded(
  e: TreeEnsemble,
  p: Omit<PackedEnsemble, 'dense' | 'rowScratch'>,
): DenseKernelData {
  const P = e.nFeatures
  const w = p.leafWidth
  const root = new Int32Array(p.nTrees)
  const depth = new Int32Array(p.nTrees)
  let total = 0
  for (let t = 0; t < p.nTrees; t++) {
    root[t] = total
    depth[t] = subtreeDepth(p, p.root[t]!)
    total += 2 ** (depth[t]! + 1) - 1
  }
  const col = new Int32Array(total)
  const threshold = new Float64Array(total)
  const child = new Int32Array(total)
  const value = new Float64Array(total * w)
  for (let t = 0; t < p.nTrees; t++) {
    const base = root[t]!
    const D = depth[t]!
    // [old id, local slot, depth] triples; a leaf above level D fills its subtree.
    const stack: number[] = [p.root[t]!, 0, 0]
    while (stack.length > 0) {
      const d = stack.pop()!
      const i = stack.pop()!
      const old = stack.pop()!
      const id = base + i
      const isLeaf = p.left[old]! < 0
      if (d === D) {
        child[id] = id
        threshold[id] = NaN
        for (let k = 0; k < w; k++) value[id * w + k] = p.value[old * w + k]!
        continue
      }
      child[id] = base + 2 * i + 1
      if (isLeaf) {
        threshold[id] = NaN // every row goes left; both subtrees hold the leaf anyway
        stack.push(old, 2 * i + 1, d + 1, old, 2 * i + 2, d + 1)
      } else {
        threshold[id] = p.threshold[old]!
        col[id] = p.feature[old]! + (p.missingLeft[old] === 1 ? P : 0)
        stack.push(p.left[old]!, 2 * i + 1, d + 1, p.right[old]!, 2 * i + 2, d + 1)
      }
    }
  }
  return {
    nTrees: p.nTrees,
    nFeatures: P,
    nOutputs: p.nOutputs,
    leafWidth: w,
    root,
    depth,
    group: p.group,
    col,
    threshold,
    child,
    value,
    baseScore: p.baseScore,
    scale: p.scale,
    mean: p.mean ? 1 : 0,
    f32Input: p.f32Input ? 1 : 0,
    f32Sum: p.f32Sum ? 1 : 0,
    padded: 1,
  }
}

function subtreeDepth(p: Omit<PackedEnsemble, 'dense' | 'rowScratch'>, node: number): number {
  let max = 0
  const stack: number[] = [node, 0]
  while (stack.length > 0) {
    const d = stack.pop()!
    const i = stack.pop()!
    if (d > max) max = d
    if (p.left[i]! >= 0) stack.push(p.left[i]!, d + 1, p.right[i]!, d + 1)
  }
  return max
}

function depthOf(left: Int32Array, right: Int32Array): number {
  let max = 0
  const stack: number[] = [0, 0]
  while (stack.length > 0) {
    const d = stack.pop()!
    const i = stack.pop()!
    if (d > max) max = d
    if (left[i]! >= 0) stack.push(left[i]!, d + 1, right[i]!, d + 1)
  }
  return max
}
