/**
 * Conversion between frames and Apache Arrow tables, and Arrow IPC bytes for moving frames
 * between processes (workers, the executor, HTTP).
 *
 * | dtype  | Arrow type written                         | Arrow types read                          |
 * |--------|--------------------------------------------|-------------------------------------------|
 * | `f64`  | Float64                                    | Float64, Uint32, Int64/Uint64 (see below), Null |
 * | `f32`  | Float32                                    | Float32, Float16                           |
 * | `i32`  | Int32                                      | Int8, Int16, Int32, Uint8, Uint16          |
 * | `bool` | Bool                                       | Bool                                       |
 * | `cat`  | Dictionary<Utf8, Int32> (id = column index)| Dictionary with Utf8/LargeUtf8 values      |
 * | `str`  | Utf8                                       | Utf8, LargeUtf8, Utf8View                  |
 * | `ts`   | Timestamp[ms]; Timestamp[µs] when a value has fractional ms | Timestamp (any unit; timezone ignored, values are UTC), Date |
 *
 * The mapping is chosen by Arrow *type*, never by the data, so a query always yields the same
 * dtypes: 64-bit integers (DuckDB `BIGINT`, `COUNT(*)`) become `f64` when every present value
 * is a safe integer (|v| ≤ 2^53 − 1) and are rejected otherwise; Uint32 becomes `f64` because it
 * doesn't fit `i32`; an all-null Arrow `Null` column becomes an all-missing `f64`. Decimal,
 * nested, binary, time and interval types are rejected with a `ValidationError` naming them.
 */
import {
  Bool,
  type DataType,
  Dictionary,
  Field,
  Float32,
  Float64,
  Int32,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  Utf8,
  makeData,
  makeVector,
  tableFromIPC,
  tableToIPC,
  type Data,
} from 'apache-arrow'

import { ValidationError, type ValidationIssue } from '../../core/index.js'
import { countMissing, type Column } from '../column.js'
import { Frame } from '../frame.js'

import { readArrowColumn } from './read-arrow-column.js'

/**
 * Converts a frame to an Arrow table (one record batch). Numeric storage is passed to Arrow
 * without copying; validity masks are bit-packed, `bool` values bit-packed, strings UTF-8
 * encoded, and `ts` converted to 64-bit integers (copies).
 *
 * @example
 * ```ts
 * const table = toArrowTable(createFrame([columnFromArray('x', [1, null])]))
 * table.getChild('x')?.nullCount // 1
 * ```
 */
export function toArrowTable(frame: Frame): Table {
  const fields: Field[] = []
  const children: Data[] = []
  frame.columns.forEach((col, i) => {
    const data = columnToData(col, i)
    fields.push(new Field(col.name, data.type, true))
    children.push(data)
  })
  // apache-arrow's IPC writer drops an empty field name (it reads back as "null"), so an
  // empty name is also recorded in the schema metadata, which fromArrowTable prefers.
  const metadata = frame.names.includes('')
    ? new Map([[NAMES_KEY, JSON.stringify(frame.names)]])
    : undefined
  const schema = new Schema(fields, metadata)
  const batch = makeData({ type: new Struct(fields), length: frame.nRows, nullCount: 0, children })
  return new Table(schema, new RecordBatch(schema, batch))
}

/**
 * Converts an Arrow table to a frame (see the module table for the type mapping).
 *
 * Zero-copy for Float64, Float32 and Int32 columns held in a single chunk: the column's
 * `values` view Arrow's buffer (so keep treating it as read-only). Everything else copies:
 * multi-chunk columns, narrower or wider integers, Bool (bit-unpacked), strings (decoded),
 * dictionaries, timestamps (64-bit integers → ms), and every validity bitmap (unpacked to bytes).
 * Dictionary categories keep Arrow's dictionary order (chunks with other dictionaries append
 * new labels); duplicate or null dictionary entries are merged or read as missing.
 *
 * @throws ValidationError listing every column that can't be converted.
 */
export function fromArrowTable(table: Table): Frame {
  const issues: ValidationIssue[] = []
  const columns: Column[] = []
  const fields: readonly Field<DataType>[] = table.schema.fields
  const n = table.numRows
  const names = storedNames(table.schema.metadata, fields.length)
  fields.forEach((field, i) => {
    const name = names?.[i] ?? field.name
    const chunks = table.getChildAt<DataType>(i)?.data ?? []
    const col = readArrowColumn(name, field.type, chunks, n, (code, message) => {
      issues.push({ path: [name], code, message })
    })
    if (col !== undefined) columns.push(col)
  })
  if (issues.length > 0) throw new ValidationError('cannot convert Arrow table to a frame', issues)
  return Frame.fromColumns(columns, { nRows: n })
}

/**
 * Serializes a frame to Arrow IPC stream bytes.
 *
 * @example
 * ```ts
 * const back = frameFromArrowIPC(frameToArrowIPC(X)) // framesEqual(back, X)
 * ```
 */
export function frameToArrowIPC(frame: Frame): Uint8Array {
  return tableToIPC(toArrowTable(frame), 'stream')
}

/**
 * Reads a frame from Arrow IPC bytes (stream or file format). Numeric columns may view
 * `bytes` directly, so don't reuse the buffer afterwards.
 *
 * @throws ValidationError when a column can't be converted (see {@link fromArrowTable}).
 */
export function frameFromArrowIPC(bytes: Uint8Array): Frame {
  return fromArrowTable(tableFromIPC(bytes))
}

const NAMES_KEY = 'plinth.frame.names'

function storedNames(metadata: ReadonlyMap<string, string>, count: number): string[] | undefined {
  const raw = metadata.get(NAMES_KEY)
  if (raw === undefined) return undefined
  try {
    const parsed: unknown = JSON.parse(raw)
    if (!Array.isArray(parsed) || parsed.length !== count) return undefined
    const names: string[] = []
    for (const name of parsed) {
      if (typeof name !== 'string') return undefined
      names.push(name)
    }
    return names
  } catch {
    // Foreign or damaged metadata: fall back to the field names.
    return undefined
  }
}

function columnToData(col: Column, index: number): Data {
  const length = col.length
  const nullCount = countMissing(col)
  const nulls = col.validity === undefined ? {} : { nullCount, nullBitmap: packBits(col.validity) }
  switch (col.dtype) {
    case 'f64':
      return makeData({ type: new Float64(), length, ...nulls, data: col.values })
    case 'f32':
      return makeData({ type: new Float32(), length, ...nulls, data: col.values })
    case 'i32':
      return makeData({ type: new Int32(), length, ...nulls, data: col.values })
    case 'bool':
      return makeData({ type: new Bool(), length, ...nulls, data: packBits(col.values) })
    case 'str':
      return utf8Data(col.values, col.validity, nulls)
    case 'cat': {
      // Arrow readers may bounds-check every index, even under a null, so zero the codes at
      // missing rows when they are out of range (our producers write -1 there).
      const nCat = col.categories.length
      let codes = col.values
      if (codes.some((c, i) => (c < 0 || c >= nCat) && col.validity?.[i] === 0)) {
        codes = codes.map((c) => (c < 0 || c >= nCat ? 0 : c))
      }
      const type = new Dictionary(new Utf8(), new Int32(), index)
      const dictionary = makeVector(utf8Data(col.categories, undefined, {}))
      return makeData({ type, length, ...nulls, data: codes, dictionary })
    }
    case 'ts': {
      const present = (i: number): boolean => col.validity === undefined || col.validity[i] === 1
      const whole = col.values.every((v, i) => !present(i) || Number.isInteger(v))
      const scale = whole ? 1 : 1000
      const data = new BigInt64Array(length)
      col.values.forEach((v, i) => {
        if (present(i)) data[i] = BigInt(Math.round(v * scale))
      })
      const type = whole ? new TimestampMillisecond() : new TimestampMicrosecond()
      return makeData({ type, length, ...nulls, data })
    }
  }
}

function utf8Data(
  strings: readonly string[],
  validity: Uint8Array | undefined,
  nulls: { nullCount?: number; nullBitmap?: Uint8Array },
): Data<Utf8> {
  const encoder = new TextEncoder()
  const encoded = strings.map((s, i) => encoder.encode(validity?.[i] === 0 ? '' : s))
  const offsets = new Int32Array(strings.length + 1)
  let total = 0
  encoded.forEach((bytes, i) => {
    total += bytes.length
    offsets[i + 1] = total
  })
  if (total > 0x7fffffff) {
    throw new ValidationError('string column too large for Arrow Utf8 (over 2 GiB of text)')
  }
  const data = new Uint8Array(total)
  encoded.forEach((bytes, i) => {
    data.set(bytes, offsets[i] ?? 0)
  })
  return makeData({
    type: new Utf8(),
    length: strings.length,
    ...nulls,
    valueOffsets: offsets,
    data,
  })
}

// Arrow bitmaps are LSB-first: row i is bit (i % 8) of byte (i >> 3).
function packBits(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 8))
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0) out[i >> 3] = (out[i >> 3] ?? 0) | (1 << (i & 7))
  }
  return out
}
