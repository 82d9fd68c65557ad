import type { ActorId, WorkspaceId } from '../core/index.js'
import type { DatasetProfile } from './engine/profile.js'

/** A named dataset: a sequence of immutable versions. */
export interface Dataset {
  readonly id: string
  readonly workspace: WorkspaceId
  readonly name: string
  readonly description: string
  readonly createdAt: number
  readonly createdBy: ActorId
  readonly updatedAt: number
}

/** A stored column: its name and storage type (DuckDB/Parquet type name). */
export interface StoredColumn {
  readonly name: string
  readonly type: string
}

/** One immutable version: Parquet content, its schema and profile, and where it came from. */
export interface DatasetVersion {
  readonly id: string
  readonly datasetId: string
  readonly datasetName: string
  readonly workspace: WorkspaceId
  /** 1, 2, 3… per dataset. */
  readonly version: number
  /** `sha256:<hex>` of the Parquet content; the same content is the same version. */
  readonly digest: string
  readonly sizeBytes: number
  readonly rowCount: number
  readonly columns: readonly StoredColumn[]
  readonly sourceUri: string
  readonly sourceFormat: string
  readonly parentVersionId: string | null
  /** How this version was made: skipped rows, split spec, … */
  readonly lineage: Readonly<Record<string, unknown>>
  readonly createdAt: number
  readonly createdBy: ActorId
}

/** Input of `ingestDataset` besides the source. */
export interface IngestInput {
  /** Dataset name: letters, digits, `.`, `_`, `-`; 1–128 characters. Created on first ingest. */
  readonly name: string
  readonly description?: string
  /** Column to relate every other column to in the profile. */
  readonly target?: string
  /** Skip malformed rows (counted in the lineage) instead of failing. @default false */
  readonly skipBadRows?: boolean
  readonly encoding?: 'utf-8' | 'utf-16' | 'latin-1'
}

/** What `ingestDataset` did. */
export interface IngestResult {
  readonly dataset: Dataset
  readonly version: DatasetVersion
  /** False when identical content already existed as this version. */
  readonly created: boolean
  /** Rows skipped as malformed (with `skipBadRows`). */
  readonly skippedRows: number
}

/** A few rows, JSON-safe, for display. */
export interface RowsPreview {
  readonly columns: readonly StoredColumn[]
  readonly rows: readonly Readonly<Record<string, unknown>>[]
}

/** What `splitVersion` made: one child version per partition. */
export interface SplitResult {
  readonly parent: DatasetVersion
  readonly partitions: readonly {
    /** The child dataset, `<parent name>.<partition>`. */
    readonly name: string
    readonly version: DatasetVersion
    readonly created: boolean
  }[]
}

/** Formats `exportVersion` writes. */
export type ExportFormat = 'parquet' | 'csv' | 'ndjson'

export type { DatasetProfile }
