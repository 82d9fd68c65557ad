import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  createPostgresMetadataStore,
  postgresMetadataConfigSchema,
} from '../../src/adapters/metadata-postgres/index.js'
import { createContext, type WorkspaceId } from '../../src/core/index.js'
import type { MetadataStore } from '../../src/ports/index.js'
import {
  createRegistryFixture,
  describeOnBackends,
  uniqueName,
  type OpenedStore,
} from '../support/registry.js'

/*
 * The registry's tables (migration 0004_registry) and the guarantees its repo relies on, on both
 * engines: constraints, cascades, the version counter and LIKE semantics. The repo is reached
 * through SQL here so the constraints are tested on their own, not through the service's checks.
 */

const ws = 'default' as WorkspaceId
const T0 = 1_700_000_000_123
const UNIQUE = /^(SQLITE_CONSTRAINT_PRIMARYKEY|SQLITE_CONSTRAINT_UNIQUE|23505)$/
const FOREIGN_KEY = /^(SQLITE_CONSTRAINT_FOREIGNKEY|23503)$/

function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : ''
}

function model(id: string, name: string) {
  return {
    workspace_id: ws,
    id,
    name,
    description: '',
    last_version: 0,
    created_at: T0,
    created_by: 'local',
    updated_at: T0,
    updated_by: 'local',
  }
}

function version(id: string, modelId: string, n: number) {
  return {
    workspace_id: ws,
    id,
    model_id: modelId,
    version: n,
    source: `s3://b/${id}`,
    run_id: null,
    run_link: '',
    status: 'READY',
    status_message: '',
    stage: 'None',
    description: '',
    flavor: 'external',
    model_kind: null,
    model_path: null,
    signature_json: null,
    input_example_json: null,
    metrics_json: '{}',
    created_at: T0,
    created_by: 'local',
    updated_at: T0,
    updated_by: 'local',
  }
}

describeOnBackends('registry schema', (backend) => {
  let opened: OpenedStore
  let store: MetadataStore

  beforeAll(async () => {
    opened = await backend.open()
    store = opened.store
  })
  afterAll(async () => {
    await opened.cleanup()
  })

  it('is applied as 0004_registry after tracking, with every table', async () => {
    const status = await store.schemaStatus()
    expect(status.applied).toEqual(status.known)
    expect(status.applied.indexOf('0004_registry')).toBe(
      status.applied.indexOf('0003_tracking') + 1,
    )
    const tables = (await store.db.introspection.getTables()).map((t) => t.name)
    expect(tables).toEqual(
      expect.arrayContaining([
        'registered_models',
        'registered_model_tags',
        'model_versions',
        'model_version_tags',
        'model_version_datasets',
        'registered_model_aliases',
        'registry_audit',
      ]),
    )
    const versions = (await store.db.introspection.getTables()).find(
      (t) => t.name === 'model_versions',
    )
    expect(versions?.columns.map((c) => c.name)).toEqual(
      expect.arrayContaining(['version', 'source', 'run_id', 'status', 'stage', 'signature_json']),
    )
  })

  it('enforces one name per workspace and one number per model', async () => {
    await store.db.insertInto('registered_models').values(model('m1', 'one')).execute()
    const dupName = await store.db
      .insertInto('registered_models')
      .values(model('m2', 'one'))
      .execute()
      .catch((e: unknown) => e)
    expect(codeOf(dupName)).toMatch(UNIQUE)
    await store.db
      .insertInto('model_versions')
      .values(version('v1', 'm1', 1))
      .execute()
    const dupNumber = await store.db
      .insertInto('model_versions')
      .values(version('v2', 'm1', 1))
      .execute()
      .catch((e: unknown) => e)
    expect(codeOf(dupNumber)).toMatch(UNIQUE)
    const orphan = await store.db
      .insertInto('model_versions')
      .values(version('v3', 'no-such-model', 1))
      .execute()
      .catch((e: unknown) => e)
    expect(codeOf(orphan)).toMatch(FOREIGN_KEY)
  })

  it('cascades a model deletion to versions, tags, lineage and aliases; the audit stays', async () => {
    const db = store.db
    await db.insertInto('registered_models').values(model('m9', 'nine')).execute()
    await db
      .insertInto('model_versions')
      .values(version('v9', 'm9', 1))
      .execute()
    await db
      .insertInto('registered_model_tags')
      .values({ workspace_id: ws, model_id: 'm9', key: 'k', value: 'v' })
      .execute()
    await db
      .insertInto('model_version_tags')
      .values({ workspace_id: ws, version_id: 'v9', key: 'k', value: 'v' })
      .execute()
    await db
      .insertInto('model_version_datasets')
      .values({
        workspace_id: ws,
        version_id: 'v9',
        position: 0,
        dataset_name: 'd',
        digest: 'sha256:x',
        context: 'training',
        dataset_version_id: null,
      })
      .execute()
    await db
      .insertInto('registered_model_aliases')
      .values({
        workspace_id: ws,
        model_id: 'm9',
        alias: 'champion',
        version_id: 'v9',
        updated_at: T0,
        updated_by: 'local',
      })
      .execute()
    await db
      .insertInto('registry_audit')
      .values({
        workspace_id: ws,
        id: 'a9',
        model_id: 'm9',
        model_name: 'nine',
        version: 1,
        action: 'alias.set',
        alias: 'champion',
        from_value: null,
        to_value: '1',
        actor: 'local',
        at: T0,
      })
      .execute()
    await db.deleteFrom('registered_models').where('id', '=', 'm9').execute()
    const count = async (
      table:
        | 'model_versions'
        | 'registered_model_tags'
        | 'model_version_tags'
        | 'model_version_datasets'
        | 'registered_model_aliases'
        | 'registry_audit',
    ): Promise<number> => {
      const rows = await db.selectFrom(table).select('workspace_id').execute()
      return rows.length
    }
    expect(await count('registered_model_aliases')).toBe(0)
    expect(await count('registered_model_tags')).toBe(0)
    expect(await count('model_version_tags')).toBe(0)
    expect(await count('model_version_datasets')).toBe(0)
    expect((await db.selectFrom('model_versions').select('id').execute()).map((r) => r.id)).toEqual(
      ['v1'],
    )
    expect(await count('registry_audit')).toBe(1)
  })

  it('keeps big epoch-ms times exact', async () => {
    const row = await store.db
      .selectFrom('registry_audit')
      .select('at')
      .where('id', '=', 'a9')
      .executeTakeFirstOrThrow()
    expect(row.at).toBe(T0)
  })
})

describe('registry schema: two PostgreSQL stores racing for version numbers', () => {
  it('never hands out a number twice', async (ctx) => {
    if ((process.env['PLINTH_TEST_POSTGRES_URL'] ?? '') === '') {
      ctx.skip('set PLINTH_TEST_POSTGRES_URL to run it')
      return
    }
    const url = process.env['PLINTH_TEST_POSTGRES_URL'] ?? ''
    const schema = `plinth_registry_race_${uniqueName('x').slice(2)}`.replaceAll('-', '_')
    const open = (): MetadataStore =>
      createPostgresMetadataStore(
        postgresMetadataConfigSchema.parse({ kind: 'postgres', url, schema, poolSize: 4 }),
      )
    const a = open()
    const b = open()
    try {
      await a.init()
      await b.init()
      const fa = createRegistryFixture(a)
      const fb = createRegistryFixture(b)
      const c = createContext()
      await fa.registry.createRegisteredModel(c, { name: 'raced' })
      const made = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          (i % 2 === 0 ? fa : fb).registry.createModelVersion(c, {
            name: 'raced',
            source: `s3://b/${String(i)}`,
          }),
        ),
      )
      expect(made.map((v) => v.version).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 16 }, (_, i) => i + 1),
      )
    } finally {
      await Promise.allSettled([a.close(), b.close()])
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        await client.query(`drop schema if exists ${client.escapeIdentifier(schema)} cascade`)
      } finally {
        await client.end()
      }
    }
  })
})
