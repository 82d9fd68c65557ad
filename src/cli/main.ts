import { Command, CommanderError } from 'commander'

import { toPlatformError, type PlatformError } from '../core/index.js'
import { registerArtifactsCommand } from './commands/artifacts.js'
import { registerDatasetValidationCommands } from './commands/datasets-validation.js'
import { registerDatasetsCommand } from './commands/datasets.js'
import { registerDoctorCommand } from './commands/doctor.js'
import { registerModelsCommand } from './commands/models.js'
import { registerServerCommand, registerStartCommand } from './commands/server.js'
import { registerExperimentsCommand, registerRunsCommand } from './commands/tracking.js'
import { registerVersionCommand } from './commands/version.js'
import { registerWorkspacesCommand } from './commands/workspaces.js'
import { EXIT_CODE_BY_ERROR } from './exit-codes.js'
import { addGlobalOptions } from './global-options.js'
import type { CliRuntime } from './runtime.js'

/** Builds the `plinth` command tree. */
export function createProgram(runtime: CliRuntime): Command {
  const program = addGlobalOptions(
    new Command('plinth')
      .description('Plinth: a self-hosted machine-learning platform.')
      .version(runtime.version, '-V, --version', 'print the version')
      .showHelpAfterError('(run with --help for usage)')
      .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
      .configureOutput({
        writeOut: (s) => runtime.stdout.write(s),
        writeErr: (s) => runtime.stderr.write(s),
      })
      .exitOverride(),
  )
  registerStartCommand(program, runtime)
  registerServerCommand(program, runtime)
  registerDoctorCommand(program, runtime)
  registerVersionCommand(program, runtime)
  registerWorkspacesCommand(program, runtime)
  registerDatasetValidationCommands(
    registerDatasetsCommand(program, runtime),
    runtime,
    (p) => p.services.datasetValidation,
  )
  registerArtifactsCommand(program, runtime)
  registerExperimentsCommand(program, runtime)
  registerRunsCommand(program, runtime)
  registerModelsCommand(program, runtime)
  // Every subcommand reports usage errors through the same path (exit code 2).
  const propagate = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      sub.exitOverride().configureOutput({
        writeOut: (s) => runtime.stdout.write(s),
        writeErr: (s) => runtime.stderr.write(s),
      })
      sub.showHelpAfterError('(run with --help for usage)')
      propagate(sub)
    }
  }
  propagate(program)
  return program
}

function reportError(runtime: CliRuntime, err: PlatformError, json: boolean): void {
  if (err.details['silent'] === true) return
  if (json) {
    runtime.stdout.write(`${JSON.stringify({ error: err.toJSON() }, null, 2)}\n`)
    return
  }
  const lines = [`error: ${err.message}`]
  const issues = err.details['issues']
  if (Array.isArray(issues) && issues.length > 0) {
    for (const issue of issues as { path?: unknown[]; message?: string }[]) {
      lines.push(`  - ${(issue.path ?? []).join('.') || '(input)'}: ${issue.message ?? ''}`)
    }
  }
  if (err.code === 'INTERNAL' && err.cause instanceof Error)
    lines.push(`  cause: ${err.cause.message}`)
  runtime.stderr.write(`${lines.join('\n')}\n`)
}

function isBrokenPipe(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ((e as { code?: unknown }).code === 'EPIPE') return true
  }
  return false
}

/**
 * Runs the CLI and returns the process exit code (it never calls `process.exit`).
 *
 * @param argv the user's arguments, without `node` and the script path
 */
export async function runCli(argv: readonly string[], runtime: CliRuntime): Promise<number> {
  const program = createProgram(runtime)
  const json = argv.includes('--json')
  try {
    if (argv.length === 0) {
      program.outputHelp()
      return 0
    }
    await program.parseAsync([...argv], { from: 'user' })
    return 0
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version "errors" are successes; anything else is a usage error.
      return err.exitCode === 0 ? 0 : EXIT_CODE_BY_ERROR.INVALID_ARGUMENT
    }
    // The reader went away (`plinth datasets export x | head`): not an error, just stop.
    if (isBrokenPipe(err)) return 0
    const e = toPlatformError(err)
    reportError(runtime, e, json)
    return EXIT_CODE_BY_ERROR[e.code]
  }
}
