/**
 * The messages between the worker pool and its workers.
 */
import type { EstimatorSpec, ModelState, Progress } from '../base/index.js'

import type { ColumnPayload, ErrorPayload, FramePayload } from './transfer.js'
import type { TrialResult, TrialSettings } from './trial.js'

/** The data a pool's workers share for their whole life: sent once, first. */
export interface InitMessage {
  readonly type: 'init'
  readonly X: FramePayload
  readonly y?: ColumnPayload
  /** The folds trials refer to by index (index arrays in shared memory). */
  readonly folds: readonly { readonly train: Int32Array; readonly test: Int32Array }[]
}

/** Fit and score one fold. */
export interface TrialRequest {
  readonly type: 'trial'
  readonly estimator: EstimatorSpec
  readonly fold: number
  /** Train on the first `trainSize` training rows only (learning curves). */
  readonly trainSize?: number
  readonly settings: TrialSettings
}

/** Fit on all rows and send the model state back. */
export interface FitRequest {
  readonly type: 'fit'
  readonly estimator: EstimatorSpec
  /** Forward the fit's progress reports. */
  readonly progress: boolean
}

/** A unit of work for a worker. */
export type WorkRequest = TrialRequest | FitRequest

/** What a worker sends back. */
export type WorkerReply =
  | { readonly type: 'trial'; readonly id: number; readonly result: TrialResult }
  | { readonly type: 'fit'; readonly id: number; readonly state: ModelState }
  | { readonly type: 'progress'; readonly id: number; readonly progress: Progress }
  | { readonly type: 'error'; readonly id: number; readonly error: ErrorPayload }

/** A request as posted, with its id. */
export type IdentifiedRequest = WorkRequest & { readonly id: number }
