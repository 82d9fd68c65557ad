// The composite kinds through the real registry and cross-validation (which rebuilds
// estimators from plain specs, on worker threads when nJobs > 1).
import { describe, expect, it } from 'vitest'

import type { Column, Frame } from '../../frame/index.js'
import type { ModelState } from '../base/index.js'
import { checkData } from '../checks/index.js'
import { DummyClassifier } from '../dummy/index.js'
import { RandomOverSampler } from '../imbalance/index.js'
import { crossValScore } from '../model-selection/index.js'
import { StandardScaler } from '../preprocessing/index.js'
import { createEstimator, listEstimatorEntries, loadModel } from '../registry.js'

import { Pipeline, PipelineModel } from './index.js'

const { X, y } = checkData('classification') as { X: Frame; y: Column }

const spec = {
  steps: [
    { name: 'scale', estimator: { kind: 'preprocessing.standard-scaler', params: {} } },
    { name: 'over', estimator: { kind: 'imbalance.random-over-sampler', params: { seed: 1 } } },
    { name: 'clf', estimator: { kind: 'dummy.classifier', params: { strategy: 'stratified' } } },
  ],
}

describe('compose kinds in the registry', () => {
  it('are listed, created from plain params and loaded by loadModel', () => {
    const kinds = listEstimatorEntries().map((e) => e.kind)
    expect(kinds).toContain('compose.pipeline')
    expect(kinds).toContain('compose.column-transformer')
    const m = createEstimator('compose.pipeline', spec).fit(X, y)
    const loaded = loadModel(JSON.parse(JSON.stringify(m.toJSON())) as ModelState)
    expect(loaded).toBeInstanceOf(PipelineModel)
    expect(JSON.stringify(loaded.toJSON())).toBe(JSON.stringify(m.toJSON()))
  })

  it('cross-validate on the calling thread with instances, and on workers from specs', async () => {
    const inline = new Pipeline({
      steps: [
        { name: 'scale', estimator: new StandardScaler() },
        { name: 'over', estimator: new RandomOverSampler({ seed: 1 }) },
        { name: 'clf', estimator: new DummyClassifier({ strategy: 'stratified' }) },
      ],
    })
    const a = await crossValScore(inline, X, y, { cv: 3, nJobs: 1 })
    const b = await crossValScore(createEstimator('compose.pipeline', spec), X, y, {
      cv: 3,
      nJobs: 2,
    })
    expect(Array.from(b)).toEqual(Array.from(a))
  })
})
