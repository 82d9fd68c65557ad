import { describe, expect, it } from 'vitest'

import { ToyCenter, createTestResolve } from '../../../test/fixtures/ml/compose/toy-estimators.js'
import { ValidationError, createRng } from '../../core/index.js'
import { createColumn, createFrame, type Column, type Frame } from '../../frame/index.js'
import type { ModelState } from '../base/index.js'
import { estimatorChecks } from '../checks/index.js'
import { DummyClassifier } from '../dummy/index.js'
import { RandomOverSampler, RandomUnderSampler, Smote } from '../imbalance/index.js'

import { ColumnTransformer, Pipeline, PipelineModel, loadPipeline } from './index.js'

const resolve = createTestResolve()
const load = (s: ModelState) => loadPipeline(s, resolve)

function issuesOf(fn: () => unknown): { path: string; code: string }[] {
  try {
    fn()
  } catch (err) {
    if (err instanceof ValidationError)
      return err.issues.map((i) => ({ path: i.path.join('.'), code: i.code }))
    throw err
  }
  throw new Error('expected a ValidationError')
}

/** 40 rows, 2 features, 30 of class "maj" and 10 of class "min". */
function imbalanced(): { X: Frame; y: Column } {
  const rng = createRng(3)
  const n = 40
  const label = (i: number) => (i % 4 === 0 ? 'min' : 'maj')
  return {
    X: createFrame(
      ['a', 'b'].map((name) =>
        createColumn({
          name,
          dtype: 'f64',
          values: Float64Array.from(
            { length: n },
            (_, i) => rng.normal() + (label(i) === 'min' ? 2 : 0),
          ),
        }),
      ),
    ),
    y: createColumn({
      name: 'y',
      dtype: 'str',
      values: Array.from({ length: n }, (_, i) => label(i)),
    }),
  }
}

describe('checkEstimator: a pipeline with a sampler step', () => {
  for (const c of estimatorChecks({
    task: 'classification',
    make: () =>
      new Pipeline({
        steps: [
          { name: 'center', estimator: new ToyCenter() },
          { name: 'smote', estimator: new Smote({ kNeighbors: 3, samplingStrategy: { a: 25 } }) },
          { name: 'clf', estimator: new DummyClassifier({ strategy: 'stratified', seed: 1 }) },
        ],
      }),
    load,
  }))
    it(c.name, c.run)
})

describe('sampler steps (imbalanced-learn Pipeline semantics)', () => {
  const { X, y } = imbalanced()

  it('resample the training data at fit only', () => {
    const plain = new Pipeline({ steps: [{ name: 'clf', estimator: new DummyClassifier() }] })
    const balanced = new Pipeline({
      steps: [
        { name: 'over', estimator: new RandomOverSampler({ seed: 2 }) },
        { name: 'clf', estimator: new DummyClassifier() },
      ],
    })
    const p0 = plain.fit(X, y).predictProba!(X)
    const m = balanced.fit(X, y)
    const p1 = m.predictProba!(X)
    expect(p0.column('min').values[0]).toBe(0.25)
    expect(p1.column('min').values[0]).toBe(0.5)
    expect(p1.nRows).toBe(X.nRows)
    expect(m.step('over')).toBe('passthrough')
    expect(m.steps[0]?.sampler).toEqual({
      kind: 'imbalance.random-over-sampler',
      params: { seed: 2 },
    })
  })

  it('are built from specs, tuned with nested names, saved and loaded', () => {
    const pipe = resolve('compose.pipeline').create({
      steps: [
        {
          name: 'under',
          estimator: { kind: 'imbalance.random-under-sampler', params: { seed: 4 } },
        },
        { name: 'clf', estimator: { kind: 'dummy.classifier' } },
      ],
    })
    const m = pipe.withParams({ under__samplingStrategy: { maj: 20 } }).fit(X, y)
    if (!(m instanceof PipelineModel)) throw new Error('expected a PipelineModel')
    expect(m.predictProba!(X).column('min').values[0]).toBeCloseTo(10 / 30, 15)
    const text = JSON.stringify(m.toJSON())
    expect(m.toJSON().state['steps']).toEqual([null, expect.anything()])
    const loaded = load(JSON.parse(text) as ModelState)
    expect(JSON.stringify(loaded.toJSON())).toBe(text)
    const refit = resolve('compose.pipeline').create(m.toJSON().params).fit(X, y)
    expect(JSON.stringify(refit.toJSON())).toBe(text)
    // A sampler instance takes nested names too.
    const inst = new Pipeline({
      steps: [
        { name: 'under', estimator: new RandomUnderSampler() },
        { name: 'clf', estimator: new DummyClassifier() },
      ],
    }).withParams({ under__seed: 9 })
    expect((inst.params.steps[0]?.estimator as RandomUnderSampler).params).toEqual({ seed: 9 })
  })

  it('forward their own errors under the step path, and need y and a following step', () => {
    const last = new Pipeline({ steps: [{ name: 's', estimator: new Smote() }] })
    expect(issuesOf(() => last.fit(X, y))).toEqual([
      { path: 'params.steps.0.estimator', code: 'sampler_last' },
    ])
    const pipe = new Pipeline({
      steps: [
        { name: 's', estimator: new Smote({ kNeighbors: 50 }) },
        { name: 'c', estimator: new ToyCenter() },
      ],
    })
    expect(issuesOf(() => pipe.fit(X, y))).toEqual([
      { path: 'params.steps.0.estimator.params.kNeighbors', code: 'too_few_rows' },
    ])
    expect(issuesOf(() => pipe.fit(X))).toEqual([{ path: 'y', code: 'required' }])
    const ct = new ColumnTransformer({
      transformers: [{ name: 's', estimator: new Smote(), columns: ['a'] }],
    })
    expect(issuesOf(() => ct.fit(X, y))).toEqual([
      { path: 'params.transformers.0.estimator', code: 'sampler_not_allowed' },
    ])
  })

  it('leave fitTransform output row-aligned with X', () => {
    const pipe = new Pipeline({
      steps: [
        { name: 'over', estimator: new RandomOverSampler() },
        { name: 'c', estimator: new ToyCenter() },
      ],
    })
    const { model, output } = pipe.fitTransform(X, y)
    expect(output.nRows).toBe(X.nRows)
    expect(output.toRows()).toEqual(model.transform(X).toRows())
  })

  it('draw from a fork of the fit rng when one is given', () => {
    const pipe = new Pipeline({
      steps: [
        { name: 'over', estimator: new RandomOverSampler() },
        { name: 'c', estimator: new ToyCenter() },
      ],
    })
    const fit = (seed?: number) =>
      JSON.stringify(pipe.fit(X, y, seed === undefined ? {} : { rng: createRng(seed) }).toJSON())
    expect(fit(5)).toBe(fit(5))
    expect(fit(5)).not.toBe(fit(6))
    expect(fit(5)).not.toBe(fit())
  })
})
