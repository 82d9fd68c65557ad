/**
 * Fit inputs shared by the CART trees and the forests: the `sampleWeight` option, and the class
 * weights of a classification target.
 *
 * @internal
 */
import { ValidationError, type ValidationIssue } from '../../../core/index.js'
import type { Column } from '../../../frame/index.js'
import {
  classWeights,
  sampleWeightsFromClasses,
  type EncodedTarget,
  type FitOptions,
} from '../../base/index.js'

/** {@link FitOptions} plus per-row weights. */
export interface TreeFitOptions extends FitOptions {
  /**
   * One finite, non-negative weight per row (scikit-learn's `sample_weight`), multiplied by the
   * class weights. A numeric `Column` or a `Float64Array`. Rows of weight 0 are left out.
   */
  readonly sampleWeight?: Float64Array | Column
}

/**
 * Validates the `sampleWeight` fit option; all ones when absent.
 *
 * @throws ValidationError for a wrong length, a missing, negative or non-finite weight, or all 0.
 */
export function readSampleWeight(n: number, sw: Float64Array | Column | undefined): Float64Array {
  if (sw === undefined) return new Float64Array(n).fill(1)
  const issues: ValidationIssue[] = []
  let values: ArrayLike<number> | undefined
  if (sw instanceof Float64Array) values = sw
  else if (sw.dtype === 'f64' || sw.dtype === 'f32' || sw.dtype === 'i32') values = sw.values
  else
    issues.push({
      path: ['sampleWeight'],
      code: 'not_numeric',
      message: `sampleWeight is ${sw.dtype}`,
    })
  if (values !== undefined && values.length !== n)
    issues.push({
      path: ['sampleWeight'],
      code: 'length_mismatch',
      message: `expected ${n} weights, got ${values.length}`,
    })
  if (values !== undefined && !(sw instanceof Float64Array) && sw.validity?.includes(0))
    issues.push({ path: ['sampleWeight'], code: 'missing_values', message: 'missing weights' })
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
        path: ['sampleWeight'],
        code: 'invalid_value',
        message: `weight ${String(values[bad])} at row ${bad} is not finite and ≥ 0`,
      })
    else if (!(total > 0))
      issues.push({ path: ['sampleWeight'], code: 'invalid_value', message: 'all weights are 0' })
  }
  if (issues.length > 0) throw new ValidationError('invalid sampleWeight', issues)
  return out
}

/** Multiplies `weights` in place by the per-row class weights of `spec` (none when undefined). */
export function applyClassWeight(
  weights: Float64Array,
  target: EncodedTarget,
  spec: 'balanced' | Readonly<Record<string, number>> | undefined,
): void {
  if (spec === undefined) return
  const cw = sampleWeightsFromClasses(target, classWeights(target, spec))
  for (let i = 0; i < weights.length; i++) weights[i]! *= cw[i]!
}

/** Sum of `w`. */
export function sumOf(w: Float64Array): number {
  let s = 0
  for (let i = 0; i < w.length; i++) s += w[i]!
  return s
}
