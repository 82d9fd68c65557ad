import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createContext } from '../../src/core/index.js'
import { parseSource, type DatasetVersion } from '../../src/datasets/index.js'
import { accuracyScore, createEstimator, type Predictor } from '../../src/ml/index.js'
import type { Platform } from '../../src/platform/index.js'
import { renderModelCardMarkdown } from '../../src/registry/index.js'
import { createEmbeddedBackend, createTrackingClient } from '../../src/tracking/index.js'
import { createTestPlatform } from '../support/platform.js'

/*
 * The registry on a whole platform: a dataset ingested and profiled, a baseline and a logistic
 * run tracked with their inputs, metrics and models, the logistic model registered and made
 * @champion, then loaded by URI, described by a model card and traced by lineage.
 */

const PIMA = path.resolve('examples/datasets/mlbench_pima.csv')
const FEATURES = ['pregnant', 'glucose', 'pressure', 'mass', 'pedigree', 'age']
const ctx = createContext()

let platform: Platform
let cleanup: () => Promise<void>
let dataset: DatasetVersion
let runId = ''
let baselineRunId = ''

beforeAll(async () => {
  ;({ platform, cleanup } = await createTestPlatform())
  const ingested = await platform.services.datasets.ingestDataset(
    ctx,
    parseSource(PIMA, { cwd: process.cwd() }),
    { name: 'pima', target: 'diabetes' },
  )
  dataset = ingested.version
  const frame = await platform.services.datasets.readFrame(ctx, 'pima')
  const X = frame.select(FEATURES)
  const y = frame.column('diabetes')
  const tracking = createTrackingClient(createEmbeddedBackend(platform.services.tracking, ctx), {
    captureEnvironment: false,
    flushOnExit: false,
  })
  const fit = async (kind: string, tags: Record<string, string>): Promise<string> => {
    const run = await tracking.startRun({ experiment: 'diabetes', tags })
    await run.logInput(dataset, 'training')
    const model = createEstimator(kind, kind === 'linear.logistic' ? { maxIter: 200 } : {}).fit(
      X,
      y,
    ) as Predictor
    run.logMetric('accuracy', accuracyScore(y, model.predict(X)))
    await run.logModel(model, { inputExample: X.slice(0, 2) })
    await run.end()
    return run.runId
  }
  baselineRunId = await fit('dummy.classifier', { 'plinth.role': 'baseline' })
  runId = await fit('linear.logistic', {})
  await tracking.close()
})

afterAll(async () => {
  await cleanup()
})

describe('registry on the platform', () => {
  it('registers a tracked model, makes it champion and loads it by URI', async () => {
    const registry = platform.services.registry
    await registry.createRegisteredModel(ctx, {
      name: 'diabetes',
      description: 'Flags patients for a diabetes screening follow-up.',
    })
    const v = await registry.createModelVersion(ctx, {
      name: 'diabetes',
      source: `runs:/${runId}/model`,
    })
    expect(v).toMatchObject({
      version: 1,
      status: 'READY',
      flavor: 'plinth',
      modelKind: 'linear.logistic',
      runId,
    })
    expect(v.signature?.inputs.map((c) => c.name)).toEqual(FEATURES)
    expect(v.datasets).toEqual([
      {
        datasetName: expect.any(String) as string,
        digest: dataset.digest,
        context: 'training',
        datasetVersionId: dataset.id,
      },
    ])
    expect(Object.keys(v.metrics)).toContain('accuracy')
    await registry.setRegisteredModelAlias(ctx, 'diabetes', 'champion', 1)

    const model = await registry.loadModel(ctx, 'models:/diabetes@champion')
    const frame = await platform.services.datasets.readFrame(ctx, 'pima', { limit: 5 })
    expect(model.predict(frame.select(FEATURES)).length).toBe(5)
    expect(await registry.getModelVersionDownloadUri(ctx, 'diabetes', 1)).toMatch(
      new RegExp(`/${runId}/artifacts/model$`),
    )
  })

  it('writes a model card with the data profile, class balance and the baseline', async () => {
    const card = await platform.services.registry.getModelCard(ctx, 'diabetes', 1)
    expect(card.trainingData).toHaveLength(1)
    const data = card.trainingData[0]
    expect(data).toMatchObject({ datasetName: 'pima', version: 1, rowCount: 768 })
    expect(data?.profile?.target?.name).toBe('diabetes')
    expect(data?.profile?.target?.classBalance.map((c) => [c.value, c.count])).toEqual([
      ['neg', 500],
      ['pos', 268],
    ])
    expect(card.metrics.baselineRunId).toBe(baselineRunId)
    const accuracy = card.metrics.rows.find((r) => r.key === 'accuracy')
    // The majority-class baseline scores 500/768.
    expect(accuracy?.baseline).toBeCloseTo(500 / 768, 12)
    expect(accuracy?.value).toBeGreaterThan(accuracy?.baseline ?? 1)
    expect(card.limitations).toEqual(['Trained on only 768 rows of pima; estimates are uncertain.'])
    const md = renderModelCardMarkdown(card)
    expect(md).toContain('- **pima v1** (training) — 768 rows × 9 columns')
    expect(md).toContain('Target `diabetes`: neg 65.1%, pos 34.9%')
  })

  it('traces the dataset version to runs to the champion, and back', async () => {
    const down = await platform.services.registry.getDatasetLineage(ctx, 'pima@1')
    expect(down.dataset).toMatchObject({ datasetName: 'pima', version: 1, digest: dataset.digest })
    expect(down.runs.map((r) => r.runId).sort()).toEqual([baselineRunId, runId].sort())
    expect(down.modelVersions).toEqual([
      expect.objectContaining({ name: 'diabetes', version: 1, aliases: ['champion'], runId }),
    ])
    const up = await platform.services.registry.getModelVersionLineage(ctx, 'diabetes', 1)
    expect(up.run?.runId).toBe(runId)
    expect(up.datasets).toEqual([
      expect.objectContaining({ datasetName: 'pima', version: 1, datasetVersionId: dataset.id }),
    ])
  })
})
