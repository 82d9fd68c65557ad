/**
 * The registry entry every estimator kind exports: how to create the estimator from plain
 * parameters (search, pipelines, workers) and how to load its fitted model from JSON.
 */
import type { Estimator, Model, ModelState, Task } from './types.js'

/** One estimator kind, as listed in `ml/registry.ts`. */
export interface EstimatorEntry {
  /** The registry key (`'linear.ridge'`), equal to the estimator's and model's `kind`. */
  readonly kind: string
  readonly task: Task
  /** One line for `--help` and listings. */
  readonly summary: string
  /** A new estimator with these parameters (validated at `fit`, not here). */
  create(params?: Readonly<Record<string, unknown>>): Estimator
  /**
   * The model that `toJSON` produced, rebuilt.
   *
   * @throws ValidationError if the state is malformed or of another kind or version.
   */
  load(state: ModelState): Model
}
