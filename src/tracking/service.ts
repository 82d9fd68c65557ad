import { createHash, randomInt, randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'

import { sql } from 'kysely'

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
import {
  deleteRunArtifactRow,
  listRunArtifactFiles,
  openRunArtifactBlob,
  putRunArtifact,
} from './artifacts.js'
import {
  TAGS,
  TRACKING_LIMITS,
  type CreateExperimentInput,
  type CreateRunInput,
  type Experiment,
  type ExperimentId,
  type KeyValue,
  type ListRunArtifactsOptions,
  type LogBatchInput,
  type LogInputsDataset,
  type Metric,
  type MetricHistoryOptions,
  type MetricInput,
  type Run,
  type RunArtifact,
  type RunArtifactFile,
  type RunComparison,
  type RunId,
  type RunInfo,
  type SearchExperimentsOptions,
  type SearchRunsOptions,
  type TrackingPage,
  type UpdateRunInput,
  type UploadRunArtifactInput,
} from './entities.js'
import {
  experimentTags,
  findExperimentRow,
  findRunRow,
  hydrateRuns,
  insertMetrics,
  insertRunParams,
  isUniqueViolation,
  metricHistory,
  nextExperimentSeq,
  runParams,
  runRows,
  toExperiment,
  toRunInfo,
  upsertExperimentTags,
  upsertRunTags,
  type MetricPoint,
} from './repo.js'
import { newRunName } from './run-names.js'
import { compileFilter, compileOrderBy } from './search/compile.js'
import { parseFilter, parseOrderBy } from './search/filter.js'
import {
  Issues,
  checkKey,
  checkMetrics,
  checkPairs,
  checkTime,
  checkValue,
  decodeOffsetToken,
  encodeOffsetToken,
  stagesOf,
  toExperimentId,
  toMaxResults,
  toRunId,
  toRunStatus,
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

const TERMINAL = new Set(['FINISHED', 'FAILED', 'KILLED'])
const DEFAULT_EXPERIMENT = '0'

/**
 * Experiment tracking with MLflow's model: experiments hold runs; a run has params (write-once),
 * metrics (append-only history plus the latest point per key), tags, dataset inputs and an
 * artifact tree. Operations and limits mirror MLflow's tracking service, so the MLflow REST layer
 * maps each request onto one method.
 *
 * Errors: an unknown experiment or run is `NOT_FOUND` (MLflow `RESOURCE_DOES_NOT_EXIST`); bad
 * input, over-limit batches and a param re-logged with a different value are `INVALID_ARGUMENT`
 * (`INVALID_PARAMETER_VALUE`); a taken experiment name is `ALREADY_EXISTS`; writing to a deleted
 * run or experiment is `FAILED_PRECONDITION` (`INVALID_STATE`).
 */
export class TrackingService {
  constructor(private readonly deps: TrackingServiceDeps) {}

  private get db() {
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
    if (
      ctx.workspace === 'default' ||
      (await this.deps.workspaces.findWorkspace(ctx, ctx.workspace))
    ) {
      await this.ensureDefaultExperiment(ctx)
    }
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

  private async ensureDefaultExperiment(ctx: RequestContext): Promise<void> {
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

  // ------------------------------------------------------------ runs

  /** Starts a run (status RUNNING) in an active experiment. */
  async createRun(ctx: RequestContext, input: CreateRunInput = {}): Promise<Run> {
    const issues = new Issues()
    const tags = [...(input.tags ?? [])]
    checkPairs(issues, 'tags', tags, TRACKING_LIMITS.maxTagValueLength)
    if (input.startTime !== undefined) checkTime(issues, ['startTime'], input.startTime)
    if (input.runName !== undefined)
      checkValue(issues, ['runName'], input.runName, TRACKING_LIMITS.maxRunNameLength)
    if (input.userId !== undefined) checkValue(issues, ['userId'], input.userId, 250)
    issues.throwIfAny('invalid run')
    const experiment = await this.getExperiment(ctx, input.experimentId ?? DEFAULT_EXPERIMENT)
    if (experiment.lifecycleStage !== 'active') {
      throw new PlatformError(
        'FAILED_PRECONDITION',
        `experiment '${experiment.experimentId}' is deleted`,
        {
          experimentId: experiment.experimentId,
        },
      )
    }
    const tagOf = (key: string) => tags.findLast((t) => t.key === key)?.value
    const parent = input.parentRunId ?? tagOf(TAGS.parentRunId)
    if (parent !== undefined) {
      await this.getRunRow(ctx, parent, 'parentRunId')
      if (tagOf(TAGS.parentRunId) !== parent) tags.push({ key: TAGS.parentRunId, value: parent })
    }
    const runName =
      input.runName !== undefined && input.runName !== ''
        ? input.runName
        : (tagOf(TAGS.runName) ?? newRunName(randomInt))
    const userId = input.userId ?? tagOf(TAGS.user) ?? ctx.actor
    const filtered = tags.filter((t) => t.key !== TAGS.runName)
    filtered.push({ key: TAGS.runName, value: runName })
    if (tagOf(TAGS.user) === undefined) filtered.push({ key: TAGS.user, value: userId })
    const id = randomUUID().replaceAll('-', '') as RunId
    const now = this.deps.clock.now()
    await this.deps.metadata.transaction(async (trx) => {
      await trx
        .insertInto('runs')
        .values({
          workspace_id: ctx.workspace,
          id,
          experiment_id: experiment.experimentId,
          name: runName,
          user_id: userId,
          status: 'RUNNING',
          start_time: input.startTime ?? now,
          end_time: null,
          lifecycle_stage: 'active',
          artifact_uri: `${experiment.artifactLocation.replace(/\/+$/, '')}/${id}/artifacts`,
          deleted_at: null,
          created_at: now,
          created_by: ctx.actor,
        })
        .execute()
      await upsertRunTags(trx, ctx.workspace, id, filtered)
    })
    await this.publish(ctx, 'run.created', { runId: id, experimentId: experiment.experimentId })
    return this.getRun(ctx, id)
  }

  /** The run with its data (latest metric values) and inputs; `undefined` if absent. */
  async findRun(ctx: RequestContext, runId: string): Promise<Run | undefined> {
    const row = await findRunRow(this.db, ctx.workspace, toRunId(runId))
    if (row === undefined) return undefined
    const [run] = await hydrateRuns(this.db, ctx.workspace, [row])
    return run
  }

  /** The run; `NOT_FOUND` if absent (deleted runs are returned, with lifecycle `deleted`). */
  async getRun(ctx: RequestContext, runId: string): Promise<Run> {
    const run = await this.findRun(ctx, runId)
    if (run === undefined) throw runNotFound(runId)
    return run
  }

  /** Several runs in the order asked; `NOT_FOUND` naming the first missing one. */
  async getRuns(ctx: RequestContext, runIds: readonly string[]): Promise<Run[]> {
    const ids = runIds.map((r, i) => toRunId(r, `runIds[${String(i)}]`))
    const rows = await runRows(this.db, ctx.workspace, [...new Set(ids)])
    const byId = new Map(rows.map((r) => [r.id, r]))
    const missing = ids.find((id) => !byId.has(id))
    if (missing !== undefined) throw runNotFound(missing)
    return hydrateRuns(
      this.db,
      ctx.workspace,
      ids.flatMap((id) => byId.get(id) ?? []),
    )
  }

  /** Updates status, end time and/or name; a terminal status without `endTime` ends it now. */
  async updateRun(ctx: RequestContext, runId: string, input: UpdateRunInput): Promise<RunInfo> {
    const issues = new Issues()
    if (input.endTime !== undefined) checkTime(issues, ['endTime'], input.endTime)
    if (input.runName !== undefined)
      checkValue(issues, ['runName'], input.runName, TRACKING_LIMITS.maxRunNameLength)
    issues.throwIfAny('invalid run update')
    const status = input.status === undefined ? undefined : toRunStatus(input.status)
    const row = await this.getActiveRunRow(ctx, runId)
    const endTime =
      input.endTime ??
      (status !== undefined && TERMINAL.has(status) && row.end_time === null
        ? this.deps.clock.now()
        : undefined)
    await this.deps.metadata.transaction(async (trx) => {
      await trx
        .updateTable('runs')
        .set({
          ...(status === undefined ? {} : { status }),
          ...(endTime === undefined ? {} : { end_time: endTime }),
          ...(input.runName === undefined || input.runName === '' ? {} : { name: input.runName }),
        })
        .where('workspace_id', '=', ctx.workspace)
        .where('id', '=', row.id)
        .execute()
      if (input.runName !== undefined && input.runName !== '') {
        await upsertRunTags(trx, ctx.workspace, row.id, [
          { key: TAGS.runName, value: input.runName },
        ])
      }
    })
    if (status !== undefined && TERMINAL.has(status) && status !== row.status) {
      await this.publish(ctx, 'run.finished', {
        runId: row.id,
        experimentId: row.experiment_id,
        status,
      })
    }
    const updated = await findRunRow(this.db, ctx.workspace, row.id)
    if (updated === undefined) throw runNotFound(row.id)
    return toRunInfo(updated)
  }

  /** Soft-deletes a run (lifecycle `deleted`); search skips it unless asked. */
  async deleteRun(ctx: RequestContext, runId: string): Promise<void> {
    const row = await this.getRunRow(ctx, runId)
    await this.db
      .updateTable('runs')
      .set({ lifecycle_stage: 'deleted', deleted_at: this.deps.clock.now() })
      .where('workspace_id', '=', ctx.workspace)
      .where('id', '=', row.id)
      .execute()
  }

  /** Restores a deleted run. */
  async restoreRun(ctx: RequestContext, runId: string): Promise<void> {
    const row = await this.getRunRow(ctx, runId)
    await this.db
      .updateTable('runs')
      .set({ lifecycle_stage: 'active', deleted_at: null })
      .where('workspace_id', '=', ctx.workspace)
      .where('id', '=', row.id)
      .execute()
  }

  // ------------------------------------------------------------ logging

  /**
   * MLflow `log-batch`: at most 1000 metrics, 100 params, 100 tags and 1000 items in all.
   * Params are write-once (the same value again is fine; a different one is `INVALID_ARGUMENT`
   * with `details.key`), tags are last-value-wins, metrics append. All or nothing: the batch is
   * one transaction (MLflow allows partial writes; none happen here).
   */
  async logBatch(ctx: RequestContext, runId: string, input: LogBatchInput): Promise<void> {
    const metrics = input.metrics ?? []
    const params = input.params ?? []
    const tags = input.tags ?? []
    const issues = new Issues()
    const L = TRACKING_LIMITS
    if (metrics.length > L.maxMetricsPerBatch)
      issues.add(
        ['metrics'],
        'too_big',
        `at most ${String(L.maxMetricsPerBatch)} metrics per batch`,
      )
    if (params.length > L.maxParamsPerBatch)
      issues.add(['params'], 'too_big', `at most ${String(L.maxParamsPerBatch)} params per batch`)
    if (tags.length > L.maxTagsPerBatch)
      issues.add(['tags'], 'too_big', `at most ${String(L.maxTagsPerBatch)} tags per batch`)
    if (metrics.length + params.length + tags.length > L.maxEntitiesPerBatch) {
      issues.add(
        [],
        'too_big',
        `at most ${String(L.maxEntitiesPerBatch)} metrics, params and tags in all per batch`,
      )
    }
    issues.throwIfAny('batch over the limits')
    checkMetrics(issues, 'metrics', metrics)
    checkPairs(issues, 'params', params, L.maxParamValueLength)
    checkPairs(issues, 'tags', tags, L.maxTagValueLength)
    issues.throwIfAny('invalid batch')
    await this.write(ctx, runId, metrics, params, tags)
  }

  /**
   * The SDK's bulk path: up to 100 000 metric points in one transaction (one commit, so one
   * fsync on SQLite). Same validation and semantics as the metrics of `logBatch`.
   */
  async logMetricsBulk(
    ctx: RequestContext,
    runId: string,
    metrics: readonly MetricInput[],
  ): Promise<void> {
    const issues = new Issues()
    if (metrics.length > TRACKING_LIMITS.maxBulkMetrics) {
      issues.add(
        ['metrics'],
        'too_big',
        `at most ${String(TRACKING_LIMITS.maxBulkMetrics)} points per call`,
      )
    }
    issues.throwIfAny('too many metrics')
    checkMetrics(issues, 'metrics', metrics)
    issues.throwIfAny('invalid metrics')
    await this.write(ctx, runId, metrics, [], [])
  }

  private async write(
    ctx: RequestContext,
    runId: string,
    metrics: readonly MetricInput[],
    params: readonly KeyValue[],
    tags: readonly KeyValue[],
  ): Promise<void> {
    const id = toRunId(runId)
    const now = this.deps.clock.now()
    const points: MetricPoint[] = metrics.map((m) => {
      const isNan = Number.isNaN(m.value)
      return {
        key: m.key,
        value: isNan ? 0 : m.value,
        isNan,
        timestamp: m.timestamp ?? now,
        step: m.step ?? 0,
      }
    })
    // Within a batch a param may repeat only with the same value.
    const seen = new Map<string, string>()
    for (const p of params) {
      const prev = seen.get(p.key)
      if (prev !== undefined && prev !== p.value) throw paramChanged(id, p.key, prev, p.value)
      seen.set(p.key, p.value)
    }
    await this.deps.metadata.transaction(async (trx) => {
      const row = await findRunRow(trx, ctx.workspace, id)
      if (row === undefined) throw runNotFound(id)
      if (row.lifecycle_stage !== 'active') throw runNotActive(id)
      if (seen.size > 0) {
        const existing = await runParams(trx, ctx.workspace, id, [...seen.keys()])
        for (const [key, value] of seen) {
          const old = existing.get(key)
          if (old !== undefined && old !== value) throw paramChanged(id, key, old, value)
        }
        const fresh = [...seen]
          .filter(([k]) => !existing.has(k))
          .map(([key, value]) => ({ key, value }))
        if (fresh.length > 0) await insertRunParams(trx, ctx.workspace, id, fresh)
      }
      if (tags.length > 0) {
        await upsertRunTags(trx, ctx.workspace, id, tags)
        const name = tags.findLast((t) => t.key === TAGS.runName)?.value
        if (name !== undefined && name !== '') {
          await trx
            .updateTable('runs')
            .set({ name })
            .where('workspace_id', '=', ctx.workspace)
            .where('id', '=', id)
            .execute()
        }
      }
      if (points.length > 0)
        await insertMetrics(trx, this.deps.metadata.dialect, ctx.workspace, id, points)
    })
  }

  /** Logs one metric point (`timestamp` defaults to now, `step` to 0). */
  async logMetric(ctx: RequestContext, runId: string, metric: MetricInput): Promise<void> {
    await this.logBatch(ctx, runId, { metrics: [metric] })
  }

  /** Logs one param (write-once). */
  async logParam(ctx: RequestContext, runId: string, key: string, value: string): Promise<void> {
    await this.logBatch(ctx, runId, { params: [{ key, value }] })
  }

  /** Sets a run tag (last value wins). */
  async setTag(ctx: RequestContext, runId: string, key: string, value: string): Promise<void> {
    await this.logBatch(ctx, runId, { tags: [{ key, value }] })
  }

  /** Deletes a run tag; `NOT_FOUND` if the run has no such tag. */
  async deleteTag(ctx: RequestContext, runId: string, key: string): Promise<void> {
    const row = await this.getActiveRunRow(ctx, runId)
    const r = await this.db
      .deleteFrom('run_tags')
      .where('workspace_id', '=', ctx.workspace)
      .where('run_id', '=', row.id)
      .where('key', '=', key)
      .executeTakeFirst()
    if (r.numDeletedRows === 0n)
      throw new NotFoundError(`run '${row.id}' has no tag '${key}'`, { runId: row.id, key })
  }

  /** Every point of one metric, by step then timestamp, paginated. */
  async getMetricHistory(
    ctx: RequestContext,
    runId: string,
    key: string,
    opts: MetricHistoryOptions = {},
  ): Promise<TrackingPage<Metric>> {
    const row = await this.getRunRow(ctx, runId)
    const limit = toMaxResults(
      opts.maxResults,
      TRACKING_LIMITS.maxHistoryResults,
      TRACKING_LIMITS.maxHistoryResults,
      'maxResults',
    )
    const fingerprint = digestOf(['history', row.id, key])
    const offset = opts.pageToken === undefined ? 0 : decodeOffsetToken(opts.pageToken, fingerprint)
    const points = await metricHistory(this.db, ctx.workspace, row.id, key, offset, limit + 1)
    const items = points.slice(0, limit)
    return points.length > limit
      ? { items, nextPageToken: encodeOffsetToken(offset + limit, fingerprint) }
      : { items }
  }

  /**
   * Records datasets a run used. A `datasetVersion` must name an existing Plinth dataset version
   * (`NOT_FOUND` otherwise); its name, digest, source and schema are recorded, with the version id
   * for lineage. Logging the same dataset in the same context twice is a no-op.
   */
  async logInputs(
    ctx: RequestContext,
    runId: string,
    datasets: readonly LogInputsDataset[],
  ): Promise<void> {
    const issues = new Issues()
    datasets.forEach((d, i) => {
      if (d.datasetVersion === undefined && d.dataset === undefined) {
        issues.add(['datasets', i], 'invalid_type', 'needs datasetVersion or dataset')
      }
      if (d.dataset !== undefined) {
        checkValue(issues, ['datasets', i, 'dataset', 'name'], d.dataset.name, 500)
        checkValue(issues, ['datasets', i, 'dataset', 'digest'], d.dataset.digest, 100)
        checkValue(issues, ['datasets', i, 'dataset', 'sourceType'], d.dataset.sourceType, 100)
        checkValue(issues, ['datasets', i, 'dataset', 'source'], d.dataset.source, 65_000)
        if (typeof d.dataset.name === 'string' && d.dataset.name === '')
          issues.add(['datasets', i, 'dataset', 'name'], 'too_small', 'must not be empty')
        if (typeof d.dataset.digest === 'string' && d.dataset.digest === '')
          issues.add(['datasets', i, 'dataset', 'digest'], 'too_small', 'must not be empty')
      }
      if (d.context !== undefined) checkValue(issues, ['datasets', i, 'context'], d.context, 250)
      checkPairs(
        issues,
        `datasets.${String(i)}.tags`,
        d.tags ?? [],
        TRACKING_LIMITS.maxTagValueLength,
      )
    })
    issues.throwIfAny('invalid dataset inputs')
    const row = await this.getActiveRunRow(ctx, runId)
    const now = this.deps.clock.now()
    const rows = []
    for (const d of datasets) {
      const tags = [...(d.tags ?? [])]
      const context = d.context ?? tags.findLast((t) => t.key === TAGS.datasetContext)?.value ?? ''
      if (context !== '' && !tags.some((t) => t.key === TAGS.datasetContext)) {
        tags.push({ key: TAGS.datasetContext, value: context })
      }
      let desc: Required<NonNullable<LogInputsDataset['dataset']>>
      let versionId: string | null = null
      const ref = d.datasetVersion ?? plinthDatasetRef(d.dataset)
      if (ref !== undefined) {
        const v = await this.deps.datasets.getVersion(ctx, ref)
        versionId = v.id
        desc = {
          name: d.dataset?.name ?? v.datasetName,
          digest: v.digest,
          sourceType: 'plinth-dataset',
          source: JSON.stringify({
            uri: `plinth-dataset:${v.datasetName}@${String(v.version)}`,
            versionId: v.id,
          }),
          schema: JSON.stringify({
            mlflow_colspec: v.columns.map((c) => ({ name: c.name, type: c.type })),
          }),
          profile: JSON.stringify({ num_rows: v.rowCount }),
        }
      } else {
        const ds = d.dataset ?? { name: '', digest: '', sourceType: '', source: '' }
        desc = { schema: '', profile: '', ...ds }
      }
      rows.push({
        workspace_id: ctx.workspace,
        run_id: row.id,
        dataset_name: desc.name,
        dataset_digest: desc.digest,
        context,
        source_type: desc.sourceType,
        source: desc.source,
        schema_json: desc.schema,
        profile_json: desc.profile,
        tags_json: JSON.stringify(tags),
        dataset_version_id: versionId,
        created_at: now,
      })
    }
    if (rows.length === 0) return
    await this.db
      .insertInto('run_inputs')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'run_id', 'dataset_name', 'dataset_digest', 'context'])
          .doNothing(),
      )
      .execute()
  }

  /** Runs (newest first) that used a Plinth dataset version: the lineage query's first hop. */
  async listRunsByDatasetVersion(
    ctx: RequestContext,
    datasetVersionId: string,
  ): Promise<RunInfo[]> {
    const rows = await this.db
      .selectFrom('runs')
      .selectAll('runs')
      .where('runs.workspace_id', '=', ctx.workspace)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('run_inputs')
            .select(sql`1`.as('one'))
            .whereRef('run_inputs.workspace_id', '=', 'runs.workspace_id')
            .whereRef('run_inputs.run_id', '=', 'runs.id')
            .where('run_inputs.dataset_version_id', '=', datasetVersionId),
        ),
      )
      .orderBy('runs.start_time', 'desc')
      .execute()
    return rows.map(toRunInfo)
  }

  // ------------------------------------------------------------ search

  /**
   * MLflow `runs/search`: runs of the given experiments matching `filter` (MLflow's grammar plus
   * `OR` and parentheses), ordered by `orderBy` then `start_time DESC`, run id; paginated.
   */
  async searchRuns(ctx: RequestContext, opts: SearchRunsOptions): Promise<TrackingPage<Run>> {
    const ids = opts.experimentIds.map((e, i) => toExperimentId(e, `experimentIds[${String(i)}]`))
    if (ids.length === 0) {
      throw new ValidationError('no experiments to search', [
        { path: ['experimentIds'], code: 'too_small', message: 'give at least one experiment id' },
      ])
    }
    const view = toViewType(opts.runViewType, 'runViewType')
    const maxResults = toMaxResults(
      opts.maxResults,
      TRACKING_LIMITS.maxSearchResults,
      1000,
      'maxResults',
    )
    const filter = parseFilter(opts.filter ?? '', 'runs')
    const orderBy = (opts.orderBy ?? []).map((o, i) =>
      parseOrderBy(o, 'runs', `orderBy[${String(i)}]`),
    )
    for (const [i, o] of orderBy.entries()) {
      if (o.entity === 'dataset') {
        throw new ValidationError('invalid order', [
          {
            path: [`orderBy[${String(i)}]`],
            code: 'invalid_value',
            message: 'runs cannot be ordered by datasets',
          },
        ])
      }
    }
    const fingerprint = digestOf([
      'runs',
      [...ids].sort(),
      view,
      opts.filter ?? '',
      opts.orderBy ?? [],
    ])
    const offset = opts.pageToken === undefined ? 0 : decodeOffsetToken(opts.pageToken, fingerprint)
    let q = this.db
      .selectFrom('runs')
      .selectAll('runs')
      .where('runs.workspace_id', '=', ctx.workspace)
      .where('runs.experiment_id', 'in', ids)
      .where('runs.lifecycle_stage', 'in', stagesOf(view))
    if (filter !== undefined) q = q.where(compileFilter(filter, this.deps.metadata.dialect, 'runs'))
    for (const clause of orderBy) {
      for (const item of compileOrderBy(clause, 'runs')) q = q.orderBy(item.expr, item.direction)
    }
    const rows = await q
      .orderBy('runs.start_time', 'desc')
      .orderBy('runs.id')
      .limit(maxResults + 1)
      .offset(offset)
      .execute()
    const items = await hydrateRuns(this.db, ctx.workspace, rows.slice(0, maxResults))
    return rows.length > maxResults
      ? { items, nextPageToken: encodeOffsetToken(offset + maxResults, fingerprint) }
      : { items }
  }

  /** Runs side by side (any experiments): one column per param and metric key. */
  async compareRuns(ctx: RequestContext, runIds: readonly string[]): Promise<RunComparison> {
    if (runIds.length === 0 || runIds.length > 1000) {
      throw new ValidationError('invalid run list', [
        { path: ['runIds'], code: 'too_big', message: 'give 1–1000 run ids' },
      ])
    }
    const runs = await this.getRuns(ctx, runIds)
    const expIds = [...new Set(runs.map((r) => r.info.experimentId))]
    const names = new Map<string, string>()
    for (const id of expIds) names.set(id, (await this.getExperiment(ctx, id)).name)
    const paramKeys = [...new Set(runs.flatMap((r) => r.data.params.map((p) => p.key)))].sort()
    const metricKeys = [...new Set(runs.flatMap((r) => r.data.metrics.map((m) => m.key)))].sort()
    const params = runs.map((r) => {
      const m = new Map(r.data.params.map((p) => [p.key, p.value]))
      return Object.freeze(Object.fromEntries(paramKeys.map((k) => [k, m.get(k) ?? null])))
    })
    const metrics = runs.map((r) => {
      const m = new Map(r.data.metrics.map((p) => [p.key, p.value]))
      return Object.freeze(Object.fromEntries(metricKeys.map((k) => [k, m.get(k) ?? null])))
    })
    const differingParams = paramKeys.filter((k) => new Set(params.map((p) => p[k])).size > 1)
    return Object.freeze({
      runs: runs.map((r) => ({
        runId: r.info.runId,
        runName: r.info.runName,
        experimentId: r.info.experimentId,
        experimentName: names.get(r.info.experimentId) ?? '',
        status: r.info.status,
        startTime: r.info.startTime,
        endTime: r.info.endTime,
      })),
      paramKeys,
      metricKeys,
      params,
      metrics,
      differingParams,
    })
  }

  // ------------------------------------------------------------ artifacts

  /**
   * Stores a file in the run's artifact tree under a validated relative `path` (replacing a file
   * at that path). The bytes go to the content-addressed store; the path only names a row.
   */
  async uploadRunArtifact(
    ctx: RequestContext,
    runId: string,
    source: Readable | AsyncIterable<Uint8Array>,
    input: UploadRunArtifactInput,
  ): Promise<RunArtifact> {
    const row = await this.getActiveRunRow(ctx, runId)
    return putRunArtifact(this.deps, ctx, row.id as RunId, source, input)
  }

  /** Lists the immediate children of a directory of the run's artifact tree (dirs first). */
  async listRunArtifacts(
    ctx: RequestContext,
    runId: string,
    opts: ListRunArtifactsOptions = {},
  ): Promise<TrackingPage<RunArtifactFile> & { readonly rootUri: string }> {
    const row = await this.getRunRow(ctx, runId)
    const page = await listRunArtifactFiles(this.db, ctx.workspace, row.id, opts)
    return { ...page, rootUri: row.artifact_uri }
  }

  /** The file's record and a stream of its bytes; `NOT_FOUND` for a missing file or a directory. */
  async openRunArtifact(
    ctx: RequestContext,
    runId: string,
    path: string,
  ): Promise<{ readonly artifact: RunArtifact; readonly body: Readable }> {
    const row = await this.getRunRow(ctx, runId)
    return openRunArtifactBlob(this.deps, ctx, row.id as RunId, path)
  }

  /** Deletes one file of the run's artifact tree; `NOT_FOUND` if absent. */
  async deleteRunArtifact(ctx: RequestContext, runId: string, path: string): Promise<void> {
    const row = await this.getActiveRunRow(ctx, runId)
    await deleteRunArtifactRow(this.db, ctx.workspace, row.id, path)
  }

  // ------------------------------------------------------------ helpers

  private async getRunRow(ctx: RequestContext, runId: string, field = 'runId') {
    const id = toRunId(runId, field)
    const row = await findRunRow(this.db, ctx.workspace, id)
    if (row === undefined) throw runNotFound(id)
    return row
  }

  private async getActiveRunRow(ctx: RequestContext, runId: string) {
    const row = await this.getRunRow(ctx, runId)
    if (row.lifecycle_stage !== 'active') throw runNotActive(row.id)
    return row
  }

  private async publish<T extends 'experiment.created' | 'run.created' | 'run.finished'>(
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

/**
 * The Plinth dataset version named by an MLflow dataset with source type `plinth-dataset` and a
 * JSON source holding `ref` (`name@3`) or `versionId` (what the REST API and remote SDK send).
 */
function plinthDatasetRef(d: LogInputsDataset['dataset']): string | undefined {
  if (d === undefined || d.sourceType !== 'plinth-dataset') return undefined
  let source: unknown
  try {
    source = JSON.parse(d.source)
  } catch {
    return undefined
  }
  if (typeof source !== 'object' || source === null) return undefined
  if ('ref' in source && typeof source.ref === 'string') return source.ref
  if ('versionId' in source && typeof source.versionId === 'string' && 'uri' in source) {
    const uri = typeof source.uri === 'string' ? source.uri : ''
    const name = uri.startsWith('plinth-dataset:') ? uri.slice(15).split('@')[0] : undefined
    return name === undefined || name === '' ? undefined : `${name}@${source.versionId}`
  }
  return undefined
}

function digestOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 16)
}

function alreadyExists(name: string): PlatformError {
  return new PlatformError('ALREADY_EXISTS', `experiment '${name}' already exists`, { name })
}

function runNotFound(runId: string): NotFoundError {
  return new NotFoundError(`run '${runId}' not found`, { runId })
}

function runNotActive(runId: string): PlatformError {
  return new PlatformError(
    'FAILED_PRECONDITION',
    `run '${runId}' is deleted; restore it to change it`,
    { runId },
  )
}

function paramChanged(
  runId: string,
  key: string,
  oldValue: string,
  newValue: string,
): ValidationError {
  return new ValidationError(
    `param '${key}' of run '${runId}' is already '${oldValue}'; params cannot be changed`,
    [
      {
        path: ['params', key],
        code: 'immutable',
        message: `already logged with value '${oldValue}'`,
      },
    ],
    { runId, key, oldValue, newValue },
  )
}
