/**
 * Helpers for long fits: cancellation checks and progress reports.
 */
import { throwIfAborted } from '../../core/index.js'

import type { FitOptions, Progress } from './types.js'

/**
 * Checks the fit's signal and reports progress, once per iteration of an outer loop.
 *
 * @throws CancelledError if the signal fired.
 */
export function fitStep(opts: FitOptions | undefined, progress: Progress): void {
  throwIfAborted(opts?.signal)
  opts?.onProgress?.(progress)
}
