import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely'

/**
 * The one metadata schema, shared by every adapter (SQLite, PostgreSQL) and every domain repo.
 *
 * Conventions, which every migration follows:
 * - table and column names are snake_case; every entity table has `workspace_id` first in its
 *   key or indexes, and `created_at` / `created_by` (epoch ms, actor id);
 * - times are epoch milliseconds in `bigint` columns (read back as JS numbers by both adapters);
 * - booleans are `integer` 0/1 (SQLite has no boolean type);
 * - JSON documents are `text` holding JSON, parsed by the repo that owns them.
 */

/** Epoch milliseconds. PostgreSQL `int8` is parsed to `number` by the adapter. */
type Millis = ColumnType<number, number, number>

export interface WorkspaceTable {
  id: string
  display_name: string
  description: string
  created_at: Millis
  created_by: string
  updated_at: Millis
  updated_by: string
}

export interface ActorTable {
  id: string
  display_name: string
  /** 'local' | 'system' | 'user' | 'service' */
  kind: string
  created_at: Millis
  created_by: string
}

export interface ArtifactTable {
  workspace_id: string
  id: string
  /** The user's name for it: metadata only, never a file path. */
  name: string
  /** SHA-256 of the content: the artifact store's key. */
  content_key: string
  size: ColumnType<number, number, never>
  media_type: string
  created_at: Millis
  created_by: string
}

export interface DatasetTable {
  workspace_id: string
  id: string
  /** Unique in its workspace; a slug-like name chosen by the user. */
  name: string
  description: string
  created_at: Millis
  created_by: string
  updated_at: Millis
  updated_by: string
}

/** An immutable version of a dataset: a Parquet blob plus what was learned at ingest. */
export interface DatasetVersionTable {
  workspace_id: string
  id: string
  dataset_id: string
  /** 1, 2, 3… per dataset. */
  version: number
  /** `sha256:<content_key>`; the same content is the same version. */
  digest: string
  content_key: string
  size_bytes: ColumnType<number, number, never>
  row_count: ColumnType<number, number, never>
  column_count: number
  /** JSON: the column names and types. */
  schema_json: string
  /** JSON: the profile computed at ingest (null while none was computed). */
  profile_json: string | null
  source_uri: string
  /** csv, tsv, json, ndjson, parquet, postgres, sqlite, split… */
  source_format: string
  parent_version_id: string | null
  /** JSON: how this version was derived (split spec, skipped rows…). */
  lineage_json: string
  created_at: Millis
  created_by: string
}

/** Saved (user-editable) validation schemas; the highest revision is current. */
export interface DatasetSchemaTable {
  workspace_id: string
  dataset_id: string
  revision: number
  schema_json: string
  inferred_from_version_id: string | null
  created_at: Millis
  created_by: string
}

/** Every table, by name. Domains add theirs in later migrations and extend this interface. */
export interface MetadataSchema {
  workspaces: WorkspaceTable
  actors: ActorTable
  artifacts: ArtifactTable
  datasets: DatasetTable
  dataset_versions: DatasetVersionTable
  dataset_schemas: DatasetSchemaTable
}

export type WorkspaceRow = Selectable<WorkspaceTable>
export type NewWorkspaceRow = Insertable<WorkspaceTable>
export type WorkspaceUpdate = Updateable<WorkspaceTable>
export type ActorRow = Selectable<ActorTable>
export type ArtifactRow = Selectable<ArtifactTable>
export type NewArtifactRow = Insertable<ArtifactTable>
export type DatasetRow = Selectable<DatasetTable>
export type DatasetVersionRow = Selectable<DatasetVersionTable>
export type NewDatasetVersionRow = Insertable<DatasetVersionTable>
export type DatasetSchemaRow = Selectable<DatasetSchemaTable>
