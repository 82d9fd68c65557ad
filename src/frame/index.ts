/**
 * @module frame
 * The in-memory columnar table every ML component consumes: typed, immutable {@link Column}s
 * with explicit missing-value masks, the {@link Frame} that holds them (zero-copy select and
 * slice, gathering take and filter), its {@link FrameSchema}, and conversion to and from Apache
 * Arrow tables and IPC bytes. Pure: no I/O, no ambient time or randomness. Imports only `core`.
 */
export { columnFromArray, toCategorical } from './column-from-array.js'
export type { ToCategoricalOptions } from './column-from-array.js'
export { countMissing, createColumn, isMissing, valueAt } from './column.js'
export type {
  BoolColumn,
  CatColumn,
  CellValue,
  Column,
  ColumnInit,
  F32Column,
  F64Column,
  I32Column,
  StrColumn,
  TsColumn,
} from './column.js'
export type { IndexArray } from './column-ops.js'
export { DTYPES, isDType } from './dtype.js'
export type { DType, DTypeValues, ValuesOf } from './dtype.js'
export { Frame, createFrame } from './frame.js'
export type { FrameOptions, Row } from './frame.js'
export { columnsEqual, framesEqual } from './frames-equal.js'
export type { FieldSchema, FrameSchema } from './schema.js'
export { frameFromArrowIPC, frameToArrowIPC, fromArrowTable, toArrowTable } from './io/arrow.js'
