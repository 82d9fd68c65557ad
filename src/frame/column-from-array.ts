/**
 * Building columns from plain JS arrays, and string → categorical conversion.
 */
import { ValidationError, type ValidationIssue } from '../core/index.js'

import { buildColumn, sealColumn, type CatColumn, type Column, type StrColumn } from './column.js'
import { MAX_TIMESTAMP_MS, type DType } from './dtype.js'

type Kind = 'number' | 'bigint' | 'boolean' | 'string' | 'date'

function kindOf(v: unknown): Kind | 'other' {
  if (v instanceof Date) return 'date'
  switch (typeof v) {
    case 'number':
      return 'number'
    case 'bigint':
      return 'bigint'
    case 'boolean':
      return 'boolean'
    case 'string':
      return 'string'
    default:
      return 'other'
  }
}

const INFERRED: Record<Kind, DType> = {
  number: 'f64',
  bigint: 'f64',
  boolean: 'bool',
  string: 'str',
  date: 'ts',
}

const BIG_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/**
 * Builds a column from a JS array, inferring the dtype when `dtype` is omitted.
 *
 * `null` and `undefined` are missing. Inference from the present values: numbers and bigints →
 * `f64`, booleans → `bool`, strings → `str`, `Date`s → `ts`; an all-missing (or empty) array →
 * `f64`. Mixed kinds are an error (no silent coercion). With an explicit `dtype`: `f64`/`f32`
 * take numbers and safe-integer bigints, `i32` takes integers in the int32 range, `bool` takes
 * booleans, `str` takes strings, `cat` takes strings (categories sorted, see
 * {@link toCategorical}), `ts` takes `Date`s and epoch-millisecond numbers. NaN is a value,
 * not missing. Never mutates `values`.
 *
 * @throws ValidationError listing every kind of bad value with the first row it occurs at.
 * @example
 * ```ts
 * columnFromArray('age', [31, null, 45]).dtype // 'f64', row 1 missing
 * columnFromArray('city', ['Oslo', 'Lima'], 'cat').categories // ['Lima', 'Oslo']
 * ```
 */
export function columnFromArray(name: string, values: readonly unknown[], dtype?: DType): Column {
  const target = dtype ?? inferDType(name, values)
  const n = values.length
  const validity = new Uint8Array(n)
  const bad = new Map<string, { first: number; count: number }>()
  const reject = (i: number, reason: string): void => {
    const seen = bad.get(reason)
    if (seen === undefined) bad.set(reason, { first: i, count: 1 })
    else seen.count++
  }
  const each = (convert: (v: unknown, i: number) => void): void => {
    for (let i = 0; i < n; i++) {
      const v = values[i]
      if (v === null || v === undefined) continue
      validity[i] = 1
      convert(v, i)
    }
  }
  let column: Column
  switch (target) {
    case 'f64':
    case 'f32':
    case 'i32': {
      const out =
        target === 'f64'
          ? new Float64Array(n).fill(NaN)
          : target === 'f32'
            ? new Float32Array(n).fill(NaN)
            : new Int32Array(n)
      each((v, i) => {
        const x = toNumber(v)
        if (x === undefined) reject(i, `expected a number for ${target}`)
        else if (target === 'i32' && !(Number.isInteger(x) && x === (x | 0)))
          reject(i, 'expected an integer in the int32 range')
        else out[i] = x
      })
      column = buildByDType(name, out, validity)
      break
    }
    case 'bool': {
      const out = new Uint8Array(n)
      each((v, i) => {
        if (typeof v === 'boolean') out[i] = v ? 1 : 0
        else reject(i, 'expected a boolean')
      })
      column = buildColumn({ name, dtype: 'bool', values: out, validity })
      break
    }
    case 'str':
    case 'cat': {
      const out: string[] = new Array<string>(n).fill('')
      each((v, i) => {
        if (typeof v === 'string') out[i] = v
        else reject(i, 'expected a string')
      })
      const str = buildColumn({ name, dtype: 'str', values: Object.freeze(out), validity })
      column = target === 'cat' && str.dtype === 'str' ? toCategorical(str) : str
      break
    }
    case 'ts': {
      const out = new Float64Array(n).fill(NaN)
      each((v, i) => {
        const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : undefined
        if (ms === undefined) reject(i, 'expected a Date or epoch milliseconds')
        else if (!(Math.abs(ms) <= MAX_TIMESTAMP_MS)) reject(i, 'expected a valid date')
        else out[i] = ms
      })
      column = buildColumn({ name, dtype: 'ts', values: out, validity })
      break
    }
  }
  if (bad.size > 0) {
    const issues: ValidationIssue[] = [...bad].map(([reason, { first, count }]) => ({
      path: [first],
      code: 'invalid_type',
      message: `${reason} (${count} value(s); first ${describe(values[first])})`,
    }))
    throw new ValidationError(`cannot build ${target} column "${name}"`, issues)
  }
  return column
}

function buildByDType(
  name: string,
  values: Float64Array | Float32Array | Int32Array,
  validity: Uint8Array,
): Column {
  if (values instanceof Float64Array) return buildColumn({ name, dtype: 'f64', values, validity })
  if (values instanceof Float32Array) return buildColumn({ name, dtype: 'f32', values, validity })
  return buildColumn({ name, dtype: 'i32', values, validity })
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint' && v <= BIG_SAFE && v >= -BIG_SAFE) return Number(v)
  return undefined
}

function describe(v: unknown): string {
  if (v instanceof Date) return 'an invalid Date'
  if (typeof v === 'bigint') return `bigint ${v.toString()}`
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return typeof v
}

function inferDType(name: string, values: readonly unknown[]): DType {
  let kind: Kind | undefined
  const issues: ValidationIssue[] = []
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v === null || v === undefined) continue
    const k = kindOf(v)
    if (k === 'other') {
      issues.push({ path: [i], code: 'invalid_type', message: `unsupported value: ${describe(v)}` })
      break
    }
    const target = INFERRED[k]
    if (kind === undefined) kind = k
    else if (INFERRED[kind] !== target) {
      issues.push({
        path: [i],
        code: 'invalid_type',
        message: `mixed value kinds: ${kind} then ${k}; pass an explicit dtype or clean the data`,
      })
      break
    }
  }
  if (issues.length > 0) throw new ValidationError(`cannot infer a dtype for "${name}"`, issues)
  return kind === undefined ? 'f64' : INFERRED[kind]
}

/** Options for {@link toCategorical}. */
export interface ToCategoricalOptions {
  /**
   * A fixed category list (for example the one seen at training time). Codes index this list;
   * a present value not in it is an error.
   *
   * @default the distinct present values, sorted by UTF-16 code unit
   */
  readonly categories?: readonly string[]
}

/**
 * Converts a `str` column to `cat`. By default the categories are the distinct present values
 * sorted by UTF-16 code unit (`Array.prototype.sort`), not first-seen order and not the
 * locale, so the same data always gets the same codes. Missing rows stay missing (code -1).
 * A `cat` column is returned unchanged unless `options.categories` asks for a different list.
 *
 * @throws ValidationError when `options.categories` has duplicates or misses a present value.
 * @example
 * ```ts
 * const c = toCategorical(createColumn({ name: 'c', dtype: 'str', values: ['b', 'a', 'b'] }))
 * c.categories // ['a', 'b']; c.values // Int32Array [1, 0, 1]
 * ```
 */
export function toCategorical(
  col: StrColumn | CatColumn,
  options: ToCategoricalOptions = {},
): CatColumn {
  if (col.dtype === 'cat' && options.categories === undefined) return col
  const labels: readonly string[] =
    col.dtype === 'str' ? col.values : Array.from(col.values, (code) => col.categories[code] ?? '')
  const present = (i: number): boolean => col.validity === undefined || col.validity[i] === 1
  let categories = options.categories
  if (categories === undefined) {
    const distinct = new Set<string>()
    for (let i = 0; i < labels.length; i++) if (present(i)) distinct.add(labels[i] ?? '')
    categories = [...distinct].sort()
  }
  const codeOf = new Map<string, number>()
  const issues: ValidationIssue[] = []
  categories.forEach((c, k) => {
    if (codeOf.has(c))
      issues.push({
        path: ['categories', k],
        code: 'duplicate',
        message: `duplicate category "${c}"`,
      })
    else codeOf.set(c, k)
  })
  const codes = new Int32Array(labels.length).fill(-1)
  let unknown: { first: number; count: number; label: string } | undefined
  for (let i = 0; i < labels.length; i++) {
    if (!present(i)) continue
    const label = labels[i] ?? ''
    const code = codeOf.get(label)
    if (code !== undefined) codes[i] = code
    else if (unknown === undefined) unknown = { first: i, count: 1, label }
    else unknown.count++
  }
  if (unknown !== undefined) {
    issues.push({
      path: ['values', unknown.first],
      code: 'unknown_category',
      message: `${unknown.count} value(s) not in categories, first ${JSON.stringify(unknown.label)}`,
    })
  }
  if (issues.length > 0) throw new ValidationError(`cannot make "${col.name}" categorical`, issues)
  const mask = col.validity === undefined ? {} : { validity: col.validity }
  return sealColumn({
    name: col.name,
    dtype: 'cat',
    length: col.length,
    values: codes,
    categories: Object.freeze([...categories]),
    ...mask,
  })
}
