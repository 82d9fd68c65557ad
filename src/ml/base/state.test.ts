import { describe, expect, it } from 'vitest'

import { ValidationError } from '../../core/index.js'

import { decodeF32, decodeF64, decodeI32, decodeU8, encodeArray } from './index.js'

/** The bytes of a typed array, for bit-exact comparison (NaN payloads and -0 included). */
function bytesOf(a: Float64Array | Float32Array | Int32Array | Uint8Array): number[] {
  return [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)]
}

describe('encodeArray / decode*', () => {
  const nanPayload = new Float64Array(new BigUint64Array([0x7ff8_0000_0000_0001n]).buffer)[0]!
  const cases = [
    ['f64', Float64Array.of(1.5, -0, NaN, nanPayload, Infinity, 5e-324), decodeF64],
    ['f32', Float32Array.of(1.5, -0, NaN, -Infinity, 1e-45), decodeF32],
    ['i32', Int32Array.of(0, -1, 2 ** 31 - 1, -(2 ** 31)), decodeI32],
    ['u8', Uint8Array.of(0, 1, 255), decodeU8],
  ] as const
  for (const [dtype, a, decode] of cases) {
    it(`${dtype} round-trips bit-exactly through JSON text`, () => {
      const e = encodeArray(a)
      expect(e.dtype).toBe(dtype)
      const back = decode(JSON.parse(JSON.stringify(e)), 'w')
      expect(back.constructor).toBe(a.constructor)
      expect(bytesOf(back)).toEqual(bytesOf(a))
    })
  }
  it('encodes a view, not its whole buffer', () => {
    const view = Float64Array.of(1, 2, 3, 4).subarray(1, 3)
    expect([...decodeF64(encodeArray(view), 'w')]).toEqual([2, 3])
  })
  it('rejects another dtype and a wrong length under state', () => {
    const e = encodeArray(Float32Array.of(1, 2))
    expect(() => decodeF64(e, 'coef')).toThrow(ValidationError)
    expect(() => decodeU8({ ...e, length: 3 }, 'coef')).toThrow(/byte length/)
    let caught: unknown
    try {
      decodeI32(e, 'coef.values')
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(ValidationError)
    expect((caught as ValidationError).issues[0]?.path).toEqual(['state', 'coef', 'values'])
  })
})
