import { mkdir } from 'node:fs/promises'
import path from 'node:path'

import type * as DuckApi from '@duckdb/node-api'
import type { DuckDBConnection, DuckDBInstance, DuckDBResultReader } from '@duckdb/node-api'

import { PlatformError } from '../../core/index.js'

/** Limits and the only file locations a session may touch. */
export interface DuckSessionOptions {
  /** Files the session may read (a source file). */
  readonly readFiles?: readonly string[]
  /** Directories the session may read and write (its work directory; stored blobs to read). */
  readonly directories: readonly string[]
  /** Where DuckDB spills to disk when a query outgrows memory; inside `directories`. */
  readonly spillDir: string
  /** @default '2GB' */
  readonly memoryLimit?: string
  /** @default 2 */
  readonly threads?: number
}

/** A sandboxed DuckDB connection for one operation; `close` it when done. */
export interface DuckSession {
  /** Runs statements that return nothing of interest. */
  run(sql: string): Promise<void>
  /** Runs a query and returns its rows as plain objects (BIGINT as bigint). */
  rows(sql: string): Promise<Record<string, unknown>[]>
  /** Runs a query and returns the reader, for column-wise access to large results. */
  read(sql: string): Promise<DuckDBResultReader>
  readonly connection: DuckDBConnection
  /**
   * Another connection to the same database (same tables, same locked settings), to run a query
   * concurrently with this one. Close it before the session; closing it leaves the session open.
   */
  fork(): Promise<DuckSession>
  close(): void
}

/** Quotes an SQL identifier (doubling `"`), for every column and table name we did not write. */
export function quoteIdent(name: string): string {
  if (name.includes('\u0000')) {
    throw new PlatformError('INVALID_ARGUMENT', 'identifiers must not contain NUL characters')
  }
  return `"${name.replaceAll('"', '""')}"`
}

/** Quotes an SQL string literal (doubling `'`). Only for paths and values Plinth generated. */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) {
    throw new PlatformError('INVALID_ARGUMENT', 'values must not contain NUL characters')
  }
  return `'${value.replaceAll("'", "''")}'`
}

/**
 * Text of a value DuckDB returned: strings as they are, numbers and booleans printed, and
 * DuckDB's own value objects (timestamps, decimals, lists) through their `toString`.
 */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v)
  if (v === null || v === undefined) return ''
  if (typeof v === 'object' && 'toString' in v && v.toString !== Object.prototype.toString) {
    return (v as { toString(): string }).toString()
  }
  return JSON.stringify(v)
}

const listLiteral = (xs: readonly string[]): string => `[${xs.map(quoteLiteral).join(', ')}]`

/**
 * Opens an in-memory DuckDB that can reach only the given files and directories.
 *
 * The order matters (security reference D1 and §4): the spill directory and the allowed
 * locations are set first, then external access is switched off, then memory and threads, then
 * the configuration is locked so no SQL run later can loosen it. httpfs and every other
 * extension stay unavailable (external access off means no INSTALL/LOAD).
 */
export async function openDuckSession(options: DuckSessionOptions): Promise<DuckSession> {
  let duck: typeof DuckApi
  try {
    duck = await import('@duckdb/node-api')
  } catch (err) {
    throw new PlatformError(
      'UNAVAILABLE',
      'the DuckDB engine could not be loaded',
      {},
      { cause: err },
    )
  }
  await mkdir(options.spillDir, { recursive: true, mode: 0o700 })
  const instance: DuckDBInstance = await duck.DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  const dirs = options.directories.map((d) => (d.endsWith(path.sep) ? d : d + path.sep))
  const settings = [
    `SET temp_directory=${quoteLiteral(options.spillDir)}`,
    `SET allowed_directories=${listLiteral(dirs)}`,
    ...(options.readFiles !== undefined && options.readFiles.length > 0
      ? [`SET allowed_paths=${listLiteral(options.readFiles)}`]
      : []),
    'SET enable_external_access=false',
    'SET autoinstall_known_extensions=false',
    'SET autoload_known_extensions=false',
    `SET memory_limit=${quoteLiteral(options.memoryLimit ?? '2GB')}`,
    `SET threads=${String(options.threads ?? 2)}`,
    // Parquet written by Plinth must be byte-identical for identical input, so versions dedupe.
    'SET preserve_insertion_order=true',
    'SET lock_configuration=true',
  ]
  try {
    for (const s of settings) await connection.run(s)
  } catch (err) {
    connection.closeSync()
    instance.closeSync()
    throw new PlatformError(
      'INTERNAL',
      'could not configure the DuckDB sandbox',
      {},
      { cause: err },
    )
  }
  return sessionOver(instance, connection, () => {
    instance.closeSync()
  })
}

/** A session over `connection` to `instance`; `onClose` runs after the connection is closed. */
function sessionOver(
  instance: DuckDBInstance,
  connection: DuckDBConnection,
  onClose: () => void,
): DuckSession {
  let closed = false
  return {
    connection,
    async run(sql) {
      await connection.run(sql)
    },
    async rows(sql) {
      const reader = await connection.runAndReadAll(sql)
      return reader.getRowObjects()
    },
    async read(sql) {
      return connection.runAndReadAll(sql)
    },
    async fork() {
      return sessionOver(instance, await instance.connect(), () => undefined)
    },
    close() {
      if (closed) return
      closed = true
      connection.closeSync()
      onClose()
    },
  }
}
