/**
 * The sampler contract: unlike a transformer, a sampler changes the rows of a training set (and
 * its target) and is used only at fit time; it has no fitted state to apply to new data.
 */
import type { Rng } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import { hasSpec } from '../base/index.js'

/** Options every `resample` takes. */
export interface SampleOptions {
  /** Checked between classes and during neighbour searches: a fired signal gives `CancelledError`. */
  readonly signal?: AbortSignal
  /** Overrides the sampler's `seed` parameter. */
  readonly rng?: Rng
}

/** The resampled training set. */
export interface ResampleResult {
  readonly X: Frame
  readonly y: Column
  /**
   * For samplers that only pick existing rows: the input row of each output row (imblearn
   * `sample_indices_`), e.g. to resample sample weights the same way.
   */
  readonly sampleIndices?: Int32Array
}

/**
 * A resampler of classification training sets (imbalanced-learn's samplers). The constructor
 * has no logic; `resample` validates the parameters and the data and never mutates `X`, `y` or
 * `this`. The same seed gives the same output.
 */
export interface Sampler<P extends object = object> {
  /** `'imbalance.smote'`… */
  readonly kind: string
  /** The parameters as given (defaults are applied at resample). */
  readonly params: Readonly<P>
  /** A new sampler with some parameters replaced. */
  withParams(patch: Partial<P>): Sampler<P>
  resample(X: Frame, y: Column, opts?: SampleOptions): ResampleResult
}

/** One sampler kind, for listings and for building a sampler from plain parameters. */
export interface SamplerEntry {
  readonly kind: string
  /** One line for `--help` and listings. */
  readonly summary: string
  /** A new sampler with these parameters (validated at resample). */
  create(params?: Readonly<Record<string, unknown>>): Sampler
}

/**
 * True for a sampler instance: a `kind` string, a `params` object, `resample` and `withParams`
 * functions, and no `fit` (so an estimator that also resamples counts as an estimator).
 */
export function isSampler(v: unknown): v is Sampler {
  if (!hasSpec(v)) return false
  const e = v as Partial<Record<keyof Sampler | 'fit', unknown>>
  return (
    typeof e.resample === 'function' && typeof e.withParams === 'function' && e.fit === undefined
  )
}
