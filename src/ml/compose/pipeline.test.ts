import { describe, expect, it } from 'vitest'

import {
  createToyFrame,
  createTestResolve,
  ToyCenter,
  ToyHalfMean,
} from '../../../test/fixtures/ml/compose/toy-estimators.js'
import { CancelledError, ValidationError } from '../../core/index.js'
import { createColumn, createFrame, type Column, type Frame } from '../../frame/index.js'
import type { Model, Progress } from '../base/index.js'
import { checkData, estimatorChecks } from '../checks/index.js'
import { DummyClassifier, DummyRegressor } from '../dummy/index.js'

import { Pipeline, PipelineModel, loadPipeline } from './index.js'

const resolve = createTestResolve()
const load = (s: Parameters<typeof loadPipeline>[0]) => loadPipeline(s, resolve)

function values(c: Column): unknown[] {
  return Array.from(c.values as ArrayLike<unknown>)
}

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn()
  } catch (err) {
    if (err instanceof ValidationError)
      return err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
    throw err
  }
  throw new Error('expected a ValidationError')
}

describe('checkEstimator', () => {
  describe('compose.pipeline ending in a classifier', () => {
    for (const c of estimatorChecks({
      task: 'classification',
      make: () =>
        new Pipeline({
          steps: [
            { name: 'center', estimator: new ToyCenter() },
            { name: 'clf', estimator: new DummyClassifier({ strategy: 'stratified', seed: 4 }) },
          ],
        }),
      load,
      oneRow: 'fit',
    }))
      it(c.name, c.run)
  })
  describe('compose.pipeline ending in a regressor, from specs', () => {
    for (const c of estimatorChecks({
      task: 'regression',
      make: () =>
        resolve('compose.pipeline').create({
          steps: [
            { name: 'center', estimator: { kind: 'toy.center', params: { offset: 2 } } },
            { name: 'skip', estimator: 'passthrough' },
            { name: 'reg', estimator: { kind: 'dummy.regressor', params: { strategy: 'median' } } },
          ],
        }),
      load,
    }))
      it(c.name, c.run)
  })
  describe('compose.pipeline of transformers', () => {
    for (const c of estimatorChecks({
      task: 'transform',
      make: () =>
        new Pipeline({
          steps: [
            { name: 'a', estimator: new ToyCenter() },
            { name: 'b', estimator: new ToyCenter({ offset: 1 }) },
          ],
        }),
      load,
      oneRow: 'fit',
    }))
      it(c.name, c.run)
  })
  describe('compose.pipeline ending in passthrough', () => {
    for (const c of estimatorChecks({
      task: 'transform',
      make: () =>
        new Pipeline({
          steps: [
            { name: 'a', estimator: new ToyCenter() },
            { name: 'b', estimator: 'passthrough' },
          ],
        }),
      load,
    }))
      it(c.name, c.run)
  })
})

describe('Pipeline', () => {
  const { X, y } = checkData('classification') as { X: Frame; y: Column }
  const pipe = new Pipeline({
    steps: [
      { name: 'center', estimator: new ToyCenter({ offset: 1 }) },
      { name: 'clf', estimator: new DummyClassifier() },
    ],
  })

  it('chains the steps: each is fitted on the output of the previous one', () => {
    const m = pipe.fit(X, y)
    const center = new ToyCenter({ offset: 1 }).fit(X)
    const clf = new DummyClassifier().fit(center.transform(X), y)
    expect(m.predict?.(X)).toEqual(clf.predict(center.transform(X)))
    expect(m.predictProba?.(X)).toEqual(clf.predictProba(center.transform(X)))
    expect(m.classes).toEqual(['a', 'b', 'c'])
    expect(m.transform).toBeUndefined()
    expect(m.featureNames).toEqual(['x0', 'x1', 'x2', 'x3'])
    expect((m.step('center') as Model).kind).toBe('toy.center')
    expect(() => m.step('nope')).toThrow(ValidationError)
  })

  it('exposes transform and outputNames when the last step is a transformer', () => {
    const m = new Pipeline({
      steps: [
        { name: 'a', estimator: new ToyCenter() },
        { name: 'b', estimator: new ToyCenter({ offset: 5 }) },
      ],
    }).fit(X)
    expect(m.predict).toBeUndefined()
    expect(m.outputNames).toEqual(['x0', 'x1', 'x2', 'x3'])
    const out = m.transform?.(X)
    const a = new ToyCenter().fit(X).transform(X)
    const direct = new ToyCenter({ offset: 5 }).fit(a).transform(a)
    expect(out?.columns.map(values)).toEqual(direct.columns.map(values))
  })

  it('routes sklearn-style nested parameter names to the steps', () => {
    const p = pipe.withParams({ clf__strategy: 'most_frequent', center__offset: 3 })
    expect(p).not.toBe(pipe)
    expect(pipe.params.steps[1]?.estimator).toBeInstanceOf(DummyClassifier)
    expect((p.params.steps[1]?.estimator as DummyClassifier).params).toEqual({
      strategy: 'most_frequent',
    })
    expect((p.params.steps[0]?.estimator as ToyCenter).params).toEqual({ offset: 3 })
    expect(Object.keys(p.params)).toEqual(['steps'])
    const m = p.fit(X, y)
    expect(m.toJSON().params).toMatchObject({
      steps: [
        { name: 'center', estimator: { kind: 'toy.center', params: { offset: 3 } } },
        {
          name: 'clf',
          estimator: { kind: 'dummy.classifier', params: { strategy: 'most_frequent' } },
        },
      ],
    })
    // A bare step name replaces the step.
    const skipped = pipe.withParams({ center: 'passthrough' })
    expect(skipped.params.steps[0]?.estimator).toBe('passthrough')
    expect(skipped.fit(X, y).step('center')).toBe('passthrough')
  })

  it('routes nested names through specs and nested pipelines, also when given at create', () => {
    const inner = {
      kind: 'compose.pipeline',
      params: { steps: [{ name: 'c', estimator: { kind: 'toy.center' } }] },
    }
    const outer = resolve('compose.pipeline').create({
      steps: [
        { name: 'pre', estimator: inner },
        { name: 'reg', estimator: { kind: 'dummy.regressor' } },
      ],
      pre__c__offset: 7,
    })
    const yr = checkData('regression').y!
    const m = outer.withParams({ reg__strategy: 'median' }).fit(X, yr)
    if (!(m instanceof PipelineModel)) throw new Error('expected a PipelineModel')
    const pre = m.step('pre') as PipelineModel
    expect((pre.step('c') as Model).toJSON().params).toEqual({ offset: 7 })
    expect((m.step('reg') as Model).toJSON().params).toMatchObject({ strategy: 'median' })
  })

  it('validates parameters with field paths', () => {
    const est = new DummyClassifier()
    expect(issuesOf(() => new Pipeline({ steps: [] }).fit(X, y))).toMatchObject([
      { path: 'params.steps' },
    ])
    expect(
      issuesOf(() =>
        new Pipeline({
          steps: [
            { name: 'a', estimator: new ToyCenter() },
            { name: 'b', estimator: 42 as unknown as DummyClassifier },
          ],
        }).fit(X, y),
      ),
    ).toMatchObject([{ path: 'params.steps.1.estimator', message: expect.stringMatching(/spec/) }])
    expect(
      issuesOf(() =>
        new Pipeline({
          steps: [
            { name: 'a', estimator: new ToyCenter() },
            { name: 'a__b', estimator: est },
            { name: 'a', estimator: est },
            { name: 'steps', estimator: est },
          ],
        }).fit(X, y),
      ).map((i) => i.path),
    ).toEqual(['params.steps.1.name', 'params.steps.2.name', 'params.steps.3.name'])
    expect(issuesOf(() => pipe.withParams({ nope__x: 1 }).fit(X, y))).toMatchObject([
      { path: 'params' },
    ])
    // A child's own parameter error is reported under the path of that child.
    expect(issuesOf(() => pipe.withParams({ clf__strategy: 'bogus' }).fit(X, y))).toMatchObject([
      { path: 'params.steps.1.estimator.params.strategy' },
    ])
    expect(
      issuesOf(() =>
        resolve('compose.pipeline')
          .create({ steps: [{ name: 'x', estimator: { kind: 'no.such' } }] })
          .fit(X, y),
      ),
    ).toMatchObject([{ path: 'params.steps.0.estimator.kind' }])
    // Specs need the registry.
    expect(
      issuesOf(() =>
        new Pipeline({ steps: [{ name: 'x', estimator: { kind: 'toy.center' } }] }).fit(X, y),
      ),
    ).toMatchObject([{ path: 'params.steps.0.estimator' }])
  })

  it('rejects a non-transformer before the last step', () => {
    const bad = new Pipeline({
      steps: [
        { name: 'clf', estimator: new DummyClassifier() },
        { name: 'c', estimator: new ToyCenter() },
      ],
    })
    expect(issuesOf(() => bad.fit(X, y))).toMatchObject([{ path: 'params.steps.0.estimator' }])
    expect(issuesOf(() => pipe.fitTransform(X, y))).toMatchObject([
      { path: 'params.steps.1.estimator' },
    ])
  })

  it('feeds the next step with fitTransform output (cross-fitting) and returns it', () => {
    const yr = checkData('regression').y!
    const p = new Pipeline({
      steps: [
        { name: 'te', estimator: new ToyHalfMean() },
        { name: 'c', estimator: new ToyCenter() },
      ],
    })
    const { model, output } = p.fitTransform(X, yr)
    const half = new ToyHalfMean().fitTransform(X, yr).output
    const center = new ToyCenter().fit(half)
    expect((model.step('c') as Model).toJSON()).toEqual(center.toJSON())
    expect(values(output.column('te'))).toEqual(values(center.transform(half).column('te')))
    // transform (unlike fitTransform) uses the plain fitted means.
    const direct = center.transform(new ToyHalfMean().fit(X, yr).transform(X))
    expect(values(model.transform(X).column('te'))).toEqual(values(direct.column('te')))
  })

  it('reports progress per step with child stages prefixed, and stops on abort', () => {
    const seen: Progress[] = []
    pipe.fit(X, y, { onProgress: (p) => seen.push(p) })
    expect(seen.map((p) => p.stage)).toEqual([
      'fit',
      'step center',
      'center/fit',
      'step clf',
      'clf/fit',
      'fit',
    ])
    const ac = new AbortController()
    expect(() =>
      pipe.fit(X, y, {
        signal: ac.signal,
        onProgress: (p) => {
          if (p.stage === 'center/fit') ac.abort()
        },
      }),
    ).toThrow(CancelledError)
  })

  it('saves every step in one state and loads it through the registry lookup', () => {
    const m = pipe.fit(X, y)
    const s = JSON.parse(JSON.stringify(m.toJSON())) as ReturnType<PipelineModel['toJSON']>
    expect(s.state.steps).toHaveLength(2)
    const loaded = load(s)
    expect(loaded.predictProba?.(X)).toEqual(m.predictProba?.(X))
    // The saved params rebuild an equivalent unfitted pipeline.
    const refit = resolve('compose.pipeline').create(s.params).fit(X, y)
    expect(JSON.stringify(refit.toJSON())).toBe(JSON.stringify(s))
    expect(() =>
      load({ ...s, state: { ...s.state, steps: [s.state.steps as unknown[]][0]?.slice(0, 1) } }),
    ).toThrow(ValidationError)
    const broken = { ...s, state: { ...s.state, steps: [null, null] } }
    expect(issuesOf(() => load(broken))[0]?.path).toBe('state.steps.0')
  })

  it('checks y length up front and keeps the input frame unchanged', () => {
    expect(issuesOf(() => pipe.fit(X, createFrame([y]).slice(0, 5).columns[0]))).toMatchObject([
      { path: 'y' },
    ])
    const Xr = createToyFrame(10)
    const yr = createColumn({ name: 'y', dtype: 'f64', values: new Float64Array(10).fill(1) })
    const m = new Pipeline({ steps: [{ name: 'r', estimator: new DummyRegressor() }] }).fit(Xr, yr)
    expect(values(m.predict!(Xr))).toEqual(new Array(10).fill(1))
  })
})
