import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { PlatformError, ValidationError } from '../../../core/index.js'
import { createColumn, createFrame, type Frame } from '../../../frame/index.js'
import { loadModel } from '../../registry.js'
import { predictRaw, predictRowInto } from '../ensemble/index.js'

import {
  XGBOOST_ENTRY,
  XGBoostClassifierModel,
  XGBoostRegressorModel,
  importXGBoostModel,
} from './index.js'

interface Expected {
  readonly objective: string
  readonly nFeatures: number
  readonly X: readonly (readonly (number | null)[])[]
  readonly margin: readonly (readonly number[])[]
  readonly prediction: readonly (readonly number[])[]
  readonly importanceGain: Readonly<Record<string, number>>
  readonly importanceWeight: Readonly<Record<string, number>>
}

function fixture(name: string): { model: string; expected: Expected } {
  const read = (f: string): string =>
    readFileSync(new URL(`../../../../test/fixtures/ml/xgboost/${f}`, import.meta.url), 'utf8')
  return {
    model: read(`${name}.model.json`),
    expected: JSON.parse(read(`${name}.expected.json`)) as Expected,
  }
}

/** The fixture rows as a Frame (null → missing) with the model's feature names. */
function frameOf(e: Expected, names: readonly string[]): Frame {
  return createFrame(
    names.map((name, j) => {
      const values = Float64Array.from(e.X, (row) => row[j] ?? 0)
      const validity = Uint8Array.from(e.X, (row) => (row[j] === null ? 0 : 1))
      return createColumn({ name, dtype: 'f64', values, validity })
    }),
  )
}

function maxAbsDiff(a: ArrayLike<number>, b: readonly number[]): number {
  expect(a.length).toBe(b.length)
  let m = 0
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

const CASES = [
  'reg_depth2',
  'reg_depth6',
  'reg_base',
  'binary_depth3',
  'binary_depth6',
  'binary_base',
  'multi3_depth3',
  'multi4_depth5',
]

describe('importXGBoostModel: equal to XGBoost 1.7.4 predictions', () => {
  for (const name of CASES) {
    it(name, () => {
      const { model: json, expected } = fixture(name)
      const model = importXGBoostModel(json)
      expect(model.objective).toBe(expected.objective)
      const X = frameOf(expected, model.featureNames)
      const margin = model.predictMargin(X)
      expect(maxAbsDiff(margin, expected.margin.flat())).toBeLessThanOrEqual(1e-6)
      // Bit for bit in margin space: both sum float32 values in float32, tree by tree.
      expect([...margin]).toEqual(expected.margin.flat())
      if (model instanceof XGBoostClassifierModel) {
        const proba = model.predictProba(X)
        const K = model.classes.length
        const got = new Float64Array(X.nRows * K)
        proba.columns.forEach((c, k) => {
          for (let i = 0; i < X.nRows; i++) got[i * K + k] = c.values[i] as number
        })
        const want = expected.prediction.flatMap((row) => (K === 2 ? [1 - row[0]!, row[0]!] : row))
        expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1e-6)
        const labels = model.predict(X).values
        for (let i = 0; i < X.nRows; i++) {
          let best = 0
          for (let k = 1; k < K; k++) if (want[i * K + k]! > want[i * K + best]!) best = k
          expect(labels[i]).toBe(best)
        }
      } else {
        expect(model).toBeInstanceOf(XGBoostRegressorModel)
        const pred = model.predict(X).values as Float64Array
        expect(maxAbsDiff(pred, expected.prediction.flat())).toBeLessThanOrEqual(1e-6)
      }
      // Feature importance as XGBoost's get_score (features it never split on are absent).
      const gain = model.featureImportance('gain')
      const weight = model.featureImportance('split')
      model.featureNames.forEach((f, j) => {
        expect(weight[j]).toBe(expected.importanceWeight[f] ?? 0)
        expect(gain[j]).toBeCloseTo(expected.importanceGain[f] ?? 0, 3)
      })
      // The saved model loads through the registry and predicts identically.
      const back = loadModel(JSON.parse(JSON.stringify(model.toJSON())) as never)
      expect(back).toBeInstanceOf(model.constructor)
      expect([...(back as typeof model).predictMargin(X)]).toEqual([...margin])
      // Single-row and matrix paths agree with the frame path.
      const rows = Float64Array.from(expected.X.flat(), (v) => v ?? NaN)
      const K = model.ensemble.nOutputs
      const batch = predictRaw(model.ensemble, rows, X.nRows, new Float64Array(X.nRows * K))
      expect([...batch]).toEqual([...margin])
      const one = new Float64Array(K)
      predictRowInto(model.ensemble, rows.subarray(0, expected.nFeatures), one)
      expect([...one]).toEqual([...margin.subarray(0, K)])
    })
  }

  it('names features f0… when the model has no feature_names, else uses them', () => {
    expect(importXGBoostModel(fixture('reg_depth2').model).featureNames).toEqual([
      'f0',
      'f1',
      'f2',
      'f3',
      'f4',
    ])
    expect(importXGBoostModel(fixture('reg_depth6').model).featureNames[0]).toBe('x_0')
  })
})

describe('importXGBoostModel: rejects what it cannot import', () => {
  const base = JSON.parse(fixture('binary_depth3').model) as {
    learner: Record<string, unknown> & {
      gradient_booster: Record<string, unknown> & {
        model: { trees: Record<string, unknown>[] }
      }
      objective: { name: string }
      learner_model_param: Record<string, string>
    }
  }
  const mutated = (f: (m: typeof base) => void): typeof base => {
    const m = structuredClone(base)
    f(m)
    return m
  }
  const issue = (m: unknown): { message: string; path: string } => {
    try {
      importXGBoostModel(m as object)
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError)
      const v = err as ValidationError
      return { message: v.message, path: v.issues[0]!.path.join('.') }
    }
    throw new Error('expected a ValidationError')
  }

  it('rejects dart and gblinear boosters and other objectives with a clear message', () => {
    const dart = issue(mutated((m) => (m.learner.gradient_booster.name = 'dart')))
    expect(dart.message).toMatch(/booster "dart" is not supported \(only gbtree/)
    const linear = issue(mutated((m) => (m.learner.gradient_booster.name = 'gblinear')))
    expect(linear.path).toBe('learner.gradient_booster.name')
    const rank = issue(mutated((m) => (m.learner.objective.name = 'rank:pairwise')))
    expect(rank.message).toMatch(/objective "rank:pairwise" is not supported \(supported: reg:/)
    expect(rank.path).toBe('learner.objective.name')
  })

  it('names malformed fields', () => {
    expect(issue('{not json').message).toMatch(/not JSON/)
    expect(issue({}).path).toBe('learner')
    const tree = (f: (t: Record<string, unknown>) => void): unknown =>
      mutated((m) => {
        f(m.learner.gradient_booster.model.trees[1]!)
      })
    expect(issue(tree((t) => (t['left_children'] = [1]))).path).toBe(
      'learner.gradient_booster.model.trees.1.left_children',
    )
    expect(
      issue(
        tree((t) => {
          const l = [...(t['left_children'] as number[])]
          l[0] = 99
          t['left_children'] = l
        }),
      ).path,
    ).toBe('learner.gradient_booster.model.trees.1.left_children.0')
    expect(
      issue(
        tree((t) => {
          const s = [...(t['split_indices'] as number[])]
          s[0] = 7
          t['split_indices'] = s
        }),
      ).message,
    ).toMatch(/feature 7 is not in 0…4/)
    expect(issue(mutated((m) => (m.learner.learner_model_param['base_score'] = 'abc'))).path).toBe(
      'learner.learner_model_param.base_score',
    )
    expect(
      issue(mutated((m) => (m.learner.learner_model_param['base_score'] = '1E0'))).message,
    ).toMatch(/0 < base_score < 1/)
    expect(
      issue(tree((t) => (t['split_type'] = (t['split_type'] as number[]).map(() => 1)))).message,
    ).toMatch(/categorical splits are not supported/)
  })

  it('rejects a malformed saved state field by field', () => {
    const state = importXGBoostModel(fixture('multi3_depth3').model).toJSON()
    const load = (patch: Record<string, unknown>): unknown =>
      loadModel({ ...state, state: { ...state.state, ...patch } })
    expect(() => load({ objective: 'rank:ndcg' })).toThrow(ValidationError)
    expect(() => load({ features: [{ name: 'a', dtype: 'f64' }] })).toThrow(/expected 5 features/)
    expect(() => load({ ensemble: { trees: 'no' } })).toThrow(/ensemble.trees: expected an array/)
  })

  it('is not trainable', () => {
    const est = XGBOOST_ENTRY.create()
    const X = createFrame([createColumn({ name: 'a', dtype: 'f64', values: Float64Array.of(1) })])
    expect(() => est.fit(X)).toThrow(PlatformError)
    expect(() => est.fit(X)).toThrow(/imported from XGBoost/)
  })
})
