import type { FastifyInstance } from 'fastify'

import { PlatformError } from '../core/index.js'

/** A listening server. */
export interface RunningServer {
  /** `http://host:port`, with the real port when 0 was asked for. */
  readonly url: string
  readonly port: number
  /**
   * Graceful stop: refuse new connections (503 to new requests on kept-alive sockets), let
   * in-flight requests finish, then close. After `timeoutMs` the remaining connections are cut.
   */
  close(): Promise<void>
}

/**
 * Starts listening.
 *
 * @example
 * ```ts
 * const server = await startHttpServer(app, { host: '127.0.0.1', port: 0, shutdownTimeoutMs: 10_000 })
 * await fetch(`${server.url}/healthz`)
 * await server.close()
 * ```
 */
export async function startHttpServer(
  app: FastifyInstance,
  options: { readonly host: string; readonly port: number; readonly shutdownTimeoutMs: number },
): Promise<RunningServer> {
  try {
    await app.listen({ host: options.host, port: options.port, listenTextResolver: () => '' })
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new PlatformError(
        'UNAVAILABLE',
        code === 'EADDRINUSE'
          ? `port ${String(options.port)} on ${options.host} is already in use; choose another with --port or PLINTH_SERVER_PORT`
          : `cannot listen on ${options.host}:${String(options.port)} (${code})`,
        { host: options.host, port: options.port, reason: code },
        { cause: err },
      )
    }
    throw err
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host
  let closing: Promise<void> | undefined
  return {
    url: `http://${shownHost}:${String(port)}`,
    port,
    close() {
      closing ??= (async () => {
        const timer = setTimeout(() => {
          app.server.closeAllConnections()
        }, options.shutdownTimeoutMs)
        try {
          await app.close()
        } finally {
          clearTimeout(timer)
        }
      })()
      return closing
    },
  }
}
