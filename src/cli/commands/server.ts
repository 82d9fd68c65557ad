import type { Command } from 'commander'

import { ValidationError } from '../../core/index.js'
import { globalsOf, outputOf, withPlatform } from '../global-options.js'
import { printJson, println } from '../output.js'
import type { CliRuntime } from '../runtime.js'

function parsePort(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n > 65_535) {
    throw new ValidationError('invalid --port', [
      { path: ['port'], code: 'invalid_type', message: 'expected 0–65535' },
    ])
  }
  return n
}

interface ServerFlags {
  readonly host?: string
  readonly port?: number
}

/** Runs the API server until SIGINT/SIGTERM; `banner` decides what is printed once listening. */
async function runServer(
  runtime: CliRuntime,
  cmd: Command,
  banner: (url: string, p: { dataDir: string; metadata: string; artifacts: string }) => string[],
): Promise<void> {
  const g = globalsOf(cmd)
  const flags = cmd.opts<ServerFlags>()
  const output = outputOf(runtime, g)
  await withPlatform(runtime, g, async (platform, config) => {
    const server = await platform.serve({
      ...(flags.host === undefined ? {} : { host: flags.host }),
      ...(flags.port === undefined ? {} : { port: flags.port }),
    })
    const where = {
      dataDir: config.dataDir,
      metadata: platform.metadata.describe(),
      artifacts: platform.artifacts.describe(),
    }
    if (output.json) printJson(output, { url: server.url, version: platform.version, ...where })
    else for (const line of banner(server.url, where)) println(output, line)
    const signal = await runtime.waitForShutdown()
    if (!output.json) println(output, `Received ${signal}; finishing in-flight requests…`)
    await server.close()
  })
}

function withServerFlags(cmd: Command): Command {
  return cmd
    .option('--host <host>', 'address to listen on (default: 127.0.0.1)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (default: 7700)', parsePort)
}

/** `plinth server`: the HTTP API. */
export function registerServerCommand(program: Command, runtime: CliRuntime): void {
  withServerFlags(
    program
      .command('server')
      .description('Run the Plinth API server (Ctrl+C stops it gracefully).'),
  ).action(async (_opts: unknown, cmd: Command) => {
    // A server logs its requests' problems at info level by default.
    await runServer(runtime, cmd, (url) => [`Plinth API listening on ${url}`])
  })
}

/** `plinth start`: the main job (`npm start`). */
export function registerStartCommand(program: Command, runtime: CliRuntime): void {
  withServerFlags(
    program
      .command('start')
      .description('Start Plinth on embedded defaults and show where everything is.'),
  ).action(async (_opts: unknown, cmd: Command) => {
    await runServer(runtime, cmd, (url, where) => [
      `Plinth ${runtime.version} is running.`,
      '',
      `  API          ${url}/api/v1`,
      `  OpenAPI      ${url}/openapi.json`,
      `  Health       ${url}/healthz   ${url}/readyz`,
      `  Metrics      ${url}/metrics`,
      `  Data         ${where.dataDir}`,
      `  Metadata     ${where.metadata}`,
      `  Artifacts    ${where.artifacts}`,
      '',
      'Try:  npx plinth doctor    npx plinth artifacts put README.md',
      'Press Ctrl+C to stop.',
    ])
  })
}
