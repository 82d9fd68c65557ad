import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { assignSplit, type SplitSpec } from './splits.js'

const SEED = 20_241_123

function rowsOf(parts: { name: string; rows: Int32Array }[]): Record<string, number[]> {
  return Object.fromEntries(parts.map((p) => [p.name, Array.from(p.rows)]))
}

describe('assignSplit', () => {
  test.prop([fc.integer({ min: 1, max: 2000 }), fc.integer()], { numRuns: 200, seed: SEED })(
    'random: a partition of all rows with sizes from the fractions, reproducible by seed',
    (n, seed) => {
      const spec: SplitSpec = {
        kind: 'random',
        fractions: { train: 0.7, valid: 0.1, test: 0.2 },
        seed,
      }
      const parts = assignSplit(spec, n)
      const all = parts.flatMap((p) => Array.from(p.rows)).sort((a, b) => a - b)
      expect(all).toEqual(Array.from({ length: n }, (_, i) => i))
      const sizes = parts.map((p) => p.rows.length)
      expect(Math.abs((sizes[0] ?? 0) - 0.7 * n)).toBeLessThanOrEqual(1)
      expect(rowsOf(assignSplit(spec, n))).toEqual(rowsOf(parts))
    },
  )

  it('gives a different split for a different seed', () => {
    const a = assignSplit({ kind: 'random', fractions: { a: 0.5, b: 0.5 }, seed: 1 }, 100)
    const b = assignSplit({ kind: 'random', fractions: { a: 0.5, b: 0.5 }, seed: 2 }, 100)
    expect(rowsOf(a)).not.toEqual(rowsOf(b))
  })

  test.prop(
    [
      fc.array(fc.constantFrom('x', 'y', 'z', null), { minLength: 20, maxLength: 500 }),
      fc.integer(),
    ],
    {
      numRuns: 150,
      seed: SEED,
    },
  )(
    'stratified: every stratum is split in the same proportions (within one row)',
    (labels, seed) => {
      const parts = assignSplit(
        { kind: 'stratified', column: 'y', fractions: { train: 0.8, test: 0.2 }, seed },
        labels.length,
        labels,
      )
      for (const stratum of ['x', 'y', 'z', null]) {
        const total = labels.filter((l) => l === stratum).length
        const inTrain = Array.from(parts[0]?.rows ?? []).filter((r) => labels[r] === stratum).length
        expect(Math.abs(inTrain - 0.8 * total)).toBeLessThanOrEqual(1)
      }
    },
  )

  test.prop(
    [fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 10, maxLength: 400 }), fc.integer()],
    {
      numRuns: 150,
      seed: SEED,
    },
  )('grouped and group k-fold: a group never spans two partitions', (groups, seed) => {
    const keys = groups.map(String)
    for (const parts of [
      assignSplit(
        { kind: 'grouped', column: 'g', fractions: { train: 0.75, test: 0.25 }, seed },
        keys.length,
        keys,
      ),
      assignSplit({ kind: 'kfold', k: 3, seed, group: 'g' }, keys.length, keys),
    ]) {
      const home = new Map<string, string>()
      for (const p of parts) {
        for (const r of p.rows) {
          const g = keys[r] ?? ''
          expect(home.get(g) ?? p.name).toBe(p.name)
          home.set(g, p.name)
        }
      }
    }
  })

  test.prop([fc.integer({ min: 5, max: 1000 }), fc.integer({ min: 2, max: 10 }), fc.integer()], {
    numRuns: 150,
    seed: SEED,
  })('k-fold: folds partition the rows and differ in size by at most one', (n, k, seed) => {
    fc.pre(n >= k)
    const parts = assignSplit({ kind: 'kfold', k, seed }, n)
    expect(parts).toHaveLength(k)
    const sizes = parts.map((p) => p.rows.length)
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(n)
  })

  it('time: earlier rows train, later rows test; time-series folds train only on the past', () => {
    const times = ['05', '01', '04', '02', '03', '06', '08', '07', '10', '09'].map(
      (t) => `2026-01-${t}`,
    )
    const parts = assignSplit(
      { kind: 'time', column: 't', fractions: { train: 0.8, test: 0.2 } },
      times.length,
      times,
    )
    const train = Array.from(parts[0]?.rows ?? []).map((r) => times[r] ?? '')
    const test = Array.from(parts[1]?.rows ?? []).map((r) => times[r] ?? '')
    expect(test.sort()).toEqual(['2026-01-09', '2026-01-10'])
    expect(train.every((t) => test.every((u) => t < u))).toBe(true)
    const folds = assignSplit({ kind: 'timeseries', column: 't', k: 3 }, times.length, times)
    expect(folds.map((f) => f.name)).toEqual([
      'fold-1-train',
      'fold-1-test',
      'fold-2-train',
      'fold-2-test',
      'fold-3-train',
      'fold-3-test',
    ])
    for (let i = 0; i < 3; i++) {
      const train = Array.from(folds[2 * i]?.rows ?? []).map((r) => times[r] ?? '')
      const test = Array.from(folds[2 * i + 1]?.rows ?? []).map((r) => times[r] ?? '')
      expect(train.every((t) => test.every((u) => t < u))).toBe(true)
      expect(test).toHaveLength(2)
    }
  })

  it('rejects bad specs with every problem listed', () => {
    expect(() =>
      assignSplit({ kind: 'random', fractions: { Train: 0.9, test: 0.2 }, seed: 1.5 }, 10),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        issues: [
          expect.objectContaining({ path: ['fractions', 'Train'] }),
          expect.objectContaining({ path: ['fractions'], code: 'invalid_sum' }),
          expect.objectContaining({ path: ['seed'] }),
        ],
      }) as Error,
    )
    expect(() => assignSplit({ kind: 'kfold', k: 1, seed: 1 }, 10)).toThrow(/invalid split/)
  })
})
