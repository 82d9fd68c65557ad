import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely'

import { PlatformError } from '../core/index.js'
import type { MetadataDialect } from './metadata-store.js'

/** What a migration may depend on besides the database handle. */
export interface MigrationContext {
  readonly dialect: MetadataDialect
  /** Epoch ms used for rows a migration seeds. */
  readonly now: number
}

/**
 * A schema step. Migrations are append-only: never edit one that has shipped; add the next.
 *
 * Migrations are atomic: PostgreSQL runs each in its own transaction, under an advisory lock;
 * the SQLite adapter runs all pending ones in a single `BEGIN IMMEDIATE` transaction, so a crash
 * mid-migration leaves the previous schema intact and a second process waits its turn.
 */
export interface MetadataMigration {
  /** `NNNN_snake_case`; the order is the lexical order of names. */
  readonly name: string
  up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>
}

/** Bookkeeping tables, named so they never collide with a user's tables in a shared database. */
export const MIGRATION_TABLE = 'plinth_migrations'
export const MIGRATION_LOCK_TABLE = 'plinth_migrations_lock'

const foundation: MetadataMigration = {
  name: '0001_foundation',
  async up(db, ctx) {
    await db.schema
      .createTable('workspaces')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('actors')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('artifacts')
      .addColumn('workspace_id', 'text', (c) =>
        c.notNull().references('workspaces.id').onDelete('restrict'),
      )
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('content_key', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('media_type', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('artifacts_pk', ['workspace_id', 'id'])
      .execute()
    await db.schema
      .createIndex('artifacts_by_time')
      .on('artifacts')
      .columns(['workspace_id', 'created_at', 'id'])
      .execute()
    await db.schema
      .createIndex('artifacts_by_content')
      .on('artifacts')
      .column('content_key')
      .execute()

    // Seeded rows: a single user works in `default` as `local` without ever creating them.
    const actors = [
      { id: 'system', display_name: 'Plinth', kind: 'system' },
      { id: 'local', display_name: 'Local user', kind: 'local' },
    ]
    const kdb = db as Kysely<{
      actors: {
        id: string
        display_name: string
        kind: string
        created_at: number
        created_by: string
      }
      workspaces: {
        id: string
        display_name: string
        description: string
        created_at: number
        created_by: string
        updated_at: number
        updated_by: string
      }
    }>
    await kdb
      .insertInto('actors')
      .values(actors.map((a) => ({ ...a, created_at: ctx.now, created_by: 'system' })))
      .execute()
    await kdb
      .insertInto('workspaces')
      .values({
        id: 'default',
        display_name: 'Default',
        description: 'The workspace used when none is chosen.',
        created_at: ctx.now,
        created_by: 'system',
        updated_at: ctx.now,
        updated_by: 'system',
      })
      .execute()
  },
}

const datasets: MetadataMigration = {
  name: '0002_datasets',
  async up(db) {
    await db.schema
      .createTable('datasets')
      .addColumn('workspace_id', 'text', (c) =>
        c.notNull().references('workspaces.id').onDelete('restrict'),
      )
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('datasets_pk', ['workspace_id', 'id'])
      .addUniqueConstraint('datasets_name_unique', ['workspace_id', 'name'])
      .execute()
    await db.schema
      .createTable('dataset_versions')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('dataset_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('content_key', 'text', (c) => c.notNull())
      .addColumn('size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('row_count', 'bigint', (c) => c.notNull())
      .addColumn('column_count', 'integer', (c) => c.notNull())
      .addColumn('schema_json', 'text', (c) => c.notNull())
      .addColumn('profile_json', 'text')
      .addColumn('source_uri', 'text', (c) => c.notNull())
      .addColumn('source_format', 'text', (c) => c.notNull())
      .addColumn('parent_version_id', 'text')
      .addColumn('lineage_json', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('dataset_versions_pk', ['workspace_id', 'id'])
      .addUniqueConstraint('dataset_versions_number_unique', [
        'workspace_id',
        'dataset_id',
        'version',
      ])
      .addUniqueConstraint('dataset_versions_digest_unique', [
        'workspace_id',
        'dataset_id',
        'digest',
      ])
      .addForeignKeyConstraint(
        'dataset_versions_dataset_fk',
        ['workspace_id', 'dataset_id'],
        'datasets',
        ['workspace_id', 'id'],
        (fk) => fk.onDelete('restrict'),
      )
      .execute()
    await db.schema
      .createTable('dataset_schemas')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('dataset_id', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('schema_json', 'text', (c) => c.notNull())
      .addColumn('inferred_from_version_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('dataset_schemas_pk', ['workspace_id', 'dataset_id', 'revision'])
      .addForeignKeyConstraint(
        'dataset_schemas_dataset_fk',
        ['workspace_id', 'dataset_id'],
        'datasets',
        ['workspace_id', 'id'],
        (fk) => fk.onDelete('restrict'),
      )
      .execute()
  },
}

const tracking: MetadataMigration = {
  name: '0003_tracking',
  async up(db, ctx) {
    await db.schema
      .createTable('experiments')
      .addColumn('workspace_id', 'text', (c) =>
        c.notNull().references('workspaces.id').onDelete('restrict'),
      )
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('artifact_location', 'text', (c) => c.notNull())
      .addColumn('lifecycle_stage', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('experiments_pk', ['workspace_id', 'id'])
      .addUniqueConstraint('experiments_name_unique', ['workspace_id', 'name'])
      .addUniqueConstraint('experiments_seq_unique', ['seq'])
      .execute()
    await db.schema
      .createTable('experiment_tags')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('experiment_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('experiment_tags_pk', ['workspace_id', 'experiment_id', 'key'])
      .addForeignKeyConstraint(
        'experiment_tags_experiment_fk',
        ['workspace_id', 'experiment_id'],
        'experiments',
        ['workspace_id', 'id'],
        (fk) => fk.onDelete('cascade'),
      )
      .execute()
    await db.schema
      .createTable('runs')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('experiment_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('start_time', 'bigint', (c) => c.notNull())
      .addColumn('end_time', 'bigint')
      .addColumn('lifecycle_stage', 'text', (c) => c.notNull())
      .addColumn('artifact_uri', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('runs_pk', ['workspace_id', 'id'])
      .addForeignKeyConstraint(
        'runs_experiment_fk',
        ['workspace_id', 'experiment_id'],
        'experiments',
        ['workspace_id', 'id'],
        (fk) => fk.onDelete('restrict'),
      )
      .execute()
    // search_runs scans one experiment's runs in start_time order (MLflow's default order).
    await db.schema
      .createIndex('runs_by_experiment')
      .on('runs')
      .columns(['workspace_id', 'experiment_id', 'lifecycle_stage', 'start_time', 'id'])
      .execute()
    for (const table of ['run_params', 'run_tags'] as const) {
      await db.schema
        .createTable(table)
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint(`${table}_pk`, ['workspace_id', 'run_id', 'key'])
        .addForeignKeyConstraint(
          `${table}_run_fk`,
          ['workspace_id', 'run_id'],
          'runs',
          ['workspace_id', 'id'],
          (fk) => fk.onDelete('cascade'),
        )
        .execute()
      // Filters such as `params.lr = '0.1'` look rows up by key and value.
      await db.schema
        .createIndex(`${table}_by_key_value`)
        .on(table)
        .columns(['workspace_id', 'key', 'value'])
        .execute()
    }
    // Append-only history: no key, duplicates allowed (a point may be logged twice).
    await db.schema
      .createTable('run_metrics')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'double precision', (c) => c.notNull())
      .addColumn('is_nan', 'integer', (c) => c.notNull())
      .addColumn('timestamp', 'bigint', (c) => c.notNull())
      .addColumn('step', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('run_metrics_by_run_key')
      .on('run_metrics')
      .columns(['workspace_id', 'run_id', 'key', 'step', 'timestamp'])
      .execute()
    await db.schema
      .createTable('latest_metrics')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'double precision', (c) => c.notNull())
      .addColumn('is_nan', 'integer', (c) => c.notNull())
      .addColumn('timestamp', 'bigint', (c) => c.notNull())
      .addColumn('step', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('latest_metrics_pk', ['workspace_id', 'run_id', 'key'])
      .execute()
    // A metric filter (`metrics.auc > 0.8`) or order scans one key's values.
    await db.schema
      .createIndex('latest_metrics_by_key_value')
      .on('latest_metrics')
      .columns(['workspace_id', 'key', 'value', 'run_id'])
      .execute()
    await db.schema
      .createTable('run_inputs')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('dataset_name', 'text', (c) => c.notNull())
      .addColumn('dataset_digest', 'text', (c) => c.notNull())
      .addColumn('context', 'text', (c) => c.notNull())
      .addColumn('source_type', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('schema_json', 'text', (c) => c.notNull())
      .addColumn('profile_json', 'text', (c) => c.notNull())
      .addColumn('tags_json', 'text', (c) => c.notNull())
      .addColumn('dataset_version_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('run_inputs_pk', [
        'workspace_id',
        'run_id',
        'dataset_name',
        'dataset_digest',
        'context',
      ])
      .addForeignKeyConstraint(
        'run_inputs_run_fk',
        ['workspace_id', 'run_id'],
        'runs',
        ['workspace_id', 'id'],
        (fk) => fk.onDelete('cascade'),
      )
      .execute()
    // Lineage: from a dataset version to the runs that used it.
    await db.schema
      .createIndex('run_inputs_by_dataset_version')
      .on('run_inputs')
      .columns(['workspace_id', 'dataset_version_id'])
      .execute()
    await db.schema
      .createTable('run_artifacts')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('content_key', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('media_type', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('run_artifacts_pk', ['workspace_id', 'run_id', 'path'])
      .addForeignKeyConstraint(
        'run_artifacts_run_fk',
        ['workspace_id', 'run_id'],
        'runs',
        ['workspace_id', 'id'],
        (fk) => fk.onDelete('cascade'),
      )
      .execute()
    await db.schema
      .createIndex('run_artifacts_by_content')
      .on('run_artifacts')
      .column('content_key')
      .execute()

    // MLflow clients log to experiment "0" when none is chosen: the default workspace has it.
    await (
      db as Kysely<{
        experiments: {
          workspace_id: string
          id: string
          seq: number
          name: string
          artifact_location: string
          lifecycle_stage: string
          created_at: number
          created_by: string
          updated_at: number
          updated_by: string
        }
      }>
    )
      .insertInto('experiments')
      .values({
        workspace_id: 'default',
        id: '0',
        seq: 0,
        name: 'Default',
        artifact_location: 'mlflow-artifacts:/0',
        lifecycle_stage: 'active',
        created_at: ctx.now,
        created_by: 'system',
        updated_at: ctx.now,
        updated_by: 'system',
      })
      .execute()
  },
}

const registry: MetadataMigration = {
  name: '0004_registry',
  async up(db) {
    await db.schema
      .createTable('registered_models')
      .addColumn('workspace_id', 'text', (c) =>
        c.notNull().references('workspaces.id').onDelete('restrict'),
      )
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('last_version', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('registered_models_pk', ['workspace_id', 'id'])
      .addUniqueConstraint('registered_models_name_unique', ['workspace_id', 'name'])
      .execute()
    await db.schema
      .createTable('registered_model_tags')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('model_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('registered_model_tags_pk', ['workspace_id', 'model_id', 'key'])
      .addForeignKeyConstraint(
        'registered_model_tags_model_fk',
        ['workspace_id', 'model_id'],
        'registered_models',
        ['workspace_id', 'id'],
        (fk) => fk.onDelete('cascade'),
      )
      .execute()
    await db.schema
      .createTable('model_versions')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('model_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('run_id', 'text')
      .addColumn('run_link', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('status_message', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('stage', 'text', (c) => c.notNull().defaultTo('None'))
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('flavor', 'text', (c) => c.notNull())
      .addColumn('model_kind', 'text')
      .addColumn('model_path', 'text')
      .addColumn('signature_json', 'text')
      .addColumn('input_example_json', 'text')
      .addColumn('metrics_json', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('model_versions_pk', ['workspace_id', 'id'])
      .addUniqueConstraint('model_versions_number_unique', ['workspace_id', 'model_id', 'version'])
      .addForeignKeyConstraint(
        'model_versions_model_fk',
        ['workspace_id', 'model_id'],
        'registered_models',
        ['workspace_id', 'id'],
        (fk) => fk.onDelete('cascade'),
      )
      .execute()
    await db.schema
      .createIndex('model_versions_by_run')
      .on('model_versions')
      .columns(['workspace_id', 'run_id'])
      .execute()
    await db.schema
      .createTable('model_version_tags')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('version_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('model_version_tags_pk', ['workspace_id', 'version_id', 'key'])
      .addForeignKeyConstraint(
        'model_version_tags_version_fk',
        ['workspace_id', 'version_id'],
        'model_versions',
        ['workspace_id', 'id'],
        (fk) => fk.onDelete('cascade'),
      )
      .execute()
    await db.schema
      .createTable('model_version_datasets')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('version_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('dataset_name', 'text', (c) => c.notNull())
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('context', 'text', (c) => c.notNull())
      .addColumn('dataset_version_id', 'text')
      .addPrimaryKeyConstraint('model_version_datasets_pk', [
        'workspace_id',
        'version_id',
        'position',
      ])
      .addForeignKeyConstraint(
        'model_version_datasets_version_fk',
        ['workspace_id', 'version_id'],
        'model_versions',
        ['workspace_id', 'id'],
        (fk) => fk.onDelete('cascade'),
      )
      .execute()
    await db.schema
      .createIndex('model_version_datasets_by_dataset_version')
      .on('model_version_datasets')
      .columns(['workspace_id', 'dataset_version_id'])
      .execute()
    await db.schema
      .createTable('registered_model_aliases')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('model_id', 'text', (c) => c.notNull())
      .addColumn('alias', 'text', (c) => c.notNull())
      .addColumn('version_id', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('registered_model_aliases_pk', ['workspace_id', 'model_id', 'alias'])
      .addForeignKeyConstraint(
        'registered_model_aliases_model_fk',
        ['workspace_id', 'model_id'],
        'registered_models',
        ['workspace_id', 'id'],
        (fk) => fk.onDelete('cascade'),
      )
      .addForeignKeyConstraint(
        'registered_model_aliases_version_fk',
        ['workspace_id', 'version_id'],
        'model_versions',
        ['workspace_id', 'id'],
        (fk) => fk.onDelete('cascade'),
      )
      .execute()
    // No foreign key: the history outlives the models and versions it describes.
    await db.schema
      .createTable('registry_audit')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('model_id', 'text', (c) => c.notNull())
      .addColumn('model_name', 'text', (c) => c.notNull())
      .addColumn('version', 'integer')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('alias', 'text')
      .addColumn('from_value', 'text')
      .addColumn('to_value', 'text')
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('registry_audit_pk', ['workspace_id', 'id'])
      .execute()
    await db.schema
      .createIndex('registry_audit_by_model')
      .on('registry_audit')
      .columns(['workspace_id', 'model_id', 'at', 'id'])
      .execute()
  },
}

/** Every migration this build knows, in order. */
export const METADATA_MIGRATIONS: readonly MetadataMigration[] = Object.freeze([
  foundation,
  datasets,
  tracking,
  registry,
])

/**
 * Brings the schema to the latest version this build knows; safe to call on every start.
 *
 * Refuses (`FAILED_PRECONDITION`, nothing changed) when the database records migrations this
 * build does not know: a newer Plinth has been there, and running older code on it could damage
 * data.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  ctx: MigrationContext,
  migrations: readonly MetadataMigration[] = METADATA_MIGRATIONS,
): Promise<readonly string[]> {
  const provider: MigrationProvider = {
    getMigrations: () =>
      Promise.resolve(
        Object.fromEntries(
          migrations.map((m): [string, Migration] => [m.name, { up: (d) => m.up(d, ctx) }]),
        ),
      ),
  }
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  })
  // Two processes may start on one new database together; the loser of the race sees the
  // winner's migrations as applied on its next attempt.
  for (let attempt = 1; ; attempt++) {
    await assertNotNewer(db, migrations)
    const { error } = await migrator.migrateToLatest()
    if (error === undefined) break
    if (attempt >= 3) {
      throw new PlatformError(
        'UNAVAILABLE',
        'could not migrate the metadata database',
        { reason: error instanceof Error ? error.message : 'unknown error' },
        { cause: error },
      )
    }
  }
  return appliedMigrations(db)
}

/** Names of the migrations recorded in the database, in order (empty for a new database). */
export async function appliedMigrations(db: Kysely<unknown>): Promise<readonly string[]> {
  const tables = await db.introspection.getTables()
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return []
  const rows = await (db as Kysely<Record<typeof MIGRATION_TABLE, { name: string }>>)
    .selectFrom(MIGRATION_TABLE)
    .select('name')
    .orderBy('name')
    .execute()
  return rows.map((r) => r.name)
}

async function assertNotNewer(
  db: Kysely<unknown>,
  migrations: readonly MetadataMigration[],
): Promise<void> {
  const known = new Set(migrations.map((m) => m.name))
  const unknown = (await appliedMigrations(db)).filter((name) => !known.has(name))
  if (unknown.length > 0) {
    throw new PlatformError(
      'FAILED_PRECONDITION',
      'the metadata database was written by a newer version of Plinth; upgrade Plinth to use it',
      { unknownMigrations: unknown, latestKnown: migrations.at(-1)?.name ?? null },
    )
  }
}
