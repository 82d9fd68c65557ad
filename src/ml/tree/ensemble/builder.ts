/**
 * Assembling trees node by node ({@link TreeBuilder}) and ensembles from trees
 * ({@link makeEnsemble}), both validated, so learners never hand-fill the parallel arrays.
 */
import { validateEnsemble } from './validate.js'

import type { FlatTree, TreeEnsemble, TreeLink } from './types.js'

/** A split a learner adds with {@link TreeBuilder.addSplit} or {@link TreeBuilder.setSplit}. */
export interface SplitSpec {
  /** The feature tested. */
  readonly feature: number
  /** Numeric split: a present value goes left when `x < threshold`. Omit for categorical splits. */
  readonly threshold?: number
  /**
   * Categorical split: the category codes that go left (all others, and codes beyond the
   * bitset, go right). Give either `categories` or `catBits`.
   */
  readonly categories?: readonly number[]
  /** Categorical split as bitset words: bit `c` of word `c >>> 5` set means code `c` goes left. */
  readonly catBits?: Uint32Array
  /** Where a missing value (NaN) goes. */
  readonly missingLeft: boolean
  /** Loss reduction of the split. @default 0 */
  readonly gain?: number
  /** Hessian sum (GBDT) or weight (forests) of the node's rows. @default 0 */
  readonly cover?: number
}

/**
 * Grows one {@link FlatTree} node by node. Node ids are given out in order, and node 0 is the
 * root. A learner may add a split before its children exist and wire them with
 * {@link TreeBuilder.setChildren}, or turn a placeholder leaf into a split with
 * {@link TreeBuilder.setSplit}. `finish()` checks the structure (every split has two children,
 * one parent per node, no cycles, everything reachable from the root).
 *
 * @example
 * ```ts
 * const b = new TreeBuilder()
 * const root = b.addSplit({ feature: 0, threshold: 0.5, missingLeft: true })
 * b.setChildren(root, b.addLeaf(-1), b.addLeaf(1))
 * const tree = b.finish()   // 3 nodes
 * ```
 */
export class TreeBuilder {
  readonly #leafWidth: number
  readonly #feature: number[] = []
  readonly #threshold: number[] = []
  readonly #left: number[] = []
  readonly #right: number[] = []
  readonly #missingLeft: number[] = []
  readonly #value: number[] = []
  readonly #cover: number[] = []
  readonly #gain: number[] = []
  readonly #catOffset: number[] = []
  readonly #catWords: number[] = []
  readonly #catBits: number[] = []

  /** @param leafWidth Values per leaf (1 for boosting, the number of outputs for forests). */
  constructor(leafWidth = 1) {
    if (!Number.isSafeInteger(leafWidth) || leafWidth < 1)
      throw new RangeError(`leafWidth must be an integer ≥ 1, got ${leafWidth}`)
    this.#leafWidth = leafWidth
  }

  /** Number of nodes added so far. */
  get nNodes(): number {
    return this.#feature.length
  }

  /** Adds a leaf holding `value` (a number when `leafWidth` is 1) and returns its id. */
  addLeaf(value: number | ArrayLike<number>, cover = 0): number {
    const id = this.#push()
    this.setLeaf(id, value, cover)
    return id
  }

  /** Adds a split node and returns its id; children may be given now or wired later. */
  addSplit(split: SplitSpec, left = -1, right = -1): number {
    const id = this.#push()
    this.setSplit(id, split)
    this.#left[id] = left
    this.#right[id] = right
    return id
  }

  /** Makes node `id` a leaf holding `value` (drops any split or children it had). */
  setLeaf(id: number, value: number | ArrayLike<number>, cover = 0): void {
    this.#check(id)
    const w = this.#leafWidth
    const vals = typeof value === 'number' ? [value] : value
    if (vals.length !== w) throw new RangeError(`a leaf needs ${w} value(s), got ${vals.length}`)
    for (let k = 0; k < w; k++) this.#value[id * w + k] = vals[k]!
    this.#feature[id] = -1
    this.#threshold[id] = 0
    this.#left[id] = -1
    this.#right[id] = -1
    this.#missingLeft[id] = 0
    this.#cover[id] = cover
    this.#gain[id] = 0
    this.#catOffset[id] = -1
    this.#catWords[id] = 0
  }

  /** Makes node `id` a split (its children stay as they were: wire them with `setChildren`). */
  setSplit(id: number, split: SplitSpec): void {
    this.#check(id)
    const w = this.#leafWidth
    for (let k = 0; k < w; k++) this.#value[id * w + k] = 0
    this.#feature[id] = split.feature
    this.#missingLeft[id] = split.missingLeft ? 1 : 0
    this.#cover[id] = split.cover ?? 0
    this.#gain[id] = split.gain ?? 0
    const bits = split.catBits ?? (split.categories && bitsetOf(split.categories))
    if (bits === undefined) {
      if (split.threshold === undefined)
        throw new RangeError('a split needs a threshold or categories')
      this.#threshold[id] = split.threshold
      this.#catOffset[id] = -1
      this.#catWords[id] = 0
    } else {
      this.#threshold[id] = 0
      this.#catOffset[id] = this.#catBits.length
      this.#catWords[id] = bits.length
      for (const word of bits) this.#catBits.push(word)
    }
  }

  /** Sets the children of split node `id`. */
  setChildren(id: number, left: number, right: number): void {
    this.#check(id)
    this.#left[id] = left
    this.#right[id] = right
  }

  /**
   * The tree as flat typed arrays. The builder may keep being used (the arrays are copies).
   *
   * @throws ValidationError if the nodes do not form a tree (see {@link validateEnsemble}).
   */
  finish(nFeatures = Number.MAX_SAFE_INTEGER): FlatTree {
    const tree: FlatTree = {
      nNodes: this.nNodes,
      feature: Int32Array.from(this.#feature),
      threshold: Float64Array.from(this.#threshold),
      left: Int32Array.from(this.#left),
      right: Int32Array.from(this.#right),
      missingLeft: Uint8Array.from(this.#missingLeft),
      value: Float64Array.from(this.#value),
      cover: Float64Array.from(this.#cover),
      gain: Float64Array.from(this.#gain),
      catOffset: Int32Array.from(this.#catOffset),
      catWords: Int32Array.from(this.#catWords),
      catBits: Uint32Array.from(this.#catBits),
    }
    validateEnsemble(
      makeUnchecked([tree], {
        nFeatures,
        nOutputs: this.#leafWidth,
        leafWidth: this.#leafWidth,
        link: 'identity',
      }),
    )
    return tree
  }

  #push(): number {
    const id = this.#feature.length
    this.#feature.push(-1)
    this.#threshold.push(0)
    this.#left.push(-1)
    this.#right.push(-1)
    this.#missingLeft.push(0)
    for (let k = 0; k < this.#leafWidth; k++) this.#value.push(0)
    this.#cover.push(0)
    this.#gain.push(0)
    this.#catOffset.push(-1)
    this.#catWords.push(0)
    return id
  }

  #check(id: number): void {
    if (!Number.isSafeInteger(id) || id < 0 || id >= this.nNodes)
      throw new RangeError(`no node ${id} (the tree has ${this.nNodes})`)
  }
}

/** The bitset words of a list of non-negative integer category codes. */
function bitsetOf(codes: readonly number[]): Uint32Array {
  let max = -1
  for (const c of codes) {
    if (!Number.isSafeInteger(c) || c < 0)
      throw new RangeError(`category codes must be integers ≥ 0, got ${c}`)
    if (c > max) max = c
  }
  const words = new Uint32Array(max < 0 ? 0 : (max >>> 5) + 1)
  for (const c of codes) words[c >>> 5] = (words[c >>> 5]! | (1 << (c & 31))) >>> 0
  return words
}

/** What {@link makeEnsemble} needs besides the trees. */
export interface EnsembleOptions {
  readonly nFeatures: number
  /** @default 1 */
  readonly nOutputs?: number
  /** @default 1 */
  readonly leafWidth?: number
  /** Output each tree adds to; @default `t % nOutputs` when `leafWidth` is 1, else all 0. */
  readonly treeGroup?: Int32Array | readonly number[]
  /** @default zeros */
  readonly baseScore?: Float64Array | readonly number[]
  /** @default 'sum' */
  readonly aggregate?: 'sum' | 'mean'
  /** @default 'identity' */
  readonly link?: TreeLink
  /** @default 'f64' */
  readonly precision?: 'f64' | 'f32'
  /** @default 'f64' */
  readonly accumulate?: 'f64' | 'f32'
}

function makeUnchecked(trees: readonly FlatTree[], o: EnsembleOptions): TreeEnsemble {
  const nOutputs = o.nOutputs ?? 1
  const leafWidth = o.leafWidth ?? 1
  const treeGroup =
    o.treeGroup === undefined
      ? Int32Array.from(trees, (_, t) => (leafWidth === 1 ? t % nOutputs : 0))
      : Int32Array.from(o.treeGroup)
  const baseScore =
    o.baseScore === undefined ? new Float64Array(nOutputs) : Float64Array.from(o.baseScore)
  const e: TreeEnsemble = {
    nFeatures: o.nFeatures,
    nOutputs,
    leafWidth,
    trees: Object.freeze([...trees]),
    treeGroup,
    baseScore,
    aggregate: o.aggregate ?? 'sum',
    link: o.link ?? 'identity',
    precision: o.precision ?? 'f64',
    ...(o.accumulate === undefined || o.accumulate === 'f64' ? {} : { accumulate: o.accumulate }),
  }
  return Object.freeze(e)
}

/**
 * A validated, frozen {@link TreeEnsemble}.
 *
 * @throws ValidationError naming each malformed field (`trees.3.left.7: child 12 is not in 1…9`).
 * @example
 * ```ts
 * const e = makeEnsemble([tree], { nFeatures: 28, link: 'sigmoid' })
 * ```
 */
export function makeEnsemble(trees: readonly FlatTree[], options: EnsembleOptions): TreeEnsemble {
  const e = makeUnchecked(trees, options)
  validateEnsemble(e)
  return e
}
