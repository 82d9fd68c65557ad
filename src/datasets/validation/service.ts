import {
  NotFoundError,
  PlatformError,
  ValidationError,
  newEventId,
  type Clock,
  type RequestContext,
} from '../../core/index.js'
import type { EventBus, MetadataStore } from '../../ports/index.js'
import type { ReadOptions, SourceSpec } from '../engine/sources.js'
import type { DatasetService } from '../service.js'
import type { DriftThresholds } from './drift.js'
import { inferSchema, parseDatasetSchema, type DatasetSchema } from './schema.js'
import { validateTable, type AnomalyReport } from './validate.js'

declare module '../../core/index.js' {
  interface DomainEventMap {
    'dataset.schema.saved': {
      readonly datasetId: string
      readonly name: string
      readonly revision: number
    }
    'dataset.validated': {
      readonly datasetId: string
      readonly name: string
      readonly ok: boolean
      readonly anomalies: number
      readonly driftedColumns: readonly string[]
    }
  }
}

/** Collaborators of the validation service. */
export interface DatasetValidationServiceDeps {
  readonly metadata: MetadataStore
  readonly datasets: DatasetService
  readonly clock: Clock
  /** When given, `dataset.schema.saved` and `dataset.validated` are published. */
  readonly events?: EventBus
}

/** A saved schema revision. */
export interface StoredDatasetSchema {
  readonly datasetName: string
  /** 1, 2, 3…; the highest is current. */
  readonly revision: number
  readonly schema: DatasetSchema
  readonly inferredFromVersionId: string | null
  readonly createdAt: number
  readonly createdBy: string
}

/** What `validate` checks and against what. */
export interface ValidateInput {
  /** The dataset whose schema applies (and whose versions `@N` references name). */
  readonly dataset: string
  /** The batch: a stored version (`name@N`, or `@N` of `dataset`) or a file/table not ingested. */
  readonly against:
    { readonly ref: string } | { readonly source: SourceSpec; readonly options?: ReadOptions }
  /** A stored version to compare distributions with (drift); `@N` means a version of `dataset`. */
  readonly reference?: string
  /**
   * Which schema: `'saved'` (NOT_FOUND if none), `'inferred'` (from `reference`, which is then
   * required), or one given inline. Default: the saved schema if there is one, else none.
   */
  readonly schema?: 'saved' | 'inferred' | DatasetSchema
  /** Overrides of the drift thresholds. */
  readonly thresholds?: Partial<DriftThresholds>
}

/**
 * TFDV-style data validation: infer a schema from a version, save user-edited revisions of it,
 * and validate batches against the schema and, for drift, a reference version.
 *
 * Everything is scoped to `ctx.workspace`: datasets, versions and schemas of other workspaces
 * are NOT_FOUND.
 */
export class DatasetValidationService {
  constructor(private readonly deps: DatasetValidationServiceDeps) {}

  /** Infers a schema from the version `ref` (not saved; see {@link saveSchema}). */
  async inferSchema(ctx: RequestContext, ref: string): Promise<DatasetSchema> {
    const profile = await this.deps.datasets.getProfile(ctx, ref)
    return this.deps.datasets.withTables(ctx, { versions: { data: ref } }, (session) =>
      inferSchema(session, 'data', profile),
    )
  }

  /**
   * Infers a schema from version `ref` of dataset `datasetName` (`@N` or `name@N`) and saves it
   * as the next revision, recording the version it came from.
   */
  async inferAndSaveSchema(
    ctx: RequestContext,
    datasetName: string,
    ref: string,
  ): Promise<StoredDatasetSchema> {
    const full = ref.startsWith('@') ? `${datasetName}${ref}` : ref
    const version = await this.deps.datasets.getVersion(ctx, full)
    const schema = await this.inferSchema(ctx, full)
    return this.saveSchema(ctx, datasetName, schema, version.id)
  }

  /**
   * Checks `schema` (field-level `ValidationError` otherwise) and saves it as the next revision
   * of the dataset's schema. `inferredFromVersionId` must name a version of that dataset.
   */
  async saveSchema(
    ctx: RequestContext,
    datasetName: string,
    schema: unknown,
    inferredFromVersionId?: string,
  ): Promise<StoredDatasetSchema> {
    const parsed = parseDatasetSchema(schema)
    const ds = await this.deps.datasets.getDataset(ctx, datasetName)
    if (inferredFromVersionId !== undefined) {
      await this.deps.datasets.getVersion(ctx, `${ds.name}@${inferredFromVersionId}`)
    }
    const now = this.deps.clock.now()
    const json = JSON.stringify(parsed)
    let revision = 0
    // The revision is max + 1; a concurrent save may take it first (primary key), so retry.
    for (let attempt = 0; ; attempt++) {
      try {
        revision = await this.deps.metadata.transaction(async (trx) => {
          const row = await trx
            .selectFrom('dataset_schemas')
            .select((eb) => eb.fn.max('revision').as('max'))
            .where('workspace_id', '=', ctx.workspace)
            .where('dataset_id', '=', ds.id)
            .executeTakeFirst()
          const next = (row?.max ?? 0) + 1
          await trx
            .insertInto('dataset_schemas')
            .values({
              workspace_id: ctx.workspace,
              dataset_id: ds.id,
              revision: next,
              schema_json: json,
              inferred_from_version_id: inferredFromVersionId ?? null,
              created_at: now,
              created_by: ctx.actor,
            })
            .execute()
          return next
        })
        break
      } catch (err) {
        if (attempt >= 4) {
          throw new PlatformError('CONFLICT', 'could not save the schema', {}, { cause: err })
        }
      }
    }
    if (this.deps.events !== undefined) {
      await this.deps.events.publish({
        id: newEventId(),
        type: 'dataset.schema.saved',
        workspace: ctx.workspace,
        actor: ctx.actor,
        occurredAt: now,
        payload: { datasetId: ds.id, name: ds.name, revision },
      })
    }
    return {
      datasetName: ds.name,
      revision,
      schema: parsed,
      inferredFromVersionId: inferredFromVersionId ?? null,
      createdAt: now,
      createdBy: ctx.actor,
    }
  }

  /** The current (highest) schema revision, or undefined if none was saved. */
  async findSchema(
    ctx: RequestContext,
    datasetName: string,
  ): Promise<StoredDatasetSchema | undefined> {
    const ds = await this.deps.datasets.getDataset(ctx, datasetName)
    const row = await this.deps.metadata.db
      .selectFrom('dataset_schemas')
      .selectAll()
      .where('workspace_id', '=', ctx.workspace)
      .where('dataset_id', '=', ds.id)
      .orderBy('revision', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (row === undefined) return undefined
    let stored: unknown
    try {
      stored = JSON.parse(row.schema_json)
    } catch (err) {
      throw new PlatformError('INTERNAL', 'a saved schema is not valid JSON', {}, { cause: err })
    }
    return {
      datasetName: ds.name,
      revision: row.revision,
      schema: parseDatasetSchema(stored),
      inferredFromVersionId: row.inferred_from_version_id,
      createdAt: row.created_at,
      createdBy: row.created_by,
    }
  }

  /** The current schema; NOT_FOUND if the dataset has none. */
  async getSchema(ctx: RequestContext, datasetName: string): Promise<StoredDatasetSchema> {
    const s = await this.findSchema(ctx, datasetName)
    if (s === undefined) {
      throw new NotFoundError(`dataset '${datasetName}' has no saved schema`, {
        name: datasetName,
      })
    }
    return s
  }

  /** Validates a batch; see {@link validateTable} for the checks and drift rules. */
  async validate(ctx: RequestContext, input: ValidateInput): Promise<AnomalyReport> {
    const ds = await this.deps.datasets.getDataset(ctx, input.dataset)
    const qualify = (ref: string): string => (ref.startsWith('@') ? `${ds.name}${ref}` : ref)
    const referenceRef = input.reference === undefined ? undefined : qualify(input.reference)
    const schemaChoice = input.schema

    let schema: DatasetSchema | undefined
    if (schemaChoice === undefined) schema = (await this.findSchema(ctx, ds.name))?.schema
    else if (schemaChoice === 'saved') schema = (await this.getSchema(ctx, ds.name)).schema
    else if (schemaChoice === 'inferred') {
      if (referenceRef === undefined) {
        throw new ValidationError('an inferred schema needs a reference version', [
          { path: ['reference'], code: 'required', message: 'name the version to infer from' },
        ])
      }
      schema = await this.inferSchema(ctx, referenceRef)
    } else schema = parseDatasetSchema(schemaChoice)

    const profile =
      referenceRef === undefined
        ? undefined
        : await this.deps.datasets.getProfile(ctx, referenceRef)
    const against = input.against
    const versions: Record<string, string> = {}
    if ('ref' in against) versions['current'] = qualify(against.ref)
    if (referenceRef !== undefined) versions['reference'] = referenceRef
    const table = 'ref' in against ? 'current' : 'source'
    const report = await this.deps.datasets.withTables(
      ctx,
      {
        versions,
        ...('source' in against
          ? {
              source: {
                spec: against.source,
                ...(against.options === undefined ? {} : { options: against.options }),
              },
            }
          : {}),
      },
      (session) =>
        validateTable(session, table, {
          ...(schema === undefined ? {} : { schema }),
          ...(profile === undefined ? {} : { reference: { table: 'reference', profile } }),
          ...(input.thresholds === undefined ? {} : { thresholds: input.thresholds }),
        }),
    )
    if (this.deps.events !== undefined) {
      await this.deps.events.publish({
        id: newEventId(),
        type: 'dataset.validated',
        workspace: ctx.workspace,
        actor: ctx.actor,
        occurredAt: this.deps.clock.now(),
        payload: {
          datasetId: ds.id,
          name: ds.name,
          ok: report.ok,
          anomalies: report.anomalies.length,
          driftedColumns: [...new Set(report.drift.filter((d) => d.drifted).map((d) => d.column))],
        },
      })
    }
    return report
  }
}
