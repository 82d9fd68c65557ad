/**
 * @module tracking
 * Experiment tracking with MLflow's model: experiments, runs, params (write-once), metrics
 * (append-only, with the latest point per key for search), tags, dataset inputs linked to Plinth
 * dataset versions, and a per-run artifact tree. Search runs with MLflow's filter grammar plus
 * `OR` and parentheses. The SDK core (`TrackingBackend`, `Run` handles, autologging) lives here
 * too; the HTTP transport implements `TrackingBackend` over the REST API.
 */
export { RUN_STATUSES, TAGS, TRACKING_LIMITS } from './entities.js'
export type {
  CreateExperimentInput,
  CreateRunInput,
  DatasetDescriptor,
  DatasetInput,
  Experiment,
  ExperimentId,
  KeyValue,
  LifecycleStage,
  ListRunArtifactsOptions,
  LogBatchInput,
  LogInputsDataset,
  Metric,
  MetricHistoryOptions,
  MetricInput,
  Run,
  RunArtifact,
  RunArtifactFile,
  RunComparison,
  RunData,
  RunId,
  RunInfo,
  RunInputs,
  RunStatus,
  SearchExperimentsOptions,
  SearchRunsOptions,
  TrackingPage,
  UpdateRunInput,
  UploadRunArtifactInput,
  ViewType,
} from './entities.js'
export { TrackingService } from './service.js'
export type { TrackingServiceDeps } from './service.js'
export { parseFilter, parseOrderBy, printFilter } from './search/filter.js'
export type {
  AndNode,
  Comparator,
  ComparisonNode,
  FilterEntity,
  FilterNode,
  FilterTarget,
  OrNode,
  OrderByClause,
} from './search/filter.js'
export { toArtifactPath, toExperimentId, toRunId } from './validate.js'
export { MLFLOW_BATCH_LIMITS, createEmbeddedBackend, splitBatch } from './sdk/backend.js'
export type { ArtifactBody, BatchLimits, TrackingBackend } from './sdk/backend.js'
export { createTrackingClient } from './sdk/client.js'
export type { StartRunInput, TrackingClient, TrackingClientOptions } from './sdk/client.js'
export { RunHandle, paramText } from './sdk/run-handle.js'
export type { ArtifactSource, LogModelOptions, RunHandleOptions } from './sdk/run-handle.js'
export {
  MODEL_ARTIFACT_DIR,
  MODEL_DESCRIPTOR_FILE,
  MODEL_STATE_FILE,
  inferSignature,
  modelDescriptor,
} from './sdk/model-artifact.js'
export type {
  ModelSignature,
  PlinthModelDescriptor,
  SignatureColumn,
} from './sdk/model-artifact.js'
export { trackedFit } from './sdk/autolog.js'
export type { TrackedFitOptions } from './sdk/autolog.js'
