import { PlatformError } from '../../core/index.js'
import { quoteIdent, quoteLiteral, valueText, type DuckSession } from '../engine/duckdb-session.js'
import type { ColumnProfile, DatasetProfile } from '../engine/profile.js'
import {
  DEFAULT_DRIFT_THRESHOLDS,
  chooseDriftMethod,
  scoreCategorical,
  scoreLInfinity,
  scoreNumeric,
  type DriftColumnType,
  type DriftMethod,
  type DriftResult,
  type DriftScore,
  type DriftThresholds,
} from './drift.js'
import { typeFamily, type ColumnSchema, type DatasetSchema } from './schema.js'

/** What kind of problem an anomaly is. */
export type AnomalyKind =
  | 'missing_column'
  | 'extra_column'
  | 'type_changed'
  | 'unexpected_nulls'
  | 'out_of_range'
  | 'unseen_category'
  | 'distribution_shift'

interface AnomalyBase {
  readonly column: string
  /** One line for people. */
  readonly message: string
}

/** One way a batch differs from its schema or reference. */
export type Anomaly =
  | (AnomalyBase & { readonly kind: 'missing_column' })
  | (AnomalyBase & { readonly kind: 'extra_column'; readonly type: string })
  | (AnomalyBase & {
      readonly kind: 'type_changed'
      readonly expected: string
      readonly actual: string
    })
  | (AnomalyBase & {
      readonly kind: 'unexpected_nulls'
      readonly nullCount: number
      readonly presence: number
      readonly minPresence: number
      readonly nullable: boolean
    })
  | (AnomalyBase & {
      readonly kind: 'out_of_range'
      readonly count: number
      readonly min: number
      readonly max: number
      /** A few offending values, most extreme first. */
      readonly examples: readonly number[]
    })
  | (AnomalyBase & {
      readonly kind: 'unseen_category'
      readonly count: number
      /** The most frequent values outside the domain, with their counts. */
      readonly examples: readonly { readonly value: string; readonly count: number }[]
    })
  | (AnomalyBase & {
      readonly kind: 'distribution_shift'
      readonly method: DriftMethod
      readonly score: number
      readonly threshold: number
    })

/** The outcome of validating a batch. */
export interface AnomalyReport {
  /** No anomalies. */
  readonly ok: boolean
  readonly rowCount: number
  readonly anomalies: readonly Anomaly[]
  /** Per-column drift against the reference; empty without one. */
  readonly drift: readonly DriftResult[]
  /** Set when numeric drift statistics used a deterministic sample of this many values per side. */
  readonly sampling?: { readonly maxValues: number; readonly method: 'hash' }
}

/** What to validate a table against. */
export interface ValidateOptions {
  readonly schema?: DatasetSchema
  /** The session table and stored profile of the reference version, for drift. */
  readonly reference?: { readonly table: string; readonly profile: DatasetProfile }
  /** Overrides of {@link DEFAULT_DRIFT_THRESHOLDS}. */
  readonly thresholds?: Partial<DriftThresholds>
  /**
   * Numeric drift statistics (KS, Wasserstein) use at most this many values per side.
   * @default 100_000
   */
  readonly maxSampleValues?: number
}

const EXAMPLES = 5

interface TableColumn {
  readonly name: string
  readonly type: string
}

async function describe(session: DuckSession, table: string): Promise<TableColumn[]> {
  const rows = await session.rows(`DESCRIBE ${quoteIdent(table)}`)
  return rows.map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }))
}

async function countRows(session: DuckSession, table: string): Promise<number> {
  const r = await session.rows(`SELECT count(*) AS n FROM ${quoteIdent(table)}`)
  return Number(r[0]?.['n'] ?? 0)
}

const listLiteral = (xs: readonly string[]): string =>
  xs.length === 0 ? '[]::VARCHAR[]' : `[${xs.map(quoteLiteral).join(', ')}]`

/** Literal for a finite double (range bounds come from user JSON, checked finite by zod). */
function numberLiteral(x: number): string {
  if (!Number.isFinite(x))
    throw new PlatformError('INVALID_ARGUMENT', 'range bounds must be finite')
  return `${String(x)}::DOUBLE`
}

async function checkSchema(
  session: DuckSession,
  table: string,
  columns: readonly TableColumn[],
  rowCount: number,
  schema: DatasetSchema,
): Promise<Anomaly[]> {
  const t = quoteIdent(table)
  const anomalies: Anomaly[] = []
  const actual = new Map(columns.map((c) => [c.name, c]))
  const expected = new Set(schema.columns.map((c) => c.name))
  const present: { spec: ColumnSchema; type: string }[] = []
  for (const spec of schema.columns) {
    const col = actual.get(spec.name)
    if (col === undefined) {
      if (spec.required) {
        anomalies.push({
          kind: 'missing_column',
          column: spec.name,
          message: `required column '${spec.name}' is missing`,
        })
      }
      continue
    }
    if (typeFamily(col.type) !== typeFamily(spec.type)) {
      anomalies.push({
        kind: 'type_changed',
        column: spec.name,
        expected: spec.type,
        actual: col.type,
        message: `expected ${spec.type}, got ${col.type}`,
      })
    }
    present.push({ spec, type: col.type })
  }
  for (const c of columns) {
    if (!expected.has(c.name)) {
      anomalies.push({
        kind: 'extra_column',
        column: c.name,
        type: c.type,
        message: `column '${c.name}' (${c.type}) is not in the schema`,
      })
    }
  }

  // One aggregate pass: non-missing, out-of-range and out-of-domain counts of every column.
  const exprs: string[] = []
  present.forEach(({ spec, type }, i) => {
    const q = quoteIdent(spec.name)
    exprs.push(`count(${q}) AS n${String(i)}`)
    if (spec.range !== undefined && typeFamily(type) === 'numeric') {
      exprs.push(
        `count(*) FILTER (WHERE ${q}::DOUBLE < ${numberLiteral(spec.range.min)} OR ${q}::DOUBLE > ${numberLiteral(spec.range.max)}) AS r${String(i)}`,
      )
    }
    if (spec.domain !== undefined) {
      exprs.push(
        `count(*) FILTER (WHERE ${q} IS NOT NULL AND NOT list_contains(${listLiteral(spec.domain)}, ${q}::VARCHAR)) AS d${String(i)}`,
      )
    }
  })
  const agg =
    exprs.length === 0
      ? {}
      : ((await session.rows(`SELECT ${exprs.join(', ')} FROM ${t}`))[0] ?? {})

  for (const [i, { spec }] of present.entries()) {
    const q = quoteIdent(spec.name)
    const nonNull = Number(agg[`n${String(i)}`] ?? 0)
    const nulls = rowCount - nonNull
    const presence = rowCount === 0 ? 1 : nonNull / rowCount
    if ((nulls > 0 && !spec.nullable) || presence < spec.minPresence) {
      anomalies.push({
        kind: 'unexpected_nulls',
        column: spec.name,
        nullCount: nulls,
        presence,
        minPresence: spec.minPresence,
        nullable: spec.nullable,
        message: spec.nullable
          ? `present in ${(100 * presence).toFixed(1)}% of rows, below the required ${(100 * spec.minPresence).toFixed(1)}%`
          : `${String(nulls)} missing value(s) in a non-nullable column`,
      })
    }
    const outOfRange = Number(agg[`r${String(i)}`] ?? 0)
    if (outOfRange > 0 && spec.range !== undefined) {
      const { min, max } = spec.range
      const rows = await session.rows(
        `SELECT DISTINCT ${q}::DOUBLE AS v, abs(${q}::DOUBLE - ${numberLiteral((min + max) / 2)}) AS dist FROM ${t} WHERE ${q}::DOUBLE < ${numberLiteral(min)} OR ${q}::DOUBLE > ${numberLiteral(max)} ORDER BY dist DESC, v LIMIT ${String(EXAMPLES)}`,
      )
      anomalies.push({
        kind: 'out_of_range',
        column: spec.name,
        count: outOfRange,
        min,
        max,
        examples: rows.map((r) => Number(r['v'])),
        message: `${String(outOfRange)} value(s) outside [${String(min)}, ${String(max)}]`,
      })
    }
    const unseen = Number(agg[`d${String(i)}`] ?? 0)
    if (unseen > 0 && spec.domain !== undefined) {
      const rows = await session.rows(
        `SELECT ${q}::VARCHAR AS v, count(*) AS n FROM ${t} WHERE ${q} IS NOT NULL AND NOT list_contains(${listLiteral(spec.domain)}, ${q}::VARCHAR) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${String(EXAMPLES)}`,
      )
      const examples = rows.map((r) => ({ value: valueText(r['v']), count: Number(r['n']) }))
      anomalies.push({
        kind: 'unseen_category',
        column: spec.name,
        count: unseen,
        examples,
        message: `${String(unseen)} value(s) outside the domain, e.g. ${examples.map((e) => `'${e.value}'`).join(', ')}`,
      })
    }
  }
  return anomalies
}

/** How a reference column is compared, from its profile; undefined when it is not compared. */
function driftColumnType(p: ColumnProfile, currentType: string): DriftColumnType | undefined {
  if (p.semanticType === 'numeric') {
    const numeric = typeFamily(p.storageType) === 'numeric' && typeFamily(currentType) === 'numeric'
    return numeric ? 'numeric' : undefined
  }
  if (p.semanticType === 'categorical' || p.semanticType === 'boolean') return 'categorical'
  // Ids, free text and timestamps are not compared (Evidently skips or treats them specially).
  return undefined
}

/**
 * Numeric values of a column, at most `max` of them. Above `max` the sample is deterministic:
 * the rows with the smallest `hash(value, occurrence, 42)`, where `occurrence` numbers equal
 * values. Unlike `USING SAMPLE reservoir(…) REPEATABLE`, which DuckDB only repeats with one
 * thread, this picks the same multiset whatever the scan order or thread count.
 */
async function numericValues(
  session: DuckSession,
  table: string,
  column: string,
  max: number,
): Promise<{ values: Float64Array; sampled: boolean }> {
  const q = quoteIdent(column)
  const base = `SELECT ${q}::DOUBLE AS v FROM ${quoteIdent(table)} WHERE ${q} IS NOT NULL AND isfinite(${q}::DOUBLE)`
  const n = Number((await session.rows(`SELECT count(*) AS n FROM (${base})`))[0]?.['n'] ?? 0)
  const sampled = n > max
  const sql = sampled
    ? `SELECT v FROM (SELECT v, row_number() OVER (PARTITION BY v) AS k FROM (${base})) ORDER BY hash(v, k, 42) LIMIT ${String(max)}`
    : base
  const reader = await session.read(sql)
  const col = reader.getColumnsJS()[0] ?? []
  return { values: Float64Array.from(col, (x) => Number(x)), sampled }
}

async function valueCounts(
  session: DuckSession,
  table: string,
  column: string,
  numeric: boolean,
): Promise<Map<string, number>> {
  const q = quoteIdent(column)
  // Numbers are keyed by their DOUBLE text so 1 (BIGINT) and 1.0 (DOUBLE) are one category.
  const key = numeric ? `${q}::DOUBLE::VARCHAR` : `${q}::VARCHAR`
  const rows = await session.rows(
    `SELECT ${key} AS v, count(*) AS n FROM ${quoteIdent(table)} WHERE ${q} IS NOT NULL GROUP BY 1`,
  )
  return new Map(rows.map((r) => [valueText(r['v']), Number(r['n'])]))
}

async function distinctNumeric(
  session: DuckSession,
  ref: string,
  cur: string,
  column: string,
): Promise<number> {
  const q = quoteIdent(column)
  const r = await session.rows(
    `SELECT count(DISTINCT v) AS n FROM (SELECT ${q}::DOUBLE AS v FROM ${quoteIdent(ref)} UNION ALL SELECT ${q}::DOUBLE AS v FROM ${quoteIdent(cur)}) WHERE v IS NOT NULL AND isfinite(v)`,
  )
  return Number(r[0]?.['n'] ?? 0)
}

async function columnDrift(
  session: DuckSession,
  table: string,
  refTable: string,
  refRows: number,
  p: ColumnProfile,
  columnType: DriftColumnType,
  thresholds: DriftThresholds,
  maxValues: number,
): Promise<DriftResult[]> {
  const facts = (s: DriftScore, nUnique: number, rc: number, cc: number, sampled: boolean) => ({
    column: p.name,
    columnType,
    ...s,
    nUnique,
    referenceCount: rc,
    currentCount: cc,
    sampled,
  })
  if (columnType === 'numeric') {
    const nUnique = await distinctNumeric(session, refTable, table, p.name)
    const method = chooseDriftMethod('numeric', nUnique, refRows)
    if (method === 'ks' || method === 'wasserstein') {
      const ref = await numericValues(session, refTable, p.name, maxValues)
      const cur = await numericValues(session, table, p.name, maxValues)
      if (ref.values.length === 0 || cur.values.length === 0) return []
      const s = scoreNumeric(method, ref.values, cur.values, thresholds)
      return [facts(s, nUnique, ref.values.length, cur.values.length, ref.sampled || cur.sampled)]
    }
  }
  const numeric = columnType === 'numeric'
  const ref = await valueCounts(session, refTable, p.name, numeric)
  const cur = await valueCounts(session, table, p.name, numeric)
  const rc = [...ref.values()].reduce((a, b) => a + b, 0)
  const cc = [...cur.values()].reduce((a, b) => a + b, 0)
  if (rc === 0 || cc === 0) return []
  const nUnique = new Set([...ref.keys(), ...cur.keys()]).size
  const method = chooseDriftMethod(columnType, nUnique, refRows)
  if (method === 'ks' || method === 'wasserstein') return [] // not reachable: > 5 unique numeric
  const out = [facts(scoreCategorical(method, ref, cur, thresholds), nUnique, rc, cc, false)]
  if (columnType === 'categorical') {
    out.push(facts(scoreLInfinity(ref, cur, thresholds), nUnique, rc, cc, false))
  }
  return out
}

/**
 * Validates the session's table `table` against a schema and/or a reference table.
 *
 * ## Method
 * Schema checks (TFDV anomalies): missing required columns, columns not in the schema, a change
 * of type family (numeric, string, boolean, temporal), missing values in a non-nullable column
 * or presence below `minPresence`, numbers outside `range`, values outside `domain` (counts and
 * the most frequent examples).
 *
 * Drift (Evidently's default stattests, `n_unique` over both tables, reference size = its rows):
 * numeric columns with > 5 values use KS (p < 0.05) when the reference has ≤ 1000 rows, else the
 * normed Wasserstein distance (≥ 0.1); numeric columns with 3–5 values and categorical columns
 * use χ² (p < 0.05) or Jensen–Shannon (≥ 0.1), and columns with ≤ 2 values the z-test (p < 0.05)
 * or Jensen–Shannon. Categorical and boolean columns also get TFDV's L∞ distance (≥ 0.01 by
 * default; see {@link DriftThresholds}). Columns the reference profile calls `id`, `text` or
 * `datetime` are not compared. Missing values are left out. KS and Wasserstein use at most
 * `maxSampleValues` values per side, sampled deterministically (`sampled: true`). Every drifted
 * result also becomes a `distribution_shift` anomaly.
 *
 * ## References
 * - Evidently `legacy/calculations/stattests/registry.py` (`_get_default_stattest`).
 * - TensorFlow Data Validation, `anomalies.proto` and `schema.proto` (drift/skew comparators).
 */
export async function validateTable(
  session: DuckSession,
  table: string,
  options: ValidateOptions = {},
): Promise<AnomalyReport> {
  const thresholds: DriftThresholds = { ...DEFAULT_DRIFT_THRESHOLDS, ...options.thresholds }
  const maxValues = options.maxSampleValues ?? 100_000
  const columns = await describe(session, table)
  const rowCount = await countRows(session, table)
  const anomalies: Anomaly[] =
    options.schema === undefined
      ? []
      : await checkSchema(session, table, columns, rowCount, options.schema)

  const drift: DriftResult[] = []
  const ref = options.reference
  if (ref !== undefined) {
    const refRows = await countRows(session, ref.table)
    const refColumns = new Set((await describe(session, ref.table)).map((c) => c.name))
    for (const c of columns) {
      const p = ref.profile.columns.find((x) => x.name === c.name)
      if (p === undefined || !refColumns.has(c.name)) continue
      const type = driftColumnType(p, c.type)
      if (type === undefined) continue
      drift.push(
        ...(await columnDrift(session, table, ref.table, refRows, p, type, thresholds, maxValues)),
      )
    }
  }
  for (const d of drift) {
    if (!d.drifted) continue
    anomalies.push({
      kind: 'distribution_shift',
      column: d.column,
      method: d.method,
      score: d.score,
      threshold: d.threshold,
      message:
        d.rule === 'p_value_below'
          ? `${d.method} p-value ${d.score.toPrecision(3)} < ${String(d.threshold)}`
          : `${d.method} distance ${d.score.toPrecision(3)} ≥ ${String(d.threshold)}`,
    })
  }
  return {
    ok: anomalies.length === 0,
    rowCount,
    anomalies,
    drift,
    ...(drift.some((d) => d.sampled) ? { sampling: { maxValues, method: 'hash' as const } } : {}),
  }
}
