import { randomBytes } from 'node:crypto'

import { sql } from 'kysely'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'

import { describeMetadataStore } from '../../ports/testing/describe-metadata-store.js'
import type { MetadataStore } from '../../ports/index.js'
import {
  createPostgresMetadataStore,
  postgresMetadataConfigSchema,
  type PostgresMetadataConfig,
} from './index.js'

const url = process.env['PLINTH_TEST_POSTGRES_URL'] ?? ''
const ciValue = process.env['CI'] ?? ''
const inCi = ciValue !== '' && ciValue !== '0' && ciValue.toLowerCase() !== 'false'

/** A fresh schema name per database, so runs (and tests) never see each other's tables. */
function freshSchema(): string {
  return `plinth_test_${randomBytes(6).toString('hex')}`
}

function configFor(schema: string, extra: Record<string, unknown> = {}): PostgresMetadataConfig {
  return postgresMetadataConfigSchema.parse({
    kind: 'postgres',
    url,
    schema,
    poolSize: 4,
    ...extra,
  })
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`drop schema if exists ${client.escapeIdentifier(schema)} cascade`)
  } finally {
    await client.end()
  }
}

describe('postgresMetadataConfigSchema', () => {
  it('applies defaults and validates the URL and schema name', () => {
    expect(
      postgresMetadataConfigSchema.parse({ kind: 'postgres', url: 'postgresql://h/db' }),
    ).toEqual({
      kind: 'postgres',
      url: 'postgresql://h/db',
      poolSize: 10,
      statementTimeoutMs: 30_000,
      connectTimeoutMs: 5000,
    })
    for (const bad of ['http://h/db', 'not a url', '']) {
      expect(postgresMetadataConfigSchema.safeParse({ kind: 'postgres', url: bad }).success).toBe(
        false,
      )
    }
    for (const schema of ['Upper', '1abc', 'a-b', 'a;drop', 'pg_catalog', 'x'.repeat(64), '']) {
      const result = postgresMetadataConfigSchema.safeParse({
        kind: 'postgres',
        url: 'postgres://h/db',
        schema,
      })
      expect(result.success, schema).toBe(false)
    }
    expect(
      postgresMetadataConfigSchema.safeParse({
        kind: 'postgres',
        url: 'postgres://h/db',
        schema: '_a1',
      }).success,
    ).toBe(true)
  })

  it('never echoes the URL (and its password) in a validation error', () => {
    const err = (() => {
      try {
        createPostgresMetadataStore({
          kind: 'postgres',
          url: 'postgres://u:hunter2@h/db',
          schema: 'Bad-Name',
          poolSize: 1,
          statementTimeoutMs: 0,
          connectTimeoutMs: 1,
        })
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(JSON.stringify(err)).not.toContain('hunter2')
  })
})

describe('createPostgresMetadataStore without a server', () => {
  it('describes the location without the password', () => {
    const store = createPostgresMetadataStore(
      postgresMetadataConfigSchema.parse({
        kind: 'postgres',
        url: 'postgres://plinth:s3cr%40t@db.example:6543/meta?sslmode=require&password=other',
        schema: 'plinth',
      }),
    )
    expect(store.describe()).toBe('postgres://plinth@db.example:6543/meta?schema=plinth')
    expect(store.kind).toBe('postgres')
    expect(store.dialect).toBe('postgres')
  })

  it('fails init with UNAVAILABLE and a clear message without the password when nothing listens', async () => {
    // Port 1 on loopback: refused at once, so the test does not wait for the timeout.
    const store = createPostgresMetadataStore(
      postgresMetadataConfigSchema.parse({
        kind: 'postgres',
        url: 'postgres://plinth:hunter2@127.0.0.1:1/meta',
        connectTimeoutMs: 1000,
      }),
    )
    const err = await store.init().catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'UNAVAILABLE' })
    expect(err instanceof Error ? err.message : '').toMatch(
      /^could not connect to PostgreSQL at postgres:\/\/plinth@127\.0\.0\.1:1\/meta: .*ECONNREFUSED/,
    )
    expect(JSON.stringify(err)).not.toContain('hunter2')
    expect(err instanceof Error ? err.message : '').not.toContain('hunter2')
    await store.close()
  })
})

if (url === '') {
  describe('MetadataStore contract: postgres', () => {
    if (inCi) {
      it('runs in CI', () => {
        throw new Error(
          'PLINTH_TEST_POSTGRES_URL is not set: CI must provide a PostgreSQL server for this suite',
        )
      })
    } else {
      // A dynamic skip with a note: reporters print the note next to the skipped test.
      it('needs a PostgreSQL server', (ctx) => {
        ctx.skip(
          'set PLINTH_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run it',
        )
      })
    }
  })
} else {
  describeMetadataStore('postgres', async () => {
    const schema = freshSchema()
    const config = configFor(schema)
    return {
      store: createPostgresMetadataStore(config),
      open: () => createPostgresMetadataStore(config),
      cleanup: () => dropSchema(schema),
    }
  })

  describe('createPostgresMetadataStore on a server', () => {
    const schemas: string[] = []
    const stores: MetadataStore[] = []

    function create(extra: Record<string, unknown> = {}, schema = freshSchema()): MetadataStore {
      if (!schemas.includes(schema)) schemas.push(schema)
      const store = createPostgresMetadataStore(configFor(schema, extra))
      stores.push(store)
      return store
    }

    afterEach(async () => {
      await Promise.allSettled(stores.splice(0).map((s) => s.close()))
      for (const schema of schemas.splice(0)) await dropSchema(schema)
    })

    it('keeps each schema to itself, even when another schema already has Plinth tables', async () => {
      const a = create()
      const b = create()
      // One after the other on purpose: b must not mistake a's plinth_migrations for its own.
      await a.init()
      await b.init()
      expect((await b.schemaStatus()).applied).toEqual((await b.schemaStatus()).known)
      await a.db
        .insertInto('workspaces')
        .values({
          id: 'only-in-a',
          display_name: 'A',
          description: '',
          created_at: 1,
          created_by: 'local',
          updated_at: 1,
          updated_by: 'local',
        })
        .execute()
      const inB = await b.db.selectFrom('workspaces').select('id').execute()
      expect(inB.map((r) => r.id)).toEqual(['default'])
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
        a.db,
      )
      expect(rows[0]?.schema).toBe(schemas[0])
    })

    it('parses int8 as numbers on its own pool only, leaving pg.types alone', async () => {
      const store = create()
      await store.init()
      const { rows } = await sql<{ big: unknown; count: unknown }>`
        select 1700000000123::int8 as big, count(*) as count from workspaces`.execute(store.db)
      expect(rows[0]).toEqual({ big: 1_700_000_000_123, count: 1 })
      // A plain client in the same process still gets pg's default: int8 as a string.
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        const plain = await client.query<{ big: unknown }>('select 42::int8 as big')
        expect(plain.rows[0]?.big).toBe('42')
      } finally {
        await client.end()
      }
    })

    it('refuses int8 values that a JS number cannot hold exactly', async () => {
      const store = create()
      await store.init()
      const err = await sql`select 9007199254740993::int8 as big`
        .execute(store.db)
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(RangeError)
      await store.ping()
    })

    it('maps a statement timeout to DEADLINE_EXCEEDED', async () => {
      const store = create({ statementTimeoutMs: 100 })
      await store.init()
      const err = await sql`select pg_sleep(2)`.execute(store.db).catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'DEADLINE_EXCEEDED' })
      await store.ping()
    })

    it('uses an existing schema without needing to create it', async () => {
      const schema = freshSchema()
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        await client.query(`create schema ${client.escapeIdentifier(schema)}`)
      } finally {
        await client.end()
      }
      const store = create({}, schema)
      await store.init()
      expect(await store.checkIntegrity()).toEqual({ ok: true, problems: [] })
    })
  })
}
