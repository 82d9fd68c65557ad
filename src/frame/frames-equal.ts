/**
 * Semantic equality of columns and frames, for tests and change detection.
 */
import { isMissing, type Column } from './column.js'
import type { Frame } from './frame.js'

/**
 * True when two columns have the same name, dtype, length, categories (same order), the same
 * missing rows, and equal values at every present row. NaN equals NaN and `-0` equals `0`;
 * values at missing rows are ignored. Storage identity doesn't matter.
 *
 * @example
 * ```ts
 * columnsEqual(columnFromArray('x', [1, null]), columnFromArray('x', [1, undefined])) // true
 * ```
 */
export function columnsEqual(a: Column, b: Column): boolean {
  if (a.name !== b.name || a.dtype !== b.dtype || a.length !== b.length) return false
  if (a.dtype === 'cat' && b.dtype === 'cat') {
    if (a.categories.length !== b.categories.length) return false
    if (a.categories.some((c, k) => c !== b.categories[k])) return false
  }
  const x: ArrayLike<number | string> = a.values
  const y: ArrayLike<number | string> = b.values
  for (let i = 0; i < a.length; i++) {
    const missing = isMissing(a, i)
    if (missing !== isMissing(b, i)) return false
    if (missing) continue
    const u = x[i]
    const v = y[i]
    if (u !== v && !(Number.isNaN(u) && Number.isNaN(v))) return false
  }
  return true
}

/**
 * True when two frames have the same row count and pairwise {@link columnsEqual} columns in
 * the same order.
 */
export function framesEqual(a: Frame, b: Frame): boolean {
  if (a.nRows !== b.nRows || a.columns.length !== b.columns.length) return false
  return a.columns.every((c, i) => {
    const d = b.columns[i]
    return d !== undefined && columnsEqual(c, d)
  })
}
