import { writeFileSync } from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  createContext,
  createRng,
  toWorkspaceId,
  ValidationError,
  type Rng,
} from '../../src/core/index.js'
import { parseSource } from '../../src/datasets/index.js'
import {
  DatasetValidationService,
  type Anomaly,
  type AnomalyReport,
  type DatasetSchema,
} from '../../src/datasets/validation/index.js'
import type { Platform } from '../../src/platform/index.js'
import { createTestPlatform } from '../support/platform.js'

let platform: Platform
let dir: string
let cleanup: () => Promise<void>
let service: DatasetValidationService
const ctx = createContext()

beforeAll(async () => {
  const t = await createTestPlatform()
  platform = t.platform
  dir = t.dir
  cleanup = t.cleanup
  service = new DatasetValidationService({
    metadata: platform.metadata,
    datasets: platform.services.datasets,
    clock: platform.clock,
    events: platform.events,
  })
})
afterAll(async () => {
  await cleanup()
})

type Row = Record<string, string | number | null>

function csv(name: string, rows: readonly Row[], columns?: readonly string[]): string {
  const cols = columns ?? Object.keys(rows[0] ?? {})
  const cell = (v: string | number | null | undefined): string =>
    v === null || v === undefined ? '' : String(v)
  const text = [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join(
    '\n',
  )
  const p = path.join(dir, name)
  writeFileSync(p, `${text}\n`)
  return p
}

async function ingest(name: string, file: string): Promise<void> {
  await platform.services.datasets.ingestDataset(ctx, parseSource(file, { cwd: dir }), { name })
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  const x = xs[rng.int(xs.length)]
  if (x === undefined) throw new Error('empty')
  return x
}

/** A category drawn with the given probabilities. */
function draw(rng: Rng, probs: readonly (readonly [string, number])[]): string {
  let u = rng.float()
  for (const [v, p] of probs) {
    if (u < p) return v
    u -= p
  }
  return probs.at(-1)?.[0] ?? ''
}

const kinds = (r: AnomalyReport): string[] => [...new Set(r.anomalies.map((a) => a.kind))].sort()
const find = <K extends Anomaly['kind']>(r: AnomalyReport, kind: K) =>
  r.anomalies.find((a): a is Extract<Anomaly, { kind: K }> => a.kind === kind)

describe('schema inference, saving and validation', () => {
  const rng = createRng(7)
  const orders: Row[] = Array.from({ length: 200 }, (_, i) => ({
    amount: Math.round(rng.float() * 10_000) / 100 + 0.5,
    qty: 1 + rng.int(50),
    color: pick(rng, ['red', 'green', 'blue']),
    comment: i % 10 === 0 ? null : pick(rng, ['ok', 'late', 'gift', 'rush']),
  }))
  // A rare but valid colour, beyond any top-k.
  const first = orders[0]
  if (first !== undefined) first['color'] = 'teal'
  let schema: DatasetSchema

  beforeAll(async () => {
    await ingest('orders', csv('orders.csv', orders))
  })

  it('infers types, presence, ranges and full domains', async () => {
    schema = await service.inferSchema(ctx, 'orders@1')
    const byName = new Map(schema.columns.map((c) => [c.name, c]))
    expect(byName.get('amount')).toMatchObject({
      type: 'DOUBLE',
      semanticType: 'numeric',
      required: true,
      nullable: false,
      minPresence: 1,
    })
    expect(byName.get('amount')?.range?.min).toBe(
      Math.min(...orders.map((o) => Number(o['amount']))),
    )
    expect(byName.get('color')?.domain).toEqual(['blue', 'green', 'red', 'teal'])
    expect(byName.get('comment')).toMatchObject({ nullable: true, minPresence: 0 })
  })

  it('saves revisions and returns the latest', async () => {
    await expect(service.getSchema(ctx, 'orders')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const v = await platform.services.datasets.getVersion(ctx, 'orders@1')
    const r1 = await service.saveSchema(ctx, 'orders', schema, v.id)
    expect(r1.revision).toBe(1)
    const edited = {
      ...schema,
      columns: schema.columns.map((c) => (c.name === 'comment' ? { ...c, minPresence: 0.8 } : c)),
    }
    const r2 = await service.saveSchema(ctx, 'orders', edited)
    expect(r2.revision).toBe(2)
    const got = await service.getSchema(ctx, 'orders')
    expect(got.revision).toBe(2)
    expect(got.schema).toEqual(edited)
    expect(got.inferredFromVersionId).toBeNull()
  })

  it('passes a clean batch (a resample of the reference)', async () => {
    const batch = Array.from({ length: 120 }, () => pick(rng, orders))
    const file = csv('clean.csv', batch, ['amount', 'qty', 'color', 'comment'])
    const report = await service.validate(ctx, {
      dataset: 'orders',
      against: { source: parseSource(file, { cwd: dir }) },
    })
    expect(report.anomalies).toEqual([])
    expect(report).toMatchObject({ ok: true, rowCount: 120, drift: [] })
  })

  const base = (): Row[] => orders.slice(1, 101).map((o) => ({ ...o }))
  const check = async (name: string, rows: Row[], columns?: string[]) => {
    const file = csv(`${name}.csv`, rows, columns)
    return service.validate(ctx, {
      dataset: 'orders',
      against: { source: parseSource(file, { cwd: dir }) },
    })
  }

  it('reports a missing and an extra column', async () => {
    const r = await check(
      'cols',
      base().map((o) => ({ ...o, extra: 1 })),
      ['amount', 'qty', 'comment', 'extra'],
    )
    expect(r.ok).toBe(false)
    expect(kinds(r)).toEqual(['extra_column', 'missing_column'])
    expect(find(r, 'missing_column')?.column).toBe('color')
    expect(find(r, 'extra_column')).toMatchObject({ column: 'extra', type: 'BIGINT' })
  })

  it('reports a changed type', async () => {
    const rows = base().map((o) => ({ ...o, qty: `${String(o['qty'])} units` }))
    const r = await check('types', rows)
    expect(kinds(r)).toEqual(['type_changed'])
    expect(find(r, 'type_changed')).toMatchObject({
      column: 'qty',
      expected: 'BIGINT',
      actual: 'VARCHAR',
    })
  })

  it('reports nulls in a non-nullable column and presence below minPresence', async () => {
    const rows = base().map((o, i) => ({
      ...o,
      amount: i < 3 ? null : (o['amount'] ?? null),
      comment: i < 40 ? null : (o['comment'] ?? null),
    }))
    const r = await check('nulls', rows)
    expect(kinds(r)).toEqual(['unexpected_nulls'])
    const byColumn = new Map(r.anomalies.map((a) => [a.column, a]))
    expect(byColumn.get('amount')).toMatchObject({ nullCount: 3, nullable: false })
    expect(byColumn.get('comment')).toMatchObject({ minPresence: 0.8 })
  })

  it('reports out-of-range values with counts and examples', async () => {
    const rows = base().map((o, i) => ({
      ...o,
      amount: i === 0 ? 1e6 : i === 1 ? -5 : i === 2 ? 1e6 : (o['amount'] ?? null),
    }))
    const r = await check('range', rows)
    expect(kinds(r)).toEqual(['out_of_range'])
    expect(find(r, 'out_of_range')).toMatchObject({
      column: 'amount',
      count: 3,
      examples: [1e6, -5],
    })
  })

  it('reports unseen categories with counts and examples', async () => {
    const rows = base().map((o, i) => ({
      ...o,
      color: i < 4 ? 'purple' : i < 5 ? 'pink' : (o['color'] ?? null),
    }))
    const r = await check('domain', rows)
    expect(kinds(r)).toEqual(['unseen_category'])
    expect(find(r, 'unseen_category')).toMatchObject({
      column: 'color',
      count: 5,
      examples: [
        { value: 'purple', count: 4 },
        { value: 'pink', count: 1 },
      ],
    })
  })

  it('rejects a schema with bad fields, listing each with its path', async () => {
    const bad = {
      version: 1,
      columns: [
        { ...schema.columns[0], minPresence: 1.5 },
        { ...schema.columns[1], range: { min: 5, max: 1 } },
        { ...schema.columns[2], semanticType: 'colour', minPresense: 1 },
      ],
    }
    const err = await service.saveSchema(ctx, 'orders', bad).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ValidationError)
    const paths = (err instanceof ValidationError ? err.issues : []).map((i) => i.path.join('.'))
    expect(paths).toEqual(
      expect.arrayContaining([
        'columns.0.minPresence',
        'columns.1.range',
        'columns.2.semanticType',
        'columns.2',
      ]),
    )
    expect((await service.getSchema(ctx, 'orders')).revision).toBe(2)
  })

  it('keeps schemas and datasets of one workspace invisible from another', async () => {
    await platform.services.workspaces.createWorkspace(ctx, { id: 'val-other' })
    const other = createContext({ workspace: toWorkspaceId('val-other') })
    await expect(service.getSchema(other, 'orders')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(service.saveSchema(other, 'orders', schema)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    await expect(
      service.validate(other, { dataset: 'orders', against: { ref: 'orders@1' } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    // The same name in the other workspace has its own (absent) schema.
    await platform.services.datasets.ingestDataset(
      other,
      parseSource(csv('other.csv', orders.slice(0, 50)), { cwd: dir }),
      { name: 'orders' },
    )
    await expect(service.getSchema(other, 'orders')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect((await service.getSchema(ctx, 'orders')).revision).toBe(2)
  })
})

describe('drift against a reference version', () => {
  const N = 40_000
  const CATS = [
    ['a', 0.5],
    ['b', 0.3],
    ['c', 0.2],
  ] as const
  // 5% of the mass moved from a to b.
  const SHIFTED = [
    ['a', 0.45],
    ['b', 0.35],
    ['c', 0.2],
  ] as const
  const rng = createRng(42)
  const reference: Row[] = Array.from({ length: N }, () => ({
    x: rng.normal(),
    cat: draw(rng, CATS),
  }))

  beforeAll(async () => {
    await ingest('events', csv('events-ref.csv', reference))
    const resample = Array.from({ length: N }, () => pick(rng, reference))
    await ingest('events', csv('events-resample.csv', resample))
    const shifted = Array.from({ length: N }, () => ({
      x: rng.normal() + 0.5,
      cat: draw(rng, SHIFTED),
    }))
    await ingest('events', csv('events-shifted.csv', shifted))
  })

  const driftOf = (r: AnomalyReport, column: string, method: string) =>
    r.drift.find((d) => d.column === column && d.method === method)

  it('does not flag an unshifted bootstrap resample', async () => {
    const r = await service.validate(ctx, {
      dataset: 'events',
      against: { ref: '@2' },
      reference: '@1',
    })
    expect(r.anomalies).toEqual([])
    expect(r.ok).toBe(true)
    expect(driftOf(r, 'x', 'wasserstein')).toMatchObject({
      drifted: false,
      threshold: 0.1,
      rule: 'distance_at_least',
      sampled: false,
    })
    expect(driftOf(r, 'cat', 'jensenshannon')?.drifted).toBe(false)
    expect(driftOf(r, 'cat', 'linf')).toMatchObject({ drifted: false, threshold: 0.01 })
  })

  it('detects a 0.5σ mean shift (Wasserstein) and 5% of category mass moved (L∞)', async () => {
    const r = await service.validate(ctx, {
      dataset: 'events',
      against: { ref: 'events@3' },
      reference: 'events@1',
    })
    expect(r.ok).toBe(false)
    const x = driftOf(r, 'x', 'wasserstein')
    expect(x?.drifted).toBe(true)
    expect(x?.score).toBeGreaterThan(0.4)
    const linf = driftOf(r, 'cat', 'linf')
    expect(linf?.drifted).toBe(true)
    expect(linf?.score).toBeGreaterThan(0.03)
    const shifts = r.anomalies.filter((a) => a.kind === 'distribution_shift').map((a) => a.column)
    expect(new Set(shifts)).toEqual(new Set(['x', 'cat']))
  })

  it('is repeatable, and takes an inferred schema and threshold overrides', async () => {
    const run = () =>
      service.validate(ctx, {
        dataset: 'events',
        against: { ref: '@3' },
        reference: '@1',
        schema: 'inferred',
        thresholds: { lInfinity: 0.3 },
      })
    // 40k rows are below the 100k sample size: nothing is sampled (validate.test.ts covers it).
    const a = await run()
    const b = await run()
    expect(a.sampling).toBeUndefined()
    expect(a.drift).toEqual(b.drift)
    expect(driftOf(a, 'cat', 'linf')).toMatchObject({ drifted: false, threshold: 0.3 })
  })

  it('uses KS, χ² and the z-test for a small reference (≤ 1000 rows)', async () => {
    const small = (shift: number, n: number): Row[] =>
      Array.from({ length: n }, () => ({
        x: rng.normal() + shift,
        cat: draw(rng, CATS),
        flag: rng.float() < 0.3 + shift / 2 ? 'yes' : 'no',
      }))
    await ingest('small', csv('small-ref.csv', small(0, 600)))
    await ingest('small', csv('small-cur.csv', small(0.5, 600)))
    const r = await service.validate(ctx, {
      dataset: 'small',
      against: { ref: '@2' },
      reference: '@1',
    })
    expect(driftOf(r, 'x', 'ks')).toMatchObject({ drifted: true, rule: 'p_value_below' })
    expect(driftOf(r, 'cat', 'chisquare')?.threshold).toBe(0.05)
    expect(driftOf(r, 'flag', 'z')).toMatchObject({ drifted: true, nUnique: 2 })
  })

  it('requires a reference for an inferred schema', async () => {
    await expect(
      service.validate(ctx, { dataset: 'events', against: { ref: '@2' }, schema: 'inferred' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})
