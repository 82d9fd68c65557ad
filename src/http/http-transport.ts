import {
  CancelledError,
  NotFoundError,
  PlatformError,
  ValidationError,
  type ErrorBody,
  type ErrorCode,
} from '../core/index.js'
import type { MlflowErrorCode } from './routes/mlflow/errors.js'
import { WORKSPACE_HEADER } from './schemas.js'

/** Options of `createHttpTransport`. */
export interface HttpTransportOptions {
  /** The server's base URL (`http://127.0.0.1:7700`). */
  readonly url: string
  /** Sent as `x-plinth-workspace`. @default the server's default workspace */
  readonly workspace?: string
  /** Extra headers on every request (e.g. `authorization`). */
  readonly headers?: Readonly<Record<string, string>>
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch
  /** Deadline of each request that has one, in ms. @default 30000 */
  readonly timeoutMs?: number
}

/**
 * The one way Plinth's clients talk to a Plinth server: base URL, workspace and extra headers,
 * a per-request deadline, and error responses rebuilt as `PlatformError`s. The MLflow-compatible
 * client (`/api/2.0`) and the SDK's clients of `/api/v1` are both built on it.
 *
 * @internal
 */
export interface HttpTransport {
  /** The base URL, without a trailing slash. */
  readonly url: string
  /**
   * Sends `method <url><path>` (`path` starts with `/` and is already encoded) and resolves with
   * a 2xx response. Rejects with the server's error rebuilt as a `PlatformError`, or
   * `UNAVAILABLE` when the server cannot be reached. `deadline: false` is for transfers whose
   * body streams (a deadline would cut a large download while it streams).
   */
  request(
    method: string,
    path: string,
    init?: RequestInit,
    options?: { readonly deadline?: boolean },
  ): Promise<Response>
}

const CODE_BY_MLFLOW_CODE: Readonly<Partial<Record<MlflowErrorCode, ErrorCode>>> = Object.freeze({
  INVALID_PARAMETER_VALUE: 'INVALID_ARGUMENT',
  BAD_REQUEST: 'INVALID_ARGUMENT',
  RESOURCE_DOES_NOT_EXIST: 'NOT_FOUND',
  RESOURCE_ALREADY_EXISTS: 'ALREADY_EXISTS',
  RESOURCE_CONFLICT: 'CONFLICT',
  INVALID_STATE: 'FAILED_PRECONDITION',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  CANCELLED: 'CANCELLED',
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  TEMPORARILY_UNAVAILABLE: 'UNAVAILABLE',
  REQUEST_LIMIT_EXCEEDED: 'UNAVAILABLE',
  NOT_IMPLEMENTED: 'NOT_IMPLEMENTED',
  ENDPOINT_NOT_FOUND: 'NOT_IMPLEMENTED',
  INTERNAL_ERROR: 'INTERNAL',
})

function fromErrorBody(e: Partial<ErrorBody>): PlatformError | undefined {
  if (typeof e.code !== 'string' || typeof e.message !== 'string') return undefined
  return PlatformError.fromJSON({ code: e.code, message: e.message, details: e.details ?? {} })
}

/**
 * Rebuilds a `PlatformError` from an error response: Plinth's own body (`{error}` on `/api/v1`,
 * `plinth_error` beside MLflow's fields on `/api/2.0`), else MLflow's `{error_code, message}`.
 */
function errorFromResponse(status: number, text: string, what: string): PlatformError {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  if (typeof body === 'object' && body !== null) {
    if (
      'plinth_error' in body &&
      typeof body.plinth_error === 'object' &&
      body.plinth_error !== null
    ) {
      const err = fromErrorBody(body.plinth_error)
      if (err !== undefined) return err
    }
    if ('error_code' in body && typeof body.error_code === 'string') {
      const message =
        'message' in body && typeof body.message === 'string' ? body.message : body.error_code
      const code = CODE_BY_MLFLOW_CODE[body.error_code as MlflowErrorCode] ?? 'INTERNAL'
      const details = { status, errorCode: body.error_code }
      if (code === 'NOT_FOUND') return new NotFoundError(message, details)
      if (code === 'INVALID_ARGUMENT') return new ValidationError(message, [], details)
      if (code === 'CANCELLED') return new CancelledError(message, details)
      return new PlatformError(code, message, details)
    }
    if ('error' in body && typeof body.error === 'object' && body.error !== null) {
      const err = fromErrorBody(body.error)
      if (err !== undefined) return err
    }
  }
  return new PlatformError(
    status >= 500 ? 'UNAVAILABLE' : 'INTERNAL',
    `${what} failed with HTTP ${String(status)}`,
    { status },
  )
}

/**
 * Creates the transport to a Plinth server.
 *
 * @internal
 */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const url = options.url.replace(/\/+$/, '')
  const doFetch = options.fetch ?? globalThis.fetch
  const timeoutMs = options.timeoutMs ?? 30_000
  const baseHeaders: Record<string, string> = {
    ...(options.workspace === undefined ? {} : { [WORKSPACE_HEADER]: options.workspace }),
    ...options.headers,
  }
  return {
    url,
    async request(method, path, init = {}, { deadline = true } = {}) {
      const what = `${method} ${path}`
      let res: Response
      try {
        res = await doFetch(`${url}${path}`, {
          ...init,
          method,
          headers: { ...baseHeaders, ...(init.headers as Record<string, string> | undefined) },
          ...(deadline ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
        })
      } catch (err) {
        throw new PlatformError(
          'UNAVAILABLE',
          `${what}: cannot reach ${url}`,
          { url },
          { cause: err },
        )
      }
      if (!res.ok) throw errorFromResponse(res.status, await res.text(), what)
      return res
    },
  }
}
