import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

import {
  NotFoundError,
  PlatformError,
  ValidationError,
  newEventId,
  toContentKey,
  type Clock,
  type ContentKey,
  type DomainEventMap,
  type Logger,
  type RequestContext,
  type WorkspaceId,
} from '../core/index.js'
import type { ArtifactStore, BlobInfo, EventBus, MetadataStore } from '../ports/index.js'
import type { WorkspaceService } from '../workspaces/index.js'
import {
  openDuckSession,
  quoteIdent,
  quoteLiteral,
  valueText,
  type DuckSession,
} from './engine/duckdb-session.js'
import { profileTable, type DatasetProfile } from './engine/profile.js'
import { readFrame } from './engine/to-frame.js'
import type { Frame } from '../frame/index.js'
import {
  describeSource,
  loadSource,
  type FileFormat,
  type ReadOptions,
  type SourceSpec,
} from './engine/sources.js'
import { assignSplit, columnsNeeded, validateSplitSpec, type SplitSpec } from './splits.js'
import type {
  Dataset,
  DatasetVersion,
  ExportFormat,
  IngestInput,
  IngestResult,
  RowsPreview,
  SplitResult,
  StoredColumn,
} from './entities.js'
import {
  findDatasetByName,
  findVersionRow,
  insertVersionRow,
  listDatasetRows,
  listVersionRows,
  nextVersionNumber,
  readProfile,
  toDataset,
  toVersion,
} from './repo.js'

/** Collaborators of the dataset service. */
export interface DatasetServiceDeps {
  readonly metadata: MetadataStore
  readonly blobs: ArtifactStore
  readonly events: EventBus
  readonly clock: Clock
  readonly workspaces: WorkspaceService
  /** A private directory for DuckDB's temporary files (created if missing). */
  readonly workDir: string
  readonly logger?: Logger
  /** DuckDB memory limit per operation. @default '2GB' */
  readonly memoryLimit?: string
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

function newId(): string {
  return randomUUID().replaceAll('-', '')
}

function checkName(name: string): string {
  const n = name.normalize('NFC')
  if (!NAME.test(n)) {
    throw new ValidationError('invalid dataset name', [
      {
        path: ['name'],
        code: 'invalid_format',
        message: 'use 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit',
      },
    ])
  }
  return n
}

/** How a version is named: the latest, a number, or its id. */
export type VersionSelector =
  { readonly latest: true } | { readonly version: number } | { readonly id: string }

/** Parses `name`, `name@3`, `name@latest` or `name@<version id>`. */
export function parseVersionRef(ref: string): { name: string; by: VersionSelector } {
  const at = ref.lastIndexOf('@')
  if (at === -1) return { name: ref, by: { latest: true } }
  const name = ref.slice(0, at)
  const v = ref.slice(at + 1)
  if (v === 'latest') return { name, by: { latest: true } }
  if (/^\d{1,9}$/.test(v)) return { name, by: { version: Number(v) } }
  if (/^[0-9a-f]{32}$/.test(v)) return { name, by: { id: v } }
  throw new ValidationError('invalid version reference', [
    {
      path: ['ref'],
      code: 'invalid_format',
      message: 'expected name, name@N, name@latest or name@<version id>',
    },
  ])
}

/** JSON-safe cell value for previews: bigints as numbers when exact, dates as ISO strings. */
function jsonCell(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()
  if (v instanceof Date) return v.toISOString()
  if (v !== null && typeof v === 'object') return valueText(v)
  return v
}

/**
 * Datasets: ingest any tabular source into immutable, versioned Parquet, with a profile.
 *
 * DuckDB does the reading, writing and statistics, out of core and sandboxed per operation: it
 * can reach only the source file and a private temporary directory.
 */
export class DatasetService {
  /** Sessions being closed and work directories being removed after their answer went out. */
  private readonly cleanups = new Set<Promise<void>>()

  constructor(private readonly deps: DatasetServiceDeps) {}

  private async withSession<T>(
    readFiles: readonly string[],
    fn: (s: DuckSession, dir: string) => Promise<T>,
  ): Promise<T> {
    await mkdir(this.deps.workDir, { recursive: true, mode: 0o700 })
    const dir = await mkdtemp(path.join(this.deps.workDir, 'op-'))
    const blobsDirs = readFiles.map((f) => path.dirname(f))
    let session: DuckSession | undefined
    const cleanup = async (): Promise<void> => {
      session?.close()
      await rm(dir, { recursive: true, force: true })
    }
    let result: T
    try {
      session = await openDuckSession({
        readFiles,
        directories: [dir, ...new Set(blobsDirs)],
        spillDir: path.join(dir, 'spill'),
        ...(this.deps.memoryLimit === undefined ? {} : { memoryLimit: this.deps.memoryLimit }),
      })
      result = await fn(session, dir)
    } catch (err) {
      await cleanup()
      throw err
    }
    // Closing the engine (tens of ms for a table of millions of rows) and removing the work
    // directory wait until the answer has gone out; `close()` waits for them.
    const later = new Promise<void>((resolve) => setImmediate(resolve))
      .then(cleanup)
      .catch((err: unknown) => {
        this.deps.logger?.warn({ err, dir }, 'could not clean up after a dataset operation')
      })
      .finally(() => this.cleanups.delete(later))
    this.cleanups.add(later)
    return result
  }

  /** Waits for the cleanup still running after earlier operations (before the platform closes). */
  async close(): Promise<void> {
    while (this.cleanups.size > 0) await Promise.all([...this.cleanups])
  }

  /** The stored Parquet of a version as a local file DuckDB can read (a temp copy if needed). */
  private async parquetPathOf(key: ContentKey): Promise<string> {
    if (this.deps.blobs.localPath === undefined) {
      throw new PlatformError(
        'NOT_IMPLEMENTED',
        `reading datasets needs an artifact store on the local filesystem (got ${this.deps.blobs.describe()})`,
      )
    }
    const local = await this.deps.blobs.localPath(key)
    if (local === undefined) {
      throw new PlatformError('INTERNAL', 'the content of a dataset version is missing', { key })
    }
    return local
  }

  /**
   * Reads `source`, stores it as a new version of dataset `input.name` (created on first use)
   * and profiles it. Identical content returns the existing version (`created: false`). Nothing
   * is recorded unless everything succeeded.
   */
  async ingestDataset(
    ctx: RequestContext,
    source: SourceSpec,
    input: IngestInput,
  ): Promise<IngestResult> {
    return this.ingestFrom(ctx, source, input, describeSource(source))
  }

  private async ingestFrom(
    ctx: RequestContext,
    source: SourceSpec,
    input: IngestInput,
    sourceUri: string,
  ): Promise<IngestResult> {
    const name = checkName(input.name)
    const ws = await this.deps.workspaces.requireContextWorkspace(ctx)
    const readFiles = source.kind === 'file' ? [source.path] : []
    return this.withSession(readFiles, async (session, dir) => {
      const loaded = await loadSource(session, source, {
        ...(input.skipBadRows === undefined ? {} : { skipBadRows: input.skipBadRows }),
        ...(input.encoding === undefined ? {} : { encoding: input.encoding }),
      })
      return this.storeTable(ctx, ws, session, dir, {
        name,
        description: input.description ?? '',
        sourceUri,
        // Parquet is already the storage format: keep the user's bytes rather than rewrite them.
        ...(source.kind === 'file' && source.format === 'parquet'
          ? { parquetFile: source.path }
          : {}),
        sourceFormat: source.kind === 'file' ? source.format : source.kind,
        parentVersionId: null,
        lineage: loaded.rejectedCount > 0 ? { skippedRows: loaded.rejectedCount } : {},
        ...(input.target === undefined ? {} : { target: input.target }),
        skippedRows: loaded.rejectedCount,
      })
    })
  }

  /**
   * Ingests uploaded bytes (HTTP): they are streamed to a private temporary file, never to a
   * location the caller names, then read like a file of `format`.
   */
  async ingestUpload(
    ctx: RequestContext,
    body: Readable,
    format: FileFormat,
    input: IngestInput & { readonly maxBytes: number; readonly fileName?: string },
  ): Promise<IngestResult> {
    await mkdir(this.deps.workDir, { recursive: true, mode: 0o700 })
    const dir = await mkdtemp(path.join(this.deps.workDir, 'upload-'))
    const file = path.join(dir, `upload.${format}`)
    try {
      let seen = 0
      const limit = input.maxBytes
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            seen += chunk.length
            if (seen > limit) {
              throw new ValidationError(
                'upload too large',
                [{ path: ['body'], code: 'too_big', message: `at most ${String(limit)} bytes` }],
                { maxBytes: limit },
              )
            }
            yield chunk
          }
        },
        createWriteStream(file, { flags: 'wx', mode: 0o600 }),
      )
      const spec: SourceSpec = { kind: 'file', path: file, format }
      return await this.ingestFrom(ctx, spec, input, `upload:${input.fileName ?? `data.${format}`}`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  /**
   * Writes the session's `src` table as Parquet (unless `parquetFile` already holds exactly it)
   * and puts the file into the blob store.
   */
  private async storeParquet(
    session: DuckSession,
    dir: string,
    parquetFile?: string,
  ): Promise<BlobInfo> {
    let file = parquetFile
    if (file === undefined) {
      file = path.join(dir, 'data.parquet')
      const writer = await session.fork()
      try {
        await writer.run(`COPY src TO ${quoteLiteral(file)} (FORMAT parquet, COMPRESSION snappy)`)
      } finally {
        writer.close()
      }
      // Our own file: moved into the store rather than copied (hundreds of MB not written twice).
      if (this.deps.blobs.adoptFile !== undefined) return this.deps.blobs.adoptFile(file)
    }
    // 1 MiB reads: a tenth of the round trips of the 64 KiB default on a file of hundreds of MB.
    return this.deps.blobs.put(createReadStream(file, { highWaterMark: 1 << 20 }))
  }

  /** Writes the session's `src` table as Parquet, stores it, profiles it, records the version. */
  private async storeTable(
    ctx: RequestContext,
    ws: WorkspaceId,
    session: DuckSession,
    dir: string,
    meta: {
      name: string
      description: string
      sourceUri: string
      sourceFormat: string
      parentVersionId: string | null
      lineage: Record<string, unknown>
      target?: string
      skippedRows: number
      /** An existing Parquet file holding exactly the `src` table, stored instead of a rewrite. */
      parquetFile?: string
    },
  ): Promise<IngestResult> {
    if (meta.target !== undefined) {
      const cols = await session.rows(`SELECT column_name FROM (DESCRIBE src)`)
      if (!cols.some((c) => c['column_name'] === meta.target)) {
        throw new ValidationError(`target column '${meta.target}' is not in the data`, [
          { path: ['target'], code: 'not_found', message: 'no such column' },
        ])
      }
    }
    // Storing (write Parquet, hash and copy it into the blob store, fsync) and profiling are
    // independent: they run side by side, the write on a connection of its own. A re-ingest of
    // identical content profiles for nothing, but every new version is ready sooner.
    const stored = this.storeParquet(session, dir, meta.parquetFile)
    const profiled = profileTable(
      session,
      'src',
      meta.target === undefined ? {} : { target: meta.target },
    )
    const [blobResult, profileResult] = await Promise.allSettled([stored, profiled])
    if (blobResult.status === 'rejected') throw blobResult.reason
    if (profileResult.status === 'rejected') throw profileResult.reason
    const blob = blobResult.value
    const profile = profileResult.value
    const digest = blob.digest
    const db = this.deps.metadata.db

    let dataset = await findDatasetByName(db, ws, meta.name)
    if (dataset !== undefined) {
      const existing = await findVersionRow(db, ws, dataset, { digest })
      if (existing !== undefined) {
        return {
          dataset,
          version: toVersion(existing, dataset.name),
          created: false,
          skippedRows: meta.skippedRows,
        }
      }
    }
    const described = await session.rows('DESCRIBE src')
    const columns: StoredColumn[] = described.map((r) => ({
      name: String(r['column_name']),
      type: String(r['column_type']),
    }))
    const now = this.deps.clock.now()
    const versionId = newId()
    const outcome = { createdDataset: false }

    // The version number is max + 1; a concurrent ingest of the same dataset may take it first,
    // and then the unique constraint sends us round again.
    let versionNumber = 0
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deps.metadata.transaction(async (trx) => {
          let ds = await findDatasetByName(trx, ws, meta.name)
          if (ds === undefined) {
            const row = {
              workspace_id: ws,
              id: newId(),
              name: meta.name,
              description: meta.description,
              created_at: now,
              created_by: ctx.actor,
              updated_at: now,
              updated_by: ctx.actor,
            }
            await trx.insertInto('datasets').values(row).execute()
            ds = toDataset(row)
            outcome.createdDataset = true
          }
          dataset = ds
          versionNumber = await nextVersionNumber(trx, ws, ds.id)
          await insertVersionRow(trx, {
            workspace_id: ws,
            id: versionId,
            dataset_id: ds.id,
            version: versionNumber,
            digest,
            content_key: blob.key,
            size_bytes: blob.size,
            row_count: profile.rowCount,
            column_count: columns.length,
            schema_json: JSON.stringify(columns),
            profile_json: JSON.stringify(profile),
            source_uri: meta.sourceUri,
            source_format: meta.sourceFormat,
            parent_version_id: meta.parentVersionId,
            lineage_json: JSON.stringify(meta.lineage),
            created_at: now,
            created_by: ctx.actor,
          })
          await trx
            .updateTable('datasets')
            .set({ updated_at: now, updated_by: ctx.actor })
            .where('workspace_id', '=', ws)
            .where('id', '=', ds.id)
            .execute()
        })
        break
      } catch (err) {
        if (attempt >= 4) throw err
        // Another writer committed the same content meanwhile: that version is ours too.
        const ds = await findDatasetByName(db, ws, meta.name)
        const same = ds === undefined ? undefined : await findVersionRow(db, ws, ds, { digest })
        if (ds !== undefined && same !== undefined) {
          return {
            dataset: ds,
            version: toVersion(same, ds.name),
            created: false,
            skippedRows: meta.skippedRows,
          }
        }
      }
    }
    const ds = await this.getDataset(ctx, meta.name)
    const version = await this.getVersion(ctx, `${meta.name}@${String(versionNumber)}`)
    if (outcome.createdDataset) {
      await this.publish(ctx, 'dataset.created', { datasetId: ds.id, name: ds.name })
    }
    await this.publish(ctx, 'dataset.version.created', {
      datasetId: ds.id,
      name: ds.name,
      versionId: version.id,
      version: version.version,
      digest,
      rowCount: version.rowCount,
      parentVersionId: meta.parentVersionId,
    })
    return { dataset: ds, version, created: true, skippedRows: meta.skippedRows }
  }

  private async publish<T extends 'dataset.created' | 'dataset.version.created'>(
    ctx: RequestContext,
    type: T,
    payload: DomainEventMap[T],
  ): Promise<void> {
    await this.deps.events.publish({
      id: newEventId(),
      type,
      workspace: ctx.workspace,
      actor: ctx.actor,
      occurredAt: this.deps.clock.now(),
      payload,
    })
  }

  /** Every dataset of the workspace with its version count and latest version number. */
  async listDatasets(
    ctx: RequestContext,
  ): Promise<(Dataset & { versions: number; latest: number | null })[]> {
    return listDatasetRows(this.deps.metadata.db, ctx.workspace)
  }

  /** The dataset; `NOT_FOUND` if absent from the context's workspace. */
  async getDataset(ctx: RequestContext, name: string): Promise<Dataset> {
    const ds = await findDatasetByName(this.deps.metadata.db, ctx.workspace, name)
    if (ds === undefined) throw new NotFoundError(`dataset '${name}' not found`, { name })
    return ds
  }

  /** Versions, newest first. */
  async listVersions(ctx: RequestContext, name: string): Promise<DatasetVersion[]> {
    return listVersionRows(this.deps.metadata.db, ctx.workspace, await this.getDataset(ctx, name))
  }

  /** Resolves `name`, `name@N`, `name@latest` or `name@<id>`; `NOT_FOUND` if absent. */
  async getVersion(ctx: RequestContext, ref: string): Promise<DatasetVersion> {
    const parsed = parseVersionRef(ref)
    const ds = await this.getDataset(ctx, parsed.name)
    const row = await findVersionRow(this.deps.metadata.db, ctx.workspace, ds, parsed.by)
    if (row === undefined) throw new NotFoundError(`dataset version '${ref}' not found`, { ref })
    return toVersion(row, ds.name)
  }

  /** The profile computed at ingest. */
  async getProfile(ctx: RequestContext, ref: string): Promise<DatasetProfile> {
    const v = await this.getVersion(ctx, ref)
    const profile = await readProfile(this.deps.metadata.db, ctx.workspace, v.id)
    if (profile === undefined) throw new NotFoundError(`no profile for '${ref}'`, { ref })
    return profile
  }

  private async contentKeyOf(ctx: RequestContext, v: DatasetVersion): Promise<ContentKey> {
    const row = await this.deps.metadata.db
      .selectFrom('dataset_versions')
      .select('content_key')
      .where('workspace_id', '=', ctx.workspace)
      .where('id', '=', v.id)
      .executeTakeFirstOrThrow()
    return toContentKey(row.content_key)
  }

  /** Runs `fn` with a sandboxed session where the version is the view `data`. */
  async withVersion<T>(
    ctx: RequestContext,
    ref: string,
    fn: (s: DuckSession, v: DatasetVersion, dir: string, file: string) => Promise<T>,
  ): Promise<T> {
    const v = await this.getVersion(ctx, ref)
    const key = await this.contentKeyOf(ctx, v)
    const file = await this.parquetPathOf(key)
    return this.withSession([file], async (session, dir) => {
      await session.run(`CREATE VIEW data AS SELECT * FROM read_parquet(${quoteLiteral(file)})`)
      return fn(session, v, dir, file)
    })
  }

  /**
   * Runs `fn` with a sandboxed session holding named tables: each entry of `versions` becomes a
   * view over that stored version, and `source` (a file or table not ingested) becomes the
   * table `source`. For validation and drift, which compare data side by side.
   */
  async withTables<T>(
    ctx: RequestContext,
    tables: {
      readonly versions?: Readonly<Record<string, string>>
      readonly source?: { readonly spec: SourceSpec; readonly options?: ReadOptions }
    },
    fn: (s: DuckSession, versions: Readonly<Record<string, DatasetVersion>>) => Promise<T>,
  ): Promise<T> {
    const resolved: Record<string, { version: DatasetVersion; file: string }> = {}
    for (const [view, ref] of Object.entries(tables.versions ?? {})) {
      const version = await this.getVersion(ctx, ref)
      resolved[view] = {
        version,
        file: await this.parquetPathOf(await this.contentKeyOf(ctx, version)),
      }
    }
    const files = Object.values(resolved).map((r) => r.file)
    const spec = tables.source?.spec
    if (spec?.kind === 'file') files.push(spec.path)
    return this.withSession(files, async (session) => {
      for (const [view, r] of Object.entries(resolved)) {
        await session.run(
          `CREATE VIEW ${quoteIdent(view)} AS SELECT * FROM read_parquet(${quoteLiteral(r.file)})`,
        )
      }
      if (spec !== undefined) {
        await loadSource(session, spec, tables.source?.options ?? {})
        await session.run('ALTER TABLE src RENAME TO source')
      }
      return fn(
        session,
        Object.fromEntries(Object.entries(resolved).map(([k, r]) => [k, r.version])),
      )
    })
  }

  /**
   * Splits a version into partitions, each stored as a version of dataset `<name>.<partition>`
   * whose lineage records the parent version and the spec. Seeded: the same spec on the same
   * version gives the same rows (and so, by content addressing, the same child versions).
   */
  async splitVersion(ctx: RequestContext, ref: string, spec: SplitSpec): Promise<SplitResult> {
    validateSplitSpec(spec)
    const ws = await this.deps.workspaces.requireContextWorkspace(ctx)
    return this.withVersion(ctx, ref, async (session, parent, dir, file) => {
      const needed = columnsNeeded(spec)
      for (const col of needed) {
        if (!parent.columns.some((c) => c.name === col)) {
          throw new ValidationError(`column '${col}' is not in ${ref}`, [
            { path: ['column'], code: 'not_found', message: `no column named ${col}` },
          ])
        }
      }
      // The row's position in the stored file, stable whatever the scan order or threads.
      await session.run(
        `CREATE TABLE rows AS SELECT file_row_number AS plinth_row, * EXCLUDE (file_row_number) FROM read_parquet(${quoteLiteral(file)}, file_row_number = true)`,
      )
      const values: (string | null)[] = []
      const col = needed[0]
      if (col !== undefined) {
        // Time splits need only the order: DuckDB ranks the rows (missing times first, ties by
        // row). Strata and groups need only equality, so their text form is enough.
        const ordered = spec.kind === 'time' || spec.kind === 'timeseries'
        const q = quoteIdent(col)
        const expr = ordered
          ? `printf('%012d', row_number() OVER (ORDER BY ${q} ASC NULLS FIRST, plinth_row))`
          : `${q}::VARCHAR`
        const reader = await session.read(`SELECT ${expr} AS v FROM rows ORDER BY plinth_row`)
        for (const v of reader.getColumnsJS()[0] ?? [])
          values.push(v === null ? null : valueText(v))
      }
      const partitions = assignSplit(spec, parent.rowCount, values)
      const results: IngestResult[] = []
      for (const part of partitions) {
        await session.run('CREATE OR REPLACE TABLE pick (plinth_row BIGINT)')
        const appender = await session.connection.createAppender('pick')
        try {
          for (const r of part.rows) {
            appender.appendBigInt(BigInt(r))
            appender.endRow()
          }
          appender.flushSync()
        } finally {
          appender.closeSync()
        }
        await session.run(
          'CREATE OR REPLACE TABLE src AS SELECT rows.* EXCLUDE (plinth_row) FROM rows JOIN pick USING (plinth_row) ORDER BY plinth_row',
        )
        results.push(
          await this.storeTable(ctx, ws, session, dir, {
            name: `${parent.datasetName}.${part.name}`,
            description: `${part.name} partition of ${parent.datasetName}@${String(parent.version)}`,
            sourceUri: `plinth:dataset/${parent.datasetName}@${String(parent.version)}`,
            sourceFormat: 'split',
            parentVersionId: parent.id,
            lineage: {
              parent: `${parent.datasetName}@${String(parent.version)}`,
              partition: part.name,
              split: spec,
            },
            skippedRows: 0,
          }),
        )
      }
      return {
        parent,
        partitions: results.map((r) => ({
          name: r.version.datasetName,
          version: r.version,
          created: r.created,
        })),
      }
    })
  }

  /**
   * A version as a Frame, ready for ML code: all columns or the named ones, optionally the first
   * `limit` rows. See `readFrame` for how stored types map to dtypes.
   */
  async readFrame(
    ctx: RequestContext,
    ref: string,
    options: { readonly columns?: readonly string[]; readonly limit?: number } = {},
  ): Promise<Frame> {
    return this.withVersion(ctx, ref, async (session, v) => {
      const wanted = options.columns ?? v.columns.map((c) => c.name)
      const cols = wanted.map((name) => {
        const c = v.columns.find((x) => x.name === name)
        if (c === undefined) {
          throw new ValidationError(`column '${name}' is not in ${ref}`, [
            { path: ['columns'], code: 'not_found', message: `no column named ${name}` },
          ])
        }
        return c
      })
      if (
        options.limit !== undefined &&
        !(Number.isSafeInteger(options.limit) && options.limit >= 0)
      ) {
        throw new ValidationError('invalid limit', [
          { path: ['limit'], code: 'invalid_type', message: 'a non-negative integer' },
        ])
      }
      return readFrame(
        session,
        'data',
        cols,
        options.limit === undefined ? {} : { limit: options.limit },
      )
    })
  }

  /** The first `limit` rows (1–1000), JSON-safe. */
  async headVersion(ctx: RequestContext, ref: string, limit = 10): Promise<RowsPreview> {
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
      throw new ValidationError('invalid limit', [
        { path: ['limit'], code: 'too_big', message: 'must be 1–1000' },
      ])
    }
    return this.withVersion(ctx, ref, async (session, v) => {
      const rows = await session.rows(`SELECT * FROM data LIMIT ${String(limit)}`)
      return {
        columns: v.columns,
        rows: rows.map((r) =>
          Object.fromEntries(Object.entries(r).map(([k, x]) => [k, jsonCell(x)])),
        ),
      }
    })
  }

  /**
   * The version's content: Parquet as stored, or converted to CSV / NDJSON. CSV cells that a
   * spreadsheet would run as a formula (`= + - @`, tab, CR) get a leading `'` (MLflow #7169).
   */
  async exportVersion(
    ctx: RequestContext,
    ref: string,
    format: ExportFormat,
  ): Promise<{ version: DatasetVersion; body: Readable; mediaType: string }> {
    const v = await this.getVersion(ctx, ref)
    const key = await this.contentKeyOf(ctx, v)
    if (format === 'parquet') {
      return {
        version: v,
        body: await this.deps.blobs.get(key),
        mediaType: 'application/vnd.apache.parquet',
      }
    }
    const exportsDir = path.join(this.deps.workDir, 'exports')
    await mkdir(exportsDir, { recursive: true, mode: 0o700 })
    const kept = path.join(exportsDir, `${newId()}.${format}`)
    await this.withVersion(ctx, ref, async (session, _v, dir) => {
      const out = path.join(dir, `export.${format}`)
      const cols = v.columns.map((c) =>
        c.type === 'VARCHAR' && format === 'csv'
          ? `CASE WHEN regexp_matches(${quoteIdent(c.name)}, '^[=+\\-@\\t\\r]') THEN '''' || ${quoteIdent(c.name)} ELSE ${quoteIdent(c.name)} END AS ${quoteIdent(c.name)}`
          : quoteIdent(c.name),
      )
      const opts = format === 'csv' ? '(FORMAT csv, HEADER true)' : '(FORMAT json)'
      await session.run(
        `COPY (SELECT ${cols.join(', ')} FROM data) TO ${quoteLiteral(out)} ${opts}`,
      )
      // Moved out before the operation's directory is removed; deleted once streamed.
      await rename(out, kept)
    })
    const body = createReadStream(kept)
    body.once('close', () => {
      void rm(kept, { force: true })
    })
    return {
      version: v,
      body,
      mediaType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
    }
  }
}
