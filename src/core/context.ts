import {
  DEFAULT_WORKSPACE_ID,
  LOCAL_ACTOR_ID,
  newRequestId,
  type ActorId,
  type RequestId,
  type WorkspaceId,
} from './ids.js'

/**
 * Who is acting, in which workspace: passed as the first argument of every service method.
 *
 * Every entity lives in a workspace (tenant) and every write records its actor. Authentication
 * (a later layer) only changes how the HTTP edge fills this in; services never look elsewhere.
 */
export interface RequestContext {
  readonly workspace: WorkspaceId
  readonly actor: ActorId
  readonly requestId: RequestId
  /** Fires when the caller goes away or a deadline passes. */
  readonly signal?: AbortSignal
}

/**
 * Builds a frozen context; defaults to the `default` workspace and the local actor.
 *
 * @example
 * ```ts
 * const ctx = createContext({ workspace: toWorkspaceId('team-a') })
 * ```
 */
export function createContext(
  init: {
    readonly workspace?: WorkspaceId
    readonly actor?: ActorId
    readonly requestId?: RequestId
    readonly signal?: AbortSignal
  } = {},
): RequestContext {
  const ctx: RequestContext = {
    workspace: init.workspace ?? DEFAULT_WORKSPACE_ID,
    actor: init.actor ?? LOCAL_ACTOR_ID,
    requestId: init.requestId ?? newRequestId(),
    ...(init.signal === undefined ? {} : { signal: init.signal }),
  }
  return Object.freeze(ctx)
}
