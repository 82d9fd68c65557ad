import { createColumn, createFrame, type Column, type Frame } from '../../frame/index.js'
import { quoteIdent, valueText, type DuckSession } from './duckdb-session.js'
import type { StoredColumn } from '../entities.js'

type Kind = 'f64' | 'i32' | 'bool' | 'ts' | 'str'

const SMALL_INT = /^(TINYINT|SMALLINT|INTEGER|UTINYINT|USMALLINT)$/
const NUMBER = /^(BIGINT|HUGEINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/
const TEMPORAL = /^(DATE|TIMESTAMP.*)$/

/** Where one column's values are written, typed by its dtype. */
type Sink =
  | { readonly kind: 'f64' | 'ts'; readonly values: Float64Array }
  | { readonly kind: 'i32'; readonly values: Int32Array }
  | { readonly kind: 'bool'; readonly values: Uint8Array }
  | { readonly kind: 'str'; readonly values: string[] }

function newSink(kind: Kind, n: number): Sink {
  switch (kind) {
    case 'f64':
    case 'ts':
      return { kind, values: new Float64Array(n) }
    case 'i32':
      return { kind, values: new Int32Array(n) }
    case 'bool':
      return { kind, values: new Uint8Array(n) }
    case 'str':
      return { kind, values: new Array<string>(n).fill('') }
  }
}

/** The Frame dtype a stored column becomes, and the SQL that yields it simply. */
function plan(c: StoredColumn): { kind: Kind; expr: string } {
  const q = quoteIdent(c.name)
  if (SMALL_INT.test(c.type)) return { kind: 'i32', expr: `${q}::INTEGER` }
  if (NUMBER.test(c.type)) return { kind: 'f64', expr: `${q}::DOUBLE` }
  if (c.type === 'BOOLEAN') return { kind: 'bool', expr: q }
  // Epoch milliseconds, UTC, as the Frame's `ts` dtype stores them.
  if (TEMPORAL.test(c.type)) return { kind: 'ts', expr: `epoch_ms(${q}::TIMESTAMP)::DOUBLE` }
  return { kind: 'str', expr: `${q}::VARCHAR` }
}

/**
 * Reads `columns` of `table` into a Frame: integers up to 32 bits become `i32`, other numbers
 * `f64`, booleans `bool`, dates and timestamps `ts` (epoch ms), everything else `str`. Missing
 * values go into validity masks, never NaN. Reads chunk by chunk into preallocated typed arrays.
 */
export async function readFrame(
  session: DuckSession,
  table: string,
  columns: readonly StoredColumn[],
  options: { readonly limit?: number } = {},
): Promise<Frame> {
  const plans = columns.map(plan)
  const n = Number(
    (
      await session.rows(
        `SELECT count(*) AS n FROM (SELECT 1 FROM ${quoteIdent(table)}${options.limit === undefined ? '' : ` LIMIT ${String(options.limit)}`})`,
      )
    )[0]?.['n'] ?? 0,
  )
  const sinks: Sink[] = plans.map((p) => newSink(p.kind, n))
  const validity = plans.map(() => new Uint8Array(n).fill(1))
  const missing = plans.map(() => 0)
  const select =
    plans.length === 0 ? '1' : plans.map((p, j) => `${p.expr} AS c${String(j)}`).join(', ')
  const result = await session.connection.stream(
    `SELECT ${select} FROM ${quoteIdent(table)}${options.limit === undefined ? '' : ` LIMIT ${String(options.limit)}`}`,
  )
  let row = 0
  for (;;) {
    const chunk = await result.fetchChunk()
    if (chunk === null || chunk.rowCount === 0) break
    const m = chunk.rowCount
    sinks.forEach((sink, j) => {
      const vector = chunk.getColumnVector(j)
      const valid = validity[j]
      if (valid === undefined) return
      for (let i = 0; i < m; i++) {
        const v = vector.getItem(i)
        const at = row + i
        if (v === null) {
          valid[at] = 0
          missing[j] = (missing[j] ?? 0) + 1
          if (sink.kind === 'f64' || sink.kind === 'ts') sink.values[at] = Number.NaN
        } else if (sink.kind === 'str') sink.values[at] = typeof v === 'string' ? v : valueText(v)
        else if (sink.kind === 'bool') sink.values[at] = v === true ? 1 : 0
        else sink.values[at] = typeof v === 'number' ? v : Number(v)
      }
    })
    row += m
  }
  const built: Column[] = sinks.map((sink, j) => {
    const name = columns[j]?.name ?? `c${String(j)}`
    const validityMask = (missing[j] ?? 0) > 0 ? validity[j] : undefined
    switch (sink.kind) {
      case 'f64':
        return createColumn({ name, dtype: 'f64', values: sink.values, validity: validityMask })
      case 'ts':
        return createColumn({ name, dtype: 'ts', values: sink.values, validity: validityMask })
      case 'i32':
        return createColumn({ name, dtype: 'i32', values: sink.values, validity: validityMask })
      case 'bool':
        return createColumn({ name, dtype: 'bool', values: sink.values, validity: validityMask })
      case 'str':
        return createColumn({ name, dtype: 'str', values: sink.values, validity: validityMask })
    }
  })
  return createFrame(built, { nRows: n })
}
