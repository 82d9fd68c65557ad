/**
 * Column element types and the JS storage each one uses.
 */

/**
 * The element type of a {@link Column}.
 *
 * | dtype  | storage (`values`)                              |
 * |--------|-------------------------------------------------|
 * | `f64`  | `Float64Array`                                  |
 * | `f32`  | `Float32Array`                                  |
 * | `i32`  | `Int32Array`                                    |
 * | `bool` | `Uint8Array` of 0/1                             |
 * | `cat`  | `Int32Array` codes into `categories`            |
 * | `str`  | frozen `readonly string[]`                      |
 * | `ts`   | `Float64Array` of UTC epoch milliseconds (fractional ms allowed) |
 */
export type DType = 'f64' | 'f32' | 'i32' | 'bool' | 'cat' | 'str' | 'ts'

/** Every dtype, in a stable order (for exhaustive tests and generators). */
export const DTYPES: readonly DType[] = Object.freeze([
  'f64',
  'f32',
  'i32',
  'bool',
  'cat',
  'str',
  'ts',
])

/**
 * The storage type of each dtype's `values`.
 *
 * @example
 * ```ts
 * const xs: DTypeValues['f64'] = new Float64Array([1, 2])
 * ```
 */
export interface DTypeValues {
  f64: Float64Array
  f32: Float32Array
  i32: Int32Array
  bool: Uint8Array
  cat: Int32Array
  str: readonly string[]
  ts: Float64Array
}

/** The storage type of `values` for dtype `D`. */
export type ValuesOf<D extends DType> = DTypeValues[D]

const DTYPE_SET: ReadonlySet<string> = new Set(DTYPES)

/**
 * True when `value` is one of the {@link DTYPES}.
 *
 * @example
 * ```ts
 * isDType('f64') // true
 * isDType('int64') // false
 * ```
 */
export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && DTYPE_SET.has(value)
}

/** The largest absolute epoch-millisecond value a JS `Date` can hold (±100,000,000 days). */
export const MAX_TIMESTAMP_MS = 8.64e15
