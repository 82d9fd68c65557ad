import type { Command } from 'commander'

import type { RequestContext } from '../../core/index.js'
import type { Experiment, Metric, Run, TrackingService, ViewType } from '../../tracking/index.js'
import { contextOf, globalsOf, outputOf, withPlatform } from '../global-options.js'
import { formatTime, printJson, println, renderTable, type Output } from '../output.js'
import type { CliPlatform, CliRuntime } from '../runtime.js'

const VIEW_TYPES: Record<string, ViewType> = {
  active: 'ACTIVE_ONLY',
  deleted: 'DELETED_ONLY',
  all: 'ALL',
}

function viewOf(value: string | undefined): ViewType {
  return VIEW_TYPES[value ?? 'active'] ?? 'ACTIVE_ONLY'
}

function parseLimit(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1) throw new Error('--max-results must be a positive integer')
  return n
}

const experimentColumns = [
  { header: 'id', value: (e: Experiment) => e.experimentId },
  { header: 'name', value: (e: Experiment) => e.name },
  { header: 'stage', value: (e: Experiment) => e.lifecycleStage },
  { header: 'created (UTC)', value: (e: Experiment) => formatTime(e.creationTime) },
  { header: 'artifacts', value: (e: Experiment) => e.artifactLocation },
]

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

function fmtNumber(x: number | null | undefined): string {
  if (x === null || x === undefined) return ''
  if (!Number.isFinite(x)) return String(x)
  return Number.isInteger(x) ? String(x) : x.toPrecision(6)
}

/** The latest value of each metric, as a record. */
function latestMetrics(run: Run): Record<string, number> {
  return Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]))
}

async function experimentIdsOf(
  tracking: TrackingService,
  ctx: RequestContext,
  names: readonly string[],
): Promise<string[]> {
  const ids: string[] = []
  for (const name of names) {
    const byName = await tracking.findExperimentByName(ctx, name)
    ids.push(byName?.experimentId ?? (await tracking.getExperiment(ctx, name)).experimentId)
  }
  return ids
}

/** `plinth experiments list | show | create | delete | restore`. */
export function registerExperimentsCommand(program: Command, runtime: CliRuntime): void {
  const ex = program
    .command('experiments')
    .description('Experiments: named groups of tracked runs (MLflow-compatible).')

  ex.command('list')
    .description('List experiments.')
    .option('--view <which>', 'active, deleted or all', 'active')
    .option('--filter <expr>', 'MLflow filter on experiments, e.g. "name LIKE \'churn%\'"')
    .action(
      action(runtime, async (p, ctx, output, opts: { view?: string; filter?: string }) => {
        const items: Experiment[] = []
        let pageToken: string | undefined
        do {
          const page = await p.services.tracking.searchExperiments(ctx, {
            viewType: viewOf(opts.view),
            maxResults: 1000,
            ...(opts.filter === undefined ? {} : { filter: opts.filter }),
            ...(pageToken === undefined ? {} : { pageToken }),
          })
          items.push(...page.items)
          pageToken = page.nextPageToken
        } while (pageToken !== undefined)
        if (output.json) printJson(output, { experiments: items })
        else println(output, renderTable(experimentColumns, items))
      }),
    )

  ex.command('show')
    .description('Show an experiment (by name or id) and its tags.')
    .argument('<experiment>', 'name or id')
    .action(
      action(runtime, async (p, ctx, output, ref: string) => {
        const [id = ref] = await experimentIdsOf(p.services.tracking, ctx, [ref])
        const e = await p.services.tracking.getExperiment(ctx, id)
        if (output.json) {
          printJson(output, e)
          return
        }
        println(output, renderTable(experimentColumns, [e]))
        if (e.tags.length > 0) {
          println(output)
          println(
            output,
            renderTable(
              [
                { header: 'tag', value: (t: { key: string }) => t.key },
                { header: 'value', value: (t: { value: string }) => t.value },
              ],
              e.tags,
            ),
          )
        }
      }),
    )

  ex.command('create')
    .description('Create an experiment.')
    .argument('<name>', 'unique name')
    .action(
      action(runtime, async (p, ctx, output, name: string) => {
        const e = await p.services.tracking.createExperiment(ctx, { name })
        if (output.json) printJson(output, e)
        else println(output, `Created experiment ${e.name} (id ${e.experimentId}).`)
      }),
    )

  for (const [verb, describe] of [
    ['delete', 'Mark an experiment and its runs deleted (restorable).'],
    ['restore', 'Restore a deleted experiment.'],
  ] as const) {
    ex.command(verb)
      .description(describe)
      .argument('<experiment>', 'name or id')
      .action(
        action(runtime, async (p, ctx, output, ref: string) => {
          const [id = ref] = await experimentIdsOf(p.services.tracking, ctx, [ref])
          if (verb === 'delete') await p.services.tracking.deleteExperiment(ctx, id)
          else await p.services.tracking.restoreExperiment(ctx, id)
          if (output.json) printJson(output, { experimentId: id, action: verb })
          else println(output, `Experiment ${ref}: ${verb}d.`)
        }),
      )
  }
}

interface SearchFlags {
  experiment?: string[]
  filter?: string
  orderBy?: string[]
  maxResults?: number
  view?: string
  metrics?: string
}

/** `plinth runs search | show | compare | history`. */
export function registerRunsCommand(program: Command, runtime: CliRuntime): void {
  const runs = program
    .command('runs')
    .description('Tracked runs: params, metrics, tags, artifacts.')
  const collect = (v: string, prev: string[] = []): string[] => [...prev, v]

  runs
    .command('search')
    .description(
      "Search runs with MLflow's filter grammar plus OR and parentheses, e.g. " +
        "--filter \"metrics.auc > 0.8 AND (params.model = 'gbdt' OR tags.team = 'risk')\".",
    )
    .option('-e, --experiment <name>', 'experiment name or id (repeatable; default: all)', collect)
    .option('--filter <expr>', 'filter expression')
    .option('--order-by <clause>', "e.g. 'metrics.auc DESC' (repeatable)", collect)
    .option('--max-results <n>', 'at most this many runs', parseLimit, 100)
    .option('--view <which>', 'active, deleted or all', 'active')
    .option('--metrics <keys>', 'comma-separated metric columns to show (default: up to 4)')
    .action(
      action(runtime, async (p, ctx, output, opts: SearchFlags) => {
        const tracking = p.services.tracking
        const ids =
          opts.experiment === undefined
            ? (
                await tracking.searchExperiments(ctx, { viewType: 'ALL', maxResults: 1000 })
              ).items.map((e) => e.experimentId)
            : await experimentIdsOf(tracking, ctx, opts.experiment)
        const page = await tracking.searchRuns(ctx, {
          experimentIds: ids,
          runViewType: viewOf(opts.view),
          maxResults: opts.maxResults ?? 100,
          ...(opts.filter === undefined ? {} : { filter: opts.filter }),
          ...(opts.orderBy === undefined ? {} : { orderBy: opts.orderBy }),
        })
        if (output.json) {
          printJson(output, {
            runs: page.items,
            ...(page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken }),
          })
          return
        }
        const keys =
          opts.metrics?.split(',').map((k) => k.trim()) ??
          [...new Set(page.items.flatMap((r) => r.data.metrics.map((m) => m.key)))]
            .filter((k) => !k.startsWith('system/') && !k.startsWith('plinth.'))
            .sort()
            .slice(0, 4)
        println(
          output,
          renderTable(
            [
              { header: 'run', value: (r: Run) => r.info.runId },
              { header: 'name', value: (r: Run) => r.info.runName },
              { header: 'status', value: (r: Run) => r.info.status },
              { header: 'started (UTC)', value: (r: Run) => formatTime(r.info.startTime) },
              ...keys.map((k) => ({
                header: k,
                value: (r: Run) => fmtNumber(latestMetrics(r)[k]),
                align: 'right' as const,
              })),
            ],
            page.items,
          ),
        )
        if (page.nextPageToken !== undefined) println(output, '(more runs: raise --max-results)')
      }),
    )

  runs
    .command('show')
    .description('Show a run: info, params, latest metrics, tags, inputs and artifacts.')
    .argument('<run-id>', 'the 32-hex run id')
    .action(
      action(runtime, async (p, ctx, output, runId: string) => {
        const run = await p.services.tracking.getRun(ctx, runId)
        const artifacts = await p.services.tracking.listRunArtifacts(ctx, runId)
        if (output.json) {
          printJson(output, { run, artifacts })
          return
        }
        const i = run.info
        println(output, `Run ${i.runId} (${i.runName}) in experiment ${i.experimentId}`)
        println(
          output,
          `  status ${i.status}, started ${formatTime(i.startTime)}${i.endTime === null ? '' : `, ended ${formatTime(i.endTime)}`}, by ${i.userId}`,
        )
        const kv = (title: string, rows: readonly { key: string; value: string }[]): void => {
          if (rows.length === 0) return
          println(output)
          println(
            output,
            renderTable(
              [
                { header: title, value: (r: { key: string }) => r.key },
                { header: 'value', value: (r: { value: string }) => r.value },
              ],
              [...rows].sort((a, b) => (a.key < b.key ? -1 : 1)),
            ),
          )
        }
        kv('param', run.data.params)
        kv(
          'metric',
          run.data.metrics.map((m) => ({
            key: m.key,
            value: `${fmtNumber(m.value)} (step ${String(m.step)})`,
          })),
        )
        kv(
          'tag',
          run.data.tags.filter((t) => !t.key.startsWith('mlflow.log-model')),
        )
        kv(
          'input',
          run.inputs.datasetInputs.map((d) => ({
            key: d.dataset.name,
            value: `${d.dataset.digest} (${d.tags.find((t) => t.key === 'mlflow.data.context')?.value ?? ''})`,
          })),
        )
        if (artifacts.items.length > 0) {
          println(output)
          println(
            output,
            `artifacts (${artifacts.rootUri}): ${artifacts.items.map((f) => (f.isDir ? `${f.path}/` : f.path)).join(', ')}`,
          )
        }
      }),
    )

  runs
    .command('compare')
    .description('Compare runs side by side (across experiments): params that differ and metrics.')
    .argument('<run-ids...>', 'two or more run ids')
    .action(
      action(runtime, async (p, ctx, output, runIds: string[]) => {
        const c = await p.services.tracking.compareRuns(ctx, runIds)
        if (output.json) {
          printJson(output, c)
          return
        }
        type Row = { kind: string; key: string; values: readonly (string | null)[] }
        const rows: Row[] = [
          { kind: 'run', key: 'name', values: c.runs.map((r) => r.runName) },
          { kind: 'run', key: 'experiment', values: c.runs.map((r) => r.experimentName) },
          ...c.differingParams.map((k) => ({
            kind: 'param',
            key: k,
            values: c.params.map((pr) => pr[k] ?? null),
          })),
          ...c.metricKeys.map((k) => ({
            kind: 'metric',
            key: k,
            values: c.metrics.map((m) => {
              const v = m[k]
              return v === null || v === undefined ? null : fmtNumber(v)
            }),
          })),
        ]
        println(
          output,
          renderTable(
            [
              { header: '', value: (r: Row) => r.kind },
              { header: 'key', value: (r: Row) => r.key },
              ...c.runs.map((r, i) => ({
                header: r.runId.slice(0, 8),
                value: (row: Row) => row.values[i] ?? '—',
                align: 'right' as const,
              })),
            ],
            rows,
          ),
        )
        const same = c.paramKeys.length - c.differingParams.length
        if (same > 0) println(output, `(${String(same)} params are equal in every run)`)
      }),
    )

  runs
    .command('history')
    .description("A metric's history in a run (every step), with a small plot.")
    .argument('<run-id>', 'the run')
    .argument('<metric>', 'the metric key')
    .action(
      action(runtime, async (p, ctx, output, runId: string, key: string) => {
        const points: Metric[] = []
        let pageToken: string | undefined
        do {
          const page = await p.services.tracking.getMetricHistory(ctx, runId, key, {
            maxResults: 25_000,
            ...(pageToken === undefined ? {} : { pageToken }),
          })
          points.push(...page.items)
          pageToken = page.nextPageToken
        } while (pageToken !== undefined)
        if (output.json) {
          printJson(output, { runId, key, metrics: points })
          return
        }
        println(output, `${key}: ${String(points.length)} points`)
        println(output, sparkline(points.map((m) => m.value)))
        const tail = points.slice(-10)
        println(
          output,
          renderTable(
            [
              {
                header: 'step',
                value: (m: (typeof points)[number]) => String(m.step),
                align: 'right',
              },
              { header: 'value', value: (m) => fmtNumber(m.value), align: 'right' },
              { header: 'time (UTC)', value: (m) => formatTime(m.timestamp) },
            ],
            tail,
          ),
        )
      }),
    )
}

const BARS = '▁▂▃▄▅▆▇█'

/** A one-line plot of a series (at most 80 columns; buckets are averaged). */
export function sparkline(values: readonly number[]): string {
  const finite = values.filter((v) => Number.isFinite(v))
  if (finite.length === 0) return ''
  const width = Math.min(80, values.length)
  const lo = Math.min(...finite)
  const hi = Math.max(...finite)
  let line = ''
  for (let c = 0; c < width; c++) {
    const from = Math.floor((c * values.length) / width)
    const to = Math.max(from + 1, Math.floor(((c + 1) * values.length) / width))
    let sum = 0
    let n = 0
    for (let i = from; i < to; i++) {
      const v = values[i] ?? Number.NaN
      if (Number.isFinite(v)) {
        sum += v
        n++
      }
    }
    if (n === 0) {
      line += ' '
      continue
    }
    const t = hi === lo ? 0.5 : (sum / n - lo) / (hi - lo)
    line += BARS[Math.min(BARS.length - 1, Math.floor(t * BARS.length))] ?? ' '
  }
  return `${line}  (${fmtNumber(lo)} … ${fmtNumber(hi)})`
}
