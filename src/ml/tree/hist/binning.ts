/**
 * Quantile binning of a dense matrix into Uint8 bins (XGBoost `hist` semantics), and binning of
 * new data (a validation set, a prediction batch) with the same cut points.
 *
 * ## Cut points
 * Per numeric feature, the present (non-NaN) values are sorted once by an LSD radix sort on
 * order-preserving integer keys (no comparison sort). Float32-exact unweighted features (the
 * common case: `toMatrix32` output) sort their keys alone and find each value's bin through a
 * table on the key's top 16 bits; others carry the row index through the sort and write each
 * bin while walking the sorted order.
 * - At most `maxBin` distinct values: every distinct value gets its own bin, and the cut
 *   points are the distinct values from the second on, as in XGBoost (`cuts[b]` is the value of
 *   bin `b + 1`, so "bin ≤ b" ⇔ `x < cuts[b]`).
 * - More: XGBoost 1.7 `hist`'s selection. The exact weighted summary (one entry per distinct
 *   value: `rmin` the weight below it, `w` its own, `rmax = rmin + w`, float32 sums) goes
 *   through the three `WQSummary::SetPrune` calls of a single-process `hist` sketch: to the
 *   sketch's limit size `min(n, 8·min(maxBin, n) + 1)`, to `min(n, 8·maxBin)` entries, then to
 *   `maxBin + 1` entries, each keeping the first and last entries and, for the ranks
 *   `rmax₀ + k·(rmin_last − rmax₀)/(size − 1)`, entry i or i + 1 by
 *   `2·rank < rmin_i + w_i + rmax_{i+1} − w_{i+1}` (repeats collapse). As `AddCutPoint` does,
 *   the cuts are the values of entries 1 … min(size, maxBin) − 1. This equals XGBoost's cuts
 *   when its sketch holds every value (unweighted data with n ≤ 2·limit size; its summary is
 *   exact then); on larger data XGBoost's sketch merges approximate summaries and its cuts
 *   differ slightly (this binning stays the exact-summary version), and with weights its float32
 *   sums may round differently.
 * The last bin is unbounded: `cuts[f][nBins − 1]` is `+Infinity`.
 *
 * @internal
 */
import { ValidationError, type ValidationIssue } from '../../../core/index.js'

import { MISSING_BIN, type BinnedMatrix } from './types.js'

/** A dense matrix: row-major unless `layout` is `'col'` (the shape of `toMatrix`'s output). */
export interface DenseInput {
  readonly data: Float64Array | Float32Array
  readonly nRows: number
  readonly nCols: number
  readonly layout?: 'row' | 'col'
}

/** The cut points of a binning, enough to bin new data the same way. */
export interface BinCuts {
  readonly nFeatures: number
  /** Number of value bins per feature. */
  readonly nBins: Int32Array
  /** Per numeric feature, `nBins[f]` upper bounds, the last `+Infinity`; empty when categorical. */
  readonly cuts: readonly Float64Array[]
  /** 1 where the feature is categorical (bin = category code). */
  readonly categorical: Uint8Array
}

/** Options of {@link createBinnedMatrix}. */
export interface BinningOptions {
  /** Value bins per numeric feature, 2 … 255. @default 255 */
  readonly maxBin?: number
  /** Indices of categorical features (values are category codes 0 … 254, or NaN). */
  readonly categorical?: readonly number[]
  /** Per-row sample weights for the quantile sketch (non-negative, finite). */
  readonly weights?: Float64Array | Float32Array
  /**
   * Whether `bins` lives in a `SharedArrayBuffer` (so a multi-threaded engine uses it without a
   * copy). @default true
   */
  readonly shared?: boolean
}

/** Features per pass over a row-major matrix when extracting sort keys (bounds scratch memory). */
const FEATURE_GROUP = 8

/** Rounds the feature count up to a multiple of 4 (the row stride of the bins). */
export function binRowStride(nFeatures: number): number {
  return (nFeatures + 3) & ~3
}

/**
 * Quantizes `X` into Uint8 bins with quantile cut points per feature (see the module notes).
 * NaN is the missing value (bin {@link MISSING_BIN}). Deterministic: the result depends on the
 * data and options only.
 *
 * @throws ValidationError for a bad `maxBin`, a categorical index out of range, a categorical
 *   value that is not an integer code in 0 … 254, or bad weights.
 * @example
 * ```ts
 * const binned = createBinnedMatrix(toMatrix32(X, { allowMissing: true }), { maxBin: 255 })
 * ```
 */
export function createBinnedMatrix(X: DenseInput, options: BinningOptions = {}): BinnedMatrix {
  const { nRows, nCols: nFeatures } = X
  const maxBin = options.maxBin ?? 255
  const issues: ValidationIssue[] = []
  if (!Number.isInteger(maxBin) || maxBin < 2 || maxBin > 255)
    issues.push({
      path: ['maxBin'],
      code: 'out_of_range',
      message: 'maxBin must be an integer in 2 … 255',
    })
  if (X.data.length !== nRows * nFeatures)
    issues.push({
      path: ['X'],
      code: 'bad_shape',
      message: `expected ${nRows * nFeatures} values, got ${X.data.length}`,
    })
  const categorical = new Uint8Array(nFeatures)
  for (const [i, f] of (options.categorical ?? []).entries()) {
    if (!Number.isInteger(f) || f < 0 || f >= nFeatures)
      issues.push({
        path: ['categorical', i],
        code: 'out_of_range',
        message: `feature index ${f} is not in 0 … ${nFeatures - 1}`,
      })
    else categorical[f] = 1
  }
  const w = options.weights
  if (w !== undefined) {
    if (w.length !== nRows)
      issues.push({
        path: ['weights'],
        code: 'bad_shape',
        message: `expected ${nRows} weights, got ${w.length}`,
      })
    else
      for (let r = 0; r < nRows; r++) {
        const v = w[r]!
        if (!(v >= 0 && v < Infinity)) {
          issues.push({
            path: ['weights', r],
            code: 'invalid',
            message: 'weights must be finite and non-negative',
          })
          break
        }
      }
  }
  if (issues.length > 0) throw new ValidationError('cannot bin the features', issues)

  const rowStride = binRowStride(nFeatures)
  const size = nRows * rowStride
  const bins =
    options.shared === false
      ? new Uint8Array(size)
      : new Uint8Array(new SharedArrayBuffer(Math.max(size, 4)), 0, size)
  const nBins = new Int32Array(nFeatures)
  const cuts: Float64Array[] = new Array<Float64Array>(nFeatures)
  const catIssues: ValidationIssue[] = []

  const f32 = X.data instanceof Float32Array
  const rowMajor = X.layout !== 'col'
  // Numeric features split into the fast float32 path (unweighted, float32-exact values) and
  // the general one.
  const fast: number[] = []
  const general: number[] = []
  for (let f = 0; f < nFeatures; f++) {
    if (categorical[f] === 1) {
      nBins[f] = binCategorical(X, f, rowMajor, bins, rowStride, catIssues)
      cuts[f] = new Float64Array(0)
    } else if (w === undefined && (f32 || float32Exact(X, f, rowMajor))) fast.push(f)
    else general.push(f)
  }
  if (fast.length > 0) {
    const scratch = group32Scratch(nRows, Math.min(FEATURE_GROUP, fast.length))
    for (let i = 0; i < fast.length; i += FEATURE_GROUP)
      binGroup32(X, fast.slice(i, i + FEATURE_GROUP), maxBin, bins, rowStride, nBins, cuts, scratch)
  }
  if (general.length > 0) {
    const sorter = new KeySorter(nRows)
    for (const f of general) {
      const g = extractKeys(X, f, f32, rowMajor, bins, rowStride)
      const sorted = sorter.sort(g.hi, g.lo, g.rows, g.n)
      const c = binSorted(sorted, g.n, maxBin, w, bins, rowStride, f, g.lo === undefined)
      nBins[f] = c.length
      cuts[f] = c
    }
  }
  if (catIssues.length > 0)
    throw new ValidationError('cannot bin the categorical features', catIssues)
  return Object.freeze({ nRows, nFeatures, rowStride, bins, nBins, cuts, categorical })
}

/**
 * Bins `X` (same features, same order) with the cut points of an existing binning, for a
 * validation set or any data the learner must see the way it saw the training data. Categorical
 * codes beyond the training categories (or ≥ 255) go to the missing bin.
 */
export function applyCuts(
  binning: BinCuts,
  X: DenseInput,
  options: { readonly shared?: boolean } = {},
): BinnedMatrix {
  const { nRows, nCols } = X
  if (nCols !== binning.nFeatures)
    throw new ValidationError('cannot bin the features', [
      {
        path: ['X'],
        code: 'bad_shape',
        message: `expected ${binning.nFeatures} features, got ${nCols}`,
      },
    ])
  const nFeatures = nCols
  const rowStride = binRowStride(nFeatures)
  const size = nRows * rowStride
  const bins =
    options.shared === false
      ? new Uint8Array(size)
      : new Uint8Array(new SharedArrayBuffer(Math.max(size, 4)), 0, size)
  const rowMajor = X.layout !== 'col'
  const data = X.data
  for (let f = 0; f < nFeatures; f++) {
    const step = rowMajor ? nCols : 1
    let at = rowMajor ? f : f * nRows
    const c = binning.cuts[f]!
    const nb = binning.nBins[f]!
    const cat = binning.categorical[f] === 1
    for (let r = 0, o = f; r < nRows; r++, at += step, o += rowStride)
      bins[o] = cat ? categoryBin(data[at]!, nb) : valueBin(data[at]!, c, nb)
  }
  return Object.freeze({
    nRows,
    nFeatures,
    rowStride,
    bins,
    nBins: binning.nBins,
    cuts: binning.cuts,
    categorical: binning.categorical,
  })
}

/**
 * Bins one row `x` (length `nFeatures`) into `out` (length ≥ `nFeatures`) with the cut points of
 * `binning`. Allocates nothing. Returns `out`.
 */
export function binRow(binning: BinCuts, x: ArrayLike<number>, out: Uint8Array): Uint8Array {
  for (let f = 0; f < binning.nFeatures; f++) {
    const nb = binning.nBins[f]!
    out[f] =
      binning.categorical[f] === 1 ? categoryBin(x[f]!, nb) : valueBin(x[f]!, binning.cuts[f]!, nb)
  }
  return out
}

/** The bin of a numeric value: the number of cuts ≤ `x` among the first `nb − 1` (upper bound). */
function valueBin(x: number, cuts: Float64Array, nb: number): number {
  if (x !== x) return MISSING_BIN
  let lo = 0
  let hi = nb - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (x < cuts[mid]!) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** The bin of a category code on new data: unseen or invalid codes are treated as missing. */
function categoryBin(x: number, nb: number): number {
  return x >= 0 && x < nb && Number.isInteger(x) ? x : MISSING_BIN
}

/** Bins a categorical feature in place; returns its bin count (largest code + 1, ≥ 1). */
function binCategorical(
  X: DenseInput,
  f: number,
  rowMajor: boolean,
  bins: Uint8Array,
  rowStride: number,
  issues: ValidationIssue[],
): number {
  const { data, nRows, nCols } = X
  const step = rowMajor ? nCols : 1
  let at = rowMajor ? f : f * nRows
  let max = -1
  for (let r = 0, o = f; r < nRows; r++, at += step, o += rowStride) {
    const x = data[at]!
    if (x !== x) {
      bins[o] = MISSING_BIN
      continue
    }
    if (!(Number.isInteger(x) && x >= 0 && x < MISSING_BIN)) {
      issues.push({
        path: ['X', r, f],
        code: 'invalid_category',
        message: `categorical feature ${f} needs integer codes in 0 … ${MISSING_BIN - 1} (fewer than 255 categories), got ${x}`,
      })
      return 1
    }
    bins[o] = x
    if (x > max) max = x
  }
  return Math.max(max + 1, 1)
}

/** Sort keys of one feature's present values. `lo` is set for 64-bit keys only. */
interface FeatureKeys {
  readonly n: number
  readonly hi: Uint32Array
  readonly lo: Uint32Array | undefined
  readonly rows: Uint32Array
}

const f64Scratch = new Float64Array(1)
const u32OfF64 = new Uint32Array(f64Scratch.buffer)
const f32Scratch = new Float32Array(1)
const u32OfF32 = new Uint32Array(f32Scratch.buffer)

/**
 * Collects the present values of feature `f` as order-preserving unsigned keys (32-bit when its
 * values are all float32-exact, else 64-bit) with their row indices, and marks missing values in
 * `bins`.
 */
function extractKeys(
  X: DenseInput,
  f: number,
  f32: boolean,
  rowMajor: boolean,
  bins: Uint8Array,
  rowStride: number,
): FeatureKeys {
  const { data, nRows, nCols } = X
  const step = rowMajor ? nCols : 1
  const start = rowMajor ? f : f * nRows
  const exact32 = f32 || float32Exact(X, f, rowMajor)
  const hi = new Uint32Array(nRows)
  const lo = exact32 ? undefined : new Uint32Array(nRows)
  const rows = new Uint32Array(nRows)
  let n = 0
  for (let r = 0, at = start; r < nRows; r++, at += step) {
    const x = data[at]!
    if (x !== x) {
      bins[r * rowStride + f] = MISSING_BIN
      continue
    }
    if (lo === undefined) {
      f32Scratch[0] = x === 0 ? 0 : x // -0 sorts with +0
      const u = u32OfF32[0]!
      hi[n] = u & 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0
    } else {
      f64Scratch[0] = x === 0 ? 0 : x
      const l = u32OfF64[0]!
      const h = u32OfF64[1]!
      if (h & 0x80000000) {
        hi[n] = ~h >>> 0
        lo[n] = ~l >>> 0
      } else {
        hi[n] = (h | 0x80000000) >>> 0
        lo[n] = l
      }
    }
    rows[n++] = r
  }
  return { n, hi, lo, rows }
}

/** Whether every present value of feature `f` is exactly a float32. */
function float32Exact(X: DenseInput, f: number, rowMajor: boolean): boolean {
  if (X.data instanceof Float32Array) return true
  const { data, nRows, nCols } = X
  const step = rowMajor ? nCols : 1
  for (let r = 0, at = rowMajor ? f : f * nRows; r < nRows; r++, at += step) {
    const x = data[at]!
    if (x === x && Math.fround(x) !== x) return false
  }
  return true
}

/** Decodes a 32-bit key back to its float32 value. */
function keyToF32(k: number): number {
  u32OfF32[0] = k & 0x80000000 ? (k & 0x7fffffff) >>> 0 : ~k >>> 0
  return f32Scratch[0]!
}

/** Decodes a 64-bit key back to its float64 value. */
function keyToF64(h: number, l: number): number {
  if (h & 0x80000000) {
    u32OfF64[1] = (h & 0x7fffffff) >>> 0
    u32OfF64[0] = l
  } else {
    u32OfF64[1] = ~h >>> 0
    u32OfF64[0] = ~l >>> 0
  }
  return f64Scratch[0]!
}

/** Sorted keys with their rows (views into the sorter's buffers, valid until the next sort). */
interface SortedKeys {
  readonly hi: Uint32Array
  readonly lo: Uint32Array | undefined
  readonly rows: Uint32Array
}

/**
 * LSD radix sort on 16-bit digits of 32- or 64-bit keys, carrying a row index. Stable, so ties
 * keep row order and the result is deterministic.
 */
class KeySorter {
  private readonly count = new Uint32Array(65536)
  private readonly hi2: Uint32Array
  private readonly lo2: Uint32Array
  private readonly rows2: Uint32Array

  constructor(n: number) {
    this.hi2 = new Uint32Array(n)
    this.lo2 = new Uint32Array(n)
    this.rows2 = new Uint32Array(n)
  }

  sort(hi: Uint32Array, lo: Uint32Array | undefined, rows: Uint32Array, n: number): SortedKeys {
    let a = { hi, lo, rows }
    let b = { hi: this.hi2, lo: lo === undefined ? undefined : this.lo2, rows: this.rows2 }
    // Digits from least to most significant: (lo low, lo high,) hi low, hi high.
    const passes: [boolean, number][] =
      lo === undefined
        ? [
            [true, 0],
            [true, 16],
          ]
        : [
            [false, 0],
            [false, 16],
            [true, 0],
            [true, 16],
          ]
    for (const [useHi, shift] of passes) {
      const src = useHi ? a.hi : a.lo!
      const count = this.count
      count.fill(0)
      for (let i = 0; i < n; i++) count[(src[i]! >>> shift) & 0xffff]!++
      let sum = 0
      let single = false
      for (let d = 0; d < 65536; d++) {
        const c = count[d]!
        if (c === n) single = true
        count[d] = sum
        sum += c
      }
      if (single) continue // every key has this digit: the pass would not move anything
      const ahi = a.hi
      const alo = a.lo
      const arows = a.rows
      const bhi = b.hi
      const blo = b.lo
      const brows = b.rows
      for (let i = 0; i < n; i++) {
        const k = src[i]!
        const at = count[(k >>> shift) & 0xffff]!++
        bhi[at] = ahi[i]!
        if (blo !== undefined) blo[at] = alo![i]!
        brows[at] = arows[i]!
      }
      const t = a
      a = b
      b = t
    }
    return a
  }
}

/**
 * The positions in the sorted keys where each cut's bin starts (strictly increasing, never 0):
 * every distinct value's first position when there are at most `maxBin`, else XGBoost's pruned
 * summary of the module notes. `rows` maps sorted positions to rows (for weights).
 */
function cutPositions(
  hi: Uint32Array,
  lo: Uint32Array | undefined,
  rows: Uint32Array | undefined,
  n: number,
  maxBin: number,
  weights: Float64Array | Float32Array | undefined,
): number[] {
  const picked: number[] = []
  if (n === 0) return picked
  let distinct = 1
  if (lo === undefined) {
    for (let i = 1; i < n; i++) if (hi[i] !== hi[i - 1]) distinct++
  } else for (let i = 1; i < n; i++) if (hi[i] !== hi[i - 1] || lo[i] !== lo[i - 1]) distinct++
  const same = (i: number, j: number): boolean =>
    hi[i] === hi[j] && (lo === undefined || lo[i] === lo[j])
  if (distinct <= maxBin) {
    for (let i = 1; i < n; i++) if (!same(i, i - 1)) picked.push(i)
    return picked
  }
  // XGBoost's exact weighted summary: one entry per distinct value of positive weight, with
  // rmin (weight below), w (its weight) and rmax = rmin + w, summed in float32 as XGBoost does.
  const start = new Int32Array(distinct)
  const rmin = new Float32Array(distinct)
  const wt = new Float32Array(distinct)
  let size = 0
  let sum = 0
  for (let i = 0; i < n;) {
    let j = i
    let gw = 0
    if (weights === undefined) {
      j++
      if (lo === undefined) {
        const key = hi[i]
        while (j < n && hi[j] === key) j++
      } else while (j < n && same(j, i)) j++
      gw = j - i
    } else
      while (j < n && same(j, i)) {
        gw = Math.fround(gw + Math.fround(weights[rows![j]!]!))
        j++
      }
    if (gw > 0) {
      start[size] = i
      rmin[size] = sum
      wt[size] = gw
      size++
      sum = Math.fround(sum + gw)
    }
    i = j
  }
  // The prunes of XGBoost 1.7 `hist` (single process): the sketch's own (to its limit size,
  // eps = 1/(8·bins)), the per-feature reduction (to 8·maxBin entries) and the final one (to
  // maxBin + 1 entries).
  const nb = Math.max(Math.min(maxBin, n), 1)
  const limit = Math.min(n, Math.ceil(1 / (1 / (nb * 8))) + 1)
  let s: Int32Array = new Int32Array(size)
  for (let e = 0; e < size; e++) s[e] = e
  s = setPrune(s, rmin, wt, limit)
  s = setPrune(s, rmin, wt, Math.min(n, maxBin * 8))
  s = setPrune(s, rmin, wt, maxBin + 1)
  // `AddCutPoint`: entries 1 … min(size, maxBin) − 1 are the cuts (XGBoost then adds a sentinel
  // above the maximum, which is this binning's unbounded last bin).
  const required = Math.min(s.length, maxBin)
  for (let e = 1; e < required; e++) {
    const at = start[s[e]!]!
    if (at > 0 && (picked.length === 0 || picked[picked.length - 1]! < at)) picked.push(at)
  }
  return picked
}

/**
 * `WQSummary::SetPrune` of XGBoost 1.7 on an exact summary: keeps at most `maxSize` of the
 * entries `src` (indices into `rmin`/`w`, increasing), the first and last always, the others
 * nearest the evenly spaced ranks `rmax₀ + k·(rmin_last − rmax₀)/(maxSize − 1)`. Float32
 * arithmetic throughout, as XGBoost's rank type is `float`.
 */
function setPrune(
  src: Int32Array,
  rmin: Float32Array,
  w: Float32Array,
  maxSize: number,
): Int32Array {
  const size = src.length
  if (size <= maxSize) return src
  const f = Math.fround
  const first = src[0]!
  const begin = f(rmin[first]! + w[first]!)
  const range = f(rmin[src[size - 1]!]! - begin)
  const n = maxSize - 1
  const out = new Int32Array(maxSize)
  out[0] = first
  let len = 1
  let i = 1
  let last = 0
  for (let k = 1; k < n; k++) {
    const dx2 = f(2 * f(f(f(k * range) / n) + begin))
    // The first i whose successor's mid-rank (rmin + rmax)/2 is above the rank.
    while (i < size - 1) {
      const e = src[i + 1]!
      if (dx2 < f(f(rmin[e]! + w[e]!) + rmin[e]!)) break
      i++
    }
    if (i === size - 1) break
    const a = src[i]!
    const b = src[i + 1]!
    // rmin_a + w_a (rmin just above a) against rmax_b − w_b (rmax just below b).
    if (dx2 < f(f(rmin[a]! + w[a]!) + f(f(rmin[b]! + w[b]!) - w[b]!))) {
      if (i !== last) {
        out[len++] = src[i]!
        last = i
      }
    } else if (i + 1 !== last) {
      out[len++] = src[i + 1]!
      last = i + 1
    }
  }
  if (last !== size - 1) out[len++] = src[size - 1]!
  return out.subarray(0, len)
}

/**
 * Chooses the cut points of one numeric feature from its sorted keys (with rows) and writes
 * each present row's bin. Returns the cuts (`nBins` values, the last `+Infinity`).
 */
function binSorted(
  s: SortedKeys,
  n: number,
  maxBin: number,
  weights: Float64Array | Float32Array | undefined,
  bins: Uint8Array,
  rowStride: number,
  f: number,
  key32: boolean,
): Float64Array {
  const { hi, lo, rows } = s
  const picked = cutPositions(hi, lo, rows, n, maxBin, weights)
  const cuts = new Float64Array(picked.length + 1)
  for (let c = 0; c < picked.length; c++) {
    const at = picked[c]!
    cuts[c] = key32 ? keyToF32(hi[at]!) : keyToF64(hi[at]!, lo![at]!)
  }
  cuts[picked.length] = Infinity
  // A row's bin is the number of cut starts at or before its sorted position.
  let b = 0
  for (let p = 0; p < n; p++) {
    if (b < picked.length && p === picked[b]) b++
    bins[rows[p]! * rowStride + f] = b
  }
  return cuts
}

/**
 * The fast path for features whose values are all float32-exact and unweighted: keys of a
 * group of features are extracted in one pass over the rows, each feature's keys are sorted
 * alone (no row payload), and bins are written in one more pass, each key's bin found from a
 * 65,536-entry table on its top 16 bits plus a short scan. Returns nothing; fills `nBins`,
 * `cuts` and the group's bins.
 */
function binGroup32(
  X: DenseInput,
  features: readonly number[],
  maxBin: number,
  bins: Uint8Array,
  rowStride: number,
  nBins: Int32Array,
  cuts: Float64Array[],
  scratch: Group32Scratch,
): void {
  const { data, nRows, nCols } = X
  const rowMajor = X.layout !== 'col'
  const G = features.length
  const keys = scratch.keys
  // 1. Keys (0 = missing: no present float32 value maps to 0).
  const bits =
    data instanceof Float32Array
      ? new Uint32Array(data.buffer, data.byteOffset, data.length)
      : undefined
  // Row-major input: one pass over the rows for the whole group (each row's values share cache
  // lines), instead of one strided pass per feature.
  const step = rowMajor ? nCols : 1
  for (let g = 0; g < G; g++) {
    const f = features[g]!
    const kg = keys[g]!
    let at = rowMajor ? f : f * nRows
    if (bits === undefined) {
      for (let r = 0; r < nRows; r++, at += step) {
        const x = data[at]!
        if (x !== x) {
          kg[r] = 0
          continue
        }
        f32Scratch[0] = x === 0 ? 0 : x
        const u = u32OfF32[0]!
        kg[r] = u & 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0
      }
    }
  }
  if (bits !== undefined) {
    const offsets = Int32Array.from(features, (f) => (rowMajor ? f : f * nRows))
    for (let r = 0; r < nRows; r++) {
      const base = rowMajor ? r * nCols : r
      for (let g = 0; g < G; g++) {
        const u = bits[base + offsets[g]!]!
        // NaN: exponent all ones and a non-zero mantissa (key 0). -0 sorts with +0.
        keys[g]![r] =
          (u & 0x7fffffff) > 0x7f800000
            ? 0
            : u === 0x80000000
              ? 0x80000000
              : u & 0x80000000
                ? ~u >>> 0
                : (u | 0x80000000) >>> 0
      }
    }
  }
  // 2. Per feature: sort the present keys, choose cuts, build the lookup table.
  const tables: Uint8Array[] = []
  const cutKeys: Uint32Array[] = []
  for (let g = 0; g < G; g++) {
    const f = features[g]!
    const kg = keys[g]!
    const buf = scratch.sortA
    let n = 0
    for (let r = 0; r < nRows; r++) {
      const k = kg[r]!
      if (k !== 0) buf[n++] = k
    }
    const sorted = radixSort32(buf, scratch.sortB, n, scratch.count)
    const picked = cutPositions(sorted, undefined, undefined, n, maxBin, undefined)
    const ck = new Uint32Array(picked.length)
    const c = new Float64Array(picked.length + 1)
    for (let i = 0; i < picked.length; i++) {
      ck[i] = sorted[picked[i]!]!
      c[i] = keyToF32(ck[i]!)
    }
    c[picked.length] = Infinity
    cuts[f] = c
    nBins[f] = picked.length + 1
    // table[t]: the number of cuts whose key is below t << 16 (a lower bound on the bin).
    const table = scratch.tables[g]!
    let b = 0
    for (let t = 0; t < 65536; t++) {
      const base = t * 65536
      while (b < ck.length && ck[b]! < base) b++
      table[t] = b
    }
    tables.push(table)
    cutKeys.push(ck)
  }
  // 3. Bins, row by row (each row's bins share a cache line).
  for (let r = 0; r < nRows; r++) {
    const o = r * rowStride
    for (let g = 0; g < G; g++) {
      const k = keys[g]![r]!
      if (k === 0) {
        bins[o + features[g]!] = MISSING_BIN
        continue
      }
      const ck = cutKeys[g]!
      let b = tables[g]![k >>> 16]!
      while (b < ck.length && k >= ck[b]!) b++
      bins[o + features[g]!] = b
    }
  }
}

/** Reusable buffers of {@link binGroup32}. */
interface Group32Scratch {
  readonly keys: Uint32Array[]
  readonly sortA: Uint32Array
  readonly sortB: Uint32Array
  readonly count: Uint32Array
  readonly tables: Uint8Array[]
}

function group32Scratch(nRows: number, G: number): Group32Scratch {
  return {
    keys: Array.from({ length: G }, () => new Uint32Array(nRows)),
    sortA: new Uint32Array(nRows),
    sortB: new Uint32Array(nRows),
    count: new Uint32Array(2 * 65536),
    tables: Array.from({ length: G }, () => new Uint8Array(65536)),
  }
}

/**
 * LSD radix sort of `a[0, n)` on three digits of 11, 11 and 10 bits (`b` is scratch; 2,048
 * buckets keep the scatter's write streams in cache, where 65,536 would not); returns the
 * sorted array.
 */
function radixSort32(a: Uint32Array, b: Uint32Array, n: number, count: Uint32Array): Uint32Array {
  count.fill(0, 0, 3 * 2048)
  for (let i = 0; i < n; i++) {
    const k = a[i]!
    count[k & 2047]!++
    count[2048 + ((k >>> 11) & 2047)]!++
    count[4096 + (k >>> 22)]!++
  }
  let src = a
  let dst = b
  for (let pass = 0; pass < 3; pass++) {
    const off = pass * 2048
    const shift = pass * 11
    let sum = 0
    let trivial = false
    for (let d = 0; d < 2048; d++) {
      const c = count[off + d]!
      if (c === n) trivial = true
      count[off + d] = sum
      sum += c
    }
    if (trivial) continue
    for (let i = 0; i < n; i++) {
      const k = src[i]!
      dst[count[off + ((k >>> shift) & 2047)]!++] = k
    }
    const t = src
    src = dst
    dst = t
  }
  return src
}
