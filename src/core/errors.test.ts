import { describe, expect, it } from 'vitest'

import {
  CancelledError,
  ERROR_CODES,
  NotFoundError,
  PlatformError,
  ValidationError,
  toPlatformError,
  type ErrorBody,
} from './errors.js'

describe('PlatformError', () => {
  it('serializes to the wire shape', () => {
    const err = new PlatformError('CONFLICT', 'run is finished', { runId: 'abc' })
    expect(err.toJSON()).toMatchInlineSnapshot(`
      {
        "code": "CONFLICT",
        "details": {
          "runId": "abc",
        },
        "message": "run is finished",
      }
    `)
  })

  it('round-trips through JSON into the subclass callers test for', () => {
    const issues = [{ path: ['a', 0], code: 'too_big', message: 'at most 3' }]
    const cases: [PlatformError, new (...args: never[]) => PlatformError][] = [
      [new ValidationError('bad', issues), ValidationError],
      [new NotFoundError('nope', { id: 'x' }), NotFoundError],
      [new CancelledError(), CancelledError],
      [new PlatformError('UNAVAILABLE', 'down'), PlatformError],
    ]
    for (const [err, cls] of cases) {
      const back = PlatformError.fromJSON(JSON.parse(JSON.stringify(err.toJSON())) as ErrorBody)
      expect(back).toBeInstanceOf(cls)
      expect(back.toJSON()).toEqual(err.toJSON())
    }
    const v = PlatformError.fromJSON(new ValidationError('bad', issues).toJSON())
    expect(v instanceof ValidationError && v.issues).toEqual(issues)
  })

  it('wraps unknown errors as INTERNAL without leaking their message', () => {
    const cause = new Error('password=hunter2')
    const err = toPlatformError(cause)
    expect(err.code).toBe('INTERNAL')
    expect(err.message).not.toContain('hunter2')
    expect(err.cause).toBe(cause)
    const same = new NotFoundError('x')
    expect(toPlatformError(same)).toBe(same)
  })

  it('lists every code once', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length)
    expect(ERROR_CODES).toHaveLength(12)
  })
})
