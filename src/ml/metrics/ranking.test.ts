import { readFileSync } from 'node:fs'

import { fc, test as fcTest } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { expectAllClose, expectClose, parseNum } from '../../../test/support/numeric-assert.js'
import { ValidationError } from '../../core/index.js'
import { columnFromArray, createColumn, createFrame, type Frame } from '../../frame/index.js'
import type { ClassLabel } from '../base/index.js'

import type { ScoreMatrix } from './inputs.js'
import { brierScoreLoss, calibrationCurve, logLoss } from './probabilistic.js'
import {
  averagePrecisionScore,
  precisionRecallCurve,
  thresholdForRecall,
  thresholdMaxF1,
} from './pr-curve.js'
import { rocAucScore, rocCurve } from './roc.js'

type Num = number | string
type Maybe<T> = T | { error: string }
interface Choice {
  threshold: Num
  precision: Num
  recall: Num
  f1: Num
}
interface BinaryCase {
  name: string
  yTrue: ClassLabel[]
  yScore: Num[]
  sampleWeight: Num[] | null
  posLabel: ClassLabel
  probabilities: boolean
  expected: {
    rocAuc: Maybe<Num>
    rocAucMaxFpr: Maybe<Num>
    rocCurve: { fpr: Num[]; tpr: Num[]; thresholds: Num[] }
    rocCurveAll: { fpr: Num[]; tpr: Num[]; thresholds: Num[] }
    prCurve: { precision: Num[]; recall: Num[]; thresholds: Num[] }
    averagePrecision: Maybe<Num>
    thresholdMaxF1: Choice
    thresholdRecall08: Choice
    brier?: Num
    logLoss?: Num
    logLossSum?: Num
  } & Record<string, unknown>
}
interface MultiCase {
  name: string
  yTrue: ClassLabel[]
  proba: Num[]
  classes: ClassLabel[]
  sampleWeight: Num[] | null
  labels: ClassLabel[] | null
  expected: Record<string, Maybe<Num>>
}

const fx = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/ml/metrics/ranking.json', import.meta.url), 'utf8'),
) as { binary: BinaryCase[]; multiclass: MultiCase[] }

const nums = (a: Num[]): number[] => a.map(parseNum)

function expectValue(got: () => number, want: Maybe<Num>): void {
  if (typeof want === 'object') {
    expect(got).toThrow(ValidationError)
    return
  }
  expectClose(got(), parseNum(want), 1e-9, 1e-15)
}

function expectChoice(got: ReturnType<typeof thresholdMaxF1>, want: Choice): void {
  expect(got.threshold).toBe(parseNum(want.threshold))
  expectClose(got.precision, parseNum(want.precision))
  expectClose(got.recall, parseNum(want.recall))
  expectClose(got.f1, parseNum(want.f1))
}

describe.each(fx.binary)('binary $name matches scikit-learn 1.2.1', (c) => {
  const sampleWeight = c.sampleWeight === null ? undefined : nums(c.sampleWeight)
  const scores = Float64Array.from(nums(c.yScore))
  const e = c.expected
  const posLabel = c.posLabel
  const inputs = [
    { name: 'arrays', yTrue: c.yTrue, yScore: scores as ArrayLike<number> },
    {
      name: 'columns',
      yTrue: columnFromArray('y', c.yTrue, typeof c.yTrue[0] === 'string' ? 'cat' : undefined),
      yScore: createColumn({ name: 's', dtype: 'f64', values: scores }),
    },
  ]
  for (const v of inputs) {
    it(`ROC AUC and curve (${v.name})`, () => {
      expectValue(() => rocAucScore(v.yTrue, v.yScore, { sampleWeight }), e.rocAuc)
      expectValue(
        () => rocAucScore(v.yTrue, v.yScore, { sampleWeight, maxFpr: 0.3 }),
        e.rocAucMaxFpr,
      )
      for (const [key, drop] of [
        ['rocCurve', true],
        ['rocCurveAll', false],
      ] as const) {
        const got = rocCurve(v.yTrue, v.yScore, { sampleWeight, posLabel, dropIntermediate: drop })
        expectAllClose(got.fpr, nums(e[key].fpr))
        expectAllClose(got.tpr, nums(e[key].tpr))
        expectAllClose(got.thresholds, nums(e[key].thresholds))
      }
    })

    it(`precision–recall curve, average precision, thresholds (${v.name})`, () => {
      const pr = precisionRecallCurve(v.yTrue, v.yScore, { sampleWeight, posLabel })
      expectAllClose(pr.precision, nums(e.prCurve.precision))
      expectAllClose(pr.recall, nums(e.prCurve.recall))
      expectAllClose(pr.thresholds, nums(e.prCurve.thresholds))
      expectValue(
        () => averagePrecisionScore(v.yTrue, v.yScore, { sampleWeight, posLabel }),
        e.averagePrecision,
      )
      expectChoice(thresholdMaxF1(v.yTrue, v.yScore, { sampleWeight, posLabel }), e.thresholdMaxF1)
      expectChoice(
        thresholdForRecall(v.yTrue, v.yScore, 0.8, { sampleWeight, posLabel }),
        e.thresholdRecall08,
      )
    })

    if (c.probabilities) {
      it(`log loss, Brier score, calibration curve (${v.name})`, () => {
        expectClose(
          brierScoreLoss(v.yTrue, v.yScore, { sampleWeight, posLabel }),
          parseNum(e.brier!),
        )
        expectClose(logLoss(v.yTrue, v.yScore, { sampleWeight }), parseNum(e.logLoss!))
        expectClose(
          logLoss(v.yTrue, v.yScore, { sampleWeight, normalize: false }),
          parseNum(e.logLossSum!),
        )
        for (const strategy of ['uniform', 'quantile'] as const) {
          for (const nBins of [5, 10]) {
            const want = e[`calibration_${strategy}_${nBins}`] as {
              probTrue: Num[]
              probPred: Num[]
            }
            const got = calibrationCurve(v.yTrue, v.yScore, { posLabel, nBins, strategy })
            expectAllClose(got.probTrue, nums(want.probTrue))
            expectAllClose(got.probPred, nums(want.probPred))
          }
        }
      })
    }
  }

  it('takes a two-column probability Frame for the binary metrics', () => {
    if (!c.probabilities) return
    const y = c.yTrue
    const classes = [...new Set(y)].sort()
    const proba = createFrame([
      createColumn({ name: String(classes[0]), dtype: 'f64', values: scores.map((s) => 1 - s) }),
      createColumn({ name: String(classes[1]), dtype: 'f64', values: scores }),
    ])
    expectValue(() => rocAucScore(y, proba, { sampleWeight }), e.rocAuc)
    expectValue(
      () => averagePrecisionScore(y, proba, { sampleWeight, posLabel }),
      e.averagePrecision,
    )
    expectClose(brierScoreLoss(y, proba, { sampleWeight, posLabel }), parseNum(e.brier!))
  })
})

function frameOf(c: MultiCase): Frame {
  const k = c.classes.length
  const p = nums(c.proba)
  const n = p.length / k
  return createFrame(
    c.classes.map((label, j) =>
      createColumn({
        name: String(label),
        dtype: 'f64',
        values: Float64Array.from({ length: n }, (_, i) => p[i * k + j]!),
      }),
    ),
  )
}

describe.each(fx.multiclass)('multiclass $name matches scikit-learn 1.2.1', (c) => {
  const sampleWeight = c.sampleWeight === null ? undefined : nums(c.sampleWeight)
  const labels = c.labels ?? undefined
  const k = c.classes.length
  const matrix: ScoreMatrix = { data: nums(c.proba), nRows: c.yTrue.length, nCols: k }
  const e = c.expected
  for (const [name, proba] of [
    ['matrix', matrix],
    ['Frame', frameOf(c)],
  ] as const) {
    it(`ROC AUC one-vs-rest and one-vs-one (${name})`, () => {
      for (const average of ['macro', 'weighted', 'micro'] as const) {
        expectValue(
          () => rocAucScore(c.yTrue, proba, { sampleWeight, average, labels }),
          e[`ovr_${average}`]!,
        )
      }
      if (sampleWeight === undefined) {
        for (const average of ['macro', 'weighted'] as const) {
          expectValue(
            () => rocAucScore(c.yTrue, proba, { average, multiClass: 'ovo', labels }),
            e[`ovo_${average}`]!,
          )
        }
      } else {
        expect(() => rocAucScore(c.yTrue, proba, { sampleWeight, multiClass: 'ovo' })).toThrow(
          /not supported for one-vs-one/,
        )
      }
    })

    it(`log loss (${name})`, () => {
      expectValue(() => logLoss(c.yTrue, proba, { sampleWeight, labels }), e['logLoss']!)
      expectValue(
        () => logLoss(c.yTrue, proba, { sampleWeight, labels, eps: 1e-3 }),
        e['logLossEps']!,
      )
    })
  }

  it('rejects rows that do not sum to 1 for multiclass ROC AUC', () => {
    const bad = { ...matrix, data: nums(c.proba).map((x) => x * 2) }
    expect(() => rocAucScore(c.yTrue, bad, { labels })).toThrow(/sum to 1/)
  })
})

describe('edge cases', () => {
  it('rejects a single class in yTrue for ROC AUC with a clear message', () => {
    expect(() => rocAucScore([1, 1, 1], [0.2, 0.5, 0.9])).toThrow(
      /only one class present in yTrue: ROC AUC is not defined/,
    )
    expect(() => rocAucScore(['a', 'a'], [0.2, 0.5])).toThrow(ValidationError)
  })

  it('rejects NaN and infinite scores, empty input and length mismatches', () => {
    expect(() => rocAucScore([0, 1], [0.1, NaN])).toThrow(/yScore contains NaN/)
    expect(() => averagePrecisionScore([0, 1], [0.1, Infinity])).toThrow(/infinite/)
    expect(() => rocAucScore([], [])).toThrow(/at least one sample/)
    expect(() => rocCurve([0, 1, 1], [0.1, 0.2])).toThrow(/different lengths/)
    expect(() => logLoss([0, 1], [0.1, NaN])).toThrow(ValidationError)
    expect(() => brierScoreLoss([0, 1], [0.1, 1.5])).toThrow(/outside \[0, 1\]/)
  })

  it('needs posLabel for curves over labels other than {0, 1} / {-1, 1}', () => {
    expect(() => rocCurve(['a', 'b'], [0.1, 0.9])).toThrow(/pass posLabel/)
    expect(rocCurve(['a', 'b'], [0.1, 0.9], { posLabel: 'b' }).tpr).toEqual(
      Float64Array.from([0, 1, 1]),
    )
  })

  it('rejects multiclass targets with 1-D scores', () => {
    expect(() => rocAucScore([0, 1, 2], [0.1, 0.5, 0.9])).toThrow(/probability matrix/)
    expect(() => averagePrecisionScore([0, 1, 2], [0.1, 0.5, 0.9])).toThrow(/binary/)
  })

  it('checks the threshold helpers', () => {
    expect(() => thresholdForRecall([0, 1], [0.1, 0.9], 0)).toThrow(/targetRecall/)
    expect(() => thresholdMaxF1([0, 0], [0.1, 0.9])).toThrow(/no positive/)
    expect(thresholdForRecall([0, 1, 1, 0], [0.1, 0.9, 0.4, 0.5], 1)).toEqual({
      threshold: 0.4,
      precision: 2 / 3,
      recall: 1,
      f1: 0.8,
    })
  })

  it('gives the documented example values', () => {
    expect(rocAucScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75)
    expect(averagePrecisionScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.8333333333, 9)
    expect(logLoss(['spam', 'ham', 'ham', 'spam'], [0.9, 0.1, 0.2, 0.65])).toBeCloseTo(
      0.21616187468057912,
      15,
    )
  })
})

const PARAMS = { seed: 20240611, numRuns: 100 }
const scoredArb = fc
  .integer({ min: 2, max: 80 })
  .chain((n) =>
    fc
      .tuple(
        fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
        fc.array(fc.integer({ min: -20, max: 20 }), { minLength: n, maxLength: n }),
      )
      .filter(([y]) => y.includes(0) && y.includes(1)),
  )

describe('properties', () => {
  fcTest.prop([scoredArb], PARAMS)('ROC AUC is invariant under monotone transforms', ([y, s]) => {
    const auc = rocAucScore(y, s)
    expectClose(
      rocAucScore(
        y,
        s.map((x) => Math.exp(x / 7)),
      ),
      auc,
      1e-12,
    )
    expectClose(
      rocAucScore(
        y,
        s.map((x) => 3 * x - 11),
      ),
      auc,
      1e-12,
    )
    expectClose(
      rocAucScore(
        y,
        s.map((x) => x ** 3),
      ),
      auc,
      1e-12,
    )
    // Reversing the ranking mirrors the AUC.
    expectClose(
      rocAucScore(
        y,
        s.map((x) => -x),
      ),
      1 - auc,
      1e-12,
      1e-12,
    )
  })

  fcTest.prop([scoredArb], PARAMS)('ROC AUC is the Mann–Whitney pair count', ([y, s]) => {
    let wins = 0
    let pairs = 0
    for (let i = 0; i < y.length; i++) {
      if (y[i] !== 1) continue
      for (let j = 0; j < y.length; j++) {
        if (y[j] !== 0) continue
        pairs++
        wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0
      }
    }
    expectClose(rocAucScore(y, s), wins / pairs, 1e-12)
  })

  fcTest.prop([scoredArb], PARAMS)('integer weights equal repeated samples', ([y, s]) => {
    const w = y.map((_, i) => (i % 3) + 1)
    const ry: number[] = []
    const rs: number[] = []
    y.forEach((yi, i) => {
      for (let r = 0; r < w[i]!; r++) {
        ry.push(yi)
        rs.push(s[i]!)
      }
    })
    expectClose(rocAucScore(y, s, { sampleWeight: w }), rocAucScore(ry, rs), 1e-12)
    expectClose(
      averagePrecisionScore(y, s, { sampleWeight: w }),
      averagePrecisionScore(ry, rs),
      1e-12,
    )
  })
})
