import type { Command } from 'commander'

import { ValidationError } from '../../core/index.js'
import { globalsOf, outputOf, withPlatform } from '../global-options.js'
import { println, type Output } from '../output.js'
import type { CliPlatform, CliRuntime } from '../runtime.js'
import { runQuickstart } from './quickstart.js'

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

interface Where {
  readonly dataDir: string
  readonly metadata: string
  readonly artifacts: string
}

/** Work done once the server listens (the quickstart's steps); returns what `--json` reports. */
type Steps = (platform: CliPlatform, output: Output) => Promise<Record<string, unknown>>

/**
 * Runs the API server until SIGINT/SIGTERM. It listens first (so `/healthz` answers within
 * seconds), prints `banner`, then runs `after` while serving. With `--json` it prints one JSON
 * line when listening and, with `after`, a second one when those steps are done.
 */
async function runServer(
  runtime: CliRuntime,
  cmd: Command,
  banner: (url: string, where: Where) => string[],
  after?: Steps,
): Promise<void> {
  const g = globalsOf(cmd)
  const flags = cmd.opts<ServerFlags>()
  const output = outputOf(runtime, g)
  await withPlatform(runtime, g, async (platform, config) => {
    const server = await platform.serve({
      ...(flags.host === undefined ? {} : { host: flags.host }),
      ...(flags.port === undefined ? {} : { port: flags.port }),
    })
    // Listen for SIGINT/SIGTERM from now on, so a stop during the steps is graceful too.
    const shutdown = runtime.waitForShutdown()
    try {
      const where: Where = {
        dataDir: config.dataDir,
        metadata: platform.metadata.describe(),
        artifacts: platform.artifacts.describe(),
      }
      if (output.json) {
        println(
          output,
          JSON.stringify({
            event: 'listening',
            url: server.url,
            version: platform.version,
            ...where,
          }),
        )
      } else for (const line of banner(server.url, where)) println(output, line)
      let signal: string | undefined
      if (after !== undefined) {
        const steps = after(platform, output)
        // Stopped mid-way: the steps' later failure (stores closing under them) is moot.
        steps.catch(() => undefined)
        const first = await Promise.race([
          steps.then((value) => ({ value })),
          shutdown.then((sig) => ({ sig })),
        ])
        if ('sig' in first) signal = first.sig
        else if (output.json) println(output, JSON.stringify({ event: 'ready', ...first.value }))
      }
      if (signal === undefined) {
        if (!output.json) println(output, 'Press Ctrl+C to stop.')
        signal = await shutdown
      }
      if (!output.json) println(output, `Received ${signal}; finishing in-flight requests…`)
    } finally {
      await server.close()
    }
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
    await runServer(runtime, cmd, (url) => [`Plinth API listening on ${url}`])
  })
}

/** `plinth start`: the main job (`npm start`). */
export function registerStartCommand(program: Command, runtime: CliRuntime): void {
  withServerFlags(
    program
      .command('start')
      .description(
        'The quickstart: ingest, profile, validate and split an example dataset; train a baseline, a logistic model and boosted trees with tracking; register the best as @champion; then serve the API.',
      ),
  ).action(async (_opts: unknown, cmd: Command) => {
    await runServer(
      runtime,
      cmd,
      (url, where) => [
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
        'Try:  npx plinth doctor    npx plinth runs search --experiment hmda-deny    npx plinth --help',
        '',
        'Running the quickstart while the API serves…',
        '',
      ],
      async (platform, output) => ({ quickstart: await runQuickstart(platform, output) }),
    )
  })
}
