import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** Options of the browser-facing defences. */
export interface SecurityOptions {
  /** The address the server binds; a specific address is an acceptable Host too. */
  readonly host: string
  /** Extra acceptable Host names (without port); `*` accepts any. */
  readonly allowedHosts: readonly string[]
  /** Origins allowed to send state-changing requests, besides same-origin. */
  readonly allowedOrigins: readonly string[]
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]', '::1']
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** `host[:port]` → host, keeping IPv6 brackets. */
function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase()
  if (h.startsWith('[')) {
    const end = h.indexOf(']')
    return end === -1 ? h : h.slice(0, end + 1)
  }
  const colon = h.lastIndexOf(':')
  return colon === -1 ? h : h.slice(0, colon)
}

function deny(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(403).send({ error: { code: 'PERMISSION_DENIED', message, details: {} } })
}

/**
 * Defences for a server that browsers can reach (MLflow CVE-2023-43472, PR #17910; Ray
 * CVE-2026-27482):
 * - a Host allowlist, so a DNS-rebinding page cannot talk to a loopback server;
 * - an Origin check on every state-changing method, DELETE included, so another site cannot
 *   drive the API from a visitor's browser;
 * - headers that stop responses being sniffed, framed or rendered as pages.
 * JSON-only content types (415 for `text/plain` simple requests) are enforced by the app's
 * parsers.
 */
export function registerSecurity(app: FastifyInstance, options: SecurityOptions): void {
  const anyHost = options.allowedHosts.includes('*')
  const hosts = new Set([
    ...LOOPBACK_HOSTS,
    ...options.allowedHosts.map((h) => h.toLowerCase()),
    ...(options.host === '0.0.0.0' || options.host === '::' ? [] : [options.host.toLowerCase()]),
  ])
  const origins = new Set(options.allowedOrigins.map((o) => o.toLowerCase().replace(/\/$/, '')))

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const host = req.headers.host
    if (!anyHost && (host === undefined || !hosts.has(hostName(host)))) {
      return deny(reply, 'host not allowed; add it to server.allowedHosts')
    }
    const origin = req.headers.origin
    if (origin !== undefined && UNSAFE_METHODS.has(req.method)) {
      const o = origin.toLowerCase()
      let sameOrigin = false
      try {
        sameOrigin = host !== undefined && new URL(o).host === host.toLowerCase()
      } catch {
        sameOrigin = false
      }
      if (!sameOrigin && !origins.has(o)) {
        return deny(
          reply,
          'cross-origin request not allowed; add the origin to server.allowedOrigins',
        )
      }
    }
    return undefined
  })

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff')
    reply.header('x-frame-options', 'DENY')
    reply.header('referrer-policy', 'no-referrer')
    if (!reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
    }
    return payload
  })
}
