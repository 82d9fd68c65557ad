// Pipeline and ColumnTransformer with Plinth's real scalers and ridge against scikit-learn
// 1.2.1 on 200 rows of mlbench_pima and 300 rows of aer_hmda. Fixtures: test/fixtures/ml/compose/generate.py.
import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { createTestResolve } from '../../../test/fixtures/ml/compose/toy-estimators.js'
import {
  columnFromArray,
  createColumn,
  createFrame,
  type Column,
  type Frame,
} from '../../frame/index.js'
import type { ModelState } from '../base/index.js'
import { estimatorChecks } from '../checks/index.js'
import { DummyClassifier } from '../dummy/index.js'
import { LINEAR_ESTIMATORS } from '../linear/index.js'
import {
  MinMaxScaler,
  OneHotEncoder,
  PREPROCESSING_ESTIMATORS,
  StandardScaler,
} from '../preprocessing/index.js'

import {
  ColumnTransformer,
  ColumnTransformerModel,
  Pipeline,
  PipelineModel,
  loadColumnTransformer,
  loadPipeline,
  makeColumnSelector,
  makeColumnTransformer,
  makePipeline,
} from './index.js'

interface Fixture {
  sklearn: string
  X: { name: string; values: number[] }[]
  y: number[]
  hmda: { X: { name: string; values: (number | string)[] }[]; y: number[] }
  cases: { name: string; predict?: number[]; outputNames?: string[]; output?: number[][] }[]
}

const fx = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/ml/compose/compose.json', import.meta.url), 'utf8'),
) as Fixture
const X: Frame = createFrame(
  fx.X.map((c) =>
    createColumn({ name: c.name, dtype: 'f64', values: Float64Array.from(c.values) }),
  ),
)
const y: Column = createColumn({ name: 'glucose', dtype: 'f64', values: Float64Array.from(fx.y) })
const resolve = createTestResolve([...PREPROCESSING_ESTIMATORS, ...LINEAR_ESTIMATORS])
const create = (kind: string, params: Record<string, unknown>) => resolve(kind).create(params)

function caseOf(name: string) {
  const c = fx.cases.find((x) => x.name === name)
  if (c === undefined) throw new Error(`no fixture case ${name}`)
  return c
}

function expectClose(got: ArrayLike<number>, want: readonly number[], tol: number): void {
  expect(got.length).toBe(want.length)
  let worst = 0
  for (let i = 0; i < want.length; i++)
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)))
  expect(worst).toBeLessThan(tol)
}

describe('against scikit-learn', () => {
  it('Pipeline(StandardScaler, Ridge) predicts like sklearn', () => {
    const pipe = create('compose.pipeline', {
      steps: [
        { name: 'scale', estimator: { kind: 'preprocessing.standard-scaler' } },
        { name: 'ridge', estimator: { kind: 'linear.ridge', params: { alpha: 1 } } },
      ],
    })
    const m = pipe.fit(X, y)
    if (!(m instanceof PipelineModel) || m.predict === undefined) throw new Error('no predict')
    expectClose(m.predict(X).values as Float64Array, caseOf('scale+ridge').predict!, 1e-9)
  })

  it('ColumnTransformer output and names match sklearn (verbose and flat)', () => {
    const ct = new ColumnTransformer({
      transformers: [
        { name: 'std', estimator: new StandardScaler(), columns: ['pregnant', 'age'] },
        { name: 'mm', estimator: new MinMaxScaler(), columns: ['mass', 'pedigree'] },
      ],
      remainder: 'passthrough',
    })
    const want = caseOf('column-transformer')
    const { model, output } = ct.fitTransform(X)
    expect(model.outputNames).toEqual(want.outputNames)
    want.output!.forEach((col, j) => {
      expectClose(output.columns[j]!.values as Float64Array, col, 1e-12)
    })
    const flat = ct
      .withParams({
        transformers: [
          { name: 'std', estimator: new StandardScaler(), columns: ['pregnant', 'age'] },
        ],
        verboseFeatureNames: false,
      })
      .fit(X)
    expect(flat.outputNames).toEqual(caseOf('column-transformer-flat').outputNames)
  })

  it('Pipeline(ColumnTransformer, Ridge) predicts like sklearn, also after save and load', () => {
    const pipe = new Pipeline(
      {
        steps: [
          {
            name: 'pre',
            estimator: new ColumnTransformer({
              transformers: [
                {
                  name: 'std',
                  estimator: new StandardScaler(),
                  columns: ['pregnant', 'age', 'insulin'],
                },
                { name: 'mm', estimator: new MinMaxScaler(), columns: ['mass', 'pedigree'] },
              ],
            }),
          },
          { name: 'ridge', estimator: { kind: 'linear.ridge' } },
        ],
      },
      resolve,
    )
    const m = pipe.withParams({ ridge__alpha: 10 }).fit(X, y)
    const want = caseOf('column-transformer+ridge').predict!
    expectClose(m.predict!(X).values as Float64Array, want, 1e-9)
    const loaded = loadPipeline(JSON.parse(JSON.stringify(m.toJSON())) as ModelState, resolve)
    expect(Array.from(loaded.predict!(X).values as Float64Array)).toEqual(
      Array.from(m.predict!(X).values as Float64Array),
    )
  })
})

describe('mixed numeric and categorical columns (aer_hmda) against scikit-learn', () => {
  const HX = createFrame(
    fx.hmda.X.map((c) =>
      typeof c.values[0] === 'number'
        ? createColumn({
            name: c.name,
            dtype: 'f64',
            values: Float64Array.from(c.values as number[]),
          })
        : columnFromArray(c.name, c.values as string[], 'cat'),
    ),
  )
  const hy = createColumn({ name: 'deny', dtype: 'f64', values: Float64Array.from(fx.hmda.y) })
  const want = caseOf('mixed')

  it('scales numbers, one-hot encodes categories and fits a ridge like sklearn', () => {
    const pipe = makePipeline(
      [
        makeColumnTransformer([
          [new StandardScaler(), makeColumnSelector({ dtype: ['numeric'] })],
          [
            new OneHotEncoder({ handleUnknown: 'ignore' }),
            makeColumnSelector({ dtype: ['categorical'] }),
          ],
        ]),
        { kind: 'linear.ridge', params: { alpha: 1 } },
      ],
      { resolve },
    )
    const m = pipe.fit(HX, hy)
    const pre = m.step('column-transformer')
    if (!(pre instanceof ColumnTransformerModel)) throw new Error('expected a column transformer')
    // Plinth names children from their kinds; sklearn's names were num and cat.
    expect(
      pre.outputNames.map((n) =>
        n.replace(/^standard-scaler__/, 'num__').replace(/^one-hot__/, 'cat__'),
      ),
    ).toEqual(want.outputNames)
    expectClose(m.predict!(HX).values as Float64Array, want.predict!, 1e-9)
  })

  describe('checkEstimator: column transformer with scaler and one-hot', () => {
    for (const c of estimatorChecks({
      task: 'transform',
      data: { X: HX.slice(0, 80) },
      make: () =>
        new ColumnTransformer({
          transformers: [
            { name: 'num', estimator: new StandardScaler(), columns: { dtype: ['numeric'] } },
            {
              name: 'cat',
              estimator: new OneHotEncoder({ handleUnknown: 'ignore' }),
              columns: { dtype: ['categorical'] },
            },
          ],
        }),
      load: (s) => loadColumnTransformer(s, resolve),
      missing: 'handle',
      unseenCategory: 'handle',
    }))
      it(c.name, c.run)
  })
})

describe('checkEstimator with the preprocessing kinds', () => {
  describe('compose.pipeline: standard scaler → dummy classifier', () => {
    for (const c of estimatorChecks({
      task: 'classification',
      make: () =>
        new Pipeline({
          steps: [
            { name: 'scale', estimator: new StandardScaler() },
            { name: 'clf', estimator: new DummyClassifier({ strategy: 'uniform', seed: 2 }) },
          ],
        }),
      load: (s) => loadPipeline(s, resolve),
      missing: 'handle',
      oneRow: 'fit',
    }))
      it(c.name, c.run)
  })
  describe('compose.pipeline: scalers → ridge, from specs', () => {
    for (const c of estimatorChecks({
      task: 'regression',
      make: () =>
        create('compose.pipeline', {
          steps: [
            { name: 'mm', estimator: { kind: 'preprocessing.min-max-scaler' } },
            { name: 'std', estimator: { kind: 'preprocessing.standard-scaler' } },
            { name: 'ridge', estimator: { kind: 'linear.ridge', params: { alpha: 0.5 } } },
          ],
        }),
      load: (s) => loadPipeline(s, resolve),
    }))
      it(c.name, c.run)
  })
  describe('compose.column-transformer: standard and min-max scalers', () => {
    for (const c of estimatorChecks({
      task: 'transform',
      make: () =>
        new ColumnTransformer({
          transformers: [
            { name: 'std', estimator: new StandardScaler(), columns: ['x0', 'x2'] },
            { name: 'mm', estimator: new MinMaxScaler(), columns: { pattern: '[13]$' } },
          ],
        }),
      load: (s) => loadColumnTransformer(s, resolve),
      missing: 'handle',
      oneRow: 'fit',
    }))
      it(c.name, c.run)
  })
})
