/**
 * @module core
 * The dependency-free base: errors, branded ids, request context, clock, seeded RNG, the logger
 * seam, domain-event types, abort and assert helpers. Imports `node:` built-ins only.
 */
export { throwIfAborted } from './abort.js'
export { assert, assertNever } from './assert.js'
export { createFakeClock, systemClock } from './clock.js'
export type { Clock, FakeClock } from './clock.js'
export { createContext } from './context.js'
export type { RequestContext } from './context.js'
export {
  CancelledError,
  ERROR_CODES,
  NotFittedError,
  NotFoundError,
  PlatformError,
  ValidationError,
  isPlatformError,
  toPlatformError,
  validationErrorFromIssues,
} from './errors.js'
export type { ErrorBody, ErrorCode, SchemaIssueLike, ValidationIssue } from './errors.js'
export type { DomainEvent, DomainEventMap, DomainEventType } from './events.js'
export {
  DEFAULT_WORKSPACE_ID,
  LOCAL_ACTOR_ID,
  SLUG_PATTERN,
  SYSTEM_ACTOR_ID,
  isContentKey,
  newArtifactId,
  newEventId,
  newRequestId,
  toActorId,
  toArtifactId,
  toContentKey,
  toWorkspaceId,
} from './ids.js'
export type {
  ActorId,
  ArtifactId,
  Brand,
  ContentKey,
  EventId,
  RequestId,
  WorkspaceId,
} from './ids.js'
export { silentLogger } from './logger.js'
export type { LogFn, Logger } from './logger.js'
export { createRng } from './rng.js'
export type { Rng } from './rng.js'
