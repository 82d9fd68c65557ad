import type { ErrorCode } from '../core/index.js'

/**
 * Process exit codes, derived from error codes only (the HTTP table is `http/error-map.ts`).
 * 0 is success; 2 is also what a usage error (unknown flag, missing argument) exits with.
 */
export const EXIT_CODE_BY_ERROR = Object.freeze({
  INTERNAL: 1,
  INVALID_ARGUMENT: 2,
  NOT_FOUND: 3,
  ALREADY_EXISTS: 4,
  CONFLICT: 4,
  FAILED_PRECONDITION: 5,
  PERMISSION_DENIED: 6,
  UNAUTHENTICATED: 6,
  UNAVAILABLE: 7,
  DEADLINE_EXCEEDED: 8,
  NOT_IMPLEMENTED: 9,
  CANCELLED: 130,
} as const satisfies Record<ErrorCode, number>)
