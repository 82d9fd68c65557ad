/**
 * The elementwise loops of the scalers and the clipper: one pass over a typed array, no
 * allocation inside, NaN written at missing rows.
 */
import type { NumericValues } from '../shared.js'

/**
 * `out[i] = (x[i] - shift) / scale` (sklearn's `X -= mean_; X /= scale_`, in that order so the
 * bits match), NaN where `validity[i] === 0`. Returns `out`.
 *
 * @example
 * ```ts
 * centerScale(Float64Array.of(1, 3), undefined, 2, 2, new Float64Array(2)) // [-0.5, 0.5]
 * ```
 */
export function centerScale(
  x: NumericValues,
  validity: Uint8Array | undefined,
  shift: number,
  scale: number,
  out: Float64Array,
): Float64Array {
  const n = x.length
  for (let i = 0; i < n; i++) out[i] = (x[i]! - shift) / scale
  if (validity !== undefined) maskMissing(validity, out)
  return out
}

/**
 * `out[i] = x[i] * scale + shift` (sklearn's `X *= scale_; X += min_`), then clipped to
 * `[lo, hi]` when `clip` is set; NaN where `validity[i] === 0`. Returns `out`.
 *
 * @example
 * ```ts
 * scaleShift(Float64Array.of(1, 3), undefined, 2, 1, new Float64Array(2)) // [3, 7]
 * ```
 */
export function scaleShift(
  x: NumericValues,
  validity: Uint8Array | undefined,
  scale: number,
  shift: number,
  out: Float64Array,
  clip?: readonly [number, number],
): Float64Array {
  const n = x.length
  for (let i = 0; i < n; i++) out[i] = x[i]! * scale + shift
  if (clip !== undefined) clipInPlace(out, clip[0], clip[1])
  if (validity !== undefined) maskMissing(validity, out)
  return out
}

/**
 * `out[i] = min(max(x[i], lo), hi)` (NaN stays NaN), NaN where `validity[i] === 0`. Returns `out`.
 *
 * @example
 * ```ts
 * clipTo(Float64Array.of(-5, 0.5, 9), undefined, 0, 1, new Float64Array(3)) // [0, 0.5, 1]
 * ```
 */
export function clipTo(
  x: NumericValues,
  validity: Uint8Array | undefined,
  lo: number,
  hi: number,
  out: Float64Array,
): Float64Array {
  const n = x.length
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = v < lo ? lo : v > hi ? hi : v
  }
  if (validity !== undefined) maskMissing(validity, out)
  return out
}

function clipInPlace(out: Float64Array, lo: number, hi: number): void {
  const n = out.length
  for (let i = 0; i < n; i++) {
    const v = out[i]!
    if (v < lo) out[i] = lo
    else if (v > hi) out[i] = hi
  }
}

function maskMissing(validity: Uint8Array, out: Float64Array): void {
  const n = out.length
  for (let i = 0; i < n; i++) if (validity[i] === 0) out[i] = NaN
}
