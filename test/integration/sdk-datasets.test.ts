import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  NotFoundError,
  PlatformError,
  ValidationError,
  type ValidationIssue,
} from '../../src/core/index.js'
import { createPlinth, type Plinth } from '../../src/sdk/index.js'
import { SDK_MODES } from '../support/sdk-modes.js'

/*
 * One suite, run twice: `plinth.datasets` embedded (over a platform in this process) and remote
 * (over `/api/v1/datasets` of a server on 127.0.0.1:0). What each mode returns is kept, and the
 * last block checks that both returned the same things.
 */

const CSV = [
  'id,species,length,weight',
  '1,cat,1.5,4',
  '2,dog,2.25,12',
  '3,cat,1.75,5',
  '4,bird,0.5,0.25',
  '5,dog,2.5,15',
  '6,cat,1.25,3.5',
  '7,dog,2,10',
  '8,bird,0.75,0.5',
].join('\n')
const CSV_V2 = `${CSV}\n9,cat,1.5,4.5`

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  for await (const c of stream) chunks.push(c)
  return Buffer.concat(chunks)
}

/** The error a call rejects with. */
async function failure(p: Promise<unknown>): Promise<PlatformError> {
  try {
    await p
  } catch (err) {
    if (err instanceof PlatformError) return err
    throw err
  }
  throw new Error('expected the call to fail')
}

/** The issues of a `ValidationError` (failing the test for any other error). */
function issuesOf(err: PlatformError): readonly ValidationIssue[] {
  if (!(err instanceof ValidationError))
    throw new Error(`expected a ValidationError, got ${err.code}`)
  return err.issues
}

/** Drops what differs between two platforms by nature: ids, times and the source of a file. */
function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      // A file's source is `file://<path>` embedded and `upload:<name>` remote (both checked above).
      ['id', 'datasetId', 'parentVersionId', 'createdAt', 'updatedAt', 'sourceUri'].includes(k)
        ? typeof v
        : stable(v),
    ]),
  )
}

const seen: Record<string, Record<string, unknown>> = {}
let files: string
beforeAll(() => {
  files = mkdtempSync(path.join(tmpdir(), 'plinth-sdk-datasets-'))
  writeFileSync(path.join(files, 'animals.csv'), CSV)
  writeFileSync(path.join(files, 'animals-v2.csv'), CSV_V2)
  writeFileSync(path.join(files, 'mystery.bin'), CSV)
})
afterAll(() => {
  rmSync(files, { recursive: true, force: true })
})

for (const mode of SDK_MODES) {
  describe(`SDK datasets (${mode.name})`, () => {
    let plinth: Plinth
    let teardown: () => Promise<void>
    const keep: Record<string, unknown> = {}
    seen[mode.name] = keep

    beforeAll(async () => {
      ;({ plinth, teardown } = await mode.setup())
    })
    afterAll(async () => {
      await teardown()
    })

    it('ingests a CSV file, and the same content again as the same version', async () => {
      const first = await plinth.datasets.ingest({
        name: 'animals',
        source: path.join(files, 'animals.csv'),
        target: 'weight',
        description: 'small animals',
      })
      expect(first).toMatchObject({
        created: true,
        skippedRows: 0,
        dataset: { name: 'animals', description: 'small animals', workspace: 'default' },
        version: { datasetName: 'animals', version: 1, rowCount: 8, sourceFormat: 'csv' },
      })
      expect(first.version.columns.map((c) => c.name)).toEqual([
        'id',
        'species',
        'length',
        'weight',
      ])
      expect(first.version.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      const again = await plinth.datasets.ingest({
        name: 'animals',
        source: path.join(files, 'animals.csv'),
      })
      expect(again).toMatchObject({ created: false, version: { version: 1 } })
      keep['ingest'] = first
    })

    it('ingests bytes, recorded as an upload', async () => {
      const r = await plinth.datasets.ingest({
        name: 'bytes',
        source: new TextEncoder().encode(CSV),
        format: 'csv',
        fileName: 'animals.csv',
      })
      expect(r.version).toMatchObject({ sourceUri: 'upload:animals.csv', rowCount: 8 })
      keep['bytes'] = r
    })

    it('lists datasets and shows one with its latest version', async () => {
      await plinth.datasets.ingest({ name: 'animals', source: path.join(files, 'animals-v2.csv') })
      const list = await plinth.datasets.list()
      expect(list.map((d) => [d.name, d.versions, d.latest])).toEqual([
        ['animals', 2, 2],
        ['bytes', 1, 1],
      ])
      expect(Object.keys(list[0] ?? {}).sort()).toEqual(
        [
          'createdAt',
          'createdBy',
          'description',
          'id',
          'latest',
          'name',
          'updatedAt',
          'versions',
          'workspace',
        ].sort(),
      )
      const shown = await plinth.datasets.show('animals')
      expect(shown.dataset).toMatchObject({ name: 'animals', description: 'small animals' })
      expect(shown.latest).toMatchObject({ version: 2, rowCount: 9 })
      keep['list'] = list
      keep['show'] = shown
    })

    it('lists versions newest first and gets one by number, latest or id', async () => {
      const versions = await plinth.datasets.versions('animals')
      expect(versions.map((v) => v.version)).toEqual([2, 1])
      const v1 = await plinth.datasets.version('animals', 1)
      expect(v1).toEqual(versions[1])
      expect(await plinth.datasets.version('animals', 'latest')).toEqual(versions[0])
      expect(await plinth.datasets.version('animals', v1.id)).toEqual(v1)
      expect(Object.keys(v1).sort()).toEqual(
        [
          'columns',
          'createdAt',
          'createdBy',
          'datasetId',
          'datasetName',
          'digest',
          'id',
          'lineage',
          'parentVersionId',
          'rowCount',
          'sizeBytes',
          'sourceFormat',
          'sourceUri',
          'version',
          'workspace',
        ].sort(),
      )
      keep['versions'] = versions
    })

    it('reads the first rows', async () => {
      const head = await plinth.datasets.head('animals', 1, { limit: 2 })
      expect(head.columns.map((c) => c.name)).toEqual(['id', 'species', 'length', 'weight'])
      expect(head.rows).toEqual([
        { id: 1, species: 'cat', length: 1.5, weight: 4 },
        { id: 2, species: 'dog', length: 2.25, weight: 12 },
      ])
      expect((await plinth.datasets.head('animals', 'latest')).rows).toHaveLength(9)
      keep['head'] = head
    })

    it('reads the profile computed at ingest', async () => {
      const profile = await plinth.datasets.profile('animals', 1)
      expect(profile.rowCount).toBe(8)
      expect(profile.columns.map((c) => c.name)).toEqual(['id', 'species', 'length', 'weight'])
      expect(profile.target?.name).toBe('weight')
      keep['profile'] = profile
    })

    it('exports CSV, NDJSON and Parquet that ingest back to the same data', async () => {
      const csv = await plinth.datasets.export('animals', 1, { format: 'csv' })
      expect(csv.mediaType).toBe('text/csv; charset=utf-8')
      const text = (await collect(csv.body)).toString('utf8')
      expect(text.trim().split('\n')).toHaveLength(9)
      expect(text.split('\n')[0]).toBe('id,species,length,weight')
      const back = await plinth.datasets.ingest({
        name: 'from-csv',
        source: Buffer.from(text),
        format: 'csv',
      })
      expect((await plinth.datasets.head('from-csv', 'latest', { limit: 1000 })).rows).toEqual(
        (await plinth.datasets.head('animals', 1, { limit: 1000 })).rows,
      )
      expect(back.version.rowCount).toBe(8)

      const ndjson = await plinth.datasets.export('animals', 1, { format: 'ndjson' })
      expect(ndjson.mediaType).toBe('application/x-ndjson')
      const lines = (await collect(ndjson.body)).toString('utf8').trim().split('\n')
      expect(lines.map((l) => JSON.parse(l) as unknown)[3]).toEqual({
        id: 4,
        species: 'bird',
        length: 0.5,
        weight: 0.25,
      })

      // Parquet is the stored content: ingested back, it is the same bytes, so the same digest.
      const parquet = await plinth.datasets.export('animals', 1)
      expect(parquet).toMatchObject({
        format: 'parquet',
        mediaType: 'application/vnd.apache.parquet',
      })
      const bytes = await collect(parquet.body)
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('PAR1')
      const copy = await plinth.datasets.ingest({
        name: 'from-parquet',
        source: bytes,
        format: 'parquet',
      })
      expect(copy.version.digest).toBe((await plinth.datasets.version('animals', 1)).digest)
      keep['csv'] = text
    })

    it('splits a version into seeded partitions', async () => {
      const r = await plinth.datasets.split('animals', 2, {
        kind: 'random',
        fractions: { train: 0.5, test: 0.5 },
        seed: 7,
      })
      expect(r.parent.version).toBe(2)
      expect(r.partitions.map((p) => p.name).sort()).toEqual(['animals.test', 'animals.train'])
      expect(r.partitions.reduce((n, p) => n + p.version.rowCount, 0)).toBe(9)
      keep['split'] = r
    })

    it('throws NotFoundError for a missing dataset, version or file', async () => {
      const errors = [
        await failure(plinth.datasets.show('nope')),
        await failure(plinth.datasets.versions('nope')),
        await failure(plinth.datasets.version('animals', 99)),
        await failure(plinth.datasets.head('nope', 'latest')),
        await failure(plinth.datasets.profile('animals', 'f'.repeat(32))),
        await failure(plinth.datasets.export('nope', 1, { format: 'csv' })),
        await failure(plinth.datasets.ingest({ name: 'x', source: path.join(files, 'no.csv') })),
      ]
      for (const err of errors) {
        expect(err).toBeInstanceOf(NotFoundError)
        expect(err.code).toBe('NOT_FOUND')
      }
      keep['notFound'] = errors.map((e) => e.code)
    })

    it('rejects bad input with field-level validation errors, before sending anything', async () => {
      const cases: [string, () => Promise<unknown>, (string | number)[]][] = [
        ['limit -1', () => plinth.datasets.head('animals', 1, { limit: -1 }), ['limit']],
        ['limit 1001', () => plinth.datasets.head('animals', 1, { limit: 1001 }), ['limit']],
        ['limit 1.5', () => plinth.datasets.head('animals', 1, { limit: 1.5 }), ['limit']],
        ['version 0', () => plinth.datasets.version('animals', 0), ['version']],
        ['version x', () => plinth.datasets.profile('animals', 'x1'), ['version']],
        ['name path', () => plinth.datasets.show('../etc'), ['name']],
        ['name empty', () => plinth.datasets.versions(''), ['name']],
        [
          'export format',
          () => plinth.datasets.export('animals', 1, { format: 'xlsx' as 'csv' }),
          ['format'],
        ],
        [
          'bytes without format',
          () => plinth.datasets.ingest({ name: 'b', source: new Uint8Array([1]) }),
          ['format'],
        ],
        [
          'unknown extension',
          () => plinth.datasets.ingest({ name: 'b', source: path.join(files, 'mystery.bin') }),
          ['format'],
        ],
        [
          'description too long',
          () =>
            plinth.datasets.ingest({
              name: 'b',
              source: new Uint8Array([1]),
              format: 'csv',
              description: 'x'.repeat(1001),
            }),
          ['description'],
        ],
        [
          'bad dataset name',
          () => plinth.datasets.ingest({ name: 'a b', source: new Uint8Array([1]), format: 'csv' }),
          ['name'],
        ],
        [
          'fractions',
          () =>
            plinth.datasets.split('animals', 1, {
              kind: 'random',
              fractions: { train: 0.5, test: 0.6 },
              seed: 1,
            }),
          ['fractions'],
        ],
      ]
      const got: Record<string, unknown> = {}
      for (const [label, call, path] of cases) {
        const err = await failure(call())
        expect(err, label).toBeInstanceOf(ValidationError)
        expect(err.code, label).toBe('INVALID_ARGUMENT')
        const issues = issuesOf(err)
        expect(issues[0]?.path, label).toEqual(path)
        got[label] = issues
      }
      expect(issuesOf(await failure(plinth.datasets.head('animals', 1, { limit: -1 })))).toEqual([
        { path: ['limit'], code: 'too_small', message: 'expected an integer 1–1000' },
      ])
      keep['invalid'] = got
    })

    it("returns the service's own validation errors with their issues", async () => {
      const err = await failure(
        plinth.datasets.ingest({
          name: 'animals',
          source: path.join(files, 'animals.csv'),
          target: 'nope',
        }),
      )
      expect(err).toBeInstanceOf(ValidationError)
      expect(issuesOf(err).length).toBeGreaterThan(0)
      keep['serviceInvalid'] = { message: err.message, issues: issuesOf(err) }
    })

    if (mode.name === 'remote') {
      it('refuses a database table, which only the platform itself can read', async () => {
        const err = await failure(
          plinth.datasets.ingest({ name: 't', source: 'sqlite://some.db?table=t' }),
        )
        expect(issuesOf(err)[0]?.path).toEqual(['source'])
      })
    }
  })
}

describe('SDK datasets (remote, no server)', () => {
  it('checks input before sending a request', async () => {
    let requests = 0
    const plinth = createPlinth({
      url: 'http://127.0.0.1:9',
      fetch: () => {
        requests++
        return Promise.reject(new Error('no server'))
      },
      tracking: { captureEnvironment: false, flushOnExit: false },
    })
    expect(await failure(plinth.datasets.head('a', 1, { limit: -1 }))).toBeInstanceOf(
      ValidationError,
    )
    expect(await failure(plinth.datasets.version('a', -2))).toBeInstanceOf(ValidationError)
    expect(requests).toBe(0)
    // A valid call does go out, and an unreachable server is UNAVAILABLE.
    expect((await failure(plinth.datasets.list())).code).toBe('UNAVAILABLE')
    expect(requests).toBe(1)
    await plinth.close()
  })
})

describe('SDK datasets: both modes', () => {
  it('return the same shapes and values', () => {
    const embedded = seen['embedded'] ?? {}
    const remote = seen['remote'] ?? {}
    expect(Object.keys(remote).sort()).toEqual(Object.keys(embedded).sort())
    expect(Object.keys(embedded).length).toBeGreaterThan(8)
    for (const key of Object.keys(embedded)) {
      expect(stable(remote[key]), key).toEqual(stable(embedded[key]))
    }
  })
})
