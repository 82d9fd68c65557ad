/**
 * JSON-safe encoding of typed arrays inside a {@link ModelState}, and the state envelope checks
 * every `load` does.
 */
import { ValidationError } from '../../core/index.js'

import type { ModelState } from './types.js'

/** A typed array as JSON: its dtype and the base64 of its little-endian bytes. */
export interface EncodedArray {
  readonly dtype: 'f64' | 'f32' | 'i32' | 'u8'
  readonly length: number
  readonly b64: string
}

type Encodable = Float64Array | Float32Array | Int32Array | Uint8Array

const CTORS = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u8: Uint8Array,
} as const

function dtypeOf(a: Encodable): EncodedArray['dtype'] {
  if (a instanceof Float64Array) return 'f64'
  if (a instanceof Float32Array) return 'f32'
  if (a instanceof Int32Array) return 'i32'
  return 'u8'
}

/**
 * Encodes a typed array bit-exactly (NaN payloads, -0 and all). Assumes a little-endian host,
 * as every platform Node supports is.
 */
export function encodeArray(a: Encodable): EncodedArray {
  return {
    dtype: dtypeOf(a),
    length: a.length,
    b64: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'),
  }
}

function decodeRaw(
  e: unknown,
  path: string,
): { ctor: (typeof CTORS)[keyof typeof CTORS]; bytes: Buffer; length: number } {
  if (typeof e !== 'object' || e === null) throw badState(path, 'expected an encoded array')
  const { dtype, length, b64 } = e as Record<string, unknown>
  if (typeof dtype !== 'string' || !(dtype in CTORS)) throw badState(path, 'unknown array dtype')
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0)
    throw badState(path, 'bad array length')
  if (typeof b64 !== 'string') throw badState(path, 'missing array bytes')
  const ctor = CTORS[dtype as keyof typeof CTORS]
  const bytes = Buffer.from(b64, 'base64')
  if (bytes.length !== length * ctor.BYTES_PER_ELEMENT)
    throw badState(path, 'array byte length does not match its length')
  return { ctor, bytes, length }
}

function decodeAs<A extends Encodable>(
  e: unknown,
  path: string,
  want: new (buf: ArrayBuffer) => A,
): A {
  const { ctor, bytes } = decodeRaw(e, path)
  if ((ctor as unknown) !== want) throw badState(path, `expected a ${want.name}`)
  // Copy into a fresh, aligned buffer (Buffer.from(base64) may share a pool at any offset).
  const copy = new ArrayBuffer(bytes.length)
  new Uint8Array(copy).set(bytes)
  return new want(copy)
}

/** Decodes a `Float64Array` written by {@link encodeArray}; `path` names the field in errors. */
export function decodeF64(e: unknown, path: string): Float64Array {
  return decodeAs(e, path, Float64Array)
}
/** Decodes a `Float32Array` written by {@link encodeArray}. */
export function decodeF32(e: unknown, path: string): Float32Array {
  return decodeAs(e, path, Float32Array)
}
/** Decodes an `Int32Array` written by {@link encodeArray}. */
export function decodeI32(e: unknown, path: string): Int32Array {
  return decodeAs(e, path, Int32Array)
}
/** Decodes a `Uint8Array` written by {@link encodeArray}. */
export function decodeU8(e: unknown, path: string): Uint8Array {
  return decodeAs(e, path, Uint8Array)
}

/** A `ValidationError` for a malformed model state field. */
export function badState(path: string, message: string): ValidationError {
  return new ValidationError(`invalid model state: ${path}: ${message}`, [
    { path: ['state', ...path.split('.')], code: 'invalid_state', message },
  ])
}

/**
 * Checks the envelope of a state before a kind's `load` reads it: the kind matches and the
 * version is one this code reads.
 *
 * @throws ValidationError otherwise.
 */
export function checkState(state: ModelState, kind: string, versions: readonly number[]): void {
  if (typeof state !== 'object' || (state as unknown) === null)
    throw badState('', 'expected an object')
  if (state.kind !== kind) throw badState('kind', `expected "${kind}", got "${state.kind}"`)
  if (!versions.includes(state.version)) {
    throw badState(
      'version',
      `${kind} state version ${String(state.version)} is not supported (supported: ${versions.join(', ')})`,
    )
  }
  if (typeof state.state !== 'object' || (state.state as unknown) === null)
    throw badState('state', 'expected an object')
}
