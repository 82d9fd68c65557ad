import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

describe('plinth start (the main job)', () => {
  it('ingests the example dataset, answers /healthz within 5 s of launch, and shuts down cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'plinth-start-'))
    const launched = Date.now()
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/bin/plinth.ts',
        'start',
        '--port',
        '0',
        '--json',
        '--data-dir',
        dataDir,
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, PLINTH_LOG_LEVEL: 'warn' },
      },
    )
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    try {
      const info = await new Promise<{
        url: string
        dataDir: string
        dataset: string
        rows: number
      }>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString()
          try {
            resolve(
              JSON.parse(stdout) as { url: string; dataDir: string; dataset: string; rows: number },
            )
          } catch {
            // Not a whole JSON document yet.
          }
        })
        setTimeout(() => {
          reject(new Error(`no start-up output; stderr: ${stderr}`))
        }, 15_000)
      })
      const res = await fetch(`${info.url}/healthz`)
      const elapsed = Date.now() - launched
      expect(res.status).toBe(200)
      expect(elapsed).toBeLessThan(5000)
      expect(info.dataDir).toBe(dataDir)
      // The quickstart ingested and profiled the shipped dataset before serving.
      expect(info).toMatchObject({ dataset: 'hmda@1', rows: 2380 })
      const ready = await fetch(`${info.url}/readyz`)
      expect(ready.status).toBe(200)
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  })
})
