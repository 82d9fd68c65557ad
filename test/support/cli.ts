import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'

import { runCli, type CliRuntime } from '../../src/cli/index.js'
import { silentLogger } from '../../src/core/index.js'
import { createPlatform, loadConfig, servePlatform } from '../../src/platform/index.js'

/** Runs the CLI in-process against a temp data dir and captures its output. */
export function createCliHarness(dir = mkdtempSync(path.join(tmpdir(), 'plinth-cli-'))) {
  return {
    dir,
    async run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      const stdout = new PassThrough()
      const stderr = new PassThrough()
      let out = ''
      let err = ''
      stdout.on('data', (d: Buffer) => (out += d.toString()))
      stderr.on('data', (d: Buffer) => (err += d.toString()))
      const runtime: CliRuntime = {
        stdout,
        stderr,
        version: '0.0.0-test',
        loadConfig: (o) => loadConfig({ ...o, cwd: dir, env: {} }),
        openPlatform: async (config) => {
          const platform = await createPlatform(config, { logger: silentLogger, cwd: dir })
          return { ...platform, serve: (overrides) => servePlatform(platform, overrides) }
        },
        waitForShutdown: () => Promise.resolve('SIGTERM'),
      }
      const code = await runCli(argv, runtime)
      return { code, stdout: out, stderr: err }
    },
  }
}
