/**
 * @module plinth
 * Plinth embedded in a TypeScript program: load the configuration, create the platform, and
 * call its services with a request context.
 *
 * @example
 * ```ts
 * import { createContext, createPlatform, loadConfig } from 'plinth'
 *
 * const platform = await createPlatform(loadConfig())
 * const ctx = createContext()
 * const workspaces = await platform.services.workspaces.listWorkspaces(ctx)
 * await platform.close()
 * ```
 */
export {
  CancelledError,
  NotFoundError,
  PlatformError,
  ValidationError,
  createContext,
  isPlatformError,
  toWorkspaceId,
} from './core/index.js'
export type { ErrorCode, RequestContext, ValidationIssue, WorkspaceId } from './core/index.js'
export { createPlatform, loadConfig, servePlatform } from './platform/index.js'
export type {
  CreatePlatformOptions,
  LoadConfigOptions,
  Platform,
  PlinthConfig,
} from './platform/index.js'
export { createPlinth } from './sdk/index.js'
export type { CreatePlinthOptions, Plinth } from './sdk/index.js'
export type { Artifact } from './artifacts/index.js'
export { parseModelUri, renderModelCardMarkdown } from './registry/index.js'
export type {
  ModelCard,
  ModelUri,
  ModelVersion,
  RegisteredModel,
  RegistryAuditEvent,
} from './registry/index.js'
export type { Workspace } from './workspaces/index.js'
export { createEmbeddedBackend, createTrackingClient, trackedFit } from './tracking/index.js'
export type {
  Experiment,
  Metric,
  Run,
  RunHandle,
  RunInfo,
  RunStatus,
  StartRunInput,
  TrackedFitOptions,
  TrackingBackend,
  TrackingClient,
  TrackingClientOptions,
} from './tracking/index.js'
