import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import pg from 'pg'
import { describe, it } from 'vitest'

import { createMemoryEventBus } from '../../src/adapters/event-bus-memory/index.js'
import {
  createPostgresMetadataStore,
  postgresMetadataConfigSchema,
} from '../../src/adapters/metadata-postgres/index.js'
import {
  createSqliteMetadataStore,
  sqliteMetadataConfigSchema,
} from '../../src/adapters/metadata-sqlite/index.js'
import { createFakeClock, type DomainEvent, type FakeClock } from '../../src/core/index.js'
import type { MetadataStore } from '../../src/ports/index.js'
import {
  RegistryService,
  type DatasetLineage,
  type RegistryRun,
  type RegistryRunSource,
} from '../../src/registry/index.js'
import { WorkspaceService } from '../../src/workspaces/index.js'

const PG_URL = process.env['PLINTH_TEST_POSTGRES_URL'] ?? ''
const CI = process.env['CI'] ?? ''
const IN_CI = CI !== '' && CI !== '0' && CI.toLowerCase() !== 'false'

/** A metadata store on a fresh database, and how to remove it. */
export interface OpenedStore {
  readonly store: MetadataStore
  cleanup(): Promise<void>
}

/** A metadata backend the registry's tests run on. */
export interface MetadataBackend {
  readonly name: 'sqlite' | 'postgres'
  /** A new, initialised store on an empty database. */
  open(): Promise<OpenedStore>
}

const sqlite: MetadataBackend = {
  name: 'sqlite',
  async open() {
    const dir = await mkdtemp(join(tmpdir(), 'plinth-registry-'))
    const store = createSqliteMetadataStore(
      sqliteMetadataConfigSchema.parse({ kind: 'sqlite', path: join(dir, 'plinth.db') }),
    )
    await store.init()
    return {
      store,
      cleanup: async () => {
        await store.close()
        await rm(dir, { recursive: true, force: true })
      },
    }
  },
}

const postgres: MetadataBackend = {
  name: 'postgres',
  async open() {
    const schema = `plinth_registry_${randomBytes(6).toString('hex')}`
    const store = createPostgresMetadataStore(
      postgresMetadataConfigSchema.parse({ kind: 'postgres', url: PG_URL, schema, poolSize: 6 }),
    )
    await store.init()
    return {
      store,
      cleanup: async () => {
        await store.close()
        const client = new pg.Client({ connectionString: PG_URL })
        await client.connect()
        try {
          await client.query(`drop schema if exists ${client.escapeIdentifier(schema)} cascade`)
        } finally {
          await client.end()
        }
      },
    }
  },
}

/**
 * Runs `body` once per metadata backend: SQLite always, PostgreSQL when
 * `PLINTH_TEST_POSTGRES_URL` is set (required in CI; skipped with a note locally).
 */
export function describeOnBackends(title: string, body: (backend: MetadataBackend) => void): void {
  describe(`${title} (sqlite)`, () => {
    body(sqlite)
  })
  if (PG_URL === '') {
    describe(`${title} (postgres)`, () => {
      if (IN_CI) {
        it('runs in CI', () => {
          throw new Error('PLINTH_TEST_POSTGRES_URL is not set: CI must provide PostgreSQL')
        })
      } else {
        it('needs a PostgreSQL server', (ctx) => {
          ctx.skip(
            'set PLINTH_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run it',
          )
        })
      }
    })
  } else {
    describe(`${title} (postgres)`, () => {
      body(postgres)
    })
  }
}

/** An in-memory run source: runs and their artifact files, set up by the test. */
export class FakeRuns implements RegistryRunSource {
  readonly runs = new Map<string, RegistryRun>()
  readonly files = new Map<string, Uint8Array>()

  /** Adds a run; returns its id. */
  addRun(init: Partial<Omit<RegistryRun, 'id'>> & { readonly id?: string } = {}): RegistryRun {
    const id = init.id ?? randomUUID().replaceAll('-', '')
    const run: RegistryRun = {
      id,
      experimentId: init.experimentId ?? '1',
      name: init.name ?? `run-${id.slice(0, 6)}`,
      status: init.status ?? 'FINISHED',
      startTime: init.startTime ?? 1_700_000_000_000 + this.runs.size,
      endTime: init.endTime ?? null,
      artifactUri: init.artifactUri ?? `mlflow-artifacts:/1/${id}/artifacts`,
      metrics: init.metrics ?? {},
      tags: init.tags ?? {},
      inputs: init.inputs ?? [],
    }
    this.runs.set(id, run)
    return run
  }

  /** Stores a JSON artifact of a run. */
  putJson(runId: string, path: string, value: unknown): void {
    this.files.set(`${runId}/${path}`, Buffer.from(JSON.stringify(value), 'utf8'))
  }

  findRun(_ctx: unknown, runId: string): Promise<RegistryRun | undefined> {
    return Promise.resolve(this.runs.get(runId))
  }

  readArtifact(_ctx: unknown, runId: string, path: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.files.get(`${runId}/${path}`))
  }

  findRunsByTag(
    _ctx: unknown,
    experimentId: string,
    key: string,
    value: string,
  ): Promise<readonly RegistryRun[]> {
    return Promise.resolve(
      [...this.runs.values()]
        .filter((r) => r.experimentId === experimentId && r.tags[key] === value)
        .sort((a, b) => b.startTime - a.startTime),
    )
  }

  findRunsByDatasetVersion(_ctx: unknown, id: string): Promise<readonly RegistryRun[]> {
    return Promise.resolve(
      [...this.runs.values()]
        .filter((r) => r.inputs.some((i: DatasetLineage) => i.datasetVersionId === id))
        .sort((a, b) => b.startTime - a.startTime),
    )
  }
}

/** A registry service over a store, with a fake clock, fake runs and recorded events. */
export interface RegistryFixture {
  readonly registry: RegistryService
  readonly runs: FakeRuns
  readonly clock: FakeClock
  readonly events: DomainEvent[]
}

/** Builds a registry service on `store`. */
export function createRegistryFixture(store: MetadataStore): RegistryFixture {
  const clock = createFakeClock(1_700_000_000_000)
  const bus = createMemoryEventBus({ kind: 'memory' })
  const events: DomainEvent[] = []
  bus.subscribe('*', (e) => {
    events.push(e)
  })
  const workspaces = new WorkspaceService({ metadata: store, events: bus, clock })
  const runs = new FakeRuns()
  const registry = new RegistryService({ metadata: store, events: bus, clock, workspaces, runs })
  return { registry, runs, clock, events }
}

/** A fresh model name, so tests sharing a database never collide. */
export function uniqueName(prefix = 'model'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`
}
