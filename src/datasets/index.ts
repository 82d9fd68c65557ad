/**
 * @module datasets
 * Tabular data in: ingest CSV/TSV, JSON/NDJSON, Parquet files and PostgreSQL or SQLite tables
 * into immutable, content-addressed Parquet versions, profiled at ingest. DuckDB is the engine,
 * sandboxed per operation.
 */
export type {
  Dataset,
  DatasetProfile,
  DatasetVersion,
  ExportFormat,
  IngestInput,
  IngestResult,
  RowsPreview,
  SplitResult,
  StoredColumn,
} from './entities.js'
export { PROFILE_QUANTILES } from './engine/profile.js'
export type { Association, ColumnProfile, SemanticType } from './engine/profile.js'
export { FILE_FORMATS, parseSource } from './engine/sources.js'
export { quoteIdent, quoteLiteral, valueText } from './engine/duckdb-session.js'
export type { DuckSession } from './engine/duckdb-session.js'
export type { FileFormat, ReadOptions, SourceSpec } from './engine/sources.js'
export { DatasetService, parseVersionRef } from './service.js'
export { assignSplit, validateSplitSpec } from './splits.js'
export type { Partition, SplitSpec } from './splits.js'
export type { VersionSelector } from './service.js'
export type { DatasetServiceDeps } from './service.js'
export {
  DEFAULT_DRIFT_THRESHOLDS,
  DatasetValidationService,
  MAX_DOMAIN_SIZE,
  SMALL_REFERENCE_ROWS,
  chooseDriftMethod,
  datasetSchemaZod,
  inferSchema,
  parseDatasetSchema,
  typeFamily,
  validateTable,
} from './validation/index.js'
export type {
  Anomaly,
  AnomalyKind,
  AnomalyReport,
  ColumnSchema,
  DatasetSchema,
  DatasetValidationServiceDeps,
  DriftColumnType,
  DriftMethod,
  DriftResult,
  DriftThresholds,
  StoredDatasetSchema,
  TypeFamily,
  ValidateInput,
  ValidateOptions,
  ValueRange,
} from './validation/index.js'
