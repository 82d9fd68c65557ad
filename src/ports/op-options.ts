/**
 * Options every port operation accepts.
 *
 * An aborted `signal` makes an operation that has not started reject with `CancelledError`;
 * what an operation already under way does is documented per port.
 */
export interface OpOptions {
  readonly signal?: AbortSignal
}
