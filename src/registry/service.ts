import { randomUUID } from 'node:crypto'

import { NotFoundError, ValidationError, type RequestContext } from '../core/index.js'
import type { Predictor } from '../ml/index.js'
import type {
  CreateModelVersionInput,
  CreateRegisteredModelInput,
  ListAuditEventsOptions,
  ModelVersion,
  RegisteredModel,
  RegistryAuditEvent,
  RegistryPage,
  SearchModelVersionsOptions,
  SearchRegisteredModelsOptions,
} from './entities.js'
import './events.js'
import {
  checkAliasName,
  checkModelName,
  checkStage,
  checkTagKey,
  checkTagValue,
  checkTags,
  checkText,
  checkVersionNumber,
  parseModelUri,
  parseRunsUri,
} from './names.js'
import {
  lineageOfDatasetVersion,
  lineageOfModelVersion,
  type DatasetVersionLineage,
  type LineageSources,
  type ModelVersionLineage,
} from './lineage.js'
import { loadPredictor, loadRunModel } from './load.js'
import { buildModelCard, type ModelCard } from './model-card.js'
import {
  RegistryOps,
  aliasNotFound,
  alreadyExists,
  checkMaxResults,
  isUniqueViolation,
  modelNotFound,
  type RegistryServiceDeps,
} from './ops.js'
import { deleteRegisteredModelAlias, setRegisteredModelAlias } from './aliases.js'
import { createModelVersion, deleteModelVersion, transitionModelVersionStage } from './versions.js'
import {
  MODEL_FILTER_SPEC,
  MODEL_ORDER_KEYS,
  VERSION_FILTER_SPEC,
  VERSION_ORDER_KEYS,
  searchModelRows,
  searchVersionRows,
} from './repo-search.js'
import {
  deleteModelRow,
  deleteModelTagRow,
  deleteVersionTagRow,
  findLatestVersionRow,
  findModelRowByName,
  insertModelRow,
  loadModels,
  loadVersions,
  setModelTagRow,
  setVersionTagRow,
  touchModelRow,
  updateModelRow,
  updateVersionRow,
  type Db,
} from './repo.js'
import { findDeletedModelId, listAuditRows } from './repo-audit.js'
import { findAliasRow } from './repo-aliases.js'
import { decodeOffsetToken, encodeOffsetToken, parseFilter, parseOrderBy } from './search-filter.js'

/**
 * The model registry: registered models, numbered versions, tags, aliases, legacy stages and an
 * audit history of every alias move and stage or status change. Its operations follow MLflow's
 * model-registry API, so the MLflow REST layer maps onto it one to one.
 *
 * Writes run in a metadata transaction together with their audit rows, then publish a domain
 * event. Unknown models and versions are `NOT_FOUND`, taken names `ALREADY_EXISTS`, bad input
 * `INVALID_ARGUMENT` with every issue found.
 */
export class RegistryService {
  readonly #ops: RegistryOps

  constructor(readonly deps: RegistryServiceDeps) {
    this.#ops = new RegistryOps(deps)
  }

  private get db(): Db {
    return this.deps.metadata.db
  }

  // -------------------------------------------------------------------------------------------
  // Registered models

  /** Creates a registered model; `ALREADY_EXISTS` if the name is taken in the workspace. */
  async createRegisteredModel(
    ctx: RequestContext,
    input: CreateRegisteredModelInput,
  ): Promise<RegisteredModel> {
    const name = checkModelName(input.name)
    const description = checkText(input.description ?? '', 'description')
    const tags = checkTags(input.tags)
    const ws = await this.deps.workspaces.requireContextWorkspace(ctx)
    const now = this.deps.clock.now()
    const id = randomUUID().replaceAll('-', '')
    await this.deps.metadata.transaction(async (trx) => {
      const row = {
        workspace_id: ws,
        id,
        name,
        description,
        created_at: now,
        created_by: ctx.actor,
        updated_at: now,
        updated_by: ctx.actor,
      }
      if (!(await insertModelRow(trx, row, tags))) throw alreadyExists(name)
      await this.#ops.audit(trx, ctx, now, [
        { modelId: id, modelName: name, action: 'model.created' },
      ])
    })
    await this.#ops.publish(ctx, 'model.created', { modelId: id, name })
    return this.getRegisteredModel(ctx, name)
  }

  /** The model, or `undefined`. */
  async findRegisteredModel(
    ctx: RequestContext,
    name: string,
  ): Promise<RegisteredModel | undefined> {
    const row = await findModelRowByName(this.db, ctx.workspace, checkModelName(name))
    if (row === undefined) return undefined
    const [model] = await loadModels(this.db, ctx.workspace, [row])
    return model
  }

  /** The model; `NOT_FOUND` if absent. */
  async getRegisteredModel(ctx: RequestContext, name: string): Promise<RegisteredModel> {
    const model = await this.findRegisteredModel(ctx, name)
    if (model === undefined) throw modelNotFound(name)
    return model
  }

  /** Renames the model; `ALREADY_EXISTS` if the new name is taken. Versions follow. */
  async renameRegisteredModel(
    ctx: RequestContext,
    name: string,
    newName: string,
  ): Promise<RegisteredModel> {
    const to = checkModelName(newName, 'newName')
    const row = await this.#ops.requireModelRow(ctx, name)
    if (to === row.name) return this.getRegisteredModel(ctx, to)
    const now = this.deps.clock.now()
    try {
      await this.deps.metadata.transaction(async (trx) => {
        if ((await findModelRowByName(trx, ctx.workspace, to)) !== undefined) {
          throw alreadyExists(to)
        }
        await updateModelRow(trx, ctx.workspace, row.id, {
          name: to,
          updated_at: now,
          updated_by: ctx.actor,
        })
        await this.#ops.audit(trx, ctx, now, [
          { modelId: row.id, modelName: to, action: 'model.renamed', from: row.name, to },
        ])
      })
    } catch (err) {
      if (isUniqueViolation(err)) throw alreadyExists(to)
      throw err
    }
    await this.#ops.publish(ctx, 'model.renamed', { modelId: row.id, from: row.name, to })
    return this.getRegisteredModel(ctx, to)
  }

  /** Sets the model's description. */
  async updateRegisteredModel(
    ctx: RequestContext,
    name: string,
    patch: { readonly description?: string },
  ): Promise<RegisteredModel> {
    const row = await this.#ops.requireModelRow(ctx, name)
    if (patch.description !== undefined) {
      await updateModelRow(this.db, ctx.workspace, row.id, {
        description: checkText(patch.description, 'description'),
        updated_at: this.deps.clock.now(),
        updated_by: ctx.actor,
      })
    }
    return this.getRegisteredModel(ctx, row.name)
  }

  /** Deletes the model with its versions, tags and aliases. The audit history stays. */
  async deleteRegisteredModel(ctx: RequestContext, name: string): Promise<void> {
    const row = await this.#ops.requireModelRow(ctx, name)
    const now = this.deps.clock.now()
    await this.deps.metadata.transaction(async (trx) => {
      await deleteModelRow(trx, ctx.workspace, row.id)
      await this.#ops.audit(trx, ctx, now, [
        { modelId: row.id, modelName: row.name, action: 'model.deleted', from: row.name },
      ])
    })
    await this.#ops.publish(ctx, 'model.deleted', { modelId: row.id, name: row.name })
  }

  /**
   * Searches models: `filter` on `name` (`=`, `!=`, `LIKE`, `ILIKE`, `IN`) and `tags.<key>`,
   * clauses joined with AND; `orderBy` on `name`, `last_updated_timestamp`,
   * `creation_timestamp`; default order by name.
   */
  async searchRegisteredModels(
    ctx: RequestContext,
    opts: SearchRegisteredModelsOptions = {},
  ): Promise<RegistryPage<RegisteredModel>> {
    const limit = checkMaxResults(opts.maxResults, 100, 1000)
    const clauses = parseFilter(opts.filter, MODEL_FILTER_SPEC)
    const order = parseOrderBy(opts.orderBy, MODEL_ORDER_KEYS)
    const offset = decodeOffsetToken(opts.pageToken)
    const rows = await searchModelRows(
      this.db,
      this.deps.metadata.dialect,
      ctx.workspace,
      clauses,
      order,
      offset,
      limit + 1,
    )
    const items = await loadModels(this.db, ctx.workspace, rows.slice(0, limit))
    return rows.length > limit
      ? { items, nextPageToken: encodeOffsetToken(offset + limit) }
      : { items }
  }

  /** The newest version in each of `stages` (every stage when empty), by version number. */
  async getLatestVersions(
    ctx: RequestContext,
    name: string,
    stages: readonly string[] = [],
  ): Promise<ModelVersion[]> {
    const row = await this.#ops.requireModelRow(ctx, name)
    const wanted = stages.length === 0 ? undefined : new Set(stages.map((s) => checkStage(s)))
    const model = await this.getRegisteredModel(ctx, row.name)
    return model.latestVersions.filter((v) => wanted === undefined || wanted.has(v.stage))
  }

  /** Sets (or overwrites) a tag of the model. */
  async setRegisteredModelTag(
    ctx: RequestContext,
    name: string,
    key: string,
    value: string,
  ): Promise<void> {
    const k = checkTagKey(key)
    const v = checkTagValue(value)
    const row = await this.#ops.requireModelRow(ctx, name)
    await setModelTagRow(this.db, ctx.workspace, row.id, k, v)
  }

  /** Deletes a tag of the model; `NOT_FOUND` if it has no such tag. */
  async deleteRegisteredModelTag(ctx: RequestContext, name: string, key: string): Promise<void> {
    const row = await this.#ops.requireModelRow(ctx, name)
    if (!(await deleteModelTagRow(this.db, ctx.workspace, row.id, checkTagKey(key)))) {
      throw new NotFoundError(`registered model '${row.name}' has no tag '${key}'`, {
        name: row.name,
        key,
      })
    }
  }

  // -------------------------------------------------------------------------------------------
  // Versions

  /**
   * Registers a new version of an existing model from `source` and assigns the next number.
   *
   * The version is written `PENDING_REGISTRATION`, then the registry reads what the run knows:
   * for a Plinth model (`<path>/plinth-model.json` in the run's artifacts) the kind, signature
   * and input example, plus the run's latest metrics and dataset inputs. It becomes `READY`, or
   * `FAILED_REGISTRATION` with a message when the Plinth model files are malformed. Any other
   * source (an MLflow flavor, an artifact URI) registers as an `external` version.
   * A `runs:/<id>/…` source whose run does not exist is `NOT_FOUND`.
   */
  async createModelVersion(
    ctx: RequestContext,
    input: CreateModelVersionInput,
  ): Promise<ModelVersion> {
    return createModelVersion(this.#ops, ctx, input)
  }

  /** The version, or `undefined` (also when the model does not exist). */
  async findModelVersion(
    ctx: RequestContext,
    name: string,
    version: number | string,
  ): Promise<ModelVersion | undefined> {
    return this.#ops.findModelVersion(ctx, name, version)
  }

  /** The version; `NOT_FOUND` when the model or the version does not exist. */
  async getModelVersion(
    ctx: RequestContext,
    name: string,
    version: number | string,
  ): Promise<ModelVersion> {
    return this.#ops.getModelVersion(ctx, name, version)
  }

  /** Sets the version's description. */
  async updateModelVersion(
    ctx: RequestContext,
    name: string,
    version: number | string,
    patch: { readonly description?: string },
  ): Promise<ModelVersion> {
    const { model, row } = await this.#ops.requireVersionRow(ctx, name, version)
    if (patch.description !== undefined) {
      const now = this.deps.clock.now()
      await this.deps.metadata.transaction(async (trx) => {
        await updateVersionRow(trx, ctx.workspace, row.id, {
          description: checkText(patch.description, 'description'),
          updated_at: now,
          updated_by: ctx.actor,
        })
        await touchModelRow(trx, ctx.workspace, model.id, now, ctx.actor)
      })
    }
    return this.getModelVersion(ctx, model.name, row.version)
  }

  /** Deletes the version, its tags and the aliases pointing at it (each alias removal audited). */
  async deleteModelVersion(
    ctx: RequestContext,
    name: string,
    version: number | string,
  ): Promise<void> {
    await deleteModelVersion(this.#ops, ctx, name, version)
  }

  /**
   * Searches versions across models: `filter` on `name`, `version_number`, `run_id`,
   * `source_path`, `current_stage`, `status` and `tags.<key>` (AND-joined); `orderBy` on `name`,
   * `version_number`, `creation_timestamp`, `last_updated_timestamp`; default name ascending,
   * then version descending.
   */
  async searchModelVersions(
    ctx: RequestContext,
    opts: SearchModelVersionsOptions = {},
  ): Promise<RegistryPage<ModelVersion>> {
    const limit = checkMaxResults(opts.maxResults, 10_000, 200_000)
    const clauses = parseFilter(opts.filter, VERSION_FILTER_SPEC)
    const order = parseOrderBy(opts.orderBy, VERSION_ORDER_KEYS)
    const offset = decodeOffsetToken(opts.pageToken)
    const rows = await searchVersionRows(
      this.db,
      this.deps.metadata.dialect,
      ctx.workspace,
      clauses,
      order,
      offset,
      limit + 1,
    )
    const items = await loadVersions(this.db, ctx.workspace, rows.slice(0, limit))
    return rows.length > limit
      ? { items, nextPageToken: encodeOffsetToken(offset + limit) }
      : { items }
  }

  /**
   * Moves the version to a legacy stage (deprecated in MLflow 2.9; prefer aliases). With
   * `archiveExistingVersions`, allowed only for Staging and Production, every other version in
   * that stage moves to Archived. Every change is audited.
   */
  async transitionModelVersionStage(
    ctx: RequestContext,
    name: string,
    version: number | string,
    stage: string,
    archiveExistingVersions = false,
  ): Promise<ModelVersion> {
    return transitionModelVersionStage(
      this.#ops,
      ctx,
      name,
      version,
      stage,
      archiveExistingVersions,
    )
  }

  /** Sets (or overwrites) a tag of the version. */
  async setModelVersionTag(
    ctx: RequestContext,
    name: string,
    version: number | string,
    key: string,
    value: string,
  ): Promise<void> {
    const k = checkTagKey(key)
    const v = checkTagValue(value)
    const { row } = await this.#ops.requireVersionRow(ctx, name, version)
    await setVersionTagRow(this.db, ctx.workspace, row.id, k, v)
  }

  /** Deletes a tag of the version; `NOT_FOUND` if it has no such tag. */
  async deleteModelVersionTag(
    ctx: RequestContext,
    name: string,
    version: number | string,
    key: string,
  ): Promise<void> {
    const { model, row } = await this.#ops.requireVersionRow(ctx, name, version)
    if (!(await deleteVersionTagRow(this.db, ctx.workspace, row.id, checkTagKey(key)))) {
      throw new NotFoundError(
        `version ${String(row.version)} of '${model.name}' has no tag '${key}'`,
        { name: model.name, version: row.version, key },
      )
    }
  }

  /**
   * Where the version's files are: the run's artifact URI joined with the path for a `runs:/`
   * source whose run is known, else the source as registered.
   */
  async getModelVersionDownloadUri(
    ctx: RequestContext,
    name: string,
    version: number | string,
  ): Promise<string> {
    const v = await this.getModelVersion(ctx, name, version)
    const runsUri = parseRunsUri(v.source)
    if (runsUri === undefined) return v.source
    const run = await this.deps.runs.findRun(ctx, runsUri.runId)
    if (run === undefined) return v.source
    return runsUri.path === '' ? run.artifactUri : `${run.artifactUri}/${runsUri.path}`
  }

  // -------------------------------------------------------------------------------------------
  // Aliases

  /**
   * Points `alias` at the version (creating it or moving it from another version; one version
   * per alias per model). The move is audited with the previous and new version.
   */
  async setRegisteredModelAlias(
    ctx: RequestContext,
    name: string,
    alias: string,
    version: number | string,
  ): Promise<void> {
    await setRegisteredModelAlias(this.#ops, ctx, name, alias, version)
  }

  /** Removes the alias; `NOT_FOUND` if the model has no such alias. Audited. */
  async deleteRegisteredModelAlias(
    ctx: RequestContext,
    name: string,
    alias: string,
  ): Promise<void> {
    await deleteRegisteredModelAlias(this.#ops, ctx, name, alias)
  }

  /** The version the alias points at; `NOT_FOUND` for an unknown model or alias. */
  async getModelVersionByAlias(
    ctx: RequestContext,
    name: string,
    alias: string,
  ): Promise<ModelVersion> {
    const a = checkAliasName(alias)
    const model = await this.#ops.requireModelRow(ctx, name)
    const target = await findAliasRow(this.db, ctx.workspace, model.id, a)
    if (target === undefined) throw aliasNotFound(model.name, a)
    return this.getModelVersion(ctx, model.name, target.version)
  }

  /**
   * The version a `models:/` URI names: `models:/<name>/<version>`, `models:/<name>@<alias>`,
   * `models:/<name>/<stage>` (the newest version in that stage) or `models:/<name>/latest`
   * (the newest version). `INVALID_ARGUMENT` for a malformed URI, `NOT_FOUND` when nothing
   * matches.
   */
  async resolveModelUri(ctx: RequestContext, uri: string): Promise<ModelVersion> {
    const parsed = parseModelUri(uri)
    switch (parsed.kind) {
      case 'version':
        return this.getModelVersion(ctx, parsed.name, parsed.version)
      case 'alias':
        return this.getModelVersionByAlias(ctx, parsed.name, parsed.alias)
      case 'stage':
      case 'latest': {
        const model = await this.#ops.requireModelRow(ctx, parsed.name)
        const stage = parsed.kind === 'stage' ? parsed.stage : undefined
        const row = await findLatestVersionRow(this.db, ctx.workspace, model.id, stage)
        if (row === undefined) {
          throw new NotFoundError(
            stage === undefined
              ? `registered model '${model.name}' has no versions`
              : `registered model '${model.name}' has no version in stage ${stage}`,
            { name: model.name, ...(stage === undefined ? {} : { stage }) },
          )
        }
        return this.getModelVersion(ctx, model.name, row.version)
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Loading, model cards and lineage

  /**
   * Loads the model a `models:/` URI names (see `resolveModelUri` for the forms), or a
   * `runs:/<run id>/<path>` URI, into a ready Predictor.
   *
   * `FAILED_PRECONDITION` for a version that holds no Plinth model (an external MLflow flavor),
   * is not `READY`, or whose files are gone; `NOT_FOUND` for an unknown model, version, alias
   * or run.
   */
  async loadModel(ctx: RequestContext, uri: string): Promise<Predictor> {
    // `runs:/<run>/<path>` loads straight from a run, as MLflow's load_model does.
    const runsUri = uri.startsWith('runs:/') ? parseRunsUri(uri, 'uri') : undefined
    if (runsUri !== undefined) {
      if ((await this.deps.runs.findRun(ctx, runsUri.runId)) === undefined) {
        throw new NotFoundError(`run '${runsUri.runId}' not found`, { runId: runsUri.runId })
      }
      return loadRunModel(ctx, this.deps.runs, runsUri.runId, runsUri.path)
    }
    return loadPredictor(ctx, this.deps.runs, await this.resolveModelUri(ctx, uri))
  }

  /** The version's model card as data (render it with `renderModelCardMarkdown`). */
  async getModelCard(
    ctx: RequestContext,
    name: string,
    version: number | string,
  ): Promise<ModelCard> {
    const v = await this.getModelVersion(ctx, name, version)
    const model = await this.getRegisteredModel(ctx, v.name)
    return buildModelCard(ctx, this.deps, model, v, this.deps.clock.now())
  }

  /** Upstream lineage of a version: its run and the dataset versions the run used. */
  async getModelVersionLineage(
    ctx: RequestContext,
    name: string,
    version: number | string,
  ): Promise<ModelVersionLineage> {
    const v = await this.getModelVersion(ctx, name, version)
    return lineageOfModelVersion(ctx, this.lineageSources(), v)
  }

  /**
   * Downstream lineage of a dataset version: the runs that used it and the model versions
   * registered from them. `ref` is a dataset version reference (`name@3`, `name@latest`,
   * `name@<version id>`) or, without a datasets service, a bare version id.
   */
  async getDatasetLineage(ctx: RequestContext, ref: string): Promise<DatasetVersionLineage> {
    const datasets = this.deps.datasets
    if (datasets !== undefined && !/^[0-9a-f]{32}$/.test(ref)) {
      const v = await datasets.getVersion(ctx, ref)
      return lineageOfDatasetVersion(ctx, this.lineageSources(), v.id, v.datasetName)
    }
    if (!/^[0-9a-f]{32}$/.test(ref)) {
      throw new ValidationError('invalid dataset version', [
        { path: ['ref'], code: 'invalid_format', message: 'expected a dataset version id' },
      ])
    }
    return lineageOfDatasetVersion(ctx, this.lineageSources(), ref)
  }

  private lineageSources(): LineageSources {
    return {
      db: this.db,
      runs: this.deps.runs,
      ...(this.deps.datasets === undefined ? {} : { datasets: this.deps.datasets }),
    }
  }

  // -------------------------------------------------------------------------------------------
  // Audit

  /**
   * The model's history, oldest first: creation, renames, versions created and deleted, status
   * and stage changes and alias moves, each with who, when, from and to. For a name no model
   * has any more, the history of the last model deleted under that name.
   */
  async listAuditEvents(
    ctx: RequestContext,
    name: string,
    opts: ListAuditEventsOptions = {},
  ): Promise<RegistryPage<RegistryAuditEvent>> {
    const n = checkModelName(name)
    const model =
      (await findModelRowByName(this.db, ctx.workspace, n)) ??
      (await findDeletedModelId(this.db, ctx.workspace, n).then((id) =>
        id === undefined ? undefined : { id },
      ))
    if (model === undefined) throw modelNotFound(n)
    const limit = checkMaxResults(opts.maxResults, 100, 1000)
    const offset = decodeOffsetToken(opts.pageToken)
    const rows = await listAuditRows(
      this.db,
      ctx.workspace,
      model.id,
      {
        ...(opts.version === undefined ? {} : { version: checkVersionNumber(opts.version) }),
        ...(opts.alias === undefined ? {} : { alias: checkAliasName(opts.alias) }),
        ...(opts.actions === undefined ? {} : { actions: opts.actions }),
      },
      offset,
      limit + 1,
    )
    const items = rows.slice(0, limit)
    return rows.length > limit
      ? { items, nextPageToken: encodeOffsetToken(offset + limit) }
      : { items }
  }
}
