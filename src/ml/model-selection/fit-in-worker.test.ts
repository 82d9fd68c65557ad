import { describe, expect, it } from 'vitest'

import { classification, regression } from '../../../test/fixtures/ml/model-selection/datasets.js'
import { CancelledError, ValidationError } from '../../core/index.js'
import type { Frame } from '../../frame/index.js'
import type { Progress, Predictor } from '../base/index.js'
import { Pipeline } from '../compose/index.js'
import { DummyClassifier } from '../dummy/index.js'
import { Lasso, Ridge } from '../linear/regression/index.js'
import { StandardScaler } from '../preprocessing/index.js'

import { fitInWorker } from './index.js'

const predict = (m: unknown, X: Frame): unknown => (m as Predictor).predict(X).values

describe('fitInWorker', () => {
  it('returns a model that predicts exactly as one fitted on the calling thread', async () => {
    const { X, y } = regression
    const pipe = new Pipeline({
      steps: [
        { name: 'scale', estimator: new StandardScaler() },
        { name: 'ridge', estimator: new Ridge({ alpha: 0.5 }) },
      ],
    })
    const seen: Progress[] = []
    const remote = await fitInWorker(pipe, X, y, { onProgress: (p) => seen.push(p) })
    const local = pipe.fit(X, y)
    expect(remote.kind).toBe('compose.pipeline')
    expect(remote.toJSON()).toEqual(local.toJSON())
    expect(predict(remote, X)).toEqual(predict(local, X))
    // progress posted from the worker's onProgress, in order
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.some((p) => p.stage.startsWith('step scale') || p.stage.startsWith('scale/'))).toBe(
      true,
    )
  })

  it('an abort terminates the fit mid-way and rejects with CancelledError', async () => {
    const { X, y } = regression
    // Far more epochs than the abort allows (tol 0 never converges).
    const slow = new Lasso({ alpha: 1e-9, tol: 0, maxIter: 10_000_000 })
    const controller = new AbortController()
    let progressed = 0
    const started = performance.now()
    const p = fitInWorker(slow, X, y, {
      signal: controller.signal,
      onProgress: () => {
        if (++progressed === 50) controller.abort()
      },
    })
    await expect(p).rejects.toBeInstanceOf(CancelledError)
    expect(progressed).toBeGreaterThanOrEqual(50)
    expect(performance.now() - started).toBeLessThan(20_000)
  })

  it('rejects with the fit error, issues kept', async () => {
    const { X, y } = classification
    const err = await fitInWorker(
      new DummyClassifier({ strategy: 'constant', constant: 7 }),
      X,
      y,
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ValidationError)
    expect((err as ValidationError).issues[0]!.path).toEqual(['params', 'constant'])
  })

  it('a pre-aborted signal rejects before starting a worker', async () => {
    const { X, y } = classification
    await expect(
      fitInWorker(new DummyClassifier(), X, y, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(CancelledError)
  })
})
