/**
 * Growing one regression tree on gradient histograms, as XGBoost 1.7's `hist` updater does
 * (`QuantileHistMaker` with its expansion `Driver`): depth-wise (a level at a time) or
 * loss-guided (the pending node with the largest loss change first), with histogram
 * subtraction (the smaller child is built, its sibling is parent − smaller, written over the
 * parent's buffer) and a pool of histogram buffers reused across nodes and trees.
 */
import type { Rng } from '../../../core/index.js'
import type { FlatTree } from '../ensemble/index.js'
import {
  HIST_SLOTS,
  MISSING_BIN,
  type BinnedMatrix,
  type Histogram,
  type HistogramEngine,
  type RowSplit,
} from '../hist/index.js'

import {
  SplitCandidate,
  SplitScratch,
  boundedWeight,
  findBestSplit,
  type SplitParams,
} from './split.js'

/** Tree-shape parameters on top of {@link SplitParams}. */
export interface GrowParams extends SplitParams {
  readonly maxDepth: number
  readonly maxLeaves: number
  readonly lossguide: boolean
  readonly gamma: number
  readonly learningRate: number
  readonly colsampleByNode: number
}

/** XGBoost's `kRtEps`: splits must gain more than this. */
const RT_EPS = 1e-6

/** A grown tree, with what the booster needs to update margins. */
export interface GrownTree {
  readonly tree: FlatTree
  /** Leaf node ids, and for each the row range `[begin, end)` of `engine.rows` it holds. */
  readonly leaves: Int32Array
  readonly leafBegin: Int32Array
  readonly leafEnd: Int32Array
}

/**
 * Grows trees over one engine. Holds every per-node array and the histogram pool, so growing a
 * tree allocates only its output arrays.
 */
export class TreeGrower {
  private cap = 0
  // Per node.
  private begin: Int32Array = new Int32Array(0)
  private end: Int32Array = new Int32Array(0)
  private depth: Int32Array = new Int32Array(0)
  private sumG: Float64Array = new Float64Array(0)
  private sumH: Float64Array = new Float64Array(0)
  private lower: Float64Array = new Float64Array(0)
  private upper: Float64Array = new Float64Array(0)
  private slot: Int32Array = new Int32Array(0)
  // Output tree.
  private feature: Int32Array = new Int32Array(0)
  private threshold: Float64Array = new Float64Array(0)
  private left: Int32Array = new Int32Array(0)
  private right: Int32Array = new Int32Array(0)
  private missingLeft: Uint8Array = new Uint8Array(0)
  private value: Float64Array = new Float64Array(0)
  private cover: Float64Array = new Float64Array(0)
  private gain: Float64Array = new Float64Array(0)
  private catOffset: Int32Array = new Int32Array(0)
  private catWords: Int32Array = new Int32Array(0)
  /** Split bin of numeric nodes (for walking binned rows). */
  private splitBin: Int32Array = new Int32Array(0)
  private catBits: number[] = []
  private candidates: SplitCandidate[] = []
  private nNodes = 0

  private readonly pool: Histogram[] = []
  private readonly free: number[] = []
  private readonly scratch = new SplitScratch()
  private readonly nodeFeatures: Int32Array
  private readonly histDoubles: number

  constructor(
    private readonly engine: HistogramEngine,
    private readonly data: BinnedMatrix,
    private readonly p: GrowParams,
  ) {
    this.histDoubles = data.nFeatures * HIST_SLOTS * 2
    this.nodeFeatures = new Int32Array(data.nFeatures)
    this.ensure(64)
  }

  /**
   * Grows a tree on the engine's `nActive` current rows (`resetRows` done, gradients written)
   * over the ascending `features[0 .. nFeatures)`. Leaf values are shrunk by the learning rate.
   */
  grow(nActive: number, features: Int32Array, nFeatures: number, rng: Rng): GrownTree {
    const p = this.p
    const engine = this.engine
    this.nNodes = 0
    this.catBits.length = 0
    const root = this.newNode(0, nActive, 0)
    // Root sums in row order: independent of the thread count.
    const rows = engine.rows
    const grad = engine.grad
    const hess = engine.hess
    let g = 0
    let h = 0
    for (let i = 0; i < nActive; i++) {
      const r = rows[i]!
      g += grad[r]!
      h += hess[r]!
    }
    this.sumG[root] = g
    this.sumH[root] = h
    this.lower[root] = -Infinity
    this.upper[root] = Infinity
    this.setLeafValue(root)
    // The engine's all-feature kernels are faster than its subset path.
    const featSub = nFeatures < this.data.nFeatures ? features.subarray(0, nFeatures) : undefined
    const rootSlot = this.takeSlot()
    this.slot[root] = rootSlot
    engine.buildHistograms([{ begin: 0, end: nActive }], [this.pool[rootSlot]!], featSub)
    this.evaluate(root, features, nFeatures, rng)

    let nLeaves = 1
    // Pending nodes, in the order XGBoost's driver pops them.
    let queue: number[] = [root]
    const small: { begin: number; end: number }[] = []
    const smallHists: Histogram[] = []
    while (queue.length > 0) {
      let level: number[]
      if (p.lossguide) {
        let bi = 0
        for (let i = 1; i < queue.length; i++) {
          const a = this.candidates[queue[i]!]!.gain
          const b = this.candidates[queue[bi]!]!.gain
          if (a > b || (a === b && queue[i]! < queue[bi]!)) bi = i
        }
        const top = queue[bi]!
        queue.splice(bi, 1)
        if (!this.isValid(top, nLeaves)) {
          // XGBoost's loss-guided driver stops when its best pending node cannot split.
          this.release(top)
          for (const n of queue) this.release(n)
          break
        }
        level = [top]
      } else {
        level = queue
        queue = []
      }
      // Which nodes split (in order, as XGBoost's driver decides them), then all their rows
      // partitioned in one pass over the workers, then the child nodes in the same order.
      const splitting: number[] = []
      for (const nid of level) {
        if (!this.isValid(nid, nLeaves + splitting.length)) {
          this.release(nid)
          continue
        }
        splitting.push(nid)
      }
      const mids = this.engine.partitionMany(splitting.map((nid) => this.rowSplit(nid)))
      const expand: number[] = []
      splitting.forEach((nid, i) => {
        this.applySplit(nid, mids[i]!)
        nLeaves++
        const childDepth = this.depth[nid]! + 1
        if (
          (p.maxDepth > 0 && childDepth >= p.maxDepth) ||
          (p.maxLeaves > 0 && nLeaves >= p.maxLeaves)
        ) {
          this.release(nid)
        } else {
          expand.push(nid)
        }
      })
      if (expand.length === 0) continue
      // Build the smaller child of each split; the larger is parent − smaller, in place.
      small.length = 0
      smallHists.length = 0
      const smallIds: number[] = []
      for (const nid of expand) {
        const l = this.left[nid]!
        const r = this.right[nid]!
        const s = this.end[l]! - this.begin[l]! <= this.end[r]! - this.begin[r]! ? l : r
        smallIds.push(s)
        const slotS = this.takeSlot()
        this.slot[s] = slotS
        small.push({ begin: this.begin[s]!, end: this.end[s]! })
        smallHists.push(this.pool[slotS]!)
      }
      engine.buildHistograms(small, smallHists, featSub)
      for (let i = 0; i < expand.length; i++) {
        const nid = expand[i]!
        const s = smallIds[i]!
        const l = this.left[nid]!
        const big = s === l ? this.right[nid]! : l
        const parentSlot = this.slot[nid]!
        this.subtract(this.pool[parentSlot]!, this.pool[this.slot[s]!]!, featSub)
        this.slot[big] = parentSlot
        this.slot[nid] = -1
        this.evaluate(l, features, nFeatures, rng)
        this.evaluate(this.right[nid]!, features, nFeatures, rng)
        queue.push(l, this.right[nid]!)
      }
    }
    return this.finish()
  }

  /**
   * The leaf each binned row of `data` (same cuts) reaches in the last grown tree, for rows the
   * tree did not see (subsampling) and validation rows.
   */
  leafOfBinned(bins: Uint8Array, at: number): number {
    let node = 0
    while (this.left[node]! >= 0) {
      const f = this.feature[node]!
      const b = bins[at + f]!
      let goLeft: boolean
      if (b === MISSING_BIN) goLeft = this.missingLeft[node] === 1
      else if (this.catOffset[node]! >= 0) {
        const o = this.catOffset[node]!
        goLeft =
          b >>> 5 < this.catWords[node]! && ((this.catBits[o + (b >>> 5)]! >>> (b & 31)) & 1) === 1
      } else goLeft = b <= this.splitBin[node]!
      node = goLeft ? this.left[node]! : this.right[node]!
    }
    return node
  }

  /** Sets a leaf's value (adaptive leaves of the absolute and quantile losses). */
  setLeaf(nid: number, v: number, tree: FlatTree): void {
    this.value[nid] = v
    tree.value[nid] = v
  }

  private isValid(nid: number, nLeaves: number): boolean {
    const c = this.candidates[nid]!
    const p = this.p
    if (!(c.gain > RT_EPS)) return false
    if (c.leftH === 0 || c.rightH === 0) return false
    if (c.gain < p.gamma) return false
    if (p.maxDepth > 0 && this.depth[nid] === p.maxDepth) return false
    if (p.maxLeaves > 0 && nLeaves === p.maxLeaves) return false
    return true
  }

  private evaluate(nid: number, features: Int32Array, nFeatures: number, rng: Rng): void {
    let feats = features
    let nf = nFeatures
    const p = this.p
    if (p.colsampleByNode < 1) {
      const k = Math.max(1, Math.floor(p.colsampleByNode * nFeatures))
      const pick = this.nodeFeatures
      pick.set(features.subarray(0, nFeatures))
      // Partial Fisher–Yates for k of them, then ascending order.
      for (let i = 0; i < k; i++) {
        const j = i + rng.int(nFeatures - i)
        const t = pick[i]!
        pick[i] = pick[j]!
        pick[j] = t
      }
      pick.subarray(0, k).sort()
      feats = pick
      nf = k
    }
    findBestSplit(
      this.pool[this.slot[nid]!]!,
      this.data,
      feats,
      nf,
      this.sumG[nid]!,
      this.sumH[nid]!,
      this.lower[nid]!,
      this.upper[nid]!,
      p,
      this.candidates[nid]!,
      this.scratch,
    )
  }

  /** The row split of a node's best candidate. */
  private rowSplit(nid: number): { begin: number; end: number; split: RowSplit } {
    const c = this.candidates[nid]!
    return {
      begin: this.begin[nid]!,
      end: this.end[nid]!,
      split: {
        feature: c.feature,
        bin: c.bin,
        missingLeft: c.missingLeft,
        ...(c.categorical ? { catBits: c.catBits } : {}),
      },
    }
  }

  /** Makes node `nid` a split at its best candidate; its rows are already partitioned at `mid`. */
  private applySplit(nid: number, mid: number): void {
    const c = this.candidates[nid]!
    const f = c.feature
    const d = this.depth[nid]! + 1
    const l = this.newNode(this.begin[nid]!, mid, d)
    const r = this.newNode(mid, this.end[nid]!, d)
    this.sumG[l] = c.leftG
    this.sumH[l] = c.leftH
    this.sumG[r] = c.rightG
    this.sumH[r] = c.rightH
    const p = this.p
    const wl = boundedWeight(p, c.leftG, c.leftH, this.lower[nid]!, this.upper[nid]!)
    const wr = boundedWeight(p, c.rightG, c.rightH, this.lower[nid]!, this.upper[nid]!)
    this.lower[l] = this.lower[r] = this.lower[nid]!
    this.upper[l] = this.upper[r] = this.upper[nid]!
    const mono = p.monotone === undefined ? 0 : p.monotone[f]!
    if (mono !== 0) {
      const midW = (Math.fround(wl) + Math.fround(wr)) / 2
      if (mono > 0) {
        this.upper[l] = midW
        this.lower[r] = midW
      } else {
        this.lower[l] = midW
        this.upper[r] = midW
      }
    }
    this.value[l] = Math.fround(Math.fround(wl) * Math.fround(p.learningRate))
    this.value[r] = Math.fround(Math.fround(wr) * Math.fround(p.learningRate))
    // The node becomes a split.
    this.feature[nid] = f
    this.left[nid] = l
    this.right[nid] = r
    this.missingLeft[nid] = c.missingLeft ? 1 : 0
    this.value[nid] = 0
    this.gain[nid] = c.gain
    if (c.categorical) {
      let words = 8
      while (words > 1 && c.catBits[words - 1] === 0) words--
      this.catOffset[nid] = this.catBits.length
      this.catWords[nid] = words
      for (let w = 0; w < words; w++) this.catBits.push(c.catBits[w]!)
      this.threshold[nid] = 0
    } else {
      const cuts = this.data.cuts[f]!
      this.splitBin[nid] = c.bin
      this.threshold[nid] = c.bin < 0 ? -Infinity : cuts[c.bin]!
    }
  }

  private setLeafValue(nid: number): void {
    const w = boundedWeight(
      this.p,
      this.sumG[nid]!,
      this.sumH[nid]!,
      this.lower[nid]!,
      this.upper[nid]!,
    )
    this.value[nid] = Math.fround(Math.fround(w) * Math.fround(this.p.learningRate))
  }

  /**
   * `parent −= child` over the value bins and the missing slot of each feature (all, or the
   * listed ones); the slots past a feature's bins are zero in every histogram and stay so.
   */
  private subtract(parent: Histogram, child: Histogram, features: Int32Array | undefined): void {
    const nBins = this.data.nBins
    const per = HIST_SLOTS * 2
    const n = features === undefined ? this.data.nFeatures : features.length
    for (let j = 0; j < n; j++) {
      const f = features === undefined ? j : features[j]!
      const o = f * per
      const end = o + 2 * nBins[f]!
      for (let i = o; i < end; i++) parent[i] = parent[i]! - child[i]!
      const m = o + 2 * MISSING_BIN
      parent[m] = parent[m]! - child[m]!
      parent[m + 1] = parent[m + 1]! - child[m + 1]!
    }
  }

  private takeSlot(): number {
    const s = this.free.pop()
    if (s !== undefined) return s
    this.pool.push(new Float64Array(this.histDoubles))
    return this.pool.length - 1
  }

  private release(nid: number): void {
    const s = this.slot[nid]!
    if (s >= 0) {
      this.free.push(s)
      this.slot[nid] = -1
    }
  }

  private newNode(begin: number, end: number, depth: number): number {
    const id = this.nNodes++
    if (id >= this.cap) this.ensure(this.cap * 2)
    this.begin[id] = begin
    this.end[id] = end
    this.depth[id] = depth
    this.slot[id] = -1
    this.feature[id] = -1
    this.threshold[id] = 0
    this.left[id] = -1
    this.right[id] = -1
    this.missingLeft[id] = 0
    this.value[id] = 0
    this.cover[id] = 0
    this.gain[id] = 0
    this.catOffset[id] = -1
    this.catWords[id] = 0
    this.splitBin[id] = 0
    return id
  }

  private ensure(cap: number): void {
    const i32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap)
      b.set(a)
      return b
    }
    const f64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap)
      b.set(a)
      return b
    }
    const u8 = (a: Uint8Array): Uint8Array => {
      const b = new Uint8Array(cap)
      b.set(a)
      return b
    }
    this.begin = i32(this.begin)
    this.end = i32(this.end)
    this.depth = i32(this.depth)
    this.sumG = f64(this.sumG)
    this.sumH = f64(this.sumH)
    this.lower = f64(this.lower)
    this.upper = f64(this.upper)
    this.slot = i32(this.slot)
    this.feature = i32(this.feature)
    this.threshold = f64(this.threshold)
    this.left = i32(this.left)
    this.right = i32(this.right)
    this.missingLeft = u8(this.missingLeft)
    this.value = f64(this.value)
    this.cover = f64(this.cover)
    this.gain = f64(this.gain)
    this.catOffset = i32(this.catOffset)
    this.catWords = i32(this.catWords)
    this.splitBin = i32(this.splitBin)
    while (this.candidates.length < cap) this.candidates.push(new SplitCandidate())
    this.cap = cap
  }

  private finish(): GrownTree {
    const n = this.nNodes
    for (let i = 0; i < n; i++) this.cover[i] = this.sumH[i]!
    let nLeaves = 0
    for (let i = 0; i < n; i++) if (this.left[i]! < 0) nLeaves++
    const leaves = new Int32Array(nLeaves)
    const leafBegin = new Int32Array(nLeaves)
    const leafEnd = new Int32Array(nLeaves)
    for (let i = 0, k = 0; i < n; i++) {
      if (this.left[i]! >= 0) continue
      leaves[k] = i
      leafBegin[k] = this.begin[i]!
      leafEnd[k] = this.end[i]!
      k++
    }
    const tree: FlatTree = {
      nNodes: n,
      feature: this.feature.slice(0, n),
      threshold: this.threshold.slice(0, n),
      left: this.left.slice(0, n),
      right: this.right.slice(0, n),
      missingLeft: this.missingLeft.slice(0, n),
      value: this.value.slice(0, n),
      cover: this.cover.slice(0, n),
      gain: this.gain.slice(0, n),
      catOffset: this.catOffset.slice(0, n),
      catWords: this.catWords.slice(0, n),
      catBits: Uint32Array.from(this.catBits),
    }
    return { tree, leaves, leafBegin, leafEnd }
  }
}
