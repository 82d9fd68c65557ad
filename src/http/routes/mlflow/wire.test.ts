import { describe, expect, it } from 'vitest'
import { z } from 'zod'

import { ERROR_CODES, PlatformError, ValidationError } from '../../../core/index.js'
import { MLFLOW_HTTP_STATUS, toMlflowError } from './errors.js'
import {
  bool,
  compact,
  double,
  int64,
  repeated,
  runStatus,
  toJsonDouble,
  viewType,
} from './wire.js'

describe('MLflow wire values', () => {
  it('reads int64 fields given as numbers or decimal text', () => {
    expect(int64.parse(1_700_000_000_000)).toBe(1_700_000_000_000)
    expect(int64.parse('1700000000000')).toBe(1_700_000_000_000)
    expect(int64.parse('-5')).toBe(-5)
    for (const bad of ['1.5', 'abc', '', '1e3', 2 ** 60, 1.5]) {
      expect(int64.safeParse(bad).success, String(bad)).toBe(false)
    }
  })

  it('reads doubles, with protobuf’s names for non-finite values', () => {
    expect(double.parse(0.25)).toBe(0.25)
    expect(double.parse('0.25')).toBe(0.25)
    expect(double.parse('NaN')).toBeNaN()
    expect(double.parse('Infinity')).toBe(Number.POSITIVE_INFINITY)
    expect(double.parse('-Infinity')).toBe(Number.NEGATIVE_INFINITY)
    expect(double.safeParse('abc').success).toBe(false)
    expect(double.safeParse('').success).toBe(false)
    expect([Number.NaN, Infinity, -Infinity, 1].map(toJsonDouble)).toEqual([
      'NaN',
      'Infinity',
      '-Infinity',
      1,
    ])
  })

  it('reads repeated query-string keys, one or many, as lists', () => {
    const s = repeated(z.string())
    expect(s.parse('1')).toEqual(['1'])
    expect(s.parse(['1', '2'])).toEqual(['1', '2'])
  })

  it('reads enums by name or number and booleans as Python writes them', () => {
    expect(runStatus.parse('FINISHED')).toBe('FINISHED')
    expect(runStatus.parse(3)).toBe('FINISHED')
    expect(runStatus.parse('5')).toBe('KILLED')
    expect(runStatus.safeParse(6).success).toBe(false)
    expect(viewType.parse(3)).toBe('ALL')
    expect(viewType.safeParse('SOME').success).toBe(false)
    expect(bool.parse('True')).toBe(true)
    expect(bool.parse(false)).toBe(false)
  })

  it('leaves unset fields and empty lists out of responses', () => {
    expect(compact({ a: 1, b: undefined, c: [], d: [1], e: '' })).toEqual({ a: 1, d: [1], e: '' })
  })
})

describe('toMlflowError', () => {
  it('maps every Plinth code to an MLflow code with MLflow’s status', () => {
    for (const code of ERROR_CODES) {
      const { status, body } = toMlflowError(new PlatformError(code, 'm'))
      expect(MLFLOW_HTTP_STATUS[body.error_code], code).toBe(status)
      expect(body.message).toBe('m')
    }
  })

  it('uses MLflow’s codes for the cases clients test for', () => {
    const of = (err: unknown) => toMlflowError(err).body.error_code
    expect(of(new PlatformError('NOT_FOUND', 'x'))).toBe('RESOURCE_DOES_NOT_EXIST')
    expect(of(new PlatformError('ALREADY_EXISTS', 'x'))).toBe('RESOURCE_ALREADY_EXISTS')
    expect(of(new ValidationError('x'))).toBe('INVALID_PARAMETER_VALUE')
    // A 5xx would make MLflow clients retry a request that can never succeed.
    expect(toMlflowError(new PlatformError('FAILED_PRECONDITION', 'x')).status).toBe(400)
    expect(toMlflowError(new ValidationError('big', [], { maxBytes: 10 })).status).toBe(413)
    const internal = toMlflowError(new Error('secret detail'))
    expect(internal).toEqual({
      status: 500,
      body: { error_code: 'INTERNAL_ERROR', message: 'internal error' },
    })
  })
})
