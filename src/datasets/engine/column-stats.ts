/**
 * Count, bounds, mean, sample standard deviation, equal-width histogram and exact distinct count
 * of numeric columns whose values arrive chunk by chunk (as doubles, missing and non-finite ones
 * as NaN). The values are kept (finite ones only, −0 as 0) until the column's summary is taken.
 *
 * Two backends give the same numbers bit for bit: WebAssembly kernels over one shared memory
 * holding every column (column-kernels.ts), and the TypeScript loops below, used where there is
 * no WebAssembly. With WebAssembly and large columns, a helper thread (a worker running the same
 * kernels over the same memory) takes the distinct counts and histograms, the slow part of a
 * summary, while the caller streams the next columns in; the caller takes queued work itself
 * whenever it would otherwise wait, and redoes whatever a failed helper left.
 *
 * @internal
 */
import type * as WorkerThreads from 'node:worker_threads'
import { Worker } from 'node:worker_threads'

import type { WasmApi, WasmMemory, WasmModule } from '../../numeric/index.js'

import { createColumnKernels, SUM_BLOCK, type ColumnKernels } from './column-kernels.js'
import { DistinctCounter, DistinctScratch, partitionBits } from './distinct.js'

/** What the profile reports of a numeric column. */
export interface ColumnSummary {
  readonly count: number
  readonly min: number | null
  readonly max: number | null
  readonly mean: number | null
  readonly std: number | null
  readonly distinct: number
  /** Absent when the column has no finite value. */
  readonly histogram?: { readonly edges: number[]; readonly counts: number[] }
}

/**
 * Accumulates numeric columns chunk by chunk, each in a slot; a slot is emptied with `clear` for
 * the next column once its summary has settled.
 */
export interface ColumnStats {
  readonly backend: 'wasm' | 'js'
  /** Whether a helper thread takes the distinct counts and histograms. */
  readonly threaded: boolean
  /** Adds the next chunk of the values of the column in `slot`. */
  add(slot: number, xs: Float64Array): void
  /** The summary of the column in `slot` (taken once; the slot must not change until it settles). */
  summary(slot: number): Promise<ColumnSummary>
  /** Empties `slot` for another column. */
  clear(slot: number): void
  /**
   * Does one piece of queued summary work on this thread (the helper thread takes from the other
   * end of the queue); false when none was left. For a caller that would otherwise wait idle.
   */
  helpOnce(): boolean
  /** Stops the helper thread, if any (summaries still pending finish on this thread). */
  close(): void
}

/** Equal-width bin edges over [lo, hi] (one unit wide from lo when lo = hi). */
export function equalWidthEdges(lo: number, hi: number, bins: number): number[] {
  const width = hi > lo ? (hi - lo) / bins : 1
  return Array.from({ length: bins + 1 }, (_, b) => lo + b * width)
}

/**
 * Adds the finite values of `xs` to their equal-width bins: the last b with edges[b] ≤ x, from
 * the arithmetic guess corrected against the edges themselves.
 */
function binInto(counts: Float64Array, edges: Float64Array, xs: Float64Array): void {
  const bins = counts.length
  const last = bins - 1
  const lo = edges[0] ?? 0
  const scale = bins / ((edges[bins] ?? 0) - lo)
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] ?? Number.NaN
    if (x - x !== 0) continue
    let b = Math.floor((x - lo) * scale)
    if (!(b >= 0)) b = 0
    else if (b > last) b = last
    if (b > 0 && (edges[b] ?? 0) > x) {
      do b--
      while (b > 0 && (edges[b] ?? 0) > x)
    } else {
      while (b < last && (edges[b + 1] ?? 0) <= x) b++
    }
    counts[b] = (counts[b] ?? 0) + 1
  }
}

/**
 * Σ (xs[i] − shift), or Σ (xs[i] − shift)² with `square`: blocks of `SUM_BLOCK` values summed in
 * four lanes, the block sums added with Neumaier's compensation (as exact as pairwise summation,
 * the error bound of a block times a few ulps, at the speed of a plain loop).
 */
function blockSum(xs: Float64Array, shift: number, square: boolean): number {
  let sum = 0
  let comp = 0
  for (let from = 0; from < xs.length; from += SUM_BLOCK) {
    const to = Math.min(xs.length, from + SUM_BLOCK)
    let a = 0
    let b = 0
    let c = 0
    let d = 0
    let i = from
    if (square) {
      for (; i + 3 < to; i += 4) {
        const x0 = (xs[i] ?? 0) - shift
        const x1 = (xs[i + 1] ?? 0) - shift
        const x2 = (xs[i + 2] ?? 0) - shift
        const x3 = (xs[i + 3] ?? 0) - shift
        a += x0 * x0
        b += x1 * x1
        c += x2 * x2
        d += x3 * x3
      }
      for (; i < to; i++) {
        const x = (xs[i] ?? 0) - shift
        a += x * x
      }
    } else {
      for (; i + 3 < to; i += 4) {
        a += (xs[i] ?? 0) - shift
        b += (xs[i + 1] ?? 0) - shift
        c += (xs[i + 2] ?? 0) - shift
        d += (xs[i + 3] ?? 0) - shift
      }
      for (; i < to; i++) a += (xs[i] ?? 0) - shift
    }
    const v = a + b + (c + d)
    const t = sum + v
    comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum
    sum = t
  }
  return sum + comp
}

/** The least and greatest of `xs` (±Infinity when empty). */
function bounds(xs: Float64Array): [number, number] {
  let lo = Number.POSITIVE_INFINITY
  let hi = Number.NEGATIVE_INFINITY
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] ?? 0
    if (x < lo) lo = x
    if (x > hi) hi = x
  }
  return [lo, hi]
}

/** Mean and sample standard deviation of `n` values from their sums. */
function moments(
  n: number,
  sum: (shift: number, square: boolean) => number,
): { mean: number; std: number | null } {
  const mean = sum(0, false) / n
  return { mean, std: n < 2 ? null : Math.sqrt(sum(mean, true) / (n - 1)) }
}

const EMPTY: ColumnSummary = { count: 0, min: null, max: null, mean: null, std: null, distinct: 0 }

const align16 = (x: number): number => Math.ceil(x / 16) * 16

/** Byte offsets of one thread's working buffers for `tail` (see column-kernels.ts). */
interface Scratch {
  readonly edges: number
  readonly counts: number
  readonly hashes: number
  readonly sv: number
  readonly sh: number
  readonly starts: number
  readonly at: number
  readonly keys: number
}

/** A request for the distinct count and histogram of `n` values at byte `off`. */
interface TailRequest {
  readonly off: number
  readonly n: number
  /** log₂ of the distinct count's partitions. */
  readonly bits: number
  readonly edges: readonly number[]
}

/** The kernels `tail` calls (a subset of ColumnKernels, as plain functions). */
interface TailKernels {
  bin(...args: number[]): void
  distinct(...args: number[]): number
}

/** What `tail` returns. */
interface Tail {
  readonly distinct: number
  readonly counts: number[]
}

/**
 * The distinct count and histogram counts of a column: the kernels' slow part, which a helper
 * thread may run. Self-contained (its source text is what the helper runs): no imports, no
 * closures.
 */
function tail(
  k: TailKernels,
  f64: Float64Array,
  i32: Int32Array,
  s: Scratch,
  r: TailRequest,
): Tail {
  const bins = r.edges.length - 1
  for (let b = 0; b <= bins; b++) f64[s.edges / 8 + b] = r.edges[b] ?? 0
  const c = s.counts / 4
  i32.fill(0, c, c + 4 * bins)
  const lo = r.edges[0] ?? 0
  k.bin(r.off, r.n, s.counts, s.edges, bins, lo, bins / ((r.edges[bins] ?? 0) - lo))
  // The kernel counts in four interleaved arrays.
  const counts: number[] = []
  for (let b = 0; b < bins; b++) {
    const at = c + b
    counts.push(
      (i32[at] ?? 0) +
        (i32[at + bins] ?? 0) +
        (i32[at + 2 * bins] ?? 0) +
        (i32[at + 3 * bins] ?? 0),
    )
  }
  const distinct = k.distinct(r.off, r.n, r.bits, s.hashes, s.sv, s.sh, s.starts, s.at, s.keys)
  return { distinct, counts }
}

/**
 * The helper thread's program: the kernels instantiated over the shared memory, answering
 * `tail` requests in order. Self-contained, like `tail` (passed to it as text).
 */
function helperMain(d: {
  module: WasmModule
  memory: WasmMemory<SharedArrayBuffer>
  scratch: Scratch
}): void {
  // The worker runs this as CommonJS text: `require` is its only way to a module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parentPort } = require('node:worker_threads') as typeof WorkerThreads
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly
  const k = new wasm.Instance(d.module, { env: { memory: d.memory } })
    .exports as unknown as TailKernels
  const f64 = new Float64Array(d.memory.buffer)
  const i32 = new Int32Array(d.memory.buffer)
  parentPort?.on('message', (m: { id: number; request: TailRequest }) => {
    try {
      parentPort.postMessage({ id: m.id, out: tail(k, f64, i32, d.scratch, m.request) })
    } catch (err) {
      parentPort.postMessage({ id: m.id, error: String(err) })
    }
  })
}

/** A helper thread running `tail`; `run` rejects once it has failed or stopped. */
interface Helper {
  run(request: TailRequest): Promise<Tail>
  close(): void
}

function startHelper(kernels: ColumnKernels, scratch: Scratch): Helper | undefined {
  let worker: Worker
  try {
    const code =
      `const tail = ${tail.toString()};\n` +
      `(${helperMain.toString()})(require('node:worker_threads').workerData)`
    worker = new Worker(code, {
      eval: true,
      workerData: { module: kernels.module, memory: kernels.memory, scratch },
    })
  } catch {
    return undefined
  }
  const pending = new Map<number, { resolve: (v: Tail) => void; reject: (e: Error) => void }>()
  let next = 0
  let failed: Error | undefined
  const fail = (err: Error): void => {
    failed ??= err
    for (const p of pending.values()) p.reject(failed)
    pending.clear()
  }
  worker.unref()
  worker.on('error', fail)
  worker.on('exit', () => {
    fail(new Error('the helper thread stopped'))
  })
  worker.on('message', (m: { id: number; out?: Tail; error?: string }) => {
    const p = pending.get(m.id)
    if (p === undefined) return
    pending.delete(m.id)
    if (pending.size === 0) worker.unref()
    if (m.error === undefined && m.out !== undefined) p.resolve(m.out)
    else p.reject(new Error(m.error ?? 'no answer'))
  })
  return {
    run(request) {
      if (failed !== undefined) return Promise.reject(failed)
      const id = next++
      // Referenced while it owes answers, so the process waits for them.
      worker.ref()
      worker.postMessage({ id, request })
      return new Promise<Tail>((resolve, reject) => pending.set(id, { resolve, reject }))
    },
    close() {
      void worker.terminate()
    },
  }
}

/** Whether a helper thread pays for itself: columns of this many values or more. */
const HELPER_VALUES = 2_000_000

function wasmStats(
  rows: number,
  slots: number,
  bins: number,
  threads: 1 | 2,
): ColumnStats | undefined {
  const parts = 1 << partitionBits(rows)
  let cap = 16
  while (cap < 2 * rows) cap *= 2
  // Layout (bytes): bounds per slot | values per slot | a scratch per thread.
  const STATE = 0
  const VALUES = align16(16 * slots)
  const stride = align16(8 * rows)
  let end = VALUES + stride * slots
  const scratch = (): Scratch => {
    const edges = align16(end)
    const counts = align16(edges + 8 * (bins + 1))
    const hashes = align16(counts + 16 * bins)
    const sv = align16(hashes + 4 * rows)
    const sh = sv + 8 * rows
    const starts = align16(sh + 4 * rows)
    const at = align16(starts + 4 * (parts + 1))
    const keys = align16(at + 4 * parts)
    end = keys + 8 * cap
    return { edges, counts, hashes, sv, sh, starts, at, keys }
  }
  const own = scratch()
  const helperScratch = threads === 2 ? scratch() : undefined
  const k = createColumnKernels(end)
  if (k === undefined) return undefined
  const f64 = new Float64Array(k.memory.buffer)
  const i32 = new Int32Array(k.memory.buffer)
  const helper = helperScratch === undefined ? undefined : startHelper(k, helperScratch)
  // Summary work not yet taken: the helper takes from the front (two at a time, so it never
  // waits for this thread between two), this thread from the back when it would be idle.
  const queue: { request: TailRequest; resolve: (t: Tail) => void }[] = []
  let inFlight = 0
  const pump = (): void => {
    while (helper !== undefined && inFlight < 2) {
      const job = queue.shift()
      if (job === undefined) return
      inFlight++
      void helper
        .run(job.request)
        .catch(() => tail(k, f64, i32, own, job.request))
        .then((t) => {
          inFlight--
          job.resolve(t)
          pump()
        })
    }
  }
  const counts = new Int32Array(slots)
  const clear = (slot: number): void => {
    counts[slot] = 0
    f64[(STATE + 16 * slot) / 8] = Number.POSITIVE_INFINITY
    f64[(STATE + 16 * slot) / 8 + 1] = Number.NEGATIVE_INFINITY
  }
  for (let slot = 0; slot < slots; slot++) clear(slot)
  return {
    backend: 'wasm',
    threaded: helper !== undefined,
    clear,
    add(slot, xs) {
      const have = counts[slot] ?? 0
      if (have + xs.length > rows)
        throw new Error(`column ${String(slot)} has more than ${String(rows)} values`)
      const off = VALUES + stride * slot + 8 * have
      f64.set(xs, off / 8)
      counts[slot] = have + k.compact(off, xs.length, STATE + 16 * slot)
    },
    async summary(slot) {
      const n = counts[slot] ?? 0
      if (n === 0) return EMPTY
      const off = VALUES + stride * slot
      const lo = f64[(STATE + 16 * slot) / 8] ?? 0
      const hi = f64[(STATE + 16 * slot) / 8 + 1] ?? 0
      const { mean, std } = moments(n, (shift, square) =>
        square ? k.sumSquares(off, n, shift) : k.sum(off, n, shift),
      )
      const edges = equalWidthEdges(lo, hi, bins)
      const request: TailRequest = { off, n, bits: partitionBits(n), edges }
      const t =
        helper === undefined
          ? tail(k, f64, i32, own, request)
          : await new Promise<Tail>((resolve) => {
              queue.push({ request, resolve })
              pump()
            })
      return {
        count: n,
        min: lo,
        max: hi,
        mean,
        std,
        distinct: t.distinct,
        histogram: { edges, counts: t.counts },
      }
    },
    helpOnce() {
      const job = queue.pop()
      job?.resolve(tail(k, f64, i32, own, job.request))
      return job !== undefined
    },
    close() {
      helper?.close()
      // Whatever is still queued finishes here.
      while (this.helpOnce());
    },
  }
}

function jsStats(rows: number, slots: number, bins: number): ColumnStats {
  const counters = Array.from({ length: slots }, () => new DistinctCounter(rows))
  const scratch = new DistinctScratch()
  return {
    backend: 'js',
    threaded: false,
    clear(slot) {
      counters[slot] = new DistinctCounter(rows)
    },
    add(slot, xs) {
      counters[slot]?.add(xs)
    },
    summary(slot) {
      const counter = counters[slot] ?? new DistinctCounter(0)
      // The values are dropped once summarized.
      counters[slot] = new DistinctCounter(0)
      const xs = counter.finite()
      const n = xs.length
      if (n === 0) return Promise.resolve(EMPTY)
      const [lo, hi] = bounds(xs)
      const { mean, std } = moments(n, (shift, square) => blockSum(xs, shift, square))
      const edges = equalWidthEdges(lo, hi, bins)
      const counts = new Float64Array(bins)
      binInto(counts, Float64Array.from(edges), xs)
      return Promise.resolve({
        count: n,
        min: lo,
        max: hi,
        mean,
        std,
        distinct: counter.count(scratch),
        histogram: { edges, counts: Array.from(counts) },
      })
    },
    helpOnce() {
      // Summaries are computed when asked for: nothing is ever queued.
      return false
    },
    close() {
      counters.fill(new DistinctCounter(0))
    },
  }
}

/** Options of {@link createColumnStats}. */
export interface ColumnStatsOptions {
  /** `auto` takes WebAssembly where there is one. @default 'auto' */
  readonly backend?: 'auto' | 'wasm' | 'js'
  /**
   * `auto`: a helper thread takes the distinct counts and histograms when columns are large
   * (WebAssembly only). @default 'auto'
   */
  readonly helper?: 'auto' | 'always' | 'never'
}

/**
 * Accumulates up to `slots` numeric columns at a time, of at most `rows` values each, into
 * `bins`-bin histograms.
 */
export function createColumnStats(
  rows: number,
  slots: number,
  bins: number,
  options: ColumnStatsOptions = {},
): ColumnStats {
  const backend = options.backend ?? 'auto'
  const helper = options.helper ?? 'auto'
  if (backend !== 'js') {
    const threads = helper === 'always' || (helper === 'auto' && rows * slots >= HELPER_VALUES)
    const wasm = wasmStats(rows, slots, bins, threads ? 2 : 1)
    if (wasm !== undefined) return wasm
    if (backend === 'wasm') throw new Error('WebAssembly is not available')
  }
  return jsStats(rows, slots, bins)
}
