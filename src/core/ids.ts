import { randomUUID } from 'node:crypto'

import { ValidationError } from './errors.js'

/**
 * Branded identifiers: a `RunId` cannot be passed where a `WorkspaceId` is expected.
 *
 * Ids minted by Plinth are UUIDv4 strings without dashes (32 lowercase hex characters, the form
 * MLflow uses for run ids). Workspace ids are human slugs (`default`, `team-a`).
 */
export type Brand<T, B extends string> = T & { readonly __brand: B }

export type WorkspaceId = Brand<string, 'WorkspaceId'>
export type ActorId = Brand<string, 'ActorId'>
export type ArtifactId = Brand<string, 'ArtifactId'>
/** A content address: the lowercase hex SHA-256 of the bytes. */
export type ContentKey = Brand<string, 'ContentKey'>
export type EventId = Brand<string, 'EventId'>
export type RequestId = Brand<string, 'RequestId'>

/** The workspace every installation has; single users never see another. */
export const DEFAULT_WORKSPACE_ID = 'default' as WorkspaceId
/** The actor recorded for writes made without authentication (the local user). */
export const LOCAL_ACTOR_ID = 'local' as ActorId
/** The actor recorded for writes Plinth makes by itself (migrations, schedules). */
export const SYSTEM_ACTOR_ID = 'system' as ActorId

const HEX32 = /^[0-9a-f]{32}$/
const HEX64 = /^[0-9a-f]{64}$/
/** Slug grammar for workspace and actor ids: lowercase, digits and dashes, 1–63 characters. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

function newHexId(): string {
  return randomUUID().replaceAll('-', '')
}

/** Mints a new artifact id. */
export function newArtifactId(): ArtifactId {
  return newHexId() as ArtifactId
}
/** Mints a new event id. */
export function newEventId(): EventId {
  return newHexId() as EventId
}
/** Mints a new request id. */
export function newRequestId(): RequestId {
  return newHexId() as RequestId
}

function check(
  pattern: RegExp,
  what: string,
  field: string,
  value: unknown,
): asserts value is string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ValidationError(`invalid ${what}`, [
      { path: [field], code: 'invalid_format', message: `expected ${what}` },
    ])
  }
}

/** Validates and brands a workspace id (a slug). */
export function toWorkspaceId(value: unknown, field = 'workspace'): WorkspaceId {
  check(SLUG_PATTERN, 'workspace id (lowercase slug, 1–63 chars)', field, value)
  return value as WorkspaceId
}
/** Validates and brands an actor id (a slug). */
export function toActorId(value: unknown, field = 'actor'): ActorId {
  check(SLUG_PATTERN, 'actor id (lowercase slug, 1–63 chars)', field, value)
  return value as ActorId
}
/** Validates and brands an artifact id (32 hex characters). */
export function toArtifactId(value: unknown, field = 'id'): ArtifactId {
  check(HEX32, 'artifact id (32 hex characters)', field, value)
  return value as ArtifactId
}
/** Validates and brands a content key (64 lowercase hex characters). */
export function toContentKey(value: unknown, field = 'key'): ContentKey {
  check(HEX64, 'content key (64 lowercase hex characters)', field, value)
  return value as ContentKey
}
/** True when `value` is a well-formed content key. */
export function isContentKey(value: unknown): value is ContentKey {
  return typeof value === 'string' && HEX64.test(value)
}
