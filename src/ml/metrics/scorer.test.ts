import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { expectClose, parseNum } from '../../../test/support/numeric-assert.js'
import { ValidationError } from '../../core/index.js'
import {
  columnFromArray,
  createColumn,
  createFrame,
  type Column,
  type Frame,
} from '../../frame/index.js'
import type { ClassLabel, Classifier, ModelState, Predictor } from '../base/index.js'

import { SCORER_NAMES, getScorer, isScorerName } from './index.js'

type Num = number | string
type Maybe<T> = T | { error: string }
interface ClassifierCase {
  name: string
  classes: ClassLabel[]
  yTrue: ClassLabel[]
  yPred: ClassLabel[]
  proba: Num[]
  sampleWeight: Num[] | null
  scores: Record<string, Maybe<Num>>
  scoresPositiveClass: Record<string, Num>
}
interface RegressorCase {
  name: string
  yTrue: Num[]
  yPred: Num[]
  scores: Record<string, Num>
  scoresWeighted: Record<string, Maybe<Num>>
  scorerWeights: Num[]
}

const fx = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/ml/metrics/datasets.json', import.meta.url), 'utf8'),
) as { cases: (ClassifierCase | RegressorCase)[] }

const nums = (a: Num[]): number[] => a.map(parseNum)
const NO_FEATURES: Frame = createFrame([])
const STATE: ModelState = { kind: 'test.stub', version: 1, params: {}, state: {} }
const DIAGNOSTICS = { converged: true, nIter: 0, warnings: [] }

/** A fitted classifier that returns the stored predictions of scikit-learn's model. */
function stubClassifier(c: ClassifierCase): Classifier {
  const k = c.classes.length
  const p = nums(c.proba)
  const n = c.yTrue.length
  return {
    kind: 'test.stub',
    featureNames: [],
    diagnostics: DIAGNOSTICS,
    classes: c.classes,
    toJSON: () => STATE,
    predict: () =>
      columnFromArray('prediction', c.yPred, typeof c.classes[0] === 'string' ? 'cat' : 'f64'),
    predictProba: () =>
      createFrame(
        c.classes.map((label, j) =>
          createColumn({
            name: String(label),
            dtype: 'f64',
            values: Float64Array.from({ length: n }, (_, i) => p[i * k + j]!),
          }),
        ),
      ),
  }
}

function stubRegressor(values: Float64Array): Predictor {
  return {
    kind: 'test.stub',
    featureNames: [],
    diagnostics: DIAGNOSTICS,
    toJSON: () => STATE,
    predict: () => createColumn({ name: 'prediction', dtype: 'f64', values }),
  }
}

const isClassifierCase = (c: ClassifierCase | RegressorCase): c is ClassifierCase => 'classes' in c

describe.each(fx.cases.filter(isClassifierCase))(
  'scorers on $name match scikit-learn 1.2.1',
  (c) => {
    const model = stubClassifier(c)
    const y: Column = columnFromArray('y', c.yTrue, typeof c.yTrue[0] === 'string' ? 'str' : 'f64')
    const sampleWeight = c.sampleWeight === null ? undefined : nums(c.sampleWeight)
    for (const [name, want] of Object.entries(c.scores)) {
      it(name, () => {
        const scorer = getScorer(name)
        const run = () => scorer(model, NO_FEATURES, y, { sampleWeight })
        if (typeof want === 'object') {
          // scikit-learn needs pos_label=1 here; Plinth uses the classifier's greater class.
          const positive = c.scoresPositiveClass[name]
          if (positive === undefined) expect(run).toThrow(ValidationError)
          else expectClose(run(), parseNum(positive), 1e-9, 1e-15)
          return
        }
        expectClose(run(), parseNum(want), 1e-9, 1e-15)
        const output =
          scorer.needs === 'proba' ? model.predictProba(NO_FEATURES) : model.predict(NO_FEATURES)
        expect(scorer.score(y, output, { sampleWeight })).toBe(run())
        expect(scorer.fn(y, output, { sampleWeight })).toBe(scorer.greaterIsBetter ? run() : -run())
      })
    }
  },
)

describe.each(fx.cases.filter((c): c is RegressorCase => !isClassifierCase(c)))(
  'regression scorers on $name match scikit-learn 1.2.1',
  (c) => {
    const model = stubRegressor(Float64Array.from(nums(c.yPred)))
    const y = createColumn({ name: 'y', dtype: 'f64', values: Float64Array.from(nums(c.yTrue)) })
    const sampleWeight = nums(c.scorerWeights)
    for (const [name, want] of Object.entries(c.scores)) {
      it(name, () => {
        expectClose(getScorer(name)(model, NO_FEATURES, y), parseNum(want), 1e-9, 1e-15)
        const weighted = c.scoresWeighted[name]!
        const run = () => getScorer(name)(model, NO_FEATURES, y, { sampleWeight })
        if (typeof weighted === 'object') expect(run).toThrow(ValidationError)
        else expectClose(run(), parseNum(weighted), 1e-9, 1e-15)
      })
    }
  },
)

describe('registry', () => {
  it('knows every name it lists, and rejects others with the list', () => {
    for (const name of SCORER_NAMES) {
      expect(isScorerName(name)).toBe(true)
      const s = getScorer(name)
      expect(s.name).toBe(name)
      expect(s.greaterIsBetter).toBe(!name.startsWith('neg_') && name !== 'max_error')
    }
    expect(() => getScorer('auc')).toThrow(/unknown scoring "auc"/)
    expect(isScorerName('auc')).toBe(false)
  })

  it('asks for probabilities only from classifiers', () => {
    const regressor = stubRegressor(Float64Array.from([0.2, 0.7, 0.4]))
    const y = columnFromArray('y', [0, 1, 1])
    expect(() => getScorer('neg_log_loss')(regressor, NO_FEATURES, y)).toThrow(/predictProba/)
    // Like sklearn, roc_auc ranks a regressor's predictions as they are.
    expect(getScorer('roc_auc')(regressor, NO_FEATURES, y)).toBe(1)
    expect(getScorer('neg_mean_absolute_error')(regressor, NO_FEATURES, y)).toBeCloseTo(
      -1.1 / 3,
      15,
    )
  })
})
