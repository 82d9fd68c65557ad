/**
 * One chunk of the cross-product pass (`./cross-products.ts`): where its rows sit in a memory
 * (a "slot"), how the calling thread copies them there, and the work on them that any thread
 * can do ({@link finishChunk}).
 *
 * @internal
 */
import type { Column } from '../../../frame/index.js'

import type { ChunkKernels } from './kernels/gram-kernels.js'

/** How a column's rows are copied into a slot: f64 values, or f32 values promoted later. */
export const COPY_F64 = 0
export const COPY_F32 = 1

/**
 * Byte offsets of one slot's areas (absolute: the slot's base included). A column's area is
 * `colStride` bytes (`C` f64); an f32 column is copied to its upper half and promoted in place.
 */
export interface SlotOffsets {
  /** Tile outputs (10 f64). */
  readonly out: number
  /** The chunk's weights (`C` f64). */
  readonly w: number
  /** Their square roots (`C` f64). */
  readonly s: number
  /** Column `j` starts at `block + j·colStride`. */
  readonly block: number
  readonly colStride: number
  /**
   * The chunk's result: the upper triangle of `Σ (z − K)(z − K)ᵀ` (`q × q` row-major f64, with
   * √w scaling), then the `q` sums `Σ w·(z − K)`.
   */
  readonly result: number
}

/** The offsets of a slot at `base` for `q` columns of `C` rows, and its size in bytes. */
export function slotOffsets(
  base: number,
  q: number,
  C: number,
): { readonly at: SlotOffsets; readonly bytes: number } {
  const colStride = C * 8
  const w = base + 128
  const s = w + colStride
  const block = s + colStride
  const result = block + q * colStride
  const at = { out: base, w, s, block, colStride, result }
  return { at, bytes: result + (q * q + q) * 8 - base }
}

/** A numeric column as the pass reads it. */
export type ChunkColumn = Pick<Column, 'name' | 'dtype' | 'values'>

/** What rows are read from: the `q` columns (X's, then y) and the optional weights. */
export interface ChunkSource {
  readonly columns: readonly ChunkColumn[]
  readonly weights: Float64Array | undefined
}

/** How each of the `q` columns of `src` is copied ({@link COPY_F64} or {@link COPY_F32}). */
export function copyKinds(src: ChunkSource): number[] {
  return src.columns.map((col) => {
    switch (col.dtype) {
      case 'f32':
        return COPY_F32
      case 'f64':
      case 'i32':
      case 'bool':
        return COPY_F64
      default:
        throw new Error(`crossProducts: column "${col.name}" is not numeric`)
    }
  })
}

/**
 * Copies rows `[start, start + c)` into the slot (as they are: shifting is part of
 * {@link finishChunk}), and their weights and √weights; returns the chunk's weight sum.
 */
export function loadChunk(
  f64: Float64Array,
  f32: Float32Array,
  at: SlotOffsets,
  src: ChunkSource,
  start: number,
  c: number,
): number {
  const { columns, weights: w } = src
  let wc = c
  if (w !== undefined) {
    wc = 0
    const o = at.w / 8
    const os = at.s / 8
    for (let i = 0; i < c; i++) {
      const wi = w[start + i]!
      f64[o + i] = wi
      f64[os + i] = Math.sqrt(wi)
      wc += wi
    }
    if ((c & 1) === 1) f64[o + c] = f64[os + c] = 0
    if (wc === 0) return 0
  }
  columns.forEach((col, j) => {
    const off = at.block + j * at.colStride
    const values = col.values
    switch (col.dtype) {
      case 'f64':
        f64.set((values as Float64Array).subarray(start, start + c), off / 8)
        break
      case 'f32':
        // Half the bytes to copy; promoted (and shifted) by one SIMD pass in finishChunk.
        f32.set((values as Float32Array).subarray(start, start + c), (off + at.colStride / 2) / 4)
        break
      default: {
        const v = values as Int32Array | Uint8Array
        const d = off / 8
        for (let i = 0; i < c; i++) f64[d + i] = v[start + i]!
      }
    }
  })
  return wc
}

/**
 * Promotes the chunk's f32 columns to f64 in place (no shift): the first chunk does this before
 * its means are known, then is finished with every column as f64.
 */
export function promoteChunk(
  k: ChunkKernels,
  f32: Float32Array,
  f64: Float64Array,
  at: SlotOffsets,
  kinds: readonly number[],
  c: number,
): void {
  kinds.forEach((kind, j) => {
    if (kind !== COPY_F32) return
    const off = at.block + j * at.colStride
    const src = off + at.colStride / 2
    const tail = f32[src / 4 + c - 1]!
    k.loadShift32(src, off, (c >> 1) * 16, 0)
    if ((c & 1) === 1) f64[off / 8 + c - 1] = tail
  })
}

/**
 * The chunk's {@link SlotOffsets.result} from its copied rows: each column shifted by `K[j]`
 * (and scaled by √w when `weighted`), then the upper triangle of the cross products, one 4×4
 * triangle kernel per diagonal block and 4×2 tiles to its right.
 *
 * Self-contained (worker threads run it from its source text): it uses only its arguments, and
 * declares no named inner function (a transpiler may wrap those in a helper of its own). The
 * same function on every thread, with kernels that give the same bits, gives the same result
 * whichever thread finishes a chunk.
 */
export function finishChunk(
  k: ChunkKernels,
  f64: Float64Array,
  f32: Float32Array,
  at: SlotOffsets,
  q: number,
  c: number,
  K: ArrayLike<number>,
  weighted: boolean,
  kinds: ArrayLike<number>,
): void {
  const half = (c >> 1) * 16
  // Tiles run over row pairs, the pad row after an odd chunk's last row included (zeroed here).
  const pairs = ((c + 1) >> 1) * 16
  const odd = (c & 1) === 1
  const res = at.result / 8
  const cs = at.colStride
  for (let j = 0; j < q; j++) {
    const off = at.block + j * cs
    const d = off / 8
    const kj = K[j]!
    let sum: number
    // COPY_F32 (a literal: this function may not reference module constants).
    if (kinds[j] === 1) {
      const src = off + cs / 2
      // Read before the promotion overwrites it (the areas overlap near the end).
      const tail = odd ? f32[src / 4 + c - 1]! : 0
      sum = k.loadShift32(src, off, half, kj)
      if (odd) {
        const v = tail - kj
        f64[d + c - 1] = v
        f64[d + c] = 0
        sum += v
      }
    } else {
      sum = k.shift(off, half, kj)
      if (odd) {
        const v = f64[d + c - 1]! - kj
        f64[d + c - 1] = v
        f64[d + c] = 0
        sum += v
      }
    }
    if (weighted) sum = k.scaleDot(off, at.s, pairs)
    f64[res + q * q + j] = sum
  }
  // (row, column) of tri4's outputs, in order.
  const TRI = [0, 0, 0, 1, 0, 2, 0, 3, 1, 1, 1, 2, 1, 3, 2, 2, 2, 3, 3, 3]
  const out = at.out / 8
  const last = q - 1
  for (let j = 0; j < q; j += 4) {
    const a0 = at.block + j * cs
    const a1 = at.block + Math.min(j + 1, last) * cs
    const a2 = at.block + Math.min(j + 2, last) * cs
    const a3 = at.block + Math.min(j + 3, last) * cs
    k.tri4(a0, a1, a2, a3, pairs, at.out)
    for (let t = 0; t < 10; t++) {
      const a = TRI[2 * t]!
      const b = TRI[2 * t + 1]!
      if (j + b < q) f64[res + (j + a) * q + j + b] = f64[out + t]!
    }
    for (let c0 = j + 4; c0 < q; c0 += 2) {
      const b0 = at.block + c0 * cs
      const b1 = at.block + Math.min(c0 + 1, last) * cs
      k.tile42(a0, a1, a2, a3, b0, b1, pairs, at.out)
      for (let a = 0; a < 4 && j + a < q; a++) {
        for (let b = 0; b < 2 && c0 + b < q; b++)
          f64[res + (j + a) * q + c0 + b] = f64[out + a * 2 + b]!
      }
    }
  }
}
