/**
 * Fixed-size max-heaps of `(distance, index)` pairs, one per query row, stored side by side in
 * two typed arrays (`dist[off..off+k)`, `index[off..off+k)`): the k-smallest selection every
 * neighbour search runs. Nothing here allocates.
 *
 * Pairs are ordered lexicographically: by distance, then by training index. That total order is
 * what makes "the k nearest" well defined when distances tie (the lower training index wins), so
 * the brute-force scan and the KD-tree, which visit points in different orders, select the same
 * set.
 */

/** The index of an empty heap slot; larger than every real row index. */
export const EMPTY_INDEX = 0x7fffffff

/** Whether `(d1, i1)` comes before `(d2, i2)`: smaller distance, or equal distance and lower index. */
export function pairLess(d1: number, i1: number, d2: number, i2: number): boolean {
  return d1 < d2 || (d1 === d2 && i1 < i2)
}

/** Empties the heap at `off`: every slot `(+Infinity, EMPTY_INDEX)`. */
export function heapClear(dist: Float64Array, index: Int32Array, off: number, k: number): void {
  for (let j = 0; j < k; j++) {
    dist[off + j] = Infinity
    index[off + j] = EMPTY_INDEX
  }
}

/**
 * Replaces the root (the largest pair) of the heap at `off` with `(d, i)` and sifts it down.
 * The caller has checked `pairLess(d, i, dist[off], index[off])`.
 *
 * ## Method
 * Replace-root sift-down of a binary max-heap (Williams 1964), as scikit-learn's `heap_push`,
 * but comparing whole pairs so equal distances keep a deterministic order.
 *
 * ## References
 * J. W. J. Williams, "Algorithm 232: Heapsort", CACM 7(6), 1964.
 */
export function heapReplaceRoot(
  dist: Float64Array,
  index: Int32Array,
  off: number,
  k: number,
  d: number,
  i: number,
): void {
  let cur = 0
  for (;;) {
    const l = 2 * cur + 1
    if (l >= k) break
    const r = l + 1
    let c = l
    if (r < k && pairLess(dist[off + l]!, index[off + l]!, dist[off + r]!, index[off + r]!)) c = r
    if (!pairLess(d, i, dist[off + c]!, index[off + c]!)) break
    dist[off + cur] = dist[off + c]!
    index[off + cur] = index[off + c]!
    cur = c
  }
  dist[off + cur] = d
  index[off + cur] = i
}

/**
 * Sorts the heap at `off` in place into ascending pair order (heapsort's second phase), so
 * `dist[off]` becomes the nearest neighbour.
 */
export function heapSortAscending(
  dist: Float64Array,
  index: Int32Array,
  off: number,
  k: number,
): void {
  for (let end = k - 1; end > 0; end--) {
    const d = dist[off + end]!
    const i = index[off + end]!
    dist[off + end] = dist[off]!
    index[off + end] = index[off]!
    // Sift the former last element down from the root within [0, end).
    let cur = 0
    for (;;) {
      const l = 2 * cur + 1
      if (l >= end) break
      const r = l + 1
      let c = l
      if (r < end && pairLess(dist[off + l]!, index[off + l]!, dist[off + r]!, index[off + r]!))
        c = r
      if (!pairLess(d, i, dist[off + c]!, index[off + c]!)) break
      dist[off + cur] = dist[off + c]!
      index[off + cur] = index[off + c]!
      cur = c
    }
    dist[off + cur] = d
    index[off + cur] = i
  }
}

/**
 * Sorts `k` pairs at `off` into ascending pair order by insertion: linear on input that is
 * already nearly sorted (the brute-force search re-sorts its candidates after recomputing their
 * distances exactly, which moves at most a few near-ties).
 */
export function insertionSortPairs(
  dist: Float64Array,
  index: Int32Array,
  off: number,
  k: number,
): void {
  for (let a = 1; a < k; a++) {
    const d = dist[off + a]!
    const i = index[off + a]!
    let b = a - 1
    while (b >= 0 && pairLess(d, i, dist[off + b]!, index[off + b]!)) {
      dist[off + b + 1] = dist[off + b]!
      index[off + b + 1] = index[off + b]!
      b--
    }
    dist[off + b + 1] = d
    index[off + b + 1] = i
  }
}
