#!/usr/bin/env node
/**
 * The `plinth` executable: wires the real platform into the CLI and turns its result into the
 * process exit code.
 */
import { runCli, type CliRuntime } from '../cli/index.js'
import { createPlatform, loadConfig, readVersion, servePlatform } from '../platform/index.js'

function waitForShutdown(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string): void => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      // A second signal while shutting down stops at once.
      const force = (): void => process.exit(130)
      process.once('SIGINT', force)
      process.once('SIGTERM', force)
      resolve(signal)
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
}

const runtime: CliRuntime = {
  stdout: process.stdout,
  stderr: process.stderr,
  version: readVersion(),
  loadConfig: (o) => loadConfig(o),
  openPlatform: async (config) => {
    const platform = await createPlatform(config)
    return { ...platform, serve: (overrides) => servePlatform(platform, overrides) }
  },
  waitForShutdown,
}

process.exitCode = await runCli(process.argv.slice(2), runtime)
