/**
 * Assertions shared by the src/numeric test suites: numpy-style `isclose` and fixture parsing.
 */
import { expect } from 'vitest'

/** Parses a fixture number (generate.py writes non-finite values as strings). */
export function parseNum(v: number | string | null): number {
  if (typeof v === 'number') return v
  if (v === 'NaN' || v === null) return Number.NaN
  if (v === 'Infinity') return Infinity
  if (v === '-Infinity') return -Infinity
  throw new Error(`bad fixture number ${v}`)
}

/**
 * Passes when `|actual - expected| <= atol + rtol * |expected|` (numpy `isclose`), when both are
 * NaN, or when both are the same infinity.
 */
export function expectClose(actual: number, expected: number, rtol = 1e-9, atol = 0): void {
  if (Number.isNaN(expected)) {
    expect(actual).toBeNaN()
    return
  }
  if (!Number.isFinite(expected)) {
    expect(actual).toBe(expected)
    return
  }
  const err = Math.abs(actual - expected)
  if (!(err <= atol + rtol * Math.abs(expected))) {
    expect.fail(
      `expected ${actual} to be close to ${expected} (rtol ${rtol}, atol ${atol}); diff ${err}`,
    )
  }
}

/** Element-wise {@link expectClose} for arrays of equal length. */
export function expectAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-9,
  atol = 0,
): void {
  expect(actual.length).toBe(expected.length)
  for (let i = 0; i < expected.length; i++)
    expectClose(actual[i] ?? Number.NaN, expected[i] ?? Number.NaN, rtol, atol)
}
