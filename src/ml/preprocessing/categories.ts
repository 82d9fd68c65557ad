/**
 * The categories of a categorical input column, shared by the encoders: learning them sorted
 * like sklearn (`numpy.unique`), mapping a column's rows to their indices (unknown → -1), and
 * their labels and JSON form.
 */
import { z } from 'zod'

import { ValidationError, type ValidationIssue } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import { badState } from '../base/index.js'

/** How a column's values are keyed: labels (`cat`, `str`), integers (`i32`) or booleans (`bool`). */
export type CategoryKind = 'string' | 'number' | 'boolean'

/**
 * The categories one column had at fit, sorted like sklearn: strings by code unit, numbers
 * ascending, `false < true`. Missing rows form one more category, sorted last (like `NaN` in
 * sklearn), at index `values.length`.
 */
export interface CategorySet {
  readonly kind: CategoryKind
  /** The sorted present categories (`boolean` ones as 0/1). */
  readonly values: readonly (string | number)[]
  /** Whether fit saw missing rows (then `values.length` is the missing category). */
  readonly hasMissing: boolean
}

/** The number of categories of a set, the missing one included. */
export function categoryCount(set: CategorySet): number {
  return set.values.length + (set.hasMissing ? 1 : 0)
}

/** The label of category `k` as sklearn's feature names print it (`str(value)`; missing → `nan`). */
export function categoryLabel(set: CategorySet, k: number): string {
  if (k === set.values.length) return 'nan'
  const v = set.values[k]
  if (set.kind === 'boolean') return v === 1 ? 'True' : 'False'
  return String(v)
}

/** The category kind of a dtype, or `undefined` for dtypes the encoders do not take. */
export function categoryKindOf(col: Column): CategoryKind | undefined {
  switch (col.dtype) {
    case 'cat':
    case 'str':
      return 'string'
    case 'i32':
      return 'number'
    case 'bool':
      return 'boolean'
    case 'f64':
    case 'f32':
    case 'ts':
      return undefined
  }
}

/**
 * Checks that every column of `X` is categorical (`cat`, `str`, `bool` or `i32`).
 *
 * @throws ValidationError naming each other column.
 */
export function checkCategoricalInput(X: Frame, kind: string): void {
  const issues: ValidationIssue[] = []
  for (const col of X.columns) {
    if (categoryKindOf(col) === undefined) {
      issues.push({
        path: ['X', col.name],
        code: 'not_categorical',
        message: `column "${col.name}" is ${col.dtype}; ${kind} takes cat, str, bool or i32 columns (bin numbers with preprocessing.k-bins)`,
      })
    }
  }
  if (issues.length > 0) throw new ValidationError(`${kind} takes categorical columns`, issues)
}

const compare = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0)

/** What {@link fitCategories} learns from a column. */
export interface FittedCategories {
  readonly set: CategorySet
  /** Per row, the index of its category in `set` (the missing category for missing rows). */
  readonly codes: Int32Array
  /** Per category of `set` (the missing one included), its row count. */
  readonly counts: Float64Array
}

/**
 * Learns the sorted categories of a `cat`, `str`, `bool` or `i32` column, with each row's
 * category index and each category's count. For a `cat` column only the categories that occur
 * count (like sklearn, which sees values, not the dictionary).
 */
export function fitCategories(col: Column): FittedCategories {
  const kind = categoryKindOf(col)
  if (kind === undefined) throw new Error(`fitCategories: ${col.dtype} is not categorical`)
  const n = col.length
  const validity = col.validity
  // First pass: raw ids (dictionary codes, first-appearance ids, or 0/1) and the raw values.
  const raw = new Int32Array(n)
  let rawValues: (string | number)[]
  switch (col.dtype) {
    case 'cat':
      rawValues = [...col.categories]
      raw.set(col.values)
      break
    case 'bool':
      rawValues = [0, 1]
      raw.set(col.values)
      break
    case 'str':
    case 'i32': {
      const index = new Map<string | number, number>()
      rawValues = []
      const v = col.values
      for (let i = 0; i < n; i++) {
        if (validity !== undefined && validity[i] === 0) continue
        const x = v[i]!
        let id = index.get(x)
        if (id === undefined) {
          id = rawValues.length
          index.set(x, id)
          rawValues.push(x)
        }
        raw[i] = id
      }
      break
    }
    default:
      throw new Error('unreachable')
  }
  const rawCounts = new Float64Array(rawValues.length)
  let missing = 0
  for (let i = 0; i < n; i++) {
    if (validity !== undefined && validity[i] === 0) missing++
    else rawCounts[raw[i]!]! += 1
  }
  const present = rawValues
    .map((value, id) => ({ value, id }))
    .filter((e) => rawCounts[e.id]! > 0)
    .sort((a, b) => compare(a.value, b.value))
  const remap = new Int32Array(rawValues.length)
  present.forEach((e, k) => (remap[e.id] = k))
  const set: CategorySet = Object.freeze({
    kind,
    values: Object.freeze(present.map((e) => e.value)),
    hasMissing: missing > 0,
  })
  const missingCode = present.length
  const codes = new Int32Array(n)
  for (let i = 0; i < n; i++)
    codes[i] = validity !== undefined && validity[i] === 0 ? missingCode : remap[raw[i]!]!
  const counts = new Float64Array(categoryCount(set))
  present.forEach((e, k) => (counts[k] = rawCounts[e.id]!))
  if (set.hasMissing) counts[missingCode] = missing
  return { set, codes, counts }
}

/**
 * Maps each row of `col` to its category index in `set`: -1 for a value fit never saw, and for
 * a missing row when fit saw none. A numeric-family column is looked up by value, so an `i32`
 * column encodes against categories fitted on `bool` and vice versa.
 */
export function encodeCategories(col: Column, set: CategorySet): Int32Array {
  const n = col.length
  const out = new Int32Array(n)
  const index = new Map<string | number, number>()
  set.values.forEach((v, k) => index.set(v, k))
  switch (col.dtype) {
    case 'cat': {
      const table = Int32Array.from(col.categories, (c) => index.get(c) ?? -1)
      const v = col.values
      for (let i = 0; i < n; i++) out[i] = table[v[i]!] ?? -1
      break
    }
    case 'str': {
      const v = col.values
      for (let i = 0; i < n; i++) out[i] = index.get(v[i]!) ?? -1
      break
    }
    case 'bool': {
      const table = Int32Array.of(index.get(0) ?? -1, index.get(1) ?? -1)
      const v = col.values
      for (let i = 0; i < n; i++) out[i] = table[v[i]!] ?? -1
      break
    }
    case 'i32':
    case 'f64':
    case 'f32': {
      const v = col.values
      for (let i = 0; i < n; i++) out[i] = index.get(v[i]!) ?? -1
      break
    }
    case 'ts':
      out.fill(-1)
      break
  }
  const validity = col.validity
  if (validity !== undefined) {
    const missing = set.hasMissing ? set.values.length : -1
    for (let i = 0; i < n; i++) if (validity[i] === 0) out[i] = missing
  }
  return out
}

/** Up to `max` distinct labels of the rows of `col` whose code is -1, for error messages. */
export function unknownLabels(col: Column, codes: Int32Array, max = 5): string[] {
  const seen = new Set<string>()
  for (let i = 0; i < codes.length && seen.size < max; i++) {
    if (codes[i] !== -1) continue
    if (col.validity !== undefined && col.validity[i] === 0) seen.add('<missing>')
    else if (col.dtype === 'cat') seen.add(col.categories[col.values[i]!] ?? '')
    else seen.add(String(col.values[i]))
  }
  return [...seen]
}

const CategorySetSchema = z.strictObject({
  kind: z.enum(['string', 'number', 'boolean']),
  values: z.array(z.union([z.string(), z.number()])),
  hasMissing: z.boolean(),
})

/**
 * Reads a list of category sets from a model state.
 *
 * @throws ValidationError if malformed or not `n` long.
 */
export function readCategorySets(v: unknown, path: string, n: number): CategorySet[] {
  const r = z.array(CategorySetSchema).safeParse(v)
  if (!r.success || r.data.length !== n) throw badState(path, `expected ${n} category sets`)
  return r.data.map((s) => Object.freeze({ ...s, values: Object.freeze(s.values) }))
}
