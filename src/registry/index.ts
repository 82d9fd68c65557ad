/**
 * @module registry
 * The model registry: registered models with numbered versions created from tracked runs (or
 * any MLflow source), tags, descriptions, aliases (`models:/churn@champion`) and MLflow's legacy
 * stages, an audit history of every alias move and stage or status change, model cards built
 * from what the registry knows, lineage between dataset versions, runs and model versions, and
 * `loadModel(uri)` returning a ready Predictor. Shaped after MLflow's model-registry API.
 */
export type {
  CreateModelVersionInput,
  CreateRegisteredModelInput,
  DatasetLineage,
  ListAuditEventsOptions,
  ModelAlias,
  ModelFlavor,
  ModelSignature,
  ModelStage,
  ModelUri,
  ModelVersion,
  ModelVersionStatus,
  RegisteredModel,
  RegistryAuditAction,
  RegistryAuditEvent,
  RegistryPage,
  SearchModelVersionsOptions,
  SearchRegisteredModelsOptions,
  SignatureColumn,
} from './entities.js'
export { MODEL_STAGES } from './entities.js'
export type {
  DatasetVersionLineage,
  LineageDataset,
  LineageModelVersion,
  LineageRun,
  ModelVersionLineage,
} from './lineage.js'
export {
  BASELINE_RUN_TAG,
  LIMITATIONS_TAG,
  ROLE_TAG,
  renderModelCardMarkdown,
} from './model-card.js'
export type { CardDataset, CardMetric, ClassShare, ModelCard } from './model-card.js'
export { MODEL_STATE_FILE, PLINTH_MODEL_FILE } from './model-file.js'
export {
  MAX_ALIAS,
  MAX_MODEL_NAME,
  checkAliasName,
  checkModelName,
  formatModelUri,
  parseModelUri,
  parseRunsUri,
} from './names.js'
export type { RunsUri } from './names.js'
export { NO_RUNS } from './run-source.js'
export type { RegistryRun, RegistryRunSource } from './run-source.js'
export { RegistryService } from './service.js'
export { createTrackingRunSource } from './tracking-run-source.js'
export type { RegistryServiceDeps } from './ops.js'
