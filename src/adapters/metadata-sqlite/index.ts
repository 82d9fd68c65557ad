/**
 * @module adapters/metadata-sqlite
 * The SQLite metadata store: the `MetadataStore` port on one local file through better-sqlite3
 * (loaded lazily), in WAL mode with `synchronous=FULL`, so a write acknowledged by a committed
 * transaction survives a process crash. The default backend for a single machine.
 */
export { createSqliteMetadataStore } from './sqlite-metadata-store.js'
export type { SqliteMetadataStoreDeps } from './sqlite-metadata-store.js'
export { sqliteMetadataConfigSchema } from './sqlite-config.js'
export type { SqliteMetadataConfig } from './sqlite-config.js'
