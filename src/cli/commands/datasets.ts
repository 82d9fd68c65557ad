import { Option, type Command } from 'commander'

import { ValidationError } from '../../core/index.js'
import {
  FILE_FORMATS,
  parseSource,
  type ColumnProfile,
  type DatasetVersion,
  type ExportFormat,
  type FileFormat,
  type SplitSpec,
} from '../../datasets/index.js'
import { contextOf, globalsOf, outputOf, withPlatform } from '../global-options.js'
import {
  formatBytes,
  formatTime,
  printJson,
  println,
  renderTable,
  type Output,
  writeBytes,
} from '../output.js'
import type { CliRuntime } from '../runtime.js'

function intFlag(name: string, value: string): number {
  if (!/^-?\d{1,15}$/.test(value)) {
    throw new ValidationError(`invalid --${name}`, [
      { path: [name], code: 'invalid_type', message: 'expected an integer' },
    ])
  }
  return Number(value)
}

/** `train=0.8,test=0.2` → `{ train: 0.8, test: 0.2 }`. */
function parseFractions(value: string): Record<string, number> {
  const out: Record<string, number> = Object.create(null) as Record<string, number>
  for (const part of value.split(',')) {
    const [name, f] = part.split('=')
    if (
      name === undefined ||
      f === undefined ||
      name.trim() === '' ||
      !/^\d*\.?\d+$/.test(f.trim())
    ) {
      throw new ValidationError('invalid --fractions', [
        {
          path: ['fractions'],
          code: 'invalid_format',
          message: 'expected name=fraction pairs like train=0.8,test=0.2',
        },
      ])
    }
    out[name.trim()] = Number(f.trim())
  }
  return { ...out }
}

function requireColumn(kind: string, column: string | undefined): string {
  if (column === undefined) {
    throw new ValidationError(`--column is required for a ${kind} split`, [
      { path: ['column'], code: 'required', message: 'missing' },
    ])
  }
  return column
}

function splitSpecFromFlags(o: {
  kind: SplitSpec['kind']
  fractions: string
  column?: string
  k: string
  stratify?: string
  group?: string
  seed: string
}): SplitSpec {
  const seed = intFlag('seed', o.seed)
  switch (o.kind) {
    case 'random':
      return { kind: 'random', fractions: parseFractions(o.fractions), seed }
    case 'stratified':
    case 'grouped':
      return {
        kind: o.kind,
        column: requireColumn(o.kind, o.column),
        fractions: parseFractions(o.fractions),
        seed,
      }
    case 'time':
      return {
        kind: 'time',
        column: requireColumn(o.kind, o.column),
        fractions: parseFractions(o.fractions),
      }
    case 'kfold':
      return {
        kind: 'kfold',
        k: intFlag('k', o.k),
        seed,
        ...(o.stratify === undefined ? {} : { stratify: o.stratify }),
        ...(o.group === undefined ? {} : { group: o.group }),
      }
    case 'timeseries':
      return { kind: 'timeseries', column: requireColumn(o.kind, o.column), k: intFlag('k', o.k) }
  }
}

function parseCount(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1 || n > 1000) {
    throw new ValidationError('invalid -n', [
      { path: ['n'], code: 'too_big', message: 'expected 1–1000' },
    ])
  }
  return n
}

const versionColumns = [
  { header: 'version', value: (v: DatasetVersion) => `${v.datasetName}@${String(v.version)}` },
  {
    header: 'rows',
    value: (v: DatasetVersion) => v.rowCount.toLocaleString('en-US'),
    align: 'right' as const,
  },
  {
    header: 'cols',
    value: (v: DatasetVersion) => String(v.columns.length),
    align: 'right' as const,
  },
  {
    header: 'size',
    value: (v: DatasetVersion) => formatBytes(v.sizeBytes),
    align: 'right' as const,
  },
  { header: 'created (UTC)', value: (v: DatasetVersion) => formatTime(v.createdAt) },
  { header: 'source', value: (v: DatasetVersion) => v.sourceUri },
  { header: 'digest', value: (v: DatasetVersion) => `${v.digest.slice(0, 19)}…` },
]

function fmt(n: number | null | undefined): string {
  if (n === null || n === undefined) return ''
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return n.toLocaleString('en-US')
  const a = Math.abs(n)
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? n.toExponential(3) : n.toPrecision(4)
}

function printProfile(
  output: Output,
  version: DatasetVersion,
  columns: readonly ColumnProfile[],
  rowCount: number,
): void {
  println(
    output,
    `${version.datasetName}@${String(version.version)}: ${rowCount.toLocaleString('en-US')} rows × ${String(columns.length)} columns`,
  )
  println(output)
  println(
    output,
    renderTable(
      [
        { header: 'column', value: (c: ColumnProfile) => c.name },
        { header: 'type', value: (c: ColumnProfile) => c.semanticType },
        {
          header: 'missing',
          value: (c: ColumnProfile) =>
            rowCount === 0 ? '' : `${((100 * c.missing) / rowCount).toFixed(1)}%`,
          align: 'right',
        },
        {
          header: 'distinct',
          value: (c: ColumnProfile) => `${c.distinctApprox ? '~' : ''}${fmt(c.distinct)}`,
          align: 'right',
        },
        { header: 'mean', value: (c: ColumnProfile) => fmt(c.mean), align: 'right' },
        { header: 'std', value: (c: ColumnProfile) => fmt(c.std), align: 'right' },
        {
          header: 'min',
          value: (c: ColumnProfile) => (typeof c.min === 'number' ? fmt(c.min) : (c.min ?? '')),
          align: 'right',
        },
        { header: 'p50', value: (c: ColumnProfile) => fmt(c.quantiles?.p50), align: 'right' },
        {
          header: 'max',
          value: (c: ColumnProfile) => (typeof c.max === 'number' ? fmt(c.max) : (c.max ?? '')),
          align: 'right',
        },
        {
          header: 'top values',
          value: (c: ColumnProfile) =>
            (c.topK ?? [])
              .slice(0, 3)
              .map(
                (t) =>
                  `${t.value.length > 12 ? `${t.value.slice(0, 11)}…` : t.value} (${String(t.count)})`,
              )
              .join(', '),
        },
      ],
      columns,
    ),
  )
}

/** `plinth datasets ingest | list | show | versions | head | profile | export`. */
export function registerDatasetsCommand(program: Command, runtime: CliRuntime): Command {
  const ds = program
    .command('datasets')
    .description('Ingest, version, profile and export tabular data.')

  ds.command('ingest')
    .description(
      'Ingest a file (CSV, TSV, JSON, NDJSON, Parquet) or a table (postgres://…?table=, sqlite://…?table=) as a new dataset version.',
    )
    .argument('<source>', 'a file path, postgres://…?table=name or sqlite://path?table=name')
    .requiredOption('--name <name>', 'dataset name (created on first ingest)')
    .addOption(
      new Option('--format <format>', 'file format (default: from the extension)').choices([
        ...FILE_FORMATS,
      ]),
    )
    .option('--target <column>', 'column to relate every other column to in the profile')
    .option('--description <text>', 'what the dataset is')
    .option('--skip-bad-rows', 'skip malformed rows (and count them) instead of failing')
    .addOption(
      new Option('--encoding <encoding>', 'text encoding').choices(['utf-8', 'utf-16', 'latin-1']),
    )
    .action(
      async (
        source: string,
        opts: {
          name: string
          format?: FileFormat
          target?: string
          description?: string
          skipBadRows?: boolean
          encoding?: 'utf-8' | 'utf-16' | 'latin-1'
        },
        cmd: Command,
      ) => {
        const g = globalsOf(cmd)
        const output = outputOf(runtime, g)
        await withPlatform(runtime, g, async (p) => {
          const spec = parseSource(source, {
            cwd: process.cwd(),
            ...(opts.format === undefined ? {} : { format: opts.format }),
          })
          const r = await p.services.datasets.ingestDataset(contextOf(g), spec, {
            name: opts.name,
            ...(opts.target === undefined ? {} : { target: opts.target }),
            ...(opts.description === undefined ? {} : { description: opts.description }),
            ...(opts.skipBadRows === undefined ? {} : { skipBadRows: opts.skipBadRows }),
            ...(opts.encoding === undefined ? {} : { encoding: opts.encoding }),
          })
          if (output.json) printJson(output, r)
          else {
            const v = r.version
            println(
              output,
              r.created
                ? `Ingested ${v.datasetName}@${String(v.version)}: ${v.rowCount.toLocaleString('en-US')} rows × ${String(v.columns.length)} columns (${formatBytes(v.sizeBytes)} Parquet)`
                : `Unchanged: identical to ${v.datasetName}@${String(v.version)}`,
            )
            if (r.skippedRows > 0)
              println(output, `Skipped ${String(r.skippedRows)} malformed row(s).`)
            println(output, `  ${v.digest}`)
          }
        })
      },
    )

  ds.command('list')
    .description('List datasets.')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globalsOf(cmd)
      const output = outputOf(runtime, g)
      await withPlatform(runtime, g, async (p) => {
        const items = await p.services.datasets.listDatasets(contextOf(g))
        if (output.json) printJson(output, { datasets: items })
        else
          println(
            output,
            renderTable(
              [
                { header: 'name', value: (d: (typeof items)[number]) => d.name },
                { header: 'versions', value: (d) => String(d.versions), align: 'right' },
                {
                  header: 'latest',
                  value: (d) => (d.latest === null ? '' : `@${String(d.latest)}`),
                },
                { header: 'updated (UTC)', value: (d) => formatTime(d.updatedAt) },
                { header: 'description', value: (d) => d.description },
              ],
              items,
            ),
          )
      })
    })

  ds.command('show')
    .description('Show a dataset version (default: the latest) and its columns.')
    .argument('<ref>', 'name, name@N or name@latest')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const g = globalsOf(cmd)
      const output = outputOf(runtime, g)
      await withPlatform(runtime, g, async (p) => {
        const v = await p.services.datasets.getVersion(contextOf(g), ref)
        if (output.json) printJson(output, v)
        else {
          println(output, renderTable(versionColumns, [v]))
          println(output)
          println(
            output,
            renderTable(
              [
                { header: 'column', value: (c: { name: string; type: string }) => c.name },
                { header: 'type', value: (c) => c.type },
              ],
              v.columns,
            ),
          )
        }
      })
    })

  ds.command('versions')
    .description('List the versions of a dataset, newest first.')
    .argument('<name>', 'dataset name')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const g = globalsOf(cmd)
      const output = outputOf(runtime, g)
      await withPlatform(runtime, g, async (p) => {
        const versions = await p.services.datasets.listVersions(contextOf(g), name)
        if (output.json) printJson(output, { versions })
        else println(output, renderTable(versionColumns, versions))
      })
    })

  ds.command('head')
    .description('Print the first rows of a version.')
    .argument('<ref>', 'name, name@N or name@latest')
    .option('-n <rows>', 'how many rows, 1–1000', parseCount, 10)
    .action(async (ref: string, opts: { n: number }, cmd: Command) => {
      const g = globalsOf(cmd)
      const output = outputOf(runtime, g)
      await withPlatform(runtime, g, async (p) => {
        const preview = await p.services.datasets.headVersion(contextOf(g), ref, opts.n)
        if (output.json) printJson(output, preview)
        else
          println(
            output,
            renderTable(
              preview.columns.map((c) => ({
                header: c.name,
                value: (r: Readonly<Record<string, unknown>>) =>
                  r[c.name] === null || r[c.name] === undefined ? '' : String(r[c.name]),
              })),
              preview.rows,
            ),
          )
      })
    })

  ds.command('profile')
    .description(
      'Show the profile computed at ingest: per-column statistics, types and top values.',
    )
    .argument('<ref>', 'name, name@N or name@latest')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const g = globalsOf(cmd)
      const output = outputOf(runtime, g)
      await withPlatform(runtime, g, async (p) => {
        const ctx = contextOf(g)
        const version = await p.services.datasets.getVersion(ctx, ref)
        const profile = await p.services.datasets.getProfile(ctx, ref)
        if (output.json) printJson(output, { version, profile })
        else {
          printProfile(output, version, profile.columns, profile.rowCount)
          const target = profile.target
          if (target !== undefined) {
            println(output)
            println(output, `Association with ${target.name}:`)
            const sorted = [...target.associations].sort(
              (a, b) => Math.abs(b.value ?? 0) - Math.abs(a.value ?? 0),
            )
            println(
              output,
              renderTable(
                [
                  { header: 'column', value: (a: (typeof sorted)[number]) => a.column },
                  { header: 'measure', value: (a) => a.measure },
                  { header: 'value', value: (a) => fmt(a.value), align: 'right' },
                ],
                sorted.slice(0, 15),
              ),
            )
          }
        }
      })
    })

  ds.command('split')
    .description(
      'Split a version into seeded partitions, each stored as dataset <name>.<partition> with its lineage.',
    )
    .argument('<ref>', 'name, name@N or name@latest')
    .addOption(
      new Option('--kind <kind>', 'how to split')
        .choices(['random', 'stratified', 'grouped', 'time', 'kfold', 'timeseries'])
        .default('random'),
    )
    .option(
      '--fractions <list>',
      'partition=fraction pairs (random, stratified, grouped, time)',
      'train=0.8,test=0.2',
    )
    .option(
      '--column <column>',
      'stratum (stratified), group key (grouped) or time column (time, timeseries)',
    )
    .option('--k <k>', 'number of folds (kfold, timeseries)', '5')
    .option('--stratify <column>', 'kfold: keep class proportions in every fold')
    .option('--group <column>', 'kfold: keep each group in one fold')
    .option('--seed <seed>', 'random seed (same seed, same rows)', '42')
    .action(
      async (
        ref: string,
        opts: {
          kind: SplitSpec['kind']
          fractions: string
          column?: string
          k: string
          stratify?: string
          group?: string
          seed: string
        },
        cmd: Command,
      ) => {
        const g = globalsOf(cmd)
        const output = outputOf(runtime, g)
        const spec = splitSpecFromFlags(opts)
        await withPlatform(runtime, g, async (p) => {
          const r = await p.services.datasets.splitVersion(contextOf(g), ref, spec)
          if (output.json) printJson(output, r)
          else {
            println(
              output,
              `Split ${r.parent.datasetName}@${String(r.parent.version)} (${spec.kind}):`,
            )
            println(
              output,
              renderTable(
                [
                  {
                    header: 'partition',
                    value: (x: (typeof r.partitions)[number]) =>
                      `${x.name}@${String(x.version.version)}`,
                  },
                  {
                    header: 'rows',
                    value: (x) => x.version.rowCount.toLocaleString('en-US'),
                    align: 'right',
                  },
                  { header: 'new', value: (x) => (x.created ? 'yes' : 'no (identical)') },
                ],
                r.partitions,
              ),
            )
          }
        })
      },
    )

  ds.command('export')
    .description(
      'Write a version out as Parquet, CSV or NDJSON (to a file, atomically, or stdout).',
    )
    .argument('<ref>', 'name, name@N or name@latest')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['parquet', 'csv', 'ndjson'])
        .default('csv'),
    )
    .option('-o, --output <file>', 'write here instead of stdout')
    .action(async (ref: string, opts: { format: ExportFormat; output?: string }, cmd: Command) => {
      const g = globalsOf(cmd)
      await withPlatform(runtime, g, async (p) => {
        const { body } = await p.services.datasets.exportVersion(contextOf(g), ref, opts.format)
        await writeBytes(body, runtime.stdout, opts.output)
      })
    })
  return ds
}
