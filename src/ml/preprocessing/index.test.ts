import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { createColumn, createFrame, type Frame } from '../../frame/index.js'
import { isTransformerEstimator, type Transformer } from '../base/index.js'

import { PREPROCESSING_ESTIMATORS } from './index.js'

const NUMERIC_KINDS = [
  'preprocessing.standard-scaler',
  'preprocessing.min-max-scaler',
  'preprocessing.robust-scaler',
  'preprocessing.simple-imputer',
  'preprocessing.k-bins',
  'preprocessing.polynomial',
  'preprocessing.outlier-clipper',
]

describe('PREPROCESSING_ESTIMATORS', () => {
  it('lists every kind once, all transform tasks', () => {
    const kinds = PREPROCESSING_ESTIMATORS.map((e) => e.kind)
    expect(new Set(kinds).size).toBe(kinds.length)
    expect(kinds).toEqual([
      'preprocessing.simple-imputer',
      'preprocessing.standard-scaler',
      'preprocessing.min-max-scaler',
      'preprocessing.robust-scaler',
      'preprocessing.one-hot',
      'preprocessing.ordinal',
      'preprocessing.target-encoder',
      'preprocessing.k-bins',
      'preprocessing.polynomial',
      'preprocessing.feature-cross',
      'preprocessing.outlier-clipper',
    ])
    for (const e of PREPROCESSING_ESTIMATORS) {
      expect(e.task).toBe('transform')
      const est = e.create({})
      expect(est.kind).toBe(e.kind)
      expect(isTransformerEstimator(est)).toBe(true)
    }
  })
})

const frameArb = fc
  .array(
    fc.tuple(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.integer({ min: -5, max: 5 })),
    {
      minLength: 2,
      maxLength: 30,
    },
  )
  .map((rows) =>
    createFrame([
      createColumn({ name: 'a', dtype: 'f64', values: Float64Array.from(rows, (r) => r[0]) }),
      createColumn({ name: 'b', dtype: 'i32', values: Int32Array.from(rows, (r) => r[1]) }),
    ]),
  )

const snapshot = (X: Frame): unknown =>
  X.columns.map((c) => [c.name, Array.from(c.values as ArrayLike<number>)])

describe('properties of the numeric transformers', () => {
  for (const kind of NUMERIC_KINDS) {
    const entry = PREPROCESSING_ESTIMATORS.find((e) => e.kind === kind)
    if (entry === undefined) throw new Error(kind)
    test.prop([frameArb], { seed: 20240611, numRuns: 50 })(
      `${kind}: fit is idempotent and fitTransform = fit then transform`,
      (X) => {
        const est = entry.create({})
        const a = est.fit(X) as Transformer
        const b = est.fit(X) as Transformer
        expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(b.toJSON()))
        if (!isTransformerEstimator(est)) throw new Error('no fitTransform')
        const { model, output } = est.fitTransform(X)
        expect(JSON.stringify(model.toJSON())).toBe(JSON.stringify(a.toJSON()))
        expect(snapshot(output)).toEqual(snapshot(a.transform(X)))
        expect(output.columns.map((c) => c.name)).toEqual(a.outputNames)
      },
    )
  }
})
