/**
 * `FrameSchema`: the names, dtypes and categories of a frame, without its data.
 */
import type { DType } from './dtype.js'

/** One column of a {@link FrameSchema}. */
export interface FieldSchema {
  readonly name: string
  readonly dtype: DType
  /**
   * True when the column has at least one missing row. Columns carry a `validity` mask exactly
   * then, so this is an O(1) property of the data, not a declared constraint.
   */
  readonly nullable: boolean
  /** The category labels, for `cat` columns only. */
  readonly categories?: readonly string[]
}

/**
 * The shape of a frame: one {@link FieldSchema} per column, in column order. Plain, frozen and
 * JSON-safe, so it can be stored with a model or a dataset version.
 *
 * @example
 * ```ts
 * createFrame([columnFromArray('x', [1, null])]).schema()
 * // [{ name: 'x', dtype: 'f64', nullable: true }]
 * ```
 */
export type FrameSchema = readonly FieldSchema[]
