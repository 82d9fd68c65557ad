/**
 * A k-d tree over the rows of a row-major matrix, for fixed-radius neighbour queries (DBSCAN's
 * region queries and its `predict`).
 *
 * ## Method
 * Median splits on the dimension of largest spread down to leaves of `leafSize` rows, each node
 * keeping its bounding box; a radius query descends only into nodes whose box is within the
 * radius. Distances are `Σ(x − y)²` in float64 compared with `r²` (inclusive, like
 * scikit-learn's `radius_neighbors`). Above 16 dimensions boxes rarely prune, so queries scan
 * all rows instead.
 *
 * ## References
 * - J. L. Bentley. "Multidimensional binary search trees used for associative searching".
 *   CACM 18(9), 1975.
 *
 * @internal
 */

const MAX_TREE_DIM = 16

/** Radius queries over a fixed set of points. */
export interface RadiusIndex {
  /**
   * Calls `visit(j, d2)` for every indexed row `j` with `d2 = ‖q − x_j‖² ≤ r2`, where the query
   * point is row `qi` of `qdata` (row-major, `p` columns).
   */
  query(qdata: Float64Array, qi: number, r2: number, visit: (j: number, d2: number) => void): void
}

/** Builds the index over the `n × p` row-major `data` (not copied; must not change). */
export function createRadiusIndex(
  data: Float64Array,
  n: number,
  p: number,
  mode: 'auto' | 'kd_tree' | 'brute' = 'auto',
  leafSize = 30,
): RadiusIndex {
  const useTree = mode === 'kd_tree' || (mode === 'auto' && p <= MAX_TREE_DIM)
  if (!useTree || n <= leafSize) return bruteIndex(data, n, p)
  return kdTree(data, n, p, Math.max(1, leafSize))
}

function sqDist(a: Float64Array, ai: number, b: Float64Array, bi: number, p: number): number {
  let s = 0
  for (let k = 0; k < p; k++) {
    const d = a[ai * p + k]! - b[bi * p + k]!
    s += d * d
  }
  return s
}

function bruteIndex(data: Float64Array, n: number, p: number): RadiusIndex {
  return {
    query(q, qi, r2, visit) {
      for (let j = 0; j < n; j++) {
        const d2 = sqDist(q, qi, data, j, p)
        if (d2 <= r2) visit(j, d2)
      }
    },
  }
}

function kdTree(data: Float64Array, n: number, p: number, leafSize: number): RadiusIndex {
  const idx = new Int32Array(n)
  for (let i = 0; i < n; i++) idx[i] = i
  // Node arrays (a complete enough binary tree: at most 2·ceil(n / leafSize) nodes).
  const maxNodes = 4 * Math.ceil(n / leafSize) + 4
  const start = new Int32Array(maxNodes)
  const end = new Int32Array(maxNodes)
  const left = new Int32Array(maxNodes).fill(-1)
  const right = new Int32Array(maxNodes).fill(-1)
  const lo = new Float64Array(maxNodes * p)
  const hi = new Float64Array(maxNodes * p)
  let nodes = 0
  const build = (s: number, e: number): number => {
    const node = nodes++
    start[node] = s
    end[node] = e
    let bestDim = 0
    let bestSpread = -1
    for (let k = 0; k < p; k++) {
      let mn = Infinity
      let mx = -Infinity
      for (let t = s; t < e; t++) {
        const v = data[idx[t]! * p + k]!
        if (v < mn) mn = v
        if (v > mx) mx = v
      }
      lo[node * p + k] = mn
      hi[node * p + k] = mx
      if (mx - mn > bestSpread) {
        bestSpread = mx - mn
        bestDim = k
      }
    }
    if (e - s <= leafSize || bestSpread <= 0) return node
    const mid = (s + e) >> 1
    select(idx, s, e - 1, mid, (i) => data[i * p + bestDim]!)
    left[node] = build(s, mid)
    right[node] = build(mid, e)
    return node
  }
  build(0, n)
  const stack = new Int32Array(maxNodes)
  return {
    query(q, qi, r2, visit) {
      let top = 0
      stack[top++] = 0
      while (top > 0) {
        const node = stack[--top]!
        // Squared distance from the query to the node's box.
        let d = 0
        for (let k = 0; k < p; k++) {
          const v = q[qi * p + k]!
          const a = lo[node * p + k]!
          const b = hi[node * p + k]!
          const g = v < a ? a - v : v > b ? v - b : 0
          d += g * g
        }
        if (d > r2) continue
        if (left[node] === -1) {
          for (let t = start[node]!; t < end[node]!; t++) {
            const j = idx[t]!
            const d2 = sqDist(q, qi, data, j, p)
            if (d2 <= r2) visit(j, d2)
          }
        } else {
          stack[top++] = right[node]!
          stack[top++] = left[node]!
        }
      }
    },
  }
}

/** Quickselect: reorders `idx[l..r]` so that position `k` holds the k-th smallest key. */
function select(
  idx: Int32Array,
  l: number,
  r: number,
  k: number,
  key: (i: number) => number,
): void {
  while (r > l) {
    const pivot = key(idx[(l + r) >> 1]!)
    let i = l
    let j = r
    while (i <= j) {
      while (key(idx[i]!) < pivot) i++
      while (key(idx[j]!) > pivot) j--
      if (i <= j) {
        const t = idx[i]!
        idx[i] = idx[j]!
        idx[j] = t
        i++
        j--
      }
    }
    if (k <= j) r = j
    else if (k >= i) l = i
    else return
  }
}
