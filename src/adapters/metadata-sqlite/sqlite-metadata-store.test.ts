import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import Database from 'better-sqlite3'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'

import { describeMetadataStore } from '../../ports/testing/describe-metadata-store.js'
import type { MetadataStore } from '../../ports/index.js'
import { createSqliteMetadataStore, sqliteMetadataConfigSchema } from './index.js'

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'plinth-sqlite-'))
}

describeMetadataStore(
  'sqlite',
  async () => {
    const dir = await tempDir()
    const config = sqliteMetadataConfigSchema.parse({
      kind: 'sqlite',
      path: join(dir, 'plinth.db'),
    })
    return {
      store: createSqliteMetadataStore(config),
      open: () => createSqliteMetadataStore(config),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    }
  },
  { concurrentStoresInProcess: false },
)

describe('createSqliteMetadataStore', () => {
  const dirs: string[] = []
  const stores: MetadataStore[] = []

  async function scratch(): Promise<string> {
    const dir = await tempDir()
    dirs.push(dir)
    return dir
  }

  function create(path: string, extra: Record<string, unknown> = {}): MetadataStore {
    const store = createSqliteMetadataStore(
      sqliteMetadataConfigSchema.parse({ kind: 'sqlite', path, ...extra }),
    )
    stores.push(store)
    return store
  }

  afterEach(async () => {
    await Promise.allSettled(stores.splice(0).map((s) => s.close()))
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
  })

  it('applies config defaults and rejects bad configs with every issue', () => {
    expect(sqliteMetadataConfigSchema.parse({ kind: 'sqlite', path: 'x.db' })).toEqual({
      kind: 'sqlite',
      path: 'x.db',
      busyTimeoutMs: 5000,
      synchronous: 'FULL',
    })
    const bad = { kind: 'sqlite', path: '', busyTimeoutMs: -1, synchronous: 'OFF' }
    // Well-typed but out of range: the factory validates again rather than trusting its caller.
    expect(() =>
      createSqliteMetadataStore({
        kind: 'sqlite',
        path: '',
        busyTimeoutMs: -1,
        synchronous: 'FULL',
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    const result = sqliteMetadataConfigSchema.safeParse(bad)
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'busyTimeoutMs',
      'path',
      'synchronous',
    ])
  })

  it('creates a missing parent directory with mode 0700 and describes the absolute path', async () => {
    const dir = await scratch()
    const path = join(dir, 'nested', 'deeper', 'plinth.db')
    const store = create(path)
    expect(store.describe()).toBe(`sqlite:${path}`)
    await store.init()
    const info = await stat(join(dir, 'nested', 'deeper'))
    expect(info.mode & 0o777).toBe(0o700)
    expect(store.kind).toBe('sqlite')
    expect(store.dialect).toBe('sqlite')
  })

  it('sets WAL, synchronous, foreign keys and the busy timeout on the connection', async () => {
    const dir = await scratch()
    const store = create(join(dir, 'plinth.db'), { busyTimeoutMs: 1234 })
    await store.init()
    const pragma = async (name: string): Promise<unknown> => {
      const { rows } = await sql<Record<string, unknown>>`pragma ${sql.raw(name)}`.execute(store.db)
      return Object.values(rows[0] ?? {})[0]
    }
    expect(await pragma('journal_mode')).toBe('wal')
    expect(await pragma('synchronous')).toBe(2) // FULL
    expect(await pragma('foreign_keys')).toBe(1)
    expect(await pragma('busy_timeout')).toBe(1234)

    const normal = create(join(dir, 'other.db'), { synchronous: 'NORMAL' })
    await normal.init()
    const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(normal.db)
    expect(rows[0]?.synchronous).toBe(1)
  })

  it('works in memory', async () => {
    const store = create(':memory:')
    expect(store.describe()).toBe('sqlite::memory:')
    await store.init()
    expect((await store.schemaStatus()).applied).toEqual((await store.schemaStatus()).known)
    expect(await store.checkIntegrity()).toEqual({ ok: true, problems: [] })
  })

  it('checkIntegrity reports rows that break a foreign key', async () => {
    const dir = await scratch()
    const store = create(join(dir, 'plinth.db'))
    await store.init()
    await sql`pragma foreign_keys = off`.execute(store.db)
    await store.db
      .insertInto('artifacts')
      .values({
        workspace_id: 'gone',
        id: '0'.repeat(32),
        name: 'orphan',
        content_key: 'f'.repeat(64),
        size: 1,
        media_type: 'text/plain',
        created_at: 1,
        created_by: 'local',
      })
      .execute()
    await sql`pragma foreign_keys = on`.execute(store.db)
    const report = await store.checkIntegrity()
    expect(report.ok).toBe(false)
    expect(report.problems).toEqual([
      'foreign key violation: artifacts row 1 references a missing row in workspaces',
    ])
  })

  it('refuses a file that is not a SQLite database with FAILED_PRECONDITION', async () => {
    const dir = await scratch()
    const path = join(dir, 'not-a.db')
    await writeFile(path, 'this is not a database, just some text that is long enough'.repeat(20))
    const err = await create(path)
      .init()
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'FAILED_PRECONDITION' })
  })

  it('maps a lock held too long by another connection to UNAVAILABLE', async () => {
    const dir = await scratch()
    const path = join(dir, 'plinth.db')
    const store = create(path, { busyTimeoutMs: 50 })
    await store.init()
    const other = new Database(path)
    try {
      other.exec('begin immediate')
      const err = await store
        .transaction((trx) => trx.selectFrom('workspaces').selectAll().execute())
        .catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { code: 'SQLITE_BUSY' } })
      other.exec('rollback')
    } finally {
      other.close()
    }
    await expect(store.ping()).resolves.toBeUndefined()
  })

  it('can retry init after a failure, and close without init', async () => {
    const dir = await scratch()
    const blocker = join(dir, 'file')
    await writeFile(blocker, 'x')
    // The parent "directory" is a file, so mkdir fails.
    const store = create(join(blocker, 'plinth.db'))
    expect(await store.init().catch((e: unknown) => e)).toMatchObject({ code: 'UNAVAILABLE' })
    await rm(blocker)
    await store.init()
    await store.ping()

    const unused = create(join(dir, 'unused.db'))
    await unused.close()
    expect(await unused.init().catch((e: unknown) => e)).toMatchObject({ code: 'UNAVAILABLE' })
  })
})
