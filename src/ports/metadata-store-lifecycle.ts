import { Kysely, type Dialect } from 'kysely'

import { PlatformError, throwIfAborted, type Logger } from '../core/index.js'
import type { GuardedDriver } from './guarded-driver.js'
import { METADATA_MIGRATIONS, appliedMigrations, migrateToLatest } from './metadata-migrations.js'
import type { MetadataSchema } from './metadata-schema.js'
import type { IntegrityReport, MetadataDialect, MetadataStore } from './metadata-store.js'
import type { OpOptions } from './op-options.js'

/**
 * What one SQL engine contributes to a metadata store; `assembleMetadataStore` supplies the rest
 * (the new → ready → closed lifecycle, migrations, transactions), so every adapter behaves the
 * same way under the contract suite.
 *
 * @internal for metadata adapters
 */
export interface MetadataEngine {
  readonly kind: string
  readonly dialect: MetadataDialect
  /** Where the database is, without secrets. */
  readonly label: string
  readonly logger: Logger
  /** The driver both handles run on; `connect` attaches the engine's driver to it. */
  readonly driver: GuardedDriver
  readonly db: Kysely<MetadataSchema>
  /** An untyped handle over the same driver, for the migration helpers. */
  readonly untypedDb: Kysely<unknown>
  /** Epoch ms for rows the migrations seed. */
  now(): number
  /** Opens the engine's connection(s) and attaches them to `driver`. */
  connect(): Promise<void>
  /** Runs after `connect` and before migrations (e.g. creating a PostgreSQL schema). */
  prepare?(): Promise<void>
  /** Turns a failure to open or migrate into the error callers see. */
  toOpenError(err: unknown): PlatformError
  ping(): Promise<void>
  checkIntegrity(): Promise<IntegrityReport>
}

/**
 * The two query handles of a metadata store over one driver: `db`, typed by the schema, and
 * `untypedDb` for the migration helpers (which take `Kysely<unknown>`, which
 * `Kysely<MetadataSchema>` is not assignable to). Both share the driver, so no cast is needed and
 * no second pool or connection is opened.
 *
 * @internal for metadata adapters
 */
export function createMetadataHandles(
  driver: GuardedDriver,
  parts: Omit<Dialect, 'createDriver'>,
): { readonly db: Kysely<MetadataSchema>; readonly untypedDb: Kysely<unknown> } {
  const dialect: Dialect = { ...parts, createDriver: () => driver }
  return {
    db: new Kysely<MetadataSchema>({ dialect }),
    untypedDb: new Kysely<unknown>({ dialect }),
  }
}

type Phase = 'new' | 'ready' | 'closed'

/**
 * Builds a `MetadataStore` from an engine: `init` connects and migrates (concurrent calls share
 * one attempt; a failed attempt may be retried), operations before `init` fail with
 * `FAILED_PRECONDITION`, after `close` with `UNAVAILABLE`, and `close` waits for an `init` in
 * progress.
 *
 * @internal for metadata adapters
 */
export function assembleMetadataStore(engine: MetadataEngine): MetadataStore {
  const { db, untypedDb, driver, label, logger } = engine
  let phase: Phase = 'new'
  let opening: Promise<void> | undefined

  function assertReady(opts: OpOptions | undefined): void {
    throwIfAborted(opts?.signal)
    if (phase === 'closed') {
      throw new PlatformError('UNAVAILABLE', 'the metadata store is closed', { location: label })
    }
    if (phase === 'new') {
      throw new PlatformError(
        'FAILED_PRECONDITION',
        'the metadata store is not initialised; call init() first',
        { location: label },
      )
    }
  }

  async function open(): Promise<void> {
    await engine.connect()
    let applied: readonly string[]
    try {
      await engine.prepare?.()
      applied = await migrateToLatest(untypedDb, { dialect: engine.dialect, now: engine.now() })
    } catch (err) {
      await driver.detach()
      throw engine.toOpenError(err)
    }
    // `close` may have been called while migrations ran; it waits for us and then wins.
    if (phase === 'new') phase = 'ready'
    logger.info({ location: label, migrations: applied }, 'metadata store ready')
  }

  const store: MetadataStore = {
    kind: engine.kind,
    dialect: engine.dialect,
    db,

    async init(opts) {
      throwIfAborted(opts?.signal)
      if (phase === 'ready') return
      if (phase === 'closed') {
        throw new PlatformError('UNAVAILABLE', 'the metadata store is closed', { location: label })
      }
      opening ??= open().finally(() => {
        opening = undefined
      })
      await opening
      assertReady(undefined)
    },

    async transaction(fn, opts) {
      assertReady(opts)
      return db.transaction().execute(fn)
    },

    async ping(opts) {
      assertReady(opts)
      await engine.ping()
    },

    async schemaStatus(opts) {
      assertReady(opts)
      return {
        applied: await appliedMigrations(untypedDb),
        known: METADATA_MIGRATIONS.map((m) => m.name),
      }
    },

    async checkIntegrity(opts) {
      assertReady(opts)
      return engine.checkIntegrity()
    },

    describe: () => label,

    async close() {
      if (phase === 'closed') return
      phase = 'closed'
      if (opening !== undefined) await opening.catch(() => undefined)
      await driver.close()
      logger.debug({ location: label }, 'metadata store closed')
    },
  }
  return Object.freeze(store)
}
