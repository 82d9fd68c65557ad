import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createContext, toWorkspaceId } from '../../src/core/index.js'
import { parseSource, type ColumnProfile } from '../../src/datasets/index.js'
import type { Platform } from '../../src/platform/index.js'
import { createTestPlatform } from '../support/platform.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const EXAMPLES = path.join(ROOT, 'examples', 'datasets')
const EXPECTED = JSON.parse(
  readFileSync(path.join(ROOT, 'test/fixtures/datasets/profiles.json'), 'utf8'),
) as Record<
  string,
  {
    rows: number
    columns: Record<
      string,
      {
        count: number
        missing: number
        distinct: number
        min?: number
        max?: number
        mean?: number
        std?: number
        quantiles?: Record<string, number>
        /** numpy.histogram(values, bins=20) counts */
        histogram?: number[]
      }
    >
    correlations: Record<string, Record<string, number | null>>
  }
>

let platform: Platform
let dir: string
let cleanup: () => Promise<void>
const ctx = createContext()

beforeAll(async () => {
  const t = await createTestPlatform()
  platform = t.platform
  dir = t.dir
  cleanup = t.cleanup
})
afterAll(async () => {
  await cleanup()
})

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name)
  writeFileSync(p, content)
  return p
}

const src = (p: string) => parseSource(p, { cwd: dir })

/** |a − b| ≤ 1e-9 · max(1, |b|). */
function close(a: unknown, b: number | null | undefined, what: string): void {
  if (b === null || b === undefined) {
    expect(a ?? null, what).toBeNull()
    return
  }
  expect(typeof a, what).toBe('number')
  expect(Math.abs((a as number) - b), `${what}: ${String(a)} vs ${String(b)}`).toBeLessThanOrEqual(
    1e-9 * Math.max(1, Math.abs(b)),
  )
}

describe('profiles of every example dataset match pandas to 1e-9', () => {
  for (const name of Object.keys(EXPECTED)) {
    it(name, async () => {
      const expected = EXPECTED[name]!
      const res = await platform.services.datasets.ingestDataset(
        ctx,
        src(path.join(EXAMPLES, `${name}.csv`)),
        { name },
      )
      expect(res.version.rowCount).toBe(expected.rows)
      const profile = await platform.services.datasets.getProfile(ctx, name)
      const byName = new Map<string, ColumnProfile>(profile.columns.map((c) => [c.name, c]))
      let histograms = 0
      for (const [col, e] of Object.entries(expected.columns)) {
        const p = byName.get(col)
        expect(p, col).toBeDefined()
        expect([p!.count, p!.missing, p!.distinct], col).toEqual([e.count, e.missing, e.distinct])
        if (e.mean !== undefined && p!.mean !== undefined) {
          close(p!.min, e.min, `${col}.min`)
          close(p!.max, e.max, `${col}.max`)
          close(p!.mean, e.mean, `${col}.mean`)
          close(p!.std, e.std, `${col}.std`)
          for (const [q, v] of Object.entries(e.quantiles ?? {}))
            close(p!.quantiles?.[q as 'p1'], v, `${col}.${q}`)
        }
        // Histograms are exact counts, binned against the edges like numpy.
        if (e.histogram !== undefined && p!.histogram !== undefined) {
          expect(p!.histogram.counts, `${col}.histogram`).toEqual(e.histogram)
          histograms++
        }
      }
      expect(histograms).toBeGreaterThan(0)
      // Pearson correlations wherever both columns are numeric for both engines.
      const corr = profile.correlations
      if (corr !== undefined) {
        let compared = 0
        corr.columns.forEach((a, i) => {
          corr.columns.forEach((b, j) => {
            const e = expected.correlations[a]?.[b]
            if (e === undefined || i === j) return
            close(corr.matrix[i]?.[j], e, `corr(${a}, ${b})`)
            compared++
          })
        })
        expect(compared).toBeGreaterThan(0)
      }
    })
  }
})

describe('versions', () => {
  it('gives the same content the same version, and new content the next one', async () => {
    const a = file('v.csv', 'x,y\n1,a\n2,b\n')
    const first = await platform.services.datasets.ingestDataset(ctx, src(a), { name: 'versions' })
    const again = await platform.services.datasets.ingestDataset(ctx, src(a), { name: 'versions' })
    expect(first.created).toBe(true)
    expect(again.created).toBe(false)
    expect(again.version.id).toBe(first.version.id)
    const b = file('v2.csv', 'x,y\n1,a\n2,b\n3,c\n')
    const second = await platform.services.datasets.ingestDataset(ctx, src(b), { name: 'versions' })
    expect(second.version.version).toBe(2)
    expect(second.version.digest).not.toBe(first.version.digest)
    expect(
      (await platform.services.datasets.listVersions(ctx, 'versions')).map((v) => v.version),
    ).toEqual([2, 1])
    expect((await platform.services.datasets.getVersion(ctx, 'versions')).version).toBe(2)
    expect((await platform.services.datasets.getVersion(ctx, 'versions@1')).id).toBe(
      first.version.id,
    )
    expect(first.version.sourceUri).toBe(`file://${a}`)
    expect(first.version.columns).toEqual([
      { name: 'x', type: 'BIGINT' },
      { name: 'y', type: 'VARCHAR' },
    ])
  })

  it('reads every file format into the same data', async () => {
    const rows = [
      { id: 1, name: 'ä', score: 0.5 },
      { id: 2, name: 'b', score: null },
    ]
    const inputs = {
      csv: file('f.csv', 'id,name,score\n1,ä,0.5\n2,b,\n'),
      tsv: file('f.tsv', 'id\tname\tscore\n1\tä\t0.5\n2\tb\t\n'),
      json: file('f.json', JSON.stringify(rows)),
      ndjson: file('f.ndjson', rows.map((r) => JSON.stringify(r)).join('\n') + '\n'),
    }
    for (const [fmt, p] of Object.entries(inputs)) {
      const r = await platform.services.datasets.ingestDataset(ctx, src(p), { name: `fmt-${fmt}` })
      const head = await platform.services.datasets.headVersion(ctx, `fmt-${fmt}`, 10)
      expect(head.rows, fmt).toEqual(rows)
      expect(r.version.rowCount).toBe(2)
    }
    // Parquet: export one and ingest it back.
    const exported = await platform.services.datasets.exportVersion(ctx, 'fmt-csv', 'parquet')
    const chunks: Buffer[] = []
    for await (const c of exported.body) chunks.push(c as Buffer)
    const pq = file('f.parquet', Buffer.concat(chunks))
    const pqVersion = await platform.services.datasets.ingestDataset(ctx, src(pq), {
      name: 'fmt-parquet',
    })
    // Parquet is stored as the user's own bytes, not rewritten.
    const { createHash } = await import('node:crypto')
    expect(pqVersion.version.digest).toBe(
      `sha256:${createHash('sha256').update(readFileSync(pq)).digest('hex')}`,
    )
    expect((await platform.services.datasets.headVersion(ctx, 'fmt-parquet')).rows).toEqual(rows)
  })

  it('ingests tables from SQLite', async () => {
    const Sqlite = (await import('better-sqlite3')).default
    const dbPath = path.join(dir, 'src.db')
    const db = new Sqlite(dbPath)
    db.exec(
      "CREATE TABLE people (id INTEGER, name TEXT, height REAL); INSERT INTO people VALUES (1, 'ann', 1.7), (2, 'bo', NULL)",
    )
    db.close()
    const r = await platform.services.datasets.ingestDataset(
      ctx,
      parseSource(`sqlite://${dbPath}?table=people`, { cwd: dir }),
      { name: 'people' },
    )
    expect(r.version.sourceFormat).toBe('sqlite')
    expect((await platform.services.datasets.headVersion(ctx, 'people')).rows).toEqual([
      { id: 1, name: 'ann', height: 1.7 },
      { id: 2, name: 'bo', height: null },
    ])
  })

  it.skipIf(process.env['PLINTH_TEST_POSTGRES_URL'] === undefined)(
    'ingests tables from PostgreSQL',
    async () => {
      const pg = (await import('pg')).default
      const url = process.env['PLINTH_TEST_POSTGRES_URL']!
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      const table = `plinth_ingest_${String(process.pid)}`
      await client.query(
        `DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (id int, label text, amount double precision); INSERT INTO ${table} VALUES (1, 'x', 2.5), (2, NULL, 3)`,
      )
      try {
        const r = await platform.services.datasets.ingestDataset(
          ctx,
          parseSource(`${url}?table=${table}`, { cwd: dir }),
          { name: 'from-pg' },
        )
        expect(r.version.rowCount).toBe(2)
        expect(r.version.sourceUri).not.toContain('password')
        expect((await platform.services.datasets.headVersion(ctx, 'from-pg')).rows).toEqual([
          { id: 1, label: 'x', amount: 2.5 },
          { id: 2, label: null, amount: 3 },
        ])
      } finally {
        await client.query(`DROP TABLE IF EXISTS ${table}`)
        await client.end()
      }
    },
  )

  it('exports CSV with spreadsheet formulas neutralised', async () => {
    const p = file('formula.csv', 'a,b\n"=HYPERLINK(""x"")",1\n+cmd,2\nsafe,3\n')
    await platform.services.datasets.ingestDataset(ctx, src(p), { name: 'formula' })
    const out = await platform.services.datasets.exportVersion(ctx, 'formula', 'csv')
    let text = ''
    for await (const c of out.body) text += (c as Buffer).toString()
    expect(text).toContain(`"'=HYPERLINK(""x"")"`)
    expect(text).toContain("'+cmd")
    expect(text).toContain('safe,3')
  })

  it('keeps datasets of one workspace invisible from another', async () => {
    await platform.services.workspaces.createWorkspace(ctx, { id: 'ds-other' })
    const other = createContext({ workspace: toWorkspaceId('ds-other') })
    await expect(platform.services.datasets.getDataset(other, 'versions')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    expect(await platform.services.datasets.listDatasets(other)).toEqual([])
  })
})

describe('frames for ML code', () => {
  it('reads a version into a typed Frame with validity masks', async () => {
    const bc = await platform.services.datasets.readFrame(ctx, 'breast_cancer@1')
    expect([bc.nRows, bc.columns.length]).toEqual([569, 31])
    const f0 = bc.column('f0', 'f64')
    expect(f0.values[0]).toBe(17.99)
    const hmda = await platform.services.datasets.readFrame(ctx, 'aer_hmda', {
      columns: ['deny', 'chist'],
      limit: 5,
    })
    expect(hmda.schema()).toEqual([
      { name: 'deny', dtype: 'bool', nullable: false },
      { name: 'chist', dtype: 'f64', nullable: false },
    ])
    expect(hmda.nRows).toBe(5)
    const edge = await platform.services.datasets.readFrame(ctx, 'fmt-csv')
    expect(edge.toRows()).toEqual([
      { id: 1, name: 'ä', score: 0.5 },
      { id: 2, name: 'b', score: null },
    ])
    await expect(
      platform.services.datasets.readFrame(ctx, 'fmt-csv', { columns: ['nope'] }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})

describe('splits', () => {
  const stratified = {
    kind: 'stratified' as const,
    column: 'target',
    fractions: { train: 0.8, test: 0.2 },
    seed: 42,
  }

  it('stores each partition as a child version with lineage, reproducibly', async () => {
    const split = await platform.services.datasets.splitVersion(ctx, 'breast_cancer@1', stratified)
    expect(split.partitions.map((p) => [p.name, p.version.rowCount])).toEqual([
      // Each stratum is split within one row of 80/20: 170 of 212 and 286 of 357.
      ['breast_cancer.train', 456],
      ['breast_cancer.test', 113],
    ])
    const test = split.partitions[1]!.version
    expect(test.parentVersionId).toBe(split.parent.id)
    expect(test.lineage).toMatchObject({
      parent: 'breast_cancer@1',
      partition: 'test',
      split: { kind: 'stratified', seed: 42 },
    })
    // Stratified: the test set keeps the parent's share of positives (357 of 569).
    const profile = await platform.services.datasets.getProfile(ctx, 'breast_cancer.test')
    expect(profile.columns.find((c) => c.name === 'target')!.mean).toBeCloseTo(357 / 569, 2)
    // Same spec, same rows: the same child versions.
    const again = await platform.services.datasets.splitVersion(ctx, 'breast_cancer@1', stratified)
    expect(again.partitions.map((p) => [p.version.id, p.created])).toEqual(
      split.partitions.map((p) => [p.version.id, false]),
    )
  })

  it('makes k folds that cover every row once', async () => {
    const split = await platform.services.datasets.splitVersion(ctx, 'mlbench_pima', {
      kind: 'kfold',
      k: 4,
      seed: 7,
      stratify: 'diabetes',
    })
    expect(split.partitions.map((p) => p.version.rowCount).reduce((a, b) => a + b, 0)).toBe(768)
    expect(split.partitions.map((p) => p.name)).toEqual([
      'mlbench_pima.fold-1',
      'mlbench_pima.fold-2',
      'mlbench_pima.fold-3',
      'mlbench_pima.fold-4',
    ])
  })

  it('refuses a split on a column that does not exist', async () => {
    await expect(
      platform.services.datasets.splitVersion(ctx, 'mlbench_pima', {
        kind: 'grouped',
        column: 'nope',
        fractions: { a: 0.5, b: 0.5 },
        seed: 1,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})

describe('profiles of large tables (one query per column)', () => {
  it('counts, groups and bins every column type exactly', async () => {
    const n = 120_000
    const day = (i: number) => new Date(Date.UTC(2024, 0, 1 + (i % 100)))
    const lines = ['id,small,x,cat,ts,flag,empty']
    for (let i = 0; i < n; i++) {
      const ts = day(i).toISOString().replace('T', ' ').slice(0, 19)
      lines.push(
        `${String(i)},${i % 1000 === 0 ? '' : String(i % 7)},${String((i % 1000) / 8)},${i % 500 === 0 ? '' : `c${String(i % 13)}`},${ts},${String(i % 3 === 0)},`,
      )
    }
    await platform.services.datasets.ingestDataset(ctx, src(file('large.csv', lines.join('\n'))), {
      name: 'large',
    })
    const profile = await platform.services.datasets.getProfile(ctx, 'large')
    const col = (name: string) => profile.columns.find((c) => c.name === name)!
    const rows = Array.from({ length: n }, (_, i) => i)
    const small = rows.filter((i) => i % 1000 !== 0).map((i) => i % 7)
    const cats = rows.filter((i) => i % 500 !== 0).map((i) => `c${String(i % 13)}`)
    const tally = (xs: readonly (string | number)[]) => {
      const m = new Map<string, number>()
      for (const x of xs) m.set(String(x), (m.get(String(x)) ?? 0) + 1)
      return [...m].map(([value, count]) => ({ value, count }))
    }
    const top = (xs: readonly (string | number)[]) =>
      tally(xs)
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
        .slice(0, 10)
    // numpy's rule: bin b holds edges[b] <= x < edges[b + 1], the last bin closed
    const histogram = (xs: readonly number[]) => {
      const lo = Math.min(...xs)
      const w = (Math.max(...xs) - lo) / 20
      const edges = Array.from({ length: 21 }, (_, b) => lo + b * w)
      const counts = new Array<number>(20).fill(0)
      for (const x of xs) {
        let b = 19
        while (b > 0 && edges[b]! > x) b--
        counts[b]!++
      }
      return { edges, counts }
    }

    expect(col('id')).toMatchObject({
      count: n,
      distinct: n,
      min: 0,
      max: n - 1,
      semanticType: 'id',
    })
    expect(col('small')).toMatchObject({
      count: small.length,
      missing: n - small.length,
      distinct: 7,
      distinctApprox: false,
      min: 0,
      max: 6,
      topK: top(small),
      histogram: histogram(small),
    })
    const xs = rows.map((i) => (i % 1000) / 8)
    expect(col('x')).toMatchObject({
      distinct: 1000,
      min: 0,
      max: 124.875,
      histogram: histogram(xs),
    })
    expect(col('cat')).toMatchObject({
      count: cats.length,
      distinct: 13,
      topK: top(cats),
      semanticType: 'categorical',
    })
    expect(col('ts')).toMatchObject({
      count: n,
      distinct: 100,
      min: '2024-01-01 00:00:00',
      max: '2024-04-09 00:00:00',
      semanticType: 'datetime',
    })
    expect(col('ts').topK?.[0]).toEqual({ value: '2024-01-01 00:00:00', count: n / 100 })
    expect(col('flag')).toMatchObject({
      distinct: 2,
      topK: [
        { value: 'false', count: n - n / 3 },
        { value: 'true', count: n / 3 },
      ],
      semanticType: 'boolean',
    })
    expect(col('empty')).toMatchObject({ count: 0, missing: n, distinct: 0 })
    expect(col('empty').topK).toBeUndefined()
    expect(profile.computedWith.quantileRows).toBeLessThan(n)
  }, 60_000)
})

describe('edge cases and bad input', () => {
  async function blobCount(): Promise<number> {
    let n = 0
    for await (const _ of platform.artifacts.list()) n++
    return n
  }

  it('handles one row, an all-null column, unicode headers and quoted newlines', async () => {
    const p = file('edge.csv', 'naïve,空,"multi\nline header"\n1,,"a\nb"\n')
    const r = await platform.services.datasets.ingestDataset(ctx, src(p), { name: 'edge' })
    expect(r.version.rowCount).toBe(1)
    const profile = await platform.services.datasets.getProfile(ctx, 'edge')
    expect(profile.columns.map((c) => c.name)).toEqual(['naïve', '空', 'multi\nline header'])
    expect(profile.columns[1]).toMatchObject({ missing: 1, count: 0 })
    expect((await platform.services.datasets.headVersion(ctx, 'edge')).rows[0]).toMatchObject({
      'multi\nline header': 'a\nb',
    })
  })

  it('counts NaN and infinities in floating columns as missing in the profile', async () => {
    const p = file('nonfinite.csv', 'a,b\n1.5,x\nnan,y\ninf,z\n2.5,x\n-inf,y\n')
    const r = await platform.services.datasets.ingestDataset(ctx, src(p), { name: 'nonfinite' })
    expect(r.version.rowCount).toBe(5)
    const profile = await platform.services.datasets.getProfile(ctx, 'nonfinite')
    const a = profile.columns[0]
    expect(a).toMatchObject({ count: 2, missing: 3, distinct: 2, min: 1.5, max: 2.5, mean: 2 })
    expect(a?.std).toBeCloseTo(Math.SQRT1_2, 12)
    expect(a?.quantiles?.p50).toBe(2)
    expect(a?.histogram?.counts.reduce((x, y) => x + y, 0)).toBe(2)
  })

  it('profiles 10,000 columns', async () => {
    const cols = Array.from({ length: 10_000 }, (_, i) => `c${String(i)}`)
    const p = file(
      'wide.csv',
      `${cols.join(',')}\n${cols.map((_, i) => String(i)).join(',')}\n${cols.map((_, i) => String(i * 2)).join(',')}\n`,
    )
    const r = await platform.services.datasets.ingestDataset(ctx, src(p), { name: 'wide' })
    expect(r.version.columns).toHaveLength(10_000)
    const profile = await platform.services.datasets.getProfile(ctx, 'wide')
    expect(profile.columns[9_999]).toMatchObject({ name: 'c9999', count: 2, min: 9999, max: 19998 })
    expect(profile.correlations).toBeUndefined()
  }, 120_000)

  it('keeps names that only look like a renamed repeat (a, a_1)', async () => {
    const r = await platform.services.datasets.ingestDataset(
      ctx,
      src(file('lookalike.csv', 'a,a_1,b_2\n1,2,3\n')),
      { name: 'lookalike' },
    )
    expect(r.version.columns.map((c) => c.name)).toEqual(['a', 'a_1', 'b_2'])
  })

  it('rejects empty files, duplicate column names and bad encodings clearly, storing nothing', async () => {
    const before = await blobCount()
    await expect(
      platform.services.datasets.ingestDataset(ctx, src(file('empty.csv', '')), { name: 'bad' }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'empty.csv is empty',
    })
    await expect(
      platform.services.datasets.ingestDataset(ctx, src(file('dup.csv', 'a,b,a\n1,2,3\n')), {
        name: 'bad',
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      issues: [{ path: ['columns', 2], code: 'duplicate' }],
    })
    const latin1 = Buffer.concat([
      Buffer.from('name,v\n'),
      Buffer.from([0x63, 0x61, 0x66, 0xe9]),
      Buffer.from(',1\n'),
    ])
    await expect(
      platform.services.datasets.ingestDataset(ctx, src(file('latin.csv', latin1)), {
        name: 'bad',
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    const ok = await platform.services.datasets.ingestDataset(
      ctx,
      src(file('latin2.csv', latin1)),
      { name: 'latin', encoding: 'latin-1' },
    )
    expect((await platform.services.datasets.headVersion(ctx, 'latin')).rows).toEqual([
      { name: 'café', v: 1 },
    ])
    expect(ok.created).toBe(true)
    await expect(platform.services.datasets.getDataset(ctx, 'bad')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    expect(await blobCount()).toBe(before + 1)
  })

  it('reports malformed rows and mixed types with line numbers, or skips and counts them', async () => {
    const p = file('malformed.csv', 'a,b\n1,2\n3,4,5\n6,x\n7,8\n9,10\n11,12\n13,14\n15,16\n')
    const err = await platform.services.datasets
      .ingestDataset(ctx, src(p), { name: 'malformed' })
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', details: { rejectedCount: 2 } })
    const lines = (err as { issues: { path: (string | number)[] }[] }).issues.map((i) => i.path[1])
    expect(lines).toEqual([3, 4])
    const r = await platform.services.datasets.ingestDataset(ctx, src(p), {
      name: 'malformed',
      skipBadRows: true,
    })
    expect(r.skippedRows).toBe(2)
    expect(r.version.rowCount).toBe(6)
    expect(r.version.columns.map((c) => c.type)).toEqual(['BIGINT', 'DOUBLE'])
    expect(r.version.lineage).toEqual({ skippedRows: 2 })
  })

  it('refuses unknown formats and missing files', async () => {
    expect(() => parseSource('data.xlsx', { cwd: dir })).toThrow(/--format/)
    await expect(
      platform.services.datasets.ingestDataset(ctx, src(path.join(dir, 'nope.csv')), { name: 'x' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(
      platform.services.datasets.ingestDataset(ctx, src(file('n.csv', 'a\n1\n')), {
        name: '../etc',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})
