/**
 * Count, bounds, mean, sample standard deviation, equal-width histogram and exact distinct count
 * of numeric columns whose values arrive chunk by chunk (as doubles, missing and non-finite ones
 * as NaN). The values are kept (finite ones only, −0 as 0) until the column's summary is taken.
 *
 * Two backends give the same numbers bit for bit: WebAssembly kernels over one memory holding
 * every column (column-kernels.ts), and the TypeScript loops below, used where there is no
 * WebAssembly.
 *
 * @internal
 */
import { createColumnKernels, SUM_BLOCK, type ColumnKernels } from './column-kernels.js'
import { DistinctCounter, DistinctScratch } from './distinct.js'

/** What the profile reports of a numeric column. */
export interface ColumnSummary {
  readonly count: number
  readonly min: number | null
  readonly max: number | null
  readonly mean: number | null
  readonly std: number | null
  readonly distinct: number
  /** Absent when the column has no finite value. */
  readonly histogram?: { readonly edges: number[]; readonly counts: number[] }
}

/** Accumulates numeric columns chunk by chunk. */
export interface ColumnStats {
  readonly backend: 'wasm' | 'js'
  /** Adds the next chunk of column `j`'s values. */
  add(j: number, xs: Float64Array): void
  /** Column `j`'s summary (taken once; its values are released). */
  summary(j: number): ColumnSummary
  /** Forgets every column's values: the memory is reused for the next columns. */
  reset(): void
}

/** Equal-width bin edges over [lo, hi] (one unit wide from lo when lo = hi). */
export function equalWidthEdges(lo: number, hi: number, bins: number): number[] {
  const width = hi > lo ? (hi - lo) / bins : 1
  return Array.from({ length: bins + 1 }, (_, b) => lo + b * width)
}

/**
 * Adds the finite values of `xs` to their equal-width bins: the last b with edges[b] ≤ x, from
 * the arithmetic guess corrected against the edges themselves.
 */
function binInto(counts: Float64Array, edges: Float64Array, xs: Float64Array): void {
  const bins = counts.length
  const last = bins - 1
  const lo = edges[0] ?? 0
  const scale = bins / ((edges[bins] ?? 0) - lo)
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] ?? Number.NaN
    if (x - x !== 0) continue
    let b = Math.floor((x - lo) * scale)
    if (!(b >= 0)) b = 0
    else if (b > last) b = last
    if (b > 0 && (edges[b] ?? 0) > x) {
      do b--
      while (b > 0 && (edges[b] ?? 0) > x)
    } else {
      while (b < last && (edges[b + 1] ?? 0) <= x) b++
    }
    counts[b] = (counts[b] ?? 0) + 1
  }
}

/**
 * Σ (xs[i] − shift), or Σ (xs[i] − shift)² with `square`: blocks of `SUM_BLOCK` values summed in
 * four lanes, the block sums added with Neumaier's compensation (as exact as pairwise summation,
 * the error bound of a block times a few ulps, at the speed of a plain loop).
 */
function blockSum(xs: Float64Array, shift: number, square: boolean): number {
  let sum = 0
  let comp = 0
  for (let from = 0; from < xs.length; from += SUM_BLOCK) {
    const to = Math.min(xs.length, from + SUM_BLOCK)
    let a = 0
    let b = 0
    let c = 0
    let d = 0
    let i = from
    if (square) {
      for (; i + 3 < to; i += 4) {
        const x0 = (xs[i] ?? 0) - shift
        const x1 = (xs[i + 1] ?? 0) - shift
        const x2 = (xs[i + 2] ?? 0) - shift
        const x3 = (xs[i + 3] ?? 0) - shift
        a += x0 * x0
        b += x1 * x1
        c += x2 * x2
        d += x3 * x3
      }
      for (; i < to; i++) {
        const x = (xs[i] ?? 0) - shift
        a += x * x
      }
    } else {
      for (; i + 3 < to; i += 4) {
        a += (xs[i] ?? 0) - shift
        b += (xs[i + 1] ?? 0) - shift
        c += (xs[i + 2] ?? 0) - shift
        d += (xs[i + 3] ?? 0) - shift
      }
      for (; i < to; i++) a += (xs[i] ?? 0) - shift
    }
    const v = a + b + (c + d)
    const t = sum + v
    comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum
    sum = t
  }
  return sum + comp
}

/** The least and greatest of `xs` (±Infinity when empty). */
function bounds(xs: Float64Array): [number, number] {
  let lo = Number.POSITIVE_INFINITY
  let hi = Number.NEGATIVE_INFINITY
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] ?? 0
    if (x < lo) lo = x
    if (x > hi) hi = x
  }
  return [lo, hi]
}

/** The summary of `n` finite values from their bounds, sums, distinct count and binning. */
function summarize(
  n: number,
  lo: number,
  hi: number,
  bins: number,
  sum: (shift: number, square: boolean) => number,
  distinct: () => number,
  bin: (edges: Float64Array) => Float64Array,
): ColumnSummary {
  if (n === 0) return { count: 0, min: null, max: null, mean: null, std: null, distinct: 0 }
  const mean = sum(0, false) / n
  const std = n < 2 ? null : Math.sqrt(sum(mean, true) / (n - 1))
  const edges = Float64Array.from(equalWidthEdges(lo, hi, bins))
  const counts = bin(edges)
  return {
    count: n,
    min: lo,
    max: hi,
    mean,
    std,
    distinct: distinct(),
    histogram: { edges: Array.from(edges), counts: Array.from(counts) },
  }
}

/** Values per partition of the distinct count (as distinct.ts). */
const PARTITION_VALUES = 4096

const align16 = (x: number): number => Math.ceil(x / 16) * 16

function wasmStats(rows: number, columns: number, bins: number): ColumnStats | undefined {
  let bits = 0
  while (rows >> bits > PARTITION_VALUES) bits++
  const parts = 1 << bits
  let cap = 16
  while (cap < 2 * rows) cap *= 2
  // Layout (bytes): bounds per column | edges | counts | values per column | distinct scratch.
  const STATE = 0
  const EDGES = align16(16 * columns)
  const COUNTS = align16(EDGES + 8 * (bins + 1))
  const VALUES = align16(COUNTS + 4 * bins)
  const stride = align16(8 * rows)
  const HASHES = VALUES + stride * columns
  const SV = align16(HASHES + 4 * rows)
  const SH = SV + 8 * rows
  const STARTS = align16(SH + 4 * rows)
  const AT = align16(STARTS + 4 * (parts + 1))
  const KEYS = align16(AT + 4 * parts)
  const STAMPS = KEYS + 8 * cap
  const k: ColumnKernels | undefined = createColumnKernels(STAMPS + 4 * cap)
  if (k === undefined) return undefined
  const f64 = new Float64Array(k.memory.buffer)
  const i32 = new Int32Array(k.memory.buffer)
  const counts = new Int32Array(columns)
  const reset = (): void => {
    counts.fill(0)
    for (let j = 0; j < columns; j++) {
      f64[(STATE + 16 * j) / 8] = Number.POSITIVE_INFINITY
      f64[(STATE + 16 * j) / 8 + 1] = Number.NEGATIVE_INFINITY
    }
  }
  reset()
  return {
    backend: 'wasm',
    reset,
    add(j, xs) {
      const have = counts[j] ?? 0
      if (have + xs.length > rows)
        throw new Error(`column ${String(j)} has more than ${String(rows)} values`)
      const off = VALUES + stride * j + 8 * have
      f64.set(xs, off / 8)
      counts[j] = have + k.compact(off, xs.length, STATE + 16 * j)
    },
    summary(j) {
      const n = counts[j] ?? 0
      const off = VALUES + stride * j
      let b = 0
      while (n >> b > PARTITION_VALUES) b++
      return summarize(
        n,
        f64[(STATE + 16 * j) / 8] ?? 0,
        f64[(STATE + 16 * j) / 8 + 1] ?? 0,
        bins,
        (shift, square) => (square ? k.sumSquares(off, n, shift) : k.sum(off, n, shift)),
        () => k.distinct(off, n, b, HASHES, SV, SH, STARTS, AT, KEYS, STAMPS),
        (edges) => {
          f64.set(edges, EDGES / 8)
          i32.fill(0, COUNTS / 4, COUNTS / 4 + bins)
          const lo = edges[0] ?? 0
          k.bin(off, n, COUNTS, EDGES, bins, lo, bins / ((edges[bins] ?? 0) - lo))
          return Float64Array.from(i32.subarray(COUNTS / 4, COUNTS / 4 + bins))
        },
      )
    },
  }
}

function jsStats(rows: number, columns: number, bins: number): ColumnStats {
  const counters = Array.from({ length: columns }, () => new DistinctCounter(rows))
  const scratch = new DistinctScratch()
  return {
    backend: 'js',
    reset() {
      for (let j = 0; j < columns; j++) counters[j] = new DistinctCounter(rows)
    },
    add(j, xs) {
      counters[j]?.add(xs)
    },
    summary(j) {
      const counter = counters[j] ?? new DistinctCounter(0)
      // The values are dropped once summarized.
      counters[j] = new DistinctCounter(0)
      const xs = counter.finite()
      const [lo, hi] = bounds(xs)
      return summarize(
        xs.length,
        lo,
        hi,
        bins,
        (shift, square) => blockSum(xs, shift, square),
        () => counter.count(scratch),
        (edges) => {
          const counts = new Float64Array(bins)
          binInto(counts, edges, xs)
          return counts
        },
      )
    },
  }
}

/**
 * Accumulates `columns` numeric columns of at most `rows` values each into `bins`-bin
 * histograms. `backend` `auto` takes WebAssembly where there is one.
 */
export function createColumnStats(
  rows: number,
  columns: number,
  bins: number,
  backend: 'auto' | 'wasm' | 'js' = 'auto',
): ColumnStats {
  if (backend !== 'js') {
    const wasm = wasmStats(rows, columns, bins)
    if (wasm !== undefined) return wasm
    if (backend === 'wasm') throw new Error('WebAssembly is not available')
  }
  return jsStats(rows, columns, bins)
}
