import { z } from 'zod'

import { validationErrorFromIssues } from '../../core/index.js'
import { quoteIdent, valueText, type DuckSession } from '../engine/duckdb-session.js'
import type { ColumnProfile, DatasetProfile, SemanticType } from '../engine/profile.js'

/** Categorical and boolean columns with at most this many distinct values get a `domain`. */
export const MAX_DOMAIN_SIZE = 100

/** The numeric range a column's values must fall in (inclusive). */
export interface ValueRange {
  readonly min: number
  readonly max: number
}

/** What one column must look like (TFDV's `Feature`, reduced to what Plinth checks). */
export interface ColumnSchema {
  readonly name: string
  /** Storage (DuckDB/Parquet) type, e.g. DOUBLE, BIGINT, VARCHAR. Compared by family. */
  readonly type: string
  readonly semanticType: SemanticType
  /** The column must exist. */
  readonly required: boolean
  /** Missing values are allowed at all. */
  readonly nullable: boolean
  /** Fraction of rows (0–1) that must have a value. */
  readonly minPresence: number
  /** For numeric columns: inclusive bounds. */
  readonly range?: ValueRange
  /** For categorical and boolean columns with ≤ 100 values: the values allowed (as text). */
  readonly domain?: readonly string[]
}

/** A saved, user-editable description of what a dataset's batches must look like. */
export interface DatasetSchema {
  readonly version: 1
  readonly columns: readonly ColumnSchema[]
}

const SEMANTIC_TYPES = ['numeric', 'categorical', 'boolean', 'datetime', 'text', 'id'] as const

const columnSchemaZod = z
  .strictObject({
    name: z.string().min(1).max(256),
    type: z.string().min(1).max(128),
    semanticType: z.enum(SEMANTIC_TYPES),
    required: z.boolean(),
    nullable: z.boolean(),
    minPresence: z.number().min(0).max(1),
    range: z.strictObject({ min: z.number(), max: z.number() }).optional(),
    domain: z.array(z.string().max(1000)).max(MAX_DOMAIN_SIZE).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.range !== undefined && c.range.min > c.range.max) {
      ctx.addIssue({ code: 'custom', path: ['range'], message: 'min must be ≤ max' })
    }
    if (c.domain !== undefined && new Set(c.domain).size !== c.domain.length) {
      ctx.addIssue({ code: 'custom', path: ['domain'], message: 'values must be unique' })
    }
  })

/**
 * The zod schema of {@link DatasetSchema}, for JSON a user edited. Unknown keys are rejected so a
 * misspelt field (`minPresense`) is an error rather than silently ignored.
 */
export const datasetSchemaZod = z
  .strictObject({
    version: z.literal(1),
    columns: z.array(columnSchemaZod).max(10_000),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>()
    s.columns.forEach((c, i) => {
      if (seen.has(c.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['columns', i, 'name'],
          message: `duplicate column '${c.name}'`,
        })
      }
      seen.add(c.name)
    })
  })

/**
 * Parses and checks a schema (e.g. edited JSON). Throws a `ValidationError` listing every bad
 * field with its path (`columns.2.minPresence`).
 */
export function parseDatasetSchema(input: unknown): DatasetSchema {
  const r = datasetSchemaZod.safeParse(input)
  if (!r.success) throw validationErrorFromIssues('invalid dataset schema', r.error.issues)
  // Rebuilt field by field: zod's optional output is `T | undefined`, which
  // exactOptionalPropertyTypes keeps apart from an absent key.
  return {
    version: 1,
    columns: r.data.columns.map((c) => ({
      name: c.name,
      type: c.type,
      semanticType: c.semanticType,
      required: c.required,
      nullable: c.nullable,
      minPresence: c.minPresence,
      ...(c.range === undefined ? {} : { range: { min: c.range.min, max: c.range.max } }),
      ...(c.domain === undefined ? {} : { domain: [...c.domain] }),
    })),
  }
}

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/
const FLOAT = /^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/
const TEMPORAL = /^(DATE|TIMESTAMP.*|TIME.*|INTERVAL)$/

/** A type family: what `type_changed` compares, so BIGINT batches fit a DOUBLE schema. */
export type TypeFamily = 'numeric' | 'string' | 'boolean' | 'temporal' | 'other'

/**
 * The family of a storage type. Integers and floats are one family: a CSV batch whose values
 * happen to be whole numbers is read as BIGINT, and that is not a type change.
 */
export function typeFamily(storageType: string): TypeFamily {
  const t = storageType.toUpperCase()
  if (INTEGER.test(t) || FLOAT.test(t)) return 'numeric'
  if (t === 'VARCHAR' || t.startsWith('VARCHAR(') || t === 'TEXT') return 'string'
  if (t === 'BOOLEAN') return 'boolean'
  if (TEMPORAL.test(t)) return 'temporal'
  return 'other'
}

/**
 * Builds a schema column from a profile column alone (no data access), given the full domain
 * when one was read. Pure; exported for tests.
 *
 * - `required` is always true; `nullable` is true when the profile saw a missing value;
 *   `minPresence` is 1 for a column that was always present, else 0 (TFDV's inference).
 * - `range` is the observed [min, max] of numeric columns.
 * - `domain` is the given distinct values of categorical and boolean columns.
 *
 * @internal
 */
export function columnSchemaFromProfile(
  p: ColumnProfile,
  domain: readonly string[] | undefined,
): ColumnSchema {
  const numeric = p.semanticType === 'numeric' && typeFamily(p.storageType) === 'numeric'
  return {
    name: p.name,
    type: p.storageType,
    semanticType: p.semanticType,
    required: true,
    nullable: p.missing > 0,
    minPresence: p.missing > 0 ? 0 : 1,
    ...(numeric && typeof p.min === 'number' && typeof p.max === 'number'
      ? { range: { min: p.min, max: p.max } }
      : {}),
    ...(domain === undefined ? {} : { domain: [...domain] }),
  }
}

/** Whether a profiled column gets a domain when a schema is inferred. */
export function wantsDomain(p: ColumnProfile): boolean {
  return (
    (p.semanticType === 'categorical' || p.semanticType === 'boolean') &&
    p.count > 0 &&
    p.distinct <= MAX_DOMAIN_SIZE
  )
}

/**
 * Infers a schema from the session's table `table` and its stored profile.
 *
 * ## Method
 * Types, presence and ranges come from the profile. Domains of categorical and boolean columns
 * with ≤ {@link MAX_DOMAIN_SIZE} distinct values are read in full with SQL (`SELECT DISTINCT`),
 * not from the profile's top-k, so rare but valid values are not flagged later. A column whose
 * exact distinct count turns out above the limit (the profile's count may be an estimate) gets
 * no domain.
 *
 * ## References
 * - TensorFlow Data Validation, `infer_schema` (presence, domains); `schema.proto`.
 */
export async function inferSchema(
  session: DuckSession,
  table: string,
  profile: DatasetProfile,
): Promise<DatasetSchema> {
  const t = quoteIdent(table)
  const columns: ColumnSchema[] = []
  for (const p of profile.columns) {
    let domain: string[] | undefined
    if (wantsDomain(p)) {
      const q = quoteIdent(p.name)
      const rows = await session.rows(
        `SELECT DISTINCT ${q}::VARCHAR AS v FROM ${t} WHERE ${q} IS NOT NULL ORDER BY 1 LIMIT ${String(MAX_DOMAIN_SIZE + 1)}`,
      )
      if (rows.length <= MAX_DOMAIN_SIZE) domain = rows.map((r) => valueText(r['v']))
    }
    columns.push(columnSchemaFromProfile(p, domain))
  }
  return { version: 1, columns }
}
