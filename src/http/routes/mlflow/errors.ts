import type { FastifyError } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'

import {
  PlatformError,
  toPlatformError,
  type ErrorBody,
  type ErrorCode,
} from '../../../core/index.js'

/**
 * MLflow's `error_code` values (databricks.proto `ErrorCode`) that Plinth produces, with the
 * HTTP status MLflow's `ERROR_CODE_TO_HTTP_STATUS` gives each (mlflow/exceptions.py).
 */
export const MLFLOW_HTTP_STATUS = Object.freeze({
  INTERNAL_ERROR: 500,
  INVALID_STATE: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  REQUEST_LIMIT_EXCEEDED: 429,
  CANCELLED: 499,
  RESOURCE_CONFLICT: 409,
  ENDPOINT_NOT_FOUND: 404,
  RESOURCE_DOES_NOT_EXIST: 404,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_PARAMETER_VALUE: 400,
} as const)

/** One of the MLflow error codes above. */
export type MlflowErrorCode = keyof typeof MLFLOW_HTTP_STATUS

/**
 * The body of an MLflow error response. `plinth_error` carries Plinth's own error (code,
 * message, details such as validation issues) so Plinth's SDK can rebuild it exactly; MLflow
 * clients read only `error_code` and `message` and ignore it.
 */
export interface MlflowErrorBody {
  readonly error_code: MlflowErrorCode
  readonly message: string
  readonly plinth_error?: ErrorBody
}

/**
 * Plinth's code → MLflow's. Only the MLflow routes use this table; the rest of the API keeps
 * Plinth's error body. A changed parameter value is `CONFLICT` to Plinth and
 * `INVALID_PARAMETER_VALUE` to MLflow (its LogParam contract), and a precondition such as "the
 * run is deleted" is also `INVALID_PARAMETER_VALUE` there (MLflow's `_check_run_is_active`).
 */
const MLFLOW_CODE_BY_CODE = Object.freeze({
  INVALID_ARGUMENT: 'INVALID_PARAMETER_VALUE',
  NOT_FOUND: 'RESOURCE_DOES_NOT_EXIST',
  ALREADY_EXISTS: 'RESOURCE_ALREADY_EXISTS',
  FAILED_PRECONDITION: 'INVALID_PARAMETER_VALUE',
  CONFLICT: 'INVALID_PARAMETER_VALUE',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  CANCELLED: 'CANCELLED',
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  UNAVAILABLE: 'TEMPORARILY_UNAVAILABLE',
  NOT_IMPLEMENTED: 'NOT_IMPLEMENTED',
  INTERNAL: 'INTERNAL_ERROR',
} as const satisfies Record<ErrorCode, MlflowErrorCode>)

/** An error raised by the MLflow layer itself, with MLflow's code. */
export class MlflowError extends Error {
  constructor(
    readonly errorCode: MlflowErrorCode,
    message: string,
    readonly status: number = MLFLOW_HTTP_STATUS[errorCode],
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'MlflowError'
  }
}

/** `INVALID_PARAMETER_VALUE` (400) with a message naming the field. */
export function invalidParameter(message: string): MlflowError {
  return new MlflowError('INVALID_PARAMETER_VALUE', message)
}

function issuesMessage(err: FastifyError): string {
  const where = err.validationContext ?? 'request'
  const parts = (err.validation ?? []).map((v) => {
    const field = v.instancePath.split('/').filter((s) => s.length > 0)
    const name = field.length > 0 ? field.join('.') : where
    return `'${name}': ${v.message ?? 'invalid value'}`
  })
  return `Invalid value for ${parts.join('; ')}`
}

/**
 * Maps anything thrown by an MLflow route to MLflow's status and body. Server faults keep their
 * message out of the reply (it may hold internals); everything else says what was wrong.
 */
export function toMlflowError(err: unknown): { status: number; body: MlflowErrorBody } {
  if (err instanceof MlflowError) {
    return { status: err.status, body: { error_code: err.errorCode, message: err.message } }
  }
  if (err instanceof PlatformError) {
    const code = MLFLOW_CODE_BY_CODE[err.code]
    // A size limit is INVALID_PARAMETER_VALUE to MLflow clients, 413 on the wire.
    const status =
      err.code === 'INVALID_ARGUMENT' && typeof err.details['maxBytes'] === 'number'
        ? 413
        : MLFLOW_HTTP_STATUS[code]
    return { status, body: { error_code: code, message: err.message, plinth_error: err.toJSON() } }
  }
  const fe = err as Partial<FastifyError>
  if (hasZodFastifySchemaValidationErrors(err) || fe.validation !== undefined) {
    return {
      status: 400,
      body: {
        error_code: 'INVALID_PARAMETER_VALUE',
        message: issuesMessage(err as FastifyError),
      },
    }
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code: MlflowErrorCode =
      fe.statusCode === 404
        ? 'ENDPOINT_NOT_FOUND'
        : fe.statusCode === 413
          ? 'INVALID_PARAMETER_VALUE'
          : 'BAD_REQUEST'
    return {
      status: fe.statusCode,
      body: { error_code: code, message: fe.message ?? 'bad request' },
    }
  }
  const internal = toPlatformError(err)
  return { status: 500, body: { error_code: 'INTERNAL_ERROR', message: internal.message } }
}
