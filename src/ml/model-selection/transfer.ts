/**
 * What crosses the thread boundary: frames as column buffers in shared memory (copied once,
 * read by every worker), and errors as plain data.
 */
import { PlatformError, type ErrorBody } from '../../core/index.js'
import {
  createColumn,
  createFrame,
  type Column,
  type DType,
  type Frame,
} from '../../frame/index.js'

/** A column as structured-cloneable data; typed arrays live in `SharedArrayBuffer`s. */
export interface ColumnPayload {
  readonly name: string
  readonly dtype: DType
  readonly values: Float64Array | Float32Array | Int32Array | Uint8Array | readonly string[]
  readonly validity?: Uint8Array
  readonly categories?: readonly string[]
}

/** A frame as structured-cloneable data. */
export interface FramePayload {
  readonly nRows: number
  readonly columns: readonly ColumnPayload[]
}

type Typed = Float64Array | Float32Array | Int32Array | Uint8Array

function shared<A extends Typed>(a: A): A {
  // Already in shared memory (a frame rebuilt from a payload): nothing to copy.
  if (a.buffer instanceof SharedArrayBuffer) return a
  const Ctor = a.constructor as new (buf: SharedArrayBuffer) => A
  const out = new Ctor(new SharedArrayBuffer(a.byteLength))
  out.set(a)
  return out
}

/**
 * A column's data copied into shared memory. The copy is made once; every worker that receives
 * the payload reads the same memory, so sending a frame to N workers costs one copy, not N.
 */
export function shareColumn(col: Column): ColumnPayload {
  const values = col.dtype === 'str' ? col.values : shared(col.values)
  return {
    name: col.name,
    dtype: col.dtype,
    values,
    ...(col.validity === undefined ? {} : { validity: shared(col.validity) }),
    ...(col.dtype === 'cat' ? { categories: col.categories } : {}),
  }
}

/** A frame's columns copied into shared memory (see {@link shareColumn}). */
export function shareFrame(X: Frame): FramePayload {
  return { nRows: X.nRows, columns: X.columns.map(shareColumn) }
}

/** Rebuilds a column from its payload (zero-copy over the shared buffers). */
export function columnFromPayload(p: ColumnPayload): Column {
  return createColumn({
    name: p.name,
    dtype: p.dtype,
    values: p.values,
    ...(p.validity === undefined ? {} : { validity: p.validity }),
    ...(p.categories === undefined ? {} : { categories: p.categories }),
  } as Parameters<typeof createColumn>[0])
}

/** Rebuilds a frame from its payload. */
export function frameFromPayload(p: FramePayload): Frame {
  return createFrame(p.columns.map(columnFromPayload), { nRows: p.nRows })
}

/** An error as plain data: a `PlatformError`'s wire form, or the name and message of any other. */
export interface ErrorPayload {
  readonly name: string
  readonly message: string
  readonly body?: ErrorBody
  readonly stack?: string
}

/** The payload of anything thrown. */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof PlatformError) {
    // details may hold values a structured clone rejects (a cause, a function): keep them JSON.
    const body = JSON.parse(JSON.stringify(err.toJSON())) as ErrorBody
    return {
      name: err.name,
      message: err.message,
      body,
      ...(err.stack === undefined ? {} : { stack: err.stack }),
    }
  }
  if (err instanceof Error)
    return {
      name: err.name,
      message: err.message,
      ...(err.stack === undefined ? {} : { stack: err.stack }),
    }
  return { name: 'Error', message: String(err) }
}

/** The error a payload describes: `PlatformError` subclasses are rebuilt (`ValidationError` keeps its issues). */
export function fromErrorPayload(p: ErrorPayload): Error {
  if (p.body !== undefined) return PlatformError.fromJSON(p.body)
  const err = new Error(p.message)
  err.name = p.name
  if (p.stack !== undefined) err.stack = p.stack
  return err
}
