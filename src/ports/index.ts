/**
 * @module ports
 * The swappable backends, each a small interface with a contract suite in `ports/testing/`:
 * the metadata store (one Kysely schema and its migrations), the content-addressed artifact
 * store, and the domain event bus.
 */
export type { ArtifactStore, BlobInfo, ListOptions, PutOptions } from './artifact-store.js'
export type { EventBus, EventHandler, Unsubscribe } from './event-bus.js'
export { GuardedDriver } from './guarded-driver.js'
export type { GuardedDriverHooks } from './guarded-driver.js'
export {
  METADATA_MIGRATIONS,
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
  appliedMigrations,
  migrateToLatest,
} from './metadata-migrations.js'
export type { MetadataMigration, MigrationContext } from './metadata-migrations.js'
export type {
  ActorRow,
  ActorTable,
  ArtifactRow,
  ArtifactTable,
  DatasetRow,
  DatasetSchemaRow,
  DatasetSchemaTable,
  DatasetTable,
  DatasetVersionRow,
  DatasetVersionTable,
  MetadataSchema,
  NewDatasetVersionRow,
  NewArtifactRow,
  NewWorkspaceRow,
  WorkspaceRow,
  WorkspaceTable,
  WorkspaceUpdate,
} from './metadata-schema.js'
export type {
  IntegrityReport,
  MetadataDialect,
  MetadataStore,
  SchemaStatus,
} from './metadata-store.js'
export type { OpOptions } from './op-options.js'
export { assembleMetadataStore, createMetadataHandles } from './metadata-store-lifecycle.js'
export type { MetadataEngine } from './metadata-store-lifecycle.js'
