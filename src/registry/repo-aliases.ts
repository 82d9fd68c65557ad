import type { WorkspaceId } from '../core/index.js'
import type { Db } from './repo.js'

/* Alias rows: at most one version per alias per model. */

/** The alias's target, or `undefined`. */
export async function findAliasRow(
  db: Db,
  ws: WorkspaceId,
  modelId: string,
  alias: string,
): Promise<{ versionId: string; version: number } | undefined> {
  const row = await db
    .selectFrom('registered_model_aliases as a')
    .innerJoin('model_versions as v', (j) =>
      j.onRef('v.workspace_id', '=', 'a.workspace_id').onRef('v.id', '=', 'a.version_id'),
    )
    .select(['a.version_id', 'v.version'])
    .where('a.workspace_id', '=', ws)
    .where('a.model_id', '=', modelId)
    .where('a.alias', '=', alias)
    .executeTakeFirst()
  return row === undefined ? undefined : { versionId: row.version_id, version: row.version }
}

/** Every alias pointing at the version. */
export async function aliasesOfVersion(
  db: Db,
  ws: WorkspaceId,
  versionId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('registered_model_aliases')
    .select('alias')
    .where('workspace_id', '=', ws)
    .where('version_id', '=', versionId)
    .orderBy('alias')
    .execute()
  return rows.map((r) => r.alias)
}

/** Points the alias at the version, replacing any previous target. */
export async function upsertAliasRow(
  db: Db,
  ws: WorkspaceId,
  modelId: string,
  alias: string,
  versionId: string,
  at: number,
  by: string,
): Promise<void> {
  await db
    .insertInto('registered_model_aliases')
    .values({
      workspace_id: ws,
      model_id: modelId,
      alias,
      version_id: versionId,
      updated_at: at,
      updated_by: by,
    })
    .onConflict((oc) =>
      oc
        .columns(['workspace_id', 'model_id', 'alias'])
        .doUpdateSet({ version_id: versionId, updated_at: at, updated_by: by }),
    )
    .execute()
}

export async function deleteAliasRow(
  db: Db,
  ws: WorkspaceId,
  modelId: string,
  alias: string,
): Promise<void> {
  await db
    .deleteFrom('registered_model_aliases')
    .where('workspace_id', '=', ws)
    .where('model_id', '=', modelId)
    .where('alias', '=', alias)
    .execute()
}
