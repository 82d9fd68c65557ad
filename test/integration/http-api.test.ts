import { Validator } from '@seriousme/openapi-schema-validator'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { Platform } from '../../src/platform/index.js'
import { buildTestApp, createTestPlatform } from '../support/platform.js'

let platform: Platform
let app: FastifyInstance
let cleanup: () => Promise<void>

const HOST = { host: '127.0.0.1:7700' }

beforeAll(async () => {
  const t = await createTestPlatform({ flags: { 'server.uploadLimitBytes': 64 * 1024 } })
  platform = t.platform
  cleanup = t.cleanup
  app = await buildTestApp(platform)
})

afterAll(async () => {
  await app.close()
  await cleanup()
})

async function upload(body: Buffer, name: string, workspace?: string) {
  return app.inject({
    method: 'POST',
    url: `/api/v1/artifacts?name=${encodeURIComponent(name)}`,
    headers: {
      ...HOST,
      'content-type': 'application/octet-stream',
      ...(workspace === undefined ? {} : { 'x-plinth-workspace': workspace }),
    },
    payload: body,
  })
}

describe('system routes', () => {
  it('answers /healthz and /readyz', async () => {
    const h = await app.inject({ url: '/healthz', headers: HOST })
    expect(h.statusCode).toBe(200)
    expect(h.json()).toEqual({ status: 'ok' })
    const r = await app.inject({ url: '/readyz', headers: HOST })
    expect(r.statusCode).toBe(200)
    expect(r.json()).toMatchObject({
      status: 'ready',
      checks: { metadata: { ok: true }, artifacts: { ok: true } },
    })
  })

  it('exposes Prometheus metrics including request timings', async () => {
    await app.inject({ url: '/healthz', headers: HOST })
    const m = await app.inject({ url: '/metrics', headers: HOST })
    expect(m.statusCode).toBe(200)
    expect(m.headers['content-type']).toContain('text/plain')
    expect(m.body).toContain('plinth_http_request_duration_seconds_bucket')
    expect(m.body).toMatch(/route="\/healthz"/)
    expect(m.body).toContain('plinth_process_cpu_user_seconds_total')
  })

  it('serves a valid OpenAPI 3 document generated from the route schemas', async () => {
    const res = await app.inject({ url: '/openapi.json', headers: HOST })
    expect(res.statusCode).toBe(200)
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>()
    expect(doc.openapi).toMatch(/^3\./)
    const result = await new Validator().validate(doc)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/readyz',
        '/metrics',
        '/api/v1/workspaces',
        '/api/v1/artifacts/{id}/content',
      ]),
    )
  })
})

describe('error model', () => {
  it('maps unknown routes to NOT_FOUND in the error envelope', async () => {
    const res = await app.inject({ url: '/api/v1/nope', headers: HOST })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND', details: {} } })
  })

  it('maps schema failures to INVALID_ARGUMENT with field paths', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/workspaces',
      headers: HOST,
      payload: { id: 42, extra: true },
    })
    expect(res.statusCode).toBe(400)
    const body = res.json<{ error: { code: string; details: { issues: { path: string[] }[] } } }>()
    expect(body.error.code).toBe('INVALID_ARGUMENT')
    expect(body.error.details.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['body.id']),
    )
  })

  it('rejects prototype poisoning in JSON bodies', async () => {
    for (const payload of [
      '{"id":"x","__proto__":{"polluted":1}}',
      '{"id":"x","constructor":{"prototype":{"p":1}}}',
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/workspaces',
        headers: { ...HOST, 'content-type': 'application/json' },
        payload,
      })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } })
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('refuses bodies over the JSON limit with 413 before parsing', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/workspaces',
      headers: { ...HOST, 'content-type': 'application/json' },
      payload: JSON.stringify({ id: 'x', description: 'a'.repeat(2 * 1024 * 1024) }),
    })
    expect(res.statusCode).toBe(413)
    expect(res.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } })
  })

  it('maps ALREADY_EXISTS to 409', async () => {
    const first = await app.inject({
      method: 'POST',
      url: '/api/v1/workspaces',
      headers: HOST,
      payload: { id: 'dup' },
    })
    expect(first.statusCode).toBe(201)
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/workspaces',
      headers: HOST,
      payload: { id: 'dup' },
    })
    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({ error: { code: 'ALREADY_EXISTS' } })
  })
})

describe('browser-facing defences', () => {
  it('refuses unknown Host headers (DNS rebinding)', async () => {
    const res = await app.inject({ url: '/healthz', headers: { host: 'evil.attacker.com' } })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toMatchObject({ error: { code: 'PERMISSION_DENIED' } })
    for (const host of ['localhost:7700', '127.0.0.1', '[::1]:7700']) {
      expect((await app.inject({ url: '/healthz', headers: { host } })).statusCode).toBe(200)
    }
  })

  it('refuses cross-origin state changes for every unsafe method, DELETE included', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      const res = await app.inject({
        method,
        url: '/api/v1/workspaces',
        headers: { ...HOST, origin: 'http://evil.com' },
        payload: { id: 'evil' },
      })
      expect(res.statusCode, method).toBe(403)
    }
    const same = await app.inject({
      method: 'POST',
      url: '/api/v1/workspaces',
      headers: { ...HOST, origin: 'http://127.0.0.1:7700' },
      payload: { id: 'same-origin' },
    })
    expect(same.statusCode).toBe(201)
  })

  it('answers text/plain posts with 415 (no blind simple requests)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/workspaces',
      headers: { ...HOST, 'content-type': 'text/plain' },
      payload: '{"id":"x"}',
    })
    expect(res.statusCode).toBe(415)
    expect(res.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } })
  })

  it('sets hardening headers on every response', async () => {
    const res = await app.inject({ url: '/healthz', headers: HOST })
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['x-frame-options']).toBe('DENY')
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/)
  })
})

describe('artifacts over HTTP', () => {
  it('uploads, lists, downloads (as an attachment) and deletes', async () => {
    const bytes = Buffer.from('hello, plinth\n')
    const up = await upload(bytes, '<script>alert(1)</script>.html')
    expect(up.statusCode).toBe(201)
    const a = up.json<{ id: string; digest: string; size: number }>()
    expect(a.size).toBe(bytes.length)
    expect(a.digest).toBe(
      'sha256:' + (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex'),
    )

    const list = await app.inject({ url: '/api/v1/artifacts', headers: HOST })
    expect(list.json<{ artifacts: { id: string }[] }>().artifacts.map((x) => x.id)).toContain(a.id)

    const dl = await app.inject({ url: `/api/v1/artifacts/${a.id}/content`, headers: HOST })
    expect(dl.statusCode).toBe(200)
    expect(dl.rawPayload.equals(bytes)).toBe(true)
    expect(dl.headers['content-type']).toBe('application/octet-stream')
    expect(dl.headers['content-disposition']).toMatch(/^attachment; filename="/)
    expect(dl.headers['content-security-policy']).toBe('sandbox')

    const del = await app.inject({
      method: 'DELETE',
      url: `/api/v1/artifacts/${a.id}`,
      headers: HOST,
    })
    expect(del.statusCode).toBe(204)
    expect((await app.inject({ url: `/api/v1/artifacts/${a.id}`, headers: HOST })).statusCode).toBe(
      404,
    )
  })

  it('refuses uploads over the limit with 413 and keeps nothing', async () => {
    const before = await app.inject({ url: '/api/v1/artifacts?limit=1000', headers: HOST })
    const res = await upload(Buffer.alloc(65 * 1024, 1), 'big.bin')
    expect(res.statusCode).toBe(413)
    const after = await app.inject({ url: '/api/v1/artifacts?limit=1000', headers: HOST })
    expect(after.json()).toEqual(before.json())
  })

  it('paginates with opaque tokens and rejects forged ones', async () => {
    for (let i = 0; i < 5; i++) await upload(Buffer.from(`page-${String(i)}`), `p${String(i)}`)
    const seen: string[] = []
    let token: string | undefined
    do {
      const res = await app.inject({
        url: `/api/v1/artifacts?limit=2${token === undefined ? '' : `&pageToken=${token}`}`,
        headers: HOST,
      })
      const body = res.json<{ artifacts: { id: string }[]; nextPageToken?: string }>()
      seen.push(...body.artifacts.map((x) => x.id))
      token = body.nextPageToken
    } while (token !== undefined)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.length).toBeGreaterThanOrEqual(5)
    const forged = await app.inject({
      url: '/api/v1/artifacts?pageToken=eyJ4IjoxfQ',
      headers: HOST,
    })
    expect(forged.statusCode).toBe(400)
  })
})

describe('tenancy', () => {
  it('keeps an entity of one workspace invisible from another', async () => {
    for (const id of ['tenant-a', 'tenant-b']) {
      expect(
        (
          await app.inject({
            method: 'POST',
            url: '/api/v1/workspaces',
            headers: HOST,
            payload: { id },
          })
        ).statusCode,
      ).toBe(201)
    }
    const up = await upload(Buffer.from('secret of a'), 'a.txt', 'tenant-a')
    const { id } = up.json<{ id: string }>()
    const asB = { ...HOST, 'x-plinth-workspace': 'tenant-b' }
    expect((await app.inject({ url: `/api/v1/artifacts/${id}`, headers: asB })).statusCode).toBe(
      404,
    )
    expect(
      (await app.inject({ url: `/api/v1/artifacts/${id}/content`, headers: asB })).statusCode,
    ).toBe(404)
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/artifacts/${id}`, headers: asB }))
        .statusCode,
    ).toBe(404)
    const listB = await app.inject({ url: '/api/v1/artifacts', headers: asB })
    expect(listB.json()).toEqual({ artifacts: [] })
    // Still there for its owner.
    const asA = { ...HOST, 'x-plinth-workspace': 'tenant-a' }
    expect((await app.inject({ url: `/api/v1/artifacts/${id}`, headers: asA })).statusCode).toBe(
      200,
    )
  })

  it('rejects writes into a workspace that does not exist', async () => {
    const res = await upload(Buffer.from('x'), 'x', 'no-such-ws')
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } })
  })
})
