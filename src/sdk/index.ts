/**
 * @module sdk
 * Plinth's TypeScript SDK: `createPlinth()` gives `{ tracking, registry, datasets }`, embedded
 * (over a `Platform` in this process) or remote (over a Plinth server's HTTP API: for tracking and
 * the registry, the same requests an MLflow client sends). Runs are explicit handles with buffered
 * metric logging.
 *
 * @example
 * ```ts
 * import { createPlinth } from 'plinth/sdk'
 *
 * const plinth = createPlinth({ url: 'http://127.0.0.1:7700' })
 * const run = await plinth.tracking.startRun({ experiment: 'churn', seed: 42 })
 * await run.logParams({ maxIter: 100 })
 * for (let i = 0; i < 100; i++) run.logMetric('loss', 1 / (i + 1), i)
 * await run.end()
 * await plinth.registry.registerModel({ name: 'churn', source: `runs:/${run.runId}/model` })
 * await plinth.close()
 * ```
 */
export { createPlinth } from './create-plinth.js'
export type {
  CreatePlinthOptions,
  EmbeddedPlinthOptions,
  Plinth,
  RemotePlinthOptions,
} from './create-plinth.js'
export { createRemoteTrackingBackend } from './remote-tracking.js'
export { createEmbeddedRegistryClient, createRemoteRegistryClient } from './registry-client.js'
export type {
  ModelVersionInfo,
  RegisterModelInput,
  RegisteredModelInfo,
  RegistryClient,
} from './registry-client.js'
export { createEmbeddedDatasetsClient } from './embedded-datasets.js'
export { createRemoteDatasetsClient } from './remote-datasets.js'
export type {
  DatasetColumn,
  DatasetDetails,
  DatasetExport,
  DatasetInfo,
  DatasetIngestInput,
  DatasetIngestResult,
  DatasetListItem,
  DatasetRows,
  DatasetSplitResult,
  DatasetVersionInfo,
  DatasetVersionRef,
  DatasetsClient,
} from './datasets-client.js'
