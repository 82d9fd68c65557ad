/**
 * A KD-tree for Minkowski-family k-nearest-neighbour queries, flattened into typed arrays the
 * way scikit-learn's `KDTree` lays it out: node `i` has children `2i+1` and `2i+2`, covers
 * tree positions `start[i] ≤ pos < end[i]`, and has a bounding box `lower/upper[i * d + c]`.
 * The training rows are copied in tree order, so a leaf scan reads contiguous memory.
 */
import { allocF64, allocI32 } from './alloc.js'
import { EMPTY_INDEX, heapClear, heapReplaceRoot, heapSortAscending } from './heap.js'
import {
  EUCLIDEAN,
  boxReducedDistance,
  fromReduced,
  reducedDistance,
  type MetricCode,
} from './metric.js'

/** A built tree (immutable after {@link buildKdTree}). */
export interface KdTree {
  readonly n: number
  readonly d: number
  readonly nNodes: number
  readonly nLevels: number
  /** `order[pos]` is the training row stored at tree position `pos`. */
  readonly order: Int32Array
  /** The training rows in tree order (`points[pos * d + c]`). */
  readonly points: Float64Array
  readonly start: Int32Array
  readonly end: Int32Array
  readonly lower: Float64Array
  readonly upper: Float64Array
}

/**
 * Builds a KD-tree over `n` row-major `d`-feature rows with at most about `leafSize` rows per
 * leaf (scikit-learn's level count: `⌊log2(max(1, (n−1)/leafSize))⌋ + 1`), its arrays in shared
 * memory if `shared`.
 *
 * ## Method
 * Each internal node splits its rows at the median of the feature with the widest spread
 * (quickselect on `(value, row index)`, so the split is deterministic under duplicates).
 *
 * ## References
 * J. L. Bentley, "Multidimensional binary search trees used for associative searching",
 * CACM 18(9), 1975. F. Pedregosa et al., scikit-learn `sklearn/neighbors/_binary_tree.pxi`.
 *
 * @example
 * ```ts
 * const tree = buildKdTree(Float64Array.of(0, 0, 1, 1, 5, 5), 3, 2, 30) // one leaf
 * ```
 */
export function buildKdTree(
  rows: Float64Array,
  n: number,
  d: number,
  leafSize: number,
  shared = false,
): KdTree {
  const nLevels = Math.floor(Math.log2(Math.max(1, (n - 1) / leafSize))) + 1
  const nNodes = 2 ** nLevels - 1
  const order = allocI32(n, shared)
  for (let i = 0; i < n; i++) order[i] = i
  const start = allocI32(nNodes, shared)
  const end = allocI32(nNodes, shared)
  const lower = allocF64(nNodes * d, shared)
  const upper = allocF64(nNodes * d, shared)
  end[0] = n
  // Parents come before children in index order, so one pass sets every range.
  for (let node = 0; node < nNodes; node++) {
    const s = start[node]!
    const e = end[node]!
    const b = node * d
    for (let c = 0; c < d; c++) {
      lower[b + c] = Infinity
      upper[b + c] = -Infinity
    }
    for (let pos = s; pos < e; pos++) {
      const r = order[pos]! * d
      for (let c = 0; c < d; c++) {
        const v = rows[r + c]!
        if (v < lower[b + c]!) lower[b + c] = v
        if (v > upper[b + c]!) upper[b + c] = v
      }
    }
    const left = 2 * node + 1
    if (left >= nNodes) continue
    const mid = s + Math.floor((e - s) / 2)
    if (e - s >= 2) {
      let dim = 0
      let spread = -1
      for (let c = 0; c < d; c++) {
        const w = upper[b + c]! - lower[b + c]!
        if (w > spread) {
          spread = w
          dim = c
        }
      }
      selectNth(order, rows, d, dim, s, e, mid)
    }
    start[left] = s
    end[left] = mid
    start[left + 1] = mid
    end[left + 1] = e
  }
  const points = allocF64(n * d, shared)
  for (let pos = 0; pos < n; pos++)
    points.set(rows.subarray(order[pos]! * d, order[pos]! * d + d), pos * d)
  return { n, d, nNodes, nLevels, order, points, start, end, lower, upper }
}

/** Whether row `a` comes before row `b` on feature `dim` (ties by row index). */
function keyLess(rows: Float64Array, d: number, dim: number, a: number, b: number): boolean {
  const va = rows[a * d + dim]!
  const vb = rows[b * d + dim]!
  return va < vb || (va === vb && a < b)
}

/** Quickselect: reorders `order[lo..hi)` so position `nth` holds its rank and splits the rest. */
function selectNth(
  order: Int32Array,
  rows: Float64Array,
  d: number,
  dim: number,
  lo: number,
  hi: number,
  nth: number,
): void {
  let l = lo
  let h = hi - 1
  while (h > l) {
    const m = l + ((h - l) >> 1)
    // Median of three into order[m].
    if (keyLess(rows, d, dim, order[m]!, order[l]!)) swap(order, m, l)
    if (keyLess(rows, d, dim, order[h]!, order[l]!)) swap(order, h, l)
    if (keyLess(rows, d, dim, order[h]!, order[m]!)) swap(order, h, m)
    const pivot = order[m]!
    let i = l
    let j = h
    while (i <= j) {
      while (keyLess(rows, d, dim, order[i]!, pivot)) i++
      while (keyLess(rows, d, dim, pivot, order[j]!)) j--
      if (i <= j) {
        swap(order, i, j)
        i++
        j--
      }
    }
    if (nth <= j) h = j
    else if (nth >= i) l = i
    else return
  }
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i]!
  a[i] = a[j]!
  a[j] = t
}

/** Reusable buffers of one query thread. */
export interface KdScratch {
  readonly stackNode: Int32Array
  readonly stackDist: Float64Array
  readonly heapDist: Float64Array
  readonly heapIndex: Int32Array
  readonly k: number
}

/** Scratch buffers for `k`-neighbour queries of `tree`. */
export function createKdScratch(tree: KdTree, k: number): KdScratch {
  const depth = 2 * (tree.nLevels + 1)
  return {
    stackNode: new Int32Array(depth),
    stackDist: new Float64Array(depth),
    heapDist: new Float64Array(k),
    heapIndex: new Int32Array(k),
    k,
  }
}

/**
 * The `k` nearest training rows of query rows `r0 ≤ i < r1` (row-major `queries`), written as
 * distances to `outDist`/`outIndex` at `[i * k + j]`, nearest first, ties by training index.
 *
 * ## Method
 * Depth-first search, nearer child first, pruning a node when the reduced distance to its box
 * exceeds the current `k`-th distance (a node at exactly that distance is still visited: it may
 * hold a tie with a lower index).
 */
export function searchKdTree(
  tree: KdTree,
  metric: MetricCode,
  p: number,
  queries: Float64Array,
  r0: number,
  r1: number,
  scratch: KdScratch,
  outDist: Float64Array,
  outIndex: Int32Array,
): void {
  const { d, nNodes, order, points, start, end, lower, upper } = tree
  const { stackNode, stackDist, heapDist, heapIndex, k } = scratch
  for (let i = r0; i < r1; i++) {
    const qOff = i * d
    heapClear(heapDist, heapIndex, 0, k)
    let root = Infinity
    let rootIndex = EMPTY_INDEX
    let top = 0
    stackNode[0] = 0
    stackDist[0] = boxReducedDistance(metric, p, queries, qOff, lower, upper, 0, d)
    top = 1
    while (top > 0) {
      top--
      const node = stackNode[top]!
      if (stackDist[top]! > root) continue
      const left = 2 * node + 1
      if (left >= nNodes) {
        const last = end[node]!
        for (let pos = start[node]!; pos < last; pos++) {
          // Euclidean inline and without the early exit: a leaf row is short, and the branch
          // per feature costs more than it saves (same sum, same bits).
          let e = 0
          if (metric === EUCLIDEAN) {
            const b = pos * d
            for (let c = 0; c < d; c++) {
              const t = queries[qOff + c]! - points[b + c]!
              e += t * t
            }
          } else {
            e = reducedDistance(metric, p, queries, qOff, points, pos * d, d, root)
          }
          if (e > root) continue
          const j = order[pos]!
          if (e < root || (e === root && j < rootIndex)) {
            heapReplaceRoot(heapDist, heapIndex, 0, k, e, j)
            root = heapDist[0]!
            rootIndex = heapIndex[0]!
          }
        }
        continue
      }
      const dl = boxReducedDistance(metric, p, queries, qOff, lower, upper, left * d, d)
      const dr = boxReducedDistance(metric, p, queries, qOff, lower, upper, (left + 1) * d, d)
      // Push the farther child first so the nearer one is searched first.
      const near = dl <= dr ? left : left + 1
      const far = dl <= dr ? left + 1 : left
      const dNear = dl <= dr ? dl : dr
      const dFar = dl <= dr ? dr : dl
      if (dFar <= root) {
        stackNode[top] = far
        stackDist[top] = dFar
        top++
      }
      if (dNear <= root) {
        stackNode[top] = near
        stackDist[top] = dNear
        top++
      }
    }
    heapSortAscending(heapDist, heapIndex, 0, k)
    for (let j = 0; j < k; j++) {
      outDist[i * k + j] = fromReduced(metric, p, heapDist[j]!)
      outIndex[i * k + j] = heapIndex[j]!
    }
  }
}
