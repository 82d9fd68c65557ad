/**
 * The estimator contracts (STYLE.md §3): an {@link Estimator} holds validated-at-fit parameters
 * and `fit` returns a new, immutable {@link Model}; models predict or transform Frames and
 * serialize to a JSON-safe {@link ModelState}.
 */
import type { Rng } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'

/** Progress of a long fit, reported through {@link FitOptions.onProgress}. */
export interface Progress {
  /** What is running: `'epoch'`, `'init 3/10'`, `'fold 2'`… */
  readonly stage: string
  /** Steps done so far (iterations, epochs, trials). */
  readonly step: number
  /** The step count at which the work ends, when known (`maxIter`, number of trials). */
  readonly total?: number
  /** Optional figures at this step (`{ loss: 0.41 }`). */
  readonly metrics?: Readonly<Record<string, number>>
}

/** Options every `fit` takes. */
export interface FitOptions {
  /**
   * Checked between iterations: a fired signal ends the fit with `CancelledError`. A fit runs
   * synchronously on its thread, so a signal fired from the same thread is seen only when the
   * fit yields; run long fits through `fitInWorker` to cancel them from outside.
   */
  readonly signal?: AbortSignal
  /** Overrides the estimator's `seed` parameter (for forked streams in parallel search). */
  readonly rng?: Rng
  /** Called with progress, at most about once per iteration. Must not throw. */
  readonly onProgress?: (p: Progress) => void
}

/**
 * JSON-safe state of a fitted model. Large numeric arrays are stored as {@link EncodedArray}s
 * (base64 of their bytes, so the round trip is bit-exact, NaN included).
 */
export interface ModelState {
  /** The registry key, equal to the estimator's `kind`. */
  readonly kind: string
  /** The state format version of this kind; `load` rejects versions it does not know. */
  readonly version: number
  /** The estimator's parameters, after defaults were applied. */
  readonly params: Readonly<Record<string, unknown>>
  /** Kind-specific learned state. */
  readonly state: Readonly<Record<string, unknown>>
}

/** Convergence and fit facts a model records instead of throwing (sklearn's `n_iter_`, warnings). */
export interface Diagnostics {
  /** Whether the solver met its tolerance; `true` for closed-form fits. */
  readonly converged: boolean
  /** Iterations (or epochs) run. 0 for closed-form fits. */
  readonly nIter: number
  /** Human-readable notes: `'lbfgs stopped at maxIter=100 with |g|=3.1e-3'`. */
  readonly warnings: readonly string[]
  /** Kind-specific figures (`{ objective: …, inertia: … }`). */
  readonly [key: string]: unknown
}

/** A fitted, immutable model. */
export interface Model {
  /** The registry key (`'linear.ridge'`). */
  readonly kind: string
  /** The input columns fit saw, in order; predict/transform select these by name. */
  readonly featureNames: readonly string[]
  /** Convergence and other facts from fit. */
  readonly diagnostics: Diagnostics
  /** The JSON-safe state; `load(toJSON())` gives a model that predicts identically. */
  toJSON(): ModelState
}

/** A model that predicts one value per row. */
export interface Predictor extends Model {
  /** One prediction per row of `X`, as a column named `prediction`. */
  predict(X: Frame): Column
}

/** A model that predicts classes and their probabilities. */
export interface Classifier extends Predictor {
  /** The class labels, in the order of `predictProba`'s columns (sorted like sklearn). */
  readonly classes: readonly ClassLabel[]
  /** One `f64` column per class (named `String(label)`), rows summing to 1. */
  predictProba(X: Frame): Frame
}

/** A model that maps a frame to a frame (scalers, encoders, PCA). */
export interface Transformer extends Model {
  transform(X: Frame): Frame
  /** The output column names of `transform`. */
  readonly outputNames: readonly string[]
}

/** A class label: what the target column held. */
export type ClassLabel = string | number | boolean

/**
 * An unfitted learner: plain parameters plus `fit`. The constructor has no logic; `fit`
 * validates the parameters (zod) and the data, and never mutates `X`, `y` or `this`.
 */
export interface Estimator<P extends object = object, M extends Model = Model> {
  /** The registry key, shared with the models it fits. */
  readonly kind: string
  /** The parameters as given (defaults are applied at fit). */
  readonly params: Readonly<P>
  /** A new estimator with some parameters replaced (sklearn `clone` + `set_params`). */
  withParams(patch: Partial<P>): Estimator<P, M>
  fit(X: Frame, y?: Column, opts?: FitOptions): M
}

/** What {@link TransformerEstimator.fitTransform} returns: the fitted model and the transformed training frame. */
export interface FitTransformResult<M extends Transformer = Transformer> {
  readonly model: M
  readonly output: Frame
}

/**
 * An estimator whose fitted model is a {@link Transformer}, with `fitTransform`.
 *
 * `fitTransform(X, y)` equals `fit(X, y)` followed by `transform(X)`, except for estimators that
 * must not see a row's own target when encoding it (a target encoder cross-fits). Pipelines
 * call `fitTransform` on every step but the last, so training rows get the leak-free encoding.
 */
export interface TransformerEstimator<
  P extends object = object,
  M extends Transformer = Transformer,
> extends Estimator<P, M> {
  withParams(patch: Partial<P>): TransformerEstimator<P, M>
  /** Fits on `X` (and `y`) and returns the model with the transformed training frame. */
  fitTransform(X: Frame, y?: Column, opts?: FitOptions): FitTransformResult<M>
}

/** The task an estimator solves, used by checks, search and evaluation. */
export type Task = 'classification' | 'regression' | 'clustering' | 'transform'
