import { buildHttpApp, startHttpServer, type RunningServer } from '../http/index.js'
import type { Platform } from './create-platform.js'

/**
 * Builds the HTTP app over a platform and starts listening with the configured limits.
 * `port` overrides the config (0 picks a free port).
 */
export async function servePlatform(
  platform: Platform,
  overrides: { readonly port?: number; readonly host?: string } = {},
): Promise<RunningServer> {
  const s = platform.config.server
  const host = overrides.host ?? s.host
  const app = await buildHttpApp(
    {
      services: platform.services,
      readiness: () => platform.readiness(),
      logger: platform.logger,
      version: platform.version,
    },
    { ...s, host },
  )
  return startHttpServer(app, {
    host,
    port: overrides.port ?? s.port,
    shutdownTimeoutMs: s.shutdownTimeoutMs,
  })
}
