import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createContext } from '../../src/core/index.js'
import type { Platform } from '../../src/platform/index.js'
import { createTestPlatform } from '../support/platform.js'

/**
 * Two processes log to one SQLite store at once (each its own run, both one shared run, both
 * racing to create the same experiment): nothing is lost, and a run left open is flushed on
 * process exit.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WRITER = fileURLToPath(new URL('./fixtures/tracking-writer.ts', import.meta.url))
const POINTS = 1500

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

function runWriter(sharedRunId: string, name: string): Promise<{ own: string; tail: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', WRITER, dir, sharedRunId, name, String(POINTS)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', (c: string) => (out += c))
    child.stderr.on('data', (c: string) => (err += c))
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`writer ${name} exited with ${String(code)}: ${err}`))
      else resolve(JSON.parse(out.trim()) as { own: string; tail: string })
    })
  })
}

describe('two processes logging to one SQLite store', () => {
  it('lose nothing', { timeout: 120_000 }, async () => {
    const t = platform.services.tracking
    const shared = await t.createRun(ctx, { runName: 'shared' })
    const [a, b] = await Promise.all([
      runWriter(shared.info.runId, 'a'),
      runWriter(shared.info.runId, 'b'),
    ])
    const conc = await t.searchExperiments(ctx, { filter: "name = 'conc'" })
    expect(conc.items).toHaveLength(1)
    for (const w of [a, b]) {
      const own = await t.getRun(ctx, w.own)
      expect(own.info.status).toBe('FINISHED')
      expect(own.info.experimentId).toBe(conc.items[0]?.experimentId)
      const loss = await t.getMetricHistory(ctx, w.own, 'loss')
      expect(loss.items.map((p) => p.value)).toEqual(Array.from({ length: POINTS }, (_, i) => i))
      const tail = await t.getMetricHistory(ctx, w.tail, 'tail')
      expect(tail.items).toHaveLength(1000)
    }
    const history = await t.getMetricHistory(ctx, shared.info.runId, 'shared')
    expect(history.items).toHaveLength(2 * POINTS)
    const steps = history.items.map((p) => p.step)
    for (let i = 0; i < POINTS; i++) {
      expect(steps[2 * i]).toBe(i)
      expect(steps[2 * i + 1]).toBe(i)
    }
    const params = (await t.getRun(ctx, shared.info.runId)).data.params
    expect(params).toEqual([
      { key: 'writer.a', value: 'a' },
      { key: 'writer.b', value: 'b' },
    ])
  })
})
