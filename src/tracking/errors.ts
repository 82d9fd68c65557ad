import { createHash } from 'node:crypto'

import { NotFoundError, PlatformError, ValidationError } from '../core/index.js'

/** A short fingerprint of a query, carried in its page tokens. */
export function digestOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 16)
}

/** @internal */
export function alreadyExists(name: string): PlatformError {
  return new PlatformError('ALREADY_EXISTS', `experiment '${name}' already exists`, { name })
}

/** @internal */
export function runNotFound(runId: string): NotFoundError {
  return new NotFoundError(`run '${runId}' not found`, { runId })
}

/** @internal */
export function runNotActive(runId: string): PlatformError {
  return new PlatformError(
    'FAILED_PRECONDITION',
    `run '${runId}' is deleted; restore it to change it`,
    { runId },
  )
}

/** @internal */
export function paramChanged(
  runId: string,
  key: string,
  oldValue: string,
  newValue: string,
): ValidationError {
  return new ValidationError(
    `param '${key}' of run '${runId}' is already '${oldValue}'; params cannot be changed`,
    [
      {
        path: ['params', key],
        code: 'immutable',
        message: `already logged with value '${oldValue}'`,
      },
    ],
    { runId, key, oldValue, newValue },
  )
}
