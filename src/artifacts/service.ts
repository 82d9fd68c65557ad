import type { Readable } from 'node:stream'

import {
  NotFoundError,
  ValidationError,
  newArtifactId,
  newEventId,
  type Clock,
  type RequestContext,
  type ValidationIssue,
} from '../core/index.js'
import type { ArtifactStore, EventBus, MetadataStore } from '../ports/index.js'
import type { WorkspaceService } from '../workspaces/index.js'
import type { Artifact, ListArtifactsOptions, Page, PutArtifactInput } from './entities.js'
import { decodePageToken, encodePageToken } from './page-token.js'
import { deleteArtifactRow, findArtifactRow, insertArtifactRow, listArtifactRows } from './repo.js'

/** Collaborators of the artifact service. */
export interface ArtifactServiceDeps {
  readonly metadata: MetadataStore
  readonly blobs: ArtifactStore
  readonly events: EventBus
  readonly clock: Clock
  readonly workspaces: WorkspaceService
}

const MAX_NAME = 512
// Control characters (C0, DEL, C1) and bidi overrides make names that display as something else.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_NAME_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/

function validateInput(input: PutArtifactInput): { name: string; mediaType: string } {
  const issues: ValidationIssue[] = []
  const name = input.name.normalize('NFC')
  if (name.length === 0 || name.length > MAX_NAME) {
    issues.push({
      path: ['name'],
      code: 'too_long',
      message: `must be 1–${String(MAX_NAME)} characters`,
    })
  } else if (FORBIDDEN_NAME_CHARS.test(name)) {
    issues.push({
      path: ['name'],
      code: 'invalid_string',
      message: 'must not contain control characters',
    })
  }
  const mediaType = (input.mediaType ?? 'application/octet-stream').toLowerCase()
  if (!MEDIA_TYPE.test(mediaType)) {
    issues.push({ path: ['mediaType'], code: 'invalid_format', message: 'expected type/subtype' })
  }
  if (issues.length > 0) throw new ValidationError('invalid artifact', issues)
  return { name, mediaType }
}

/**
 * Named files in a workspace, stored content-addressed.
 *
 * Deleting an artifact removes its record at once; the bytes stay in the blob store while any
 * other record (in any workspace) points at them, and unreferenced blobs are reclaimed by a
 * separate collection pass, so a concurrent upload of the same content can never lose its bytes.
 */
export class ArtifactService {
  constructor(private readonly deps: ArtifactServiceDeps) {}

  /** Stores the bytes of `source` as a new artifact; publishes `artifact.created`. */
  async putArtifact(
    ctx: RequestContext,
    source: Readable | AsyncIterable<Uint8Array>,
    input: PutArtifactInput,
  ): Promise<Artifact> {
    const { name, mediaType } = validateInput(input)
    const workspace = await this.deps.workspaces.requireContextWorkspace(ctx)
    const blob = await this.deps.blobs.put(source, {
      ...(input.maxBytes === undefined ? {} : { maxBytes: input.maxBytes }),
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    })
    const id = newArtifactId()
    const now = this.deps.clock.now()
    await insertArtifactRow(this.deps.metadata.db, {
      workspace_id: workspace,
      id,
      name,
      content_key: blob.key,
      size: blob.size,
      media_type: mediaType,
      created_at: now,
      created_by: ctx.actor,
    })
    await this.deps.events.publish({
      id: newEventId(),
      type: 'artifact.created',
      workspace,
      actor: ctx.actor,
      occurredAt: now,
      payload: { artifactId: id, key: blob.key, size: blob.size },
    })
    return this.getArtifact(ctx, id)
  }

  /** The artifact, or `undefined` (also when it belongs to another workspace). */
  async findArtifact(ctx: RequestContext, id: string): Promise<Artifact | undefined> {
    return findArtifactRow(this.deps.metadata.db, ctx.workspace, id)
  }

  /** The artifact; `NOT_FOUND` if absent from the context's workspace. */
  async getArtifact(ctx: RequestContext, id: string): Promise<Artifact> {
    const artifact = await this.findArtifact(ctx, id)
    if (artifact === undefined) throw new NotFoundError(`artifact '${id}' not found`, { id })
    return artifact
  }

  /** The artifact and a stream of its bytes (verified against the digest as it is read). */
  async openArtifact(
    ctx: RequestContext,
    id: string,
  ): Promise<{ readonly artifact: Artifact; readonly body: Readable }> {
    const artifact = await this.getArtifact(ctx, id)
    const body = await this.deps.blobs.get(
      artifact.key,
      ctx.signal === undefined ? {} : { signal: ctx.signal },
    )
    return { artifact, body }
  }

  /** Newest first, paginated. */
  async listArtifacts(
    ctx: RequestContext,
    opts: ListArtifactsOptions = {},
  ): Promise<Page<Artifact>> {
    const limit = opts.limit ?? 100
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
      throw new ValidationError('invalid limit', [
        { path: ['limit'], code: 'too_big', message: 'must be an integer from 1 to 1000' },
      ])
    }
    const after = opts.pageToken === undefined ? undefined : decodePageToken(opts.pageToken)
    const rows = await listArtifactRows(this.deps.metadata.db, ctx.workspace, limit + 1, after)
    const items = rows.slice(0, limit)
    const last = items.at(-1)
    return rows.length > limit && last !== undefined
      ? { items, nextPageToken: encodePageToken({ createdAt: last.createdAt, id: last.id }) }
      : { items }
  }

  /** Deletes the record; `NOT_FOUND` if absent. Publishes `artifact.deleted`. */
  async deleteArtifact(ctx: RequestContext, id: string): Promise<void> {
    const artifact = await this.getArtifact(ctx, id)
    const deleted = await deleteArtifactRow(this.deps.metadata.db, ctx.workspace, id)
    if (!deleted) throw new NotFoundError(`artifact '${id}' not found`, { id })
    await this.deps.events.publish({
      id: newEventId(),
      type: 'artifact.deleted',
      workspace: ctx.workspace,
      actor: ctx.actor,
      occurredAt: this.deps.clock.now(),
      payload: { artifactId: id, key: artifact.key },
    })
  }
}
