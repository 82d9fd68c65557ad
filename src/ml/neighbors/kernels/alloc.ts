/**
 * Typed arrays in ordinary or shared memory: a neighbour index that may be queried from
 * worker threads keeps its arrays in `SharedArrayBuffer`s, so workers read them without a copy.
 */

/** Whether this runtime has `SharedArrayBuffer` (Node does; browsers only when cross-origin isolated). */
export function canShareMemory(): boolean {
  return typeof SharedArrayBuffer !== 'undefined'
}

/** A zeroed `Float64Array` of `length`, in shared memory if `shared`. */
export function allocF64(length: number, shared: boolean): Float64Array {
  return shared ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float64Array(length)
}

/** A zeroed `Int32Array` of `length`, in shared memory if `shared`. */
export function allocI32(length: number, shared: boolean): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length)
}
