import { describe, expect, it } from 'vitest'

import { ValidationError } from '../../../core/index.js'
import { createColumn, createFrame, type Frame } from '../../../frame/index.js'

import { fillRowMajor, numericColumns } from './design-matrix.js'

function frame(n: number, p: number, poke?: [number, number, number]): Frame {
  return createFrame(
    Array.from({ length: p }, (_, j) => {
      const v = Float64Array.from({ length: n }, (_, i) => i * 10 + j)
      if (poke !== undefined && poke[1] === j) v[poke[0]] = poke[2]
      return createColumn({ name: `x${j}`, dtype: 'f64', values: v })
    }),
  )
}

describe('fillRowMajor', () => {
  it('copies row-major for any column count (groups of four and the rest)', () => {
    for (const p of [1, 3, 4, 5, 9]) {
      const X = frame(700, p)
      const out = new Float64Array(700 * p)
      fillRowMajor(X, out, 'k')
      for (let i = 0; i < 700; i++)
        for (let j = 0; j < p; j++) expect(out[i * p + j]).toBe(i * 10 + j)
    }
  })

  it('rejects NaN or ±Infinity anywhere, and missing values, with the standard error', () => {
    for (const poke of [
      [699, 0, Number.NaN],
      [300, 4, Number.POSITIVE_INFINITY],
      [0, 2, Number.NEGATIVE_INFINITY],
    ] as [number, number, number][]) {
      const X = frame(700, 5, poke)
      const err = (() => {
        try {
          fillRowMajor(X, new Float64Array(700 * 5), 'k')
        } catch (e) {
          return e
        }
        return undefined
      })()
      expect(err).toBeInstanceOf(ValidationError)
      expect((err as ValidationError).issues[0]).toMatchObject({
        path: ['X', `x${poke[1]}`],
        code: 'non_finite',
      })
      expect(() => numericColumns(X, 'k')).toThrow(ValidationError)
    }
    const missing = createFrame([
      createColumn({
        name: 'a',
        dtype: 'f64',
        values: new Float64Array(10),
        validity: Uint8Array.from({ length: 10 }, (_, i) => (i === 9 ? 0 : 1)),
      }),
    ])
    for (const run of [
      () => {
        fillRowMajor(missing, new Float64Array(10), 'k')
      },
      () => numericColumns(missing, 'k'),
    ]) {
      try {
        run()
        expect.unreachable()
      } catch (e) {
        expect((e as ValidationError).issues[0]).toMatchObject({ code: 'missing_values' })
      }
    }
  })
})
