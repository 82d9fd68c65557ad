import {
  NotFoundError,
  PlatformError,
  ValidationError,
  newEventId,
  toWorkspaceId,
  type Clock,
  type RequestContext,
  type WorkspaceId,
} from '../core/index.js'
import type { EventBus, MetadataStore } from '../ports/index.js'
import type { CreateWorkspaceInput, Workspace } from './entities.js'
import { findWorkspaceRow, insertWorkspaceRow, listWorkspaceRows } from './repo.js'

/** Collaborators of the workspace service. */
export interface WorkspaceServiceDeps {
  readonly metadata: MetadataStore
  readonly events: EventBus
  readonly clock: Clock
}

const MAX_TEXT = 1000

/**
 * Workspaces (tenants). A `default` workspace always exists, so a single user never needs this.
 *
 * Access control arrives with authentication; until then every actor sees every workspace.
 */
export class WorkspaceService {
  constructor(private readonly deps: WorkspaceServiceDeps) {}

  /** Lists workspaces in id order. */
  async listWorkspaces(_ctx: RequestContext): Promise<Workspace[]> {
    return listWorkspaceRows(this.deps.metadata.db)
  }

  /** The workspace, or `undefined`. */
  async findWorkspace(_ctx: RequestContext, id: string): Promise<Workspace | undefined> {
    return findWorkspaceRow(this.deps.metadata.db, id)
  }

  /** The workspace; `NOT_FOUND` if absent. */
  async getWorkspace(ctx: RequestContext, id: string): Promise<Workspace> {
    const ws = await this.findWorkspace(ctx, id)
    if (ws === undefined) throw new NotFoundError(`workspace '${id}' not found`, { workspace: id })
    return ws
  }

  /**
   * Throws `NOT_FOUND` unless the context's workspace exists. Services of other domains call it
   * before writing into a workspace.
   */
  async requireContextWorkspace(ctx: RequestContext): Promise<WorkspaceId> {
    await this.getWorkspace(ctx, ctx.workspace)
    return ctx.workspace
  }

  /** Creates a workspace; `ALREADY_EXISTS` if the id is taken. Publishes `workspace.created`. */
  async createWorkspace(ctx: RequestContext, input: CreateWorkspaceInput): Promise<Workspace> {
    const id = toWorkspaceId(input.id, 'id')
    const displayName = input.displayName ?? id
    const description = input.description ?? ''
    const issues = []
    if (displayName.length === 0 || displayName.length > 200) {
      issues.push({ path: ['displayName'], code: 'too_long', message: 'must be 1–200 characters' })
    }
    if (description.length > MAX_TEXT) {
      issues.push({
        path: ['description'],
        code: 'too_long',
        message: `at most ${String(MAX_TEXT)} characters`,
      })
    }
    if (issues.length > 0) throw new ValidationError('invalid workspace', issues)

    const now = this.deps.clock.now()
    const inserted = await insertWorkspaceRow(this.deps.metadata.db, {
      id,
      display_name: displayName,
      description,
      created_at: now,
      created_by: ctx.actor,
      updated_at: now,
      updated_by: ctx.actor,
    })
    if (!inserted) {
      throw new PlatformError('ALREADY_EXISTS', `workspace '${id}' already exists`, {
        workspace: id,
      })
    }
    await this.deps.events.publish({
      id: newEventId(),
      type: 'workspace.created',
      workspace: id,
      actor: ctx.actor,
      occurredAt: now,
      payload: { name: id },
    })
    return this.getWorkspace(ctx, id)
  }
}
