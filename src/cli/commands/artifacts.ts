import { createReadStream } from 'node:fs'
import path from 'node:path'

import type { Command } from 'commander'

import type { Artifact } from '../../artifacts/index.js'
import { ValidationError } from '../../core/index.js'
import { contextOf, globalsOf, outputOf, withPlatform } from '../global-options.js'
import { formatBytes, formatTime, printJson, println, renderTable, writeBytes } from '../output.js'
import type { CliRuntime } from '../runtime.js'

const columns = [
  { header: 'id', value: (a: Artifact) => a.id },
  { header: 'name', value: (a: Artifact) => a.name },
  { header: 'size', value: (a: Artifact) => formatBytes(a.size), align: 'right' as const },
  { header: 'type', value: (a: Artifact) => a.mediaType },
  { header: 'created (UTC)', value: (a: Artifact) => formatTime(a.createdAt) },
  { header: 'digest', value: (a: Artifact) => `${a.digest.slice(0, 19)}…` },
]

function parseLimit(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1 || n > 1000) {
    throw new ValidationError('invalid --limit', [
      { path: ['limit'], code: 'too_big', message: 'expected 1–1000' },
    ])
  }
  return n
}

/** `plinth artifacts put | list | show | get | delete`. */
export function registerArtifactsCommand(program: Command, runtime: CliRuntime): void {
  const art = program
    .command('artifacts')
    .description('Store and fetch named files in a workspace.')

  art
    .command('put')
    .description('Upload a local file as an artifact.')
    .argument('<file>', 'file to upload')
    .option('--name <name>', 'display name (default: the file name)')
    .option('--media-type <type>', 'media type (default: application/octet-stream)')
    .action(async (file: string, opts: { name?: string; mediaType?: string }, cmd: Command) => {
      const g = globalsOf(cmd)
      const output = outputOf(runtime, g)
      await withPlatform(runtime, g, async (p) => {
        const a = await p.services.artifacts.putArtifact(contextOf(g), createReadStream(file), {
          name: opts.name ?? path.basename(file),
          ...(opts.mediaType === undefined ? {} : { mediaType: opts.mediaType }),
        })
        if (output.json) printJson(output, a)
        else
          println(
            output,
            `Stored ${a.name} (${formatBytes(a.size)}) as artifact ${a.id}\n  ${a.digest}`,
          )
      })
    })

  art
    .command('list')
    .description('List artifacts, newest first.')
    .option('--limit <n>', 'page size, 1–1000', parseLimit)
    .option('--page-token <token>', 'continue from a previous page')
    .action(async (opts: { limit?: number; pageToken?: string }, cmd: Command) => {
      const g = globalsOf(cmd)
      const output = outputOf(runtime, g)
      await withPlatform(runtime, g, async (p) => {
        const page = await p.services.artifacts.listArtifacts(contextOf(g), {
          ...(opts.limit === undefined ? {} : { limit: opts.limit }),
          ...(opts.pageToken === undefined ? {} : { pageToken: opts.pageToken }),
        })
        if (output.json)
          printJson(output, { artifacts: page.items, nextPageToken: page.nextPageToken ?? null })
        else {
          println(output, renderTable(columns, page.items))
          if (page.nextPageToken !== undefined)
            println(output, `\nmore: --page-token ${page.nextPageToken}`)
        }
      })
    })

  art
    .command('show')
    .description('Show an artifact’s metadata.')
    .argument('<id>', 'artifact id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const g = globalsOf(cmd)
      const output = outputOf(runtime, g)
      await withPlatform(runtime, g, async (p) => {
        const a = await p.services.artifacts.getArtifact(contextOf(g), id)
        if (output.json) printJson(output, a)
        else println(output, renderTable(columns, [a]) + `\n\n${a.digest}`)
      })
    })

  art
    .command('get')
    .description('Download an artifact’s bytes to a file (or stdout).')
    .argument('<id>', 'artifact id')
    .option('-o, --output <file>', 'write here (atomically) instead of stdout')
    .action(async (id: string, opts: { output?: string }, cmd: Command) => {
      const g = globalsOf(cmd)
      await withPlatform(runtime, g, async (p) => {
        const { body } = await p.services.artifacts.openArtifact(contextOf(g), id)
        await writeBytes(body, runtime.stdout, opts.output)
      })
    })

  art
    .command('delete')
    .description('Delete an artifact.')
    .argument('<id>', 'artifact id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const g = globalsOf(cmd)
      const output = outputOf(runtime, g)
      await withPlatform(runtime, g, async (p) => {
        await p.services.artifacts.deleteArtifact(contextOf(g), id)
        if (output.json) printJson(output, { deleted: id })
        else println(output, `Deleted artifact ${id}.`)
      })
    })
}
