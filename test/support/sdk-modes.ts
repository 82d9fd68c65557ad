import { startHttpServer } from '../../src/http/index.js'
import type { Platform } from '../../src/platform/index.js'
import { createPlinth, type Plinth } from '../../src/sdk/index.js'

import { buildTestApp, createTestPlatform } from './platform.js'

/** One way to reach a test platform through the SDK. */
export interface SdkMode {
  readonly name: 'embedded' | 'remote'
  setup(): Promise<{
    plinth: Plinth
    platform: Platform
    dir: string
    teardown: () => Promise<void>
  }>
}

const tracking = { captureEnvironment: false, flushOnExit: false } as const

/**
 * The SDK's two modes over a fresh test platform each: embedded (in this process) and remote
 * (over HTTP, against a server on 127.0.0.1:0 backed by the platform). A suite run over both
 * must read back the same things.
 */
export const SDK_MODES: readonly SdkMode[] = [
  {
    name: 'embedded',
    async setup() {
      const t = await createTestPlatform()
      const plinth = createPlinth({ platform: t.platform, tracking })
      return {
        plinth,
        platform: t.platform,
        dir: t.dir,
        teardown: async () => {
          await plinth.close()
          await t.cleanup()
        },
      }
    },
  },
  {
    name: 'remote',
    async setup() {
      const t = await createTestPlatform()
      const platform = t.platform
      const app = await buildTestApp(platform)
      const server = await startHttpServer(app, {
        host: '127.0.0.1',
        port: 0,
        shutdownTimeoutMs: 2000,
      })
      const plinth = createPlinth({ url: server.url, tracking })
      return {
        plinth,
        platform,
        dir: t.dir,
        teardown: async () => {
          await plinth.close()
          await server.close()
          await t.cleanup()
        },
      }
    },
  },
]
