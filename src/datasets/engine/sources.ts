import { stat } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { PlatformError, ValidationError, type ValidationIssue } from '../../core/index.js'
import { quoteIdent, quoteLiteral, valueText, type DuckSession } from './duckdb-session.js'

/** File formats Plinth ingests. */
export type FileFormat = 'csv' | 'tsv' | 'json' | 'ndjson' | 'parquet'
export const FILE_FORMATS: readonly FileFormat[] = ['csv', 'tsv', 'json', 'ndjson', 'parquet']

/** Where rows come from. */
export type SourceSpec =
  | { readonly kind: 'file'; readonly path: string; readonly format: FileFormat }
  | {
      readonly kind: 'postgres'
      readonly url: string
      readonly table: string
      readonly schema?: string
    }
  | { readonly kind: 'sqlite'; readonly path: string; readonly table: string }

/** Options for reading a source. */
export interface ReadOptions {
  /** Skip malformed rows (and count them) instead of failing. @default false */
  readonly skipBadRows?: boolean
  /** Character encoding of text files: utf-8, utf-16 or latin-1. @default 'utf-8' */
  readonly encoding?: 'utf-8' | 'utf-16' | 'latin-1'
}

/** A row the reader refused, with where it was. */
export interface RejectedRow {
  readonly line: number
  readonly column: string | null
  readonly error: string
}

/** What reading a source into the session's `src` table produced. */
export interface LoadResult {
  readonly rejected: readonly RejectedRow[]
  readonly rejectedCount: number
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/

function bad(message: string, issues: ValidationIssue[] = []): ValidationError {
  return new ValidationError(message, issues)
}

function formatOf(file: string): FileFormat | undefined {
  const ext = path.extname(file).toLowerCase().replace(/^\./, '')
  if (ext === 'csv' || ext === 'txt') return 'csv'
  if (ext === 'tsv' || ext === 'tab') return 'tsv'
  if (ext === 'json') return 'json'
  if (ext === 'ndjson' || ext === 'jsonl') return 'ndjson'
  if (ext === 'parquet' || ext === 'pq') return 'parquet'
  return undefined
}

function tableParam(u: URL, field: string): { table: string; schema?: string } {
  const table = u.searchParams.get('table')
  if (table === null || !IDENT.test(table)) {
    throw bad(`${field} needs ?table=<name> (letters, digits, _)`, [
      { path: ['source', 'table'], code: 'invalid_format', message: 'expected a table name' },
    ])
  }
  const schema = u.searchParams.get('schema') ?? undefined
  if (schema !== undefined && !IDENT.test(schema)) {
    throw bad('invalid schema name', [
      { path: ['source', 'schema'], code: 'invalid_format', message: 'expected a schema name' },
    ])
  }
  return schema === undefined ? { table } : { table, schema }
}

/**
 * Parses what the user named: a file path (or `file://` URL), `postgres://…?table=name[&schema=s]`
 * or `sqlite://<path>?table=name`. The format of a file comes from `format` or its extension.
 */
export function parseSource(
  uri: string,
  options: { readonly cwd: string; readonly format?: FileFormat },
): SourceSpec {
  if (uri.startsWith('postgres://') || uri.startsWith('postgresql://')) {
    const u = new URL(uri)
    const { table, schema } = tableParam(u, 'a postgres:// source')
    u.searchParams.delete('table')
    u.searchParams.delete('schema')
    return {
      kind: 'postgres',
      url: u.toString(),
      table,
      ...(schema === undefined ? {} : { schema }),
    }
  }
  if (uri.startsWith('sqlite://') || uri.startsWith('sqlite:')) {
    const rest = uri.replace(/^sqlite:(\/\/)?/, '')
    const q = rest.indexOf('?')
    const file = q === -1 ? rest : rest.slice(0, q)
    const { table } = tableParam(
      new URL(`sqlite://x${q === -1 ? '' : rest.slice(q)}`),
      'a sqlite:// source',
    )
    return { kind: 'sqlite', path: path.resolve(options.cwd, file), table }
  }
  const file = uri.startsWith('file://') ? fileURLToPath(uri) : path.resolve(options.cwd, uri)
  const format = options.format ?? formatOf(file)
  if (format === undefined) {
    throw bad(
      `cannot tell the format of ${path.basename(file)}; pass --format (${FILE_FORMATS.join(', ')})`,
      [{ path: ['format'], code: 'required', message: 'unknown file extension' }],
    )
  }
  return { kind: 'file', path: file, format }
}

/** A short, secret-free description of the source for lineage. */
export function describeSource(spec: SourceSpec): string {
  switch (spec.kind) {
    case 'file':
      return `file://${spec.path}`
    case 'sqlite':
      return `sqlite://${spec.path}?table=${spec.table}`
    case 'postgres': {
      const u = new URL(spec.url)
      u.password = ''
      return `${u.protocol}//${u.username === '' ? '' : `${u.username}@`}${u.host}${u.pathname}?table=${spec.table}${spec.schema === undefined ? '' : `&schema=${spec.schema}`}`
    }
  }
}

/** Maps DuckDB's read errors to messages a user can act on. */
function toReadError(err: unknown, file: string): PlatformError {
  const message = err instanceof Error ? err.message : String(err)
  const base = path.basename(file)
  if (/Invalid unicode|invalid UTF-8|byte sequence/i.test(message)) {
    return new ValidationError(`${base} is not valid UTF-8; pass --encoding latin-1 or utf-16`, [
      { path: ['encoding'], code: 'invalid_encoding', message: message.split('\n')[0] ?? message },
    ])
  }
  if (
    /No magic bytes|not a parquet file|Invalid Input Error|Parser Error|Malformed JSON|JSON/i.test(
      message,
    )
  ) {
    return new ValidationError(`could not read ${base}: ${message.split('\n')[0] ?? message}`, [
      { path: ['source'], code: 'invalid_file', message: message.split('\n')[0] ?? message },
    ])
  }
  return new PlatformError(
    'INVALID_ARGUMENT',
    `could not read ${base}: ${message.split('\n')[0] ?? message}`,
    {},
    { cause: err },
  )
}

async function readCsvHeader(
  session: DuckSession,
  file: string,
  delim: string | undefined,
  encoding: string,
): Promise<string[]> {
  const opts = [
    `header=false`,
    `all_varchar=true`,
    `encoding=${quoteLiteral(encoding)}`,
    ...(delim === undefined ? [] : [`delim=${quoteLiteral(delim)}`]),
  ]
  const rows = await session.rows(
    `SELECT * FROM read_csv(${quoteLiteral(file)}, ${opts.join(', ')}) LIMIT 1`,
  )
  const first = rows[0]
  return first === undefined ? [] : Object.values(first).map(valueText)
}

/** An issue for every column whose name repeats an earlier one. */
function duplicateNames(header: readonly string[]): ValidationIssue[] {
  const seen = new Map<string, number>()
  const dups: ValidationIssue[] = []
  header.forEach((name, i) => {
    const prev = seen.get(name)
    if (prev !== undefined)
      dups.push({
        path: ['columns', i],
        code: 'duplicate',
        message: `column ${String(i + 1)} repeats the name '${name}' of column ${String(prev + 1)}`,
      })
    else seen.set(name, i)
  })
  return dups
}

/**
 * Whether DuckDB may have renamed a repeated header name: it keeps the first and appends `_N` to
 * the others, so without a column named `<another column>_<digits>` (compared case-insensitively,
 * as DuckDB does) nothing was renamed and the header need not be read again.
 */
async function mayHaveRenamedColumns(session: DuckSession): Promise<boolean> {
  const cols = await session.rows('DESCRIBE src')
  const names = cols.map((c) => valueText(c['column_name']).toLowerCase())
  const all = new Set(names)
  return names.some((n) => {
    const m = /^(.*)_\d+$/s.exec(n)
    return m?.[1] !== undefined && all.has(m[1])
  })
}

/** Reads a file into the session's `src` table. */
async function loadFile(
  session: DuckSession,
  spec: Extract<SourceSpec, { kind: 'file' }>,
  options: ReadOptions,
): Promise<LoadResult> {
  const file = spec.path
  let size: number
  try {
    size = (await stat(file)).size
  } catch (err) {
    throw new PlatformError('NOT_FOUND', `no such file: ${file}`, { path: file }, { cause: err })
  }
  if (size === 0)
    throw bad(`${path.basename(file)} is empty`, [
      { path: ['source'], code: 'empty', message: 'the file has no bytes' },
    ])
  const f = quoteLiteral(file)
  const encoding = options.encoding ?? 'utf-8'
  try {
    switch (spec.format) {
      case 'csv':
      case 'tsv': {
        const delim = spec.format === 'tsv' ? '\t' : undefined
        const opts = [
          'header=true',
          `encoding=${quoteLiteral(encoding)}`,
          // Keep going past bad rows so every one can be reported with its line number.
          'store_rejects=true',
          "rejects_table='plinth_rejects'",
          "rejects_scan='plinth_rejects_scan'",
          ...(delim === undefined ? [] : [`delim=${quoteLiteral(delim)}`]),
        ]
        await session.run(`CREATE TABLE src AS SELECT * FROM read_csv(${f}, ${opts.join(', ')})`)
        if (await mayHaveRenamedColumns(session)) {
          const dups = duplicateNames(await readCsvHeader(session, file, delim, encoding))
          if (dups.length > 0) throw bad(`${path.basename(file)} has duplicate column names`, dups)
        }
        // A column of numbers with a few stray words is read as text; re-read it as numbers so
        // the stray values become rejects with their line numbers, like any malformed row.
        const mixed = await mixedNumericColumns(session)
        if (mixed.length > 0) {
          const types = `{${mixed.map((c) => `${quoteLiteral(c)}: 'DOUBLE'`).join(', ')}}`
          await session.run('DROP TABLE src')
          await session.run('DROP TABLE plinth_rejects')
          await session.run('DROP TABLE plinth_rejects_scan')
          await session.run(
            `CREATE TABLE src AS SELECT * FROM read_csv(${f}, ${opts.join(', ')}, types=${types})`,
          )
        }
        const rejects = await session.rows(
          'SELECT line, column_name, error_message FROM plinth_rejects ORDER BY line LIMIT 1000',
        )
        const count = await session.rows('SELECT count(*) AS n FROM plinth_rejects')
        const rejected = rejects.map((r) => ({
          line: Number(r['line']),
          column: r['column_name'] === null ? null : valueText(r['column_name']),
          error: valueText(r['error_message']).split('\n')[0] ?? '',
        }))
        return { rejected, rejectedCount: Number(count[0]?.['n'] ?? 0) }
      }
      case 'json':
      case 'ndjson': {
        const format = spec.format === 'ndjson' ? 'newline_delimited' : 'auto'
        await session.run(
          `CREATE TABLE src AS SELECT * FROM read_json(${f}, format=${quoteLiteral(format)}, sample_size=-1)`,
        )
        return { rejected: [], rejectedCount: 0 }
      }
      case 'parquet':
        await session.run(`CREATE TABLE src AS SELECT * FROM read_parquet(${f})`)
        return { rejected: [], rejectedCount: 0 }
    }
  } catch (err) {
    if (err instanceof PlatformError) throw err
    throw toReadError(err, file)
  }
}

/**
 * Text columns whose values are mostly numbers (≥ 80% of at least 5 values): almost certainly a
 * numeric column with bad entries, not a text column.
 */
async function mixedNumericColumns(session: DuckSession): Promise<string[]> {
  // DESCRIBE, not information_schema: a few ms instead of tens on a busy machine.
  const cols = await session.rows('DESCRIBE src')
  const names = cols
    .filter((c) => c['column_type'] === 'VARCHAR')
    .map((c) => valueText(c['column_name']))
  if (names.length === 0) return []
  const exprs = names.map(
    (n, i) =>
      `count(${quoteIdent(n)}) AS n${String(i)}, count(TRY_CAST(${quoteIdent(n)} AS DOUBLE)) AS k${String(i)}`,
  )
  const row: Record<string, unknown> =
    (await session.rows(`SELECT ${exprs.join(', ')} FROM src`))[0] ?? {}
  return names.filter((_, i) => {
    const n = Number(row[`n${String(i)}`] ?? 0)
    const k = Number(row[`k${String(i)}`] ?? 0)
    return k >= 5 && k < n && k >= 0.8 * n
  })
}

/** A SQL column type for values read from another database. */
type SqlType = 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'VARCHAR' | 'TIMESTAMP'

function inferType(values: readonly unknown[]): SqlType {
  let type: SqlType | undefined
  for (const v of values) {
    if (v === null || v === undefined) continue
    const t: SqlType =
      typeof v === 'boolean'
        ? 'BOOLEAN'
        : typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))
          ? 'BIGINT'
          : typeof v === 'number'
            ? 'DOUBLE'
            : v instanceof Date
              ? 'TIMESTAMP'
              : 'VARCHAR'
    if (type === undefined) type = t
    else if (type !== t)
      type =
        (type === 'BIGINT' && t === 'DOUBLE') || (type === 'DOUBLE' && t === 'BIGINT')
          ? 'DOUBLE'
          : 'VARCHAR'
  }
  return type ?? 'VARCHAR'
}

/** Loads rows that another driver produced into `src` through the appender. */
async function appendRows(
  session: DuckSession,
  names: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  const types = names.map((_, j) => inferType(rows.map((r) => r[j])))
  await session.run(
    `CREATE TABLE src (${names.map((n, j) => `${quoteIdent(n)} ${types[j] ?? 'VARCHAR'}`).join(', ')})`,
  )
  const appender = await session.connection.createAppender('src')
  try {
    for (const row of rows) {
      for (let j = 0; j < names.length; j++) {
        const v = row[j]
        const t = types[j]
        if (v === null || v === undefined) appender.appendNull()
        else if (t === 'BIGINT')
          appender.appendBigInt(BigInt(typeof v === 'bigint' ? v : Math.trunc(Number(v))))
        else if (t === 'DOUBLE') appender.appendDouble(Number(v))
        else if (t === 'BOOLEAN') appender.appendBoolean(Boolean(v))
        else if (t === 'TIMESTAMP' && v instanceof Date) appender.appendVarchar(v.toISOString())
        else appender.appendVarchar(typeof v === 'string' ? v : JSON.stringify(v))
      }
      appender.endRow()
    }
    appender.flushSync()
  } finally {
    appender.closeSync()
  }
}

async function loadSqlite(
  session: DuckSession,
  spec: Extract<SourceSpec, { kind: 'sqlite' }>,
): Promise<LoadResult> {
  const sqlite = await import('better-sqlite3')
  let db
  try {
    db = new sqlite.default(spec.path, { readonly: true, fileMustExist: true })
  } catch (err) {
    throw new PlatformError(
      'NOT_FOUND',
      `cannot open SQLite database ${spec.path}`,
      {},
      { cause: err },
    )
  }
  try {
    const stmt = db.prepare(`SELECT * FROM ${quoteIdent(spec.table)}`).raw(true)
    const names = stmt.columns().map((c) => c.name)
    const rows = stmt.all() as unknown[][]
    await appendRows(session, names, rows)
    return { rejected: [], rejectedCount: 0 }
  } catch (err) {
    if (err instanceof PlatformError) throw err
    throw new PlatformError(
      'INVALID_ARGUMENT',
      `cannot read table ${spec.table}: ${err instanceof Error ? err.message : String(err)}`,
      {},
      { cause: err },
    )
  } finally {
    db.close()
  }
}

async function loadPostgres(
  session: DuckSession,
  spec: Extract<SourceSpec, { kind: 'postgres' }>,
): Promise<LoadResult> {
  const pg = await import('pg')
  const client = new pg.default.Client({
    connectionString: spec.url,
    connectionTimeoutMillis: 10_000,
  })
  try {
    await client.connect()
  } catch (err) {
    throw new PlatformError(
      'UNAVAILABLE',
      `cannot connect to ${describeSource(spec)}`,
      {},
      { cause: err },
    )
  }
  try {
    const table =
      spec.schema === undefined
        ? quoteIdent(spec.table)
        : `${quoteIdent(spec.schema)}.${quoteIdent(spec.table)}`
    const result = await client.query({ text: `SELECT * FROM ${table}`, rowMode: 'array' })
    await appendRows(
      session,
      result.fields.map((f) => f.name),
      result.rows as unknown[][],
    )
    return { rejected: [], rejectedCount: 0 }
  } catch (err) {
    if (err instanceof PlatformError) throw err
    throw new PlatformError(
      'INVALID_ARGUMENT',
      `cannot read ${describeSource(spec)}: ${err instanceof Error ? err.message : String(err)}`,
      {},
      { cause: err },
    )
  } finally {
    await client.end()
  }
}

/**
 * Reads a source into the session's `src` table. Malformed CSV rows are collected with their
 * line numbers; without `skipBadRows` any of them fails the read with every problem listed.
 */
export async function loadSource(
  session: DuckSession,
  spec: SourceSpec,
  options: ReadOptions = {},
): Promise<LoadResult> {
  const result =
    spec.kind === 'file'
      ? await loadFile(session, spec, options)
      : spec.kind === 'sqlite'
        ? await loadSqlite(session, spec)
        : await loadPostgres(session, spec)
  if (result.rejectedCount > 0 && options.skipBadRows !== true) {
    const issues = result.rejected.slice(0, 50).map((r) => ({
      path: ['line', r.line],
      code: 'malformed_row',
      message: `line ${String(r.line)}${r.column === null ? '' : `, column ${r.column}`}: ${r.error}`,
    }))
    throw new ValidationError(
      `${String(result.rejectedCount)} malformed row(s), first at line ${String(result.rejected[0]?.line ?? '?')}; fix them or pass --skip-bad-rows to skip and count them`,
      issues,
      { rejectedCount: result.rejectedCount },
    )
  }
  if ((await session.rows('DESCRIBE src')).length === 0) throw bad('the source has no columns')
  return result
}
