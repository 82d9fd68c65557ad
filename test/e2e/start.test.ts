import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

import { createContext, silentLogger } from '../../src/core/index.js'
import { createPlatform, loadConfig } from '../../src/platform/index.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

interface Listening {
  event: 'listening'
  url: string
  dataDir: string
}

interface Ready {
  event: 'ready'
  quickstart: {
    dataset: string
    rows: number
    anomalies: number
    train: string
    test: string
    trained: boolean
    runs: { role: string; runId: string; metrics: Record<string, number | null> }[]
    champion: { model: string; version: number; runId: string; role: string; uri: string }
  }
}

/** Runs `plinth start --json` on `dataDir`; yields its JSON lines as they come; SIGTERM at the end. */
function startPlinth(dataDir: string): {
  next: (timeoutMs: number) => Promise<unknown>
  /** Lines printed but not yet taken by `next`. */
  buffered: () => number
  stop: () => Promise<number | null>
} {
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
  let buffered = ''
  let stderr = ''
  const lines: unknown[] = []
  const waiting: ((v: unknown) => void)[] = []
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString()
    let nl: number
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      if (line.trim() === '') continue
      const value: unknown = JSON.parse(line)
      const w = waiting.shift()
      if (w === undefined) lines.push(value)
      else w(value)
    }
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  return {
    buffered: () => lines.length,
    next: (timeoutMs) =>
      lines.length > 0
        ? Promise.resolve(lines.shift())
        : new Promise((resolve, reject) => {
            waiting.push(resolve)
            setTimeout(() => {
              reject(new Error(`no output within ${String(timeoutMs)} ms; stderr: ${stderr}`))
            }, timeoutMs)
          }),
    stop: async () => {
      child.kill('SIGTERM')
      return exited
    },
  }
}

describe('plinth start (the main job)', () => {
  it('answers /healthz before the quickstart is done, runs the quickstart end to end while serving, is safe to run twice, and shuts down cleanly', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'plinth-start-'))
    try {
      const first = startPlinth(dataDir)
      let ready: Ready | undefined
      let code: number | null
      try {
        const info = (await first.next(15_000)) as Listening
        expect(info.event).toBe('listening')
        const res = await fetch(`${info.url}/healthz`)
        expect(res.status).toBe(200)
        // Serving does not wait for the quickstart: health answers before it prints `ready`.
        // (Start-up time itself is a figure for the notes, measured from dist, not a timed
        // assertion here.)
        expect(first.buffered()).toBe(0)
        expect(info.dataDir).toBe(dataDir)
        ready = (await first.next(170_000)) as Ready
        expect((await fetch(`${info.url}/readyz`)).status).toBe(200)
        // The champion is reachable through the MLflow-compatible registry API too.
        const alias = await fetch(
          `${info.url}/api/2.0/mlflow/registered-models/alias?name=hmda-deny&alias=champion`,
        )
        expect(alias.status).toBe(200)
      } finally {
        code = await first.stop()
      }
      expect(code).toBe(0)
      const q = ready.quickstart
      expect(q).toMatchObject({ dataset: 'hmda@1', rows: 2380, anomalies: 0, trained: true })
      expect(q.runs.map((r) => r.role)).toEqual(['baseline', 'logistic', 'gbdt'])
      const auc = (role: string): number =>
        q.runs.find((r) => r.role === role)?.metrics['test_roc_auc'] ?? Number.NaN
      expect(auc('baseline')).toBe(0.5)
      expect(auc('logistic')).toBeGreaterThan(0.75)
      expect(auc('gbdt')).toBeGreaterThan(0.75)
      expect(q.champion.uri).toBe('models:/hmda-deny@champion')

      // Twice: same data, same runs, same champion, nothing trained again.
      const second = startPlinth(dataDir)
      try {
        expect(((await second.next(15_000)) as Listening).event).toBe('listening')
        const again = ((await second.next(120_000)) as Ready).quickstart
        expect(again).toMatchObject({ dataset: 'hmda@1', trained: false, champion: q.champion })
      } finally {
        code = await second.stop()
      }
      expect(code).toBe(0)

      // The lineage query returns the whole chain for the champion: data → run → model version.
      const config = loadConfig({ cwd: dataDir, env: {}, flags: { dataDir } })
      const platform = await createPlatform(config, { logger: silentLogger, cwd: dataDir })
      try {
        const ctx = createContext()
        const registry = platform.services.registry
        const champion = await registry.resolveModelUri(ctx, q.champion.uri)
        const up = await registry.getModelVersionLineage(ctx, 'hmda-deny', champion.version)
        expect(up.run?.runId).toBe(q.champion.runId)
        expect(up.datasets.map((d) => `${d.datasetName}@${String(d.version)}`).sort()).toEqual(
          [q.test, q.train].sort(),
        )
        const down = await registry.getDatasetLineage(ctx, q.train)
        expect(down.runs.map((r) => r.runId)).toContain(q.champion.runId)
        expect(down.modelVersions.map((m) => m.uri)).toContain(
          `models:/hmda-deny/${String(champion.version)}`,
        )
        const model = await registry.loadModel(ctx, q.champion.uri)
        const X = (await platform.services.datasets.readFrame(ctx, q.test)).drop(['deny'])
        expect(model.predict(X).length).toBe(X.nRows)
      } finally {
        await platform.close()
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 300_000)
})
