/**
 * The kernel behind every ranking metric: true and false positive (weighted) counts at each
 * distinct score threshold, from one index sort of the scores.
 */

/** Cumulative counts at each distinct score, highest score first (sklearn's `_binary_clf_curve`). */
export interface BinaryCurve {
  /** The distinct scores of the samples with non-zero weight, descending. */
  readonly thresholds: Float64Array
  /** `tps[i]`: the (weighted) positives with score ≥ `thresholds[i]`. */
  readonly tps: Float64Array
  /** `fps[i]`: the (weighted) negatives with score ≥ `thresholds[i]`. */
  readonly fps: Float64Array
}

const RADIX_BITS = 8
const BUCKETS = 1 << RADIX_BITS
const MASK = BUCKETS - 1

/** Scores sorted ascending: the order-preserving key words and the packed row indices. */
export interface SortedScores {
  /** Row index in the low 31 bits, the row's tag (1 bit) in the top bit. */
  readonly idx: Uint32Array
  /** The high words of the order-preserving keys, in sorted order. */
  readonly high: Uint32Array
  /** The low words of the order-preserving keys, in sorted order. */
  readonly low: Uint32Array
}

/**
 * Sorts scores ascending (stable) by LSD radix sort, restricted to rows with `keep[i] !== 0` when
 * `keep` is given, carrying a one-bit `tag` per row so that a walk over the result reads nothing
 * at random.
 *
 * ## Method
 * The IEEE-754 bits are made order-preserving (flip every bit of a negative, the sign bit of a
 * positive; −0 is read as +0) and sorted in eight 8-bit digit passes, low word first, moving key
 * words and indices together; a pass is skipped when every key has the same digit. O(n) time,
 * no allocation per element.
 *
 * ## References
 * Knuth, *The Art of Computer Programming* vol. 3, §5.2.5 (radix sorting); Herf, "Radix tricks"
 * (2001) for the float key transform.
 *
 * @internal
 */
export function sortScores(
  score: Float64Array,
  keep?: Float64Array,
  tag?: Uint8Array,
): SortedScores {
  const n = score.length
  if (n >= 0x80000000) throw new RangeError('too many rows to sort')
  let m = n
  if (keep !== undefined) {
    m = 0
    for (let i = 0; i < n; i++) if (keep[i] !== 0) m++
  }
  let idx = new Uint32Array(m)
  let low = new Uint32Array(m)
  let high = new Uint32Array(m)
  const cell = new Float64Array(1)
  // Little-endian word order, as on every platform Node runs on.
  const bits = new Uint32Array(cell.buffer)
  for (let i = 0, j = 0; i < n; i++) {
    if (keep !== undefined && keep[i] === 0) continue
    const x = score[i]!
    cell[0] = x === 0 ? 0 : x
    let l = bits[0]!
    let h = bits[1]!
    if (h >>> 31 === 1) {
      h = ~h >>> 0
      l = ~l >>> 0
    } else {
      h = (h | 0x80000000) >>> 0
    }
    idx[j] = tag !== undefined && tag[i] === 1 ? (i | 0x80000000) >>> 0 : i
    low[j] = l
    high[j] = h
    j++
  }
  let idx2 = new Uint32Array(m)
  let low2 = new Uint32Array(m)
  let high2 = new Uint32Array(m)
  const hist = new Uint32Array(BUCKETS)
  for (let word = 0; word < 2; word++) {
    for (let shift = 0; shift < 32; shift += RADIX_BITS) {
      const key = word === 0 ? low : high
      hist.fill(0)
      for (let i = 0; i < m; i++) hist[(key[i]! >>> shift) & MASK]!++
      // A digit every key shares leaves the order as it is.
      let trivial = false
      for (let b = 0; b < BUCKETS; b++) {
        const c = hist[b]!
        if (c === m) trivial = true
        if (c !== 0) break
      }
      if (trivial) continue
      let sum = 0
      for (let b = 0; b < BUCKETS; b++) {
        const c = hist[b]!
        hist[b] = sum
        sum += c
      }
      for (let i = 0; i < m; i++) {
        const to = hist[(key[i]! >>> shift) & MASK]!++
        idx2[to] = idx[i]!
        low2[to] = low[i]!
        high2[to] = high[i]!
      }
      ;[idx, idx2] = [idx2, idx]
      ;[low, low2] = [low2, low]
      ;[high, high2] = [high2, high]
    }
  }
  return { idx, high, low }
}

/** The score whose order-preserving key words are `h`, `l` (the inverse of the key transform). */
function decodeKey(h: number, l: number, cell: Float64Array, bits: Uint32Array): number {
  if (h >>> 31 === 1) {
    bits[1] = (h & 0x7fffffff) >>> 0
    bits[0] = l
  } else {
    bits[1] = ~h >>> 0
    bits[0] = ~l >>> 0
  }
  return cell[0]!
}

/**
 * True and false positives above each distinct score threshold.
 *
 * Samples with zero weight are left out (they add no threshold), like sklearn.
 *
 * ## Method
 * One radix sort of the scores carrying the labels ({@link sortScores}), then a sequential walk
 * from the highest score down, accumulating weights and closing a threshold where the key
 * changes. O(n) time; a few typed arrays, nothing allocated per sample.
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics._ranking._binary_clf_curve`; Fawcett, "An introduction to ROC
 * analysis", Pattern Recognition Letters 27 (2006), algorithm 2.
 *
 * @param positive - 1 for a positive sample, 0 for a negative one.
 * @param score - finite scores (checked by the caller).
 * @param weight - optional sample weights.
 */
export function binaryCurve(
  positive: Uint8Array,
  score: Float64Array,
  weight: Float64Array | undefined,
): BinaryCurve {
  const { idx, high, low } = sortScores(score, weight, positive)
  const m = idx.length
  let d = 0
  for (let r = 1; r < m; r++) if (high[r] !== high[r - 1] || low[r] !== low[r - 1]) d++
  if (m > 0) d++
  const thresholds = new Float64Array(d)
  const tps = new Float64Array(d)
  const fps = new Float64Array(d)
  const cell = new Float64Array(1)
  const bits = new Uint32Array(cell.buffer)
  let k = 0
  let tp = 0
  let fp = 0
  for (let r = m - 1; r >= 0; r--) {
    const v = idx[r]!
    const w = weight === undefined ? 1 : weight[v & 0x7fffffff]!
    if (v >>> 31 === 1) tp += w
    else fp += w
    // Close a threshold at the last sample of a run of equal scores.
    if (r === 0 || high[r - 1] !== high[r] || low[r - 1] !== low[r]) {
      thresholds[k] = decodeKey(high[r]!, low[r]!, cell, bits)
      tps[k] = tp
      fps[k] = fp
      k++
    }
  }
  return { thresholds, tps, fps }
}

/**
 * The area under a curve by the trapezoidal rule; `x` must be monotonic (either direction).
 *
 * ## Method
 * Σ (xᵢ − xᵢ₋₁)(yᵢ + yᵢ₋₁)/2, negated when `x` decreases (numpy `trapz` as sklearn's `auc`).
 *
 * ## References
 * scikit-learn 1.2 `sklearn.metrics.auc`.
 *
 * @returns NaN when `x` is not monotonic.
 */
export function trapezoid(x: Float64Array, y: Float64Array): number {
  let up = false
  let down = false
  for (let i = 1; i < x.length; i++) {
    const dx = x[i]! - x[i - 1]!
    if (dx < 0) down = true
    else if (dx > 0) up = true
  }
  if (up && down) return NaN
  let area = 0
  for (let i = 1; i < x.length; i++) {
    area += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2
  }
  return down ? -area : area
}
