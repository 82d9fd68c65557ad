/**
 * The centered, weighted cross-product matrix of `[X, y]` in one pass over the Frame's columns:
 * everything the closed-form solvers and Gram coordinate descent need (`XᵀX`, `Xᵀy`, `yᵀy`,
 * the means) without a dense copy of X.
 *
 * @internal
 */
import { availableParallelism } from 'node:os'

import { throwIfAborted } from '../../../core/index.js'
import type { Column } from '../../../frame/index.js'

import {
  COPY_F64,
  copyKinds,
  finishChunk,
  loadChunk,
  promoteChunk,
  slotOffsets,
  type ChunkSource,
  type SlotOffsets,
} from './gram-chunk.js'
import { RING, acquireGramHelper, gramHelperIdle, type GramHelper } from './gram-helper.js'
import { createGramKernels, type GramKernels } from './kernels/gram-kernels.js'

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
  /** Chunks a helper thread finished (0 when the calling thread did all). */
  readonly helperChunks: number
}

/** Options of {@link crossProducts}. */
export interface CrossProductsOptions {
  /** Row weights (≥ 0, not all 0); `undefined` weighs every row 1. */
  readonly weights?: Float64Array | undefined
  /** Subtract the (weighted) means first, as fitting an intercept needs. */
  readonly center: boolean
  /** @default 'auto' (WebAssembly SIMD when available) */
  readonly backend?: 'auto' | 'wasm' | 'js'
  /**
   * Threads, the caller included: 1, or 2 for a helper thread (WebAssembly backend only; started
   * once per process, then kept for later passes). The result is the same bits either way.
   * @default 2 on a multi-core host from {@link PARALLEL_WORK} row × column² products, or from
   * {@link PARALLEL_WORK_RUNNING} when the helper is already running; else 1
   */
  readonly threads?: number | undefined
  /**
   * How long to wait for the helper thread to start before the first chunk (ms); by default the
   * caller starts at once and hands chunks over once the helper runs. For tests. @default 0
   */
  readonly helperStartMs?: number | undefined
  readonly signal?: AbortSignal | undefined
}

// About 1 MiB of f64 per chunk (4096 rows at 28 features): the block stays in L2 while the tiles
// re-read it, and per-chunk overheads stay small (measured: 512 KiB and 256 KiB were slower).
const CHUNK_BYTES = 1 << 20
// With hundreds of columns the block outgrows L2 anyway; long enough chunks keep the per-tile
// call overhead (tens of ns) small next to the tile's work.
const MIN_CHUNK = 256

/**
 * `rows × q²` from which a helper thread pays, on the first pass of a process: a worker takes
 * 20–40 ms to start (more while the caller streams data), and its start-up competes for the
 * cores. Measured on 2 cores at q = 28 (cold, one pass): 0.8M rows 44 ms alone against 47 ms with
 * the helper, 1.6M rows 82 against 72 ms, 3.2M rows 158 against 107 ms.
 */
export const PARALLEL_WORK = 2 ** 30

/** `rows × q²` from which a helper thread already running (from an earlier pass) is used. */
export const PARALLEL_WORK_RUNNING = 2 ** 26

/**
 * `rows × q²` from which a second such pass in a process starts the helper: a process that
 * repeats passes this large (cross-validation, paths, several models on one table) recovers
 * the start-up within a pass or two.
 */
export const PARALLEL_WORK_REPEATED = 2 ** 28

// Passes of at least PARALLEL_WORK_REPEATED so far: speed only, the result never depends on it.
let largePasses = 0

/** Rows per chunk for `q` columns: a multiple of 4 (16-byte alignment of f32 staging). */
function chunkRows(q: number): number {
  return Math.max(MIN_CHUNK, Math.min(4096, Math.floor(CHUNK_BYTES / 8 / q / 4) * 4))
}

/** Chunks the helper may hold unfinished: enough that it never waits on the caller's copies. */
const HELPER_DEPTH = 3

/**
 * Computes {@link CrossProducts} of the numeric `columns` (f64, f32, i32 or bool, finite, no
 * missing values: validated by the caller) and `y` (an array, or a column of those types, read
 * chunk by chunk like the others).
 *
 * ## Method
 * Rows are processed in fixed chunks (the size depends only on the column count). Each chunk is
 * copied to a column-major f64 block, shifted by `K` (the first chunk's own mean, so that the
 * cross products stay small and their correction cancels little) and scaled by `√w`; SIMD
 * kernels give its cross products (a triangle for each diagonal 4×4 block, 4×2 tiles
 * elsewhere), a rank-one correction moves them to the chunk's own mean, and chunks are merged in
 * row order with the pairwise update of Chan, Golub & LeVeque:
 * `G = G_a + G_b + (W_a·W_b / W)·(m_b − m_a)(m_b − m_a)ᵀ`. One read of the data, no n×p copy,
 * accumulation in f64, and the result does not depend on the backend.
 *
 * ## Threads
 * Every chunk after the first depends only on its rows and `K`, so a helper thread can finish
 * some of them (see `gram-helper.ts`) while the caller copies and finishes others; results are
 * merged in chunk order either way, so the result is the same bits with or without the helper.
 * The caller hands the helper a chunk whenever fewer than {@link HELPER_DEPTH} are waiting for
 * it, and otherwise finishes the chunk itself.
 *
 * ## References
 * - T. F. Chan, G. H. Golub, R. J. LeVeque (1979), "Updating formulae and a pairwise algorithm
 *   for computing sample variances", Stanford CS report STAN-CS-79-773.
 */
export function crossProducts(
  columns: readonly Column[],
  y: Float64Array | Column,
  options: CrossProductsOptions,
): CrossProducts {
  const n = y.length
  const p = columns.length
  const q = p + 1
  const C = chunkRows(q)
  const w = options.weights
  const yColumn = y instanceof Float64Array ? { name: 'y', dtype: 'f64' as const, values: y } : y
  const src: ChunkSource = { columns: [...columns, yColumn], weights: w }
  const kinds = copyKinds(src)
  const { at, bytes } = slotOffsets(0, q, C)
  const k = createGramKernels(bytes, options.backend ?? 'auto')
  const center = options.center
  const weighted = w !== undefined

  const gram = new Float64Array(q * q)
  const mean = new Float64Array(q)
  const chunkGram = new Float64Array(q * q)
  const chunkMean = new Float64Array(q)
  const K = new Float64Array(q)
  // The first chunk's columns, once promoted, are all f64.
  const allF64 = new Array<number>(q).fill(COPY_F64)
  let total = 0
  /** Merges the chunk result at `f64[off…]` (see {@link SlotOffsets.result}) of weight `wc`. */
  const mergeResult = (f64: Float64Array, off: number, wc: number): void => {
    const sums = off + q * q
    for (let r = 0; r < q; r++) {
      // Cross products about the chunk's own mean: Σ w(z−K)(z−K)ᵀ − W·d dᵀ with d = mean − K.
      const dr = f64[sums + r]! / wc
      chunkMean[r] = K[r]! + dr
      for (let s = r; s < q; s++) {
        const g = f64[off + r * q + s]!
        chunkGram[r * q + s] = center ? g - wc * dr * (f64[sums + s]! / wc) : g
      }
    }
    merge(gram, mean, total, chunkGram, chunkMean, wc, q, center)
    total += wc
  }

  const nChunks = Math.ceil(n / C)
  let chunk = 0
  // The first chunk with weight: its own mean is K for the rest.
  for (; chunk < nChunks && total === 0; chunk++) {
    if ((chunk & 63) === 0) throwIfAborted(options.signal)
    const start = chunk * C
    const c = Math.min(C, n - start)
    const wc = loadChunk(k.f64, k.f32, at, src, start, c)
    if (wc === 0) continue
    promoteChunk(k, k.f32, k.f64, at, kinds, c)
    if (center) firstShifts(k, at, q, c, wc, weighted, K)
    finishChunk(k, k.f64, k.f32, at, q, c, K, weighted, allF64)
    mergeResult(k.f64, at.result / 8, wc)
  }
  const use =
    chunk < nChunks && k.backend === 'wasm'
      ? useHelper(options.threads, (n - chunk * C) * q * q)
      : 'no'
  const helper =
    use === 'no' ? undefined : acquireGramHelper(q, C, weighted, kinds, use === 'start')
  try {
    if (helper !== undefined) {
      helper.shifts.set(K)
      if ((options.helperStartMs ?? 0) > 0) helper.waitRunning(options.helperStartMs!)
    }
    /** Finishes chunk `i` of `c` rows here; returns its weight (0: nothing to merge). */
    const ownChunk = (i: number, c: number): number => {
      const wc = loadChunk(k.f64, k.f32, at, src, i * C, c)
      if (wc !== 0) finishChunk(k, k.f64, k.f32, at, q, c, K, weighted, kinds)
      return wc
    }
    const own = at.result / 8
    const resultLength = q * q + q
    // Chunks not merged yet, in chunk order: the helper's (by publishing position) and, behind
    // them, copies of the caller's results.
    const queue: Pending[] = []
    let head = 0
    let merged = 0
    const drain = (h: GramHelper): void => {
      for (; head < queue.length; head++) {
        const e = queue[head]!
        if (e.result !== undefined) {
          mergeResult(e.result, 0, e.wc)
          continue
        }
        if (h.done() <= e.pos) break
        mergeResult(h.f64, h.slot(e.pos % RING).result / 8, e.wc)
        merged++
      }
      if (head === queue.length) queue.length = head = 0
    }
    /** After the helper failed: finishes here the chunks it had not finished. */
    const recover = (h: GramHelper): void => {
      for (let t = head; t < queue.length; t++) {
        const u = queue[t]!
        if (u.result !== undefined || u.pos < h.done()) continue
        ownChunk(u.chunk, u.rows)
        queue[t] = { ...u, result: k.f64.slice(own, own + resultLength) }
      }
    }
    for (; chunk < nChunks; chunk++) {
      if ((chunk & 63) === 0) throwIfAborted(options.signal)
      const c = Math.min(C, n - chunk * C)
      if (helper === undefined) {
        const wc = ownChunk(chunk, c)
        if (wc !== 0) mergeResult(k.f64, own, wc)
        continue
      }
      if (helper.failed()) recover(helper)
      const pos = helper.published()
      if (helper.running() && pos - helper.done() < HELPER_DEPTH && pos - merged < RING) {
        const wc = loadChunk(helper.f64, helper.f32, helper.slot(pos % RING), src, chunk * C, c)
        if (wc === 0) continue
        helper.publish(c)
        queue.push({ pos, wc, chunk, rows: c, result: undefined })
      } else {
        const wc = ownChunk(chunk, c)
        if (wc === 0) continue
        if (head === queue.length) mergeResult(k.f64, own, wc)
        else
          queue.push({ pos: -1, wc, chunk, rows: c, result: k.f64.slice(own, own + resultLength) })
      }
      drain(helper)
    }
    if (helper !== undefined) {
      while (head < queue.length) {
        const e = queue[head]!
        if (e.result === undefined && !helper.waitDone(e.pos)) recover(helper)
        drain(helper)
      }
    }
    for (let r = 0; r < q; r++) for (let s = r + 1; s < q; s++) gram[s * q + r] = gram[r * q + s]!
    return {
      nFeatures: p,
      sumWeights: total,
      mean,
      gram,
      backend: k.backend,
      helperChunks: helper === undefined ? 0 : Math.min(helper.done(), helper.published()),
    }
  } finally {
    helper?.close()
  }
}

/** A chunk waiting to be merged: the helper's (at publishing position `pos`) or a result copy. */
interface Pending {
  readonly pos: number
  readonly wc: number
  readonly chunk: number
  readonly rows: number
  readonly result: Float64Array | undefined
}

/** Whether to use a helper thread: start one if needed, use a running one only, or not. */
function useHelper(threads: number | undefined, work: number): 'start' | 'idle' | 'no' {
  if (threads !== undefined) return threads >= 2 ? 'start' : 'no'
  if (work >= PARALLEL_WORK_REPEATED) largePasses++
  const start = work >= PARALLEL_WORK || (work >= PARALLEL_WORK_REPEATED && largePasses >= 2)
  if (start && availableParallelism() > 1) return 'start'
  return work >= PARALLEL_WORK_RUNNING && gramHelperIdle() ? 'idle' : 'no'
}

/**
 * The first chunk's means as the shifts `K` (its rows copied unshifted, f32 promoted): the sums
 * over row pairs plus the odd row, or `Σ w·z` when weighted; zeroes the pad row of an odd chunk.
 */
function firstShifts(
  k: GramKernels,
  at: SlotOffsets,
  q: number,
  c: number,
  wc: number,
  weighted: boolean,
  K: Float64Array,
): void {
  for (let j = 0; j < q; j++) {
    const off = at.block + j * at.colStride
    const d = off / 8
    if ((c & 1) === 1) k.f64[d + c] = 0
    let sum: number
    if (weighted) sum = k.dot(at.w, off, ((c + 1) >> 1) * 16)
    else {
      sum = k.shift(off, (c >> 1) * 16, 0)
      if ((c & 1) === 1) sum += k.f64[d + c - 1]!
    }
    K[j] = sum / wc
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
