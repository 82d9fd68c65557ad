import type { ActorId, WorkspaceId } from '../core/index.js'

/** A tenant: every entity lives in exactly one workspace. */
export interface Workspace {
  readonly id: WorkspaceId
  readonly displayName: string
  readonly description: string
  readonly createdAt: number
  readonly createdBy: ActorId
  readonly updatedAt: number
  readonly updatedBy: ActorId
}

/** Input of `createWorkspace`. */
export interface CreateWorkspaceInput {
  /** A slug: lowercase letters, digits and dashes, 1–63 characters. */
  readonly id: string
  /** @default the id */
  readonly displayName?: string
  /** @default '' */
  readonly description?: string
}
