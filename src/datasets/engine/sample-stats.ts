/**
 * Quantiles and Pearson correlations of profile columns, computed here from values DuckDB hands
 * over (at most the profile's sample, about 100k rows per column). Selecting a few ranks of one
 * column and a dot product per pair is several times cheaper than DuckDB's `quantile_cont` and
 * `corr` aggregates, which keep per-state buffers and online updates.
 */
import { createColumnKernels } from './column-kernels.js'

/** A numeric column of the sample: values, and which of them are present (absent: all are). */
export interface SampleColumn {
  readonly values: Float64Array
  readonly valid?: Uint8Array
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null)

/** The present, finite values of `c` (−0 as 0), copied so that sorting leaves `c` alone. */
function presentValues(c: SampleColumn): Float64Array {
  const { values, valid } = c
  const out = new Float64Array(values.length)
  let m = 0
  for (let i = 0; i < values.length; i++) {
    const x = values[i] ?? Number.NaN
    if ((valid === undefined || valid[i] === 1) && x - x === 0) out[m++] = x + 0
  }
  return out.subarray(0, m)
}

/** The ranks linear interpolation needs for `qs` among `n` sorted values, ascending, distinct. */
function ranksOf(n: number, qs: readonly number[]): number[] {
  const positions = qs.flatMap((q) => [Math.floor((n - 1) * q), Math.ceil((n - 1) * q)])
  return [...new Set(positions)].sort((a, b) => a - b)
}

/** The quantiles of `n` values from their order statistics (`at(r)`: the r-th smallest). */
function interpolate(
  n: number,
  qs: readonly number[],
  at: (r: number) => number,
): (number | null)[] {
  if (n === 0) return qs.map(() => null)
  return qs.map((q) => {
    const h = (n - 1) * q
    const lo = Math.floor(h)
    const hi = Math.ceil(h)
    const a = at(lo)
    if (lo === hi) return finite(a)
    const b = at(hi)
    return finite(a + (h - lo) * (b - a))
  })
}

/**
 * Quantiles of the present, finite values (non-finite ones count as missing, as everywhere in the
 * profile) with linear interpolation between the closest ranks (pandas' default and DuckDB's
 * `quantile_cont`): position h = (n − 1)·q, value x[⌊h⌋] + (h − ⌊h⌋)·(x[⌈h⌉] − x[⌊h⌋]) of the
 * sorted values. All null when no value is present. The plain form, where there is no
 * WebAssembly; see {@link createSampleQuantiles}.
 */
export function sampleQuantiles(c: SampleColumn, qs: readonly number[]): (number | null)[] {
  const x = presentValues(c).sort()
  return interpolate(x.length, qs, (r) => x[r] ?? Number.NaN)
}

/**
 * {@link sampleQuantiles} for many columns of at most `rows` values, in WebAssembly where there
 * is one: the same numbers by selecting the few ranks wanted instead of sorting (and without the
 * warm-up a JavaScript loop needs, which a profile of a few columns never gets past). Falls back
 * to `sampleQuantiles`.
 */
export function createSampleQuantiles(
  rows: number,
): (c: SampleColumn, qs: readonly number[]) => (number | null)[] {
  // Layout (bytes): bounds (unused) | the column's values.
  const VALUES = 16
  const k = rows > 0 ? createColumnKernels(VALUES + 8 * rows) : undefined
  if (k === undefined) return sampleQuantiles
  const f64 = new Float64Array(k.memory.buffer)
  return (c, qs) => {
    const { values, valid } = c
    if (values.length > rows) return sampleQuantiles(c, qs)
    f64.set(values, VALUES / 8)
    if (valid !== undefined)
      for (let i = 0; i < values.length; i++) if (valid[i] !== 1) f64[VALUES / 8 + i] = Number.NaN
    // Only the finite values (−0 as 0), in front.
    const n = k.compact(VALUES, values.length, 0)
    // Each selection leaves everything after rank r no smaller: the next looks only there.
    let from = 0
    for (const r of ranksOf(n, qs)) {
      k.select(VALUES + 8 * from, n - from, r - from)
      from = r + 1
    }
    return interpolate(n, qs, (r) => f64[VALUES / 8 + r] ?? Number.NaN)
  }
}

/** Mean of the present values (NaN when none). */
function meanOf(values: Float64Array, valid: Uint8Array | undefined): number {
  let s = 0
  let m = 0
  for (let i = 0; i < values.length; i++) {
    if (valid !== undefined && valid[i] !== 1) continue
    s += values[i] ?? 0
    m++
  }
  return m === 0 ? Number.NaN : s / m
}

/**
 * Pearson correlation matrix of `columns` over pairwise-complete rows (as pandas and DuckDB's
 * `corr` do), two-pass: means first, then sums of centred products. Null where undefined (fewer
 * than two rows, a constant column) or not finite. The diagonal is 1.
 */
export function pearsonMatrix(columns: readonly SampleColumn[]): (number | null)[][] {
  const k = columns.length
  const matrix = columns.map((_, i) =>
    columns.map((__, j) => (i === j ? 1 : (null as number | null))),
  )
  // Columns without missing values are centred once and shared by all their pairs.
  const centred = columns.map((c) => {
    if (c.valid !== undefined) return undefined
    const mu = meanOf(c.values, undefined)
    const out = new Float64Array(c.values.length)
    let ss = 0
    for (let i = 0; i < out.length; i++) {
      const d = (c.values[i] ?? 0) - mu
      out[i] = d
      ss += d * d
    }
    return { d: out, ss }
  })
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const ca = centred[a]
      const cb = centred[b]
      let r: number
      if (ca !== undefined && cb !== undefined) {
        const x = ca.d
        const y = cb.d
        let sxy = 0
        for (let i = 0; i < x.length; i++) sxy += (x[i] ?? 0) * (y[i] ?? 0)
        r = x.length < 2 ? Number.NaN : sxy / Math.sqrt(ca.ss * cb.ss)
      } else {
        r = pairwise(columns[a], columns[b])
      }
      const v = finite(r)
      const ra = matrix[a]
      const rb = matrix[b]
      if (ra !== undefined) ra[b] = v
      if (rb !== undefined) rb[a] = v
    }
  }
  return matrix
}

/** Correlation over the rows where both columns are present. */
function pairwise(ca: SampleColumn | undefined, cb: SampleColumn | undefined): number {
  if (ca === undefined || cb === undefined) return Number.NaN
  const x = ca.values
  const y = cb.values
  const both = new Uint8Array(x.length)
  for (let i = 0; i < x.length; i++) {
    both[i] =
      (ca.valid === undefined || ca.valid[i] === 1) && (cb.valid === undefined || cb.valid[i] === 1)
        ? 1
        : 0
  }
  const mx = meanOf(x, both)
  const my = meanOf(y, both)
  let sxx = 0
  let syy = 0
  let sxy = 0
  let m = 0
  for (let i = 0; i < x.length; i++) {
    if (both[i] !== 1) continue
    const dx = (x[i] ?? 0) - mx
    const dy = (y[i] ?? 0) - my
    sxx += dx * dx
    syy += dy * dy
    sxy += dx * dy
    m++
  }
  return m < 2 ? Number.NaN : sxy / Math.sqrt(sxx * syy)
}
