/**
 * @module http
 * The Fastify HTTP API: system routes (`/healthz`, `/readyz`, `/metrics`, `/openapi.json`), the
 * domain routes under `/api/v1`, one error handler and the browser-facing defences.
 */
export { buildHttpApp } from './app.js'
export type { HttpDeps, HttpOptions } from './app.js'
export { HTTP_STATUS_BY_CODE, httpStatusOf } from './error-map.js'
export { createHttpTransport } from './http-transport.js'
export type { HttpTransport, HttpTransportOptions } from './http-transport.js'
export { createHttpMetrics } from './metrics.js'
export type { HttpMetrics } from './metrics.js'
export type { CheckResult, ReadinessReport } from './routes/system.js'
export { WORKSPACE_HEADER } from './schemas.js'
export { startHttpServer } from './server.js'
export type { RunningServer } from './server.js'
export { createMlflowClient } from './routes/mlflow/client.js'
export type { MlflowClient, MlflowClientOptions, MlflowUploadBody } from './routes/mlflow/client.js'
export {
  fromMlflowExperiment,
  fromMlflowFileInfo,
  fromMlflowMetric,
  fromMlflowRun,
  fromMlflowRunInfo,
} from './routes/mlflow/tracking-dto.js'
export type {
  MlflowExperiment,
  MlflowFileInfo,
  MlflowMetric,
  MlflowRun,
  MlflowRunInfo,
} from './routes/mlflow/tracking-dto.js'
export { fromMlflowModelVersion, fromMlflowRegisteredModel } from './routes/mlflow/registry-dto.js'
export type {
  MlflowModelVersion,
  MlflowRegisteredModel,
  ModelVersionWireInfo,
  RegisteredModelWireInfo,
} from './routes/mlflow/registry-dto.js'
