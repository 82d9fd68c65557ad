import { readFileSync } from 'node:fs'

import { fc, test as fcTest } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { expectAllClose, expectClose, parseNum } from '../../../test/support/numeric-assert.js'
import { ValidationError } from '../../core/index.js'
import { columnFromArray, createColumn, type Column } from '../../frame/index.js'
import type { ClassLabel } from '../base/index.js'

import {
  accuracyScore,
  balancedAccuracyScore,
  confusionMatrix,
  matthewsCorrcoef,
} from './classification.js'
import {
  classificationReport,
  f1Score,
  fbetaScore,
  precisionRecallFscore,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
  type Average,
} from './precision-recall.js'
import type { LabelsInput } from './labels.js'

type Num = number | string
interface Prf {
  precision: Num
  recall: Num
  fScore: Num
}
interface LabelCase {
  name: string
  yTrue: ClassLabel[]
  yPred: ClassLabel[]
  sampleWeight: Num[] | null
  labels: ClassLabel[] | null
  posLabel: ClassLabel | null
  expected: {
    accuracy: Num
    accuracyCount: Num
    balancedAccuracy: Num
    balancedAccuracyAdjusted: Num
    mcc: Num
    confusion: { labels: ClassLabel[]; values: Num[] }
    confusion_true: Num[]
    confusion_pred: Num[]
    confusion_all: Num[]
    averages: Record<string, Prf>
    perClass: {
      labels: ClassLabel[]
      precision: Num[]
      recall: Num[]
      fScore: Num[]
      support: Num[]
    }
    binary?: Record<string, Prf | { error: string }>
    report: { classes: Record<string, Num>[] } & Record<string, Num | Record<string, Num>>
  }
}

const fx = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/ml/metrics/classification.json', import.meta.url),
    'utf8',
  ),
) as { cases: LabelCase[] }

const nums = (a: Num[]): number[] => a.map(parseNum)

/** The same labels as a Column: strings → cat (yTrue) / str (yPred), bools → bool, ints → i32/f64. */
function asColumn(values: ClassLabel[], role: 'true' | 'pred'): Column {
  const first = values[0]
  if (typeof first === 'string')
    return columnFromArray(role, values, role === 'true' ? 'cat' : 'str')
  if (typeof first === 'boolean') return columnFromArray(role, values, 'bool')
  const ints = values.every((v) => Number.isInteger(v))
  return columnFromArray(role, values, role === 'true' && ints ? 'i32' : 'f64')
}

const variants: readonly {
  name: string
  wrap: (c: LabelCase) => { yTrue: LabelsInput; yPred: LabelsInput }
}[] = [
  { name: 'arrays', wrap: (c) => ({ yTrue: c.yTrue, yPred: c.yPred }) },
  {
    name: 'columns',
    wrap: (c) => ({ yTrue: asColumn(c.yTrue, 'true'), yPred: asColumn(c.yPred, 'pred') }),
  },
]

describe.each(fx.cases)('$name matches scikit-learn 1.2.1', (c) => {
  const sampleWeight = c.sampleWeight === null ? undefined : nums(c.sampleWeight)
  const labels = c.labels ?? undefined
  const e = c.expected
  for (const v of variants) {
    it(`accuracy, balanced accuracy, MCC (${v.name})`, () => {
      const { yTrue, yPred } = v.wrap(c)
      expectClose(accuracyScore(yTrue, yPred, { sampleWeight }), parseNum(e.accuracy))
      expectClose(
        accuracyScore(yTrue, yPred, { sampleWeight, normalize: false }),
        parseNum(e.accuracyCount),
      )
      expectClose(
        balancedAccuracyScore(yTrue, yPred, { sampleWeight }),
        parseNum(e.balancedAccuracy),
      )
      expectClose(
        balancedAccuracyScore(yTrue, yPred, { sampleWeight, adjusted: true }),
        parseNum(e.balancedAccuracyAdjusted),
      )
      expectClose(matthewsCorrcoef(yTrue, yPred, { sampleWeight }), parseNum(e.mcc), 1e-9, 1e-15)
    })

    it(`confusion matrix (${v.name})`, () => {
      const { yTrue, yPred } = v.wrap(c)
      const cm = confusionMatrix(yTrue, yPred, { sampleWeight, labels })
      expect(cm.labels).toEqual(e.confusion.labels)
      expectAllClose(cm.values, nums(e.confusion.values))
      for (const norm of ['true', 'pred', 'all'] as const) {
        const got = confusionMatrix(yTrue, yPred, { sampleWeight, labels, normalize: norm })
        expectAllClose(got.values, nums(e[`confusion_${norm}`]), 1e-9, 1e-15)
      }
    })

    it(`precision, recall, F-beta averages (${v.name})`, () => {
      const { yTrue, yPred } = v.wrap(c)
      for (const [key, want] of Object.entries(e.averages)) {
        const [average, beta, zd] = key.split('_') as [Average, string, string]
        const got = precisionRecallFscore(yTrue, yPred, {
          average,
          beta: Number(beta),
          zeroDivision: Number(zd) as 0 | 1,
          sampleWeight,
          labels,
        })
        expectClose(got.precision, parseNum(want.precision), 1e-9, 1e-15)
        expectClose(got.recall, parseNum(want.recall), 1e-9, 1e-15)
        expectClose(got.fScore, parseNum(want.fScore), 1e-9, 1e-15)
      }
      const per = precisionRecallFscoreSupport(yTrue, yPred, { sampleWeight, labels })
      expect(per.labels).toEqual(e.perClass.labels)
      expectAllClose(per.precision, nums(e.perClass.precision))
      expectAllClose(per.recall, nums(e.perClass.recall))
      expectAllClose(per.fScore, nums(e.perClass.fScore))
      expectAllClose(per.support, nums(e.perClass.support))
    })

    it(`binary average with posLabel (${v.name})`, () => {
      const { yTrue, yPred } = v.wrap(c)
      if (e.binary === undefined) {
        expect(() => precisionScore(yTrue, yPred, { sampleWeight })).toThrow(ValidationError)
        return
      }
      for (const [key, want] of Object.entries(e.binary)) {
        const [beta, zd] = key.split('_').map(Number) as [number, 0 | 1]
        const run = () =>
          precisionRecallFscore(yTrue, yPred, {
            beta,
            zeroDivision: zd,
            sampleWeight,
            ...(c.posLabel === null ? {} : { posLabel: c.posLabel }),
          })
        if ('error' in want) {
          expect(run).toThrow(ValidationError)
          continue
        }
        const got = run()
        expectClose(got.precision, parseNum(want.precision), 1e-9, 1e-15)
        expectClose(got.recall, parseNum(want.recall), 1e-9, 1e-15)
        expectClose(got.fScore, parseNum(want.fScore), 1e-9, 1e-15)
      }
    })

    it(`classification report (${v.name})`, () => {
      const { yTrue, yPred } = v.wrap(c)
      const r = classificationReport(yTrue, yPred, { sampleWeight, labels })
      const want = e.report
      expect(r.classes.length).toBe(want.classes.length)
      for (const [j, row] of r.classes.entries()) {
        const w = want.classes[j]!
        expectClose(row.precision, parseNum(w['precision']!))
        expectClose(row.recall, parseNum(w['recall']!))
        expectClose(row.f1, parseNum(w['f1-score']!))
        expectClose(row.support, parseNum(w['support']!))
      }
      const check = (
        got: { precision: number; recall: number; f1: number; support: number },
        key: string,
      ) => {
        const w = want[key] as Record<string, Num>
        expectClose(got.precision, parseNum(w['precision']!), 1e-9, 1e-15)
        expectClose(got.recall, parseNum(w['recall']!), 1e-9, 1e-15)
        expectClose(got.f1, parseNum(w['f1-score']!), 1e-9, 1e-15)
        expectClose(got.support, parseNum(w['support']!))
      }
      check(r.macroAvg, 'macro avg')
      check(r.weightedAvg, 'weighted avg')
      if ('accuracy' in want) expectClose(r.accuracy ?? NaN, parseNum(want['accuracy'] as Num))
      else check(r.microAvg!, 'micro avg')
    })
  }
})

describe('label handling', () => {
  it('matches labels by value across dtypes, never by cat code', () => {
    // Same labels, different category orders: codes differ, values agree.
    const yTrue = createColumn({
      name: 't',
      dtype: 'cat',
      values: Int32Array.from([0, 1, 0, 1]),
      categories: ['no', 'yes'],
    })
    const yPred = createColumn({
      name: 'p',
      dtype: 'cat',
      values: Int32Array.from([1, 0, 1, 1]),
      categories: ['yes', 'no'],
    })
    expect(accuracyScore(yTrue, yPred)).toBe(0.75)
    expect(accuracyScore(yTrue, ['no', 'yes', 'no', 'no'])).toBe(0.75)
    expect(confusionMatrix(yTrue, yPred).labels).toEqual(['no', 'yes'])
  })

  it('compares booleans with 0/1 and numbers with numeric strings', () => {
    const b = columnFromArray('b', [true, false, true], 'bool')
    expect(accuracyScore(b, [1, 0, 0])).toBeCloseTo(2 / 3, 15)
    expect(accuracyScore([1, 2, 3], ['1', '2', '4'])).toBeCloseTo(2 / 3, 15)
    expect(f1Score(b, [true, false, false])).toBeCloseTo(2 / 3, 15)
  })

  it('uses posLabel 1 by default and accepts any label type for it', () => {
    const y = ['no', 'yes', 'yes', 'no']
    const p = ['yes', 'yes', 'no', 'no']
    expect(() => f1Score(y, p)).toThrow(/posLabel=1 is not a valid label/)
    expect(f1Score(y, p, { posLabel: 'yes' })).toBe(0.5)
    expect(recallScore([0, 1, 1], [0, 1, 0])).toBe(0.5)
    expect(fbetaScore([0, 1, 1], [0, 1, 0], 2)).toBeCloseTo(5 / 9, 15)
  })

  it('rejects multiclass targets with the binary average', () => {
    expect(() => f1Score([0, 1, 2], [0, 1, 2])).toThrow(ValidationError)
    expect(f1Score([0, 1, 2], [0, 1, 2], { average: 'macro' })).toBe(1)
  })
})

describe('validation', () => {
  const issuesOf = (f: () => unknown) => {
    try {
      f()
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError)
      return (e as ValidationError).issues.map((i) => `${i.path.join('.')}:${i.code}`)
    }
    throw new Error('expected a ValidationError')
  }

  it('rejects empty input, length mismatches and bad weights with field-level issues', () => {
    expect(issuesOf(() => accuracyScore([], []))).toEqual(['yTrue:empty'])
    expect(issuesOf(() => accuracyScore([0, 1], [0]))).toEqual(['yPred:length_mismatch'])
    expect(issuesOf(() => accuracyScore([0, 1], [0, 1], { sampleWeight: [1] }))).toEqual([
      'sampleWeight:length_mismatch',
    ])
    expect(issuesOf(() => accuracyScore([0, 1], [0, 1], { sampleWeight: [1, NaN] }))).toEqual([
      'sampleWeight:non_finite',
    ])
    expect(issuesOf(() => accuracyScore([0, NaN], [0, 1]))).toEqual(['yTrue:non_finite'])
    expect(issuesOf(() => accuracyScore([0, 'a'] as ClassLabel[], [0, 1]))).toEqual([
      'yTrue:mixed_types',
    ])
    const missing = columnFromArray('y', [1, null, 0])
    expect(issuesOf(() => accuracyScore(missing, [1, 1, 0]))).toEqual(['yTrue:missing_values'])
  })

  it('rejects a negative beta and labels absent from yTrue', () => {
    expect(() => fbetaScore([0, 1], [0, 1], -1)).toThrow(ValidationError)
    expect(() => confusionMatrix([0, 1], [0, 1], { labels: [5] })).toThrow(
      /at least one label specified must be in yTrue/,
    )
  })
})

const PARAMS = { seed: 20240611, numRuns: 100 }
const labelsArb = fc
  .integer({ min: 1, max: 60 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
      fc.array(fc.double({ min: 0.01, max: 5, noNaN: true }), { minLength: n, maxLength: n }),
    ),
  )

describe('properties', () => {
  fcTest.prop([labelsArb], PARAMS)('accuracy is in [0, 1]', ([t, p, w]) => {
    const a = accuracyScore(t, p, { sampleWeight: w })
    expect(a).toBeGreaterThanOrEqual(0)
    expect(a).toBeLessThanOrEqual(1 + 1e-15)
  })

  fcTest.prop([labelsArb], PARAMS)(
    'the confusion matrix sums to n and its diagonal to the hits',
    ([t, p]) => {
      const cm = confusionMatrix(t, p)
      const k = cm.labels.length
      expect(cm.values.reduce((a, b) => a + b, 0)).toBe(t.length)
      let diag = 0
      for (let i = 0; i < k; i++) diag += cm.values[i * k + i]!
      expect(diag).toBe(accuracyScore(t, p, { normalize: false }))
    },
  )

  fcTest.prop([labelsArb], PARAMS)(
    'micro F1 equals accuracy; scores are in [0, 1]',
    ([t, p, w]) => {
      const micro = f1Score(t, p, { average: 'micro', sampleWeight: w })
      expectClose(micro, accuracyScore(t, p, { sampleWeight: w }), 1e-12, 1e-12)
      for (const average of ['macro', 'weighted'] as const) {
        const r = precisionRecallFscore(t, p, { average, sampleWeight: w })
        for (const v of [r.precision, r.recall, r.fScore]) {
          expect(v).toBeGreaterThanOrEqual(0)
          expect(v).toBeLessThanOrEqual(1 + 1e-12)
        }
      }
      const mcc = matthewsCorrcoef(t, p, { sampleWeight: w })
      expect(Math.abs(mcc)).toBeLessThanOrEqual(1 + 1e-12)
    },
  )

  fcTest.prop([labelsArb], PARAMS)(
    'relabelling both sides by a bijection changes nothing',
    ([t, p, w]) => {
      const names = ['d', 'c', 'b', 'a']
      const rt = t.map((x) => names[x]!)
      const rp = p.map((x) => names[x]!)
      expectClose(
        balancedAccuracyScore(rt, rp, { sampleWeight: w }),
        balancedAccuracyScore(t, p, { sampleWeight: w }),
        1e-12,
      )
      expectClose(
        matthewsCorrcoef(rt, rp, { sampleWeight: w }),
        matthewsCorrcoef(t, p, { sampleWeight: w }),
        1e-12,
        1e-12,
      )
    },
  )
})
