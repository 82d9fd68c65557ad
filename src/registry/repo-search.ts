import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely'

import type { WorkspaceId } from '../core/index.js'
import type { MetadataDialect, MetadataSchema } from '../ports/index.js'
import type { Db, ModelVersionRow, RegisteredModelRow } from './repo.js'
import type { FilterClause, FilterSpec, OrderTerm } from './search-filter.js'

/** Attributes of `searchRegisteredModels` filters. */
export const MODEL_FILTER_SPEC: FilterSpec = Object.freeze({
  name: { ops: ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'], type: 'string' },
})

/** `order_by` keys of `searchRegisteredModels` (input → canonical). */
export const MODEL_ORDER_KEYS: Readonly<Record<string, string>> = Object.freeze({
  name: 'name',
  last_updated_timestamp: 'last_updated_timestamp',
  timestamp: 'last_updated_timestamp',
  creation_timestamp: 'creation_timestamp',
})

/** Attributes of `searchModelVersions` filters. */
export const VERSION_FILTER_SPEC: FilterSpec = Object.freeze({
  name: { ops: ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'], type: 'string' },
  version_number: { ops: ['=', '!=', '<', '<=', '>', '>=', 'IN', 'NOT IN'], type: 'number' },
  run_id: { ops: ['=', '!=', 'IN', 'NOT IN'], type: 'string' },
  source_path: { ops: ['=', '!=', 'LIKE', 'ILIKE'], type: 'string' },
  current_stage: { ops: ['=', '!=', 'IN', 'NOT IN'], type: 'string' },
  status: { ops: ['=', '!=', 'IN', 'NOT IN'], type: 'string' },
})

/** `order_by` keys of `searchModelVersions` (input → canonical). */
export const VERSION_ORDER_KEYS: Readonly<Record<string, string>> = Object.freeze({
  name: 'name',
  version_number: 'version_number',
  creation_timestamp: 'creation_timestamp',
  timestamp: 'last_updated_timestamp',
  last_updated_timestamp: 'last_updated_timestamp',
})

/**
 * A `LIKE` with the same meaning on both engines: `%` and `_` are the only wildcards (no escape
 * character) and `LIKE` is case-sensitive, `ILIKE` case-insensitive.
 *
 * SQLite's LIKE ignores ASCII case, so a case-sensitive LIKE becomes a GLOB with the pattern
 * translated; PostgreSQL's LIKE treats `\` as an escape unless told `ESCAPE ''`.
 */
function likeSql(
  dialect: MetadataDialect,
  column: Expression<unknown>,
  pattern: string,
  caseInsensitive: boolean,
): Expression<SqlBool> {
  if (dialect === 'postgres') {
    return caseInsensitive
      ? sql<SqlBool>`${column} ilike ${pattern} escape ''`
      : sql<SqlBool>`${column} like ${pattern} escape ''`
  }
  if (caseInsensitive) return sql<SqlBool>`lower(${column}) like lower(${pattern})`
  let glob = ''
  for (const c of pattern) {
    glob += c === '%' ? '*' : c === '_' ? '?' : c === '*' || c === '?' || c === '[' ? `[${c}]` : c
  }
  return sql<SqlBool>`${column} glob ${glob}`
}

function compare(
  dialect: MetadataDialect,
  column: Expression<unknown>,
  clause: FilterClause,
): Expression<SqlBool> {
  const { op, value } = clause
  switch (op) {
    case 'LIKE':
    case 'ILIKE':
      return likeSql(dialect, column, String(value), op === 'ILIKE')
    case 'IN':
    case 'NOT IN': {
      const list = Array.isArray(value) ? (value as readonly string[]) : [String(value)]
      if (list.length === 0) return op === 'IN' ? sql<SqlBool>`1 = 0` : sql<SqlBool>`1 = 1`
      const items = sql.join(list.map((v) => sql`${v}`))
      return op === 'IN'
        ? sql<SqlBool>`${column} in (${items})`
        : sql<SqlBool>`${column} not in (${items})`
    }
    case '=':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return sql<SqlBool>`${column} ${sql.raw(op === '!=' ? '<>' : op)} ${value}`
  }
}

type ModelEb = ExpressionBuilder<MetadataSchema & { m: MetadataSchema['registered_models'] }, 'm'>
type VersionEb = ExpressionBuilder<
  MetadataSchema & {
    v: MetadataSchema['model_versions']
    m: MetadataSchema['registered_models']
  },
  'v' | 'm'
>

/** One page of registered models matching the clauses. */
export async function searchModelRows(
  db: Db,
  dialect: MetadataDialect,
  ws: WorkspaceId,
  clauses: readonly FilterClause[],
  order: readonly OrderTerm[],
  offset: number,
  limit: number,
): Promise<RegisteredModelRow[]> {
  let q = db.selectFrom('registered_models as m').selectAll('m').where('m.workspace_id', '=', ws)
  for (const clause of clauses) {
    const field = clause.field
    q = q.where((eb: ModelEb) => {
      if (field.kind === 'attribute') return compare(dialect, eb.ref('m.name'), clause)
      return eb.exists(
        eb
          .selectFrom('registered_model_tags as t')
          .select('t.key')
          .whereRef('t.workspace_id', '=', 'm.workspace_id')
          .whereRef('t.model_id', '=', 'm.id')
          .where('t.key', '=', field.key)
          .where((e) => compare(dialect, e.ref('t.value'), clause)),
      )
    })
  }
  const terms = order.length > 0 ? order : [{ key: 'name', direction: 'asc' as const }]
  for (const t of terms) {
    const column =
      t.key === 'name' ? 'm.name' : t.key === 'creation_timestamp' ? 'm.created_at' : 'm.updated_at'
    q = q.orderBy(column, t.direction)
  }
  if (!terms.some((t) => t.key === 'name')) q = q.orderBy('m.name', 'asc')
  return q.offset(offset).limit(limit).execute()
}

/** One page of model versions matching the clauses. */
export async function searchVersionRows(
  db: Db,
  dialect: MetadataDialect,
  ws: WorkspaceId,
  clauses: readonly FilterClause[],
  order: readonly OrderTerm[],
  offset: number,
  limit: number,
): Promise<ModelVersionRow[]> {
  let q = db
    .selectFrom('model_versions as v')
    .innerJoin('registered_models as m', (j) =>
      j.onRef('m.workspace_id', '=', 'v.workspace_id').onRef('m.id', '=', 'v.model_id'),
    )
    .selectAll('v')
    .where('v.workspace_id', '=', ws)
  for (const clause of clauses) {
    const field = clause.field
    q = q.where((eb: VersionEb) => {
      if (field.kind === 'tag') {
        return eb.exists(
          eb
            .selectFrom('model_version_tags as t')
            .select('t.key')
            .whereRef('t.workspace_id', '=', 'v.workspace_id')
            .whereRef('t.version_id', '=', 'v.id')
            .where('t.key', '=', field.key)
            .where((e) => compare(dialect, e.ref('t.value'), clause)),
        )
      }
      const column =
        field.name === 'name'
          ? eb.ref('m.name')
          : field.name === 'version_number'
            ? eb.ref('v.version')
            : field.name === 'run_id'
              ? eb.ref('v.run_id')
              : field.name === 'current_stage'
                ? eb.ref('v.stage')
                : field.name === 'status'
                  ? eb.ref('v.status')
                  : eb.ref('v.source')
      return compare(dialect, column, clause)
    })
  }
  const terms =
    order.length > 0
      ? order
      : [
          { key: 'name', direction: 'asc' as const },
          { key: 'version_number', direction: 'desc' as const },
        ]
  for (const t of terms) {
    const column =
      t.key === 'name'
        ? 'm.name'
        : t.key === 'version_number'
          ? 'v.version'
          : t.key === 'creation_timestamp'
            ? 'v.created_at'
            : 'v.updated_at'
    q = q.orderBy(column, t.direction)
  }
  q = q.orderBy('v.id')
  return q.offset(offset).limit(limit).execute()
}
