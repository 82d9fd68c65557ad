/**
 * Row operations on single columns (slice, gather, rename), shared by `Frame`.
 *
 * Inputs are trusted: callers (Frame methods) have already checked bounds.
 */
import { normalizeValidity, sealColumn, type Column } from './column.js'

/** Any integer index array `Frame.take` accepts, after its bounds check. */
export type IndexArray = Int32Array | Uint32Array | readonly number[]

/**
 * Rows `[start, end)` of `col`. Zero-copy for typed arrays (`subarray` shares the buffer); a
 * `str` column copies its slice of the string array, since JS arrays can't share storage.
 *
 * @internal
 */
export function sliceColumn(col: Column, start: number, end: number): Column {
  const validity = normalizeValidity(col.validity?.subarray(start, end))
  switch (col.dtype) {
    case 'f64':
    case 'ts':
      return finish({ ...col, values: col.values.subarray(start, end) }, validity)
    case 'f32':
      return finish({ ...col, values: col.values.subarray(start, end) }, validity)
    case 'i32':
    case 'cat':
      return finish({ ...col, values: col.values.subarray(start, end) }, validity)
    case 'bool':
      return finish({ ...col, values: col.values.subarray(start, end) }, validity)
    case 'str':
      return finish({ ...col, values: Object.freeze(col.values.slice(start, end)) }, validity)
  }
}

/**
 * Gathers rows `indices` of `col` into new storage (a copy: a gather can't share buffers).
 * Preserves dtype, categories and missingness.
 *
 * @internal
 */
export function takeColumn(col: Column, indices: IndexArray): Column {
  const n = indices.length
  let validity: Uint8Array | undefined
  if (col.validity !== undefined)
    validity = normalizeValidity(gather(col.validity, indices, new Uint8Array(n)))
  switch (col.dtype) {
    case 'f64':
    case 'ts':
      return finish({ ...col, values: gather(col.values, indices, new Float64Array(n)) }, validity)
    case 'f32':
      return finish({ ...col, values: gather(col.values, indices, new Float32Array(n)) }, validity)
    case 'i32':
    case 'cat':
      return finish({ ...col, values: gather(col.values, indices, new Int32Array(n)) }, validity)
    case 'bool':
      return finish({ ...col, values: gather(col.values, indices, new Uint8Array(n)) }, validity)
    case 'str': {
      const src = col.values
      const out = new Array<string>(n)
      for (let i = 0; i < n; i++) out[i] = src[indices[i] ?? 0] ?? ''
      return finish({ ...col, values: Object.freeze(out) }, validity)
    }
  }
}

/** `col` under a new name, sharing its storage. @internal */
export function renameColumn(col: Column, name: string): Column {
  return finish({ ...col, name }, col.validity)
}

function gather<T extends { [i: number]: number }>(
  src: ArrayLike<number>,
  indices: IndexArray,
  out: T,
): T {
  const n = indices.length
  // `?? 0` only satisfies noUncheckedIndexedAccess: the caller bounds-checked `indices`.
  for (let i = 0; i < n; i++) out[i] = src[indices[i] ?? 0] ?? 0
  return out
}

// Sets `length` from the new storage and replaces (or removes) the mask.
function finish(col: Column, validity: Uint8Array | undefined): Column {
  const { validity: _old, ...rest } = col
  const base = { ...rest, length: rest.values.length }
  return sealColumn(validity === undefined ? base : { ...base, validity })
}
