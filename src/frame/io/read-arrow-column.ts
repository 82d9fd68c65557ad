/**
 * Reading one Arrow column into a frame column (the type mapping is documented in `arrow.ts`).
 */
import {
  DataType,
  DateUnit,
  Precision,
  TimeUnit,
  Type,
  makeVector,
  util,
  type Data,
} from 'apache-arrow'

import { buildColumn, sealColumn, type Column } from '../column.js'
import { MAX_TIMESTAMP_MS } from '../dtype.js'

function bitAt(bitmap: Uint8Array, i: number): number {
  return ((bitmap[i >> 3] ?? 0) >> (i & 7)) & 1
}

function typeName(type: DataType): string {
  return Type[type.typeId]
}

/** Receives one problem with the column being read. @internal */
export type Report = (code: string, message: string) => void

/**
 * Converts one Arrow column (all its chunks) to a frame column, or reports why it can't.
 *
 * @internal
 */
export function readArrowColumn(
  name: string,
  type: DataType,
  chunks: readonly Data[],
  n: number,
  report: Report,
): Column | undefined {
  const validity = readValidity(chunks, n)
  const present = (i: number): boolean => validity === undefined || validity[i] === 1
  if (DataType.isFloat(type)) {
    if (type.precision === Precision.DOUBLE) {
      return buildColumn({ name, dtype: 'f64', values: readFloat64(chunks, n), validity })
    }
    return buildColumn({ name, dtype: 'f32', values: readFloat32(chunks, n), validity })
  }
  if (DataType.isInt(type)) {
    if (type.bitWidth < 32 || (type.bitWidth === 32 && type.isSigned)) {
      return buildColumn({ name, dtype: 'i32', values: readInt32(chunks, n), validity })
    }
    const values = readFloat64(chunks, n)
    const bad = values.findIndex((v, i) => present(i) && !Number.isSafeInteger(v))
    if (bad >= 0) {
      report('out_of_range', `${typeName(type)} value at row ${bad} is not a safe integer for f64`)
      return undefined
    }
    return buildColumn({ name, dtype: 'f64', values, validity })
  }
  if (DataType.isNull(type)) {
    return buildColumn({
      name,
      dtype: 'f64',
      values: new Float64Array(n).fill(NaN),
      validity: new Uint8Array(n),
    })
  }
  if (DataType.isBool(type)) {
    const values = new Uint8Array(n)
    let at = 0
    for (const d of chunks) {
      const bits: unknown = d.values
      if (bits instanceof Uint8Array)
        for (let j = 0; j < d.length; j++) values[at + j] = bitAt(bits, d.offset + j)
      at += d.length
    }
    return buildColumn({ name, dtype: 'bool', values, validity })
  }
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isUtf8View(type)) {
    return buildColumn({ name, dtype: 'str', values: readStrings(chunks, n, validity), validity })
  }
  if (DataType.isTimestamp(type) || DataType.isDate(type)) {
    const toMs = DataType.isDate(type)
      ? type.unit === DateUnit.DAY
        ? (v: number) => v * 86_400_000
        : (v: number) => v
      : TO_MS[type.unit]
    const values = readFloat64(chunks, n).map(toMs)
    const bad = values.findIndex((v, i) => present(i) && !(Math.abs(v) <= MAX_TIMESTAMP_MS))
    if (bad >= 0) {
      report('out_of_range', `${typeName(type)} value at row ${bad} is outside the Date range`)
      return undefined
    }
    return buildColumn({ name, dtype: 'ts', values, validity })
  }
  if (DataType.isDictionary(type)) {
    const value: unknown = type.dictionary
    if (DataType.isUtf8(value) || DataType.isLargeUtf8(value) || DataType.isUtf8View(value)) {
      return readDictionary(name, chunks, n, validity)
    }
  }
  report('unsupported_type', `Arrow type ${typeName(type)} has no frame dtype`)
  return undefined
}

// Divide rather than multiply by 1e-3 / 1e-6: division by a power of ten is correctly
// rounded, so 1500 µs reads back as exactly 1.5 ms.
const TO_MS: Record<TimeUnit, (v: number) => number> = {
  [TimeUnit.SECOND]: (v) => v * 1000,
  [TimeUnit.MILLISECOND]: (v) => v,
  [TimeUnit.MICROSECOND]: (v) => v / 1000,
  [TimeUnit.NANOSECOND]: (v) => v / 1e6,
}

function readValidity(chunks: readonly Data[], n: number): Uint8Array | undefined {
  if (chunks.every((d) => d.nullCount === 0)) return undefined
  const out = new Uint8Array(n)
  let at = 0
  for (const d of chunks) {
    const bitmap: unknown = d.nullBitmap
    if (d.nullCount === 0) out.fill(1, at, at + d.length)
    else if (d.nullCount < d.length && bitmap instanceof Uint8Array && bitmap.length > 0) {
      for (let j = 0; j < d.length; j++) out[at + j] = bitAt(bitmap, d.offset + j)
    }
    at += d.length
  }
  return out
}

// The zero-copy path: for fixed-width types Arrow has already applied the chunk offset to
// `values`, so a single chunk of the right array type can be viewed as is.
function singleValues(chunks: readonly Data[]): unknown {
  const first = chunks[0]
  return chunks.length === 1 && first !== undefined ? first.values : undefined
}

function readFloat64(chunks: readonly Data[], n: number): Float64Array {
  const only = singleValues(chunks)
  if (only instanceof Float64Array && only.length >= n) return only.subarray(0, n)
  return copyNumbers(chunks, new Float64Array(n))
}

function readFloat32(chunks: readonly Data[], n: number): Float32Array {
  const only = singleValues(chunks)
  if (only instanceof Float32Array && only.length >= n) return only.subarray(0, n)
  return copyNumbers(chunks, new Float32Array(n))
}

function readInt32(chunks: readonly Data[], n: number): Int32Array {
  const only = singleValues(chunks)
  if (only instanceof Int32Array && only.length >= n) return only.subarray(0, n)
  return copyNumbers(chunks, new Int32Array(n))
}

function copyNumbers<T extends Float64Array | Float32Array | Int32Array>(
  chunks: readonly Data[],
  out: T,
): T {
  let at = 0
  for (const d of chunks) {
    const src: unknown = d.values
    if (src instanceof BigInt64Array || src instanceof BigUint64Array) {
      for (let j = 0; j < d.length; j++) out[at + j] = Number(src[j] ?? 0)
    } else if (src instanceof Uint16Array && DataType.isFloat(d.type)) {
      for (let j = 0; j < d.length; j++) out[at + j] = util.uint16ToFloat64(src[j] ?? 0)
    } else if (
      src instanceof Float64Array ||
      src instanceof Float32Array ||
      src instanceof Int32Array ||
      src instanceof Uint32Array ||
      src instanceof Int16Array ||
      src instanceof Uint16Array ||
      src instanceof Int8Array ||
      src instanceof Uint8Array
    ) {
      for (let j = 0; j < d.length; j++) out[at + j] = src[j] ?? 0
    }
    at += d.length
  }
  return out
}

function readStrings(
  chunks: readonly Data[],
  n: number,
  validity: Uint8Array | undefined,
): readonly string[] {
  const out = new Array<string>(n).fill('')
  const decoder = new TextDecoder()
  let at = 0
  for (const d of chunks) {
    const offsets: unknown = d.valueOffsets
    const bytes: unknown = d.values
    const direct =
      bytes instanceof Uint8Array &&
      (offsets instanceof Int32Array || offsets instanceof BigInt64Array)
    // Utf8View (and anything unusual) goes through Arrow's own getter.
    const vector = direct ? undefined : makeVector(d)
    for (let j = 0; j < d.length; j++) {
      if (validity?.[at + j] === 0) continue
      if (direct) {
        const start = Number(offsets[j] ?? 0)
        const end = Number(offsets[j + 1] ?? 0)
        out[at + j] = decoder.decode(bytes.subarray(start, end))
      } else {
        const v: unknown = vector?.get(j)
        out[at + j] = typeof v === 'string' ? v : ''
      }
    }
    at += d.length
  }
  return Object.freeze(out)
}

function readDictionary(
  name: string,
  chunks: readonly Data[],
  n: number,
  validity: Uint8Array | undefined,
): Column {
  const categories: string[] = []
  const codeOf = new Map<string, number>()
  const codes = new Int32Array(n).fill(-1)
  const mask = validity === undefined ? new Uint8Array(n).fill(1) : validity.slice()
  const indices = readInt32(chunks, n)
  let at = 0
  for (const d of chunks) {
    const dict = d.dictionary
    // Map this chunk's dictionary onto the merged categories (-1: a null dictionary entry).
    // Dictionaries are small, so Arrow's per-element getter is fine here.
    const remap = Array.from({ length: dict?.length ?? 0 }, (_, k) => {
      const label: unknown = dict?.get(k)
      if (typeof label !== 'string') return -1
      let code = codeOf.get(label)
      if (code === undefined) {
        code = categories.length
        categories.push(label)
        codeOf.set(label, code)
      }
      return code
    })
    for (let j = 0; j < d.length; j++) {
      if (mask[at + j] === 0) continue
      const code = remap[indices[at + j] ?? -1] ?? -1
      if (code < 0) mask[at + j] = 0
      else codes[at + j] = code
    }
    at += d.length
  }
  const missing = mask.includes(0) ? { validity: mask } : {}
  return sealColumn({
    name,
    dtype: 'cat',
    length: n,
    values: codes,
    categories: Object.freeze(categories),
    ...missing,
  })
}
