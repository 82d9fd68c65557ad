/**
 * The error model shared by every layer: one `PlatformError` carrying a stable code.
 *
 * The code is the API: HTTP status and CLI exit codes are derived from it in one table each
 * (`http/error-map.ts`, `cli/exit-codes.ts`). Messages may reach clients, so never put secrets in them.
 */

/** Stable, transport-independent error codes (gRPC-style). */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'CONFLICT'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'CANCELLED'
  | 'DEADLINE_EXCEEDED'
  | 'UNAVAILABLE'
  | 'NOT_IMPLEMENTED'
  | 'INTERNAL'

/** Every error code, in a stable order (useful for exhaustive tables and tests). */
export const ERROR_CODES: readonly ErrorCode[] = Object.freeze([
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'FAILED_PRECONDITION',
  'CONFLICT',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
  'CANCELLED',
  'DEADLINE_EXCEEDED',
  'UNAVAILABLE',
  'NOT_IMPLEMENTED',
  'INTERNAL',
])

/** The JSON shape of an error on the wire: `{ error: ErrorBody }`. */
export interface ErrorBody {
  readonly code: ErrorCode
  readonly message: string
  readonly details: Readonly<Record<string, unknown>>
}

/**
 * An expected failure with a stable code.
 *
 * Programmer bugs are plain `Error`s (mapped to `INTERNAL`); anything a caller can cause or
 * handle is a `PlatformError`. Always pass `{ cause }` when wrapping.
 *
 * @example
 * ```ts
 * throw new PlatformError('CONFLICT', 'run is already finished', { runId })
 * ```
 */
export class PlatformError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'PlatformError'
  }

  toJSON(): ErrorBody {
    return { code: this.code, message: this.message, details: this.details }
  }

  /**
   * Rebuilds an error from its wire form, choosing the subclass a caller may test with `instanceof`.
   */
  static fromJSON(body: ErrorBody): PlatformError {
    switch (body.code) {
      case 'INVALID_ARGUMENT': {
        const issues = Array.isArray(body.details['issues'])
          ? (body.details['issues'] as ValidationIssue[])
          : []
        return new ValidationError(body.message, issues, body.details)
      }
      case 'NOT_FOUND':
        return new NotFoundError(body.message, body.details)
      case 'CANCELLED':
        return new CancelledError(body.message, body.details)
      default:
        return new PlatformError(body.code, body.message, body.details)
    }
  }
}

/** One problem with an input, located by its path (zod-style). */
export interface ValidationIssue {
  readonly path: readonly (string | number)[]
  readonly code: string
  readonly message: string
}

/** `INVALID_ARGUMENT` with every issue found, not just the first. */
export class ValidationError extends PlatformError {
  readonly issues: readonly ValidationIssue[]
  constructor(
    message: string,
    issues: readonly ValidationIssue[] = [],
    details: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super('INVALID_ARGUMENT', message, { ...details, issues }, options)
    this.name = 'ValidationError'
    this.issues = issues
  }
}

/** `NOT_FOUND`: the thing asked for does not exist (or is not visible to the caller). */
export class NotFoundError extends PlatformError {
  constructor(
    message: string,
    details: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super('NOT_FOUND', message, details, options)
    this.name = 'NotFoundError'
  }
}

/** `FAILED_PRECONDITION`: a model was used before `fit`. */
export class NotFittedError extends PlatformError {
  constructor(
    message: string,
    details: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super('FAILED_PRECONDITION', message, details, options)
    this.name = 'NotFittedError'
  }
}

/** `CANCELLED`: an `AbortSignal` fired. */
export class CancelledError extends PlatformError {
  constructor(
    message = 'the operation was cancelled',
    details: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super('CANCELLED', message, details, options)
    this.name = 'CancelledError'
  }
}

/** True for any `PlatformError` (including subclasses). */
export function isPlatformError(err: unknown): err is PlatformError {
  return err instanceof PlatformError
}

/**
 * Turns anything thrown into a `PlatformError`; unknown errors become `INTERNAL` with the
 * original kept as `cause` (and out of the message, which may reach a client).
 */
export function toPlatformError(err: unknown): PlatformError {
  if (err instanceof PlatformError) return err
  return new PlatformError('INTERNAL', 'internal error', {}, { cause: err })
}

/** The shape of a schema-library issue (zod's, structurally), so core needs no zod import. */
export interface SchemaIssueLike {
  readonly path: readonly PropertyKey[]
  readonly code: string
  readonly message: string
}

/**
 * Builds a `ValidationError` from schema issues, every issue kept, paths optionally prefixed
 * (`['metadata', 'url']` for a config built from that field).
 *
 * @example
 * ```ts
 * const r = schema.safeParse(input)
 * if (!r.success) throw validationErrorFromIssues('invalid config', r.error.issues)
 * ```
 */
export function validationErrorFromIssues(
  message: string,
  issues: readonly SchemaIssueLike[],
  prefix: readonly (string | number)[] = [],
  options?: ErrorOptions,
): ValidationError {
  return new ValidationError(
    message,
    issues.map((i) => ({
      path: [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
      code: i.code,
      message: i.message,
    })),
    {},
    options,
  )
}
