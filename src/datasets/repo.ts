import type { Kysely } from 'kysely'

import type { ActorId, WorkspaceId } from '../core/index.js'
import type {
  DatasetRow,
  DatasetVersionRow,
  MetadataSchema,
  NewDatasetVersionRow,
} from '../ports/index.js'
import type { Dataset, DatasetVersion, StoredColumn } from './entities.js'
import type { DatasetProfile } from './engine/profile.js'

type Db = Kysely<MetadataSchema>

export function toDataset(row: DatasetRow): Dataset {
  return Object.freeze({
    id: row.id,
    workspace: row.workspace_id as WorkspaceId,
    name: row.name,
    description: row.description,
    createdAt: row.created_at,
    createdBy: row.created_by as ActorId,
    updatedAt: row.updated_at,
  })
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback
  return JSON.parse(text) as T
}

export function toVersion(row: DatasetVersionRow, datasetName: string): DatasetVersion {
  return Object.freeze({
    id: row.id,
    datasetId: row.dataset_id,
    datasetName,
    workspace: row.workspace_id as WorkspaceId,
    version: row.version,
    digest: row.digest,
    sizeBytes: row.size_bytes,
    rowCount: row.row_count,
    columns: parseJson<StoredColumn[]>(row.schema_json, []),
    sourceUri: row.source_uri,
    sourceFormat: row.source_format,
    parentVersionId: row.parent_version_id,
    lineage: parseJson<Record<string, unknown>>(row.lineage_json, {}),
    createdAt: row.created_at,
    createdBy: row.created_by as ActorId,
  })
}

export async function findDatasetByName(
  db: Db,
  ws: WorkspaceId,
  name: string,
): Promise<Dataset | undefined> {
  const row = await db
    .selectFrom('datasets')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('name', '=', name)
    .executeTakeFirst()
  return row === undefined ? undefined : toDataset(row)
}

const DATASET_COLUMNS = [
  'd.workspace_id',
  'd.id',
  'd.name',
  'd.description',
  'd.created_at',
  'd.created_by',
  'd.updated_at',
  'd.updated_by',
] as const

export async function listDatasetRows(
  db: Db,
  ws: WorkspaceId,
): Promise<(Dataset & { versions: number; latest: number | null })[]> {
  const rows = await db
    .selectFrom('datasets as d')
    .leftJoin('dataset_versions as v', (j) =>
      j.onRef('v.workspace_id', '=', 'd.workspace_id').onRef('v.dataset_id', '=', 'd.id'),
    )
    .select(DATASET_COLUMNS)
    .select((eb) => [
      eb.fn.count<number>('v.id').as('versions'),
      eb.fn.max('v.version').as('latest'),
    ])
    .where('d.workspace_id', '=', ws)
    .groupBy(DATASET_COLUMNS)
    .orderBy('d.name')
    .execute()
  return rows.map((r) => ({
    ...toDataset(r),
    versions: r.versions,
    latest: r.latest,
  }))
}

export async function listVersionRows(
  db: Db,
  ws: WorkspaceId,
  dataset: Dataset,
): Promise<DatasetVersion[]> {
  const rows = await db
    .selectFrom('dataset_versions')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('dataset_id', '=', dataset.id)
    .orderBy('version', 'desc')
    .execute()
  return rows.map((r) => toVersion(r, dataset.name))
}

export async function findVersionRow(
  db: Db,
  ws: WorkspaceId,
  dataset: Dataset,
  by:
    | { readonly version: number }
    | { readonly digest: string }
    | { readonly latest: true }
    | { readonly id: string },
): Promise<DatasetVersionRow | undefined> {
  let q = db
    .selectFrom('dataset_versions')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('dataset_id', '=', dataset.id)
  if ('version' in by) q = q.where('version', '=', by.version)
  else if ('digest' in by) q = q.where('digest', '=', by.digest)
  else if ('id' in by) q = q.where('id', '=', by.id)
  else q = q.orderBy('version', 'desc').limit(1)
  return q.executeTakeFirst()
}

export async function nextVersionNumber(
  db: Db,
  ws: WorkspaceId,
  datasetId: string,
): Promise<number> {
  const row = await db
    .selectFrom('dataset_versions')
    .select((eb) => eb.fn.max('version').as('max'))
    .where('workspace_id', '=', ws)
    .where('dataset_id', '=', datasetId)
    .executeTakeFirst()
  return (row?.max ?? 0) + 1
}

export async function insertVersionRow(db: Db, row: NewDatasetVersionRow): Promise<void> {
  await db.insertInto('dataset_versions').values(row).execute()
}

export async function readProfile(
  db: Db,
  ws: WorkspaceId,
  versionId: string,
): Promise<DatasetProfile | undefined> {
  const row = await db
    .selectFrom('dataset_versions')
    .select('profile_json')
    .where('workspace_id', '=', ws)
    .where('id', '=', versionId)
    .executeTakeFirst()
  return row?.profile_json === null || row === undefined
    ? undefined
    : (JSON.parse(row.profile_json) as DatasetProfile)
}
