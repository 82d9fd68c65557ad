import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { silentLogger } from '../../src/core/index.js'
import { buildHttpApp } from '../../src/http/index.js'
import { createPlatform, loadConfig, type Platform } from '../../src/platform/index.js'

/** A platform on a fresh temp directory (SQLite + local artifacts), for integration tests. */
export async function createTestPlatform(
  options: { flags?: Record<string, unknown>; env?: Record<string, string> } = {},
): Promise<{ platform: Platform; dir: string; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'plinth-it-'))
  const config = loadConfig({ cwd: dir, env: options.env ?? {}, flags: options.flags ?? {} })
  const platform = await createPlatform(config, { logger: silentLogger, cwd: dir })
  return {
    platform,
    dir,
    cleanup: async () => {
      await platform.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The HTTP app over `platform`, as `plinth start` builds it. */
export function buildTestApp(platform: Platform): ReturnType<typeof buildHttpApp> {
  return buildHttpApp(
    {
      services: platform.services,
      readiness: () => platform.readiness(),
      logger: platform.logger,
      version: platform.version,
    },
    platform.config.server,
  )
}
