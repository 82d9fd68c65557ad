import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  NotFoundError,
  PlatformError,
  ValidationError,
  createContext,
} from '../../src/core/index.js'
import { parseSource } from '../../src/datasets/index.js'
import { columnFromArray, createFrame } from '../../src/frame/index.js'
import { DummyRegressor } from '../../src/ml/index.js'
import type { Platform } from '../../src/platform/index.js'
import { createPlinth, type Plinth } from '../../src/sdk/index.js'
import { SDK_MODES } from '../support/sdk-modes.js'

/*
 * One suite, run twice: embedded (the SDK over a platform in this process) and remote (the SDK
 * over HTTP, against a server on 127.0.0.1:0 backed by another test platform). Both must read
 * back the same things.
 */

async function collect(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = []
  for await (const c of stream) chunks.push(c)
  return Buffer.concat(chunks).toString('utf8')
}

for (const mode of SDK_MODES) {
  describe(`SDK (${mode.name})`, () => {
    let plinth: Plinth
    let platform: Platform
    let dir: string
    let teardown: () => Promise<void>

    beforeAll(async () => {
      ;({ plinth, platform, dir, teardown } = await mode.setup())
    })
    afterAll(async () => {
      await teardown()
    })

    it('reports its mode', () => {
      expect(plinth.mode).toBe(mode.name)
    })

    it('starts a run, logs params, buffered metrics, tags and an artifact, and ends it', async () => {
      const run = await plinth.tracking.startRun({
        experiment: 'sdk-suite',
        runName: 'first',
        tags: { team: 'a' },
        seed: 7,
      })
      expect(run.runId).toMatch(/^[0-9a-f]{32}$/)
      await run.logParams({ lr: 0.1, depth: 3, name: 'gbdt' })
      for (let i = 0; i < 2500; i++) run.logMetric('loss', 1 / (i + 1), i)
      run.logMetrics({ acc: 0.5, auc: 0.75 }, 1)
      run.logMetric('odd', Number.NaN, 0)
      await run.setTag('stage', 'dev')
      await run.logArtifact('notes/readme.txt', new TextEncoder().encode('hello artifacts'))
      const info = await run.end()
      expect(info.status).toBe('FINISHED')
      expect(info.endTime).not.toBeNull()

      const got = await plinth.tracking.getRun(run.runId)
      expect(got.info.runName).toBe('first')
      expect(got.info.status).toBe('FINISHED')
      expect(Object.fromEntries(got.data.params.map((p) => [p.key, p.value]))).toEqual({
        lr: '0.1',
        depth: '3',
        name: 'gbdt',
      })
      const metrics = Object.fromEntries(got.data.metrics.map((m) => [m.key, m]))
      expect(metrics['loss']).toMatchObject({ value: 1 / 2500, step: 2499 })
      expect(metrics['acc']?.value).toBe(0.5)
      expect(metrics['odd']?.value).toBeNaN()
      const tags = Object.fromEntries(got.data.tags.map((x) => [x.key, x.value]))
      expect(tags).toMatchObject({ team: 'a', stage: 'dev', 'plinth.seed': '7' })

      const history = await plinth.tracking.backend.getMetricHistory(run.runId, 'loss', {
        maxResults: 1000,
      })
      expect(history.items).toHaveLength(1000)
      expect(history.items[0]).toMatchObject({ step: 0, value: 1 })
      expect(history.nextPageToken).toBeDefined()

      const files = await plinth.tracking.backend.listArtifacts(run.runId, 'notes')
      expect(files).toEqual([{ path: 'notes/readme.txt', isDir: false, fileSize: 15 }])
      const text = await collect(
        await plinth.tracking.backend.openArtifact(run.runId, 'notes/readme.txt'),
      )
      expect(text).toBe('hello artifacts')
    })

    it('streams artifacts from a stream and from a local file', async () => {
      const run = await plinth.tracking.startRun({ experiment: 'sdk-suite' })
      const chunk = Buffer.alloc(64 * 1024, 7)
      await run.logArtifact('data/stream.bin', Readable.from([chunk, chunk, chunk]))
      const file = path.join(dir, 'local.txt')
      writeFileSync(file, 'from disk')
      await run.logArtifact('data/local.txt', { file })
      await run.end()
      const files = await plinth.tracking.backend.listArtifacts(run.runId, 'data')
      expect(files).toEqual([
        { path: 'data/local.txt', isDir: false, fileSize: 9 },
        { path: 'data/stream.bin', isDir: false, fileSize: 3 * 64 * 1024 },
      ])
      let size = 0
      for await (const c of await plinth.tracking.backend.openArtifact(
        run.runId,
        'data/stream.bin',
      )) {
        size += c.byteLength
      }
      expect(size).toBe(3 * 64 * 1024)
      const bad = await plinth.tracking.backend
        .uploadArtifact(run.runId, '../escape.txt', new Uint8Array([1]))
        .catch((err: unknown) => err)
      expect(bad).toBeInstanceOf(ValidationError)
    })

    it('refuses a param re-logged with another value and unknown runs, with Plinth errors', async () => {
      const run = await plinth.tracking.startRun({ experiment: 'sdk-suite' })
      await run.logParam('p', 'a')
      await run.logParam('p', 'a')
      const changed = await run.logParam('p', 'b').catch((err: unknown) => err)
      expect(changed).toBeInstanceOf(ValidationError)
      // The same error in both modes: code, details and issues survive the wire.
      expect((changed as ValidationError).code).toBe('INVALID_ARGUMENT')
      expect((changed as ValidationError).details['key']).toBe('p')
      expect((changed as ValidationError).issues[0]?.code).toBe('immutable')
      await run.end('FAILED')
      expect((await plinth.tracking.getRun(run.runId)).info.status).toBe('FAILED')
      const missing = await plinth.tracking.getRun('0'.repeat(32)).catch((err: unknown) => err)
      expect(missing).toBeInstanceOf(NotFoundError)
    })

    it('gets or creates experiments by name, idempotently', async () => {
      const a = await plinth.tracking.backend.getOrCreateExperiment('sdk-idem')
      const b = await plinth.tracking.backend.getOrCreateExperiment('sdk-idem')
      expect(b.experimentId).toBe(a.experimentId)
      expect(a.name).toBe('sdk-idem')
    })

    it('searches runs with a filter and order_by', async () => {
      const experiment = await plinth.tracking.backend.getOrCreateExperiment('sdk-search')
      for (const [i, rmse] of [0.4, 0.2, 0.8].entries()) {
        const run = await plinth.tracking.startRun({
          experimentId: experiment.experimentId,
          runName: `s${String(i)}`,
        })
        run.logMetric('rmse', rmse)
        await run.end()
      }
      const page = await plinth.tracking.searchRuns({
        experimentIds: [experiment.experimentId],
        filter: 'metrics.rmse < 0.5',
        orderBy: ['metrics.rmse ASC'],
      })
      expect(page.items.map((r) => r.info.runName)).toEqual(['s1', 's0'])
    })

    it('links a run to a Plinth dataset version (lineage)', async () => {
      const file = path.join(dir, 'iris-mini.csv')
      writeFileSync(file, 'a,b,label\n1,2,x\n3,4,y\n5,6,x\n')
      const { version } = await platform.services.datasets.ingestDataset(
        createContext(),
        parseSource(file, { cwd: dir }),
        { name: 'iris-mini' },
      )
      const run = await plinth.tracking.startRun({ experiment: 'sdk-lineage' })
      await run.logInput('iris-mini@1', 'training')
      await run.end()
      const got = await plinth.tracking.getRun(run.runId)
      expect(got.inputs.datasetInputs).toHaveLength(1)
      const input = got.inputs.datasetInputs[0]
      expect(input?.dataset).toMatchObject({
        name: 'iris-mini',
        digest: version.digest,
        sourceType: 'plinth-dataset',
      })
      expect(input?.datasetVersionId).toBe(version.id)
      expect(input?.tags).toContainEqual({ key: 'mlflow.data.context', value: 'training' })
      const missing = await plinth.tracking
        .startRun({ experiment: 'sdk-lineage' })
        .then(async (r) => {
          try {
            return await r.logInput('no-such-dataset@1', 'training').catch((err: unknown) => err)
          } finally {
            await r.end()
          }
        })
      expect(missing).toBeInstanceOf(NotFoundError)
    })

    it('keeps workspaces apart', async () => {
      await platform.services.workspaces.createWorkspace(createContext(), { id: 'team-sdk' })
      const other = createPlinth({
        ...(mode.name === 'remote' ? { url: plinth.tracking.backend.description } : { platform }),
        workspace: 'team-sdk',
        tracking: { captureEnvironment: false, flushOnExit: false },
      })
      try {
        const run = await other.tracking.startRun({ experiment: 'isolated' })
        await run.logParam('secret', 'x')
        await run.end()
        expect((await other.tracking.getRun(run.runId)).info.workspace).toBe('team-sdk')
        const leaked = await plinth.tracking.getRun(run.runId).catch((err: unknown) => err)
        expect(leaked).toBeInstanceOf(NotFoundError)
      } finally {
        await other.close()
      }
    })

    it('logs a model, registers it and moves an alias', async () => {
      const X = createFrame([columnFromArray('x', [1, 2, 3, 4], 'f64')])
      const y = columnFromArray('y', [2, 4, 6, 8], 'f64')
      const model = new DummyRegressor().fit(X, y)
      const run = await plinth.tracking.startRun({ experiment: 'sdk-registry' })
      await run.logModel(model, { inputExample: X })
      await run.end()
      const files = await plinth.tracking.backend.listArtifacts(run.runId, 'model')
      expect(files.length).toBeGreaterThan(0)

      const v1 = await plinth.registry.registerModel({
        name: `sdk-model-${mode.name}`,
        source: `runs:/${run.runId}/model`,
        tags: { origin: 'suite' },
      })
      expect(v1).toMatchObject({ version: 1, runId: run.runId, status: 'READY' })
      const v2 = await plinth.registry.registerModel({
        name: `sdk-model-${mode.name}`,
        source: `runs:/${run.runId}/model`,
      })
      expect(v2.version).toBe(2)
      await plinth.registry.setAlias(`sdk-model-${mode.name}`, 'champion', 1)
      await plinth.registry.setAlias(`sdk-model-${mode.name}`, 'champion', 2)
      expect(
        (await plinth.registry.getVersionByAlias(`sdk-model-${mode.name}`, 'champion')).version,
      ).toBe(2)
      const m = await plinth.registry.getRegisteredModel(`sdk-model-${mode.name}`)
      expect(m.aliases).toEqual([{ alias: 'champion', version: 2 }])
      await plinth.registry.deleteAlias(`sdk-model-${mode.name}`, 'champion')
      const gone = await plinth.registry
        .getVersionByAlias(`sdk-model-${mode.name}`, 'champion')
        .catch((err: unknown) => err)
      expect(gone).toBeInstanceOf(PlatformError)
      expect((gone as PlatformError).code).toBe('NOT_FOUND')
    })
  })
}

describe('SDK (remote, server unreachable)', () => {
  it('rejects with UNAVAILABLE', async () => {
    const plinth = createPlinth({
      url: 'http://127.0.0.1:1',
      timeoutMs: 2000,
      tracking: { captureEnvironment: false, flushOnExit: false },
    })
    const err = await plinth.tracking.startRun({ experiment: 'x' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PlatformError)
    expect((err as PlatformError).code).toBe('UNAVAILABLE')
    await plinth.close()
  })
})
