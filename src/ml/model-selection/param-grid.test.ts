import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { ValidationError } from '../../core/index.js'

import { choice, expandGrid, logUniform, randInt, sampleParams, uniform } from './index.js'

describe('expandGrid (sklearn ParameterGrid order)', () => {
  it('sorts names and varies the last fastest', () => {
    expect(expandGrid({ b: [1, 2], a: ['x', 'y'] })).toEqual([
      { a: 'x', b: 1 },
      { a: 'x', b: 2 },
      { a: 'y', b: 1 },
      { a: 'y', b: 2 },
    ])
  })
  it('concatenates a list of grids', () => {
    expect(expandGrid([{ k: [1] }, { k: [2, 3], c: [true] }])).toEqual([
      { k: 1 },
      { c: true, k: 2 },
      { c: true, k: 3 },
    ])
  })
  it('rejects empty grids and empty lists', () => {
    expect(() => expandGrid({})).toThrow(ValidationError)
    expect(() => expandGrid([])).toThrow(ValidationError)
    expect(() => expandGrid({ a: [] })).toThrow(/a needs a non-empty list/)
  })
})

describe('sampleParams (sklearn ParameterSampler rules)', () => {
  it('is seeded', () => {
    const space = { a: uniform(0, 1), b: ['x', 'y', 'z'] }
    expect(sampleParams(space, 5, 1)).toEqual(sampleParams(space, 5, 1))
    expect(sampleParams(space, 5, 1)).not.toEqual(sampleParams(space, 5, 2))
  })
  it('samples lists without replacement, capped at the grid size', () => {
    const got = sampleParams({ a: [1, 2, 3], b: [true, false] }, 100, 0)
    expect(got).toHaveLength(6)
    expect(new Set(got.map((c) => JSON.stringify(c))).size).toBe(6)
    const some = sampleParams({ a: [1, 2, 3], b: [true, false] }, 4, 0)
    expect(new Set(some.map((c) => JSON.stringify(c))).size).toBe(4)
  })
  it('choice(values) samples like the list itself', () => {
    const values = ['x', 'y', 'z']
    expect(sampleParams({ a: choice(values), b: uniform(0, 1) }, 3, 4)).toEqual(
      sampleParams({ a: values, b: uniform(0, 1) }, 3, 4),
    )
  })
  test.prop([fc.integer({ min: 0, max: 1000 })], { seed: 7 })(
    'draws stay within their bounds',
    (seed) => {
      const got = sampleParams(
        [{ c: logUniform(1e-4, 1e4), k: randInt(3, 6), u: uniform(-2, 2) }, { k: [100] }],
        20,
        seed,
      )
      for (const p of got) {
        if (p['k'] === 100) continue
        expect(p['c']).toBeGreaterThanOrEqual(1e-4)
        expect(p['c']).toBeLessThan(1e4)
        expect([3, 4, 5]).toContain(p['k'])
        expect(p['u']).toBeGreaterThanOrEqual(-2)
        expect(p['u']).toBeLessThan(2)
      }
    },
  )
  it('logUniform is uniform in the logarithm', () => {
    const got = sampleParams({ c: logUniform(1e-3, 1e3) }, 4000, 3).map((p) =>
      Math.log10(p['c'] as number),
    )
    const below = got.filter((v) => v < 0).length / got.length
    expect(below).toBeGreaterThan(0.45)
    expect(below).toBeLessThan(0.55)
  })
  it('rejects bad distributions and entries', () => {
    expect(() => logUniform(0, 1)).toThrow(ValidationError)
    expect(() => uniform(2, 1)).toThrow(ValidationError)
    expect(() => randInt(1.5, 4)).toThrow(ValidationError)
    expect(() => sampleParams({ a: 3 } as never, 2, 0)).toThrow(
      /must be a list of values or a distribution/,
    )
    expect(() => sampleParams({}, 2, 0)).toThrow(ValidationError)
  })
})
