import type { Kysely } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'

import { CancelledError, PlatformError } from '../../core/index.js'
import { METADATA_MIGRATIONS, MIGRATION_TABLE } from '../metadata-migrations.js'
import type { MetadataSchema, NewArtifactRow, NewWorkspaceRow } from '../metadata-schema.js'
import type { MetadataStore } from '../metadata-store.js'
import { rejectionOf } from '../../test-support/index.js'

/** What a metadata-store factory must provide to the contract suite. */
export interface MetadataStoreFixture {
  /** A store on a fresh, empty database, not yet initialised. */
  readonly store: MetadataStore
  /** Opens another store (not initialised) on the same database, as a second process would. */
  open(): MetadataStore
  /** Removes the database. The suite has closed every store it used before calling it. */
  cleanup(): Promise<void>
}

/** Adapter traits that change what the suite can check. */
export interface DescribeMetadataStoreOptions {
  /**
   * Whether two stores in one process may initialise one database at the same moment. False for
   * SQLite: better-sqlite3 is synchronous, so a connection waiting for another's lock in the same
   * process blocks the event loop the other needs (that case is covered across processes by
   * `test/integration/metadata-crash.test.ts`).
   *
   * @default true
   */
  readonly concurrentStoresInProcess?: boolean
}

/** Epoch milliseconds well above 2^32, as every stored time is. */
const T0 = 1_700_000_000_123
/** The codes a unique or primary-key violation carries (better-sqlite3, pg). */
const UNIQUE_VIOLATION = /^(SQLITE_CONSTRAINT_PRIMARYKEY|SQLITE_CONSTRAINT_UNIQUE|23505)$/
/** The codes a foreign-key violation carries (better-sqlite3, pg). */
const FOREIGN_KEY_VIOLATION = /^(SQLITE_CONSTRAINT_FOREIGNKEY|23503)$/

function workspace(id: string, at = T0): NewWorkspaceRow {
  return {
    id,
    display_name: `Workspace ${id}`,
    description: '',
    created_at: at,
    created_by: 'local',
    updated_at: at,
    updated_by: 'local',
  }
}

function artifact(workspaceId: string, n: number, size: number): NewArtifactRow {
  return {
    workspace_id: workspaceId,
    id: n.toString(16).padStart(32, '0'),
    name: `artifact-${String(n)}.bin`,
    content_key: n.toString(16).padStart(64, 'f'),
    size,
    media_type: 'application/octet-stream',
    created_at: T0 + n,
    created_by: 'local',
  }
}

async function workspaceIds(db: Kysely<MetadataSchema>): Promise<string[]> {
  const rows = await db.selectFrom('workspaces').select('id').orderBy('id').execute()
  return rows.map((r) => r.id)
}

function codeOf(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code
  }
  return undefined
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * The `MetadataStore` contract, run against every adapter.
 *
 * Each test gets a fresh database from `factory`; the suite closes every store it opened and
 * then calls `cleanup`, even when the test fails.
 *
 * @example
 * ```ts
 * describeMetadataStore('sqlite', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'plinth-'))
 *   const config = sqliteMetadataConfigSchema.parse({ kind: 'sqlite', path: join(dir, 'm.db') })
 *   return {
 *     store: createSqliteMetadataStore(config),
 *     open: () => createSqliteMetadataStore(config),
 *     cleanup: () => rm(dir, { recursive: true, force: true }),
 *   }
 * })
 * ```
 */
export function describeMetadataStore(
  name: string,
  factory: () => Promise<MetadataStoreFixture>,
  options: DescribeMetadataStoreOptions = {},
): void {
  const concurrentStoresInProcess = options.concurrentStoresInProcess ?? true

  describe(`MetadataStore contract: ${name}`, () => {
    let fixtures: MetadataStoreFixture[] = []
    let stores: MetadataStore[] = []

    async function setup(): Promise<MetadataStoreFixture> {
      const fixture = await factory()
      fixtures.push(fixture)
      stores.push(fixture.store)
      return fixture
    }

    function openAnother(fixture: MetadataStoreFixture): MetadataStore {
      const store = fixture.open()
      stores.push(store)
      return store
    }

    async function ready(): Promise<MetadataStore> {
      const { store } = await setup()
      await store.init()
      return store
    }

    afterEach(async () => {
      const toClose = stores
      const toClean = fixtures
      stores = []
      fixtures = []
      await Promise.allSettled(toClose.map((s) => s.close()))
      for (const fixture of toClean) await fixture.cleanup()
    })

    it('init applies every known migration and schemaStatus reports them', async () => {
      const store = await ready()
      const known = METADATA_MIGRATIONS.map((m) => m.name)
      const status = await store.schemaStatus()
      expect(status.known).toEqual(known)
      expect(status.applied).toEqual(known)
      expect(['sqlite', 'postgres']).toContain(store.dialect)
      expect(store.kind.length).toBeGreaterThan(0)
    })

    it('init is idempotent: repeated, concurrent, and from a second store on the database', async () => {
      const fixture = await setup()
      await Promise.all([fixture.store.init(), fixture.store.init()])
      await fixture.store.init()
      const second = openAnother(fixture)
      await second.init()
      const known = METADATA_MIGRATIONS.map((m) => m.name)
      expect((await second.schemaStatus()).applied).toEqual(known)
      // The seeded rows were not inserted twice.
      expect(await workspaceIds(second.db)).toEqual(['default'])
      expect(await second.db.selectFrom('actors').select('id').execute()).toHaveLength(2)
    })

    it.skipIf(!concurrentStoresInProcess)(
      'two stores initialising a new database at the same moment both succeed',
      async () => {
        const fixture = await setup()
        const second = openAnother(fixture)
        await Promise.all([fixture.store.init(), second.init()])
        const known = METADATA_MIGRATIONS.map((m) => m.name)
        expect((await fixture.store.schemaStatus()).applied).toEqual(known)
        expect((await second.schemaStatus()).applied).toEqual(known)
        expect(await workspaceIds(second.db)).toEqual(['default'])
      },
    )

    it('seeds the default workspace and the local and system actors', async () => {
      const store = await ready()
      const ws = await store.db
        .selectFrom('workspaces')
        .selectAll()
        .where('id', '=', 'default')
        .executeTakeFirst()
      expect(ws).toMatchObject({ id: 'default', created_by: 'system', updated_by: 'system' })
      expect(typeof ws?.created_at).toBe('number')
      const actors = await store.db
        .selectFrom('actors')
        .select(['id', 'kind'])
        .orderBy('id')
        .execute()
      expect(actors).toEqual([
        { id: 'local', kind: 'local' },
        { id: 'system', kind: 'system' },
      ])
    })

    it('round-trips workspaces with epoch-millisecond times as numbers, ordered numerically', async () => {
      const store = await ready()
      const row = { ...workspace('team-a'), description: 'A team', updated_at: T0 + 1000 }
      await store.db.insertInto('workspaces').values(row).execute()
      const back = await store.db
        .selectFrom('workspaces')
        .selectAll()
        .where('id', '=', 'team-a')
        .executeTakeFirstOrThrow()
      expect(back).toEqual(row)
      expect(typeof back.created_at).toBe('number')

      // 9_999 < 10_000 numerically but not as text: catches times stored or compared as strings.
      await store.db
        .insertInto('workspaces')
        .values([workspace('late', 10_000), workspace('early', 9_999)])
        .execute()
      const ordered = await store.db
        .selectFrom('workspaces')
        .select('id')
        .where('id', 'in', ['late', 'early'])
        .orderBy('created_at')
        .execute()
      expect(ordered.map((r) => r.id)).toEqual(['early', 'late'])
    })

    it('round-trips artifacts with sizes above 2^32 as exact numbers', async () => {
      const store = await ready()
      const rows = [
        artifact('default', 1, 2 ** 40 + 7),
        artifact('default', 2, Number.MAX_SAFE_INTEGER),
        artifact('default', 3, 0),
      ]
      await store.db.insertInto('artifacts').values(rows).execute()
      const back = await store.db
        .selectFrom('artifacts')
        .selectAll()
        .where('workspace_id', '=', 'default')
        .orderBy('created_at')
        .execute()
      expect(back).toEqual(rows)
      for (const row of back) {
        expect(typeof row.size).toBe('number')
        expect(typeof row.created_at).toBe('number')
      }
    })

    it('transaction commits when fn resolves and returns its value', async () => {
      const store = await ready()
      const result = await store.transaction(async (trx) => {
        await trx.insertInto('workspaces').values(workspace('tx-a')).execute()
        await trx
          .insertInto('artifacts')
          .values(artifact('tx-a', 1, 5))
          .execute()
        return 42
      })
      expect(result).toBe(42)
      expect(await workspaceIds(store.db)).toContain('tx-a')
      expect(
        await store.db
          .selectFrom('artifacts')
          .select('id')
          .where('workspace_id', '=', 'tx-a')
          .execute(),
      ).toHaveLength(1)
    })

    it('transaction rolls back when fn throws and rethrows the same error', async () => {
      const store = await ready()
      const boom = new Error('boom')
      const err = await rejectionOf(
        store.transaction(async (trx) => {
          await trx.insertInto('workspaces').values(workspace('rolled-back')).execute()
          throw boom
        }),
      )
      expect(err).toBe(boom)
      expect(await workspaceIds(store.db)).not.toContain('rolled-back')
      // The store is still usable.
      await store.transaction((trx) =>
        trx.insertInto('workspaces').values(workspace('after')).execute(),
      )
      expect(await workspaceIds(store.db)).toContain('after')
    })

    it('runs 20 concurrent transactions without losing a write', async () => {
      const store = await ready()
      const ids = Array.from({ length: 20 }, (_, i) => `par-${String(i).padStart(2, '0')}`)
      const results = await Promise.all(
        ids.map((id, i) =>
          store.transaction(async (trx) => {
            await trx
              .insertInto('workspaces')
              .values(workspace(id, T0 + i))
              .execute()
            const seen = await trx
              .selectFrom('workspaces')
              .select('id')
              .where('id', '=', id)
              .execute()
            return seen.length
          }),
        ),
      )
      expect(results).toEqual(ids.map(() => 1))
      expect(await workspaceIds(store.db)).toEqual(['default', ...ids].sort())
    })

    it('rejects a duplicate key with a recognisable code, rolling back the whole transaction', async () => {
      const store = await ready()
      const direct = await rejectionOf(
        store.db.insertInto('workspaces').values(workspace('default')).execute(),
      )
      expect(codeOf(direct)).toMatch(UNIQUE_VIOLATION)

      await store.db
        .insertInto('artifacts')
        .values(artifact('default', 7, 1))
        .execute()
      const composite = await rejectionOf(
        store.db
          .insertInto('artifacts')
          .values(artifact('default', 7, 2))
          .execute(),
      )
      expect(codeOf(composite)).toMatch(UNIQUE_VIOLATION)

      const inTx = await rejectionOf(
        store.transaction(async (trx) => {
          await trx.insertInto('workspaces').values(workspace('first')).execute()
          await trx.insertInto('workspaces').values(workspace('first')).execute()
        }),
      )
      expect(codeOf(inTx)).toMatch(UNIQUE_VIOLATION)
      expect(await workspaceIds(store.db)).toEqual(['default'])
      await store.ping()
    })

    it('enforces foreign keys', async () => {
      const store = await ready()
      const err = await rejectionOf(
        store.db
          .insertInto('artifacts')
          .values(artifact('no-such-workspace', 1, 1))
          .execute(),
      )
      expect(codeOf(err)).toMatch(FOREIGN_KEY_VIOLATION)
    })

    it('refuses a database written by a newer Plinth with FAILED_PRECONDITION and leaves it intact', async () => {
      const fixture = await setup()
      const { store } = fixture
      await store.init()
      await store.db.insertInto('workspaces').values(workspace('keep-me')).execute()
      const withMigrations =
        store.db.withTables<Record<typeof MIGRATION_TABLE, { name: string; timestamp: string }>>()
      await withMigrations
        .insertInto(MIGRATION_TABLE)
        .values({ name: '9999_future', timestamp: new Date(T0).toISOString() })
        .execute()

      const newer = openAnother(fixture)
      const err = await rejectionOf(newer.init())
      expect(err).toBeInstanceOf(PlatformError)
      expect(err).toMatchObject({
        code: 'FAILED_PRECONDITION',
        details: { unknownMigrations: ['9999_future'] },
      })
      // Nothing was changed or dropped.
      expect(await workspaceIds(store.db)).toEqual(['default', 'keep-me'])
      const recorded = await withMigrations
        .selectFrom(MIGRATION_TABLE)
        .select('name')
        .orderBy('name')
        .execute()
      expect(recorded.map((r) => r.name)).toEqual([
        ...METADATA_MIGRATIONS.map((m) => m.name),
        '9999_future',
      ])
      // The refused store is not usable, and closes cleanly.
      expect(await rejectionOf(newer.ping())).toMatchObject({ code: 'FAILED_PRECONDITION' })
      await newer.close()
    })

    it('checkIntegrity reports ok on a healthy database', async () => {
      const store = await ready()
      await store.db
        .insertInto('artifacts')
        .values(artifact('default', 1, 10))
        .execute()
      expect(await store.checkIntegrity()).toEqual({ ok: true, problems: [] })
    })

    it('ping resolves, and describe names the database without a password', async () => {
      const store = await ready()
      await expect(store.ping()).resolves.toBeUndefined()
      const where = store.describe()
      expect(where.length).toBeGreaterThan(0)
      expect(where).not.toMatch(/\/\/[^/@:]+:[^/@]+@/)
    })

    it('rejects with CANCELLED when the signal is already aborted, before starting', async () => {
      const { store } = await setup()
      const ac = new AbortController()
      ac.abort()
      const signal = ac.signal
      const initErr = await rejectionOf(store.init({ signal }))
      expect(initErr).toBeInstanceOf(CancelledError)
      expect(initErr).toMatchObject({ code: 'CANCELLED' })

      await store.init()
      let called = false
      const txErr = await rejectionOf(
        store.transaction(
          async () => {
            called = true
            await Promise.resolve()
          },
          { signal },
        ),
      )
      expect(txErr).toBeInstanceOf(CancelledError)
      expect(called).toBe(false)
      for (const op of [
        () => store.ping({ signal }),
        () => store.schemaStatus({ signal }),
        () => store.checkIntegrity({ signal }),
      ]) {
        expect(await rejectionOf(op())).toMatchObject({ code: 'CANCELLED' })
      }
    })

    it('fails with FAILED_PRECONDITION before init', async () => {
      const { store } = await setup()
      expect(await rejectionOf(store.ping())).toMatchObject({ code: 'FAILED_PRECONDITION' })
      expect(await rejectionOf(store.transaction(() => Promise.resolve(1)))).toMatchObject({
        code: 'FAILED_PRECONDITION',
      })
      expect(
        await rejectionOf(store.db.selectFrom('workspaces').selectAll().execute()),
      ).toMatchObject({ code: 'FAILED_PRECONDITION' })
    })

    it('close waits for a running transaction; afterwards every operation fails with UNAVAILABLE', async () => {
      const fixture = await setup()
      const { store } = fixture
      await store.init()
      const order: string[] = []
      let markStarted: () => void = () => undefined
      const started = new Promise<void>((resolve) => {
        markStarted = resolve
      })
      const tx = store.transaction(async (trx) => {
        markStarted()
        await sleep(50)
        await trx.insertInto('workspaces').values(workspace('late-writer')).execute()
        order.push('transaction')
        return 'committed'
      })
      await started
      await store.close()
      order.push('close')
      expect(await tx).toBe('committed')
      expect(order).toEqual(['transaction', 'close'])

      for (const op of [
        () => store.ping(),
        () => store.transaction(() => Promise.resolve(1)),
        () => store.schemaStatus(),
        () => store.checkIntegrity(),
        () => store.init(),
        () => store.db.selectFrom('workspaces').selectAll().execute(),
      ]) {
        const err = await rejectionOf(op())
        expect(err).toBeInstanceOf(PlatformError)
        expect(err).toMatchObject({ code: 'UNAVAILABLE' })
      }
      await expect(store.close()).resolves.toBeUndefined()

      // The write made before close was committed.
      const again = openAnother(fixture)
      await again.init()
      expect(await workspaceIds(again.db)).toContain('late-writer')
    })
  })
}
