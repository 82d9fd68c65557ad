import { request } from 'node:http'
import { connect } from 'node:net'

import { afterEach, describe, expect, it } from 'vitest'

import { servePlatform } from '../../src/platform/index.js'
import { createTestPlatform } from '../support/platform.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function start(flags: Record<string, unknown> = {}) {
  const t = await createTestPlatform({ flags: { 'server.port': 0, ...flags } })
  cleanups.push(t.cleanup)
  const server = await servePlatform(t.platform)
  cleanups.push(() => server.close())
  return { platform: t.platform, server }
}

describe('HTTP server', () => {
  it('listens and answers /healthz', async () => {
    const { server } = await start()
    const res = await fetch(`${server.url}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('closes connections that do not finish their headers in time (slowloris)', async () => {
    const { server } = await start({ 'server.headersTimeoutMs': 1000 })
    const started = Date.now()
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n')
      })
      socket.on('data', () => undefined)
      socket.on('close', () => {
        resolve(Date.now() - started)
      })
      socket.on('error', reject)
      setTimeout(() => {
        socket.destroy()
        reject(new Error('server did not close the slow socket'))
      }, 8000)
    })
    expect(closedAfter).toBeGreaterThanOrEqual(900)
    expect(closedAfter).toBeLessThan(4000)
  })

  it('finishes in-flight requests on graceful shutdown, then refuses new ones', async () => {
    const { server } = await start()
    const url = new URL(`${server.url}/api/v1/artifacts?name=slow.bin`)
    const chunk = Buffer.alloc(64 * 1024, 7)
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': chunk.length * 4,
          },
        },
        (res) => {
          let body = ''
          res.on('data', (d: Buffer) => (body += d.toString()))
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body })
          })
        },
      )
      req.on('error', reject)
      req.write(chunk)
      req.write(chunk)
      // Shut down while the upload is half sent; finish sending afterwards.
      setTimeout(() => {
        void server.close()
        setTimeout(() => {
          req.write(chunk)
          req.end(chunk)
        }, 200)
      }, 100)
    })
    const res = await response
    expect(res.status).toBe(201)
    expect(JSON.parse(res.body)).toMatchObject({ name: 'slow.bin', size: chunk.length * 4 })
    await server.close()
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow()
  })

  it('reports a port already in use as UNAVAILABLE with a hint', async () => {
    const { server, platform } = await start()
    await expect(servePlatform(platform, { port: server.port })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('already in use') as unknown,
    })
  })
})
