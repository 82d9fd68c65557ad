import type { Readable } from 'node:stream'

import { createHttpTransport } from '../../http-transport.js'

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
  const transport = createHttpTransport(options)
  // JSON calls get the deadline; artifact transfers do not (a large file may take longer, and a
  // deadline would also cut the body of a download while it streams).
  const request = (method: string, path: string, init: RequestInit, deadline = true) =>
    transport.request(method, `/api/2.0/${path}`, init, { deadline })

  return {
    url: transport.url,
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
