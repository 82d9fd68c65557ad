import { stat } from 'node:fs/promises'
import path from 'node:path'

import { z } from 'zod'

import {
  NotFoundError,
  PlatformError,
  ValidationError,
  validationErrorFromIssues,
  type ValidationIssue,
} from '../core/index.js'
import {
  FILE_FORMATS,
  parseSource,
  validateSplitSpec,
  type DatasetProfile,
  type ExportFormat,
  type FileFormat,
  type SourceSpec,
  type SplitSpec,
} from '../datasets/index.js'

/*
 * The datasets client's contract: the types both modes return, the input checks both run before
 * anything is sent, and the one normalisation of results. Embedded results go through the same
 * JSON round trip and schemas as the server's responses, so both modes return equal objects.
 */

/** A dataset, the same in embedded and remote mode. */
export interface DatasetInfo {
  readonly id: string
  readonly workspace: string
  readonly name: string
  readonly description: string
  readonly createdAt: number
  readonly createdBy: string
  readonly updatedAt: number
}

/** A dataset as `list()` reports it: with its version count and latest version number. */
export interface DatasetListItem extends DatasetInfo {
  readonly versions: number
  readonly latest: number | null
}

/** A stored column: its name and storage (DuckDB/Parquet) type. */
export interface DatasetColumn {
  readonly name: string
  readonly type: string
}

/** One immutable dataset version. */
export interface DatasetVersionInfo {
  readonly id: string
  readonly datasetId: string
  readonly datasetName: string
  readonly workspace: string
  readonly version: number
  /** `sha256:<hex>` of the stored Parquet. */
  readonly digest: string
  readonly sizeBytes: number
  readonly rowCount: number
  readonly columns: readonly DatasetColumn[]
  /** `file://…` or `sqlite://…` when ingested in embedded mode, `upload:<file name>` remotely. */
  readonly sourceUri: string
  readonly sourceFormat: string
  readonly parentVersionId: string | null
  readonly lineage: Readonly<Record<string, unknown>>
  readonly createdAt: number
  readonly createdBy: string
}

/** What `show()` reports: the dataset and its latest version (`null` if it has none). */
export interface DatasetDetails {
  readonly dataset: DatasetInfo
  readonly latest: DatasetVersionInfo | null
}

/** The first rows of a version, JSON-safe (big integers beyond 2^53 as strings, times as ISO). */
export interface DatasetRows {
  readonly columns: readonly DatasetColumn[]
  readonly rows: readonly Readonly<Record<string, unknown>>[]
}

/** What `ingest()` did. */
export interface DatasetIngestResult {
  readonly dataset: DatasetInfo
  readonly version: DatasetVersionInfo
  /** False when identical content already existed as this version. */
  readonly created: boolean
  /** Rows skipped as malformed (with `skipBadRows`). */
  readonly skippedRows: number
}

/** What `split()` made: one version of `<name>.<partition>` per partition. */
export interface DatasetSplitResult {
  readonly parent: DatasetVersionInfo
  readonly partitions: readonly {
    readonly name: string
    readonly version: DatasetVersionInfo
    readonly created: boolean
  }[]
}

/** A version's content, streamed. */
export interface DatasetExport {
  readonly format: ExportFormat
  /** `application/vnd.apache.parquet`, `text/csv; charset=utf-8` or `application/x-ndjson`. */
  readonly mediaType: string
  /** The bytes, streamed; read them once (`for await (const chunk of body)`). */
  readonly body: AsyncIterable<Uint8Array>
}

/** A version: `'latest'`, its number (1, 2, …) or its 32-hex id. */
export type DatasetVersionRef = number | 'latest' | (string & {})

/** Input of `ingest()`. */
export interface DatasetIngestInput {
  /** Dataset name: letters, digits, `.`, `_`, `-`; created on first ingest. */
  readonly name: string
  /**
   * A local file path (CSV, TSV, JSON, NDJSON, Parquet) or its bytes. Embedded mode also reads
   * `postgres://…?table=name` and `sqlite://path?table=name`; remote mode uploads the file.
   */
  readonly source: string | Uint8Array
  /** The file format. @default from the file's extension (required for bytes) */
  readonly format?: FileFormat
  /** Column to relate every other column to in the profile. */
  readonly target?: string
  readonly description?: string
  /** Skip malformed rows (and count them) instead of failing. @default false */
  readonly skipBadRows?: boolean
  readonly encoding?: 'utf-8' | 'utf-16' | 'latin-1'
  /** Recorded as the source (`upload:<fileName>`) of bytes. @default `data.<format>` */
  readonly fileName?: string
}

/**
 * The SDK's datasets entry point: the same operations as `plinth datasets …` and
 * `/api/v1/datasets`, embedded (the dataset service in-process) or remote (over HTTP). Both
 * modes check inputs the same way before sending anything and throw the same typed errors:
 * `ValidationError` (with field-level `issues`), `NotFoundError`, …
 */
export interface DatasetsClient {
  /** Datasets of the workspace, with their version counts and latest version numbers. */
  list(): Promise<DatasetListItem[]>
  /** A dataset and its latest version. */
  show(name: string): Promise<DatasetDetails>
  /** Versions, newest first. */
  versions(name: string): Promise<DatasetVersionInfo[]>
  version(name: string, version: DatasetVersionRef): Promise<DatasetVersionInfo>
  /** The profile computed at ingest. */
  profile(name: string, version: DatasetVersionRef): Promise<DatasetProfile>
  /** The first rows (`limit` 1–1000). @default limit 10 */
  head(
    name: string,
    version: DatasetVersionRef,
    options?: { readonly limit?: number },
  ): Promise<DatasetRows>
  /** The content as Parquet (as stored), CSV or NDJSON. @default format 'parquet' */
  export(
    name: string,
    version: DatasetVersionRef,
    options?: { readonly format?: ExportFormat },
  ): Promise<DatasetExport>
  /** Ingests a file, bytes or (embedded) a table; identical content returns the existing version. */
  ingest(input: DatasetIngestInput): Promise<DatasetIngestResult>
  /** Splits a version into seeded partitions stored as datasets `<name>.<partition>`. */
  split(name: string, version: DatasetVersionRef, spec: SplitSpec): Promise<DatasetSplitResult>
}

// ---------------------------------------------------------------------------------------------
// Input checks, run by both modes before anything is sent.

/** The dataset service's name rule: no dataset has another name, so no request is needed. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
const VERSION_ID = /^[0-9a-f]{32}$/
const EXPORT_FORMATS: readonly ExportFormat[] = ['parquet', 'csv', 'ndjson']

function invalid(field: string, code: string, message: string): ValidationError {
  const issue: ValidationIssue = { path: [field], code, message }
  return new ValidationError(`invalid ${field}: ${message}`, [issue])
}

/** @internal */
export function checkName(name: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalid(
      'name',
      'invalid_format',
      'use 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit',
    )
  }
  return name
}

/** The version as it appears in a URL or after `@` in a reference. @internal */
export function checkVersion(version: DatasetVersionRef): string {
  if (typeof version === 'number') {
    if (Number.isSafeInteger(version) && version >= 1 && version <= 999_999_999) {
      return String(version)
    }
  } else if (version === 'latest' || VERSION_ID.test(version)) {
    return version
  }
  throw invalid('version', 'invalid_format', "expected 'latest', a version number or a version id")
}

/** @internal */
export function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return 10
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
    throw invalid('limit', limit < 1 ? 'too_small' : 'too_big', 'expected an integer 1–1000')
  }
  return limit
}

/** @internal */
export function checkExportFormat(format: ExportFormat | undefined): ExportFormat {
  if (format === undefined) return 'parquet'
  if (!EXPORT_FORMATS.includes(format)) {
    throw invalid('format', 'invalid_value', `expected one of ${EXPORT_FORMATS.join(', ')}`)
  }
  return format
}

/** @internal */
export function checkSplitSpec(spec: SplitSpec): SplitSpec {
  validateSplitSpec(spec)
  return spec
}

const ingestOptionsSchema = z.object({
  format: z.enum(FILE_FORMATS as [FileFormat, ...FileFormat[]]).optional(),
  target: z.string().min(1).max(256).optional(),
  description: z.string().max(1000).optional(),
  skipBadRows: z.boolean().optional(),
  encoding: z.enum(['utf-8', 'utf-16', 'latin-1']).optional(),
  fileName: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^/\\]+$/, 'a file name, not a path')
    .optional(),
})

/** A checked ingest: what to read, and the options both modes pass on. @internal */
export interface CheckedIngest {
  readonly name: string
  readonly source:
    { readonly kind: 'bytes'; readonly bytes: Uint8Array; readonly format: FileFormat } | SourceSpec
  readonly options: z.infer<typeof ingestOptionsSchema>
}

/**
 * Checks an ingest and resolves its source: bytes need a format, a path gets its format from its
 * extension and must name an existing file. Table URIs pass through (remote mode refuses them).
 *
 * @internal
 */
export async function checkIngest(input: DatasetIngestInput): Promise<CheckedIngest> {
  const name = checkName(input.name)
  const { source } = input
  const parsed = ingestOptionsSchema.safeParse({
    format: input.format,
    target: input.target,
    description: input.description,
    skipBadRows: input.skipBadRows,
    encoding: input.encoding,
    fileName: input.fileName,
  })
  if (!parsed.success)
    throw validationErrorFromIssues('invalid ingest options', parsed.error.issues)
  const options = parsed.data
  if (source instanceof Uint8Array) {
    if (options.format === undefined) {
      throw invalid('format', 'required', 'bytes need a format (csv, tsv, json, ndjson, parquet)')
    }
    return { name, source: { kind: 'bytes', bytes: source, format: options.format }, options }
  }
  if (typeof source !== 'string' || source === '') {
    throw invalid('source', 'invalid_type', 'expected a file path, a table URI or bytes')
  }
  const spec = parseSource(source, {
    cwd: process.cwd(),
    ...(options.format === undefined ? {} : { format: options.format }),
  })
  if (spec.kind === 'file') {
    const found = await stat(spec.path).catch(() => undefined)
    if (found?.isFile() !== true) {
      throw new NotFoundError(`no file ${path.basename(spec.path)} to ingest`, {
        path: spec.path,
      })
    }
  }
  return { name, source: spec, options }
}

// ---------------------------------------------------------------------------------------------
// Results, normalised the same way in both modes.

const columnSchema = z.object({ name: z.string(), type: z.string() })
const datasetSchema = z.object({
  id: z.string(),
  workspace: z.string(),
  name: z.string(),
  description: z.string(),
  createdAt: z.number(),
  createdBy: z.string(),
  updatedAt: z.number(),
})
const versionSchema = z.object({
  id: z.string(),
  datasetId: z.string(),
  datasetName: z.string(),
  workspace: z.string(),
  version: z.number(),
  digest: z.string(),
  sizeBytes: z.number(),
  rowCount: z.number(),
  columns: z.array(columnSchema),
  sourceUri: z.string(),
  sourceFormat: z.string(),
  parentVersionId: z.string().nullable(),
  lineage: z.record(z.string(), z.unknown()),
  createdAt: z.number(),
  createdBy: z.string(),
})

/** The schemas results are read with, in both modes. @internal */
export const WIRE = Object.freeze({
  list: z.object({
    datasets: z.array(
      datasetSchema.extend({ versions: z.number(), latest: z.number().nullable() }),
    ),
  }) satisfies z.ZodType<{ datasets: DatasetListItem[] }>,
  dataset: datasetSchema satisfies z.ZodType<DatasetInfo>,
  version: versionSchema satisfies z.ZodType<DatasetVersionInfo>,
  versions: z.object({ versions: z.array(versionSchema) }) satisfies z.ZodType<{
    versions: DatasetVersionInfo[]
  }>,
  rows: z.object({
    columns: z.array(columnSchema),
    rows: z.array(z.record(z.string(), z.unknown())),
  }) satisfies z.ZodType<DatasetRows>,
  // Checked as an object only: it is the service's own profile, serialised.
  profile: z.record(z.string(), z.unknown()),
  ingest: z.object({
    dataset: datasetSchema,
    version: versionSchema,
    created: z.boolean(),
    skippedRows: z.number(),
  }) satisfies z.ZodType<DatasetIngestResult>,
  split: z.object({
    parent: versionSchema,
    partitions: z.array(
      z.object({ name: z.string(), version: versionSchema, created: z.boolean() }),
    ),
  }) satisfies z.ZodType<DatasetSplitResult>,
})

/**
 * Reads a result with its schema (unknown fields dropped). `value` is a server's JSON, or, in
 * embedded mode, the service's result after the same JSON round trip the server does (so `NaN`
 * is `null` and absent fields are absent in both modes).
 *
 * @internal
 */
export function fromWire<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value)
  if (!r.success) {
    throw new PlatformError('INTERNAL', `unexpected ${what} response`, {
      issues: r.error.issues
        .slice(0, 5)
        .map((i) => ({ path: i.path.map(String), message: i.message })),
    })
  }
  return r.data
}

/** The JSON round trip the server applies to every response. @internal */
export function toWire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown
}

/** The profile type from its checked wire object. @internal */
export function toProfile(value: Readonly<Record<string, unknown>>): DatasetProfile {
  // The object is the service's `DatasetProfile` serialised; the record schema checked its shape.
  return value as unknown as DatasetProfile
}
