import type { FastifyRequest } from 'fastify'

import {
  LOCAL_ACTOR_ID,
  createContext,
  toWorkspaceId,
  type RequestContext,
  type RequestId,
} from '../core/index.js'
import { WORKSPACE_HEADER } from './schemas.js'

/**
 * The service context of a request: its workspace (from the `x-plinth-workspace` header, or
 * `default`) and its actor. Until authentication exists every request acts as the local user;
 * the auth layer will replace only this function's actor lookup.
 */
export function contextOf(req: FastifyRequest, signal?: AbortSignal): RequestContext {
  const header = req.headers[WORKSPACE_HEADER]
  const workspace = header === undefined ? undefined : toWorkspaceId(header, WORKSPACE_HEADER)
  return createContext({
    ...(workspace === undefined ? {} : { workspace }),
    actor: LOCAL_ACTOR_ID,
    requestId: req.id as RequestId,
    ...(signal === undefined ? {} : { signal }),
  })
}

/** An AbortSignal that fires when the client disconnects before the response is sent. */
export function clientGoneSignal(req: FastifyRequest): AbortSignal {
  const ac = new AbortController()
  req.raw.once('close', () => {
    if (!req.raw.complete || !req.raw.socket.writable) ac.abort(new Error('client disconnected'))
  })
  return ac.signal
}
