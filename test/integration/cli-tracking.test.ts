import { describe, expect, it } from 'vitest'

import { createContext, silentLogger } from '../../src/core/index.js'
import { createFrame, createColumn } from '../../src/frame/index.js'
import { DummyClassifier, LogisticRegression, type Estimator } from '../../src/ml/index.js'
import { createPlatform, loadConfig } from '../../src/platform/index.js'
import {
  createEmbeddedBackend,
  createTrackingClient,
  trackedFit,
} from '../../src/tracking/index.js'
import { createCliHarness } from '../support/cli.js'

/** Two tracked runs and a registered model with an alias, made through the services. */
async function seed(dir: string): Promise<{ runIds: string[] }> {
  const config = loadConfig({ cwd: dir, env: {}, flags: {} })
  const platform = await createPlatform(config, { logger: silentLogger, cwd: dir })
  try {
    const ctx = createContext()
    const client = createTrackingClient(createEmbeddedBackend(platform.services.tracking, ctx), {
      flushOnExit: false,
      captureEnvironment: false,
    })
    const x = Float64Array.from({ length: 40 }, (_, i) => (i % 10) / 10 + (i < 20 ? 0 : 0.55))
    const X = createFrame([createColumn({ name: 'x', dtype: 'f64', values: x })])
    const y = createColumn({
      name: 'y',
      dtype: 'i32',
      values: Int32Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 1)),
    })
    const runIds: string[] = []
    const candidates: [string, Estimator][] = [
      ['baseline', new DummyClassifier({ strategy: 'prior' })],
      ['logistic', new LogisticRegression({ C: 10 })],
    ]
    for (const [name, est] of candidates) {
      const run = await client.startRun({ experiment: 'cli-test', runName: name })
      await trackedFit(run, est, X, y)
      for (let step = 0; step < 5; step++) run.logMetric('loss', 1 / (step + 1), step)
      await run.end()
      runIds.push(run.runId)
    }
    const registry = platform.services.registry
    await registry.createRegisteredModel(ctx, { name: 'clf', description: 'a test model' })
    const v = await registry.createModelVersion(ctx, {
      name: 'clf',
      source: `runs:/${runIds[1] ?? ''}/model`,
    })
    await registry.setRegisteredModelAlias(ctx, 'clf', 'champion', v.version)
    await client.close()
    return { runIds }
  } finally {
    await platform.close()
  }
}

describe('plinth experiments | runs | models', () => {
  it('lists, searches, shows and compares runs, and manages aliases, cards and lineage', async () => {
    const cli = createCliHarness()
    const { runIds } = await seed(cli.dir)
    const [baseline = '', logistic = ''] = runIds

    const ex = await cli.run('experiments', 'list', '--json')
    expect(ex.code).toBe(0)
    const names = (JSON.parse(ex.stdout) as { experiments: { name: string }[] }).experiments
    expect(names.map((e) => e.name)).toContain('cli-test')

    const found = await cli.run(
      'runs',
      'search',
      '-e',
      'cli-test',
      '--filter',
      "metrics.training_accuracy > 0.7 OR tags.`mlflow.runName` = 'baseline'",
      '--order-by',
      'metrics.training_accuracy DESC',
      '--json',
    )
    expect(found.code, found.stderr).toBe(0)
    const runs = (JSON.parse(found.stdout) as { runs: { info: { runId: string } }[] }).runs
    expect(runs.map((r) => r.info.runId)).toEqual([logistic, baseline])
    const table = await cli.run('runs', 'search', '-e', 'cli-test', '--metrics', 'loss')
    expect(table.stdout).toMatch(/logistic\s+FINISHED.*0\.2/)

    const shown = await cli.run('runs', 'show', logistic)
    expect(shown.stdout).toContain('model/')
    expect(shown.stdout).toMatch(/C\s+10/)

    const cmp = await cli.run('runs', 'compare', baseline, logistic, '--json')
    expect(JSON.parse(cmp.stdout)).toMatchObject({ metricKeys: expect.arrayContaining(['loss']) })
    const hist = await cli.run('runs', 'history', logistic, 'loss')
    expect(hist.stdout).toContain('loss: 5 points')

    const card = await cli.run('models', 'card', 'clf@champion')
    expect(card.code, card.stderr).toBe(0)
    expect(card.stdout).toContain('# Model card: clf v1')
    const lineage = await cli.run('models', 'lineage', 'clf@champion', '--json')
    expect(JSON.parse(lineage.stdout)).toMatchObject({ run: { runId: logistic } })

    expect((await cli.run('models', 'alias', 'set', 'clf', 'challenger', '1')).code).toBe(0)
    expect((await cli.run('models', 'alias', 'delete', 'clf', 'challenger')).code).toBe(0)
    const history = await cli.run('models', 'history', 'clf', '--json')
    const events = (JSON.parse(history.stdout) as { events: { alias: string | null }[] }).events
    expect(events.filter((e) => e.alias === 'challenger')).toHaveLength(2)
    const versions = await cli.run('models', 'versions', 'clf')
    expect(versions.stdout).toMatch(/1\s+@champion\s+READY/)

    const missing = await cli.run('models', 'show', 'clf@nope')
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain('nope')
    const bad = await cli.run('models', 'alias', 'set', 'clf', 'x', 'one')
    expect(bad.code).not.toBe(0)
  }, 60_000)
})
