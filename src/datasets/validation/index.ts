/**
 * @module datasets/validation
 * TFDV-style data validation: a user-editable schema per dataset (inferred from a version, saved
 * in revisions), anomaly detection against it, and per-column drift against a reference version
 * with Evidently's default statistics plus TFDV's L∞. Re-exported by the datasets module.
 */
export { DEFAULT_DRIFT_THRESHOLDS, SMALL_REFERENCE_ROWS, chooseDriftMethod } from './drift.js'
export type { DriftColumnType, DriftMethod, DriftResult, DriftThresholds } from './drift.js'
export {
  MAX_DOMAIN_SIZE,
  datasetSchemaZod,
  inferSchema,
  parseDatasetSchema,
  typeFamily,
} from './schema.js'
export type { ColumnSchema, DatasetSchema, TypeFamily, ValueRange } from './schema.js'
export { DatasetValidationService } from './service.js'
export type { DatasetValidationServiceDeps, StoredDatasetSchema, ValidateInput } from './service.js'
export { validateTable } from './validate.js'
export type { Anomaly, AnomalyKind, AnomalyReport, ValidateOptions } from './validate.js'
