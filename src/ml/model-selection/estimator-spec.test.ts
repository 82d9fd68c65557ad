import { describe, expect, it } from 'vitest'

import { regression } from '../../../test/fixtures/ml/model-selection/datasets.js'
import { ValidationError } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import {
  isEstimator,
  type Estimator,
  type FitOptions,
  type Model,
  type Predictor,
} from '../base/index.js'
import { Pipeline } from '../compose/index.js'
import { DummyRegressor } from '../dummy/index.js'
import { Smote, isSampler } from '../imbalance/index.js'
import { Ridge } from '../linear/regression/index.js'
import { StandardScaler } from '../preprocessing/index.js'

import { deserializeEstimator, serializeEstimator, setParams } from './index.js'

const pipe = new Pipeline({
  steps: [
    { name: 'scale', estimator: new StandardScaler({ withMean: false }) },
    { name: 'ridge', estimator: new Ridge({ alpha: 3 }) },
  ],
})

interface WrapperParams {
  readonly inner: Estimator
  readonly k?: number
}

/** A made-up meta-estimator whose parameter holds another estimator (like sklearn's Bagging). */
function wrapper(params: WrapperParams): Estimator<WrapperParams> {
  return {
    kind: 'test.wrapper',
    params,
    withParams: (patch) => wrapper({ ...params, ...patch }),
    fit: (X: Frame, y?: Column, opts?: FitOptions): Model => params.inner.fit(X, y, opts),
  }
}

describe('serializeEstimator / deserializeEstimator', () => {
  it('turns nested estimators into { kind, params } and back, cloneable in between', () => {
    const spec = serializeEstimator(pipe)
    expect(spec).toEqual({
      kind: 'compose.pipeline',
      params: {
        steps: [
          {
            name: 'scale',
            estimator: { kind: 'preprocessing.standard-scaler', params: { withMean: false } },
          },
          { name: 'ridge', estimator: { kind: 'linear.ridge', params: { alpha: 3 } } },
        ],
      },
    })
    const back = deserializeEstimator(structuredClone(spec))
    expect(back.kind).toBe('compose.pipeline')
    const steps = (back.params as { steps: { estimator: unknown }[] }).steps
    expect(steps.every((s) => isEstimator(s.estimator))).toBe(true)
    const { X, y } = regression
    const a = (pipe.fit(X, y) as Predictor).predict(X).values
    const b = (back.fit(X, y) as Predictor).predict(X).values
    expect(b).toEqual(a)
  })
  it('turns a sampler step into { kind, params } and back into a sampler', () => {
    const withSampler = new Pipeline({
      steps: [
        { name: 'smote', estimator: new Smote({ kNeighbors: 3 }) },
        { name: 'ridge', estimator: new Ridge({ alpha: 3 }) },
      ],
    })
    const spec = serializeEstimator(withSampler)
    expect(spec.params?.['steps']).toEqual([
      { name: 'smote', estimator: { kind: 'imbalance.smote', params: { kNeighbors: 3 } } },
      { name: 'ridge', estimator: { kind: 'linear.ridge', params: { alpha: 3 } } },
    ])
    const back = deserializeEstimator(structuredClone(spec))
    const steps = (back.params as { steps: { estimator: unknown }[] }).steps
    expect(isSampler(steps[0]!.estimator)).toBe(true)
    expect(serializeEstimator(back)).toEqual(spec)
  })
  it('names a parameter that cannot cross threads', () => {
    const bad = new DummyRegressor({ strategy: 'mean', constant: (() => 1) as never })
    expect(() => serializeEstimator(bad)).toThrow(ValidationError)
    try {
      serializeEstimator(bad)
    } catch (e) {
      expect((e as ValidationError).issues[0]).toMatchObject({
        path: ['params', 'constant'],
        code: 'not_serializable',
      })
    }
  })
})

describe('setParams', () => {
  it('passes pipeline names to the pipeline, which routes them to its steps', () => {
    const p = setParams(pipe, { ridge__alpha: 0.1, scale__withMean: true })
    const steps = (p.params as { steps: { estimator: Estimator }[] }).steps
    expect(steps[1]!.estimator.params).toEqual({ alpha: 0.1 })
    expect(steps[0]!.estimator.params).toEqual({ withMean: true })
    expect((pipe.params.steps[1]!.estimator as Estimator).params).toEqual({ alpha: 3 })
  })
  it('routes <param>__<name> into an estimator-valued parameter itself', () => {
    const w = wrapper({ inner: new Ridge({ alpha: 1 }), k: 2 })
    const got = setParams(w, { inner__alpha: 5, k: 3 })
    expect(got.kind).toBe('test.wrapper')
    const params = got.params as WrapperParams
    expect(params.k).toBe(3)
    expect(params.inner.params).toEqual({ alpha: 5 })
    expect(w.params.inner.params).toEqual({ alpha: 1 })
  })
})
