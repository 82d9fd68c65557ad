import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'

import { Option, type Command } from 'commander'

import { PlatformError, ValidationError } from '../../core/index.js'
import { FILE_FORMATS, parseSource, type FileFormat } from '../../datasets/index.js'
import type {
  Anomaly,
  AnomalyReport,
  ColumnSchema,
  DatasetValidationService,
  DriftResult,
  StoredDatasetSchema,
} from '../../datasets/index.js'
import { contextOf, globalsOf, outputOf, withPlatform } from '../global-options.js'
import { formatTime, printJson, println, renderTable, type Output } from '../output.js'
import type { CliPlatform, CliRuntime } from '../runtime.js'

function fmt(n: number | null): string {
  if (n === null) return ''
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n)
  const a = Math.abs(n)
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? n.toExponential(3) : n.toPrecision(4)
}

function clip(s: string, n = 40): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s
}

function printSchema(output: Output, stored: StoredDatasetSchema): void {
  println(
    output,
    `${stored.datasetName}: schema revision ${String(stored.revision)} (${formatTime(stored.createdAt)} UTC)`,
  )
  println(output)
  println(
    output,
    renderTable(
      [
        { header: 'column', value: (c: ColumnSchema) => c.name },
        { header: 'type', value: (c) => c.type },
        { header: 'semantic', value: (c) => c.semanticType },
        { header: 'required', value: (c) => (c.required ? 'yes' : 'no') },
        { header: 'nullable', value: (c) => (c.nullable ? 'yes' : 'no') },
        { header: 'min presence', value: (c) => fmt(c.minPresence), align: 'right' },
        {
          header: 'range / domain',
          value: (c) =>
            c.range !== undefined
              ? `[${fmt(c.range.min)}, ${fmt(c.range.max)}]`
              : c.domain !== undefined
                ? clip(`{${c.domain.join(', ')}} (${String(c.domain.length)})`, 60)
                : '',
        },
      ],
      stored.schema.columns,
    ),
  )
}

function anomalyDetail(a: Anomaly): string {
  switch (a.kind) {
    case 'out_of_range':
      return `${a.message}; e.g. ${a.examples.map((x) => fmt(x)).join(', ')}`
    case 'missing_column':
    case 'extra_column':
    case 'type_changed':
    case 'unexpected_nulls':
    case 'unseen_category':
    case 'distribution_shift':
      return a.message
  }
}

function printReport(output: Output, report: AnomalyReport): void {
  println(
    output,
    `${String(report.rowCount)} rows: ${report.ok ? 'no anomalies' : `${String(report.anomalies.length)} anomalies`}`,
  )
  if (report.anomalies.length > 0) {
    println(output)
    println(
      output,
      renderTable(
        [
          { header: 'column', value: (a: Anomaly) => a.column },
          { header: 'anomaly', value: (a) => a.kind },
          { header: 'detail', value: (a) => clip(anomalyDetail(a), 100) },
        ],
        report.anomalies,
      ),
    )
  }
  if (report.drift.length > 0) {
    println(output)
    println(output, 'Drift against the reference:')
    println(
      output,
      renderTable(
        [
          { header: 'column', value: (d: DriftResult) => d.column },
          { header: 'type', value: (d) => d.columnType },
          { header: 'method', value: (d) => d.method },
          { header: 'statistic', value: (d) => fmt(d.statistic), align: 'right' },
          { header: 'score', value: (d) => fmt(d.score), align: 'right' },
          {
            header: 'threshold',
            value: (d) => `${d.rule === 'p_value_below' ? 'p <' : '≥'} ${String(d.threshold)}`,
          },
          { header: 'drift', value: (d) => (d.drifted ? 'DRIFT' : 'ok') },
          { header: 'unique', value: (d) => String(d.nUnique), align: 'right' },
        ],
        report.drift,
      ),
    )
    if (report.sampling !== undefined) {
      println(
        output,
        `(numeric statistics on a deterministic sample of ≤ ${String(report.sampling.maxValues)} values per side)`,
      )
    }
  }
}

/** A batch argument is a source when it names an existing file, a URL-like source or a format. */
function isSource(arg: string, format: FileFormat | undefined): boolean {
  return format !== undefined || /^(file|postgres|postgresql|sqlite):/i.test(arg) || existsSync(arg)
}

/**
 * Adds `schema` and `validate` under the `datasets` command.
 *
 * `getService` builds the validation service over the opened platform (the composition root
 * decides how), so this file needs nothing beyond the `CliPlatform` view.
 */
export function registerDatasetValidationCommands(
  datasets: Command,
  runtime: CliRuntime,
  getService: (p: CliPlatform) => DatasetValidationService,
): void {
  datasets
    .command('schema')
    .description(
      "Show a dataset's validation schema, infer one from a version (saved as a new revision), or save an edited JSON file.",
    )
    .argument('<name>', 'dataset name')
    .option('--infer <ref>', 'infer from this version (name@N) and save it')
    .option('--save <file>', 'save this schema JSON as a new revision')
    .option('--dry-run', 'with --infer: print the inferred schema without saving it')
    .action(
      async (
        name: string,
        opts: { infer?: string; save?: string; dryRun?: boolean },
        cmd: Command,
      ) => {
        const g = globalsOf(cmd)
        const output = outputOf(runtime, g)
        if (opts.infer !== undefined && opts.save !== undefined) {
          throw new ValidationError('use either --infer or --save', [
            { path: ['save'], code: 'invalid_union', message: 'not together with --infer' },
          ])
        }
        await withPlatform(runtime, g, async (p) => {
          const ctx = contextOf(g)
          const service = getService(p)
          let stored: StoredDatasetSchema
          if (opts.infer !== undefined) {
            const ref = opts.infer.startsWith('@') ? `${name}${opts.infer}` : opts.infer
            const schema = await service.inferSchema(ctx, ref)
            if (opts.dryRun === true) {
              printJson(output, schema)
              return
            }
            stored = await service.inferAndSaveSchema(ctx, name, ref)
          } else if (opts.save !== undefined) {
            let parsed: unknown
            try {
              parsed = JSON.parse(await readFile(opts.save, 'utf8'))
            } catch (err) {
              throw new ValidationError(
                `could not read ${opts.save} as JSON`,
                [{ path: ['save'], code: 'invalid_format', message: 'expected a JSON file' }],
                {},
                { cause: err },
              )
            }
            stored = await service.saveSchema(ctx, name, parsed)
          } else stored = await service.getSchema(ctx, name)
          if (output.json) printJson(output, stored)
          else printSchema(output, stored)
        })
      },
    )

  datasets
    .command('validate')
    .description(
      'Validate a batch (a version, or a file or table not ingested) against the dataset schema and, with --reference, check drift. Exits 5 when there are anomalies.',
    )
    .argument('<batch>', 'name@N (or @N of --dataset), a file path, postgres://… or sqlite://…')
    .requiredOption('--dataset <name>', 'dataset whose schema applies')
    .option('--reference <ref>', 'version to compare distributions with (name@N or @N)')
    .addOption(
      new Option('--schema <which>', 'schema to use (default: saved if any)').choices([
        'saved',
        'inferred',
      ]),
    )
    .addOption(
      new Option('--format <format>', 'file format (default: from the extension)').choices([
        ...FILE_FORMATS,
      ]),
    )
    .action(
      async (
        batch: string,
        opts: {
          dataset: string
          reference?: string
          schema?: 'saved' | 'inferred'
          format?: FileFormat
        },
        cmd: Command,
      ) => {
        const g = globalsOf(cmd)
        const output = outputOf(runtime, g)
        await withPlatform(runtime, g, async (p) => {
          const against = isSource(batch, opts.format)
            ? {
                source: parseSource(batch, {
                  cwd: process.cwd(),
                  ...(opts.format === undefined ? {} : { format: opts.format }),
                }),
              }
            : { ref: batch }
          const report = await getService(p).validate(contextOf(g), {
            dataset: opts.dataset,
            against,
            ...(opts.reference === undefined ? {} : { reference: opts.reference }),
            ...(opts.schema === undefined ? {} : { schema: opts.schema }),
          })
          if (output.json) printJson(output, report)
          else printReport(output, report)
          if (!report.ok) {
            throw new PlatformError(
              'FAILED_PRECONDITION',
              `${String(report.anomalies.length)} anomalies found`,
              { silent: true },
            )
          }
        })
      },
    )
}
