import type { Kysely } from 'kysely'

import type { ActorId, WorkspaceId } from '../core/index.js'
import type { MetadataSchema, NewWorkspaceRow, WorkspaceRow } from '../ports/index.js'
import type { Workspace } from './entities.js'

function toWorkspace(row: WorkspaceRow): Workspace {
  return Object.freeze({
    id: row.id as WorkspaceId,
    displayName: row.display_name,
    description: row.description,
    createdAt: row.created_at,
    createdBy: row.created_by as ActorId,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by as ActorId,
  })
}

/** Workspace rows, read and written through Kysely. */
export async function findWorkspaceRow(
  db: Kysely<MetadataSchema>,
  id: string,
): Promise<Workspace | undefined> {
  const row = await db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst()
  return row === undefined ? undefined : toWorkspace(row)
}

export async function listWorkspaceRows(db: Kysely<MetadataSchema>): Promise<Workspace[]> {
  const rows = await db.selectFrom('workspaces').selectAll().orderBy('id').execute()
  return rows.map(toWorkspace)
}

/** Inserts unless the id exists; returns whether a row was inserted. */
export async function insertWorkspaceRow(
  db: Kysely<MetadataSchema>,
  row: NewWorkspaceRow,
): Promise<boolean> {
  const result = await db
    .insertInto('workspaces')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst()
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n
}
