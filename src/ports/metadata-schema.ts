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

/** Every table, by name. Domains add theirs in later migrations and extend this interface. */
export interface MetadataSchema {
  workspaces: WorkspaceTable
  actors: ActorTable
  artifacts: ArtifactTable
}

export type WorkspaceRow = Selectable<WorkspaceTable>
export type NewWorkspaceRow = Insertable<WorkspaceTable>
export type WorkspaceUpdate = Updateable<WorkspaceTable>
export type ActorRow = Selectable<ActorTable>
export type ArtifactRow = Selectable<ArtifactTable>
export type NewArtifactRow = Insertable<ArtifactTable>
