import { writeFileSync } from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { PlatformError, createContext, createRng } from '../../src/core/index.js'
import { parseSource } from '../../src/datasets/index.js'
import { columnFromArray, createFrame, type Frame } from '../../src/frame/index.js'
import { GBDTClassifier, loadModel } from '../../src/ml/index.js'
import { DecisionTreeClassifier } from '../../src/ml/tree/index.js'
import type { Platform } from '../../src/platform/index.js'
import {
  createEmbeddedBackend,
  createTrackingClient,
  splitBatch,
  trackedFit,
  type TrackingBackend,
  type TrackingClient,
} from '../../src/tracking/index.js'
import { createTestPlatform } from '../support/platform.js'

let platform: Platform
let dir: string
let cleanup: () => Promise<void>
let backend: TrackingBackend
let tracking: TrackingClient
const ctx = createContext()

beforeAll(async () => {
  const t = await createTestPlatform()
  platform = t.platform
  dir = t.dir
  cleanup = t.cleanup
  backend = createEmbeddedBackend(platform.services.tracking, ctx)
  tracking = createTrackingClient(backend, { plinthVersion: platform.version })
})
afterAll(async () => {
  await tracking.close()
  await cleanup()
})

async function text(runId: string, p: string): Promise<string> {
  let out = ''
  for await (const c of await backend.openArtifact(runId, p)) out += Buffer.from(c).toString()
  return out
}

function data(n: number, seed = 1): { X: Frame; y: ReturnType<typeof columnFromArray> } {
  const rng = createRng(seed)
  const a: number[] = []
  const b: number[] = []
  const y: number[] = []
  for (let i = 0; i < n; i++) {
    const x1 = rng.normal()
    const x2 = rng.normal()
    a.push(x1)
    b.push(x2)
    y.push(x1 + 0.5 * x2 + 0.3 * rng.normal() > 0 ? 1 : 0)
  }
  return {
    X: createFrame([columnFromArray('a', a, 'f64'), columnFromArray('b', b, 'f64')]),
    y: columnFromArray('y', y, 'i32'),
  }
}

describe('run handles', () => {
  it('start in a named experiment with environment tags and end with resource usage', async () => {
    const run = await tracking.startRun({ experiment: 'sdk-a', seed: 42, tags: { team: 'x' } })
    expect(run.runId).toMatch(/^[0-9a-f]{32}$/)
    await run.logParams({ lr: 0.1, layers: [3, 4], name: 'm', none: null })
    await run.logParam('lr', 0.1)
    await expect(run.logParam('lr', 0.2)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    for (let i = 0; i < 50; i++) run.logMetric('loss', 1 / (i + 1), i)
    run.logMetrics({ acc: 0.9, f1: 0.8 }, 3)
    expect(run.pendingMetrics).toBe(52)
    const info = await run.end()
    expect(info.status).toBe('FINISHED')
    expect(await run.end()).toEqual(info)
    expect(() => {
      run.logMetric('late', 1)
    }).toThrow(/has ended/)

    const got = await tracking.getRun(run.runId)
    const tags = Object.fromEntries(got.data.tags.map((t) => [t.key, t.value]))
    expect(tags).toMatchObject({
      team: 'x',
      'plinth.seed': '42',
      'mlflow.source.type': 'LOCAL',
      'plinth.node.version': process.version,
      'plinth.version': platform.version,
    })
    // The repository is a git checkout, so the commit is known.
    expect(tags['mlflow.source.git.commit']).toMatch(/^[0-9a-f]{40}$/)
    expect(JSON.parse(tags['plinth.package.versions'] ?? '{}')).toMatchObject({
      plinth: platform.version,
    })
    expect(Object.fromEntries(got.data.params.map((p) => [p.key, p.value]))).toEqual({
      lr: '0.1',
      layers: '[3,4]',
      name: 'm',
      none: 'None',
    })
    const metrics = Object.fromEntries(got.data.metrics.map((m) => [m.key, m.value]))
    expect(metrics['loss']).toBeCloseTo(1 / 50)
    expect(metrics['system.cpu_time_s']).toBeGreaterThan(0)
    expect(metrics['system.peak_rss_mb']).toBeGreaterThan(10)
    expect(metrics['system.wall_time_s']).toBeGreaterThanOrEqual(0)
    const history = await backend.getMetricHistory(run.runId, 'loss')
    expect(history.items).toHaveLength(50)
    expect((await backend.getExperiment(run.experimentId)).name).toBe('sdk-a')
  })

  it('flush by size and by timer without being awaited', async () => {
    const client = createTrackingClient(backend, {
      flushSize: 10,
      flushIntervalMs: 20,
      captureEnvironment: false,
    })
    const run = await client.startRun({ experiment: 'sdk-a' })
    for (let i = 0; i < 25; i++) run.logMetric('m', i, i)
    // 20 points went out in two size-triggered flushes; 5 wait for the timer.
    expect(run.pendingMetrics).toBe(5)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(run.pendingMetrics).toBe(0)
    expect((await backend.getMetricHistory(run.runId, 'm')).items).toHaveLength(25)
    await run.end('KILLED')
    expect((await client.getRun(run.runId)).info.status).toBe('KILLED')
  })

  it('surface a failed background flush on the next call and on end', async () => {
    let fail = true
    const flaky: TrackingBackend = {
      ...backend,
      async logBatch(runId, input) {
        if (fail && input.metrics !== undefined) {
          throw new PlatformError('UNAVAILABLE', 'store is down')
        }
        await backend.logBatch(runId, input)
      },
    }
    const client = createTrackingClient(flaky, { captureEnvironment: false, retryDelaysMs: [] })
    const run = await client.startRun({ runName: 'flaky' })
    run.logMetric('x', 1)
    await run.flush()
    expect(() => {
      run.logMetric('x', 2)
    }).toThrow(/store is down/)
    // Reported once; logging goes on.
    run.logMetric('x', 3)
    fail = false
    await run.flush()
    run.logMetric('y', 1)
    fail = true
    await expect(run.end()).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect((await backend.getMetricHistory(run.runId, 'x')).items.map((p) => p.value)).toEqual([3])
    expect((await client.getRun(run.runId)).info.status).toBe('FINISHED')
  })

  it('retry a flush the store refused as unavailable', async () => {
    let refusals = 2
    const busy: TrackingBackend = {
      ...backend,
      async logBatch(runId, input) {
        if (input.metrics !== undefined && refusals > 0) {
          refusals--
          throw new PlatformError('UNAVAILABLE', 'the SQLite metadata database is locked')
        }
        await backend.logBatch(runId, input)
      },
    }
    const client = createTrackingClient(busy, { captureEnvironment: false, retryDelaysMs: [1, 1] })
    const run = await client.startRun({ runName: 'busy' })
    run.logMetric('x', 1)
    await run.end()
    expect((await backend.getMetricHistory(run.runId, 'x')).items).toHaveLength(1)
  })

  it('nest runs, log artifacts (bytes, streams, files) and dataset inputs', async () => {
    const parent = await tracking.startRun({ experiment: 'sdk-b' })
    const child = await tracking.startRun({ experiment: 'sdk-b', parentRunId: parent.runId })
    const got = await tracking.getRun(child.runId)
    expect(got.data.tags).toContainEqual({ key: 'mlflow.parentRunId', value: parent.runId })

    const file = path.join(dir, 'report.txt')
    writeFileSync(file, 'from disk')
    await child.logArtifact('report.txt', { file })
    await child.logArtifact('bytes.bin', new Uint8Array([1, 2, 3]))
    await child.logJSON('plots/curve.json', { x: [1, 2] })
    expect(await text(child.runId, 'report.txt')).toBe('from disk')
    expect(await backend.listArtifacts(child.runId)).toEqual([
      { path: 'plots', isDir: true },
      { path: 'bytes.bin', isDir: false, fileSize: 3 },
      { path: 'report.txt', isDir: false, fileSize: 9 },
    ])
    await expect(child.logArtifact('../escape', new Uint8Array([1]))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })

    const csv = path.join(dir, 'train.csv')
    writeFileSync(csv, 'a,b\n1,2\n3,4\n')
    const { version } = await platform.services.datasets.ingestDataset(
      ctx,
      parseSource(csv, { cwd: dir }),
      { name: 'sdk-train' },
    )
    await child.logInput(version, 'training')
    await child.logInput('sdk-train@latest', 'validation')
    await expect(child.logInput('nope@1', 'test')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const inputs = (await tracking.getRun(child.runId)).inputs.datasetInputs
    expect(inputs.map((i) => i.tags)).toEqual([
      [{ key: 'mlflow.data.context', value: 'training' }],
      [{ key: 'mlflow.data.context', value: 'validation' }],
    ])
    await child.end()
    await parent.end()
  })
})

describe('logModel and trackedFit', () => {
  it('store the model state and the descriptor the registry reads', async () => {
    const { X, y } = data(80)
    const model = new DecisionTreeClassifier({ maxDepth: 3 }).fit(X, y)
    const run = await tracking.startRun({ experiment: 'sdk-models' })
    await run.logModel(model, { inputExample: X })
    const state = JSON.parse(await text(run.runId, 'model/model.json')) as unknown
    expect(state).toEqual(JSON.parse(JSON.stringify(model.toJSON())))
    const loaded = loadModel(state as Parameters<typeof loadModel>[0])
    expect(loaded.kind).toBe(model.kind)
    const desc = JSON.parse(await text(run.runId, 'model/plinth-model.json')) as Record<
      string,
      unknown
    >
    expect(desc).toMatchObject({
      format: 'plinth-model',
      formatVersion: 1,
      kind: 'tree.decision-tree-classifier',
      featureNames: ['a', 'b'],
      signature: {
        inputs: [
          { name: 'a', type: 'double' },
          { name: 'b', type: 'double' },
        ],
        outputs: [{ name: 'prediction', type: 'long' }],
      },
    })
    expect(desc['inputExample']).toHaveLength(5)
    expect(typeof desc['createdAt']).toBe('number')
    const tags = Object.fromEntries(
      (await tracking.getRun(run.runId)).data.tags.map((t) => [t.key, t.value]),
    )
    expect(JSON.parse(tags['mlflow.log-model.history'] ?? '[]')).toMatchObject([
      { run_id: run.runId, artifact_path: 'model', flavors: { plinth: { kind: model.kind } } },
    ])
    await run.end()
  })

  it('autologs a GBDT fit: params, per-round validation loss, final metrics, importance, model', async () => {
    const train = data(300, 2)
    const valid = data(100, 3)
    const run = await tracking.startRun({ experiment: 'sdk-models', runName: 'gbdt' })
    const model = await trackedFit(
      run,
      new GBDTClassifier({ nEstimators: 8, maxDepth: 2, seed: 1 }),
      train.X,
      train.y,
      { validation: valid },
    )
    await run.end()
    const got = await tracking.getRun(run.runId)
    const params = Object.fromEntries(got.data.params.map((p) => [p.key, p.value]))
    expect(params).toMatchObject({
      nEstimators: '8',
      maxDepth: '2',
      seed: '1',
      learningRate: '0.3',
    })
    const metricKeys = got.data.metrics.map((m) => m.key)
    const validationKey = metricKeys.find((k) => k.startsWith('validation-'))
    expect(validationKey).toBeDefined()
    const history = await backend.getMetricHistory(run.runId, validationKey!)
    expect(history.items.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(metricKeys).toEqual(
      expect.arrayContaining(['training_accuracy', 'validation_accuracy', 'training_rows']),
    )
    const acc = got.data.metrics.find((m) => m.key === 'validation_accuracy')?.value ?? 0
    expect(acc).toBeGreaterThan(0.7)
    const fi = JSON.parse(await text(run.runId, 'feature_importance.json')) as Record<
      string,
      number
    >
    expect(Object.keys(fi).sort()).toEqual(['a', 'b'])
    expect(fi['a']).toBeGreaterThan(fi['b'] ?? 0)
    const desc = JSON.parse(await text(run.runId, 'model/plinth-model.json')) as { kind: string }
    expect(desc.kind).toBe(model.kind)
  })
})

describe('splitBatch', () => {
  it('splits to MLflow limits in order', () => {
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: 'm', value: i }))
    const params = Array.from({ length: 150 }, (_, i) => ({ key: `p${String(i)}`, value: '1' }))
    const parts = splitBatch({ metrics, params })
    expect(parts.map((p) => [p.params?.length ?? 0, p.metrics?.length ?? 0])).toEqual([
      [100, 0],
      [50, 950],
      [0, 1000],
      [0, 550],
    ])
    expect(parts.flatMap((p) => p.metrics ?? []).map((m) => m.value)).toEqual(
      metrics.map((m) => m.value),
    )
  })
})
