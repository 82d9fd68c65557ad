import { CancelledError } from './errors.js'

/**
 * Throws `CancelledError` if `signal` has fired; call it between units of work.
 *
 * @example
 * ```ts
 * for (const batch of batches) { throwIfAborted(opts.signal); await write(batch) }
 * ```
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new CancelledError('the operation was cancelled', {}, { cause: signal.reason })
  }
}
