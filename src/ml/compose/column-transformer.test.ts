import { describe, expect, it } from 'vitest'

import {
  createTestResolve,
  createToyFrame,
  ToyCenter,
  ToyHalfMean,
} from '../../../test/fixtures/ml/compose/toy-estimators.js'
import { CancelledError, ValidationError } from '../../core/index.js'
import { createColumn, type Column, type Frame } from '../../frame/index.js'
import type { Model, ModelState } from '../base/index.js'
import { checkData, estimatorChecks } from '../checks/index.js'
import { DummyClassifier } from '../dummy/index.js'

import {
  ColumnTransformer,
  ColumnTransformerModel,
  PipelineModel,
  loadColumnTransformer,
  makeColumnSelector,
  makeColumnTransformer,
  makePipeline,
} from './index.js'

const resolve = createTestResolve()
const load = (s: ModelState) => loadColumnTransformer(s, resolve)

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
  describe('compose.column-transformer with named columns and a passthrough remainder', () => {
    for (const c of estimatorChecks({
      task: 'transform',
      make: () =>
        new ColumnTransformer({
          transformers: [
            { name: 'num', estimator: new ToyCenter(), columns: ['x1', 'x0'] },
            { name: 'keep', estimator: 'passthrough', columns: ['x2'] },
          ],
          remainder: 'passthrough',
        }),
      load,
      oneRow: 'fit',
    }))
      it(c.name, c.run)
  })
  describe('compose.column-transformer from specs with dtype selectors', () => {
    const X = createToyFrame(40)
    for (const c of estimatorChecks({
      task: 'transform',
      data: { X },
      make: () =>
        resolve('compose.column-transformer').create({
          transformers: [
            { name: 'num', estimator: { kind: 'toy.center' }, columns: { dtype: ['f64'] } },
            { name: 'cat', estimator: 'passthrough', columns: { dtype: ['categorical'] } },
            { name: 'none', estimator: { kind: 'toy.center' }, columns: { dtype: ['time'] } },
          ],
        }),
      load,
      unseenCategory: 'handle',
    }))
      it(c.name, c.run)
  })
})

describe('ColumnTransformer', () => {
  const X = createToyFrame(12)

  it('puts the outputs side by side with sklearn-style prefixed names', () => {
    const ct = new ColumnTransformer({
      transformers: [
        { name: 'scale', estimator: new ToyCenter(), columns: ['count', 'num'] },
        { name: 'gone', estimator: 'drop', columns: ['id'] },
      ],
      remainder: 'passthrough',
    })
    const { model, output } = ct.fitTransform(X)
    expect(model.outputNames).toEqual(['scale__count', 'scale__num', 'remainder__city'])
    expect(output.names).toEqual(model.outputNames)
    const scaled = new ToyCenter().fit(X.select(['count', 'num'])).transform(X)
    expect(values(output.column('scale__num'))).toEqual(values(scaled.column('num')))
    // A passthrough column keeps its dtype and categories.
    expect(output.column('remainder__city')).toMatchObject({
      dtype: 'cat',
      categories: ['Lima', 'Oslo', 'Pune'],
    })
    expect(model.transform(X).columns.map(values)).toEqual(output.columns.map(values))
    expect(model.featureNames).toEqual(['num', 'count', 'city', 'id'])
  })

  it('keeps names without verboseFeatureNames and rejects collisions', () => {
    const flat = new ColumnTransformer({
      transformers: [{ name: 'scale', estimator: new ToyCenter(), columns: ['num'] }],
      remainder: 'passthrough',
      verboseFeatureNames: false,
    }).fit(X)
    expect(flat.outputNames).toEqual(['num', 'count', 'city', 'id'])
    const clash = new ColumnTransformer({
      transformers: [
        { name: 'a', estimator: new ToyCenter(), columns: ['num'] },
        { name: 'b', estimator: 'passthrough', columns: ['num'] },
      ],
      verboseFeatureNames: false,
    })
    expect(issuesOf(() => clash.fit(X))).toMatchObject([
      { path: 'params.verboseFeatureNames', message: expect.stringMatching(/"num".*a and b/) },
    ])
  })

  it('selects columns by dtype family and pattern, in frame order', () => {
    const m = makeColumnTransformer([
      [new ToyCenter(), makeColumnSelector({ dtype: ['numeric'] })],
      ['passthrough', makeColumnSelector({ dtype: ['categorical', 'text'] })],
      [new ToyCenter({ offset: 1 }), makeColumnSelector({ pattern: '^nu' })],
    ]).fit(X)
    expect(m.outputNames).toEqual([
      'center-1__num',
      'center-1__count',
      'passthrough__city',
      'passthrough__id',
      'center-2__num',
    ])
    expect(
      issuesOf(() => makeColumnTransformer([[new ToyCenter(), { pattern: '(' }]]).fit(X)),
    ).toMatchObject([{ path: 'params.transformers.0.columns.pattern' }])
  })

  it('reports a named column X lacks under its params path', () => {
    const ct = new ColumnTransformer({
      transformers: [{ name: 'a', estimator: new ToyCenter(), columns: ['num', 'nope'] }],
    })
    expect(issuesOf(() => ct.fit(X))).toMatchObject([{ path: 'params.transformers.0.columns.1' }])
    expect(
      issuesOf(() =>
        new ColumnTransformer({
          transformers: [
            { name: 'remainder', estimator: 'drop', columns: ['num'] },
            { name: 'x', estimator: 'drop', columns: ['num', 'num'] },
          ],
        }).fit(X),
      ).map((i) => i.path),
    ).toEqual(['params.transformers.1.columns', 'params.transformers.0.name'])
  })

  it('skips a transformer whose selector picks nothing, and keeps its spec', () => {
    const ct = new ColumnTransformer({
      transformers: [
        { name: 'num', estimator: new ToyCenter(), columns: { dtype: ['numeric'] } },
        { name: 'time', estimator: new ToyCenter({ offset: 2 }), columns: { dtype: ['time'] } },
      ],
    })
    const m = ct.fit(X)
    expect(m.outputNames).toEqual(['num__num', 'num__count'])
    const s = m.toJSON()
    expect(s.params['transformers']).toMatchObject([
      {},
      { estimator: { kind: 'toy.center', params: { offset: 2 } } },
    ])
    const loaded = load(JSON.parse(JSON.stringify(s)) as ModelState)
    expect(JSON.stringify(loaded.toJSON())).toBe(JSON.stringify(s))
  })

  it('routes nested parameter names and hands fitTransform output on', () => {
    const yr = createColumn({
      name: 'y',
      dtype: 'f64',
      values: Float64Array.from({ length: 12 }, (_, i) => i),
    })
    const ct = new ColumnTransformer({
      transformers: [
        { name: 'te', estimator: new ToyHalfMean(), columns: ['num'] },
        { name: 'c', estimator: new ToyCenter(), columns: ['count'] },
      ],
    }).withParams({ c__offset: 10 })
    const { model, output } = ct.fitTransform(X, yr)
    expect(values(output.column('te__te'))).toEqual([...Array(6).fill(8.5), ...Array(6).fill(2.5)])
    expect(values(model.transform(X).column('te__te'))).toEqual(Array(12).fill(5.5))
    expect((model.parts[1]?.model as Model).toJSON().params).toEqual({ offset: 10 })
    expect(issuesOf(() => ct.withParams({ c__offset: 'x' }).fit(X, yr))).toMatchObject([
      { path: 'params.transformers.1.estimator.params.offset' },
    ])
  })

  it('works as the first step of a pipeline, and saves and loads inside it', () => {
    const { X: Xc, y } = checkData('classification') as { X: Frame; y: Column }
    const pipe = makePipeline(
      [
        makeColumnTransformer([[new ToyCenter(), ['x0', 'x1']]], { remainder: 'passthrough' }),
        new DummyClassifier({ strategy: 'stratified' }),
      ],
      { resolve },
    )
    expect(pipe.params.steps.map((s) => s.name)).toEqual(['column-transformer', 'classifier'])
    const m = pipe.withParams({ 'column-transformer__remainder': 'drop' }).fit(Xc, y)
    const ct = m.step('column-transformer')
    if (!(ct instanceof ColumnTransformerModel)) throw new Error('expected a column transformer')
    expect(ct.outputNames).toEqual(['center__x0', 'center__x1'])
    const loaded = resolve('compose.pipeline').load(
      JSON.parse(JSON.stringify(m.toJSON())) as ModelState,
    )
    expect(JSON.stringify(loaded.toJSON())).toBe(JSON.stringify(m.toJSON()))
    expect(loaded).toBeInstanceOf(PipelineModel)
  })

  it('reports progress per transformer, stops on abort, and rejects non-transformers', () => {
    const ct = new ColumnTransformer({
      transformers: [
        { name: 'a', estimator: new ToyCenter(), columns: ['num'] },
        { name: 'b', estimator: new ToyCenter(), columns: ['count'] },
      ],
    })
    const stages: string[] = []
    ct.fit(X, undefined, { onProgress: (p) => stages.push(p.stage) })
    expect(stages).toEqual(['fit', 'transformer a', 'a/fit', 'transformer b', 'b/fit', 'fit'])
    const ac = new AbortController()
    expect(() =>
      ct.fit(X, undefined, {
        signal: ac.signal,
        onProgress: (p) => {
          if (p.stage === 'a/fit') ac.abort()
        },
      }),
    ).toThrow(CancelledError)
    const yc = createColumn({ name: 'y', dtype: 'str', values: Array(12).fill('u') })
    const bad = new ColumnTransformer({
      transformers: [{ name: 'clf', estimator: new DummyClassifier(), columns: ['num'] }],
    })
    expect(issuesOf(() => bad.fit(X, yc))).toMatchObject([
      { path: 'params.transformers.0.estimator' },
    ])
    expect(issuesOf(() => bad.fitTransform(X, yc))).toMatchObject([
      { path: 'params.transformers.0.estimator' },
    ])
  })

  it('rejects a saved state whose output names do not match', () => {
    const s = new ColumnTransformer({
      transformers: [{ name: 'a', estimator: new ToyCenter(), columns: ['num'] }],
    })
      .fit(X)
      .toJSON()
    expect(issuesOf(() => load({ ...s, state: { ...s.state, outputNames: ['x'] } }))).toMatchObject(
      [{ path: 'state.outputNames' }],
    )
    expect(
      issuesOf(() => load({ ...s, state: { ...s.state, columns: [['not-a-feature']] } })),
    ).toMatchObject([{ path: 'state.columns.0' }])
  })
})
