/**
 * @module cli
 * The `plinth` command line: thin commands that parse, call a service and print (tables for
 * people, `--json` for machines), with exit codes derived from error codes.
 */
export { EXIT_CODE_BY_ERROR } from './exit-codes.js'
export { createProgram, runCli } from './main.js'
export type { CliPlatform, CliRuntime } from './runtime.js'
