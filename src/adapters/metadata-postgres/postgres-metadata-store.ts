import {
  PostgresAdapter,
  PostgresDriver,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  type Dialect,
  type PostgresPool,
  type SchemaMetadata,
  type TableMetadata,
} from 'kysely'
import type { CustomTypesConfig, PoolConfig } from 'pg'

import {
  PlatformError,
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
} from '../../core/index.js'
import {
  METADATA_MIGRATIONS,
  appliedMigrations,
  type IntegrityReport,
  type MetadataStore,
  GuardedDriver,
  assembleMetadataStore,
  createMetadataHandles,
} from '../../ports/index.js'
import { parsePostgresMetadataConfig, type PostgresMetadataConfig } from './postgres-config.js'

/** Optional collaborators of the PostgreSQL metadata store. */
export interface PostgresMetadataStoreDeps {
  /**
   * Supplies the time recorded on rows that migrations seed.
   *
   * @default systemClock
   */
  readonly clock?: Clock
  /** @default silentLogger */
  readonly logger?: Logger
}

/** The part of a pg `Pool` this adapter uses (typed structurally, like Kysely). */
interface PgPool extends PostgresPool {
  on(event: 'error', listener: (err: Error) => void): unknown
}

/** The pg module, as far as this adapter uses it. */
interface PgModule {
  Pool: new (config: PoolConfig) => PgPool
  types: { getTypeParser(oid: number, format: 'text' | 'binary'): unknown }
}

/** `pg_type.oid` of `int8` (`bigint`). */
const INT8_OID = 20

/**
 * Parses `int8` text to a JS number. Plinth stores epoch milliseconds and byte sizes there,
 * which are far below 2^53; a value that would lose precision fails the query instead of being
 * silently rounded.
 */
function parseInt8(value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`int8 value ${value} does not fit a JS number without losing precision`)
  }
  return n
}

/** Node socket errors that mean the server cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
])

/** The SQLSTATE or Node error code of `err`, if it carries one. */
function errorCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code
  return undefined
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** True when `err` means the connection (not the statement) failed. */
function isConnectionFailure(err: unknown): boolean {
  const code = errorCode(err)
  if (code !== undefined) {
    // 08xxx connection exceptions, 57P0x server shutting down / not accepting, 53300 too many
    // connections.
    if (NETWORK_CODES.has(code) || code.startsWith('08') || code.startsWith('57P')) return true
    if (code === '53300') return true
  }
  return /connection terminated|timeout exceeded when trying to connect|connection error/i.test(
    errorMessage(err),
  )
}

/** `postgres://user@host:port/db` (plus `?schema=`): the URL without password or query string. */
function describePostgresUrl(url: string, schema: string | undefined): string {
  const u = new URL(url)
  const user = u.username === '' ? '' : `${u.username}@`
  const where = `${u.protocol}//${user}${u.host}${u.pathname}`
  return schema === undefined ? where : `${where}?schema=${schema}`
}

/** Secrets in `url` that must never reach a message: the password, however it is given. */
function secretsOf(url: string): string[] {
  const u = new URL(url)
  const secrets = [u.password, safeDecode(u.password)]
  for (const key of ['password', 'sslpassword']) {
    const value = u.searchParams.get(key)
    if (value !== null) secrets.push(value)
  }
  return secrets.filter((s) => s.length > 0)
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

type IntrospectorDb = Parameters<Dialect['createIntrospector']>[0]

/**
 * Kysely's PostgreSQL introspector lists tables in every schema, and both Kysely's migrator and
 * `appliedMigrations` look for `plinth_migrations` by name alone. With two Plinth schemas in one
 * database (or a test schema next to a real one) they would find the other schema's table and
 * then query their own missing one. Keep introspection to `current_schema()`, which is the
 * configured schema because it is first on `search_path`.
 */
class CurrentSchemaIntrospector implements DatabaseIntrospector {
  readonly #db: IntrospectorDb
  readonly #inner: PostgresIntrospector

  constructor(db: IntrospectorDb) {
    this.#db = db
    this.#inner = new PostgresIntrospector(db)
  }

  getSchemas(): Promise<SchemaMetadata[]> {
    return this.#inner.getSchemas()
  }

  async getTables(options?: DatabaseMetadataOptions): Promise<TableMetadata[]> {
    const [tables, current] = await Promise.all([
      this.#inner.getTables(options),
      sql<{ name: string | null }>`select current_schema() as name`.execute(this.#db),
    ])
    const schema = current.rows[0]?.name ?? null
    return tables.filter((t) => t.schema === schema)
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) }
  }
}

/**
 * Creates a metadata store on PostgreSQL through a pg `Pool` (loaded with a lazy `import()`).
 *
 * - `init` creates `config.schema` if it is missing, then applies migrations; every pooled
 *   connection has that schema first on its `search_path`, so several Plinth installations (or
 *   test runs) can share one database.
 * - `int8` columns come back as JS numbers through a type parser set on this pool only; the
 *   process-wide `pg.types` are left alone.
 * - Connection failures become `UNAVAILABLE` and a `statement_timeout` becomes
 *   `DEADLINE_EXCEEDED`; messages name the server without its password. Other engine errors
 *   reach the caller raw: a unique violation has `code` `'23505'`.
 * - `ping` runs `SELECT 1` and gives up after `connectTimeoutMs`.
 *
 * @throws ValidationError (`INVALID_ARGUMENT`) when `config` is invalid.
 *
 * @example
 * ```ts
 * const store = createPostgresMetadataStore(
 *   postgresMetadataConfigSchema.parse({ kind: 'postgres', url: 'postgres://plinth@127.0.0.1/plinth' }),
 * )
 * await store.init()
 * await store.ping()
 * await store.close()
 * ```
 */
export function createPostgresMetadataStore(
  config: PostgresMetadataConfig,
  deps: PostgresMetadataStoreDeps = {},
): MetadataStore {
  const cfg = parsePostgresMetadataConfig(config)
  const clock = deps.clock ?? systemClock
  const logger = (deps.logger ?? silentLogger).child({ component: 'metadata-postgres' })
  const label = describePostgresUrl(cfg.url, cfg.schema)
  const secrets = secretsOf(cfg.url)

  /** Removes any password from engine text before it reaches a message or a log. */
  const scrub = (text: string): string =>
    secrets.reduce((acc, secret) => acc.split(secret).join('***'), text)

  const unavailable = (what: string, err: unknown): PlatformError => {
    const reason = scrub(errorMessage(err))
    const code = errorCode(err)
    return new PlatformError(
      'UNAVAILABLE',
      `${what} ${label}: ${reason}`,
      { location: label, reason, ...(code === undefined ? {} : { code }) },
      { cause: err },
    )
  }

  const mapQueryError = (err: unknown): unknown => {
    if (err instanceof PlatformError) return err
    if (errorCode(err) === '57014' && /statement timeout/i.test(errorMessage(err))) {
      return new PlatformError(
        'DEADLINE_EXCEEDED',
        `a statement ran longer than ${String(cfg.statementTimeoutMs)} ms and was cancelled`,
        { location: label, statementTimeoutMs: cfg.statementTimeoutMs },
        { cause: err },
      )
    }
    if (isConnectionFailure(err)) return unavailable('lost the connection to PostgreSQL at', err)
    return err
  }
  const driver = new GuardedDriver({
    describe: () => label,
    mapQueryError,
    mapConnectError: (err) =>
      err instanceof PlatformError ? err : unavailable('could not connect to PostgreSQL at', err),
  })
  const { db, untypedDb } = createMetadataHandles(driver, {
    createAdapter: () => new PostgresAdapter(),
    createIntrospector: (d) => new CurrentSchemaIntrospector(d),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  })

  function toOpenError(err: unknown): PlatformError {
    if (err instanceof PlatformError) return err
    if (errorCode(err) === '42501') {
      return new PlatformError(
        'PERMISSION_DENIED',
        `the PostgreSQL role may not create Plinth's tables at ${label}: ${scrub(errorMessage(err))}`,
        { location: label, code: '42501' },
        { cause: err },
      )
    }
    return unavailable('could not initialise the metadata database at', err)
  }

  async function ensureSchema(schema: string): Promise<void> {
    const found = await sql<{ found: number }>`
      select 1 as found from pg_catalog.pg_namespace where nspname = ${schema}`.execute(untypedDb)
    // Checked first because CREATE SCHEMA needs the CREATE privilege on the database even when
    // the schema exists (`if not exists` or not): a role that only owns its schema must work.
    if (found.rows.length > 0) return
    try {
      await untypedDb.schema.createSchema(schema).ifNotExists().execute()
    } catch (err) {
      // Two processes creating it together: the loser sees a unique violation on
      // pg_namespace (23505) or duplicate_schema (42P06); either way the schema now exists.
      const code = errorCode(err)
      if (code !== '23505' && code !== '42P06') throw err
    }
  }

  async function connect(): Promise<void> {
    let pg: PgModule
    try {
      pg = await import('pg')
    } catch (err) {
      throw new PlatformError(
        'UNAVAILABLE',
        'the pg driver could not be loaded',
        {},
        { cause: err },
      )
    }
    const parserFor = (oid: number, format?: string): unknown =>
      oid === INT8_OID && format !== 'binary'
        ? parseInt8
        : pg.types.getTypeParser(oid, format === 'binary' ? 'binary' : 'text')
    const types: CustomTypesConfig = { getTypeParser: parserFor }
    const pool = new pg.Pool({
      connectionString: cfg.url,
      max: cfg.poolSize,
      connectionTimeoutMillis: cfg.connectTimeoutMs,
      statement_timeout: cfg.statementTimeoutMs,
      application_name: 'plinth',
      types,
      // A startup parameter, so every connection the pool ever opens gets it, with no extra
      // round trip. The name matched a strict pattern, so it needs no quoting here.
      ...(cfg.schema === undefined ? {} : { options: `-c search_path=${cfg.schema}` }),
    })
    // Without a listener, an idle client dropped by the server would crash the process.
    pool.on('error', (err) => {
      logger.warn(
        { location: label, reason: scrub(err.message) },
        'an idle PostgreSQL connection failed',
      )
    })
    const inner = new PostgresDriver({ pool })
    await inner.init()
    driver.attach(inner)
  }

  return assembleMetadataStore({
    kind: 'postgres',
    dialect: 'postgres',
    label,
    logger,
    driver,
    db,
    untypedDb,
    now: () => clock.now(),
    connect,
    async prepare() {
      if (cfg.schema !== undefined) await ensureSchema(cfg.schema)
    },
    toOpenError,
    async ping() {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(
            new PlatformError(
              'UNAVAILABLE',
              `PostgreSQL at ${label} did not answer within ${String(cfg.connectTimeoutMs)} ms`,
              { location: label, timeoutMs: cfg.connectTimeoutMs },
            ),
          )
        }, cfg.connectTimeoutMs)
      })
      const query = sql`select 1`.execute(db)
      // If the timeout wins, the query still settles later; nobody is waiting for it then.
      void query.catch(() => undefined)
      try {
        await Promise.race([query, timeout])
      } finally {
        clearTimeout(timer)
      }
    },

    async checkIntegrity(): Promise<IntegrityReport> {
      // PostgreSQL checks its own pages; what can go wrong at this level is the schema:
      // migrations missing or unknown, and indexes left invalid by a failed concurrent build.
      const problems: string[] = []
      await sql`select 1`.execute(db)
      const applied = await appliedMigrations(untypedDb)
      const known = METADATA_MIGRATIONS.map((m) => m.name)
      for (const name of known) {
        if (!applied.includes(name)) problems.push(`migration ${name} is not applied`)
      }
      for (const name of applied) {
        if (!known.includes(name)) problems.push(`migration ${name} is unknown to this Plinth`)
      }
      const invalid = await sql<{ name: string }>`
        select c.relname as name
        from pg_catalog.pg_index i
        join pg_catalog.pg_class c on c.oid = i.indexrelid
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and not i.indisvalid`.execute(db)
      for (const row of invalid.rows) problems.push(`index ${row.name} is invalid`)
      return { ok: problems.length === 0, problems }
    },
  })
}
