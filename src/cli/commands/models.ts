import type { Command } from 'commander'

import { ValidationError, type RequestContext } from '../../core/index.js'
import {
  renderModelCardMarkdown,
  type ModelVersion,
  type RegisteredModel,
  type RegistryAuditEvent,
  type RegistryService,
} from '../../registry/index.js'
import { contextOf, globalsOf, outputOf, withPlatform } from '../global-options.js'
import { formatTime, printJson, println, renderTable, type Output } from '../output.js'
import type { CliPlatform, CliRuntime } from '../runtime.js'

/** Runs a one-shot command over the platform with its context and output. */
function action<A extends unknown[]>(
  runtime: CliRuntime,
  fn: (p: CliPlatform, ctx: RequestContext, output: Output, ...args: A) => Promise<void>,
): (...args: [...A, Command]) => Promise<void> {
  // Commander passes the arguments, then the options, then the command; `A` covers the
  // arguments and, for commands with options, the options object.
  return async (...all) => {
    const cmd = all[all.length - 1] as Command
    const args = all.slice(0, all.length - 1) as unknown as A
    const g = globalsOf(cmd)
    const output = outputOf(runtime, g)
    await withPlatform(runtime, g, (p) => fn(p, contextOf(g), output, ...args))
  }
}

/**
 * A model version from what people type: `models:/churn@champion`, `churn@champion`,
 * `churn/3` or `models:/churn/Production`.
 */
async function resolve(
  registry: RegistryService,
  ctx: RequestContext,
  ref: string,
): Promise<ModelVersion> {
  const uri = ref.startsWith('models:/') ? ref : `models:/${ref}`
  return registry.resolveModelUri(ctx, uri)
}

const modelColumns = [
  { header: 'name', value: (m: RegisteredModel) => m.name },
  {
    header: 'aliases',
    value: (m: RegisteredModel) =>
      m.aliases.map((a) => `@${a.alias}→v${String(a.version)}`).join(' '),
  },
  {
    header: 'latest',
    value: (m: RegisteredModel) =>
      m.latestVersions.length === 0
        ? ''
        : `v${String(Math.max(...m.latestVersions.map((v) => v.version)))}`,
  },
  { header: 'updated (UTC)', value: (m: RegisteredModel) => formatTime(m.updatedAt) },
  { header: 'description', value: (m: RegisteredModel) => m.description.slice(0, 60) },
]

const versionColumns = [
  { header: 'version', value: (v: ModelVersion) => String(v.version), align: 'right' as const },
  { header: 'aliases', value: (v: ModelVersion) => v.aliases.map((a) => `@${a}`).join(' ') },
  { header: 'status', value: (v: ModelVersion) => v.status },
  { header: 'stage', value: (v: ModelVersion) => v.stage },
  { header: 'kind', value: (v: ModelVersion) => v.modelKind ?? v.flavor },
  { header: 'run', value: (v: ModelVersion) => v.runId ?? '' },
  { header: 'created (UTC)', value: (v: ModelVersion) => formatTime(v.createdAt) },
]

function parseVersion(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) {
    throw new ValidationError('invalid version', [
      { path: ['version'], code: 'invalid_type', message: 'a version number (1, 2, …)' },
    ])
  }
  return Number(value)
}

/** `plinth models list | show | versions | alias | card | lineage | history`. */
export function registerModelsCommand(program: Command, runtime: CliRuntime): void {
  const models = program
    .command('models')
    .description('The model registry: registered models, versions, aliases, cards and lineage.')

  models
    .command('list')
    .description('List registered models.')
    .option('--filter <expr>', 'e.g. "name LIKE \'churn%\'"')
    .action(
      action(runtime, async (p, ctx, output, opts: { filter?: string }) => {
        const items: RegisteredModel[] = []
        let pageToken: string | undefined
        do {
          const page = await p.services.registry.searchRegisteredModels(ctx, {
            maxResults: 1000,
            ...(opts.filter === undefined ? {} : { filter: opts.filter }),
            ...(pageToken === undefined ? {} : { pageToken }),
          })
          items.push(...page.items)
          pageToken = page.nextPageToken
        } while (pageToken !== undefined)
        if (output.json) printJson(output, { registeredModels: items })
        else println(output, renderTable(modelColumns, items))
      }),
    )

  models
    .command('show')
    .description('Show a registered model, or one version (churn@champion, churn/3).')
    .argument('<ref>', 'a model name, or a version reference')
    .action(
      action(runtime, async (p, ctx, output, ref: string) => {
        const registry = p.services.registry
        if (!ref.includes('@') && !ref.includes('/')) {
          const m = await registry.getRegisteredModel(ctx, ref)
          if (output.json) printJson(output, m)
          else {
            println(output, renderTable(modelColumns, [m]))
            if (m.description !== '') println(output, `\n${m.description}`)
          }
          return
        }
        const v = await resolve(registry, ctx, ref)
        if (output.json) {
          printJson(output, v)
          return
        }
        println(output, renderTable(versionColumns, [v]))
        println(output, `\nsource   ${v.source}`)
        if (v.description !== '') println(output, `about    ${v.description}`)
        const metrics = Object.entries(v.metrics)
        if (metrics.length > 0) {
          println(
            output,
            `metrics  ${metrics
              .filter(([k]) => !k.startsWith('system/'))
              .map(([k, x]) => `${k}=${Number.isInteger(x) ? String(x) : x.toPrecision(5)}`)
              .join('  ')}`,
          )
        }
        if (v.signature !== null) {
          const cols = v.signature.inputs.map((c) => `${c.name}:${c.type}`).join(', ')
          println(output, `inputs   ${cols}`)
        }
      }),
    )

  models
    .command('versions')
    .description('List the versions of a registered model, newest first.')
    .argument('<name>', 'the registered model')
    .action(
      action(runtime, async (p, ctx, output, name: string) => {
        const page = await p.services.registry.searchModelVersions(ctx, {
          filter: `name = '${name.replaceAll("'", "''")}'`,
          orderBy: ['version_number DESC'],
          maxResults: 1000,
        })
        if (output.json) printJson(output, { modelVersions: page.items })
        else println(output, renderTable(versionColumns, page.items))
      }),
    )

  const alias = models.command('alias').description('Point an alias at a version, or remove it.')
  alias
    .command('set')
    .description('Point <alias> of <name> at <version> (moves it if set; audited).')
    .argument('<name>', 'the registered model')
    .argument('<alias>', 'e.g. champion, challenger')
    .argument('<version>', 'the version number', parseVersion)
    .action(
      action(runtime, async (p, ctx, output, name: string, a: string, version: number) => {
        await p.services.registry.setRegisteredModelAlias(ctx, name, a, version)
        if (output.json) printJson(output, { name, alias: a, version })
        else println(output, `models:/${name}@${a} → version ${String(version)}`)
      }),
    )
  alias
    .command('delete')
    .description('Remove an alias (audited).')
    .argument('<name>', 'the registered model')
    .argument('<alias>', 'the alias')
    .action(
      action(runtime, async (p, ctx, output, name: string, a: string) => {
        await p.services.registry.deleteRegisteredModelAlias(ctx, name, a)
        if (output.json) printJson(output, { name, alias: a, deleted: true })
        else println(output, `Removed models:/${name}@${a}.`)
      }),
    )

  models
    .command('card')
    .description(
      'The model card of a version: intended use, data, metrics against the baseline, limitations.',
    )
    .argument('<ref>', 'a version reference (churn@champion, churn/3)')
    .action(
      action(runtime, async (p, ctx, output, ref: string) => {
        const v = await resolve(p.services.registry, ctx, ref)
        const card = await p.services.registry.getModelCard(ctx, v.name, v.version)
        if (output.json) printJson(output, card)
        else println(output, renderModelCardMarkdown(card))
      }),
    )

  models
    .command('lineage')
    .description('Where a version came from: its run and the dataset versions the run used.')
    .argument('<ref>', 'a version reference (churn@champion, churn/3)')
    .action(
      action(runtime, async (p, ctx, output, ref: string) => {
        const v = await resolve(p.services.registry, ctx, ref)
        const l = await p.services.registry.getModelVersionLineage(ctx, v.name, v.version)
        if (output.json) {
          printJson(output, l)
          return
        }
        println(output, `${l.modelVersion.uri}  (${l.modelVersion.status})`)
        if (l.run !== null) {
          println(output, `  ← run ${l.run.runId} (${l.run.name}, ${l.run.status})`)
        } else println(output, '  ← no run recorded')
        for (const d of l.datasets) {
          const at = d.version === null ? d.digest : `${d.datasetName}@${String(d.version)}`
          println(output, `      ← ${d.context}: ${at}`)
        }
      }),
    )

  models
    .command('history')
    .description('The audit history of a model: alias moves and stage and status changes.')
    .argument('<name>', 'the registered model')
    .action(
      action(runtime, async (p, ctx, output, name: string) => {
        const page = await p.services.registry.listAuditEvents(ctx, name, { maxResults: 1000 })
        if (output.json) {
          printJson(output, { events: page.items })
          return
        }
        println(
          output,
          renderTable(
            [
              { header: 'when (UTC)', value: (e: RegistryAuditEvent) => formatTime(e.at) },
              { header: 'who', value: (e: RegistryAuditEvent) => e.actor },
              { header: 'action', value: (e: RegistryAuditEvent) => e.action },
              {
                header: 'what',
                value: (e: RegistryAuditEvent) =>
                  [
                    e.version === null ? '' : `v${String(e.version)}`,
                    e.alias === null ? '' : `@${e.alias}`,
                  ]
                    .filter((s) => s !== '')
                    .join(' '),
              },
              { header: 'from', value: (e: RegistryAuditEvent) => e.from ?? '' },
              { header: 'to', value: (e: RegistryAuditEvent) => e.to ?? '' },
            ],
            page.items,
          ),
        )
      }),
    )
}
