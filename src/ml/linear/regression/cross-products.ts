/**
 * The centered, weighted cross-product matrix of `[X, y]` in one pass over the Frame's columns:
 * everything the closed-form solvers and Gram coordinate descent need (`XᵀX`, `Xᵀy`, `yᵀy`,
 * the means) without a dense copy of X.
 *
 * @internal
 */
import { throwIfAborted } from '../../../core/index.js'
import type { Column } from '../../../frame/index.js'

import { TRI_PAIRS, createGramKernels, type GramKernels } from './kernels/gram-kernels.js'

/** Cross products of `Z = [X, y]` (`q = p + 1` columns, y last). */
export interface CrossProducts {
  /** Columns of X (`p`). */
  readonly nFeatures: number
  /** The sum of the weights (the row count when unweighted). */
  readonly sumWeights: number
  /** The (weighted) column means of `Z`, or zeros when not centered. */
  readonly mean: Float64Array
  /** `q × q` row-major, symmetric: `Σᵢ wᵢ (zᵢ − mean)(zᵢ − mean)ᵀ`. */
  readonly gram: Float64Array
  /** Which kernels ran. */
  readonly backend: 'wasm' | 'js'
}

/** Options of {@link crossProducts}. */
export interface CrossProductsOptions {
  /** Row weights (≥ 0, not all 0); `undefined` weighs every row 1. */
  readonly weights?: Float64Array | undefined
  /** Subtract the (weighted) means first, as fitting an intercept needs. */
  readonly center: boolean
  /** @default 'auto' (WebAssembly SIMD when available) */
  readonly backend?: 'auto' | 'wasm' | 'js'
  readonly signal?: AbortSignal | undefined
}

// About 1 MiB of f64 per chunk (4096 rows at 28 features): the block stays in L2 while the tiles
// re-read it, and per-chunk overheads stay small (measured: 512 KiB and 256 KiB were slower).
const CHUNK_BYTES = 1 << 20
// With hundreds of columns the block outgrows L2 anyway; long enough chunks keep the per-tile
// call overhead (tens of ns) small next to the tile's work.
const MIN_CHUNK = 256

/** Rows per chunk for `q` columns: a multiple of 4 (16-byte alignment of f32 staging). */
function chunkRows(q: number): number {
  return Math.max(MIN_CHUNK, Math.min(4096, Math.floor(CHUNK_BYTES / 8 / q / 4) * 4))
}

/**
 * Computes {@link CrossProducts} of the numeric `columns` (f64, f32, i32 or bool, finite, no
 * missing values: validated by the caller) and `y`.
 *
 * ## Method
 * Rows are processed in fixed chunks (the size depends only on the column count). Each chunk is
 * copied to a column-major f64 block, shifted by the running mean (the first chunk by its own)
 * and scaled by `√w`; SIMD kernels give its cross products (a triangle for each diagonal 4×4
 * block, 4×2 tiles elsewhere), a rank-one correction moves them to the chunk's own mean, and
 * chunks are merged with the pairwise update of Chan, Golub & LeVeque:
 * `G = G_a + G_b + (W_a·W_b / W)·(m_b − m_a)(m_b − m_a)ᵀ`. One read of the data, no n×p copy,
 * accumulation in f64, and the result does not depend on the backend.
 *
 * ## References
 * - T. F. Chan, G. H. Golub, R. J. LeVeque (1979), "Updating formulae and a pairwise algorithm
 *   for computing sample variances", Stanford CS report STAN-CS-79-773.
 */
export function crossProducts(
  columns: readonly Column[],
  y: Float64Array,
  options: CrossProductsOptions,
): CrossProducts {
  const n = y.length
  const p = columns.length
  const q = p + 1
  const C = chunkRows(q)
  const w = options.weights
  // Layout (bytes): tile outputs (up to 10 f64) | w (C f64) | √w (C f64) | f32 staging (C f32)
  // | block.
  const OUT = 0
  const W = 128
  const S = W + C * 8
  const STAGE = S + C * 8
  const BLOCK = STAGE + C * 4
  const k = createGramKernels(BLOCK + q * C * 8, options.backend ?? 'auto')
  const colOff = (j: number): number => BLOCK + j * C * 8

  const gram = new Float64Array(q * q)
  const mean = new Float64Array(q)
  const chunkGram = new Float64Array(q * q)
  const chunkMean = new Float64Array(q)
  const shifted = new Float64Array(q) // Σ w·(z − K) of the chunk, per column
  const K = new Float64Array(q)
  let total = 0
  for (let start = 0, chunk = 0; start < n; start += C, chunk++) {
    if ((chunk & 63) === 0) throwIfAborted(options.signal)
    const c = Math.min(C, n - start)
    const pairs = (c + 1) >> 1
    const odd = (c & 1) === 1
    let wc = c
    if (w !== undefined) {
      wc = 0
      const f64 = k.f64
      for (let i = 0; i < c; i++) {
        const wi = w[start + i]!
        f64[W / 8 + i] = wi
        f64[S / 8 + i] = Math.sqrt(wi)
        wc += wi
      }
      if (odd) f64[W / 8 + c] = f64[S / 8 + c] = 0
      if (wc === 0) continue
    }
    const first = total === 0
    for (let j = 0; j < q; j++) {
      const off = colOff(j)
      // Shift by K (the running mean) while loading, so that the cross products stay small and
      // their correction below cancels little. The first chunk has no running mean yet: it is
      // loaded unshifted, then shifted by its own mean.
      const kj = options.center && !first ? K[j]! : 0
      let sum = load(k, j < p ? columns[j]! : undefined, y, start, c, off, STAGE, kj)
      if (options.center && first) {
        K[j] = (w === undefined ? sum : k.dot(W, off, pairs)) / wc
        sum = shiftColumn(k, off, c, K[j]!)
      }
      if (w !== undefined) sum = k.scaleDot(off, S, pairs)
      shifted[j] = sum
    }
    tiles(k, q, pairs, colOff, OUT, chunkGram)
    if (options.center) {
      // Cross products about the chunk's own mean: Σ w(z−K)(z−K)ᵀ − W·d dᵀ with d = mean − K.
      for (let r = 0; r < q; r++) {
        const dr = shifted[r]! / wc
        chunkMean[r] = K[r]! + dr
        for (let s = r; s < q; s++) chunkGram[r * q + s]! -= wc * dr * (shifted[s]! / wc)
      }
    }
    merge(gram, mean, total, chunkGram, chunkMean, wc, q, options.center)
    total += wc
    K.set(mean)
  }
  for (let r = 0; r < q; r++) for (let s = r + 1; s < q; s++) gram[s * q + r] = gram[r * q + s]!
  return { nFeatures: p, sumWeights: total, mean, gram, backend: k.backend }
}

/**
 * Copies rows `[start, start + c)` of a column (or of y) to `off`, minus `shift`; returns their
 * sum. The kernels work on row pairs; the last row of an odd chunk is done here (the same code
 * for both backends), and the pad row after it is set to 0.
 */
function load(
  k: GramKernels,
  col: Column | undefined,
  y: Float64Array,
  start: number,
  c: number,
  off: number,
  stage: number,
  shift: number,
): number {
  const at = off / 8
  const values = col === undefined ? y : col.values
  switch (col?.dtype ?? 'f64') {
    case 'f64':
      k.f64.set((values as Float64Array).subarray(start, start + c), at)
      return shiftColumn(k, off, c, shift)
    case 'f32': {
      // memcpy into the staging area, then promote and shift in one SIMD pass: several times
      // faster than converting element by element in JS.
      k.f32.set((values as Float32Array).subarray(start, start + c), stage / 4)
      let sum = k.loadShift32(stage, off, c >> 1, shift)
      if ((c & 1) === 1) {
        const v = k.f32[stage / 4 + c - 1]! - shift
        k.f64[at + c - 1] = v
        k.f64[at + c] = 0
        sum += v
      }
      return sum
    }
    case 'i32':
    case 'bool': {
      const v = values as Int32Array | Uint8Array
      const f64 = k.f64
      for (let i = 0; i < c; i++) f64[at + i] = v[start + i]!
      return shiftColumn(k, off, c, shift)
    }
    default:
      throw new Error(`crossProducts: column "${col?.name ?? 'y'}" is not numeric`)
  }
}

/** `x − shift` in place over `c` rows at `off` (odd tail in JS, pad row set to 0); returns the sum. */
function shiftColumn(k: GramKernels, off: number, c: number, shift: number): number {
  let sum = k.shift(off, c >> 1, shift)
  if ((c & 1) === 1) {
    const at = off / 8
    const v = k.f64[at + c - 1]! - shift
    k.f64[at + c - 1] = v
    k.f64[at + c] = 0
    sum += v
  }
  return sum
}

/**
 * The upper triangle of the chunk's cross products: per block of 4 columns, one triangle
 * kernel for the diagonal block and 4×2 tiles to its right, so that (for q a multiple of 4)
 * every product is computed exactly once.
 */
function tiles(
  k: GramKernels,
  q: number,
  pairs: number,
  colOff: (j: number) => number,
  out: number,
  g: Float64Array,
): void {
  const last = q - 1
  const f64 = k.f64
  const col = (j: number): number => colOff(Math.min(j, last))
  for (let j = 0; j < q; j += 4) {
    k.tri4(col(j), col(j + 1), col(j + 2), col(j + 3), pairs, out)
    TRI_PAIRS.forEach(([a, b], t) => {
      if (j + b < q) g[(j + a) * q + j + b] = f64[out / 8 + t]!
    })
    for (let c0 = j + 4; c0 < q; c0 += 2) {
      k.tile42(col(j), col(j + 1), col(j + 2), col(j + 3), col(c0), col(c0 + 1), pairs, out)
      for (let a = 0; a < 4 && j + a < q; a++) {
        for (let b = 0; b < 2 && c0 + b < q; b++)
          g[(j + a) * q + c0 + b] = f64[out / 8 + a * 2 + b]!
      }
    }
  }
}

function merge(
  gram: Float64Array,
  mean: Float64Array,
  total: number,
  g: Float64Array,
  m: Float64Array,
  wc: number,
  q: number,
  center: boolean,
): void {
  if (total === 0) {
    for (let r = 0; r < q; r++) for (let s = r; s < q; s++) gram[r * q + s] = g[r * q + s]!
    mean.set(m)
    return
  }
  const sum = total + wc
  if (!center) {
    for (let r = 0; r < q; r++) for (let s = r; s < q; s++) gram[r * q + s]! += g[r * q + s]!
    return
  }
  const f = (total * wc) / sum
  for (let r = 0; r < q; r++) {
    const dr = f * (m[r]! - mean[r]!)
    for (let s = r; s < q; s++) gram[r * q + s]! += g[r * q + s]! + dr * (m[s]! - mean[s]!)
  }
  for (let r = 0; r < q; r++) mean[r]! += (m[r]! - mean[r]!) * (wc / sum)
}
