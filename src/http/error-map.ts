import type { ErrorCode, PlatformError } from '../core/index.js'

/**
 * The one table from error code to HTTP status. CLI exit codes have their own table in
 * `cli/exit-codes.ts`; both derive from the code, never from messages.
 */
export const HTTP_STATUS_BY_CODE = Object.freeze({
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  FAILED_PRECONDITION: 412,
  CANCELLED: 499,
  INTERNAL: 500,
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
} as const satisfies Record<ErrorCode, number>)

/**
 * The HTTP status for an error. Content over a size limit is `INVALID_ARGUMENT` to services and
 * 413 on the wire, so clients can tell it from a malformed request.
 */
export function httpStatusOf(err: PlatformError): number {
  if (err.code === 'INVALID_ARGUMENT' && typeof err.details['maxBytes'] === 'number') return 413
  return HTTP_STATUS_BY_CODE[err.code]
}

/** The error code for a status produced by the HTTP framework itself (bad JSON, 413, 415…). */
export function codeOfHttpStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED'
  if (status === 403) return 'PERMISSION_DENIED'
  if (status === 404) return 'NOT_FOUND'
  if (status === 408) return 'DEADLINE_EXCEEDED'
  if (status === 409) return 'CONFLICT'
  if (status === 503) return 'UNAVAILABLE'
  if (status === 504) return 'DEADLINE_EXCEEDED'
  if (status >= 400 && status < 500) return 'INVALID_ARGUMENT'
  return 'INTERNAL'
}
