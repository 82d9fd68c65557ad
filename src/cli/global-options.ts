import { Option, type Command } from 'commander'

import { createContext, toWorkspaceId, type RequestContext } from '../core/index.js'
import type { PlinthConfig } from '../platform/index.js'
import type { Output } from './output.js'
import type { CliPlatform, CliRuntime } from './runtime.js'

/** Options every command accepts (shown in each command's `--help`). */
export interface GlobalOptions {
  readonly config?: string
  readonly dataDir?: string
  readonly metadataUrl?: string
  readonly artifactsUrl?: string
  readonly logLevel?: string
  readonly workspace?: string
  readonly json?: boolean
}

/** Adds the global options to the root command. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--config <file>', 'configuration file (default: ./plinth.config.json if present)')
    .option('--data-dir <dir>', 'where local state lives (default: .plinth)')
    .option('--metadata-url <url>', 'metadata database: sqlite:<path> or postgres://…')
    .option('--artifacts-url <url>', 'artifact store: file:<dir>')
    .addOption(
      new Option('--log-level <level>', 'log level (logs go to stderr)').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    )
    .option('-w, --workspace <id>', 'workspace to act in (default: default)')
    .option('--json', 'print machine-readable JSON on stdout')
}

/** The global options as seen from a (sub)command. */
export function globalsOf(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>()
}

/** Config flags of the global options, keyed by config path. */
export function configFlags(
  g: GlobalOptions,
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  return {
    dataDir: g.dataDir,
    'metadata.url': g.metadataUrl,
    'artifacts.url': g.artifactsUrl,
    'log.level': g.logLevel,
    ...extra,
  }
}

/** Output settings for a command. */
export function outputOf(runtime: CliRuntime, g: GlobalOptions): Output {
  return { out: runtime.stdout, err: runtime.stderr, json: g.json === true }
}

/** The request context of a command (workspace from `--workspace`). */
export function contextOf(g: GlobalOptions): RequestContext {
  return createContext(
    g.workspace === undefined ? {} : { workspace: toWorkspaceId(g.workspace, 'workspace') },
  )
}

/** Loads config, opens the platform, runs `fn`, and always closes the platform. */
export async function withPlatform<T>(
  runtime: CliRuntime,
  g: GlobalOptions,
  fn: (platform: CliPlatform, config: PlinthConfig) => Promise<T>,
  extraFlags: Readonly<Record<string, unknown>> = {},
): Promise<T> {
  const config = runtime.loadConfig({
    ...(g.config === undefined ? {} : { configFile: g.config }),
    flags: configFlags(g, extraFlags),
    // One-shot commands log warnings only unless configured otherwise; servers log at info.
    defaults: { 'log.level': 'warn' },
  })
  const platform = await runtime.openPlatform(config)
  try {
    return await fn(platform, config)
  } finally {
    await platform.close()
  }
}
