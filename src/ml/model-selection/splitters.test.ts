import { readFileSync } from 'node:fs'

import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { ValidationError } from '../../core/index.js'
import { columnFromArray, createFrame, type Column, type Frame } from '../../frame/index.js'

import {
  GroupKFold,
  KFold,
  ShuffleSplit,
  StratifiedGroupKFold,
  StratifiedKFold,
  StratifiedShuffleSplit,
  TimeSeriesSplit,
  trainTestSplit,
  type Fold,
} from './index.js'
import { numpyArgsort } from './labels.js'

interface Fixtures {
  labels: Record<string, (string | number)[]>
  kfold: { n: number; nSplits: number; tests: number[][] }[]
  stratified: { name: string; nSplits: number; tests: number[][] }[]
  group: { name: string; groups: (string | number)[]; nSplits: number; tests: number[][] }[]
  stratifiedGroup: {
    name: string
    y: number[]
    groups: (string | number)[]
    nSplits: number
    tests: number[][]
  }[]
  timeSeries: {
    n: number
    options: Record<string, number>
    folds: { train: number[]; test: number[] }[]
  }[]
  trainTest: { n: number; options: Record<string, number>; train: number[]; test: number[] }[]
  stratifiedShuffle: {
    name: string
    testSize: number
    trainCounts: number[]
    testCounts: number[]
  }[]
}

const FX = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/ml/model-selection/splits.json', import.meta.url),
    'utf8',
  ),
) as Fixtures

function rows(n: number): Frame {
  return createFrame([
    columnFromArray(
      'x',
      Array.from({ length: n }, (_, i) => i),
    ),
  ])
}

function labels(values: readonly (string | number)[]): Column {
  return typeof values[0] === 'string'
    ? columnFromArray('y', values)
    : columnFromArray('y', values, 'i32')
}

function expectPartition(folds: readonly Fold[], n: number, tests: number[][]): void {
  expect(folds.map((f) => Array.from(f.test))).toEqual(tests)
  for (const f of folds) {
    const inTest = new Set(f.test)
    expect(Array.from(f.train)).toEqual(
      Array.from({ length: n }, (_, i) => i).filter((i) => !inTest.has(i)),
    )
  }
}

describe('fold indices equal scikit-learn 1.2', () => {
  it.each(FX.kfold)('KFold n=$n k=$nSplits', ({ n, nSplits, tests }) => {
    expectPartition(new KFold({ nSplits }).split(rows(n)), n, tests)
  })
  it.each(FX.stratified)('StratifiedKFold $name k=$nSplits', ({ name, nSplits, tests }) => {
    const y = FX.labels[name]!
    expectPartition(
      new StratifiedKFold({ nSplits }).split(rows(y.length), labels(y)),
      y.length,
      tests,
    )
  })
  it.each(FX.group)('GroupKFold $name k=$nSplits', ({ groups, nSplits, tests }) => {
    const n = groups.length
    expectPartition(new GroupKFold({ nSplits }).split(rows(n), undefined, labels(groups)), n, tests)
  })
  it.each(FX.stratifiedGroup)(
    'StratifiedGroupKFold $name k=$nSplits',
    ({ y, groups, nSplits, tests }) => {
      const n = y.length
      const folds = new StratifiedGroupKFold({ nSplits }).split(rows(n), labels(y), labels(groups))
      expectPartition(folds, n, tests)
    },
  )
  it.each(FX.timeSeries)('TimeSeriesSplit n=$n $options', ({ n, options, folds }) => {
    const got = new TimeSeriesSplit(options).split(rows(n))
    expect(got.map((f) => ({ train: Array.from(f.train), test: Array.from(f.test) }))).toEqual(
      folds,
    )
  })
  it.each(FX.trainTest)(
    'trainTestSplit unshuffled n=$n $options',
    ({ n, options, train, test }) => {
      const s = trainTestSplit(rows(n), undefined, { ...options, shuffle: false })
      expect(Array.from(s.trainIndices)).toEqual(train)
      expect(Array.from(s.testIndices)).toEqual(test)
      expect(Array.from(s.XTrain.column('x').values as Float64Array)).toEqual(train)
    },
  )
  it.each(FX.stratifiedShuffle)(
    'StratifiedShuffleSplit class counts $name',
    ({ name, testSize, trainCounts, testCounts }) => {
      const y = FX.labels[name]!
      const X = rows(y.length)
      const col = labels(y)
      const classes = [...new Set(y)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      const count = (idx: Int32Array): number[] =>
        classes.map((c) => Array.from(idx).filter((i) => y[i] === c).length)
      for (const seed of [0, 1, 2]) {
        const [fold] = new StratifiedShuffleSplit({ nSplits: 1, testSize, seed }).split(X, col)
        expect(count(fold!.train)).toEqual(trainCounts)
        expect(count(fold!.test)).toEqual(testCounts)
        const s = trainTestSplit(X, col, { testSize, stratify: true, seed })
        expect(count(s.trainIndices)).toEqual(trainCounts)
        expect(count(s.testIndices)).toEqual(testCounts)
      }
    },
  )
})

describe('numpyArgsort', () => {
  test.prop([fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 200 })], { seed: 42 })(
    'sorts ascending and is a permutation',
    (xs) => {
      const v = Float64Array.from(xs)
      const p = numpyArgsort(v)
      expect(Array.from(p).sort((a, b) => a - b)).toEqual(xs.map((_, i) => i))
      for (let i = 1; i < p.length; i++) expect(v[p[i]!]!).toBeGreaterThanOrEqual(v[p[i - 1]!]!)
    },
  )
  it('is stable below 17 elements (insertion sort), like numpy', () => {
    expect(Array.from(numpyArgsort(Float64Array.of(2, 1, 2, 1, 0)))).toEqual([4, 1, 3, 0, 2])
  })
})

describe('shuffled splitters', () => {
  const X = rows(53)
  const y = labels(
    Array.from({ length: 53 }, (_, i) => (i % 7 === 0 ? 'r' : i % 2 === 0 ? 'a' : 'b')),
  )
  it('KFold shuffle partitions the rows, sizes like sklearn, and depends on the seed only', () => {
    const a = new KFold({ nSplits: 4, shuffle: true, seed: 3 }).split(X)
    expect(a.map((f) => f.test.length)).toEqual([14, 13, 13, 13])
    const all = a.flatMap((f) => Array.from(f.test)).sort((p, q) => p - q)
    expect(all).toEqual(Array.from({ length: 53 }, (_, i) => i))
    expect(new KFold({ nSplits: 4, shuffle: true, seed: 3 }).split(X)).toEqual(a)
    expect(new KFold({ nSplits: 4, shuffle: true, seed: 4 }).split(X)).not.toEqual(a)
  })
  it('StratifiedKFold shuffle keeps per-fold class counts of the unshuffled folds', () => {
    const plain = new StratifiedKFold({ nSplits: 3 }).split(X, y)
    const shuf = new StratifiedKFold({ nSplits: 3, shuffle: true, seed: 9 }).split(X, y)
    const yv = y.values as readonly string[]
    const counts = (f: Fold): string =>
      ['a', 'b', 'r'].map((c) => Array.from(f.test).filter((i) => yv[i] === c).length).join()
    expect(shuf.map(counts)).toEqual(plain.map(counts))
    expect(shuf).not.toEqual(plain)
  })
  it('ShuffleSplit sizes follow sklearn rounding', () => {
    const folds = new ShuffleSplit({ nSplits: 3, testSize: 0.07, seed: 1 }).split(rows(100))
    expect(folds).toHaveLength(3)
    for (const f of folds) {
      expect(f.test.length).toBe(8) // ceil(0.07 · 100) = ceil(7.000000000000001), as in Python
      expect(f.train.length).toBe(92)
      expect(new Set([...f.train, ...f.test]).size).toBe(100)
    }
  })
  it('trainTestSplit keeps y aligned with X', () => {
    const s = trainTestSplit(X, y, { testSize: 0.3, seed: 5 })
    const xs = s.XTest.column('x').values as Float64Array
    const ys = s.yTest!.values as readonly string[]
    xs.forEach((xv, i) => {
      expect(ys[i]).toBe((y.values as readonly string[])[xv])
    })
  })
})

describe('bad inputs', () => {
  const issue = (fn: () => unknown): { path: unknown; code: string } => {
    try {
      fn()
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError)
      const i = (e as ValidationError).issues[0]!
      return { path: i.path, code: i.code }
    }
    throw new Error('expected a ValidationError')
  }
  it('nSplits greater than the rows or groups', () => {
    expect(issue(() => new KFold({ nSplits: 6 }).split(rows(5)))).toEqual({
      path: ['nSplits'],
      code: 'too_big',
    })
    const g = labels([1, 1, 2, 2, 3, 3])
    expect(issue(() => new GroupKFold({ nSplits: 4 }).split(rows(6), undefined, g))).toEqual({
      path: ['nSplits'],
      code: 'too_big',
    })
    expect(issue(() => new TimeSeriesSplit({ nSplits: 5 }).split(rows(5)))).toEqual({
      path: ['nSplits'],
      code: 'too_big',
    })
  })
  it('a class with fewer members than folds', () => {
    const y = labels(['a', 'a', 'a', 'b', 'b', 'a', 'a'])
    expect(() => new StratifiedKFold({ nSplits: 3 }).split(rows(7), y)).toThrow(
      /least populated class in y has only 2 member\(s\), fewer than nSplits=3/,
    )
    expect(issue(() => new StratifiedKFold({ nSplits: 3 }).split(rows(7), y))).toEqual({
      path: ['y'],
      code: 'too_few_members',
    })
  })
  it('bad options, missing y or groups, continuous y', () => {
    expect(issue(() => new KFold({ nSplits: 1 }).split(rows(5)))).toMatchObject({
      path: ['nSplits'],
    })
    expect(issue(() => new KFold({ nSplits: 2, bogus: 1 } as never).split(rows(5)))).toMatchObject({
      code: 'unrecognized_keys',
    })
    expect(issue(() => new StratifiedKFold().split(rows(5)))).toEqual({
      path: ['y'],
      code: 'required',
    })
    expect(issue(() => new GroupKFold().split(rows(5)))).toEqual({
      path: ['groups'],
      code: 'required',
    })
    const yc = columnFromArray('y', [0.5, 1.5, 2.5, 0.1, 0.2, 0.3])
    expect(issue(() => new StratifiedKFold({ nSplits: 2 }).split(rows(6), yc))).toEqual({
      path: ['y'],
      code: 'not_class_labels',
    })
    expect(issue(() => trainTestSplit(rows(10), undefined, { testSize: 10 }))).toMatchObject({
      path: ['testSize'],
    })
    expect(issue(() => trainTestSplit(rows(10), undefined, { testSize: 1.5 }))).toMatchObject({
      path: ['testSize'],
    })
    expect(
      issue(() =>
        trainTestSplit(rows(10), labels([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]), {
          shuffle: false,
          stratify: true,
        }),
      ),
    ).toEqual({ path: ['stratify'], code: 'conflict' })
    expect(issue(() => trainTestSplit(rows(4), labels([0, 0, 0, 1]), { stratify: true }))).toEqual({
      path: ['y'],
      code: 'too_small',
    })
  })
})

describe('splitter properties', () => {
  const arb = fc.record({
    labels: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 12, maxLength: 120 }),
    k: fc.integer({ min: 2, max: 4 }),
    shuffle: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1000 }),
  })
  test.prop([arb], { seed: 11 })('StratifiedKFold partitions rows and balances classes', (c) => {
    const counts = new Map<number, number>()
    for (const v of c.labels) counts.set(v, (counts.get(v) ?? 0) + 1)
    if (Math.min(...counts.values()) < c.k) return
    const folds = new StratifiedKFold({ nSplits: c.k, shuffle: c.shuffle, seed: c.seed }).split(
      rows(c.labels.length),
      labels(c.labels),
    )
    const all = folds.flatMap((f) => Array.from(f.test)).sort((a, b) => a - b)
    expect(all).toEqual(c.labels.map((_, i) => i))
    for (const cls of counts.keys()) {
      const per = folds.map((f) => Array.from(f.test).filter((i) => c.labels[i] === cls).length)
      expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1)
    }
  })
  test.prop([arb], { seed: 12 })('GroupKFold never splits a group', (c) => {
    const g = labels(c.labels.map((v, i) => v * 10 + (i % 5)))
    const nGroups = new Set(g.values as Int32Array).size
    if (nGroups < c.k) return
    const gv = g.values as Int32Array
    for (const f of new GroupKFold({ nSplits: c.k }).split(rows(c.labels.length), undefined, g)) {
      const testGroups = new Set(Array.from(f.test, (i) => gv[i]))
      expect(Array.from(f.train).some((i) => testGroups.has(gv[i]))).toBe(false)
    }
  })
  test.prop([fc.integer({ min: 2, max: 300 }), fc.integer({ min: 2, max: 10 })], { seed: 13 })(
    'KFold fold sizes differ by at most one, larger first',
    (n, k) => {
      if (k > n) return
      const sizes = new KFold({ nSplits: k }).split(rows(n)).map((f) => f.test.length)
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(n)
      for (let i = 1; i < k; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]!)
      expect(sizes[0]! - sizes[k - 1]!).toBeLessThanOrEqual(1)
    },
  )
})
