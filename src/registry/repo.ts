import type { Insertable, Kysely, Selectable } from 'kysely'

import type { ActorId, WorkspaceId } from '../core/index.js'
import type { MetadataSchema } from '../ports/index.js'
import type {
  DatasetLineage,
  ModelAlias,
  ModelFlavor,
  ModelSignature,
  ModelStage,
  ModelVersion,
  ModelVersionStatus,
  RegisteredModel,
} from './entities.js'

/** The registry's tables, read and written through Kysely (SQLite and PostgreSQL alike). */
export type Db = Kysely<MetadataSchema>

export type RegisteredModelRow = Selectable<MetadataSchema['registered_models']>
export type ModelVersionRow = Selectable<MetadataSchema['model_versions']>
export type NewModelVersionRow = Insertable<MetadataSchema['model_versions']>
export type RegistryAuditRow = Selectable<MetadataSchema['registry_audit']>
export type NewRegistryAuditRow = Insertable<MetadataSchema['registry_audit']>

function parseJson<T>(text: string | null, fallback: T): T {
  return text === null ? fallback : (JSON.parse(text) as T)
}

function byKey(
  rows: readonly { readonly key: string; readonly value: string }[],
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const r of [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    out[r.key] = r.value
  }
  return Object.freeze(out)
}

function groupBy<T, K>(rows: readonly T[], key: (r: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>()
  for (const r of rows) {
    const k = key(r)
    const list = out.get(k)
    if (list === undefined) out.set(k, [r])
    else list.push(r)
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Registered models

/** Inserts unless the name is taken in the workspace; returns whether a row was inserted. */
export async function insertModelRow(
  db: Db,
  row: Omit<RegisteredModelRow, 'last_version'>,
  tags: readonly [string, string][],
): Promise<boolean> {
  const result = await db
    .insertInto('registered_models')
    .values({ ...row, last_version: 0 })
    .onConflict((oc) => oc.columns(['workspace_id', 'name']).doNothing())
    .executeTakeFirst()
  if ((result.numInsertedOrUpdatedRows ?? 0n) === 0n) return false
  if (tags.length > 0) {
    await db
      .insertInto('registered_model_tags')
      .values(
        tags.map(([key, value]) => ({
          workspace_id: row.workspace_id,
          model_id: row.id,
          key,
          value,
        })),
      )
      .execute()
  }
  return true
}

export async function findModelRowByName(
  db: Db,
  ws: WorkspaceId,
  name: string,
): Promise<RegisteredModelRow | undefined> {
  return db
    .selectFrom('registered_models')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('name', '=', name)
    .executeTakeFirst()
}

/** Assembles models with their tags, aliases and latest version per stage. */
export async function loadModels(
  db: Db,
  ws: WorkspaceId,
  rows: readonly RegisteredModelRow[],
): Promise<RegisteredModel[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const [tags, aliases, latest] = await Promise.all([
    db
      .selectFrom('registered_model_tags')
      .selectAll()
      .where('workspace_id', '=', ws)
      .where('model_id', 'in', ids)
      .execute(),
    aliasRows(db, ws, ids),
    db
      .selectFrom('model_versions as v')
      .selectAll('v')
      .where('v.workspace_id', '=', ws)
      .where('v.model_id', 'in', ids)
      .where((eb) =>
        eb(
          'v.version',
          '=',
          eb
            .selectFrom('model_versions as w')
            .select((e) => e.fn.max('w.version').as('max'))
            .whereRef('w.workspace_id', '=', 'v.workspace_id')
            .whereRef('w.model_id', '=', 'v.model_id')
            .whereRef('w.stage', '=', 'v.stage'),
        ),
      )
      .execute(),
  ])
  const names = new Map(rows.map((r) => [r.id, r.name]))
  const latestVersions = groupBy(await loadVersions(db, ws, latest, names), (v) => v.modelId)
  const tagsOf = groupBy(tags, (t) => t.model_id)
  const aliasesOf = groupBy(aliases, (a) => a.modelId)
  return rows.map((r) =>
    Object.freeze({
      id: r.id,
      workspace: r.workspace_id as WorkspaceId,
      name: r.name,
      description: r.description,
      tags: byKey(tagsOf.get(r.id) ?? []),
      aliases: Object.freeze(
        (aliasesOf.get(r.id) ?? []).map((a): ModelAlias => ({
          alias: a.alias,
          version: a.version,
        })),
      ),
      latestVersions: Object.freeze(
        (latestVersions.get(r.id) ?? []).sort((a, b) => a.version - b.version),
      ),
      createdAt: r.created_at,
      createdBy: r.created_by as ActorId,
      updatedAt: r.updated_at,
      updatedBy: r.updated_by as ActorId,
    }),
  )
}

export async function updateModelRow(
  db: Db,
  ws: WorkspaceId,
  id: string,
  patch: { name?: string; description?: string; updated_at: number; updated_by: string },
): Promise<void> {
  await db
    .updateTable('registered_models')
    .set(patch)
    .where('workspace_id', '=', ws)
    .where('id', '=', id)
    .execute()
}

/**
 * Serialises writers of one model for the rest of the transaction. A no-op UPDATE takes the
 * row's lock on PostgreSQL (concurrent alias moves then read each other's result, so each audit
 * entry's "from" is the previous entry's "to"); SQLite transactions are serial already, and it
 * has no `SELECT … FOR UPDATE`.
 */
export async function lockModelRow(db: Db, ws: WorkspaceId, id: string): Promise<void> {
  await db
    .updateTable('registered_models')
    .set((eb) => ({ last_version: eb.ref('last_version') }))
    .where('workspace_id', '=', ws)
    .where('id', '=', id)
    .execute()
}

/** Marks the model updated now (MLflow bumps `last_updated_timestamp` on version changes). */
export async function touchModelRow(
  db: Db,
  ws: WorkspaceId,
  id: string,
  at: number,
  by: string,
): Promise<void> {
  await updateModelRow(db, ws, id, { updated_at: at, updated_by: by })
}

/** Deletes the model; its tags, versions, version tags, lineage rows and aliases cascade. */
export async function deleteModelRow(db: Db, ws: WorkspaceId, id: string): Promise<void> {
  // Children first as well, so the delete never depends on the engine's cascade settings.
  const versionIds = db
    .selectFrom('model_versions')
    .select('id')
    .where('workspace_id', '=', ws)
    .where('model_id', '=', id)
  await db
    .deleteFrom('registered_model_aliases')
    .where('workspace_id', '=', ws)
    .where('model_id', '=', id)
    .execute()
  await db
    .deleteFrom('model_version_tags')
    .where('workspace_id', '=', ws)
    .where('version_id', 'in', versionIds)
    .execute()
  await db
    .deleteFrom('model_version_datasets')
    .where('workspace_id', '=', ws)
    .where('version_id', 'in', versionIds)
    .execute()
  await db
    .deleteFrom('model_versions')
    .where('workspace_id', '=', ws)
    .where('model_id', '=', id)
    .execute()
  await db
    .deleteFrom('registered_model_tags')
    .where('workspace_id', '=', ws)
    .where('model_id', '=', id)
    .execute()
  await db
    .deleteFrom('registered_models')
    .where('workspace_id', '=', ws)
    .where('id', '=', id)
    .execute()
}

export async function setModelTagRow(
  db: Db,
  ws: WorkspaceId,
  modelId: string,
  key: string,
  value: string,
): Promise<void> {
  await db
    .insertInto('registered_model_tags')
    .values({ workspace_id: ws, model_id: modelId, key, value })
    .onConflict((oc) => oc.columns(['workspace_id', 'model_id', 'key']).doUpdateSet({ value }))
    .execute()
}

/** Returns whether a tag was deleted. */
export async function deleteModelTagRow(
  db: Db,
  ws: WorkspaceId,
  modelId: string,
  key: string,
): Promise<boolean> {
  const r = await db
    .deleteFrom('registered_model_tags')
    .where('workspace_id', '=', ws)
    .where('model_id', '=', modelId)
    .where('key', '=', key)
    .executeTakeFirst()
  return r.numDeletedRows > 0n
}

// ---------------------------------------------------------------------------------------------
// Versions

/**
 * Reserves the model's next version number. The counter is one row updated in place, so two
 * writers racing for a number serialise on that row (a row lock on PostgreSQL, the write lock
 * on SQLite) and never get the same number; numbers of deleted versions are not reused.
 */
export async function allocateVersionNumber(
  db: Db,
  ws: WorkspaceId,
  modelId: string,
  at: number,
  by: string,
): Promise<number> {
  const row = await db
    .updateTable('registered_models')
    .set((eb) => ({ last_version: eb('last_version', '+', 1), updated_at: at, updated_by: by }))
    .where('workspace_id', '=', ws)
    .where('id', '=', modelId)
    .returning('last_version')
    .executeTakeFirstOrThrow()
  return row.last_version
}

export async function insertVersionRow(
  db: Db,
  row: NewModelVersionRow,
  tags: readonly [string, string][],
  datasets: readonly DatasetLineage[],
): Promise<void> {
  await db.insertInto('model_versions').values(row).execute()
  if (tags.length > 0) {
    await db
      .insertInto('model_version_tags')
      .values(
        tags.map(([key, value]) => ({
          workspace_id: row.workspace_id,
          version_id: row.id,
          key,
          value,
        })),
      )
      .execute()
  }
  await insertVersionDatasets(db, row.workspace_id as WorkspaceId, row.id, datasets)
}

export async function insertVersionDatasets(
  db: Db,
  ws: WorkspaceId,
  versionId: string,
  datasets: readonly DatasetLineage[],
): Promise<void> {
  if (datasets.length === 0) return
  await db
    .insertInto('model_version_datasets')
    .values(
      datasets.map((d, position) => ({
        workspace_id: ws,
        version_id: versionId,
        position,
        dataset_name: d.datasetName,
        digest: d.digest,
        context: d.context,
        dataset_version_id: d.datasetVersionId,
      })),
    )
    .execute()
}

export async function findVersionRow(
  db: Db,
  ws: WorkspaceId,
  modelId: string,
  version: number,
): Promise<ModelVersionRow | undefined> {
  return db
    .selectFrom('model_versions')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('model_id', '=', modelId)
    .where('version', '=', version)
    .executeTakeFirst()
}

/** The newest version of the model in `stage` (any stage when undefined). */
export async function findLatestVersionRow(
  db: Db,
  ws: WorkspaceId,
  modelId: string,
  stage?: ModelStage,
): Promise<ModelVersionRow | undefined> {
  let q = db
    .selectFrom('model_versions')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('model_id', '=', modelId)
  if (stage !== undefined) q = q.where('stage', '=', stage)
  return q.orderBy('version', 'desc').limit(1).executeTakeFirst()
}

export async function listVersionRowsInStage(
  db: Db,
  ws: WorkspaceId,
  modelId: string,
  stage: ModelStage,
): Promise<ModelVersionRow[]> {
  return db
    .selectFrom('model_versions')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('model_id', '=', modelId)
    .where('stage', '=', stage)
    .orderBy('version')
    .execute()
}

/** Versions created from any of the runs, oldest first. */
export async function listVersionRowsByRuns(
  db: Db,
  ws: WorkspaceId,
  runIds: readonly string[],
): Promise<ModelVersionRow[]> {
  if (runIds.length === 0) return []
  return db
    .selectFrom('model_versions')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('run_id', 'in', [...runIds])
    .orderBy('created_at')
    .orderBy('version')
    .execute()
}

/** Versions whose recorded lineage names the dataset version, oldest first. */
export async function listVersionRowsByDatasetVersion(
  db: Db,
  ws: WorkspaceId,
  datasetVersionId: string,
): Promise<ModelVersionRow[]> {
  return db
    .selectFrom('model_versions as v')
    .selectAll('v')
    .where('v.workspace_id', '=', ws)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('model_version_datasets as d')
          .select('d.position')
          .whereRef('d.workspace_id', '=', 'v.workspace_id')
          .whereRef('d.version_id', '=', 'v.id')
          .where('d.dataset_version_id', '=', datasetVersionId),
      ),
    )
    .orderBy('v.created_at')
    .orderBy('v.version')
    .execute()
}

/** Model names by id, for assembling versions of several models. */
export async function modelNames(
  db: Db,
  ws: WorkspaceId,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('registered_models')
    .select(['id', 'name'])
    .where('workspace_id', '=', ws)
    .where('id', 'in', [...new Set(ids)])
    .execute()
  return new Map(rows.map((r) => [r.id, r.name]))
}

async function aliasRows(
  db: Db,
  ws: WorkspaceId,
  modelIds: readonly string[],
): Promise<{ modelId: string; alias: string; versionId: string; version: number }[]> {
  if (modelIds.length === 0) return []
  const rows = await db
    .selectFrom('registered_model_aliases as a')
    .innerJoin('model_versions as v', (j) =>
      j.onRef('v.workspace_id', '=', 'a.workspace_id').onRef('v.id', '=', 'a.version_id'),
    )
    .select(['a.model_id', 'a.alias', 'a.version_id', 'v.version'])
    .where('a.workspace_id', '=', ws)
    .where('a.model_id', 'in', [...modelIds])
    .orderBy('a.alias')
    .execute()
  return rows.map((r) => ({
    modelId: r.model_id,
    alias: r.alias,
    versionId: r.version_id,
    version: r.version,
  }))
}

/** Assembles versions with their tags, aliases and dataset lineage. */
export async function loadVersions(
  db: Db,
  ws: WorkspaceId,
  rows: readonly ModelVersionRow[],
  names?: ReadonlyMap<string, string>,
): Promise<ModelVersion[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const modelIds = [...new Set(rows.map((r) => r.model_id))]
  const [tags, datasets, aliases, nameOf] = await Promise.all([
    db
      .selectFrom('model_version_tags')
      .selectAll()
      .where('workspace_id', '=', ws)
      .where('version_id', 'in', ids)
      .execute(),
    db
      .selectFrom('model_version_datasets')
      .selectAll()
      .where('workspace_id', '=', ws)
      .where('version_id', 'in', ids)
      .orderBy('position')
      .execute(),
    aliasRows(db, ws, modelIds),
    names ?? modelNames(db, ws, modelIds),
  ])
  const tagsOf = groupBy(tags, (t) => t.version_id)
  const datasetsOf = groupBy(datasets, (d) => d.version_id)
  const aliasesOf = groupBy(aliases, (a) => a.versionId)
  return rows.map((r) =>
    Object.freeze({
      id: r.id,
      workspace: r.workspace_id as WorkspaceId,
      modelId: r.model_id,
      name: nameOf.get(r.model_id) ?? '',
      version: r.version,
      source: r.source,
      runId: r.run_id,
      runLink: r.run_link,
      status: r.status as ModelVersionStatus,
      statusMessage: r.status_message,
      stage: r.stage as ModelStage,
      description: r.description,
      tags: byKey(tagsOf.get(r.id) ?? []),
      aliases: Object.freeze((aliasesOf.get(r.id) ?? []).map((a) => a.alias)),
      flavor: r.flavor as ModelFlavor,
      modelKind: r.model_kind,
      modelPath: r.model_path,
      signature: parseJson<ModelSignature | null>(r.signature_json, null),
      inputExample: parseJson<unknown>(r.input_example_json, null),
      metrics: Object.freeze(parseJson<Record<string, number>>(r.metrics_json, {})),
      datasets: Object.freeze(
        (datasetsOf.get(r.id) ?? []).map((d): DatasetLineage =>
          Object.freeze({
            datasetName: d.dataset_name,
            digest: d.digest,
            context: d.context,
            datasetVersionId: d.dataset_version_id,
          }),
        ),
      ),
      createdAt: r.created_at,
      createdBy: r.created_by as ActorId,
      updatedAt: r.updated_at,
      updatedBy: r.updated_by as ActorId,
    }),
  )
}

/** The columns of a version that change after creation. */
export type VersionPatch = Partial<
  Pick<
    ModelVersionRow,
    | 'status'
    | 'status_message'
    | 'stage'
    | 'description'
    | 'flavor'
    | 'model_kind'
    | 'model_path'
    | 'signature_json'
    | 'input_example_json'
    | 'metrics_json'
    | 'run_id'
  >
> & { updated_at: number; updated_by: string }

export async function updateVersionRow(
  db: Db,
  ws: WorkspaceId,
  id: string,
  patch: VersionPatch,
): Promise<void> {
  await db
    .updateTable('model_versions')
    .set(patch)
    .where('workspace_id', '=', ws)
    .where('id', '=', id)
    .execute()
}

/** Deletes a version with its tags, lineage rows and aliases. */
export async function deleteVersionRow(db: Db, ws: WorkspaceId, id: string): Promise<void> {
  await db
    .deleteFrom('registered_model_aliases')
    .where('workspace_id', '=', ws)
    .where('version_id', '=', id)
    .execute()
  await db
    .deleteFrom('model_version_tags')
    .where('workspace_id', '=', ws)
    .where('version_id', '=', id)
    .execute()
  await db
    .deleteFrom('model_version_datasets')
    .where('workspace_id', '=', ws)
    .where('version_id', '=', id)
    .execute()
  await db
    .deleteFrom('model_versions')
    .where('workspace_id', '=', ws)
    .where('id', '=', id)
    .execute()
}

export async function setVersionTagRow(
  db: Db,
  ws: WorkspaceId,
  versionId: string,
  key: string,
  value: string,
): Promise<void> {
  await db
    .insertInto('model_version_tags')
    .values({ workspace_id: ws, version_id: versionId, key, value })
    .onConflict((oc) => oc.columns(['workspace_id', 'version_id', 'key']).doUpdateSet({ value }))
    .execute()
}

/** Returns whether a tag was deleted. */
export async function deleteVersionTagRow(
  db: Db,
  ws: WorkspaceId,
  versionId: string,
  key: string,
): Promise<boolean> {
  const r = await db
    .deleteFrom('model_version_tags')
    .where('workspace_id', '=', ws)
    .where('version_id', '=', versionId)
    .where('key', '=', key)
    .executeTakeFirst()
  return r.numDeletedRows > 0n
}
