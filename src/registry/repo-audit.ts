import type { ActorId, WorkspaceId } from '../core/index.js'
import type { RegistryAuditAction, RegistryAuditEvent } from './entities.js'
import type { Db, NewRegistryAuditRow, RegistryAuditRow } from './repo.js'

/* The append-only audit history: written in the transaction of the change it records. */

export async function insertAuditRows(db: Db, rows: readonly NewRegistryAuditRow[]): Promise<void> {
  if (rows.length > 0)
    await db
      .insertInto('registry_audit')
      .values([...rows])
      .execute()
}

function toAuditEvent(r: RegistryAuditRow): RegistryAuditEvent {
  return Object.freeze({
    id: r.id,
    workspace: r.workspace_id as WorkspaceId,
    modelId: r.model_id,
    modelName: r.model_name,
    version: r.version,
    action: r.action as RegistryAuditAction,
    alias: r.alias,
    from: r.from_value,
    to: r.to_value,
    actor: r.actor as ActorId,
    at: r.at,
  })
}

/** The id of the most recently deleted model that had this name, if any. */
export async function findDeletedModelId(
  db: Db,
  ws: WorkspaceId,
  name: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('registry_audit')
    .select('model_id')
    .where('workspace_id', '=', ws)
    .where('action', '=', 'model.deleted')
    .where('model_name', '=', name)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.model_id
}

/** A model's history, oldest first, offset-paginated. */
export async function listAuditRows(
  db: Db,
  ws: WorkspaceId,
  modelId: string,
  filter: {
    readonly version?: number
    readonly alias?: string
    readonly actions?: readonly RegistryAuditAction[]
  },
  offset: number,
  limit: number,
): Promise<RegistryAuditEvent[]> {
  let q = db
    .selectFrom('registry_audit')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('model_id', '=', modelId)
  if (filter.version !== undefined) q = q.where('version', '=', filter.version)
  if (filter.alias !== undefined) q = q.where('alias', '=', filter.alias)
  if (filter.actions !== undefined && filter.actions.length > 0) {
    q = q.where('action', 'in', [...filter.actions])
  }
  const rows = await q.orderBy('at').orderBy('id').offset(offset).limit(limit).execute()
  return rows.map(toAuditEvent)
}
