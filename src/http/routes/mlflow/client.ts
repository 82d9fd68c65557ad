import type { Readable } from 'node:stream'

import {
  CancelledError,
  NotFoundError,
  PlatformError,
  ValidationError,
  type ErrorBody,
  type ErrorCode,
} from '../../../core/index.js'
import { WORKSPACE_HEADER } from '../../schemas.js'
import type { MlflowErrorCode } from './errors.js'

/** Bytes an artifact upload accepts. */
export type MlflowUploadBody = Uint8Array | Readable | AsyncIterable<Uint8Array>

/** Options of `createMlflowClient`. */
export interface MlflowClientOptions {
  /** The server's base URL (`http://127.0.0.1:5000`), as `MLFLOW_TRACKING_URI` would be. */
  readonly url: string
  /** Sent as `x-plinth-workspace`. @default the server's default workspace */
  readonly workspace?: string
  /** Extra headers on every request (e.g. `authorization`). */
  readonly headers?: Readonly<Record<string, string>>
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch
  /** Deadline of each JSON request, in ms (artifact transfers have none). @default 30000 */
  readonly timeoutMs?: number
}

/**
 * A small client of Plinth's MLflow-compatible API (the same requests an MLflow client sends).
 * Every method rejects with a `PlatformError`: Plinth's own when the server sent it
 * (`plinth_error`), else rebuilt from MLflow's `{error_code, message}`:
 * `RESOURCE_DOES_NOT_EXIST` → `NotFoundError`, `INVALID_PARAMETER_VALUE` → `ValidationError`,
 * and so on; an unreachable server is `UNAVAILABLE`.
 */
export interface MlflowClient {
  /** The base URL, without a trailing slash. */
  readonly url: string
  /** `GET /api/2.0/<path>?<fields>` (lists become repeated keys). */
  get<T>(path: string, fields?: Readonly<Record<string, unknown>>): Promise<T>
  /** `POST`, `PATCH` or `DELETE /api/2.0/<path>` with a JSON body. */
  send<T>(
    method: 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body: Readonly<Record<string, unknown>>,
  ): Promise<T>
  /** `PUT /api/2.0/mlflow-artifacts/artifacts/<path>` with the raw bytes. */
  putArtifact(path: string, body: MlflowUploadBody, mediaType?: string): Promise<void>
  /** `GET /api/2.0/mlflow-artifacts/artifacts/<path>`: the bytes, streamed. */
  getArtifact(path: string): Promise<AsyncIterable<Uint8Array>>
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

/** Rebuilds a `PlatformError` from an error response (MLflow's body or Plinth's). */
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
      const e = body.plinth_error as Partial<ErrorBody>
      if (typeof e.code === 'string' && typeof e.message === 'string') {
        return PlatformError.fromJSON({
          code: e.code,
          message: e.message,
          details: e.details ?? {},
        })
      }
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
      const e = body.error as Partial<ErrorBody>
      if (typeof e.code === 'string' && typeof e.message === 'string') {
        return PlatformError.fromJSON({
          code: e.code,
          message: e.message,
          details: e.details ?? {},
        })
      }
    }
  }
  return new PlatformError(
    status >= 500 ? 'UNAVAILABLE' : 'INTERNAL',
    `${what} failed with HTTP ${String(status)}`,
    { status },
  )
}

function queryOf(fields: Readonly<Record<string, unknown>>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue
    for (const item of Array.isArray(v) ? (v as unknown[]) : [v]) q.append(k, String(item))
  }
  const s = q.toString()
  return s === '' ? '' : `?${s}`
}

/** Percent-encodes each segment of a relative path. */
function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}

/**
 * Creates a client of Plinth's MLflow-compatible API.
 *
 * @example
 * ```ts
 * const mlflow = createMlflowClient({ url: 'http://127.0.0.1:5000' })
 * const { experiment } = await mlflow.get<{ experiment: { name: string } }>(
 *   'mlflow/experiments/get', { experiment_id: '0' })
 * ```
 */
export function createMlflowClient(options: MlflowClientOptions): MlflowClient {
  const url = options.url.replace(/\/+$/, '')
  const doFetch = options.fetch ?? globalThis.fetch
  const timeoutMs = options.timeoutMs ?? 30_000
  const baseHeaders: Record<string, string> = {
    ...(options.workspace === undefined ? {} : { [WORKSPACE_HEADER]: options.workspace }),
    ...options.headers,
  }

  // JSON calls get the deadline; artifact transfers do not (a large file may take longer, and a
  // deadline would also cut the body of a download while it streams).
  async function request(
    method: string,
    path: string,
    init: RequestInit,
    deadline = true,
  ): Promise<Response> {
    const what = `${method} ${path}`
    let res: Response
    try {
      res = await doFetch(`${url}/api/2.0/${path}`, {
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
  }

  return {
    url,
    async get<T>(path: string, fields: Readonly<Record<string, unknown>> = {}) {
      const res = await request('GET', `${path}${queryOf(fields)}`, {})
      return (await res.json()) as T
    },
    async send<T>(
      method: 'POST' | 'PATCH' | 'DELETE',
      path: string,
      body: Readonly<Record<string, unknown>>,
    ) {
      const res = await request(method, path, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return (await res.json()) as T
    },
    async putArtifact(path, body, mediaType = 'application/octet-stream') {
      const res = await request(
        'PUT',
        `mlflow-artifacts/artifacts/${encodePath(path)}`,
        {
          headers: { 'content-type': mediaType },
          // Streams go out chunked as they are read ("half duplex": no response until the end).
          body: body as RequestInit['body'],
          ...(body instanceof Uint8Array ? {} : { duplex: 'half' }),
        } as RequestInit,
        false,
      )
      await res.arrayBuffer()
    },
    async getArtifact(path) {
      const res = await request('GET', `mlflow-artifacts/artifacts/${encodePath(path)}`, {}, false)
      const stream = res.body
      if (stream === null) return (async function* () {})()
      return stream
    },
  }
}
