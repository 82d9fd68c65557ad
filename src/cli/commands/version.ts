import type { Command } from 'commander'

import { globalsOf, outputOf } from '../global-options.js'
import { printJson, println } from '../output.js'
import type { CliRuntime } from '../runtime.js'

/** `plinth version`. */
export function registerVersionCommand(program: Command, runtime: CliRuntime): void {
  program
    .command('version')
    .description('Print the Plinth and Node.js versions.')
    .action((_opts: unknown, cmd: Command) => {
      const output = outputOf(runtime, globalsOf(cmd))
      const info = { name: 'plinth', version: runtime.version, node: process.version }
      if (output.json) printJson(output, info)
      else println(output, `plinth ${info.version} (node ${info.node})`)
    })
}
