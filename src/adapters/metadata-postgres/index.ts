/**
 * @module adapters/metadata-postgres
 * The PostgreSQL metadata store: the `MetadataStore` port on a pg connection pool (loaded
 * lazily), optionally confined to one PostgreSQL schema, with `int8` read back as JS numbers.
 * The backend for a shared, multi-user installation.
 */
export { createPostgresMetadataStore } from './postgres-metadata-store.js'
export type { PostgresMetadataStoreDeps } from './postgres-metadata-store.js'
export { postgresMetadataConfigSchema } from './postgres-config.js'
export type { PostgresMetadataConfig } from './postgres-config.js'
