import {
  NotFoundError,
  PlatformError,
  ValidationError,
  newEventId,
  type Clock,
  type DomainEventMap,
  type RequestContext,
} from '../core/index.js'
import type { DatasetService } from '../datasets/index.js'
import type { ArtifactStore, EventBus, MetadataStore } from '../ports/index.js'
import type { WorkspaceService } from '../workspaces/index.js'
import { alreadyExists, digestOf } from './errors.js'
import {
  TRACKING_LIMITS,
  type CreateExperimentInput,
  type Experiment,
  type ExperimentId,
  type SearchExperimentsOptions,
  type TrackingPage,
} from './entities.js'
import {
  experimentTags,
  findExperimentRow,
  isUniqueViolation,
  nextExperimentSeq,
  toExperiment,
  upsertExperimentTags,
} from './repo.js'
import { compileFilter, compileOrderBy } from './search/compile.js'
import { parseFilter, parseOrderBy } from './search/filter.js'
import {
  Issues,
  checkKey,
  checkPairs,
  checkValue,
  decodeOffsetToken,
  encodeOffsetToken,
  stagesOf,
  toExperimentId,
  toMaxResults,
  toViewType,
} from './validate.js'

declare module '../core/index.js' {
  interface DomainEventMap {
    'experiment.created': { readonly experimentId: string; readonly name: string }
    'run.created': { readonly runId: string; readonly experimentId: string }
    'run.finished': {
      readonly runId: string
      readonly experimentId: string
      readonly status: string
    }
  }
}

/** Collaborators of the tracking service. */
export interface TrackingServiceDeps {
  readonly metadata: MetadataStore
  readonly blobs: ArtifactStore
  readonly events: EventBus
  readonly clock: Clock
  readonly workspaces: WorkspaceService
  readonly datasets: DatasetService
}

/** The Default experiment's id (MLflow's `"0"`). */
export const DEFAULT_EXPERIMENT = '0'

/**
 * The experiment aggregate of `TrackingService`: create, find, search, rename, delete, restore
 * and tag experiments. @internal (use `TrackingService`)
 */
export class ExperimentOps {
  constructor(protected readonly deps: TrackingServiceDeps) {}

  protected get db() {
    return this.deps.metadata.db
  }

  // ------------------------------------------------------------ experiments

  /** Creates an experiment; `ALREADY_EXISTS` if the name is taken (deleted ones included). */
  async createExperiment(ctx: RequestContext, input: CreateExperimentInput): Promise<Experiment> {
    const issues = new Issues()
    const name = typeof input.name === 'string' ? input.name.trim() : ''
    if (name.length === 0 || name.length > TRACKING_LIMITS.maxExperimentNameLength) {
      issues.add(
        ['name'],
        'too_long',
        `must be 1–${String(TRACKING_LIMITS.maxExperimentNameLength)} characters`,
      )
    }
    if (input.artifactLocation !== undefined) {
      checkValue(issues, ['artifactLocation'], input.artifactLocation, 2000)
    }
    const tags = input.tags ?? []
    checkPairs(issues, 'tags', tags, TRACKING_LIMITS.maxExperimentTagValueLength)
    issues.throwIfAny('invalid experiment')
    const workspace = await this.deps.workspaces.requireContextWorkspace(ctx)
    const now = this.deps.clock.now()
    for (let attempt = 0; ; attempt++) {
      try {
        const id = await this.deps.metadata.transaction(async (trx) => {
          if ((await findExperimentRow(trx, workspace, { name })) !== undefined) {
            throw alreadyExists(name)
          }
          const seq = await nextExperimentSeq(trx)
          const experimentId = String(seq)
          await trx
            .insertInto('experiments')
            .values({
              workspace_id: workspace,
              id: experimentId,
              seq,
              name,
              artifact_location: input.artifactLocation ?? `mlflow-artifacts:/${experimentId}`,
              lifecycle_stage: 'active',
              created_at: now,
              created_by: ctx.actor,
              updated_at: now,
              updated_by: ctx.actor,
            })
            .execute()
          await upsertExperimentTags(trx, workspace, experimentId, tags)
          return experimentId
        })
        await this.publish(ctx, 'experiment.created', { experimentId: id, name })
        return await this.getExperiment(ctx, id)
      } catch (err) {
        // Two writers took the same sequence number or name (PostgreSQL): look again.
        if (!isUniqueViolation(err) || attempt >= 4) throw err
        if ((await findExperimentRow(this.db, workspace, { name })) !== undefined) {
          throw alreadyExists(name)
        }
      }
    }
  }

  /** The experiment, or `undefined`. Experiment `"0"` (Default) always exists. */
  async findExperiment(ctx: RequestContext, experimentId: string): Promise<Experiment | undefined> {
    const id = toExperimentId(experimentId)
    let row = await findExperimentRow(this.db, ctx.workspace, { id })
    if (row === undefined && id === DEFAULT_EXPERIMENT) {
      await this.ensureDefaultExperiment(ctx)
      row = await findExperimentRow(this.db, ctx.workspace, { id })
    }
    if (row === undefined) return undefined
    return toExperiment(row, (await experimentTags(this.db, ctx.workspace, [id])).get(id) ?? [])
  }

  /** The experiment; `NOT_FOUND` if absent. */
  async getExperiment(ctx: RequestContext, experimentId: string): Promise<Experiment> {
    const e = await this.findExperiment(ctx, experimentId)
    if (e === undefined) {
      throw new NotFoundError(`experiment '${experimentId}' not found`, { experimentId })
    }
    return e
  }

  /** The experiment with this name, or `undefined`. */
  async findExperimentByName(ctx: RequestContext, name: string): Promise<Experiment | undefined> {
    if (typeof name !== 'string' || name.length === 0) return undefined
    let row = await findExperimentRow(this.db, ctx.workspace, { name })
    if (row === undefined && name === 'Default') {
      await this.ensureDefaultExperiment(ctx)
      row = await findExperimentRow(this.db, ctx.workspace, { name })
    }
    if (row === undefined) return undefined
    return toExperiment(
      row,
      (await experimentTags(this.db, ctx.workspace, [row.id])).get(row.id) ?? [],
    )
  }

  /** The experiment with this name; `NOT_FOUND` if absent. */
  async getExperimentByName(ctx: RequestContext, name: string): Promise<Experiment> {
    const e = await this.findExperimentByName(ctx, name)
    if (e === undefined) throw new NotFoundError(`experiment '${name}' not found`, { name })
    return e
  }

  /** The active experiment named `name`, created when missing (the SDK's `startRun`). */
  async getOrCreateExperiment(ctx: RequestContext, name: string): Promise<Experiment> {
    const found = await this.findExperimentByName(ctx, name)
    if (found !== undefined) {
      if (found.lifecycleStage !== 'active') {
        throw new PlatformError(
          'FAILED_PRECONDITION',
          `experiment '${name}' is deleted; restore it or choose another name`,
          { name },
        )
      }
      return found
    }
    try {
      return await this.createExperiment(ctx, { name })
    } catch (err) {
      if (err instanceof PlatformError && err.code === 'ALREADY_EXISTS') {
        return this.getExperimentByName(ctx, name)
      }
      throw err
    }
  }

  /** Experiments matching a filter, ordered and paginated like MLflow's `experiments/search`. */
  async searchExperiments(
    ctx: RequestContext,
    opts: SearchExperimentsOptions = {},
  ): Promise<TrackingPage<Experiment>> {
    const view = toViewType(opts.viewType)
    const maxResults = toMaxResults(
      opts.maxResults,
      TRACKING_LIMITS.maxSearchResults,
      1000,
      'maxResults',
    )
    const filter = parseFilter(opts.filter ?? '', 'experiments')
    const orderBy = (opts.orderBy ?? []).map((o, i) =>
      parseOrderBy(o, 'experiments', `orderBy[${String(i)}]`),
    )
    const fingerprint = digestOf(['experiments', view, opts.filter ?? '', opts.orderBy ?? []])
    const offset = opts.pageToken === undefined ? 0 : decodeOffsetToken(opts.pageToken, fingerprint)
    // The Default experiment is listed like any other, so make sure it is there.
    await this.ensureDefaultExperiment(ctx)
    let q = this.db
      .selectFrom('experiments')
      .selectAll()
      .where('workspace_id', '=', ctx.workspace)
      .where('lifecycle_stage', 'in', stagesOf(view))
    if (filter !== undefined)
      q = q.where(compileFilter(filter, this.deps.metadata.dialect, 'experiments'))
    for (const clause of orderBy) {
      for (const item of compileOrderBy(clause, 'experiments'))
        q = q.orderBy(item.expr, item.direction)
    }
    // MLflow's default: newest first, then id.
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('seq', 'desc')
      .limit(maxResults + 1)
      .offset(offset)
      .execute()
    const page = rows.slice(0, maxResults)
    const tags = await experimentTags(
      this.db,
      ctx.workspace,
      page.map((r) => r.id),
    )
    const items = page.map((r) => toExperiment(r, tags.get(r.id) ?? []))
    return rows.length > maxResults
      ? { items, nextPageToken: encodeOffsetToken(offset + maxResults, fingerprint) }
      : { items }
  }

  /** Renames an experiment; `ALREADY_EXISTS` if the new name is taken. */
  async updateExperiment(
    ctx: RequestContext,
    experimentId: string,
    newName: string,
  ): Promise<void> {
    const e = await this.getExperiment(ctx, experimentId)
    const name = typeof newName === 'string' ? newName.trim() : ''
    if (name.length === 0 || name.length > TRACKING_LIMITS.maxExperimentNameLength) {
      throw new ValidationError('invalid experiment name', [
        {
          path: ['newName'],
          code: 'too_long',
          message: `must be 1–${String(TRACKING_LIMITS.maxExperimentNameLength)} characters`,
        },
      ])
    }
    if (name === e.name) return
    try {
      await this.db
        .updateTable('experiments')
        .set({ name, updated_at: this.deps.clock.now(), updated_by: ctx.actor })
        .where('workspace_id', '=', ctx.workspace)
        .where('id', '=', e.experimentId)
        .execute()
    } catch (err) {
      if (isUniqueViolation(err)) throw alreadyExists(name)
      throw err
    }
  }

  /** Soft-deletes an experiment and its active runs (MLflow). `"0"` cannot be deleted. */
  async deleteExperiment(ctx: RequestContext, experimentId: string): Promise<void> {
    const e = await this.getExperiment(ctx, experimentId)
    if (e.experimentId === DEFAULT_EXPERIMENT) {
      throw new PlatformError('FAILED_PRECONDITION', 'the Default experiment cannot be deleted', {
        experimentId,
      })
    }
    await this.setExperimentStage(ctx, e.experimentId, 'deleted')
  }

  /** Restores a deleted experiment and the runs deleted with it. */
  async restoreExperiment(ctx: RequestContext, experimentId: string): Promise<void> {
    const e = await this.getExperiment(ctx, experimentId)
    await this.setExperimentStage(ctx, e.experimentId, 'active')
  }

  private async setExperimentStage(
    ctx: RequestContext,
    id: ExperimentId,
    stage: 'active' | 'deleted',
  ): Promise<void> {
    const now = this.deps.clock.now()
    await this.deps.metadata.transaction(async (trx) => {
      const row = await findExperimentRow(trx, ctx.workspace, { id })
      if (row === undefined)
        throw new NotFoundError(`experiment '${id}' not found`, { experimentId: id })
      await trx
        .updateTable('experiments')
        .set({ lifecycle_stage: stage, updated_at: now, updated_by: ctx.actor })
        .where('workspace_id', '=', ctx.workspace)
        .where('id', '=', id)
        .execute()
      let q = trx
        .updateTable('runs')
        .where('workspace_id', '=', ctx.workspace)
        .where('experiment_id', '=', id)
      if (stage === 'deleted') {
        q = q.where('lifecycle_stage', '=', 'active')
        await q.set({ lifecycle_stage: 'deleted', deleted_at: now }).execute()
      } else if (row.lifecycle_stage === 'deleted') {
        // Only the runs deleted together with the experiment come back.
        await q
          .where('deleted_at', '>=', row.updated_at)
          .set({ lifecycle_stage: 'active', deleted_at: null })
          .execute()
      }
    })
  }

  /** Sets (or replaces) an experiment tag. */
  async setExperimentTag(
    ctx: RequestContext,
    experimentId: string,
    key: string,
    value: string,
  ): Promise<void> {
    const issues = new Issues()
    checkKey(issues, ['key'], key)
    checkValue(issues, ['value'], value, TRACKING_LIMITS.maxExperimentTagValueLength)
    issues.throwIfAny('invalid experiment tag')
    const e = await this.getExperiment(ctx, experimentId)
    await upsertExperimentTags(this.db, ctx.workspace, e.experimentId, [{ key, value }])
  }

  /** Deletes an experiment tag; `NOT_FOUND` if the experiment has no such tag. */
  async deleteExperimentTag(ctx: RequestContext, experimentId: string, key: string): Promise<void> {
    const e = await this.getExperiment(ctx, experimentId)
    const r = await this.db
      .deleteFrom('experiment_tags')
      .where('workspace_id', '=', ctx.workspace)
      .where('experiment_id', '=', e.experimentId)
      .where('key', '=', key)
      .executeTakeFirst()
    if (r.numDeletedRows === 0n) {
      throw new NotFoundError(`experiment '${experimentId}' has no tag '${key}'`, {
        experimentId,
        key,
      })
    }
  }

  protected async ensureDefaultExperiment(ctx: RequestContext): Promise<void> {
    const ws = ctx.workspace
    if ((await findExperimentRow(this.db, ws, { id: DEFAULT_EXPERIMENT })) !== undefined) return
    if ((await this.deps.workspaces.findWorkspace(ctx, ws)) === undefined) return
    const now = this.deps.clock.now()
    try {
      await this.deps.metadata.transaction(async (trx) => {
        if ((await findExperimentRow(trx, ws, { id: DEFAULT_EXPERIMENT })) !== undefined) return
        await trx
          .insertInto('experiments')
          .values({
            workspace_id: ws,
            id: DEFAULT_EXPERIMENT,
            seq: await nextExperimentSeq(trx),
            name: 'Default',
            artifact_location: `mlflow-artifacts:/${DEFAULT_EXPERIMENT}`,
            lifecycle_stage: 'active',
            created_at: now,
            created_by: 'system',
            updated_at: now,
            updated_by: 'system',
          })
          .execute()
      })
    } catch (err) {
      if (!isUniqueViolation(err)) throw err
    }
  }

  protected async publish<T extends 'experiment.created' | 'run.created' | 'run.finished'>(
    ctx: RequestContext,
    type: T,
    payload: DomainEventMap[T],
  ): Promise<void> {
    await this.deps.events.publish({
      id: newEventId(),
      type,
      workspace: ctx.workspace,
      actor: ctx.actor,
      occurredAt: this.deps.clock.now(),
      payload,
    })
  }
}
