import type { DuckDBDataChunk } from '@duckdb/node-api'

import { createColumnStats, equalWidthEdges } from './column-stats.js'
import { quoteIdent, valueText, type DuckSession } from './duckdb-session.js'
import { createSampleQuantiles, pearsonMatrix, type SampleColumn } from './sample-stats.js'

/** What a column holds, as a person would say it. */
export type SemanticType = 'numeric' | 'categorical' | 'boolean' | 'datetime' | 'text' | 'id'

/** The quantiles every numeric column reports. */
export const PROFILE_QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const

/** Statistics of one column. Numbers are JSON-safe (null where undefined, e.g. std of one value). */
export interface ColumnProfile {
  readonly name: string
  /** The stored (DuckDB/Parquet) type, e.g. DOUBLE, BIGINT, VARCHAR, TIMESTAMP. */
  readonly storageType: string
  readonly semanticType: SemanticType
  /** Rows with a value (NaN and ±Infinity in floating columns count as missing). */
  readonly count: number
  readonly missing: number
  readonly distinct: number
  /**
   * True when `distinct` is a HyperLogLog estimate: only above `exactDistinctRows` rows, and only
   * for numeric columns (non-numeric columns are always counted exactly, and so are integers
   * spanning fewer than 65,536 values in tables of 100,000 rows or more).
   */
  readonly distinctApprox: boolean
  readonly min?: number | string | null
  readonly max?: number | string | null
  readonly mean?: number | null
  /** Sample standard deviation (n − 1), as pandas reports it. */
  readonly std?: number | null
  /** p1 p5 p25 p50 p75 p95 p99, linear interpolation (pandas' default). */
  readonly quantiles?: Readonly<
    Record<'p1' | 'p5' | 'p25' | 'p50' | 'p75' | 'p95' | 'p99', number | null>
  >
  /** Equal-width histogram of numeric columns: `counts[i]` falls in [edges[i], edges[i+1]). */
  readonly histogram?: { readonly edges: readonly number[]; readonly counts: readonly number[] }
  /** Most frequent values of non-numeric columns (and numeric ones with few values). */
  readonly topK?: readonly { readonly value: string; readonly count: number }[]
}

/** A pairwise measure between two columns. */
export interface Association {
  readonly column: string
  /** pearson (numeric–numeric), correlation_ratio (numeric–categorical), cramers_v (categorical–categorical). */
  readonly measure: 'pearson' | 'correlation_ratio' | 'cramers_v'
  readonly value: number | null
}

/** A dataset version's profile, computed at ingest and stored with it. */
export interface DatasetProfile {
  readonly rowCount: number
  readonly columns: readonly ColumnProfile[]
  /** Pearson correlations between numeric columns (omitted above `maxCorrelationColumns`). */
  readonly correlations?: {
    readonly columns: readonly string[]
    readonly matrix: readonly (readonly (number | null)[])[]
  }
  /** Association of every column with the named target. */
  readonly target?: { readonly name: string; readonly associations: readonly Association[] }
  readonly computedWith: {
    readonly exactDistinctRows: number
    readonly histogramBins: number
    /** Rows the quantiles and correlations were computed from (all rows when not sampled). */
    readonly quantileRows: number
  }
}

/** Knobs of the profiler. */
export interface ProfileOptions {
  /** Column to relate every other column to. */
  readonly target?: string
  /**
   * Count distinct values exactly up to this many rows; above, numeric columns may be estimated
   * (HyperLogLog; see `ColumnProfile.distinctApprox`). @default 1_000_000
   */
  readonly exactDistinctRows?: number
  /** @default 20 */
  readonly histogramBins?: number
  /** @default 10 */
  readonly topK?: number
  /** Skip the correlation matrix above this many numeric columns. @default 100 */
  readonly maxCorrelationColumns?: number
  /**
   * Above this many rows, quantiles and correlations come from a deterministic sample of about
   * this many rows (counts, moments, distinct values and histograms stay exact). @default 100_000
   */
  readonly sampleRows?: number
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/
const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/
const FLOATING = /^(FLOAT|DOUBLE|REAL)$/
const TEMPORAL = /^(DATE|TIMESTAMP.*|TIME.*)$/
const BOOLISH = new Set(['0', '1', 'true', 'false', 'yes', 'no', 'y', 'n', 't', 'f'])

/** Columns aggregated per query: wide tables (10k columns) are profiled in batches. */
const BATCH = 150

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null
  const n = typeof v === 'bigint' ? Number(v) : Number(v)
  return Number.isFinite(n) ? n : null
}

function scalar(v: unknown): number | string | null {
  if (v === null || v === undefined) return null
  if (typeof v === 'number' || typeof v === 'bigint') return num(v)
  return valueText(v)
}

/** Items of a DuckDB LIST value as the node API returns it (`{ items: [...] }`), or undefined. */
function listItems(v: unknown): readonly unknown[] | undefined {
  if (Array.isArray(v)) return v as unknown[]
  if (v === null || typeof v !== 'object') return undefined
  const items = (v as { items?: unknown }).items
  return Array.isArray(items) ? items : undefined
}

/** Entries of a DuckDB MAP value as the node API returns it (`{ entries: [{ key, value }] }`). */
function mapEntries(v: unknown): [unknown, unknown][] {
  if (v === null || typeof v !== 'object') return []
  const entries = (v as { entries?: unknown }).entries
  if (!Array.isArray(entries)) return []
  return entries.map((e: unknown) => {
    const o = e as { key?: unknown; value?: unknown }
    return [o.key, o.value]
  })
}

function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size))
  return out
}

interface Stats {
  count: number
  distinct: number
  min: unknown
  max: unknown
  mean: number | null
  std: number | null
  quantiles: (number | null)[] | null
  avgLength: number | null
}

function semanticTypeOf(
  type: string,
  s: Stats,
  rowCount: number,
  top: readonly { value: string }[],
): SemanticType {
  if (type === 'BOOLEAN') return 'boolean'
  if (TEMPORAL.test(type)) return 'datetime'
  const twoValues =
    s.distinct <= 2 && top.length > 0 && top.every((t) => BOOLISH.has(t.value.toLowerCase()))
  if (twoValues) return 'boolean'
  const unique = s.count > 0 && s.distinct >= s.count * 0.99 && rowCount >= 50
  if (NUMERIC.test(type)) {
    if (INTEGER.test(type) && unique) return 'id'
    if (INTEGER.test(type) && s.distinct <= 20) return 'categorical'
    return 'numeric'
  }
  if (unique && (s.avgLength ?? 0) <= 64) return 'id'
  if ((s.avgLength ?? 0) > 50 || (s.count > 0 && s.distinct > 0.5 * s.count && s.distinct > 100))
    return 'text'
  return 'categorical'
}

/** A column of the profiled table with what its storage type allows. */
interface Col {
  readonly name: string
  readonly type: string
  /** The quoted identifier; for floating columns, an expression that maps NaN and ±Infinity to NULL. */
  readonly q: string
  readonly numeric: boolean
}

type TopValues = { value: string; count: number }[]

/** What the passes fill in, column by column. */
interface Found {
  readonly stats: Map<string, Stats>
  readonly tops: Map<string, TopValues>
  readonly hist: Map<string, { edges: number[]; counts: number[] }>
  /** Columns whose distinct count is a HyperLogLog estimate. */
  readonly estimated: Set<string>
}

/**
 * At or above this many rows, columns get queries of their own (UNION ALL'd so DuckDB runs them
 * side by side); below it, per-query overhead dominates and one aggregate per batch of columns
 * is several times cheaper (10,000 columns of 2 rows: 4×).
 */
const PER_COLUMN_ROWS = 100_000

/**
 * An integer column spanning fewer values than this (max − min) has few enough distinct values
 * to fetch all of them with their counts: one GROUP BY then gives its exact distinct count (even
 * above `exactDistinctRows` rows, where it is cheaper than DuckDB's HyperLogLog), histogram and
 * top-k. flights-3m's delay and distance: 35 ms, against 98 ms for the estimate alone.
 */
const NARROW_SPAN = 1 << 16

/** Types whose values group and print as themselves; anything else is grouped as text. */
const PLAIN = /^(BOOLEAN|VARCHAR|DATE|TIMESTAMP.*|TIME.*)$/

/** The expression a column is grouped by for top-k (its value where that is safe, else text). */
const groupExpr = (c: Col): string => (c.numeric || PLAIN.test(c.type) ? c.q : `${c.q}::VARCHAR`)

/** A literal DOUBLE that parses back to exactly `x` (a bare decimal literal would be a DECIMAL). */
const doubleLiteral = (x: number): string => `CAST('${String(x)}' AS DOUBLE)`

/** Orders text the way the top-k lists always have (UTF-16 code units). */
const cmpText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Columns grouped per query for distinct counts and top-k (each holds its groups until done). */
const GROUPED_BATCH = 8

/** Equal-width bin edges over [min, max] (one unit wide from min when min = max). */
function edgesOf(s: Stats | undefined, bins: number): number[] {
  return equalWidthEdges(
    typeof s?.min === 'number' ? s.min : 0,
    typeof s?.max === 'number' ? s.max : 0,
    bins,
  )
}

/** The bin of x: the last b with edges[b] ≤ x (bin 0 below edges[1], the last bin from edges[bins − 1] up). */
function binOf(edges: readonly number[], bins: number, x: number): number {
  let lo = 0
  let hi = bins - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if ((edges[mid] ?? Number.POSITIVE_INFINITY) <= x) lo = mid
    else hi = mid - 1
  }
  return lo
}

/**
 * Profiles the session's table `table` (the data as it is stored): a table, not a view, and not
 * a temporary one, since other connections of the session read it too.
 *
 * ## Method
 * Independent passes, each on a connection of its own so DuckDB runs them side by side:
 * - non-numeric columns of large tables: one GROUP BY each gives count, distinct count (exact),
 *   min and max of dates and times, mean text length and top-k values;
 * - DOUBLE and integer columns of large tables with at most `exactDistinctRows` rows: one
 *   streamed pass reads them as doubles into WebAssembly memory (column-stats.ts), where kernels
 *   compute count, min, max, mean and sample standard deviation (compensated block sums), the
 *   histogram and the exact distinct count (hash partitions that stay in cache; DuckDB's DISTINCT
 *   over a million mostly distinct doubles costs several times more). Columns go in batches; a
 *   helper thread counts one batch's distinct values and bins while the next batch streams in.
 *   Top-k and quantiles follow as below;
 * - the other columns: one aggregate per batch of columns gives count, min, max, mean and sample
 *   standard deviation; then
 *   - integer columns of large tables spanning few values: one GROUP BY each gives the exact
 *     distinct count, histogram and top-k;
 *   - otherwise distinct counts (exact up to `exactDistinctRows` rows, HyperLogLog above) and
 *     top-k where there are at most 20 values; equal-width histograms from one pass of DuckDB's
 *     binned `histogram` over the negated values;
 *   - quantiles (linear interpolation — pandas' default; by selection, not sorting) and Pearson
 *     correlations, computed here from the numeric columns of the (sampled) rows, whose first
 *     batch is read while the passes above run.
 * Histogram bins are [edges[i], edges[i+1]) by comparison with the edges themselves (numpy's
 * rule), the last one closed. If a target is named, every column's association with it follows
 * (Pearson, the correlation ratio η, or Cramér's V).
 *
 * ## References
 * - H. Cramér, *Mathematical Methods of Statistics*, 1946 (V). K. Pearson, 1903 (η).
 */
export async function profileTable(
  session: DuckSession,
  table: string,
  options: ProfileOptions = {},
): Promise<DatasetProfile> {
  const exactDistinctRows = options.exactDistinctRows ?? 1_000_000
  const bins = options.histogramBins ?? 20
  const topK = options.topK ?? 10
  const t = quoteIdent(table)
  const described = await session.rows(`DESCRIBE ${t}`)
  const columns: Col[] = described.map((r) => {
    const name = String(r['column_name'])
    const type = String(r['column_type'])
    const id = quoteIdent(name)
    // NaN and ±Infinity have no place in a mean, a quantile or a histogram: the profile counts
    // them as missing (pandas counts NaN as missing; DuckDB's moments fail on infinities).
    const q = FLOATING.test(type) ? `(CASE WHEN isfinite(${id}) THEN ${id} END)` : id
    return { name, type, q, numeric: NUMERIC.test(type) }
  })
  const rowCount = Number((await session.rows(`SELECT count(*) AS n FROM ${t}`))[0]?.['n'] ?? 0)
  const approx = rowCount > exactDistinctRows
  const large = rowCount >= PER_COLUMN_ROWS
  const found: Found = { stats: new Map(), tops: new Map(), hist: new Map(), estimated: new Set() }
  const statsOf = (c: Col): Stats | undefined => found.stats.get(c.name)
  const grouped = large ? columns.filter((c) => !c.numeric) : []
  const rest = large ? columns.filter((c) => c.numeric) : columns

  let quantileRows = rowCount
  let correlations: DatasetProfile['correlations']
  // The sample of the first batch of numeric columns is read at once, beside the other passes.
  const sampled = rest.filter((c) => c.numeric).slice(0, BATCH)
  const sampleRows = options.sampleRows ?? 100_000
  const maxCorrelationColumns = options.maxCorrelationColumns ?? 100
  const firstSample =
    sampled.length === 0
      ? undefined
      : onFork(session, (s) => readSample(s, t, sampled, sampleWhere(rowCount, sampleRows))).then(
          (sample) => sampleFindings(sample, maxCorrelationColumns),
        )
  await all([
    ...(firstSample === undefined ? [] : [firstSample]),
    onFork(session, (s) => groupedColumns(s, t, grouped, found, topK)),
    (async () => {
      // Numeric columns of large tables whose values are doubles exactly (DOUBLE and integers;
      // FLOAT prints its bounds as floats, DECIMAL and 128-bit integers are DuckDB's) come to
      // JavaScript in one streamed pass that gives their moments, bounds, histogram and exact
      // distinct count (see distinct.ts), instead of an aggregate, a histogram and a DISTINCT.
      const inJs = large && !approx ? rest.filter(streamable) : []
      const isInJs = new Set(inJs)
      // Other integer columns of large tables get their mean and standard deviation later: from
      // their value counts if they span few values (below), which is cheaper than DuckDB's
      // per-row updates.
      const momentsLater = new Set(
        large ? rest.filter((c) => !isInJs.has(c) && INTEGER.test(c.type)) : [],
      )
      await all([
        basicStats(
          session,
          t,
          rest.filter((c) => !isInJs.has(c)),
          found,
          momentsLater,
        ),
        onFork(session, (s) => streamedStats(s, t, inJs, found, { bins, rowCount })),
      ])
      const numericCols = rest.filter((c) => {
        const st = statsOf(c)
        return c.numeric && typeof st?.min === 'number' && typeof st.max === 'number'
      })
      const narrow = large
        ? numericCols.filter((c) => {
            const st = statsOf(c)
            return (
              !isInJs.has(c) &&
              INTEGER.test(c.type) &&
              typeof st?.min === 'number' &&
              typeof st.max === 'number' &&
              st.max - st.min < NARROW_SPAN
            )
          })
        : []
      const isNarrow = new Set(narrow)
      // Integers beyond ±2^53 may share a double: DuckDB counts those.
      const counted = new Set(inJs.filter((c) => doublesExactly(c, statsOf(c))))
      let momentsDone = (): void => undefined
      const momentsReady = new Promise<void>((resolve) => {
        momentsDone = resolve
      })
      await all([
        onFork(session, (s) =>
          histograms(
            s,
            t,
            numericCols.filter((c) => !isNarrow.has(c) && !isInJs.has(c)),
            found,
            bins,
          ),
        ),
        onFork(session, async (s) => {
          const found = await sampleStats(
            s,
            t,
            rest,
            numericCols,
            statsOf,
            { rowCount, sampleRows, maxCorrelationColumns },
            firstSample,
            momentsReady,
          )
          quantileRows = found.rows
          correlations = found.correlations
        }),
        (async () => {
          try {
            await valueCounts(session, t, narrow, found, { bins, topK })
            const wide = [...momentsLater].filter((c) => !isNarrow.has(c))
            await laterMoments(session, t, wide, found)
          } finally {
            momentsDone()
          }
          await distinctCounts(
            session,
            t,
            rest.filter((c) => !isNarrow.has(c) && !counted.has(c)),
            found,
            { approx, large },
          )
          await topValues(
            session,
            t,
            rest.filter((c) => !isNarrow.has(c)),
            found,
            topK,
          )
        })(),
      ])
    })(),
  ])

  const profiles: ColumnProfile[] = columns.map((c) => {
    const s = statsOf(c) ?? emptyStats()
    const top = found.tops.get(c.name) ?? []
    const qv = s.quantiles
    const h = found.hist.get(c.name)
    return {
      name: c.name,
      storageType: c.type,
      semanticType: semanticTypeOf(c.type, s, rowCount, top),
      count: s.count,
      missing: rowCount - s.count,
      distinct: s.distinct,
      distinctApprox: found.estimated.has(c.name),
      ...(c.numeric || TEMPORAL.test(c.type) ? { min: scalar(s.min), max: scalar(s.max) } : {}),
      ...(c.numeric
        ? {
            mean: s.mean,
            std: s.std,
            quantiles: {
              p1: qv?.[0] ?? null,
              p5: qv?.[1] ?? null,
              p25: qv?.[2] ?? null,
              p50: qv?.[3] ?? null,
              p75: qv?.[4] ?? null,
              p95: qv?.[5] ?? null,
              p99: qv?.[6] ?? null,
            },
          }
        : {}),
      ...(h === undefined ? {} : { histogram: h }),
      ...(top.length > 0 ? { topK: top } : {}),
    }
  })

  const target =
    options.target === undefined ? undefined : await associate(session, t, options.target, profiles)
  return {
    rowCount,
    columns: profiles,
    ...(correlations === undefined ? {} : { correlations }),
    ...(target === undefined ? {} : { target }),
    computedWith: { exactDistinctRows, histogramBins: bins, quantileRows },
  }
}

/**
 * Awaits every task, so none is left running on a connection about to close, then throws the
 * first failure if any.
 */
async function all(work: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work)
  for (const r of results) if (r.status === 'rejected') throw r.reason
}

/** Runs `fn` on a new connection of the session, closed once `fn` has settled. */
async function onFork<T>(session: DuckSession, fn: (s: DuckSession) => Promise<T>): Promise<T> {
  const fork = await session.fork()
  try {
    return await fn(fork)
  } finally {
    fork.close()
  }
}

const emptyStats = (): Stats => ({
  count: 0,
  distinct: 0,
  min: null,
  max: null,
  mean: null,
  std: null,
  quantiles: null,
  avgLength: null,
})

/**
 * Count, min, max, mean, standard deviation and mean text length: one pass per batch. Columns in
 * `momentsLater` get no mean and standard deviation here (see `laterMoments`).
 */
async function basicStats(
  session: DuckSession,
  t: string,
  columns: readonly Col[],
  found: Found,
  momentsLater: ReadonlySet<Col> = new Set(),
): Promise<void> {
  for (const batch of chunks(columns, BATCH)) {
    const exprs: string[] = []
    batch.forEach((c, i) => {
      const orderable = c.numeric || TEMPORAL.test(c.type)
      const v = c.numeric ? `${c.q}::DOUBLE` : c.q
      exprs.push(`count(${c.q}) AS c${String(i)}_n`)
      if (orderable)
        exprs.push(
          `min(${c.q})::VARCHAR AS c${String(i)}_min`,
          `max(${c.q})::VARCHAR AS c${String(i)}_max`,
        )
      if (c.numeric && !momentsLater.has(c)) {
        exprs.push(`avg(${v}) AS c${String(i)}_mean`, `stddev_samp(${v}) AS c${String(i)}_std`)
      }
      if (c.type === 'VARCHAR') exprs.push(`avg(length(${c.q})) AS c${String(i)}_len`)
    })
    const row = (await session.rows(`SELECT ${exprs.join(', ')} FROM ${t}`))[0] ?? {}
    batch.forEach((c, i) => {
      const k = `c${String(i)}`
      found.stats.set(c.name, {
        ...emptyStats(),
        count: Number(row[`${k}_n`] ?? 0),
        min: c.numeric ? num(row[`${k}_min`]) : row[`${k}_min`],
        max: c.numeric ? num(row[`${k}_max`]) : row[`${k}_max`],
        mean: num(row[`${k}_mean`]),
        std: num(row[`${k}_std`]),
        avgLength: num(row[`${k}_len`]),
      })
    })
  }
}

/**
 * Mean and sample standard deviation of integer columns whose basic pass left them out: from
 * their value counts where `valueCounts` fetched those (integers spanning few values: cheaper
 * than DuckDB's per-row updates), else from one aggregate per batch.
 */
async function laterMoments(
  session: DuckSession,
  t: string,
  columns: readonly Col[],
  found: Found,
): Promise<void> {
  for (const batch of chunks(columns, BATCH)) {
    const exprs = batch.map(
      (c, i) =>
        `avg(${c.q}::DOUBLE) AS m${String(i)}, stddev_samp(${c.q}::DOUBLE) AS s${String(i)}`,
    )
    const row = (await session.rows(`SELECT ${exprs.join(', ')} FROM ${t}`))[0] ?? {}
    batch.forEach((c, i) => {
      const s = found.stats.get(c.name)
      if (s === undefined) return
      s.mean = num(row[`m${String(i)}`])
      s.std = num(row[`s${String(i)}`])
    })
  }
}

/**
 * Mean and sample standard deviation of integers given as values with counts: sums about the
 * least value, exact in BigInt for the mean, in doubles about the mean for the variance.
 */
function momentsOfCounts(list: readonly { v: bigint; n: number }[]): {
  mean: number | null
  std: number | null
} {
  if (list.length === 0) return { mean: null, std: null }
  let lo = list[0]?.v ?? 0n
  for (const { v } of list) if (v < lo) lo = v
  let total = 0
  let s1 = 0n
  for (const { v, n } of list) {
    total += n
    s1 += BigInt(n) * (v - lo)
  }
  if (total === 0) return { mean: null, std: null }
  const shifted = Number(s1) / total
  let ss = 0
  for (const { v, n } of list) {
    const d = Number(v - lo) - shifted
    ss += n * d * d
  }
  return {
    mean: Number(lo) + shifted,
    std: total < 2 ? null : Math.sqrt(ss / (total - 1)),
  }
}

/**
 * Non-numeric columns of large tables: each one's values and counts (one GROUP BY, kept while
 * the statement runs) give its count, exact distinct count, min and max (dates and times), mean
 * text length and top-k values, in DuckDB's order (count desc, then text).
 */
async function groupedColumns(
  session: DuckSession,
  t: string,
  columns: readonly Col[],
  found: Found,
  topK: number,
): Promise<void> {
  for (const batch of chunks(columns, GROUPED_BATCH)) {
    const ctes = batch.map(
      (c, i) =>
        `g${String(i)} AS MATERIALIZED (SELECT ${groupExpr(c)} AS v, count(*) AS n FROM ${t} WHERE ${c.q} IS NOT NULL GROUP BY 1)`,
    )
    const parts = batch.map((c, i) => {
      const g = `g${String(i)}`
      const ends = TEMPORAL.test(c.type)
        ? 'min(v)::VARCHAR AS lo, max(v)::VARCHAR AS hi'
        : 'NULL::VARCHAR AS lo, NULL::VARCHAR AS hi'
      const len = c.type === 'VARCHAR' ? 'sum(n * length(v))::BIGINT' : 'NULL::BIGINT'
      return `SELECT ${String(i)} AS i, s.*, top.* FROM (SELECT count(*)::BIGINT AS d, coalesce(sum(n), 0)::BIGINT AS c, ${ends}, ${len} AS len FROM ${g}) s LEFT JOIN (SELECT v::VARCHAR AS v, n, row_number() OVER (ORDER BY n DESC, v::VARCHAR) AS r FROM (SELECT * FROM ${g} ORDER BY n DESC, v::VARCHAR LIMIT ${String(topK)})) top ON true`
    })
    const rows = await session.rows(`WITH ${ctes.join(', ')} ${parts.join(' UNION ALL ')}`)
    const ranked = new Map<string, (TopValues[number] & { r: number })[]>()
    for (const r of rows) {
      const c = batch[Number(r['i'])]
      if (c === undefined) continue
      const count = Number(r['c'] ?? 0)
      const len = r['len']
      found.stats.set(c.name, {
        ...emptyStats(),
        count,
        distinct: Number(r['d'] ?? 0),
        min: r['lo'] ?? null,
        max: r['hi'] ?? null,
        avgLength: len === null || len === undefined || count === 0 ? null : Number(len) / count,
      })
      if (r['v'] === null || r['v'] === undefined) continue
      const list = ranked.get(c.name) ?? []
      list.push({ value: valueText(r['v']), count: Number(r['n']), r: Number(r['r']) })
      ranked.set(c.name, list)
    }
    // The UNION ALL interleaves columns; `r` restores DuckDB's order.
    for (const [name, list] of ranked) {
      found.tops.set(
        name,
        list.sort((a, b) => a.r - b.r).map(({ value, count }) => ({ value, count })),
      )
    }
  }
}

/**
 * Integer columns spanning few values: all their values with counts, from one GROUP BY each,
 * give the exact distinct count, the histogram (binned here, against the same edges) and, with
 * at most 20 values, the top-k.
 */
async function valueCounts(
  session: DuckSession,
  t: string,
  columns: readonly Col[],
  found: Found,
  opts: { bins: number; topK: number },
): Promise<void> {
  for (const batch of chunks(columns, GROUPED_BATCH)) {
    const sql = batch
      .map(
        (c, i) =>
          `SELECT ${String(i)} AS i, ${c.q}::HUGEINT AS v, count(*) AS n FROM ${t} WHERE ${c.q} IS NOT NULL GROUP BY ${c.q}`,
      )
      .join(' UNION ALL ')
    const reader = await session.read(sql)
    const [is = [], vs = [], ns = []] = reader.getColumns()
    const values = batch.map(() => [] as { v: bigint; n: number }[])
    for (let k = 0; k < is.length; k++) {
      const v = vs[k]
      if (typeof v !== 'bigint') continue
      values[Number(is[k])]?.push({ v, n: Number(ns[k]) })
    }
    batch.forEach((c, i) => {
      const s = found.stats.get(c.name)
      const list = values[i] ?? []
      if (s === undefined) return
      s.distinct = list.length
      if (s.mean === null) Object.assign(s, momentsOfCounts(list))
      const edges = edgesOf(s, opts.bins)
      const counts = new Array<number>(opts.bins).fill(0)
      for (const { v, n } of list) {
        const b = binOf(edges, opts.bins, Number(v))
        counts[b] = (counts[b] ?? 0) + n
      }
      found.hist.set(c.name, { edges, counts })
      if (list.length <= 20 && s.count > 0) {
        found.tops.set(
          c.name,
          list
            .map(({ v, n }) => ({ value: String(v), count: n }))
            .sort((a, b) => b.count - a.count || cmpText(a.value, b.value))
            .slice(0, opts.topK),
        )
      }
    })
  }
}

/**
 * Distinct counts (into each column's stats) of columns not grouped or streamed already: exact
 * where required (or for non-numeric columns), HyperLogLog estimates otherwise.
 */
async function distinctCounts(
  session: DuckSession,
  t: string,
  columns: readonly Col[],
  found: Found,
  opts: { approx: boolean; large: boolean },
): Promise<void> {
  const statsOf = (c: Col): Stats | undefined => found.stats.get(c.name)
  const setDistinct = (c: Col | undefined, d: unknown): void => {
    const s = c === undefined ? undefined : statsOf(c)
    if (s !== undefined) s.distinct = Number(d ?? 0)
  }
  const exact = columns.filter((c) => !opts.approx || !c.numeric)
  const hll = columns.filter((c) => opts.approx && c.numeric)
  for (const batch of chunks(hll, BATCH)) {
    const exprs = batch.map((c, i) => `approx_count_distinct(${c.q}) AS d${String(i)}`)
    const row = (await session.rows(`SELECT ${exprs.join(', ')} FROM ${t}`))[0] ?? {}
    batch.forEach((c, i) => {
      setDistinct(c, row[`d${String(i)}`])
      found.estimated.add(c.name)
    })
  }
  for (const batch of chunks(exact, BATCH)) {
    if (opts.large) {
      // One DISTINCT subquery per column, UNION ALL'd so DuckDB runs them in parallel.
      const sql = batch
        .map(
          (c, i) =>
            `SELECT ${String(i)} AS i, count(*) AS d FROM (SELECT DISTINCT ${c.q} AS v FROM ${t} WHERE ${c.q} IS NOT NULL)`,
        )
        .join(' UNION ALL ')
      for (const r of await session.rows(sql)) setDistinct(batch[Number(r['i'])], r['d'])
    } else {
      const exprs = batch.map((c, i) => `count(DISTINCT ${c.q}) AS d${String(i)}`)
      const row = (await session.rows(`SELECT ${exprs.join(', ')} FROM ${t}`))[0] ?? {}
      batch.forEach((c, i) => {
        setDistinct(c, row[`d${String(i)}`])
      })
    }
  }
}

/**
 * Top-k values of columns not grouped already, once their distinct counts are known: everything
 * that is not a continuous number (and numbers with at most 20 values). Columns with few values
 * get exact value counts from one batched `histogram()` pass (keys turned to text after
 * counting); others a GROUP BY of their own.
 */
async function topValues(
  session: DuckSession,
  t: string,
  columns: readonly Col[],
  found: Found,
  topK: number,
): Promise<void> {
  const statsOf = (c: Col): Stats | undefined => found.stats.get(c.name)
  const wantTop = columns.filter((c) => {
    const s = statsOf(c)
    return s !== undefined && s.count > 0 && !(c.numeric && s.distinct > 20)
  })
  const few = wantTop.filter((c) => (statsOf(c)?.distinct ?? 0) <= 1000)
  const rank = (entries: TopValues): TopValues =>
    entries.sort((a, b) => b.count - a.count || cmpText(a.value, b.value)).slice(0, topK)
  for (const batch of chunks(few, BATCH)) {
    const exprs = batch.map((c, i) => `histogram(${groupExpr(c)}) AS t${String(i)}`)
    const cols = batch.map(
      (_, i) =>
        `map_keys(t${String(i)})::VARCHAR[] AS k${String(i)}, map_values(t${String(i)}) AS n${String(i)}`,
    )
    const row: Record<string, unknown> =
      (
        await session.rows(`SELECT ${cols.join(', ')} FROM (SELECT ${exprs.join(', ')} FROM ${t})`)
      )[0] ?? {}
    batch.forEach((c, i) => {
      const keys = listItems(row[`k${String(i)}`]) ?? []
      const counts = listItems(row[`n${String(i)}`]) ?? []
      found.tops.set(
        c.name,
        rank(keys.map((k, j) => ({ value: valueText(k), count: Number(counts[j]) }))),
      )
    })
  }
  const isFew = new Set(few)
  for (const c of wantTop.filter((x) => !isFew.has(x))) {
    const rows = await session.rows(
      `SELECT v::VARCHAR AS v, n FROM (SELECT ${groupExpr(c)} AS v, count(*) AS n FROM ${t} WHERE ${c.q} IS NOT NULL GROUP BY 1) ORDER BY 2 DESC, 1 LIMIT ${String(topK)}`,
    )
    found.tops.set(
      c.name,
      rows.map((r) => ({ value: valueText(r['v']), count: Number(r['n']) })),
    )
  }
}

/**
 * Values held per batch of the streamed pass (8 bytes each; two batches at a time): columns of a
 * large table go in batches.
 */
const STREAM_VALUES = 8 << 20

/** Largest magnitude below which every integer is a distinct double. */
const EXACT_INT = 2 ** 53

/**
 * Whether a numeric column's values are told apart exactly as doubles: floating columns, and
 * integer columns within ±2^53 (DECIMAL and 128-bit integers are counted by DuckDB).
 */
function doublesExactly(c: Col, s: Stats | undefined): boolean {
  if (FLOATING.test(c.type)) return true
  if (!INTEGER.test(c.type) || /HUGEINT/.test(c.type)) return false
  return (
    typeof s?.min === 'number' &&
    typeof s.max === 'number' &&
    Math.abs(s.min) < EXACT_INT &&
    Math.abs(s.max) < EXACT_INT
  )
}

/**
 * The values of column `j` of a chunk of DOUBLE columns without NULLs. The node API keeps them
 * in a Float64Array over DuckDB's vector (read without a copy where it is there; value by value
 * otherwise).
 */
function chunkDoubles(chunk: DuckDBDataChunk, j: number): Float64Array {
  const vector = chunk.getColumnVector(j)
  const items = (vector as unknown as { items?: unknown }).items
  if (items instanceof Float64Array && items.length === chunk.rowCount) return items
  const out = new Float64Array(chunk.rowCount)
  for (let i = 0; i < out.length; i++) {
    const v = vector.getItem(i)
    out[i] = typeof v === 'number' ? v : Number.NaN
  }
  return out
}

/** Numeric columns whose values the streamed pass reads as doubles without loss of bounds. */
const streamable = (c: Col): boolean =>
  c.type === 'DOUBLE' || (INTEGER.test(c.type) && !/HUGEINT/.test(c.type))

/**
 * Count, bounds, mean, sample standard deviation, equal-width histogram and exact distinct count
 * of numeric columns, from one streamed pass over them as doubles (missing and non-finite values
 * as NaN, skipped), a batch of columns at a time so that at most twice `STREAM_VALUES` are held.
 */
async function streamedStats(
  session: DuckSession,
  t: string,
  columns: readonly Col[],
  found: Found,
  opts: { bins: number; rowCount: number },
): Promise<void> {
  if (columns.length === 0) return
  const perPass = Math.max(1, Math.floor(STREAM_VALUES / Math.max(1, opts.rowCount)))
  const batches = chunks(columns, perPass)
  // Two sets of slots: while one batch's summaries are computed (partly on a helper thread), the
  // next batch streams into the other set.
  const sets = Math.min(2, batches.length)
  const stats = createColumnStats(
    opts.rowCount,
    sets * Math.min(perPass, columns.length),
    opts.bins,
  )
  const pending: Promise<void>[][] = [[], []]
  // Waits for summaries, doing queued summary work meanwhile rather than idling.
  const settle = async (summaries: readonly Promise<void>[]): Promise<void> => {
    const state = { done: false }
    const settled = all(summaries).finally(() => {
      state.done = true
    })
    while (!state.done && stats.helpOnce()) await new Promise((resolve) => setImmediate(resolve))
    await settled
  }
  try {
    for (const [index, batch] of batches.entries()) {
      const set = index % 2
      const base = set * perPass
      await settle(pending[set] ?? [])
      batch.forEach((_, j) => {
        stats.clear(base + j)
      })
      const select = batch.map((c) => `coalesce(${quoteIdent(c.name)}::DOUBLE, 'NaN'::DOUBLE)`)
      const result = await session.connection.stream(`SELECT ${select.join(', ')} FROM ${t}`)
      // The next chunk is asked for before this one is copied: DuckDB makes it meanwhile.
      let next = result.fetchChunk()
      for (;;) {
        const chunk = await next
        if (chunk === null || chunk.rowCount === 0) break
        next = result.fetchChunk()
        for (let j = 0; j < batch.length; j++) stats.add(base + j, chunkDoubles(chunk, j))
      }
      const summaries = batch.map(async (c, j) => {
        const s = await stats.summary(base + j)
        found.stats.set(c.name, {
          ...emptyStats(),
          count: s.count,
          min: s.min,
          max: s.max,
          mean: s.mean,
          std: s.std,
          distinct: s.distinct,
        })
        if (s.histogram !== undefined) found.hist.set(c.name, s.histogram)
      })
      // Awaited later: marked handled now, so a failure is not reported as unhandled meanwhile.
      for (const p of summaries) p.catch(() => undefined)
      pending[set] = summaries
    }
    await settle(pending.flat())
  } finally {
    stats.close()
  }
}

/**
 * Equal-width histograms of numeric columns with finite bounds, all in one pass per batch.
 * DuckDB's `histogram(x, boundaries)` puts x in the first bucket whose boundary is ≥ x, so on −x
 * with boundaries −edges[bins−1] … −edges[1] bucket −edges[i] holds edges[i] ≤ x < edges[i+1]
 * (the last bin takes everything from edges[bins−1] up, the overflow bucket below edges[1]).
 */
async function histograms(
  session: DuckSession,
  t: string,
  numericCols: readonly Col[],
  found: Found,
  bins: number,
): Promise<void> {
  for (const batch of chunks(numericCols, BATCH)) {
    const edges = batch.map((c) => edgesOf(found.stats.get(c.name), bins))
    const exprs = batch.map((c, i) => {
      const inner = (edges[i] ?? []).slice(1, bins).reverse()
      return inner.length === 0
        ? `count(${c.q}) AS h${String(i)}`
        : `histogram(-(${c.q}::DOUBLE), [${inner.map((e) => doubleLiteral(-e)).join(', ')}]) AS h${String(i)}`
    })
    const row: Record<string, unknown> =
      (await session.rows(`SELECT ${exprs.join(', ')} FROM ${t}`))[0] ?? {}
    batch.forEach((c, i) => {
      const e = edges[i] ?? []
      const counts = new Array<number>(bins).fill(0)
      const value = row[`h${String(i)}`]
      if (bins === 1) counts[0] = Number(value ?? 0)
      else {
        // Bucket −edges[b] is bin b; edges may repeat when the range is a few ulps wide, and then
        // the highest bin with that edge is the one DuckDB fills.
        const bucketBin = new Map<number, number>()
        for (let b = 1; b < bins; b++) bucketBin.set(-(e[b] ?? 0), b)
        for (const [key, n] of mapEntries(value)) {
          // The overflow bucket's key is +∞ (the largest DOUBLE): values below edges[1].
          const k = Number(key)
          const b = key === null || k === Number.POSITIVE_INFINITY ? 0 : bucketBin.get(k)
          if (b !== undefined) counts[b] = (counts[b] ?? 0) + Number(n)
        }
      }
      found.hist.set(c.name, { edges: e, counts })
    })
  }
}

/** The rows of the sample: all of them, or above `sampleRows` a hash of the row id picks. */
function sampleWhere(rowCount: number, sampleRows: number): string {
  return rowCount > sampleRows
    ? ` WHERE hash(rowid) % 1000000 < ${String(Math.max(1, Math.round((1_000_000 * sampleRows) / rowCount)))}`
    : ''
}

/** The sample rows of one batch of numeric columns. */
interface SampleBatch {
  readonly rows: number
  readonly columns: readonly SampleColumn[]
}

/**
 * Reads the sample of numeric `columns` as doubles (NULL as NaN, so every column comes out
 * without a per-value read), then marks NaN as missing where there is any.
 */
async function readSample(
  session: DuckSession,
  t: string,
  columns: readonly Col[],
  where: string,
): Promise<SampleBatch> {
  const select = columns.map((c) => `coalesce(${c.q}::DOUBLE, 'NaN'::DOUBLE)`)
  const sample = await readDoubles(
    session,
    `SELECT ${select.join(', ')} FROM ${t}${where}`,
    columns.length,
  )
  return {
    rows: sample.rows,
    columns: sample.columns.map((values) => {
      let missing = false
      for (let i = 0; i < values.length && !missing; i++) missing = Number.isNaN(values[i])
      if (!missing) return { values }
      return { values, valid: Uint8Array.from(values, (x) => (Number.isNaN(x) ? 0 : 1)) }
    }),
  }
}

/** A sample batch with its quantiles and, for a batch of few columns, their correlations. */
interface SampleFindings {
  readonly sample: SampleBatch
  /** Per column of the batch. */
  readonly quantiles: readonly (number | null)[][]
  /**
   * Pearson correlations between all the batch's columns (null where one does not vary in the
   * sample); absent above `maxCorrelationColumns` columns.
   */
  readonly matrix?: readonly (readonly (number | null)[])[]
}

/**
 * Works out a sample batch's quantiles and correlations as soon as it is read: they need no
 * other statistic, so the first batch's are done while the streamed pass runs (yielding between
 * columns so that it keeps going). Correlations are computed for every column; the ones that do
 * not vary over all rows are dropped afterwards (each pair is computed on its own, so the
 * numbers are those of the smaller matrix).
 */
async function sampleFindings(
  sample: SampleBatch,
  maxCorrelationColumns: number,
): Promise<SampleFindings> {
  const quantilesOf = createSampleQuantiles(sample.rows)
  const quantiles: (number | null)[][] = []
  for (const col of sample.columns) {
    quantiles.push(quantilesOf(col, PROFILE_QUANTILES))
    await new Promise((resolve) => setImmediate(resolve))
  }
  const k = sample.columns.length
  const matrix = k >= 2 && k <= maxCorrelationColumns ? pearsonMatrix(sample.columns) : undefined
  return { sample, quantiles, ...(matrix === undefined ? {} : { matrix }) }
}

/**
 * Quantiles of every numeric column and the correlation matrix of the numeric columns that vary
 * (at most `maxCorrelationColumns`), from the rows or, above `sampleRows` rows, a sample chosen
 * by a hash of the row id: deterministic for the same data, unlike a seeded reservoir under
 * several threads. DuckDB selects the rows; the arithmetic happens here (see sample-stats.ts).
 * `first` has the first batch of columns (read and worked out while the other passes ran);
 * `momentsReady` settles once every column's standard deviation is known.
 */
async function sampleStats(
  session: DuckSession,
  t: string,
  columns: readonly Col[],
  numericCols: readonly Col[],
  statsOf: (c: Col) => Stats | undefined,
  opts: { rowCount: number; sampleRows: number; maxCorrelationColumns: number },
  first: Promise<SampleFindings> | undefined,
  momentsReady: Promise<void>,
): Promise<{ rows: number; correlations?: DatasetProfile['correlations'] }> {
  const where = sampleWhere(opts.rowCount, opts.sampleRows)
  // Which columns vary is known once every standard deviation is.
  await momentsReady
  const corrCols = numericCols.filter((c) => (statsOf(c)?.std ?? 0) > 0)
  const correlate = corrCols.length >= 2 && corrCols.length <= opts.maxCorrelationColumns
  const correlated = new Set(corrCols)
  const kept = new Map<string, SampleColumn>()
  let rows = where === '' ? opts.rowCount : -1
  let firstBatch: { columns: readonly Col[]; findings: SampleFindings } | undefined
  for (const [index, batch] of chunks(
    columns.filter((c) => c.numeric),
    BATCH,
  ).entries()) {
    const findings = await (index === 0 && first !== undefined
      ? first
      : // Later batches need no matrix of their own: their columns are kept for the one below.
        readSample(session, t, batch, where).then((sample) => sampleFindings(sample, 0)))
    if (index === 0) firstBatch = { columns: batch, findings }
    rows = findings.sample.rows
    batch.forEach((c, j) => {
      const col = findings.sample.columns[j]
      const s = statsOf(c)
      if (col === undefined || s === undefined) return
      s.quantiles = findings.quantiles[j] ?? null
      if (correlate && correlated.has(c)) kept.set(c.name, col)
    })
    // Yield between batches, so a wide table does not hold the event loop.
    await new Promise((resolve) => setImmediate(resolve))
  }
  if (rows < 0) {
    const n = await session.rows(`SELECT count(*) AS n FROM ${t}${where}`)
    rows = Number(n[0]?.['n'] ?? 0)
  }
  if (!correlate) return { rows }
  const names = corrCols.map((c) => c.name)
  // The first batch's matrix, cut down to the columns that vary, when it holds them all.
  const whole = firstBatch?.findings.matrix
  const at = corrCols.map((c) => firstBatch?.columns.indexOf(c) ?? -1)
  if (whole !== undefined && at.every((i) => i >= 0)) {
    const matrix = at.map((i) => at.map((j) => whole[i]?.[j] ?? null))
    return { rows, correlations: { columns: names, matrix } }
  }
  const matrix = pearsonMatrix(
    corrCols.map((c) => kept.get(c.name) ?? { values: new Float64Array(0) }),
  )
  return { rows, correlations: { columns: names, matrix } }
}

/** Runs a query of DOUBLE columns without NULLs and copies them out chunk by chunk. */
async function readDoubles(
  session: DuckSession,
  sql: string,
  width: number,
): Promise<{ rows: number; columns: Float64Array[] }> {
  const result = await session.connection.run(sql)
  const n = result.rowCount
  const columns = Array.from({ length: width }, () => new Float64Array(n))
  let at = 0
  for (let k = 0; k < result.chunkCount; k++) {
    const chunk = result.getChunk(k)
    columns.forEach((out, j) => {
      out.set(chunkDoubles(chunk, j), at)
    })
    at += chunk.rowCount
  }
  return { rows: n, columns }
}

const isNumericProfile = (p: ColumnProfile): boolean =>
  p.semanticType === 'numeric' || p.semanticType === 'id'

async function associate(
  session: DuckSession,
  t: string,
  target: string,
  profiles: readonly ColumnProfile[],
): Promise<DatasetProfile['target']> {
  const tp = profiles.find((p) => p.name === target)
  if (tp === undefined) return undefined
  const y = quoteIdent(target)
  const out: Association[] = []
  for (const p of profiles) {
    if (p.name === target) continue
    const x = quoteIdent(p.name)
    const xNum = isNumericProfile(p) && p.storageType !== 'VARCHAR'
    const yNum = isNumericProfile(tp) && tp.storageType !== 'VARCHAR'
    if (xNum && yNum) {
      const r = await session.rows(`SELECT corr(${x}::DOUBLE, ${y}::DOUBLE) AS r FROM ${t}`)
      out.push({ column: p.name, measure: 'pearson', value: num(r[0]?.['r']) })
    } else if (xNum !== yNum) {
      // Correlation ratio η: share of the numeric variance explained by the categories.
      const [n, c] = xNum ? [x, y] : [y, x]
      const r = await session.rows(
        `WITH d AS (SELECT ${n}::DOUBLE AS v, ${c}::VARCHAR AS g FROM ${t} WHERE ${n} IS NOT NULL AND ${c} IS NOT NULL),
              m AS (SELECT avg(v) AS mu FROM d),
              g AS (SELECT count(*) AS k, avg(v) AS mg FROM d GROUP BY g)
         SELECT sqrt((SELECT sum(k * (mg - mu) * (mg - mu)) FROM g, m) / NULLIF((SELECT sum((v - mu) * (v - mu)) FROM d, m), 0)) AS eta`,
      )
      out.push({ column: p.name, measure: 'correlation_ratio', value: num(r[0]?.['eta']) })
    } else {
      // Cramér's V from the contingency table's chi-squared statistic.
      const r = await session.rows(
        `WITH d AS (SELECT ${x}::VARCHAR AS a, ${y}::VARCHAR AS b FROM ${t} WHERE ${x} IS NOT NULL AND ${y} IS NOT NULL),
              n AS (SELECT count(*) AS n FROM d),
              ra AS (SELECT a, count(*) AS na FROM d GROUP BY a),
              rb AS (SELECT b, count(*) AS nb FROM d GROUP BY b),
              o AS (SELECT a, b, count(*) AS nab FROM d GROUP BY a, b),
              e AS (SELECT ra.a, rb.b, ra.na * rb.nb / n.n AS exp, coalesce(o.nab, 0) AS obs FROM ra CROSS JOIN rb CROSS JOIN n LEFT JOIN o ON o.a = ra.a AND o.b = rb.b)
         SELECT sqrt((SELECT sum((obs - exp) * (obs - exp) / exp) FROM e) / NULLIF((SELECT n FROM n) * (LEAST((SELECT count(*) FROM ra), (SELECT count(*) FROM rb)) - 1), 0)) AS v`,
      )
      out.push({ column: p.name, measure: 'cramers_v', value: num(r[0]?.['v']) })
    }
  }
  return { name: target, associations: out }
}
