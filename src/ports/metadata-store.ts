import type { Kysely } from 'kysely'

import type { MetadataSchema } from './metadata-schema.js'
import type { OpOptions } from './op-options.js'

/** The SQL dialect behind a metadata store, for the few places the SQL differs. */
export type MetadataDialect = 'sqlite' | 'postgres'

/** What `checkIntegrity` found. */
export interface IntegrityReport {
  readonly ok: boolean
  /** Problems reported by the engine (empty when `ok`). */
  readonly problems: readonly string[]
}

/** Where the schema stands. */
export interface SchemaStatus {
  /** Migrations applied to the database, in order. */
  readonly applied: readonly string[]
  /** Migrations this build of Plinth knows, in order. */
  readonly known: readonly string[]
}

/**
 * The metadata store: a Kysely handle over one schema, with migrations and transactions.
 *
 * Domain repos are written once against `Kysely<MetadataSchema>`; adapters supply the dialect.
 *
 * - `init` connects, then applies pending migrations, idempotently and under a lock, so two
 *   processes starting together are safe. A database carrying migrations this build does not
 *   know (a newer Plinth wrote it) fails with `FAILED_PRECONDITION` and is left untouched.
 *   Calling `init` twice is a no-op.
 * - `transaction` runs `fn` in one transaction: committed when `fn` resolves, rolled back when
 *   it throws (the error is rethrown). Writes acknowledged by a committed transaction survive a
 *   process crash (SQLite: WAL with `synchronous=FULL`; PostgreSQL: synchronous commit).
 *   Nested calls are not supported (on SQLite, with one connection, they would wait forever);
 *   pass the transaction handle down instead.
 * - Operations before `init` fail with `FAILED_PRECONDITION`; a failed `init` may be retried.
 * - SQLite: use one store per database file per process (better-sqlite3 is synchronous, so a
 *   second connection in the same process would block the first). Separate processes are fine.
 * - `ping` answers quickly or throws `UNAVAILABLE`.
 * - `close` waits for running queries, then releases connections; later calls fail.
 *
 * Abort: an aborted `signal` makes `init`, `ping` and `transaction` reject with
 * `CancelledError` before starting; a statement already sent to the engine completes.
 */
export interface MetadataStore {
  readonly kind: string
  readonly dialect: MetadataDialect
  /** The query builder. Valid after `init`. */
  readonly db: Kysely<MetadataSchema>
  init(opts?: OpOptions): Promise<void>
  transaction<T>(fn: (trx: Kysely<MetadataSchema>) => Promise<T>, opts?: OpOptions): Promise<T>
  ping(opts?: OpOptions): Promise<void>
  schemaStatus(opts?: OpOptions): Promise<SchemaStatus>
  /** Runs the engine's own consistency check (SQLite `PRAGMA integrity_check`). */
  checkIntegrity(opts?: OpOptions): Promise<IntegrityReport>
  /** A human-readable location with any password removed (for `doctor` and logs). */
  describe(): string
  close(): Promise<void>
}
