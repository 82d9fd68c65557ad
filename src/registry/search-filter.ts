import { ValidationError } from '../core/index.js'

/** A comparison operator of the registry's search filters (MLflow's subset). */
export type FilterOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN'

/** What a clause compares: an attribute or a tag. */
export type FilterField =
  | { readonly kind: 'attribute'; readonly name: string }
  | { readonly kind: 'tag'; readonly key: string }

/** One `field op value` clause; clauses are joined with AND. */
export interface FilterClause {
  readonly field: FilterField
  readonly op: FilterOp
  readonly value: string | number | readonly string[]
}

/** What a search accepts: attribute name → allowed operators and value type. */
export type FilterSpec = Readonly<
  Record<string, { readonly ops: readonly FilterOp[]; readonly type: 'string' | 'number' }>
>

/** Operators allowed on tags. */
const TAG_OPS: readonly FilterOp[] = ['=', '!=', 'LIKE', 'ILIKE']

type Token =
  | { readonly t: 'ident'; readonly v: string }
  | { readonly t: 'string'; readonly v: string }
  | { readonly t: 'number'; readonly v: number }
  | { readonly t: 'op'; readonly v: string }
  | { readonly t: 'punct'; readonly v: '(' | ')' | ',' }

function bad(message: string): never {
  throw new ValidationError('invalid filter', [
    { path: ['filter'], code: 'invalid_format', message },
  ])
}

function tokenize(text: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text.charAt(i)
    if (/\s/.test(c)) {
      i++
    } else if (c === "'" || c === '"' || c === '`') {
      // SQL-style quoting: a doubled quote inside is one quote character.
      let value = ''
      let j = i + 1
      for (;;) {
        if (j >= text.length) bad(`unterminated ${c}quoted${c} string`)
        const d = text.charAt(j)
        if (d === c) {
          if (text.charAt(j + 1) === c) {
            value += c
            j += 2
            continue
          }
          break
        }
        value += d
        j++
      }
      out.push(c === '`' ? { t: 'ident', v: value } : { t: 'string', v: value })
      i = j + 1
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: 'punct', v: c })
      i++
    } else if ('=!<>'.includes(c)) {
      const two = text.slice(i, i + 2)
      const op = ['!=', '<=', '>=', '<>'].includes(two) ? two : c
      if (op === '!') bad("expected '!='")
      out.push({ t: 'op', v: op === '<>' ? '!=' : op })
      i += op.length
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i))
      if (m === null) bad(`unexpected '${c}'`)
      out.push({ t: 'number', v: Number(m[0]) })
      i += m[0].length
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i))
      if (m === null) bad(`unexpected '${c}'`)
      let word = m[0]
      i += word.length
      // `tags.` followed by a quoted key: `tags."my key"` or tags.`my key`.
      if (word.endsWith('.') && /["`]/.test(text.charAt(i))) {
        const q = text.charAt(i)
        const end = text.indexOf(q, i + 1)
        if (end === -1) bad('unterminated quoted tag key')
        word += text.slice(i + 1, end)
        i = end + 1
      }
      out.push({ t: 'ident', v: word })
    } else {
      bad(`unexpected '${c}'`)
    }
  }
  return out
}

function fieldOf(ident: string, spec: FilterSpec): FilterField {
  const lower = ident.toLowerCase()
  for (const prefix of ['tags.', 'tag.']) {
    if (lower.startsWith(prefix)) {
      const key = ident.slice(prefix.length)
      if (key.length === 0) bad('empty tag key')
      return { kind: 'tag', key }
    }
  }
  const name = lower.startsWith('attribute.') ? lower.slice('attribute.'.length) : lower
  if (!(name in spec)) {
    bad(`unknown attribute '${ident}'; expected ${[...Object.keys(spec), 'tags.<key>'].join(', ')}`)
  }
  return { kind: 'attribute', name }
}

/**
 * Parses an MLflow-style registry filter: clauses `field op value` joined with `AND`, where
 * `field` is an attribute of `spec` or `tags.<key>` (quote keys with spaces: ``tags.`a b` ``),
 * strings are single- or double-quoted and `IN` takes a parenthesised list.
 *
 * @example
 * ```ts
 * parseFilter("name LIKE '%churn%' AND tags.team = 'risk'", { name: { ops: ['LIKE'], type: 'string' } })
 * ```
 */
export function parseFilter(text: string | undefined, spec: FilterSpec): FilterClause[] {
  if (text === undefined || text.trim() === '') return []
  if (text.length > 10_000) bad('at most 10,000 characters')
  const tokens = tokenize(text)
  const clauses: FilterClause[] = []
  let i = 0
  const next = (): Token | undefined => tokens[i++]
  for (;;) {
    const ident = next()
    if (ident?.t !== 'ident') bad('expected an attribute or tags.<key>')
    const field = fieldOf(ident.v, spec)
    let opTok = next()
    let op: FilterOp
    if (opTok?.t === 'op') {
      op = opTok.v as FilterOp
    } else if (opTok?.t === 'ident' && /^(like|ilike|in)$/i.test(opTok.v)) {
      op = opTok.v.toUpperCase() as FilterOp
    } else if (opTok?.t === 'ident' && /^not$/i.test(opTok.v)) {
      opTok = next()
      if (opTok?.t !== 'ident' || !/^in$/i.test(opTok.v)) bad("expected 'NOT IN'")
      op = 'NOT IN'
    } else {
      bad(`expected an operator after '${ident.v}'`)
    }
    const allowed = field.kind === 'tag' ? TAG_OPS : (spec[field.name]?.ops ?? [])
    if (!allowed.includes(op)) {
      bad(`operator ${op} is not supported on '${ident.v}'; use ${allowed.join(', ')}`)
    }
    const type = field.kind === 'tag' ? 'string' : (spec[field.name]?.type ?? 'string')
    let value: string | number | readonly string[]
    if (op === 'IN' || op === 'NOT IN') {
      if (next()?.t !== 'punct') bad(`expected '(' after ${op}`)
      const items: string[] = []
      for (;;) {
        const v = next()
        if (v === undefined) bad('unterminated list')
        if (v.t === 'string') items.push(v.v)
        else if (v.t === 'number' && type === 'number') items.push(String(v.v))
        else bad('expected a quoted string in the list')
        const sep = next()
        if (sep?.t === 'punct' && sep.v === ')') break
        if (sep?.t !== 'punct' || sep.v !== ',') bad("expected ',' or ')'")
      }
      value = items
    } else {
      const v = next()
      if (type === 'number') {
        const n = v?.t === 'number' ? v.v : v?.t === 'string' ? Number(v.v) : Number.NaN
        if (!Number.isFinite(n)) bad(`'${ident.v}' takes a number`)
        value = n
      } else {
        if (v?.t !== 'string') bad(`'${ident.v}' takes a quoted string`)
        value = v.v
      }
    }
    clauses.push({ field, op, value })
    const joiner = next()
    if (joiner === undefined) break
    if (joiner.t !== 'ident' || joiner.v.toUpperCase() !== 'AND') {
      bad("clauses are joined with AND (OR is not supported by MLflow's registry search)")
    }
  }
  return clauses
}

/** A parsed `order_by` entry. */
export interface OrderTerm {
  readonly key: string
  readonly direction: 'asc' | 'desc'
}

/**
 * Parses `order_by` entries (`name`, `name DESC`, `last_updated_timestamp ASC`) against the keys
 * a search allows; aliases map to canonical keys (MLflow accepts `timestamp`).
 */
export function parseOrderBy(
  entries: readonly string[] | undefined,
  allowed: Readonly<Record<string, string>>,
): OrderTerm[] {
  const out: OrderTerm[] = []
  for (const [i, entry] of (entries ?? []).entries()) {
    const m = /^\s*([A-Za-z_.]+)(?:\s+(ASC|DESC))?\s*$/i.exec(entry)
    const key = m?.[1] === undefined ? undefined : allowed[m[1].toLowerCase()]
    if (m === null || key === undefined) {
      throw new ValidationError('invalid order_by', [
        {
          path: ['orderBy', i],
          code: 'invalid_value',
          message: `expected one of ${Object.keys(allowed).join(', ')}, optionally ASC or DESC`,
        },
      ])
    }
    if (out.some((t) => t.key === key)) continue
    out.push({ key, direction: m[2]?.toLowerCase() === 'desc' ? 'desc' : 'asc' })
  }
  return out
}

/** Encodes an offset as an opaque page token. */
export function encodeOffsetToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url')
}

/** Decodes a token from `encodeOffsetToken`; `INVALID_ARGUMENT` for anything else. */
export function decodeOffsetToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0
  const fail = (): never => {
    throw new ValidationError('invalid page token', [
      { path: ['pageToken'], code: 'invalid_format', message: 'not a token from a previous page' },
    ])
  }
  if (token.length > 256 || !/^[A-Za-z0-9_-]+$/.test(token)) fail()
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
    if (typeof value === 'object' && value !== null && 'offset' in value) {
      const offset = value.offset
      if (typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0) return offset
    }
  } catch {
    // falls through to the error below
  }
  return fail()
}
