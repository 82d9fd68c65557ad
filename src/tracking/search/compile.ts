import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely'

import type { MetadataDialect } from '../../ports/index.js'
import type { ComparisonNode, FilterNode, OrderByClause } from './filter.js'

/**
 * Compiles parsed filters and orders to SQL fragments for the `runs` (or `experiments`) query.
 *
 * Every value is a bound parameter and every identifier comes from a fixed table or goes through
 * `sql.ref`/`sql.table` (quoted by Kysely); only comparators, checked by the parser against a
 * closed set, are spliced as raw SQL.
 *
 * Semantics follow MLflow's SQL store: a comparison on a metric, param, tag or dataset holds
 * only for runs that have that key (so `params.a != 'x'` skips runs without `a`); NaN metrics
 * match no comparison; `LIKE` is case-sensitive and `ILIKE` is not, on both databases.
 */

const RUN_COLUMNS: Readonly<Record<string, string>> = {
  run_id: 'runs.id',
  run_name: 'runs.name',
  user_id: 'runs.user_id',
  status: 'runs.status',
  start_time: 'runs.start_time',
  end_time: 'runs.end_time',
  artifact_uri: 'runs.artifact_uri',
}

const EXPERIMENT_COLUMNS: Readonly<Record<string, string>> = {
  name: 'experiments.name',
  creation_time: 'experiments.created_at',
  last_update_time: 'experiments.updated_at',
  experiment_id: 'experiments.id',
}

/** A SQL LIKE pattern as an SQLite GLOB pattern (GLOB is case-sensitive; SQLite's LIKE is not). */
export function likeToGlob(pattern: string): string {
  let out = ''
  for (const ch of pattern) {
    if (ch === '%') out += '*'
    else if (ch === '_') out += '?'
    else if (ch === '*' || ch === '?' || ch === '[') out += `[${ch}]`
    else out += ch
  }
  return out
}

function stringCompare(
  column: RawBuilder<unknown>,
  node: ComparisonNode,
  dialect: MetadataDialect,
): RawBuilder<SqlBool> {
  const v = node.value
  switch (node.op) {
    case 'IN':
    case 'NOT IN': {
      const list = (Array.isArray(v) ? v : [String(v)]) as readonly string[]
      const items = sql.join(list.map((x) => sql.val(x)))
      return node.op === 'IN'
        ? sql<SqlBool>`${column} in (${items})`
        : sql<SqlBool>`${column} not in (${items})`
    }
    case 'LIKE':
      return dialect === 'sqlite'
        ? sql<SqlBool>`${column} glob ${likeToGlob(String(v))}`
        : sql<SqlBool>`${column} like ${String(v)}`
    case 'ILIKE':
      return dialect === 'sqlite'
        ? sql<SqlBool>`lower(${column}) like lower(${String(v)})`
        : sql<SqlBool>`${column} ilike ${String(v)}`
    default:
      return sql<SqlBool>`${column} ${sql.raw(node.op)} ${typeof v === 'number' ? v : String(v)}`
  }
}

function runComparison(node: ComparisonNode, dialect: MetadataDialect): RawBuilder<SqlBool> {
  switch (node.entity) {
    case 'attribute': {
      const col = RUN_COLUMNS[node.key]
      if (col === undefined) throw new Error(`unknown run attribute ${node.key}`)
      return stringCompare(sql`${sql.ref(col)}`, node, dialect)
    }
    case 'metric':
      return sql<SqlBool>`exists (select 1 from ${sql.table('latest_metrics')} as m where m.workspace_id = ${sql.ref('runs.workspace_id')} and m.run_id = ${sql.ref('runs.id')} and m.key = ${node.key} and m.is_nan = 0 and ${stringCompare(sql`m.value`, node, dialect)})`
    case 'param':
    case 'tag': {
      const table = node.entity === 'param' ? 'run_params' : 'run_tags'
      return sql<SqlBool>`exists (select 1 from ${sql.table(table)} as p where p.workspace_id = ${sql.ref('runs.workspace_id')} and p.run_id = ${sql.ref('runs.id')} and p.key = ${node.key} and ${stringCompare(sql`p.value`, node, dialect)})`
    }
    case 'dataset': {
      const column = { name: 'd.dataset_name', digest: 'd.dataset_digest', context: 'd.context' }[
        node.key as 'name' | 'digest' | 'context'
      ]
      return sql<SqlBool>`exists (select 1 from ${sql.table('run_inputs')} as d where d.workspace_id = ${sql.ref('runs.workspace_id')} and d.run_id = ${sql.ref('runs.id')} and ${stringCompare(sql.raw(column), node, dialect)})`
    }
  }
}

function experimentComparison(node: ComparisonNode, dialect: MetadataDialect): RawBuilder<SqlBool> {
  if (node.entity === 'tag') {
    return sql<SqlBool>`exists (select 1 from ${sql.table('experiment_tags')} as t where t.workspace_id = ${sql.ref('experiments.workspace_id')} and t.experiment_id = ${sql.ref('experiments.id')} and t.key = ${node.key} and ${stringCompare(sql`t.value`, node, dialect)})`
  }
  const col = EXPERIMENT_COLUMNS[node.key]
  if (col === undefined) throw new Error(`unknown experiment attribute ${node.key}`)
  return stringCompare(sql`${sql.ref(col)}`, node, dialect)
}

/** The filter as a boolean SQL expression over the `runs` (or `experiments`) table. */
export function compileFilter(
  node: FilterNode,
  dialect: MetadataDialect,
  target: 'runs' | 'experiments' = 'runs',
): Expression<SqlBool> {
  switch (node.kind) {
    case 'comparison':
      return target === 'runs' ? runComparison(node, dialect) : experimentComparison(node, dialect)
    case 'and':
      return sql<SqlBool>`(${sql.join(
        node.items.map((n) => compileFilter(n, dialect, target)),
        sql` and `,
      )})`
    case 'or':
      return sql<SqlBool>`(${sql.join(
        node.items.map((n) => compileFilter(n, dialect, target)),
        sql` or `,
      )})`
  }
}

/** One ORDER BY item: an expression and its direction. */
export interface OrderItem {
  readonly expr: RawBuilder<unknown>
  readonly direction: 'asc' | 'desc'
}

/**
 * ORDER BY items for one clause. Runs without the key sort last in either direction, and NaN
 * metrics sort after every number but before missing ones (MLflow's SQL store).
 */
export function compileOrderBy(clause: OrderByClause, target: 'runs' | 'experiments'): OrderItem[] {
  const direction = clause.ascending ? 'asc' : 'desc'
  if (target === 'experiments' || clause.entity === 'attribute') {
    const col = (target === 'runs' ? RUN_COLUMNS : EXPERIMENT_COLUMNS)[clause.key]
    if (col === undefined) throw new Error(`unknown attribute ${clause.key}`)
    const ref = sql`${sql.ref(col)}`
    return [
      { expr: sql`case when ${ref} is null then 1 else 0 end`, direction: 'asc' },
      { expr: ref, direction },
    ]
  }
  if (clause.entity === 'metric') {
    const where = sql`m.workspace_id = ${sql.ref('runs.workspace_id')} and m.run_id = ${sql.ref('runs.id')} and m.key = ${clause.key}`
    return [
      {
        expr: sql`coalesce((select m.is_nan from ${sql.table('latest_metrics')} as m where ${where}), 2)`,
        direction: 'asc',
      },
      {
        expr: sql`(select m.value from ${sql.table('latest_metrics')} as m where ${where})`,
        direction,
      },
    ]
  }
  if (clause.entity === 'dataset') throw new Error('runs cannot be ordered by datasets')
  const table = clause.entity === 'param' ? 'run_params' : 'run_tags'
  const value = sql`(select p.value from ${sql.table(table)} as p where p.workspace_id = ${sql.ref('runs.workspace_id')} and p.run_id = ${sql.ref('runs.id')} and p.key = ${clause.key})`
  return [
    { expr: sql`case when ${value} is null then 1 else 0 end`, direction: 'asc' },
    { expr: value, direction },
  ]
}
