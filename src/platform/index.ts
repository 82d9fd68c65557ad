/**
 * @module platform
 * The composition root: configuration, the adapter registry and `createPlatform`. The only
 * module that chooses adapters.
 */
export { CONFIG_FIELDS, CONFIG_FILE_NAME, configSchema, loadConfig } from './config.js'
export type { LoadConfigOptions, PlinthConfig } from './config.js'
export { createPlatform } from './create-platform.js'
export type { CreatePlatformOptions, Platform } from './create-platform.js'
export { createLogger } from './logger.js'
export { parseArtifactsUrl, parseMetadataUrl } from './registry.js'
export { servePlatform } from './serve.js'
export { readVersion } from './version.js'
