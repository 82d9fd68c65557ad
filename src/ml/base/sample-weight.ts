/**
 * Per-row weights given to `fit` (scikit-learn's `sample_weight`), validated once for every
 * estimator that takes them.
 */
import { ValidationError, type ValidationIssue } from '../../core/index.js'
import type { Column } from '../../frame/index.js'

/**
 * Validates a per-row weight fit option (scikit-learn's `sample_weight`); all ones when absent.
 * `name` is the option's path in errors (`'sampleWeight'`, `'validation.sampleWeight'`).
 *
 * @throws ValidationError for a wrong length, a missing, negative or non-finite weight, or all 0.
 */
export function readSampleWeight(
  n: number,
  sw: Float64Array | Column | undefined,
  name = 'sampleWeight',
): Float64Array {
  if (sw === undefined) return new Float64Array(n).fill(1)
  const path = name.split('.')
  const issues: ValidationIssue[] = []
  let values: ArrayLike<number> | undefined
  if (sw instanceof Float64Array) values = sw
  else if (sw.dtype === 'f64' || sw.dtype === 'f32' || sw.dtype === 'i32') values = sw.values
  else
    issues.push({
      path,
      code: 'not_numeric',
      message: `${name} is ${sw.dtype}`,
    })
  if (values !== undefined && values.length !== n)
    issues.push({
      path,
      code: 'length_mismatch',
      message: `expected ${n} weights, got ${values.length}`,
    })
  if (values !== undefined && !(sw instanceof Float64Array) && sw.validity?.includes(0))
    issues.push({ path, code: 'missing_values', message: 'missing weights' })
  const out = new Float64Array(n)
  if (values !== undefined && issues.length === 0) {
    let total = 0
    let bad = -1
    for (let i = 0; i < n && bad < 0; i++) {
      const w = values[i]!
      if (!Number.isFinite(w) || w < 0) bad = i
      out[i] = w
      total += w
    }
    if (bad >= 0)
      issues.push({
        path,
        code: 'invalid_value',
        message: `weight ${String(values[bad])} at row ${bad} is not finite and ≥ 0`,
      })
    else if (!(total > 0))
      issues.push({ path, code: 'invalid_value', message: 'all weights are 0' })
  }
  if (issues.length > 0) throw new ValidationError(`invalid ${name}`, issues)
  return out
}
