import { readdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { Platform } from '../../src/platform/index.js'
import { TRAVERSAL_PAYLOADS } from '../../src/test-support/index.js'
import { buildTestApp, createTestPlatform } from '../support/platform.js'

const CANARY = 'CANARY-d2-never-read'

let platform: Platform
let app: FastifyInstance
let dir: string
let cleanup: () => Promise<void>
const HOST = { host: '127.0.0.1' }

beforeAll(async () => {
  const t = await createTestPlatform()
  platform = t.platform
  dir = t.dir
  cleanup = t.cleanup
  writeFileSync(path.join(dir, 'canary.txt'), CANARY)
  writeFileSync(path.join(dir, '.plinth', 'canary.txt'), CANARY)
  app = await buildTestApp(platform)
})

afterAll(async () => {
  await app.close()
  await cleanup()
})

function forms(p: string): string[] {
  // The payload raw (as far as a URL allows), percent-encoded once, and encoded twice.
  return [
    ...new Set([
      p.replace(/[#?\s]/g, encodeURIComponent).replaceAll('\u0000', '%00'),
      encodeURIComponent(p),
      encodeURIComponent(encodeURIComponent(p)),
    ]),
  ]
}

function listAllFiles(root: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name)
    if (entry.isDirectory()) out.push(...listAllFiles(full))
    else out.push(full)
  }
  return out
}

describe('path traversal corpus over every path-taking route', () => {
  it('rejects or ignores every payload, never serving a file outside the store', async () => {
    const routes = [
      (p: string) => ({ method: 'GET' as const, url: `/api/v1/artifacts/${p}` }),
      (p: string) => ({ method: 'GET' as const, url: `/api/v1/artifacts/${p}/content` }),
      (p: string) => ({ method: 'DELETE' as const, url: `/api/v1/artifacts/${p}` }),
      (p: string) => ({ method: 'GET' as const, url: `/api/v1/workspaces/${p}` }),
      (p: string) => ({ method: 'GET' as const, url: `/api/v1/artifacts?pageToken=${p}` }),
    ]
    let requests = 0
    for (const payload of TRAVERSAL_PAYLOADS) {
      for (const form of forms(payload)) {
        for (const route of routes) {
          const res = await app.inject({ ...route(form), headers: HOST })
          requests++
          const where = `${route(form).method} ${route(form).url} → ${String(res.statusCode)}`
          if (res.statusCode === 200) {
            // Dot segments are resolved by URL rules (`/artifacts/.` is `/artifacts/`): landing
            // on a listing route of the caller's own workspace is fine; serving anything else is not.
            expect(Object.keys(res.json<object>()), where).toEqual(
              expect.arrayContaining([expect.stringMatching(/^(artifacts|workspaces)$/)]),
            )
          } else {
            expect([400, 404, 414], where).toContain(res.statusCode)
            expect(res.json<{ error: { code: string } }>().error.code, where).toMatch(
              /^(INVALID_ARGUMENT|NOT_FOUND)$/,
            )
          }
          expect(res.body).not.toContain(CANARY)
          expect(res.body).not.toContain('root:')
        }
        // The workspace header is a path-like input too.
        const ws = await app.inject({
          url: '/api/v1/artifacts',
          headers: { ...HOST, 'x-plinth-workspace': encodeURIComponent(payload) },
        })
        requests++
        expect([400, 404]).toContain(ws.statusCode)
      }
    }
    expect(requests).toBeGreaterThan(TRAVERSAL_PAYLOADS.length * 5)
  })

  it('stores hostile names as inert metadata: nothing is written outside the artifact root', async () => {
    const before = new Set(listAllFiles(dir))
    for (const name of TRAVERSAL_PAYLOADS.filter((p) => !p.includes('\u0000') && p.length <= 512)) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/artifacts?name=${encodeURIComponent(name)}`,
        headers: { ...HOST, 'content-type': 'application/octet-stream' },
        payload: Buffer.from(`content for ${name}`),
      })
      expect([201, 400], name).toContain(res.statusCode)
      if (res.statusCode === 201) {
        const a = res.json<{ id: string; name: string }>()
        expect(a.name).toBe(name.normalize('NFC'))
        const dl = await app.inject({ url: `/api/v1/artifacts/${a.id}/content`, headers: HOST })
        expect(dl.body).toBe(`content for ${name}`)
        // The header never carries a raw path separator or quote from the name.
        expect(dl.headers['content-disposition']).toMatch(
          /^attachment; filename="[^"/\\]*"; filename\*=UTF-8''/,
        )
      }
    }
    const created = listAllFiles(dir).filter((f) => !before.has(f))
    const root = path.join(dir, '.plinth', 'artifacts') + path.sep
    for (const f of created)
      expect(f.startsWith(root) || f.startsWith(path.join(dir, '.plinth', 'plinth.db')), f).toBe(
        true,
      )
    expect(statSync(path.join(dir, 'canary.txt')).size).toBe(CANARY.length)
  })
})
