import type { Readable } from 'node:stream'

import { ValidationError, type RequestContext } from '../core/index.js'
import { digestOf } from './errors.js'
import type { TrackingServiceDeps } from './experiment-ops.js'
import { RunOps } from './run-ops.js'
import {
  deleteRunArtifactRow,
  listRunArtifactFiles,
  openRunArtifactBlob,
  putRunArtifact,
} from './artifacts.js'
import {
  TRACKING_LIMITS,
  type ListRunArtifactsOptions,
  type Run,
  type RunArtifact,
  type RunArtifactFile,
  type RunComparison,
  type RunId,
  type SearchRunsOptions,
  type TrackingPage,
  type UploadRunArtifactInput,
} from './entities.js'
import { hydrateRuns } from './repo.js'
import { parseFilter, parseOrderBy } from './search/filter.js'
import { searchRunRows } from './search/search-runs.js'
import {
  decodeOffsetToken,
  encodeOffsetToken,
  stagesOf,
  toExperimentId,
  toMaxResults,
  toViewType,
} from './validate.js'

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
export class TrackingService extends RunOps {
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
    const rows = await searchRunRows(
      this.db,
      {
        workspace: ctx.workspace,
        experimentIds: ids,
        stages: stagesOf(view),
        filter,
        orderBy,
        dialect: this.deps.metadata.dialect,
      },
      offset,
      maxResults + 1,
    )
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
}

export type { TrackingServiceDeps }
