import { fileURLToPath } from 'node:url'

import type { Command } from 'commander'

import { ValidationError, createContext } from '../../core/index.js'
import { parseSource } from '../../datasets/index.js'
import { globalsOf, outputOf, withPlatform } from '../global-options.js'
import { printJson, println, type Output } from '../output.js'
import type { CliPlatform, CliRuntime } from '../runtime.js'

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

/** Work done before the server starts (the quickstart's steps); returns what `--json` reports. */
type Steps = (platform: CliPlatform, output: Output) => Promise<Record<string, unknown>>

/** Runs the API server until SIGINT/SIGTERM; `banner` decides what is printed once listening. */
async function runServer(
  runtime: CliRuntime,
  cmd: Command,
  banner: (url: string, where: Where) => string[],
  before?: Steps,
): Promise<void> {
  const g = globalsOf(cmd)
  const flags = cmd.opts<ServerFlags>()
  const output = outputOf(runtime, g)
  await withPlatform(runtime, g, async (platform, config) => {
    const steps = before === undefined ? {} : await before(platform, output)
    const server = await platform.serve({
      ...(flags.host === undefined ? {} : { host: flags.host }),
      ...(flags.port === undefined ? {} : { port: flags.port }),
    })
    const where: Where = {
      dataDir: config.dataDir,
      metadata: platform.metadata.describe(),
      artifacts: platform.artifacts.describe(),
    }
    if (output.json) {
      printJson(output, { url: server.url, version: platform.version, ...where, ...steps })
    } else for (const line of banner(server.url, where)) println(output, line)
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
    await runServer(runtime, cmd, (url) => [`Plinth API listening on ${url}`])
  })
}

/** The dataset the quickstart ingests: shipped in the package, so `npm start` needs nothing else. */
const QUICKSTART_DATASET = fileURLToPath(
  new URL('../../../examples/datasets/aer_hmda.csv', import.meta.url),
)

/**
 * The quickstart's data step: ingest and profile a real dataset (a no-op the second time, since
 * identical content is the same version) and summarise what the profile found.
 */
async function quickstartData(
  platform: CliPlatform,
  output: Output,
): Promise<Record<string, unknown>> {
  const ctx = createContext()
  const started = performance.now()
  const r = await platform.services.datasets.ingestDataset(
    ctx,
    parseSource(QUICKSTART_DATASET, { cwd: process.cwd() }),
    {
      name: 'hmda',
      target: 'deny',
      description: 'Boston HMDA mortgage applications (Munnell et al. 1996): was the loan denied?',
    },
  )
  const ms = Math.round(performance.now() - started)
  const v = r.version
  const ref = `hmda@${String(v.version)}`
  const profile = await platform.services.datasets.getProfile(ctx, ref)
  const top = [...(profile.target?.associations ?? [])]
    .sort((a, b) => Math.abs(b.value ?? 0) - Math.abs(a.value ?? 0))
    .slice(0, 3)
  if (!output.json) {
    const rows = v.rowCount.toLocaleString('en-US')
    const what = r.created ? `ingested and profiled in ${String(ms)} ms` : 'already ingested'
    println(output, `Data     ${ref}: ${rows} rows × ${String(v.columns.length)} columns, ${what}`)
    const links = top.map(
      (a) => `${a.column} (${a.measure.replace('_', ' ')} ${(a.value ?? 0).toFixed(2)})`,
    )
    println(output, `         strongest links to 'deny': ${links.join(', ')}`)
    println(output, '         the whole profile: npx plinth datasets profile hmda')
    println(output)
  }
  return { dataset: ref, rows: v.rowCount, created: r.created }
}

/** `plinth start`: the main job (`npm start`). */
export function registerStartCommand(program: Command, runtime: CliRuntime): void {
  withServerFlags(
    program
      .command('start')
      .description('The quickstart: ingest and profile an example dataset, then serve the API.'),
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
        'Try:  npx plinth doctor    npx plinth datasets list    npx plinth --help',
        'Press Ctrl+C to stop.',
      ],
      quickstartData,
    )
  })
}
