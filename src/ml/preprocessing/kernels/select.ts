/**
 * Order statistics without a full sort: several `k`-th smallest values of an array in one
 * recursive partitioning pass (what `numpy.partition` does for `numpy.percentile`).
 */

// Below this many elements a subrange is sorted outright (insertion sort beats partitioning).
const SMALL = 16

/**
 * Reorders `a` in place so that `a[k]` holds the `k`-th smallest value (0-based) for every `k`
 * in `ks`; values are not NaN. Returns `a`.
 *
 * ## Method
 * Multi-quickselect: three-way partition around a median-of-three pivot, then recurse only into the sides
 * that contain a requested rank. Expected `O(n log m)` for `m` ranks; a subrange that recurses
 * deeper than `2 log2 n` is sorted instead (introselect), bounding the worst case by `O(n log n)`.
 *
 * ## References
 * - C. A. R. Hoare. "Algorithm 65: Find". Communications of the ACM 4(7), 1961.
 * - D. R. Musser. "Introspective Sorting and Selection Algorithms". Software: Practice and
 *   Experience 27(8), 1997.
 *
 * @example
 * ```ts
 * const a = Float64Array.of(5, 1, 4, 2, 3)
 * selectRanks(a, [1, 3])
 * a[1] // 2
 * a[3] // 4
 * ```
 */
export function selectRanks(a: Float64Array, ks: readonly number[]): Float64Array {
  const sorted = [...new Set(ks)].filter((k) => k >= 0 && k < a.length).sort((x, y) => x - y)
  if (sorted.length === 0) return a
  const depth = 2 * Math.ceil(Math.log2(a.length + 1))
  selectRange(a, 0, a.length - 1, sorted, 0, sorted.length, depth)
  return a
}

function selectRange(
  a: Float64Array,
  lo: number,
  hi: number,
  ks: readonly number[],
  kLo: number,
  kHi: number,
  depth: number,
): void {
  for (;;) {
    if (kLo >= kHi || lo >= hi) return
    if (hi - lo < SMALL || depth <= 0) {
      sortRange(a, lo, hi)
      return
    }
    depth--
    partition3(a, lo, hi)
    const lt = bounds[0]
    const gt = bounds[1]
    // Ranks left of the pivot run, inside it (done: they hold the pivot), right of it.
    let mid = kLo
    while (mid < kHi && ks[mid]! < lt) mid++
    let right = mid
    while (right < kHi && ks[right]! <= gt) right++
    // Recurse into the side with fewer ranks and loop on the other, bounding the stack.
    if (mid - kLo < kHi - right) {
      selectRange(a, lo, lt - 1, ks, kLo, mid, depth)
      lo = gt + 1
      kLo = right
    } else {
      selectRange(a, gt + 1, hi, ks, right, kHi, depth)
      hi = lt - 1
      kHi = mid
    }
  }
}

// The [lt, gt] result of partition3, kept in a module-level pair to avoid allocating per call.
const bounds: [number, number] = [0, 0]

/**
 * Three-way (Dijkstra) partition of `a[lo..hi]` around a median-of-three pivot: afterwards
 * `a[lo..lt-1] < pivot`, `a[lt..gt] = pivot`, `a[gt+1..hi] > pivot`, with `[lt, gt]` in
 * `bounds`. Runs of equal values (0/1 columns, rounded data) are settled in one pass.
 */
function partition3(a: Float64Array, lo: number, hi: number): void {
  const m = lo + ((hi - lo) >> 1)
  const x = a[lo]!
  const y = a[m]!
  const z = a[hi]!
  const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y
  let lt = lo
  let gt = hi
  let i = lo
  while (i <= gt) {
    const v = a[i]!
    if (v < pivot) {
      a[i] = a[lt]!
      a[lt] = v
      lt++
      i++
    } else if (v > pivot) {
      a[i] = a[gt]!
      a[gt] = v
      gt--
    } else {
      i++
    }
  }
  bounds[0] = lt
  bounds[1] = gt
}

function sortRange(a: Float64Array, lo: number, hi: number): void {
  if (hi - lo < SMALL) {
    for (let i = lo + 1; i <= hi; i++) {
      const v = a[i]!
      let j = i - 1
      while (j >= lo && a[j]! > v) {
        a[j + 1] = a[j]!
        j--
      }
      a[j + 1] = v
    }
    return
  }
  a.subarray(lo, hi + 1).sort()
}
