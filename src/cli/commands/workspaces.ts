import type { Command } from 'commander'

import type { Workspace } from '../../workspaces/index.js'
import { contextOf, globalsOf, outputOf, withPlatform } from '../global-options.js'
import { formatTime, printJson, println, renderTable } from '../output.js'
import type { CliRuntime } from '../runtime.js'

const columns = [
  { header: 'id', value: (w: Workspace) => w.id },
  { header: 'name', value: (w: Workspace) => w.displayName },
  { header: 'created (UTC)', value: (w: Workspace) => formatTime(w.createdAt) },
  { header: 'by', value: (w: Workspace) => w.createdBy },
  { header: 'description', value: (w: Workspace) => w.description },
]

/** `plinth workspaces list | show | create`. */
export function registerWorkspacesCommand(program: Command, runtime: CliRuntime): void {
  const ws = program.command('workspaces').description('Manage workspaces (tenants).')

  ws.command('list')
    .description('List workspaces.')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globalsOf(cmd)
      const output = outputOf(runtime, g)
      await withPlatform(runtime, g, async (p) => {
        const items = await p.services.workspaces.listWorkspaces(contextOf(g))
        if (output.json) printJson(output, { workspaces: items })
        else println(output, renderTable(columns, items))
      })
    })

  ws.command('show')
    .description('Show one workspace.')
    .argument('<id>', 'workspace id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const g = globalsOf(cmd)
      const output = outputOf(runtime, g)
      await withPlatform(runtime, g, async (p) => {
        const w = await p.services.workspaces.getWorkspace(contextOf(g), id)
        if (output.json) printJson(output, w)
        else println(output, renderTable(columns, [w]))
      })
    })

  ws.command('create')
    .description('Create a workspace.')
    .argument('<id>', 'slug: lowercase letters, digits and dashes')
    .option('--display-name <name>', 'human-friendly name')
    .option('--description <text>', 'what it is for')
    .action(
      async (id: string, opts: { displayName?: string; description?: string }, cmd: Command) => {
        const g = globalsOf(cmd)
        const output = outputOf(runtime, g)
        await withPlatform(runtime, g, async (p) => {
          const w = await p.services.workspaces.createWorkspace(contextOf(g), {
            id,
            ...(opts.displayName === undefined ? {} : { displayName: opts.displayName }),
            ...(opts.description === undefined ? {} : { description: opts.description }),
          })
          if (output.json) printJson(output, w)
          else println(output, `Created workspace ${w.id}.`)
        })
      },
    )
}
