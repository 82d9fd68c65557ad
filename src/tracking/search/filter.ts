import { ValidationError } from '../../core/index.js'

/**
 * MLflow's search filter grammar (`mlflow/utils/search_utils.py`) plus `OR` and parentheses:
 *
 * ```text
 * filter     := or
 * or         := and ('OR' and)*
 * and        := primary ('AND' primary)*
 * primary    := '(' or ')' | comparison
 * comparison := identifier comparator value
 * identifier := [entity '.'] (word | `quoted` | "quoted")      entity: metrics, params, tags,
 *               attributes, datasets and their aliases (metric, param, parameter(s), tag,
 *               attribute, attr, run, dataset); no entity means an attribute
 * comparator := = | != | <> | > | >= | < | <= | LIKE | ILIKE | IN | NOT IN
 * value      := number | 'string' | "string" | '(' string (',' string)* ')'
 * ```
 * Keywords are case-insensitive; a quote inside a string is written twice (`'it''s'`).
 */

/** What a filter compares against. */
export type FilterEntity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset'

/** A comparison operator, normalised (`<>` becomes `!=`, keywords upper case). */
export type Comparator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN'

/** `entity.key comparator value`. */
export interface ComparisonNode {
  readonly kind: 'comparison'
  readonly entity: FilterEntity
  /** The key; for attributes, the canonical attribute name (`created` → `start_time`). */
  readonly key: string
  readonly op: Comparator
  readonly value: number | string | readonly string[]
}

/** Every item holds (two or more items, none itself an `and`). */
export interface AndNode {
  readonly kind: 'and'
  readonly items: readonly FilterNode[]
}

/** Some item holds (two or more items, none itself an `or`). */
export interface OrNode {
  readonly kind: 'or'
  readonly items: readonly FilterNode[]
}

/** A parsed filter: frozen, `kind`-tagged nodes. */
export type FilterNode = ComparisonNode | AndNode | OrNode

/** Which identifiers a filter may use: runs or experiments. */
export type FilterTarget = 'runs' | 'experiments'

const ENTITY_ALIASES: Readonly<Record<string, FilterEntity>> = {
  metrics: 'metric',
  metric: 'metric',
  params: 'param',
  param: 'param',
  parameters: 'param',
  parameter: 'param',
  tags: 'tag',
  tag: 'tag',
  attributes: 'attribute',
  attribute: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  datasets: 'dataset',
  dataset: 'dataset',
}

/** Run attributes: canonical name → numeric or string. */
export const RUN_ATTRIBUTES: Readonly<Record<string, 'number' | 'string'>> = {
  run_id: 'string',
  run_name: 'string',
  user_id: 'string',
  status: 'string',
  start_time: 'number',
  end_time: 'number',
  artifact_uri: 'string',
}
const RUN_ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = {
  created: 'start_time',
  'run name': 'run_name',
  'Run name': 'run_name',
  run_uuid: 'run_id',
}
/** Experiment attributes. */
export const EXPERIMENT_ATTRIBUTES: Readonly<Record<string, 'number' | 'string'>> = {
  name: 'string',
  creation_time: 'number',
  last_update_time: 'number',
  experiment_id: 'string',
}
const DATASET_KEYS = new Set(['name', 'digest', 'context'])

const NUMERIC_OPS: readonly Comparator[] = ['=', '!=', '>', '>=', '<', '<=']
const STRING_OPS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE']
const SET_OPS: readonly Comparator[] = [...STRING_OPS, 'IN', 'NOT IN']

type Token =
  | {
      readonly t: 'ident'
      readonly prefix: string | undefined
      readonly key: string
      readonly quoted: boolean
      readonly pos: number
    }
  | { readonly t: 'string'; readonly value: string; readonly pos: number }
  | { readonly t: 'number'; readonly value: number; readonly pos: number }
  | { readonly t: 'op'; readonly value: string; readonly pos: number }
  | { readonly t: 'punct'; readonly value: '(' | ')' | ','; readonly pos: number }
  | { readonly t: 'end'; readonly pos: number }

function syntaxError(message: string, pos: number, field: string): ValidationError {
  return new ValidationError(
    `invalid filter: ${message} at position ${String(pos)}`,
    [{ path: [field], code: 'invalid_syntax', message: `${message} at position ${String(pos)}` }],
    { position: pos },
  )
}

const WORD = /[A-Za-z_][A-Za-z0-9_.\-/:]*/y
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y

function readQuoted(text: string, start: number, quote: string, field: string): [string, number] {
  let out = ''
  let i = start + 1
  for (;;) {
    if (i >= text.length)
      throw syntaxError(`unterminated ${quote}quoted${quote} text`, start, field)
    const ch = text[i] ?? ''
    if (ch === quote) {
      if (text[i + 1] === quote && quote !== '`') {
        out += quote
        i += 2
        continue
      }
      return [out, i + 1]
    }
    out += ch
    i++
  }
}

function tokenize(text: string, field: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const ch = text[i] ?? ''
    if (/\s/.test(ch)) {
      i++
      continue
    }
    const pos = i
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ t: 'punct', value: ch, pos })
      i++
      continue
    }
    const two = text.slice(i, i + 2)
    if (two === '!=' || two === '<>' || two === '>=' || two === '<=' || two === '==') {
      tokens.push({ t: 'op', value: two === '<>' ? '!=' : two === '==' ? '=' : two, pos })
      i += 2
      continue
    }
    if (ch === '=' || ch === '<' || ch === '>') {
      tokens.push({ t: 'op', value: ch, pos })
      i++
      continue
    }
    if (ch === "'") {
      const [value, next] = readQuoted(text, i, "'", field)
      tokens.push({ t: 'string', value, pos })
      i = next
      continue
    }
    if (ch === '"' || ch === '`') {
      // A bare quoted name: an identifier if a comparator follows, else a string value.
      const [value, next] = readQuoted(text, i, ch, field)
      const prev = tokens.at(-1)
      const valuePosition =
        ch === '"' &&
        prev !== undefined &&
        (prev.t === 'op' ||
          isKeyword(prev, 'LIKE') ||
          isKeyword(prev, 'ILIKE') ||
          (prev.t === 'punct' && prev.value !== ')' && isInList(tokens)))
      if (valuePosition) {
        tokens.push({ t: 'string', value, pos })
      } else {
        tokens.push({ t: 'ident', prefix: undefined, key: value, quoted: true, pos })
      }
      i = next
      continue
    }
    NUMBER.lastIndex = i
    const num = NUMBER.exec(text)
    if (num !== null && (ch !== '-' || /[\d.]/.test(text[i + 1] ?? ''))) {
      const value = Number(num[0])
      if (!Number.isFinite(value)) throw syntaxError('number out of range', pos, field)
      tokens.push({ t: 'number', value, pos })
      i += num[0].length
      continue
    }
    WORD.lastIndex = i
    const word = WORD.exec(text)
    if (word !== null) {
      let w = word[0]
      i += w.length
      const dot = w.indexOf('.')
      if (w.endsWith('.') && (text[i] === '`' || text[i] === '"')) {
        const [key, next] = readQuoted(text, i, text[i] ?? '', field)
        tokens.push({ t: 'ident', prefix: w.slice(0, -1), key, quoted: true, pos })
        i = next
        continue
      }
      if (dot === -1) {
        tokens.push({ t: 'ident', prefix: undefined, key: w, quoted: false, pos })
      } else {
        const key = w.slice(dot + 1)
        w = w.slice(0, dot)
        tokens.push({ t: 'ident', prefix: w, key, quoted: false, pos })
      }
      continue
    }
    throw syntaxError(`unexpected character '${ch}'`, pos, field)
  }
  tokens.push({ t: 'end', pos: text.length })
  return tokens
}

/** Whether the last tokens are `IN (` or `IN ( 'a' ,`: a double-quoted text there is a value. */
function isInList(tokens: readonly Token[]): boolean {
  for (let j = tokens.length - 1; j >= 0; j--) {
    const tok = tokens[j]
    if (tok === undefined) return false
    if (tok.t === 'ident' && !tok.quoted && tok.prefix === undefined && /^IN$/i.test(tok.key)) {
      return true
    }
    if (!(tok.t === 'string' || (tok.t === 'punct' && tok.value !== ')'))) return false
  }
  return false
}

function isKeyword(tok: Token | undefined, kw: string): boolean {
  return (
    tok !== undefined &&
    tok.t === 'ident' &&
    !tok.quoted &&
    tok.prefix === undefined &&
    tok.key.toUpperCase() === kw
  )
}

class Parser {
  private i = 0
  constructor(
    private readonly tokens: readonly Token[],
    private readonly target: FilterTarget,
    private readonly field: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.i] ?? { t: 'end', pos: 0 }
  }
  private next(): Token {
    const tok = this.peek()
    this.i++
    return tok
  }
  private fail(message: string, tok: Token = this.peek()): never {
    throw syntaxError(message, tok.pos, this.field)
  }

  parse(): FilterNode {
    const node = this.or()
    const tok = this.peek()
    if (tok.t !== 'end') this.fail('expected AND, OR or the end of the filter')
    return node
  }

  private or(): FilterNode {
    const items: FilterNode[] = []
    for (;;) {
      const node = this.and()
      if (node.kind === 'or') items.push(...node.items)
      else items.push(node)
      if (!isKeyword(this.peek(), 'OR')) break
      this.next()
    }
    const [only] = items
    return items.length === 1 && only !== undefined
      ? only
      : Object.freeze({ kind: 'or', items: Object.freeze(items) })
  }

  private and(): FilterNode {
    const items: FilterNode[] = []
    for (;;) {
      const node = this.primary()
      if (node.kind === 'and') items.push(...node.items)
      else items.push(node)
      if (!isKeyword(this.peek(), 'AND')) break
      this.next()
    }
    const [only] = items
    return items.length === 1 && only !== undefined
      ? only
      : Object.freeze({ kind: 'and', items: Object.freeze(items) })
  }

  private primary(): FilterNode {
    const tok = this.peek()
    if (tok.t === 'punct' && tok.value === '(') {
      this.next()
      const node = this.or()
      const close = this.next()
      if (close.t !== 'punct' || close.value !== ')') this.fail("expected ')'", close)
      return node
    }
    return this.comparison()
  }

  /** Reads `entity.key` (used by `parseOrderBy` too). */
  identifier(): { entity: FilterEntity; key: string; numeric: boolean } {
    const tok = this.next()
    if (tok.t !== 'ident') this.fail('expected an identifier such as metrics.rmse', tok)
    if (tok.key === '') this.fail('empty key', tok)
    let entity: FilterEntity = 'attribute'
    let key = tok.key
    if (tok.prefix !== undefined) {
      const e = ENTITY_ALIASES[tok.prefix.toLowerCase()]
      if (e === undefined) this.fail(`unknown entity '${tok.prefix}'`, tok)
      entity = e
    }
    if (this.target === 'experiments') {
      if (entity === 'tag') return { entity, key, numeric: false }
      if (entity !== 'attribute') this.fail(`experiments cannot be filtered by ${entity}s`, tok)
      const kind = EXPERIMENT_ATTRIBUTES[key]
      if (kind === undefined) this.fail(`unknown experiment attribute '${key}'`, tok)
      return { entity, key, numeric: kind === 'number' }
    }
    if (entity === 'attribute') {
      key = RUN_ATTRIBUTE_ALIASES[key] ?? key
      const kind = RUN_ATTRIBUTES[key]
      if (kind === undefined) this.fail(`unknown run attribute '${key}'`, tok)
      return { entity, key, numeric: kind === 'number' }
    }
    if (entity === 'dataset' && !DATASET_KEYS.has(key)) {
      this.fail(`unknown dataset key '${key}' (name, digest or context)`, tok)
    }
    return { entity, key, numeric: entity === 'metric' }
  }

  private comparator(): [Comparator, Token] {
    const tok = this.next()
    if (tok.t === 'op') return [tok.value as Comparator, tok]
    if (tok.t === 'ident' && !tok.quoted && tok.prefix === undefined) {
      const kw = tok.key.toUpperCase()
      if (kw === 'LIKE' || kw === 'ILIKE' || kw === 'IN') return [kw, tok]
      if (kw === 'NOT' && isKeyword(this.peek(), 'IN')) {
        this.next()
        return ['NOT IN', tok]
      }
    }
    return this.fail('expected a comparator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN)', tok)
  }

  private comparison(): ComparisonNode {
    const { entity, key, numeric } = this.identifier()
    const [op, opTok] = this.comparator()
    const allowed =
      entity === 'dataset' || (entity === 'attribute' && !numeric)
        ? SET_OPS
        : numeric
          ? NUMERIC_OPS
          : STRING_OPS
    if (!allowed.includes(op)) {
      this.fail(`'${op}' cannot compare ${entity === 'attribute' ? key : `${entity}s`}`, opTok)
    }
    if (op === 'IN' || op === 'NOT IN') {
      const open = this.next()
      if (open.t !== 'punct' || open.value !== '(') this.fail("expected '(' after IN", open)
      const values: string[] = []
      for (;;) {
        const v = this.next()
        if (v.t !== 'string') this.fail('expected a quoted string', v)
        values.push(v.value)
        const sep = this.next()
        if (sep.t === 'punct' && sep.value === ')') break
        if (sep.t !== 'punct' || sep.value !== ',') this.fail("expected ',' or ')'", sep)
      }
      return Object.freeze({ kind: 'comparison', entity, key, op, value: Object.freeze(values) })
    }
    const v = this.next()
    if (numeric) {
      if (v.t !== 'number') this.fail(`expected a number to compare ${key} with`, v)
      return Object.freeze({ kind: 'comparison', entity, key, op, value: v.value })
    }
    if (v.t !== 'string') this.fail('expected a quoted string value', v)
    return Object.freeze({ kind: 'comparison', entity, key, op, value: v.value })
  }
}

/** The longest filter accepted (MLflow has no stated limit; this bounds parse work). */
export const MAX_FILTER_LENGTH = 20_000

/**
 * Parses a filter; `undefined` for an empty or blank one.
 *
 * @throws ValidationError (`INVALID_ARGUMENT`) naming the position of the first problem, with
 *   `details.position`.
 *
 * @example
 * ```ts
 * parseFilter("metrics.rmse < 0.5 AND (params.model = 'gbdt' OR tags.stage = 'prod')")
 * ```
 */
export function parseFilter(
  text: string,
  target: FilterTarget = 'runs',
  field = 'filter',
): FilterNode | undefined {
  if (text.length > MAX_FILTER_LENGTH) {
    throw syntaxError(
      `longer than ${String(MAX_FILTER_LENGTH)} characters`,
      MAX_FILTER_LENGTH,
      field,
    )
  }
  if (text.trim() === '') return undefined
  return new Parser(tokenize(text, field), target, field).parse()
}

const ENTITY_PREFIX: Readonly<Record<FilterEntity, string>> = {
  metric: 'metrics',
  param: 'params',
  tag: 'tags',
  attribute: 'attributes',
  dataset: 'datasets',
}

function quoteString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`
}

/** `entity.\`key\`` (backticks, or double quotes when the key holds a backtick). */
export function printIdentifier(entity: FilterEntity, key: string): string {
  const quoted = key.includes('`') ? `"${key.replaceAll('"', '""')}"` : `\`${key}\``
  return `${ENTITY_PREFIX[entity]}.${quoted}`
}

/**
 * Prints a filter in canonical form; `parseFilter(printFilter(node))` equals `node`.
 * A key holding both a backtick and a double quote cannot be printed (nor written by hand).
 */
export function printFilter(node: FilterNode): string {
  switch (node.kind) {
    case 'comparison': {
      const v = node.value
      const value =
        typeof v === 'number'
          ? String(v)
          : typeof v === 'string'
            ? quoteString(v)
            : `(${v.map(quoteString).join(', ')})`
      return `${printIdentifier(node.entity, node.key)} ${node.op} ${value}`
    }
    case 'and':
      return node.items
        .map((n) => (n.kind === 'or' ? `(${printFilter(n)})` : printFilter(n)))
        .join(' AND ')
    case 'or':
      return node.items.map(printFilter).join(' OR ')
  }
}

/** One `order_by` clause. */
export interface OrderByClause {
  readonly entity: FilterEntity
  readonly key: string
  readonly ascending: boolean
}

/**
 * Parses an `order_by` entry: `metrics.rmse`, `params.lr DESC`, `attributes.start_time ASC`,
 * `` tags.`my tag` ``. Default ascending (MLflow).
 */
export function parseOrderBy(
  text: string,
  target: FilterTarget = 'runs',
  field = 'orderBy',
): OrderByClause {
  const tokens = tokenize(text, field)
  const parser = new Parser(tokens, target, field)
  const first = tokens[0]
  if (first === undefined || first.t !== 'ident') {
    throw syntaxError('expected a key such as metrics.rmse', first?.pos ?? 0, field)
  }
  // Reuse the identifier rules through a comparison-free path.
  const id = parser.identifier()
  const rest = tokens.slice(1)
  let ascending = true
  const dir = rest[0]
  if (dir !== undefined && dir.t === 'ident' && !dir.quoted && dir.prefix === undefined) {
    const kw = dir.key.toUpperCase()
    if (kw !== 'ASC' && kw !== 'DESC') throw syntaxError('expected ASC or DESC', dir.pos, field)
    ascending = kw === 'ASC'
    rest.shift()
  }
  const end = rest[0]
  if (end === undefined || end.t !== 'end') {
    throw syntaxError('unexpected text after the order', end?.pos ?? text.length, field)
  }
  return Object.freeze({ entity: id.entity, key: id.key, ascending })
}
