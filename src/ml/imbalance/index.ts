/**
 * @module ml/imbalance
 * Resampling of imbalanced classification training sets (imbalanced-learn): random over- and
 * under-sampling and SMOTE. Samplers are not estimators: `resample(X, y)` returns a new
 * training set and nothing is fitted, so they are not in the estimator registry; use them on
 * training folds only. For re-weighting instead of resampling, see `classWeights` in ml/base.
 */
import {
  RANDOM_OVER_SAMPLER_KIND,
  RANDOM_UNDER_SAMPLER_KIND,
  RandomOverSampler,
  RandomUnderSampler,
} from './random-samplers.js'
import { SMOTE_KIND, Smote } from './smote.js'
import type { SamplerEntry } from './types.js'

export { nearestNeighbors } from './kernels/nearest-neighbors.js'
export {
  RANDOM_OVER_SAMPLER_KIND,
  RANDOM_UNDER_SAMPLER_KIND,
  RandomOverSampler,
  RandomOverSamplerParamsSchema,
  RandomUnderSampler,
  RandomUnderSamplerParamsSchema,
} from './random-samplers.js'
export type { RandomOverSamplerParams, RandomUnderSamplerParams } from './random-samplers.js'
export {
  OverSamplingStrategySchema,
  UnderSamplingStrategySchema,
  samplingTargets,
} from './sampling-strategy.js'
export type { SamplingStrategy } from './sampling-strategy.js'
export { SMOTE_KIND, Smote, SmoteParamsSchema } from './smote.js'
export type { SmoteParams } from './smote.js'
export { isSampler } from './types.js'
export type { ResampleResult, SampleOptions, Sampler, SamplerEntry } from './types.js'

/** The sampler kinds: build one from plain parameters (search spaces, pipeline specs). */
export const IMBALANCE_SAMPLERS: readonly SamplerEntry[] = [
  {
    kind: RANDOM_OVER_SAMPLER_KIND,
    summary: 'Random over-sampling: repeat rows of the smaller classes',
    create: (p = {}) => new RandomOverSampler(p),
  },
  {
    kind: RANDOM_UNDER_SAMPLER_KIND,
    summary: 'Random under-sampling: keep a random subset of the larger classes',
    create: (p = {}) => new RandomUnderSampler(p),
  },
  {
    kind: SMOTE_KIND,
    summary: 'SMOTE: synthetic rows between a minority row and its nearest same-class neighbours',
    create: (p = {}) => new Smote(p),
  },
]

const BY_KIND: ReadonlyMap<string, SamplerEntry> = new Map(
  IMBALANCE_SAMPLERS.map((e) => [e.kind, e]),
)

/** The sampler entry of `kind`, or `undefined` when `kind` names no sampler. */
export function findSamplerEntry(kind: string): SamplerEntry | undefined {
  return BY_KIND.get(kind)
}
