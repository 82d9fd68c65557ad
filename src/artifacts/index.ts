/**
 * @module artifacts
 * Named, workspace-scoped files over the content-addressed artifact store. Higher domains
 * (datasets, tracking, registry) keep their bytes here.
 */
export type { Artifact, ListArtifactsOptions, Page, PutArtifactInput } from './entities.js'
export { ArtifactService } from './service.js'
export type { ArtifactServiceDeps } from './service.js'
