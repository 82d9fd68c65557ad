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

/** An MLflow-style experiment: a named group of runs. `id` is numeric-like (`"0"` is Default). */
export interface ExperimentTable {
  workspace_id: string
  id: string
  /** Global creation order; a created experiment's `id` is its decimal string. */
  seq: number
  /** Unique in its workspace, deleted experiments included (MLflow). */
  name: string
  artifact_location: string
  /** 'active' | 'deleted' */
  lifecycle_stage: string
  created_at: Millis
  created_by: string
  updated_at: Millis
  updated_by: string
}

export interface ExperimentTagTable {
  workspace_id: string
  experiment_id: string
  key: string
  value: string
}

/** A run: one execution of training code. `id` is 32 lowercase hex characters. */
export interface RunTable {
  workspace_id: string
  id: string
  experiment_id: string
  name: string
  user_id: string
  /** 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED' */
  status: string
  start_time: Millis
  end_time: Millis | null
  /** 'active' | 'deleted' */
  lifecycle_stage: string
  artifact_uri: string
  deleted_at: Millis | null
  created_at: Millis
  created_by: string
}

export interface RunParamTable {
  workspace_id: string
  run_id: string
  key: string
  value: string
}

export interface RunTagTable {
  workspace_id: string
  run_id: string
  key: string
  value: string
}

/**
 * Every logged metric point (append-only). NaN cannot be stored by SQLite (it becomes NULL), so
 * NaN is `value = 0, is_nan = 1` as in MLflow's SQL store; ±Infinity is stored as is.
 */
export interface RunMetricTable {
  workspace_id: string
  run_id: string
  key: string
  value: number
  is_nan: number
  timestamp: Millis
  step: Millis
}

/** The latest point of each metric of each run (max step, then timestamp, then value). */
export interface LatestMetricTable {
  workspace_id: string
  run_id: string
  key: string
  value: number
  is_nan: number
  timestamp: Millis
  step: Millis
}

/** A dataset a run used (MLflow dataset input), optionally a Plinth dataset version. */
export interface RunInputTable {
  workspace_id: string
  run_id: string
  dataset_name: string
  dataset_digest: string
  /** `training` | `validation` | `test` | any (the `mlflow.data.context` input tag). */
  context: string
  source_type: string
  source: string
  schema_json: string
  profile_json: string
  /** JSON array of `{ key, value }`: the input tags. */
  tags_json: string
  /** The Plinth dataset version, when the input is one. */
  dataset_version_id: string | null
  created_at: Millis
}

/** A file of a run's artifact tree: a relative path pointing at a content-addressed blob. */
export interface RunArtifactTable {
  workspace_id: string
  run_id: string
  /** Validated relative path (`model/model.json`); never used as a file-system path. */
  path: string
  content_key: string
  size: ColumnType<number, number, number>
  media_type: string
  created_at: Millis
  created_by: string
}

/** A registered model: a workspace-unique name over numbered versions. */
export interface RegisteredModelTable {
  workspace_id: string
  id: string
  name: string
  description: string
  /** The highest version number ever assigned (numbers are never reused). */
  last_version: number
  created_at: Millis
  created_by: string
  updated_at: Millis
  updated_by: string
}

export interface RegisteredModelTagTable {
  workspace_id: string
  model_id: string
  key: string
  value: string
}

/** One version of a registered model. */
export interface ModelVersionTable {
  workspace_id: string
  id: string
  model_id: string
  version: number
  source: string
  run_id: string | null
  run_link: string
  /** 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY' */
  status: string
  status_message: string
  /** 'None' | 'Staging' | 'Production' | 'Archived' */
  stage: string
  description: string
  /** 'plinth' | 'external' */
  flavor: string
  model_kind: string | null
  /** Run-relative folder of `model.json`; null for external models. */
  model_path: string | null
  signature_json: string | null
  input_example_json: string | null
  /** JSON object: metric key → value, copied from the run. */
  metrics_json: string
  created_at: Millis
  created_by: string
  updated_at: Millis
  updated_by: string
}

export interface ModelVersionTagTable {
  workspace_id: string
  version_id: string
  key: string
  value: string
}

/** A dataset the version's run used, copied from the run's inputs at registration. */
export interface ModelVersionDatasetTable {
  workspace_id: string
  version_id: string
  position: number
  dataset_name: string
  digest: string
  context: string
  dataset_version_id: string | null
}

/** An alias: at most one version per alias per model. */
export interface RegisteredModelAliasTable {
  workspace_id: string
  model_id: string
  alias: string
  version_id: string
  updated_at: Millis
  updated_by: string
}

/** The append-only history of alias moves, stage and status changes and other registry events. */
export interface RegistryAuditTable {
  workspace_id: string
  /** Time-ordered: events of one process in one millisecond sort in the order they happened. */
  id: string
  model_id: string
  model_name: string
  version: number | null
  action: string
  alias: string | null
  from_value: string | null
  to_value: string | null
  actor: string
  at: Millis
}

/** Every table, by name. Domains add theirs in later migrations and extend this interface. */
export interface MetadataSchema {
  workspaces: WorkspaceTable
  actors: ActorTable
  artifacts: ArtifactTable
  datasets: DatasetTable
  dataset_versions: DatasetVersionTable
  dataset_schemas: DatasetSchemaTable
  experiments: ExperimentTable
  experiment_tags: ExperimentTagTable
  runs: RunTable
  run_params: RunParamTable
  run_tags: RunTagTable
  run_metrics: RunMetricTable
  latest_metrics: LatestMetricTable
  run_inputs: RunInputTable
  run_artifacts: RunArtifactTable
  registered_models: RegisteredModelTable
  registered_model_tags: RegisteredModelTagTable
  model_versions: ModelVersionTable
  model_version_tags: ModelVersionTagTable
  model_version_datasets: ModelVersionDatasetTable
  registered_model_aliases: RegisteredModelAliasTable
  registry_audit: RegistryAuditTable
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
