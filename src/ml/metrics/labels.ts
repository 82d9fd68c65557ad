/**
 * Class labels of metric inputs: Columns of any label dtype or plain arrays, encoded on one
 * sorted class list and matched by label value (never by `cat` code), and the positive class.
 */
import type { Column } from '../../frame/index.js'
import type { ClassLabel } from '../base/index.js'

import { checkMissing, fail, isColumn } from './validate.js'

/**
 * Class labels: a Column (`cat`, `str`, `bool`, `i32`, `f64`, `f32`) or a plain array. Labels are
 * matched by value, never by `cat` code: a `cat` column with categories `['no', 'yes']` matches a
 * `str` column of `'no'`/`'yes'`. Booleans match the numbers 0 and 1 (as in Python); when one side
 * holds strings and the other numbers, both are compared as strings (`1` matches `'1'`).
 */
export type LabelsInput =
  Column | readonly ClassLabel[] | Float64Array | Float32Array | Int32Array | Uint8Array

/** How labels compare: as numbers (booleans become 0/1), as booleans, or as strings. */
type LabelKind = 'number' | 'boolean' | 'string'

/** One label vector: distinct values in first-seen order and each row's index into them. */
interface LabelVector {
  readonly kind: LabelKind
  readonly uniques: readonly (number | string)[]
  readonly codes: Int32Array
}

/** Labels of one or more vectors on a shared, sorted class list. */
export interface EncodedLabels {
  /** The classes, sorted (or in the order of an explicit `labels` option). */
  readonly classes: readonly ClassLabel[]
  /** Per input vector: the class index of each row, `-1` for a label not in `classes`. */
  readonly codes: readonly Int32Array[]
}

/** Labels below this (non-negative integers) are looked up in a table instead of a Map. */
const SMALL_LABELS = 1024

function numericUniques(v: ArrayLike<number>, path: string, kind: LabelKind): LabelVector {
  const n = v.length
  const codes = new Int32Array(n)
  const uniques: number[] = []
  const index = new Map<number, number>()
  // Class labels are mostly small integers: a table lookup beats hashing by ~5× at 10⁶ rows.
  const small = new Int32Array(SMALL_LABELS).fill(-1)
  for (let i = 0; i < n; i++) {
    const x = v[i]!
    if (x >= 0 && x < SMALL_LABELS && (x | 0) === x) {
      let c = small[x]!
      if (c < 0) {
        c = uniques.length
        // -0 and 0 are one label; store +0.
        uniques.push(x + 0)
        small[x] = c
      }
      codes[i] = c
      continue
    }
    if (!Number.isFinite(x)) {
      fail(`${path} has a non-finite label`, path, 'non_finite', `non-finite label at row ${i}`)
    }
    codes[i] = codeOf(x, index, uniques)
  }
  return { kind, uniques, codes }
}

function stringUniques(v: readonly string[]): LabelVector {
  const n = v.length
  const codes = new Int32Array(n)
  const uniques: string[] = []
  const index = new Map<string, number>()
  for (let i = 0; i < n; i++) {
    codes[i] = codeOf(v[i]!, index, uniques)
  }
  return { kind: 'string', uniques, codes }
}

/** The code of `x`: its index in `uniques`, appended (first-seen order) when new. */
function codeOf<T>(x: T, index: Map<T, number>, uniques: T[]): number {
  let c = index.get(x)
  if (c === undefined) {
    c = uniques.length
    uniques.push(x)
    index.set(x, c)
  }
  return c
}

function columnLabels(col: Column, path: string): LabelVector {
  checkMissing(col, path)
  switch (col.dtype) {
    case 'cat': {
      const k = col.categories.length
      const remap = new Int32Array(k).fill(-1)
      const uniques: string[] = []
      const n = col.length
      const codes = new Int32Array(n)
      for (let i = 0; i < n; i++) {
        const c = col.values[i]!
        let r = remap[c]!
        if (r < 0) {
          r = uniques.length
          remap[c] = r
          uniques.push(col.categories[c]!)
        }
        codes[i] = r
      }
      return { kind: 'string', uniques, codes }
    }
    case 'str':
      return stringUniques(col.values)
    case 'bool':
      return numericUniques(col.values, path, 'boolean')
    case 'i32':
    case 'f64':
    case 'f32':
      return numericUniques(col.values, path, 'number')
    case 'ts':
      return fail(`${path} is a timestamp column, not class labels`, path, 'bad_dtype')
  }
}

function arrayLabels(arr: readonly ClassLabel[], path: string): LabelVector {
  const n = arr.length
  if (n === 0) return { kind: 'number', uniques: [], codes: new Int32Array(0) }
  const first: unknown = arr[0]
  const t = typeof first
  for (let i = 0; i < n; i++) {
    const x: unknown = arr[i]
    if (x === null || x === undefined) {
      fail(`${path} has missing values`, path, 'missing_values', `missing value at row ${i}`)
    }
    if (typeof x !== t) {
      fail(
        `${path} mixes label types (${t} and ${typeof x})`,
        path,
        'mixed_types',
        `row ${i} is a ${typeof x}, row 0 a ${t}`,
      )
    }
  }
  switch (t) {
    case 'string':
      return stringUniques(arr as readonly string[])
    case 'boolean':
      return numericUniques(
        Uint8Array.from(arr as readonly boolean[], (b) => (b ? 1 : 0)),
        path,
        'boolean',
      )
    case 'number':
      return numericUniques(arr as readonly number[], path, 'number')
    default:
      return fail(`${path} must hold strings, numbers or booleans`, path, 'bad_type')
  }
}

function readLabelVector(input: LabelsInput, path: string): LabelVector {
  if (isColumn(input)) return columnLabels(input, path)
  if (
    input instanceof Float64Array ||
    input instanceof Float32Array ||
    input instanceof Int32Array ||
    input instanceof Uint8Array
  ) {
    return numericUniques(input, path, 'number')
  }
  if (!Array.isArray(input)) return fail(`${path} must be a Column or an array`, path, 'bad_type')
  return arrayLabels(input, path)
}

function unifiedKind(kinds: readonly LabelKind[]): LabelKind {
  if (kinds.includes('string')) return 'string'
  if (kinds.includes('number')) return 'number'
  return 'boolean'
}

/** A label value converted to the comparison key of `kind`, or `undefined` if it cannot match. */
function keyOf(value: ClassLabel, kind: LabelKind): number | string | undefined {
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? value : String(value)
    case 'number':
    case 'boolean': {
      if (typeof value === 'boolean') return value ? 1 : 0
      if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : undefined
      const x = value.trim() === '' ? NaN : Number(value)
      return Number.isFinite(x) ? x : undefined
    }
  }
}

function uniqueKey(u: number | string, from: LabelKind, to: LabelKind): number | string {
  if (to !== 'string') return u
  if (from === 'boolean') return u === 1 ? 'true' : 'false'
  return String(u)
}

function labelOf(key: number | string, kind: LabelKind): ClassLabel {
  return kind === 'boolean' ? key === 1 : key
}

function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  const sa = String(a)
  const sb = String(b)
  return sa < sb ? -1 : sa > sb ? 1 : 0
}

/**
 * Encodes label vectors on one class list, matched by label value.
 *
 * Without `labels`, the classes are the sorted union of every vector's labels (numbers ascending,
 * strings by code unit, `false` before `true`), like sklearn's `unique_labels`. With `labels`,
 * the classes are those labels in that order and rows whose label is not among them get `-1`.
 *
 * @throws ValidationError for missing or non-finite labels, mixed types, or duplicate `labels`.
 */
export function encodeLabels(
  inputs: readonly { readonly input: LabelsInput; readonly path: string }[],
  labels?: readonly ClassLabel[],
): EncodedLabels {
  const vectors = inputs.map((e) => readLabelVector(e.input, e.path))
  const kinds = vectors.map((v) => v.kind)
  const dataKind = unifiedKind(kinds)
  // An explicit label that cannot be read in the data's kind ('a' for numeric labels) makes
  // every label compare as a string, so that it still gets its (empty) class.
  const kind = labels?.some((l) => keyOf(l, dataKind) === undefined) === true ? 'string' : dataKind
  let classKeys: (number | string)[]
  if (labels === undefined) {
    const all = new Set<number | string>()
    vectors.forEach((v) => {
      for (const u of v.uniques) all.add(uniqueKey(u, v.kind, kind))
    })
    classKeys = [...all].sort(compareKeys)
  } else {
    const seen = new Set<number | string>()
    classKeys = labels.map((l, j) => {
      const key = keyOf(l, kind) ?? String(l)
      if (seen.has(key)) {
        fail('labels has duplicates', 'labels', 'duplicate', `labels[${j}] repeats ${String(l)}`)
      }
      seen.add(key)
      return key
    })
  }
  const keyIndex = new Map<number | string, number>()
  classKeys.forEach((k, j) => keyIndex.set(k, j))
  const codes = vectors.map((v) => {
    const remap = Int32Array.from(v.uniques, (u) => keyIndex.get(uniqueKey(u, v.kind, kind)) ?? -1)
    const out = new Int32Array(v.codes.length)
    for (let i = 0; i < out.length; i++) out[i] = remap[v.codes[i]!]!
    return out
  })
  return { classes: Object.freeze(classKeys.map((k) => labelOf(k, kind))), codes }
}

/**
 * The index of `label` in `classes` (matched by value like {@link encodeLabels}), or -1.
 */
export function findLabel(classes: readonly ClassLabel[], label: ClassLabel): number {
  if (classes.length === 0) return -1
  const kind: LabelKind = classes.some((c) => typeof c === 'string')
    ? 'string'
    : classes.some((c) => typeof c === 'number')
      ? 'number'
      : 'boolean'
  const key = keyOf(label, kind)
  if (key === undefined) return -1
  for (let j = 0; j < classes.length; j++) if (keyOf(classes[j]!, kind) === key) return j
  return -1
}

/** Labels sorted like sklearn's `np.unique` (numbers ascending, strings by code unit, false < true). */
export function sortLabels(labels: readonly ClassLabel[]): ClassLabel[] {
  return [...labels].sort((a, b) => {
    if (typeof a !== 'string' && typeof b !== 'string') return Number(a) - Number(b)
    const sa = String(a)
    const sb = String(b)
    return sa < sb ? -1 : sa > sb ? 1 : 0
  })
}

/**
 * The index in `classes` of the positive class: `posLabel` if given (-1 when absent, so that no
 * sample is positive), else 1 when the labels are a subset of {0, 1} or {−1, 1} (booleans count
 * as 0/1), as sklearn's `_check_pos_label_consistency`.
 *
 * @throws ValidationError when `posLabel` is omitted and the labels are anything else.
 */
export function resolvePosLabel(
  classes: readonly ClassLabel[],
  posLabel: ClassLabel | undefined,
): number {
  if (posLabel !== undefined) return findLabel(classes, posLabel)
  const nums = classes.map((c) => (typeof c === 'boolean' ? Number(c) : c))
  const ok =
    nums.every((c) => typeof c === 'number') &&
    (nums.every((c) => c === 0 || c === 1) || nums.every((c) => c === -1 || c === 1))
  if (!ok) {
    const shown = classes.map((c) => JSON.stringify(c)).join(', ')
    fail(
      `yTrue takes values in {${shown}} and posLabel is not specified: use labels in {0, 1} or {-1, 1}, or pass posLabel`,
      'posLabel',
      'required',
    )
  }
  return findLabel(classes, 1)
}
