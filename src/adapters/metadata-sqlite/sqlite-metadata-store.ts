import { mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'

import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type SqliteDatabase,
} from 'kysely'

import {
  PlatformError,
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
} from '../../core/index.js'
import {
  GuardedDriver,
  assembleMetadataStore,
  createMetadataHandles,
  type IntegrityReport,
  type MetadataStore,
} from '../../ports/index.js'
import { parseSqliteMetadataConfig, type SqliteMetadataConfig } from './sqlite-config.js'

/** Optional collaborators of the SQLite metadata store. */
export interface SqliteMetadataStoreDeps {
  /**
   * Supplies the time recorded on rows that migrations seed.
   *
   * @default systemClock
   */
  readonly clock?: Clock
  /** @default silentLogger */
  readonly logger?: Logger
}

/** The part of a better-sqlite3 `Database` this adapter uses (typed structurally, like Kysely). */
interface SqliteHandle extends SqliteDatabase {
  pragma(source: string, options: { simple: true }): unknown
}

/** The better-sqlite3 module, as far as this adapter uses it. */
interface SqliteModule {
  default: new (filename: string, options: { timeout: number }) => SqliteHandle
}

/**
 * SQLite can roll back DDL, but Kysely's adapter says it cannot, which makes the migrator run
 * migrations outside a transaction: a crash half-way through `0001_foundation` would leave
 * tables that the next start tries to create again. Claiming transactional DDL makes all pending
 * migrations one atomic transaction (started with `begin immediate`, see below).
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true
  }
}

/** An error code from better-sqlite3 (`SqliteError.code`), if `err` carries one. */
function sqliteCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code
  return undefined
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * Creates a metadata store on a SQLite file (or `':memory:'`) through better-sqlite3.
 *
 * - `init` creates the parent directory (mode `0700`) if missing, opens the file and sets
 *   `journal_mode=WAL`, `synchronous` (default `FULL`), `foreign_keys=ON` and `busy_timeout`,
 *   then applies migrations. The driver is loaded with a lazy `import()` there.
 * - Transactions start with `BEGIN IMMEDIATE`: the write lock is taken up front, so two
 *   processes cannot both read and then fail to upgrade to a write (`SQLITE_BUSY` with no wait).
 *   Transactions in one store run one at a time (there is one connection).
 * - Lock timeouts (`SQLITE_BUSY*`, `SQLITE_LOCKED*`) become `UNAVAILABLE`. Other engine errors
 *   reach the caller raw; a unique or primary-key violation carries `code`
 *   `SQLITE_CONSTRAINT_UNIQUE` or `SQLITE_CONSTRAINT_PRIMARYKEY`.
 * - Use one store per database file per process. better-sqlite3 is synchronous, so a second
 *   connection in the same process waiting for the first one's lock blocks the event loop that
 *   the first needs to finish. Separate processes are fine.
 *
 * @throws ValidationError (`INVALID_ARGUMENT`) when `config` is invalid.
 *
 * @example
 * ```ts
 * const store = createSqliteMetadataStore(
 *   sqliteMetadataConfigSchema.parse({ kind: 'sqlite', path: '.plinth/plinth.db' }),
 * )
 * await store.init()
 * const workspaces = await store.db.selectFrom('workspaces').selectAll().execute()
 * await store.close()
 * ```
 */
export function createSqliteMetadataStore(
  config: SqliteMetadataConfig,
  deps: SqliteMetadataStoreDeps = {},
): MetadataStore {
  const cfg = parseSqliteMetadataConfig(config)
  const clock = deps.clock ?? systemClock
  const logger = (deps.logger ?? silentLogger).child({ component: 'metadata-sqlite' })
  const inMemory = cfg.path === ':memory:'
  const location = inMemory ? ':memory:' : resolve(cfg.path)
  const label = `sqlite:${location}`

  const mapQueryError = (err: unknown): unknown => {
    const code = sqliteCode(err)
    if (code !== undefined && /^SQLITE_(BUSY|LOCKED)/.test(code)) {
      return new PlatformError(
        'UNAVAILABLE',
        'the SQLite metadata database is locked by another writer; try again',
        { location: label, code },
        { cause: err },
      )
    }
    return err
  }
  const driver = new GuardedDriver({
    describe: () => label,
    mapQueryError,
    mapConnectError: mapQueryError,
    async beginTransaction(connection) {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'))
    },
  })
  const { db, untypedDb } = createMetadataHandles(driver, {
    createAdapter: () => new TransactionalDdlSqliteAdapter(),
    createIntrospector: (d) => new SqliteIntrospector(d),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  })

  function toOpenError(err: unknown): PlatformError {
    if (err instanceof PlatformError) return err
    const code = sqliteCode(err)
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      return new PlatformError(
        'FAILED_PRECONDITION',
        `${label} is not a valid SQLite database (or it is corrupt)`,
        { location: label, code },
        { cause: err },
      )
    }
    return new PlatformError(
      'UNAVAILABLE',
      `could not open the metadata database at ${label}`,
      { location: label, reason: errorMessage(err), ...(code === undefined ? {} : { code }) },
      { cause: err },
    )
  }

  function applyPragmas(handle: SqliteHandle): void {
    // busy_timeout first: switching to WAL needs a lock another process may hold.
    handle.pragma(`busy_timeout = ${String(cfg.busyTimeoutMs)}`, { simple: true })
    const mode = handle.pragma('journal_mode = WAL', { simple: true })
    if (!inMemory && mode !== 'wal') {
      logger.warn({ location: label, journalMode: mode }, 'SQLite refused WAL mode')
    }
    handle.pragma(`synchronous = ${cfg.synchronous}`, { simple: true })
    handle.pragma('foreign_keys = ON', { simple: true })
  }

  async function connect(): Promise<void> {
    let handle: SqliteHandle
    try {
      const sqlite: SqliteModule = await import('better-sqlite3')
      if (!inMemory) await mkdir(dirname(location), { recursive: true, mode: 0o700 })
      handle = new sqlite.default(location, { timeout: cfg.busyTimeoutMs })
    } catch (err) {
      throw toOpenError(err)
    }
    try {
      applyPragmas(handle)
    } catch (err) {
      handle.close()
      throw toOpenError(err)
    }
    const inner = new SqliteDriver({ database: handle })
    await inner.init()
    driver.attach(inner)
  }

  return assembleMetadataStore({
    kind: 'sqlite',
    dialect: 'sqlite',
    label,
    logger,
    driver,
    db,
    untypedDb,
    now: () => clock.now(),
    connect,
    toOpenError,
    async ping() {
      await sql`select 1`.execute(db)
    },
    async checkIntegrity(): Promise<IntegrityReport> {
      const problems: string[] = []
      const integrity = await sql<Record<string, unknown>>`pragma integrity_check`.execute(db)
      for (const row of integrity.rows) {
        const message = String(Object.values(row)[0])
        if (message !== 'ok') problems.push(message)
      }
      const orphans = await sql<Record<string, unknown>>`pragma foreign_key_check`.execute(db)
      for (const row of orphans.rows) {
        problems.push(
          `foreign key violation: ${String(row['table'])} row ${String(row['rowid'])} ` +
            `references a missing row in ${String(row['parent'])}`,
        )
      }
      return { ok: problems.length === 0, problems }
    },
  })
}
