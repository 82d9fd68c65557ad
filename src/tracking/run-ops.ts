import { randomInt, randomUUID } from 'node:crypto'

import { sql } from 'kysely'

import { NotFoundError, PlatformError, type RequestContext } from '../core/index.js'
import { paramChanged, runNotActive, runNotFound, digestOf } from './errors.js'
import { DEFAULT_EXPERIMENT, ExperimentOps } from './experiment-ops.js'
import {
  TAGS,
  TRACKING_LIMITS,
  type CreateRunInput,
  type KeyValue,
  type LogBatchInput,
  type LogInputsDataset,
  type Metric,
  type MetricHistoryOptions,
  type MetricInput,
  type Run,
  type RunId,
  type RunInfo,
  type TrackingPage,
  type UpdateRunInput,
} from './entities.js'
import {
  findRunRow,
  hydrateRuns,
  insertMetrics,
  insertRunParams,
  metricHistory,
  runParams,
  runRows,
  toRunInfo,
  upsertRunTags,
  type MetricPoint,
} from './repo.js'
import { newRunName } from './run-names.js'
import {
  Issues,
  checkMetrics,
  checkPairs,
  checkTime,
  checkValue,
  decodeOffsetToken,
  encodeOffsetToken,
  toMaxResults,
  toRunId,
  toRunStatus,
} from './validate.js'

const TERMINAL = new Set(['FINISHED', 'FAILED', 'KILLED'])

/**
 * The run aggregate of `TrackingService`: runs, their params, metrics and tags, and dataset
 * inputs. @internal (use `TrackingService`)
 */
export class RunOps extends ExperimentOps {
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

  // ------------------------------------------------------------ helpers

  protected async getRunRow(ctx: RequestContext, runId: string, field = 'runId') {
    const id = toRunId(runId, field)
    const row = await findRunRow(this.db, ctx.workspace, id)
    if (row === undefined) throw runNotFound(id)
    return row
  }

  protected async getActiveRunRow(ctx: RequestContext, runId: string) {
    const row = await this.getRunRow(ctx, runId)
    if (row.lifecycle_stage !== 'active') throw runNotActive(row.id)
    return row
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
