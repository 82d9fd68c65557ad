/**
 * @module workspaces
 * Tenancy: workspaces, the scope of every entity. The lowest domain; every other domain may
 * use it to check the workspace of a request.
 */
export type { CreateWorkspaceInput, Workspace } from './entities.js'
export { WorkspaceService } from './service.js'
export type { WorkspaceServiceDeps } from './service.js'
