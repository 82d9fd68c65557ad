import type { Kysely } from 'kysely'

import type { ActorId, ArtifactId, ContentKey, WorkspaceId } from '../core/index.js'
import type { ArtifactRow, MetadataSchema, NewArtifactRow } from '../ports/index.js'
import type { Artifact } from './entities.js'

function toArtifact(row: ArtifactRow): Artifact {
  return Object.freeze({
    id: row.id as ArtifactId,
    workspace: row.workspace_id as WorkspaceId,
    name: row.name,
    key: row.content_key as ContentKey,
    digest: `sha256:${row.content_key}`,
    size: row.size,
    mediaType: row.media_type,
    createdAt: row.created_at,
    createdBy: row.created_by as ActorId,
  })
}

export async function insertArtifactRow(
  db: Kysely<MetadataSchema>,
  row: NewArtifactRow,
): Promise<void> {
  await db.insertInto('artifacts').values(row).execute()
}

/** Every query is scoped by workspace: a row of another workspace is simply not there. */
export async function findArtifactRow(
  db: Kysely<MetadataSchema>,
  workspace: WorkspaceId,
  id: string,
): Promise<Artifact | undefined> {
  const row = await db
    .selectFrom('artifacts')
    .selectAll()
    .where('workspace_id', '=', workspace)
    .where('id', '=', id)
    .executeTakeFirst()
  return row === undefined ? undefined : toArtifact(row)
}

/** Newest first; keyset pagination on (created_at, id). */
export async function listArtifactRows(
  db: Kysely<MetadataSchema>,
  workspace: WorkspaceId,
  limit: number,
  after: { readonly createdAt: number; readonly id: string } | undefined,
): Promise<Artifact[]> {
  let q = db.selectFrom('artifacts').selectAll().where('workspace_id', '=', workspace)
  if (after !== undefined) {
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]),
    )
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
  return rows.map(toArtifact)
}

export async function deleteArtifactRow(
  db: Kysely<MetadataSchema>,
  workspace: WorkspaceId,
  id: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('artifacts')
    .where('workspace_id', '=', workspace)
    .where('id', '=', id)
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}
