/**
 * Plumbing shared by the samplers: target checks, class row lists and gathering rows.
 */
import { createRng, throwIfAborted, type Rng } from '../../core/index.js'
import { createColumn, createFrame, type Column, type Frame } from '../../frame/index.js'
import {
  assertMinClasses,
  assertMinRows,
  classCounts,
  encodeClasses,
  type EncodedTarget,
} from '../base/index.js'

import type { SampleOptions } from './types.js'

/** The encoded target with its class counts, after the checks every sampler makes. */
export function prepareTarget(
  X: Frame,
  y: Column,
  kind: string,
): { target: EncodedTarget; counts: Float64Array } {
  assertMinRows(X, 1, kind)
  const target = encodeClasses(X, y, kind)
  assertMinClasses(target, 2, kind)
  return { target, counts: classCounts(target) }
}

/** The rows of each class, ascending, as one array with offsets (`rows[start[c] … start[c+1])`). */
export function rowsByClass(
  target: EncodedTarget,
  counts: Float64Array,
): { rows: Int32Array; start: Int32Array } {
  const k = counts.length
  const start = new Int32Array(k + 1)
  for (let c = 0; c < k; c++) start[c + 1] = start[c]! + counts[c]!
  const fill = start.slice(0, k)
  const rows = new Int32Array(target.codes.length)
  for (let i = 0; i < target.codes.length; i++) rows[fill[target.codes[i]!]!++] = i
  return { rows, start }
}

/** The generator of a resample: the options' one, else a fresh one from the seed. */
export function samplerRng(seed: number, opts: SampleOptions | undefined): Rng {
  return opts?.rng ?? createRng(seed)
}

/** Aborts if the signal fired. */
export function checkSignal(opts: SampleOptions | undefined): void {
  throwIfAborted(opts?.signal)
}

/** The rows `indices` of `y` (a new column of the same dtype, categories kept). */
export function takeTarget(y: Column, indices: Int32Array): Column {
  const col = createFrame([y]).take(indices).columns[0]
  if (col === undefined) throw new Error('take lost the target column')
  return col
}

/**
 * `X` (numeric columns only) with `nNew` rows from the row-major `synth` appended, each column
 * keeping its dtype: `f32` values rounded to f32, `i32` to the nearest integer, `bool` to 0/1.
 */
export function appendRows(X: Frame, synth: Float64Array, nNew: number): Frame {
  const n = X.nRows
  const d = X.nColumns
  return createFrame(
    X.columns.map((col, j): Column => {
      switch (col.dtype) {
        case 'f64': {
          const values = new Float64Array(n + nNew)
          values.set(col.values)
          for (let t = 0; t < nNew; t++) values[n + t] = synth[t * d + j]!
          return createColumn({ name: col.name, dtype: 'f64', values })
        }
        case 'f32': {
          const values = new Float32Array(n + nNew)
          values.set(col.values)
          for (let t = 0; t < nNew; t++) values[n + t] = synth[t * d + j]!
          return createColumn({ name: col.name, dtype: 'f32', values })
        }
        case 'i32': {
          const values = new Int32Array(n + nNew)
          values.set(col.values)
          for (let t = 0; t < nNew; t++) values[n + t] = Math.round(synth[t * d + j]!)
          return createColumn({ name: col.name, dtype: 'i32', values })
        }
        case 'bool': {
          const values = new Uint8Array(n + nNew)
          values.set(col.values)
          for (let t = 0; t < nNew; t++) values[n + t] = synth[t * d + j]! >= 0.5 ? 1 : 0
          return createColumn({ name: col.name, dtype: 'bool', values })
        }
        default:
          // toMatrix has rejected every other dtype.
          throw new Error(`unexpected ${col.dtype} column`)
      }
    }),
    { nRows: n + nNew },
  )
}
