import { sql, type Kysely, type Selectable } from 'kysely'

import type { WorkspaceId } from '../core/index.js'
import type { MetadataDialect, MetadataSchema } from '../ports/index.js'
import type {
  DatasetInput,
  Experiment,
  ExperimentId,
  KeyValue,
  LifecycleStage,
  Metric,
  Run,
  RunId,
  RunInfo,
  RunStatus,
} from './entities.js'

type Db = Kysely<MetadataSchema>
type ExperimentRow = Selectable<MetadataSchema['experiments']>
type RunRow = Selectable<MetadataSchema['runs']>
type MetricRow = Selectable<MetadataSchema['latest_metrics']>

/** A metric row ready to insert (NaN already split into `value = 0, is_nan = 1`). */
export interface MetricPoint {
  readonly key: string
  readonly value: number
  readonly isNan: boolean
  readonly timestamp: number
  readonly step: number
}

/** Rows per multi-row INSERT: 7 columns × 1000 stays far below SQLite's 32 766 variables. */
const INSERT_CHUNK = 1000
/** Ids per `IN (…)` list. */
const IN_CHUNK = 500
/** Points per JSON-unpacked INSERT. */
const JSON_CHUNK = 10_000

function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size))
  return out
}

export function toExperiment(row: ExperimentRow, tags: readonly KeyValue[]): Experiment {
  return Object.freeze({
    experimentId: row.id as ExperimentId,
    workspace: row.workspace_id as WorkspaceId,
    name: row.name,
    artifactLocation: row.artifact_location,
    lifecycleStage: row.lifecycle_stage as LifecycleStage,
    creationTime: row.created_at,
    lastUpdateTime: row.updated_at,
    tags: Object.freeze(tags),
  })
}

export function toRunInfo(row: RunRow): RunInfo {
  return Object.freeze({
    runId: row.id as RunId,
    experimentId: row.experiment_id as ExperimentId,
    workspace: row.workspace_id as WorkspaceId,
    runName: row.name,
    userId: row.user_id,
    status: row.status as RunStatus,
    startTime: row.start_time,
    endTime: row.end_time,
    artifactUri: row.artifact_uri,
    lifecycleStage: row.lifecycle_stage as LifecycleStage,
  })
}

function toMetric(row: Pick<MetricRow, 'key' | 'value' | 'is_nan' | 'timestamp' | 'step'>): Metric {
  return Object.freeze({
    key: row.key,
    value: row.is_nan === 1 ? Number.NaN : row.value,
    timestamp: row.timestamp,
    step: row.step,
  })
}

// ---------------------------------------------------------------- experiments

export async function findExperimentRow(
  db: Db,
  workspace: WorkspaceId,
  by: { readonly id: string } | { readonly name: string },
): Promise<ExperimentRow | undefined> {
  let q = db.selectFrom('experiments').selectAll().where('workspace_id', '=', workspace)
  q = 'id' in by ? q.where('id', '=', by.id) : q.where('name', '=', by.name)
  return q.executeTakeFirst()
}

export async function experimentTags(
  db: Db,
  workspace: WorkspaceId,
  ids: readonly string[],
): Promise<Map<string, KeyValue[]>> {
  const out = new Map<string, KeyValue[]>()
  for (const part of chunks(ids, IN_CHUNK)) {
    const rows = await db
      .selectFrom('experiment_tags')
      .select(['experiment_id', 'key', 'value'])
      .where('workspace_id', '=', workspace)
      .where('experiment_id', 'in', part)
      .orderBy('key')
      .execute()
    for (const r of rows) {
      const list = out.get(r.experiment_id) ?? []
      list.push(Object.freeze({ key: r.key, value: r.value }))
      out.set(r.experiment_id, list)
    }
  }
  return out
}

/** The next global experiment sequence number (call inside the inserting transaction). */
export async function nextExperimentSeq(db: Db): Promise<number> {
  const row = await db
    .selectFrom('experiments')
    .select(sql<number | string | null>`max(seq)`.as('m'))
    .executeTakeFirst()
  return Number(row?.m ?? 0) + 1
}

export async function upsertExperimentTags(
  db: Db,
  workspace: WorkspaceId,
  experimentId: string,
  tags: readonly KeyValue[],
): Promise<void> {
  for (const t of tags) {
    await db
      .insertInto('experiment_tags')
      .values({ workspace_id: workspace, experiment_id: experimentId, key: t.key, value: t.value })
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'experiment_id', 'key']).doUpdateSet({ value: t.value }),
      )
      .execute()
  }
}

// ---------------------------------------------------------------- runs

export async function findRunRow(
  db: Db,
  workspace: WorkspaceId,
  id: string,
): Promise<RunRow | undefined> {
  return db
    .selectFrom('runs')
    .selectAll()
    .where('workspace_id', '=', workspace)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function runRows(
  db: Db,
  workspace: WorkspaceId,
  ids: readonly string[],
): Promise<RunRow[]> {
  const out: RunRow[] = []
  for (const part of chunks(ids, IN_CHUNK)) {
    out.push(
      ...(await db
        .selectFrom('runs')
        .selectAll()
        .where('workspace_id', '=', workspace)
        .where('id', 'in', part)
        .execute()),
    )
  }
  return out
}

export async function upsertRunTags(
  db: Db,
  workspace: WorkspaceId,
  runId: string,
  tags: readonly KeyValue[],
): Promise<void> {
  // Last value wins within a batch (MLflow): one row per key, so PostgreSQL's ON CONFLICT never
  // touches a row twice in one statement.
  const last = new Map(tags.map((t) => [t.key, t.value]))
  for (const part of chunks([...last], INSERT_CHUNK)) {
    await db
      .insertInto('run_tags')
      .values(part.map(([key, value]) => ({ workspace_id: workspace, run_id: runId, key, value })))
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'run_id', 'key'])
          .doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
      )
      .execute()
  }
}

export async function runParams(
  db: Db,
  workspace: WorkspaceId,
  runId: string,
  keys: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const part of chunks(keys, IN_CHUNK)) {
    const rows = await db
      .selectFrom('run_params')
      .select(['key', 'value'])
      .where('workspace_id', '=', workspace)
      .where('run_id', '=', runId)
      .where('key', 'in', part)
      .execute()
    for (const r of rows) out.set(r.key, r.value)
  }
  return out
}

export async function insertRunParams(
  db: Db,
  workspace: WorkspaceId,
  runId: string,
  params: readonly KeyValue[],
): Promise<void> {
  for (const part of chunks(params, INSERT_CHUNK)) {
    await db
      .insertInto('run_params')
      .values(
        part.map((p) => ({ workspace_id: workspace, run_id: runId, key: p.key, value: p.value })),
      )
      .onConflict((oc) => oc.columns(['workspace_id', 'run_id', 'key']).doNothing())
      .execute()
  }
}

/**
 * Appends points and moves each key's latest point forward when a new point is later by
 * (step, timestamp, value), MLflow's order.
 */
export async function insertMetrics(
  db: Db,
  dialect: MetadataDialect,
  workspace: WorkspaceId,
  runId: string,
  points: readonly MetricPoint[],
): Promise<void> {
  const latest = new Map<string, MetricPoint>()
  for (const p of points) {
    const cur = latest.get(p.key)
    if (
      cur === undefined ||
      p.step > cur.step ||
      (p.step === cur.step &&
        (p.timestamp > cur.timestamp || (p.timestamp === cur.timestamp && p.value > cur.value)))
    ) {
      latest.set(p.key, p)
    }
  }
  const row = (p: MetricPoint) => ({
    workspace_id: workspace,
    run_id: runId,
    key: p.key,
    value: p.value,
    is_nan: p.isNan ? 1 : 0,
    timestamp: p.timestamp,
    step: p.step,
  })
  // Finite points travel as one JSON parameter per chunk, unpacked by the database
  // (json_each / jsonb_array_elements): a 1000-row VALUES list costs more to build, prepare and
  // bind than the rows cost to write (measured: about 3x the CPU per point). JSON has no
  // ±Infinity, so those few points take the VALUES path.
  const finite = points.filter((p) => Number.isFinite(p.value))
  const infinite = points.filter((p) => !Number.isFinite(p.value))
  const keyJson = new Map<string, string>()
  for (const part of chunks(finite, JSON_CHUNK)) {
    // Built by hand: `JSON.stringify` of an array of arrays allocates them all first. A finite
    // number's `String` is its JSON form; each distinct key is escaped once.
    let json = '['
    for (let i = 0; i < part.length; i++) {
      const p = part[i]
      if (p === undefined) continue
      let k = keyJson.get(p.key)
      if (k === undefined) {
        k = JSON.stringify(p.key)
        keyJson.set(p.key, k)
      }
      json += `${i === 0 ? '' : ','}[${k},${String(p.value)},${p.isNan ? '1' : '0'},${String(p.timestamp)},${String(p.step)}]`
    }
    json += ']'
    const rows =
      dialect === 'sqlite'
        ? sql`select ${workspace}, ${runId}, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4 from json_each(${json}) as j`
        : sql`select ${workspace}, ${runId}, e ->> 0, (e ->> 1)::float8, (e ->> 2)::int, (e ->> 3)::bigint, (e ->> 4)::bigint from jsonb_array_elements(${json}::jsonb) as e`
    await sql`insert into ${sql.table('run_metrics')} (workspace_id, run_id, key, value, is_nan, timestamp, step) ${rows}`.execute(
      db,
    )
  }
  for (const part of chunks(infinite, INSERT_CHUNK)) {
    await db.insertInto('run_metrics').values(part.map(row)).execute()
  }
  for (const part of chunks([...latest.values()], INSERT_CHUNK)) {
    await db
      .insertInto('latest_metrics')
      .values(part.map(row))
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'run_id', 'key'])
          .doUpdateSet((eb) => ({
            value: eb.ref('excluded.value'),
            is_nan: eb.ref('excluded.is_nan'),
            timestamp: eb.ref('excluded.timestamp'),
            step: eb.ref('excluded.step'),
          }))
          .where((eb) =>
            eb.or([
              eb('excluded.step', '>', eb.ref('latest_metrics.step')),
              eb.and([
                eb('excluded.step', '=', eb.ref('latest_metrics.step')),
                eb.or([
                  eb('excluded.timestamp', '>', eb.ref('latest_metrics.timestamp')),
                  eb.and([
                    eb('excluded.timestamp', '=', eb.ref('latest_metrics.timestamp')),
                    eb('excluded.value', '>', eb.ref('latest_metrics.value')),
                  ]),
                ]),
              ]),
            ]),
          ),
      )
      .execute()
  }
}

export async function metricHistory(
  db: Db,
  workspace: WorkspaceId,
  runId: string,
  key: string,
  offset: number,
  limit: number,
): Promise<Metric[]> {
  const rows = await db
    .selectFrom('run_metrics')
    .select(['key', 'value', 'is_nan', 'timestamp', 'step'])
    .where('workspace_id', '=', workspace)
    .where('run_id', '=', runId)
    .where('key', '=', key)
    .orderBy('step')
    .orderBy('timestamp')
    .orderBy('value')
    .limit(limit)
    .offset(offset)
    .execute()
  return rows.map(toMetric)
}

/** Runs with their data and inputs, in the order of `rows`. */
export async function hydrateRuns(
  db: Db,
  workspace: WorkspaceId,
  rows: readonly RunRow[],
): Promise<Run[]> {
  const ids = rows.map((r) => r.id)
  const params = new Map<string, KeyValue[]>()
  const tags = new Map<string, KeyValue[]>()
  const metrics = new Map<string, Metric[]>()
  const inputs = new Map<string, DatasetInput[]>()
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
    const list = m.get(k)
    if (list === undefined) m.set(k, [v])
    else list.push(v)
  }
  for (const part of chunks(ids, IN_CHUNK)) {
    const [p, t, m, i] = await Promise.all([
      db
        .selectFrom('run_params')
        .select(['run_id', 'key', 'value'])
        .where('workspace_id', '=', workspace)
        .where('run_id', 'in', part)
        .orderBy('key')
        .execute(),
      db
        .selectFrom('run_tags')
        .select(['run_id', 'key', 'value'])
        .where('workspace_id', '=', workspace)
        .where('run_id', 'in', part)
        .orderBy('key')
        .execute(),
      db
        .selectFrom('latest_metrics')
        .select(['run_id', 'key', 'value', 'is_nan', 'timestamp', 'step'])
        .where('workspace_id', '=', workspace)
        .where('run_id', 'in', part)
        .orderBy('key')
        .execute(),
      db
        .selectFrom('run_inputs')
        .selectAll()
        .where('workspace_id', '=', workspace)
        .where('run_id', 'in', part)
        .orderBy('created_at')
        .orderBy('dataset_name')
        .execute(),
    ])
    for (const r of p) push(params, r.run_id, Object.freeze({ key: r.key, value: r.value }))
    for (const r of t) push(tags, r.run_id, Object.freeze({ key: r.key, value: r.value }))
    for (const r of m) push(metrics, r.run_id, toMetric(r))
    for (const r of i) {
      push(
        inputs,
        r.run_id,
        Object.freeze({
          dataset: Object.freeze({
            name: r.dataset_name,
            digest: r.dataset_digest,
            sourceType: r.source_type,
            source: r.source,
            schema: r.schema_json,
            profile: r.profile_json,
          }),
          tags: Object.freeze(JSON.parse(r.tags_json) as KeyValue[]),
          datasetVersionId: r.dataset_version_id,
        }),
      )
    }
  }
  return rows.map((r) =>
    Object.freeze({
      info: toRunInfo(r),
      data: Object.freeze({
        metrics: Object.freeze(metrics.get(r.id) ?? []),
        params: Object.freeze(params.get(r.id) ?? []),
        tags: Object.freeze(tags.get(r.id) ?? []),
      }),
      inputs: Object.freeze({ datasetInputs: Object.freeze(inputs.get(r.id) ?? []) }),
    }),
  )
}

/** Whether a key is taken by another writer: true when `err` is a unique violation. */
export function isUniqueViolation(err: unknown): boolean {
  let e: unknown = err
  for (let depth = 0; depth < 4 && e !== undefined && e !== null; depth++) {
    if (typeof e === 'object' && 'code' in e && typeof e.code === 'string') {
      if (/^(SQLITE_CONSTRAINT_PRIMARYKEY|SQLITE_CONSTRAINT_UNIQUE|23505)$/.test(e.code))
        return true
    }
    e = e instanceof Error ? e.cause : undefined
  }
  return false
}
