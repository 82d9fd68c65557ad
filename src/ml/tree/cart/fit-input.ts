/**
 * Fit inputs shared by the CART trees and the forests: the `sampleWeight` option, and the class
 * weights of a classification target.
 *
 * @internal
 */
import type { Column } from '../../../frame/index.js'
import {
  classWeights,
  readSampleWeight,
  sampleWeightsFromClasses,
  type EncodedTarget,
  type FitOptions,
} from '../../base/index.js'

export { readSampleWeight }

/** {@link FitOptions} plus per-row weights. */
export interface TreeFitOptions extends FitOptions {
  /**
   * One finite, non-negative weight per row (scikit-learn's `sample_weight`), multiplied by the
   * class weights. A numeric `Column` or a `Float64Array`. Rows of weight 0 are left out.
   */
  readonly sampleWeight?: Float64Array | Column
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
