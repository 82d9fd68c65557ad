import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { Validator } from '@seriousme/openapi-schema-validator'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { buildTestApp, createTestPlatform } from '../support/platform.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const HOST = { host: '127.0.0.1' }
let app: FastifyInstance
let cleanup: () => Promise<void>

beforeAll(async () => {
  const t = await createTestPlatform({ flags: { 'server.uploadLimitBytes': 512 * 1024 } })
  cleanup = t.cleanup
  app = await buildTestApp(t.platform)
})
afterAll(async () => {
  await app.close()
  await cleanup()
})

const upload = (name: string, body: Buffer, query: string) =>
  app.inject({
    method: 'POST',
    url: `/api/v1/datasets/${name}/versions?${query}`,
    headers: { ...HOST, 'content-type': 'application/octet-stream' },
    payload: body,
  })

describe('datasets over HTTP', () => {
  it('ingests an upload, dedupes it, and serves versions, profile, head and content', async () => {
    const csv = readFileSync(path.join(ROOT, 'examples/datasets/mlbench_pima.csv'))
    const first = await upload('pima', csv, 'format=csv&target=diabetes&fileName=pima.csv')
    expect(first.statusCode).toBe(201)
    expect(first.json()).toMatchObject({
      created: true,
      version: { version: 1, rowCount: 768, sourceUri: 'upload:pima.csv' },
    })
    const again = await upload('pima', csv, 'format=csv')
    expect(again.statusCode).toBe(200)
    expect(again.json()).toMatchObject({ created: false, version: { version: 1 } })

    expect((await app.inject({ url: '/api/v1/datasets', headers: HOST })).json()).toMatchObject({
      datasets: [{ name: 'pima', versions: 1, latest: 1 }],
    })
    const profile = await app.inject({
      url: '/api/v1/datasets/pima/versions/latest/profile',
      headers: HOST,
    })
    expect(profile.json()).toMatchObject({ rowCount: 768, target: { name: 'diabetes' } })
    const head = await app.inject({
      url: '/api/v1/datasets/pima/versions/1/head?limit=2',
      headers: HOST,
    })
    expect(head.json<{ rows: unknown[] }>().rows).toHaveLength(2)
    const content = await app.inject({
      url: '/api/v1/datasets/pima/versions/1/content?format=csv',
      headers: HOST,
    })
    expect(content.statusCode).toBe(200)
    expect(content.headers['content-disposition']).toBe('attachment; filename="pima-v1.csv"')
    expect(content.body.split('\n')[0]).toBe(
      'pregnant,glucose,pressure,triceps,insulin,mass,pedigree,age,diabetes',
    )
    const parquet = await app.inject({
      url: '/api/v1/datasets/pima/versions/1/content',
      headers: HOST,
    })
    expect(parquet.rawPayload.subarray(0, 4).toString()).toBe('PAR1')
  })

  it('reports malformed uploads with line numbers and refuses oversized ones', async () => {
    const bad = await upload('bad', Buffer.from('a,b\n1,2\n3,4,5\n'), 'format=csv')
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({
      error: { code: 'INVALID_ARGUMENT', details: { rejectedCount: 1 } },
    })
    const big = await upload('big', Buffer.alloc(600 * 1024, 0x31), 'format=csv')
    expect(big.statusCode).toBe(413)
    expect((await app.inject({ url: '/api/v1/datasets/big', headers: HOST })).statusCode).toBe(404)
  })

  it('validates version references and formats', async () => {
    expect(
      (await app.inject({ url: '/api/v1/datasets/pima/versions/../../etc', headers: HOST }))
        .statusCode,
    ).toBeGreaterThanOrEqual(400)
    expect(
      (await app.inject({ url: '/api/v1/datasets/pima/versions/x1/profile', headers: HOST }))
        .statusCode,
    ).toBe(400)
    expect((await upload('x', Buffer.from('a\n1\n'), 'format=xlsx')).statusCode).toBe(400)
  })

  it('splits a version and validates the spec', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/datasets/pima/versions/1/split',
      headers: HOST,
      payload: { kind: 'random', fractions: { train: 0.75, test: 0.25 }, seed: 3 },
    })
    expect(res.statusCode).toBe(200)
    expect(
      res
        .json<{ partitions: { name: string; version: { rowCount: number } }[] }>()
        .partitions.map((p) => [p.name, p.version.rowCount]),
    ).toEqual([
      ['pima.train', 576],
      ['pima.test', 192],
    ])
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/datasets/pima/versions/1/split',
      headers: HOST,
      payload: { kind: 'random', fractions: { train: 0.9, test: 0.2 }, seed: 3 },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({
      error: {
        code: 'INVALID_ARGUMENT',
        details: { issues: [{ path: ['fractions'], code: 'invalid_sum' }] },
      },
    })
  })

  it('infers a schema and validates versions through the validation routes', async () => {
    const infer = await app.inject({
      method: 'POST',
      url: '/api/v1/datasets/pima/schema/infer',
      headers: HOST,
    })
    expect(infer.statusCode).toBeLessThan(300)
    const got = await app.inject({ url: '/api/v1/datasets/pima/schema', headers: HOST })
    expect(got.statusCode).toBe(200)
    const validate = await app.inject({
      method: 'POST',
      url: '/api/v1/datasets/pima/validate',
      headers: HOST,
      payload: { version: 'latest' },
    })
    expect(validate.statusCode).toBe(200)
    expect(validate.json()).toMatchObject({ ok: true })
    const badSchema = await app.inject({
      method: 'PUT',
      url: '/api/v1/datasets/pima/schema',
      headers: HOST,
      payload: { version: 1, columns: [{ name: 'x' }] },
    })
    expect(badSchema.statusCode).toBe(400)
    expect(badSchema.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } })
  })

  it('keeps the OpenAPI document valid with the dataset routes', async () => {
    const doc = (await app.inject({ url: '/openapi.json', headers: HOST })).json<{
      paths: Record<string, unknown>
    }>()
    const result = await new Validator().validate(doc)
    expect(result.errors ?? []).toEqual([])
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/datasets/{name}/versions/{version}/profile']),
    )
  })
})
