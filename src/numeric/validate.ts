/**
 * Boundary checks shared by the public drift and histogram functions.
 */
import { ValidationError } from '../core/index.js'
import type { NumericArray } from './sum.js'

/** Throws a ValidationError unless `x` is non-empty (and, when `finite`, free of NaN/±Infinity). */
export function checkSample(x: NumericArray, name: string, finite: boolean): void {
  if (x.length === 0) {
    throw new ValidationError(`${name} must not be empty`, [
      { path: [name], code: 'too_small', message: 'at least one value is required' },
    ])
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!
    if (Number.isNaN(v) || (finite && !Number.isFinite(v))) {
      throw new ValidationError(
        `${name} must contain only ${finite ? 'finite numbers' : 'numbers (no NaN)'}`,
        [
          {
            path: [name, i],
            code: 'invalid_value',
            message: `${name}[${i}] is ${v}; drop or impute missing values first`,
          },
        ],
      )
    }
  }
}

/**
 * Throws a ValidationError unless `x` is a non-empty vector of finite, non-negative weights
 * (counts or proportions) with a positive total.
 */
export function checkWeights(x: NumericArray, name: string): void {
  checkSample(x, name, true)
  let total = 0
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!
    if (v < 0) {
      throw new ValidationError(`${name} must not contain negative values`, [
        { path: [name, i], code: 'too_small', message: `${name}[${i}] is ${v}` },
      ])
    }
    total += v
  }
  if (!(total > 0)) {
    throw new ValidationError(`${name} must have a positive total`, [
      { path: [name], code: 'too_small', message: 'all weights are zero' },
    ])
  }
}

/** Throws a ValidationError unless both vectors have the same length. */
export function checkSameLength(
  a: NumericArray,
  b: NumericArray,
  nameA: string,
  nameB: string,
): void {
  if (a.length !== b.length) {
    throw new ValidationError(`${nameA} and ${nameB} must have the same length`, [
      {
        path: [nameB],
        code: 'invalid_length',
        message: `${nameA} has ${a.length} entries, ${nameB} has ${b.length}`,
      },
    ])
  }
}
