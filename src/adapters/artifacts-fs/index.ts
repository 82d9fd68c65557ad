/**
 * @module adapters/artifacts-fs
 * The local-filesystem `ArtifactStore`: content-addressed blobs under
 * `<root>/blobs/<k[0..2]>/<k[2..4]>/<sha256>`, written atomically and durably through
 * `<root>/tmp/`, read with `O_NOFOLLOW` and re-verified against their key.
 */
export { DEFAULT_STALE_TEMP_AFTER_MS, fsArtifactConfigSchema } from './fs-config.js'
export type { FsArtifactConfig } from './fs-config.js'
export { createFsArtifactStore } from './fs-artifact-store.js'
export type { FsArtifactStoreDeps } from './fs-artifact-store.js'
