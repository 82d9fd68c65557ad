/**
 * Targets: the class encoding of a classification target (labels sorted like sklearn's
 * `np.unique`) and the numeric vector of a regression target.
 */
import { z } from 'zod'

import { ValidationError } from '../../core/index.js'
import {
  createColumn,
  createFrame,
  type Column,
  type DType,
  type Frame,
} from '../../frame/index.js'

import { badState } from './state.js'

import type { ClassLabel } from './types.js'

/** How a classifier maps its target column to class indices and back. */
export interface ClassEncoding {
  /** The sorted distinct labels; class index `k` is `classes[k]`. */
  readonly classes: readonly ClassLabel[]
  /** The dtype of the target column fit saw; predictions come back in it. */
  readonly dtype: DType
}

/** A classification target as class indices. */
export interface EncodedTarget extends ClassEncoding {
  /** `codes[i]` is the class index of row `i`. */
  readonly codes: Int32Array
}

/** Throws unless `y` is present and has one value per row of `X`. */
export function requireTarget(X: Frame, y: Column | undefined, kind: string): Column {
  if (y === undefined) {
    throw new ValidationError(`${kind} needs a target column y`, [
      { path: ['y'], code: 'required', message: 'y is required' },
    ])
  }
  if (y.length !== X.nRows) {
    throw new ValidationError(`y has ${y.length} rows but X has ${X.nRows}`, [
      {
        path: ['y'],
        code: 'length_mismatch',
        message: `expected ${X.nRows} values, got ${y.length}`,
      },
    ])
  }
  if (y.validity !== undefined) {
    const first = y.validity.indexOf(0)
    throw new ValidationError(`the target "${y.name}" has missing values`, [
      {
        path: ['y'],
        code: 'missing_values',
        message: `missing target values, first at row ${first}`,
      },
    ])
  }
  return y
}

/**
 * Encodes a classification target: `cat`, `str`, `bool`, `i32`, or `f64`/`f32` holding finite
 * values. Classes are sorted (numbers ascending, strings by code unit, false < true), like
 * sklearn, so probability columns and coefficients come in the same order.
 *
 * @throws ValidationError for a missing or non-finite label, or a `ts` target.
 */
export function encodeClasses(X: Frame, y: Column | undefined, kind: string): EncodedTarget {
  const t = requireTarget(X, y, kind)
  const n = t.length
  const codes = new Int32Array(n)
  switch (t.dtype) {
    case 'cat': {
      const used = new Uint8Array(t.categories.length)
      for (let i = 0; i < n; i++) used[t.values[i] ?? 0] = 1
      const present = t.categories.map((c, k) => ({ c, k })).filter((e) => used[e.k] === 1)
      present.sort((a, b) => (a.c < b.c ? -1 : a.c > b.c ? 1 : 0))
      const remap = new Int32Array(t.categories.length)
      present.forEach((e, idx) => (remap[e.k] = idx))
      for (let i = 0; i < n; i++) codes[i] = remap[t.values[i] ?? 0] ?? 0
      return { classes: Object.freeze(present.map((e) => e.c)), dtype: 'cat', codes }
    }
    case 'str': {
      const classes = [...new Set(t.values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      const index = new Map(classes.map((c, k) => [c, k]))
      for (let i = 0; i < n; i++) codes[i] = index.get(t.values[i] ?? '') ?? 0
      return { classes: Object.freeze(classes), dtype: 'str', codes }
    }
    case 'bool': {
      const seen = [false, false]
      for (let i = 0; i < n; i++) seen[t.values[i] === 1 ? 1 : 0] = true
      const classes: boolean[] = []
      if (seen[0] === true) classes.push(false)
      if (seen[1] === true) classes.push(true)
      for (let i = 0; i < n; i++) codes[i] = t.values[i] === 1 && classes.length === 2 ? 1 : 0
      return { classes: Object.freeze(classes), dtype: 'bool', codes }
    }
    case 'i32':
    case 'f64':
    case 'f32': {
      const v = t.values
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(v[i])) {
          throw new ValidationError(`the target "${t.name}" has a non-finite label`, [
            { path: ['y'], code: 'non_finite', message: `non-finite label at row ${i}` },
          ])
        }
      }
      const classes = [...new Set(v)].sort((a, b) => a - b)
      const index = new Map(classes.map((c, k) => [c, k]))
      for (let i = 0; i < n; i++) codes[i] = index.get(v[i] ?? 0) ?? 0
      return { classes: Object.freeze(classes), dtype: t.dtype, codes }
    }
    case 'ts':
      throw new ValidationError(`${kind} cannot use a timestamp column as class labels`, [
        { path: ['y'], code: 'bad_dtype', message: 'y is a ts column' },
      ])
  }
}

/** Throws unless the target has at least `min` classes (2 for any classifier). */
export function assertMinClasses(enc: ClassEncoding, min: number, kind: string): void {
  if (enc.classes.length < min) {
    throw new ValidationError(
      `${kind} needs at least ${min} classes in y, got ${enc.classes.length}`,
      [
        {
          path: ['y'],
          code: 'too_few_classes',
          message: `only ${enc.classes.length} distinct label(s)`,
        },
      ],
    )
  }
}

/** Per-class row counts of an encoded target. */
export function classCounts(target: EncodedTarget): Float64Array {
  const counts = new Float64Array(target.classes.length)
  for (let i = 0; i < target.codes.length; i++) counts[target.codes[i] ?? 0]! += 1
  return counts
}

/**
 * Turns predicted class indices back into a column of the target's dtype, named `name`.
 * A `cat` target gives a `cat` column whose categories are the classes.
 */
export function decodeClasses(codes: Int32Array, enc: ClassEncoding, name = 'prediction'): Column {
  const n = codes.length
  const classes = enc.classes
  switch (enc.dtype) {
    case 'cat':
      return createColumn({
        name,
        dtype: 'cat',
        values: Int32Array.from(codes),
        categories: classes.map(String),
      })
    case 'str':
      return createColumn({
        name,
        dtype: 'str',
        values: Array.from(codes, (c) => String(classes[c])),
      })
    case 'bool': {
      const values = new Uint8Array(n)
      for (let i = 0; i < n; i++) values[i] = classes[codes[i] ?? 0] === true ? 1 : 0
      return createColumn({ name, dtype: 'bool', values })
    }
    case 'i32': {
      const values = new Int32Array(n)
      for (let i = 0; i < n; i++) values[i] = Number(classes[codes[i] ?? 0])
      return createColumn({ name, dtype: 'i32', values })
    }
    default: {
      const values = new Float64Array(n)
      for (let i = 0; i < n; i++) values[i] = Number(classes[codes[i] ?? 0])
      return createColumn({ name, dtype: 'f64', values })
    }
  }
}

/** The probability frame of a classifier: one `f64` column per class, from a row-major matrix. */
export function probabilityFrame(
  proba: Float64Array,
  nRows: number,
  classes: readonly ClassLabel[],
): Frame {
  const k = classes.length
  const cols: Column[] = classes.map((c, j) => {
    const values = new Float64Array(nRows)
    for (let i = 0; i < nRows; i++) values[i] = proba[i * k + j] ?? NaN
    return createColumn({ name: String(c), dtype: 'f64', values })
  })
  return createFrame(cols)
}

/**
 * A regression target as a new `Float64Array`: numeric dtypes only, every value finite.
 *
 * @throws ValidationError naming the first bad row.
 */
export function regressionTarget(X: Frame, y: Column | undefined, kind: string): Float64Array {
  const t = requireTarget(X, y, kind)
  if (t.dtype !== 'f64' && t.dtype !== 'f32' && t.dtype !== 'i32' && t.dtype !== 'bool') {
    throw new ValidationError(`${kind} needs a numeric target, "${t.name}" is ${t.dtype}`, [
      { path: ['y'], code: 'not_numeric', message: `y is ${t.dtype}` },
    ])
  }
  const out = Float64Array.from(t.values)
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) {
      throw new ValidationError(`the target "${t.name}" has a non-finite value`, [
        { path: ['y'], code: 'non_finite', message: `non-finite value at row ${i}` },
      ])
    }
  }
  return out
}

/** A `f64` column named `name` (default `prediction`) over `values` (not copied). */
export function predictionColumn(values: Float64Array, name = 'prediction'): Column<'f64'> {
  return createColumn({ name, dtype: 'f64', values })
}

const EncodingSchema = z.object({
  classes: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1),
  dtype: z.enum(['f64', 'f32', 'i32', 'bool', 'cat', 'str', 'ts']),
})

/**
 * Reads the `classes` and `dtype` fields of a classifier state.
 *
 * @throws ValidationError if malformed.
 */
export function readEncoding(v: unknown): ClassEncoding {
  const r = EncodingSchema.safeParse(v)
  if (!r.success) throw badState('classes', 'expected classes and the target dtype')
  return { classes: r.data.classes, dtype: r.data.dtype }
}

/**
 * Per-class weights: `'balanced'` gives `n / (k · count_k)` (sklearn's `compute_class_weight`),
 * a record gives the weight of each class by `String(label)` (missing classes weigh 1), and
 * `undefined` gives all ones.
 *
 * @throws ValidationError if a record names a class y does not have, or a weight is not finite and > 0.
 */
export function classWeights(
  target: EncodedTarget,
  spec: 'balanced' | Readonly<Record<string, number>> | undefined,
): Float64Array {
  const k = target.classes.length
  const w = new Float64Array(k).fill(1)
  if (spec === undefined) return w
  if (spec === 'balanced') {
    const counts = classCounts(target)
    for (let c = 0; c < k; c++) w[c] = target.codes.length / (k * (counts[c] ?? 1))
    return w
  }
  const names = target.classes.map(String)
  for (const [label, weight] of Object.entries(spec)) {
    const c = names.indexOf(label)
    if (c < 0 || !Number.isFinite(weight) || weight <= 0) {
      throw new ValidationError(`invalid class weight for "${label}"`, [
        {
          path: ['params', 'classWeight', label],
          code: 'invalid_value',
          message:
            c < 0
              ? `"${label}" is not a class of y (${names.join(', ')})`
              : 'must be a finite number > 0',
        },
      ])
    }
    w[c] = weight
  }
  return w
}

/** The weight of each row from per-class weights. */
export function sampleWeightsFromClasses(
  target: EncodedTarget,
  weights: Float64Array,
): Float64Array {
  const out = new Float64Array(target.codes.length)
  for (let i = 0; i < out.length; i++) out[i] = weights[target.codes[i] ?? 0] ?? 1
  return out
}
