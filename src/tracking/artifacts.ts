import type { Readable } from 'node:stream'

import type { Kysely } from 'kysely'

import {
  NotFoundError,
  ValidationError,
  toContentKey,
  type ActorId,
  type Clock,
  type RequestContext,
  type WorkspaceId,
} from '../core/index.js'
import type { ArtifactStore, MetadataSchema, MetadataStore } from '../ports/index.js'
import type {
  ListRunArtifactsOptions,
  RunArtifact,
  RunArtifactFile,
  RunId,
  TrackingPage,
  UploadRunArtifactInput,
} from './entities.js'
import { decodeOffsetToken, encodeOffsetToken, toArtifactPath, toMaxResults } from './validate.js'

type Db = Kysely<MetadataSchema>

interface Deps {
  readonly metadata: MetadataStore
  readonly blobs: ArtifactStore
  readonly clock: Clock
}

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  json: 'application/json',
  txt: 'text/plain',
  csv: 'text/csv',
  html: 'text/html',
  png: 'image/png',
  svg: 'image/svg+xml',
  parquet: 'application/vnd.apache.parquet',
  yaml: 'application/yaml',
  yml: 'application/yaml',
}
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/

function mediaTypeOf(path: string, given: string | undefined): string {
  if (given !== undefined) {
    const m = given.toLowerCase()
    if (!MEDIA_TYPE.test(m)) {
      throw new ValidationError('invalid media type', [
        { path: ['mediaType'], code: 'invalid_format', message: 'expected type/subtype' },
      ])
    }
    return m
  }
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase()
  return MEDIA_TYPES[ext] ?? 'application/octet-stream'
}

function toRunArtifact(r: {
  run_id: string
  path: string
  content_key: string
  size: number
  media_type: string
  created_at: number
  created_by: string
}): RunArtifact {
  return Object.freeze({
    runId: r.run_id as RunId,
    path: r.path,
    digest: `sha256:${r.content_key}`,
    size: r.size,
    mediaType: r.media_type,
    createdAt: r.created_at,
    createdBy: r.created_by as ActorId,
  })
}

/** `prefix/` rows of a run, read without LIKE (a path may hold `%` or `_`). */
function underPrefix(db: Db, workspace: WorkspaceId, runId: string, dir: string) {
  let q = db
    .selectFrom('run_artifacts')
    .selectAll()
    .where('workspace_id', '=', workspace)
    .where('run_id', '=', runId)
  if (dir !== '') {
    // Keyset range [dir/, dir0): '0' is the code point after '/'.
    q = q.where('path', '>=', `${dir}/`).where('path', '<', `${dir}0`)
  }
  return q
}

/** Stores the bytes, then points the path at them (replacing a file, never a directory). */
export async function putRunArtifact(
  deps: Deps,
  ctx: RequestContext,
  runId: RunId,
  source: Readable | AsyncIterable<Uint8Array>,
  input: UploadRunArtifactInput,
): Promise<RunArtifact> {
  const path = toArtifactPath(input.path)
  const mediaType = mediaTypeOf(path, input.mediaType)
  const db = deps.metadata.db
  // A file cannot sit where a directory is, nor under a file.
  const clash = await underPrefix(db, ctx.workspace, runId, path).select('path').executeTakeFirst()
  const parents = path
    .split('/')
    .slice(0, -1)
    .map((_, i, segs) => segs.slice(0, i + 1).join('/'))
  const fileParent =
    parents.length === 0
      ? undefined
      : await db
          .selectFrom('run_artifacts')
          .select('path')
          .where('workspace_id', '=', ctx.workspace)
          .where('run_id', '=', runId)
          .where('path', 'in', parents)
          .executeTakeFirst()
  if (clash !== undefined || fileParent !== undefined) {
    throw new ValidationError('artifact path clash', [
      {
        path: ['path'],
        code: 'invalid_value',
        message:
          clash !== undefined
            ? `'${path}' is a directory`
            : `'${fileParent?.path ?? ''}' is a file`,
      },
    ])
  }
  const blob = await deps.blobs.put(source, {
    ...(input.maxBytes === undefined ? {} : { maxBytes: input.maxBytes }),
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  })
  const row = {
    workspace_id: ctx.workspace,
    run_id: runId,
    path,
    content_key: blob.key,
    size: blob.size,
    media_type: mediaType,
    created_at: deps.clock.now(),
    created_by: ctx.actor,
  }
  await db
    .insertInto('run_artifacts')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'run_id', 'path']).doUpdateSet({
        content_key: row.content_key,
        size: row.size,
        media_type: row.media_type,
        created_at: row.created_at,
        created_by: row.created_by,
      }),
    )
    .execute()
  return toRunArtifact(row)
}

/** Immediate children of `opts.path`: directories first, then files, each by name. */
export async function listRunArtifactFiles(
  db: Db,
  workspace: WorkspaceId,
  runId: string,
  opts: ListRunArtifactsOptions,
): Promise<TrackingPage<RunArtifactFile>> {
  const dir = toArtifactPath(opts.path ?? '', 'path', true)
  const limit = toMaxResults(opts.maxResults, 10_000, 1000, 'maxResults')
  const fingerprint = `${runId}:${dir}`.slice(0, 200)
  const offset = opts.pageToken === undefined ? 0 : decodeOffsetToken(opts.pageToken, fingerprint)
  const rows = await underPrefix(db, workspace, runId, dir)
    .select(['path', 'size'])
    .orderBy('path')
    .execute()
  const prefix = dir === '' ? '' : `${dir}/`
  const dirs = new Set<string>()
  const files: RunArtifactFile[] = []
  for (const r of rows) {
    const rest = r.path.slice(prefix.length)
    const slash = rest.indexOf('/')
    if (slash === -1) files.push({ path: r.path, isDir: false, fileSize: r.size })
    else dirs.add(prefix + rest.slice(0, slash))
  }
  const all: RunArtifactFile[] = [
    ...[...dirs].sort().map((p) => ({ path: p, isDir: true })),
    ...files,
  ]
  const items = all.slice(offset, offset + limit)
  return all.length > offset + limit
    ? { items, nextPageToken: encodeOffsetToken(offset + limit, fingerprint) }
    : { items }
}

/** The file's record and its bytes. */
export async function openRunArtifactBlob(
  deps: Deps,
  ctx: RequestContext,
  runId: RunId,
  rawPath: string,
): Promise<{ readonly artifact: RunArtifact; readonly body: Readable }> {
  const path = toArtifactPath(rawPath)
  const row = await deps.metadata.db
    .selectFrom('run_artifacts')
    .selectAll()
    .where('workspace_id', '=', ctx.workspace)
    .where('run_id', '=', runId)
    .where('path', '=', path)
    .executeTakeFirst()
  if (row === undefined) {
    throw new NotFoundError(`run '${runId}' has no artifact '${path}'`, { runId, path })
  }
  const body = await deps.blobs.get(
    toContentKey(row.content_key),
    ctx.signal === undefined ? {} : { signal: ctx.signal },
  )
  return { artifact: toRunArtifact(row), body }
}

/** Removes one file's record (its bytes stay while anything else points at them). */
export async function deleteRunArtifactRow(
  db: Db,
  workspace: WorkspaceId,
  runId: string,
  rawPath: string,
): Promise<void> {
  const path = toArtifactPath(rawPath)
  const r = await db
    .deleteFrom('run_artifacts')
    .where('workspace_id', '=', workspace)
    .where('run_id', '=', runId)
    .where('path', '=', path)
    .executeTakeFirst()
  if (r.numDeletedRows === 0n) {
    throw new NotFoundError(`run '${runId}' has no artifact '${path}'`, { runId, path })
  }
}
