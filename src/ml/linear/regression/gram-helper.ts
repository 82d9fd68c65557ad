/**
 * A helper thread for the cross-product pass: a `worker_threads` worker that finishes the chunks
 * the calling thread hands it ({@link finishChunk}) while the caller finishes others.
 *
 * ## Protocol
 * The Frame's columns are ordinary arrays a worker cannot read, so the caller copies a chunk's
 * rows into one of {@link RING} slots of a shared `WebAssembly.Memory` and publishes it (a
 * counter, `Atomics.store` then `notify`). The worker finishes published chunks in order and
 * counts them done; the caller merges their results, in chunk order, once done, and only then
 * reuses the slot. Nothing is published before the worker has started, so a slow or failed start
 * only means the caller finishes every chunk itself; a worker that fails later is reported
 * through a flag, and the caller redoes its unfinished chunks.
 *
 * ## One worker per process
 * A worker takes 20–40 ms to start, so the first one is kept (`unref`ed, blocked in
 * `Atomics.wait` between passes, like a BLAS thread pool) with its memory: a later pass
 * describes its layout in the memory (growing it if needed) and bumps a job counter, and the
 * worker reads the layout and serves that pass. A pass only uses the worker once it is idle.
 *
 * @internal
 */
import type { Worker } from 'node:worker_threads'

import { spawnFunctionWorker, wasmApi, type WasmMemory, type WasmModule } from '../../base/index.js'

import { finishChunk, slotOffsets, type SlotOffsets } from './gram-chunk.js'
import { gramModule, type ChunkKernels } from './kernels/gram-kernels.js'

/** Slots in the ring. */
export const RING = 4

/** Cells of the control `Int32Array` at the start of the shared memory. */
const CTRL = {
  /** 1 once the worker is running. */
  ready: 0,
  /** Non-zero once the worker failed (it then serves no more passes). */
  dead: 1,
  /** Chunks published so far in this pass. */
  published: 2,
  /** Chunks the worker has finished in this pass. */
  done: 3,
  /** Non-zero: the pass is over. */
  exit: 4,
  /** The pass (job) counter. */
  job: 5,
  /** The last pass the worker has left. */
  ended: 6,
  /** The pass's column count `q`… */
  q: 7,
  /** …whether it is weighted (0/1)… */
  weighted: 8,
  /** …the byte offset of its shifts `K` (`q` f64)… */
  shifts: 9,
  /** …and `rows + s`: the row count of the chunk in slot `s`. */
  rows: 10,
  /** Cell count. */
  count: 16,
} as const
/** After the control cells: per slot the 6 fields of its {@link SlotOffsets}, then the `q` copy kinds. */
const LAYOUT = CTRL.count
const SLOT_FIELDS = 6
/** The largest memory the helper grows to (64 KiB pages): 512 MiB. */
const MAX_PAGES = 8192

/** What the worker receives as `workerData`. */
interface GramWorkerData {
  readonly module: WasmModule
  readonly memory: WasmMemory<SharedArrayBuffer>
  /** The source text of {@link finishChunk}. */
  readonly finish: string
  readonly cells: typeof CTRL
  readonly layout: number
  readonly ring: number
}

/**
 * The worker: serves one pass after another, finishing each pass's published chunks in order.
 * Self-contained (it runs from its source text, see `spawnFunctionWorker`), so no named inner
 * functions.
 */
function gramWorkerMain(d: GramWorkerData): void {
  const wasm = (
    globalThis as unknown as {
      WebAssembly: {
        Instance: new (m: WasmModule, i: object) => { exports: Record<string, unknown> }
      }
    }
  ).WebAssembly
  const k = new wasm.Instance(d.module, { env: { mem: d.memory } }).exports as unknown
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const finish = (new Function(`return (${d.finish})`) as () => typeof finishChunk)()
  const c = d.cells
  let buffer = d.memory.buffer
  let f64 = new Float64Array(buffer)
  let f32 = new Float32Array(buffer)
  let i32 = new Int32Array(buffer)
  const ctrl = new Int32Array(buffer, 0, c.count)
  Atomics.store(ctrl, c.ready, 1)
  Atomics.notify(ctrl, c.ready)
  let job = 0
  for (;;) {
    for (;;) {
      const j = Atomics.load(ctrl, c.job)
      if (j !== job) {
        job = j
        break
      }
      Atomics.wait(ctrl, c.job, j)
    }
    if (d.memory.buffer.byteLength !== buffer.byteLength) {
      buffer = d.memory.buffer
      f64 = new Float64Array(buffer)
      f32 = new Float32Array(buffer)
      i32 = new Int32Array(buffer)
    }
    const q = Atomics.load(ctrl, c.q)
    const weighted = Atomics.load(ctrl, c.weighted) === 1
    const K = new Float64Array(buffer, Atomics.load(ctrl, c.shifts), q)
    const slots: SlotOffsets[] = []
    for (let s = 0; s < d.ring; s++) {
      const o = d.layout + s * 6
      slots.push({
        out: i32[o]!,
        w: i32[o + 1]!,
        s: i32[o + 2]!,
        block: i32[o + 3]!,
        colStride: i32[o + 4]!,
        result: i32[o + 5]!,
      })
    }
    const kinds = i32.slice(d.layout + d.ring * 6, d.layout + d.ring * 6 + q)
    for (let pos = 0; ; pos++) {
      for (;;) {
        const p = Atomics.load(ctrl, c.published)
        if (p > pos) break
        Atomics.wait(ctrl, c.published, p)
      }
      if (Atomics.load(ctrl, c.exit) !== 0) break
      const slot = pos % d.ring
      try {
        const rows = Atomics.load(ctrl, c.rows + slot)
        finish(k as ChunkKernels, f64, f32, slots[slot]!, q, rows, K, weighted, kinds)
      } catch {
        Atomics.store(ctrl, c.dead, 1)
        Atomics.notify(ctrl, c.done)
        return
      }
      Atomics.store(ctrl, c.done, pos + 1)
      Atomics.notify(ctrl, c.done)
    }
    Atomics.store(ctrl, c.ended, job)
    Atomics.notify(ctrl, c.ended)
  }
}

/** The caller's side of a helper thread, for one pass. */
export interface GramHelper {
  readonly f64: Float64Array
  readonly f32: Float32Array
  /** The shifts `K` the worker reads: set them before the first {@link publish}. */
  readonly shifts: Float64Array
  /** Slot `s`'s offsets in {@link f64}/{@link f32} (bytes). */
  slot(s: number): SlotOffsets
  /** Whether the worker has started and not failed. */
  running(): boolean
  /** Whether the worker failed (its unfinished chunks are then the caller's to finish). */
  failed(): boolean
  /** Blocks until the worker started (or failed, or `timeoutMs` passed); returns {@link running}. */
  waitRunning(timeoutMs: number): boolean
  /** Chunks published so far (the next chunk goes to slot `published() % RING`). */
  published(): number
  /** Chunks the worker has finished (a count, in publishing order). */
  done(): number
  /** Hands the chunk of `rows` rows just copied into the next slot to the worker. */
  publish(rows: number): void
  /**
   * Blocks until chunk `pos` (in publishing order) is finished; false if the worker failed
   * first (the caller must then finish chunks `done()…` itself).
   */
  waitDone(pos: number): boolean
  /** Ends the pass (the worker waits for the next one). Idempotent. */
  close(): void
}

interface Pool {
  readonly memory: WasmMemory<SharedArrayBuffer>
  readonly ctrl: Int32Array<SharedArrayBuffer>
  readonly worker: Worker
  /** The current or last pass. */
  job: number
  busy: boolean
}

// The process's helper: `undefined` before the first, `null` once it cannot be had (no shared
// WebAssembly memory, no worker, or the worker failed). Holds no state a caller could observe
// beyond speed: every pass gives the same bits with or without it.
let pool: Pool | null | undefined

/** Whether a helper thread is running and not in use (a pass can use it without starting one). */
export function gramHelperIdle(): boolean {
  return (
    pool != null &&
    !pool.busy &&
    Atomics.load(pool.ctrl, CTRL.ready) === 1 &&
    Atomics.load(pool.ctrl, CTRL.dead) === 0
  )
}

/**
 * A helper for one pass over chunks of `q` columns of `C` rows: the process's worker when it is
 * idle, else (with `spawn`) a new one if none was started yet; `undefined` otherwise, or where
 * this host has no shared WebAssembly memory or cannot start a worker.
 */
export function acquireGramHelper(
  q: number,
  C: number,
  weighted: boolean,
  kinds: readonly number[],
  spawn: boolean,
): GramHelper | undefined {
  if (pool === null || (pool === undefined && !spawn)) return undefined
  const api = wasmApi()
  const module = api === undefined ? null : gramModule(api, true)
  if (api === undefined || module === null) {
    pool = null
    return undefined
  }
  const layoutBytes = (LAYOUT + RING * SLOT_FIELDS + q) * 4
  const shiftsAt = Math.ceil(layoutBytes / 16) * 16
  const slots: SlotOffsets[] = []
  let end = shiftsAt + Math.ceil((q * 8) / 16) * 16
  for (let s = 0; s < RING; s++) {
    const { at, bytes } = slotOffsets(end, q, C)
    slots.push(at)
    end += Math.ceil(bytes / 16) * 16
  }
  const pages = Math.ceil(end / 65536)
  if (pages > MAX_PAGES) return undefined
  if (pool === undefined) {
    try {
      const memory = new api.Memory({ initial: pages, maximum: MAX_PAGES, shared: true })
      const ctrl = new Int32Array(memory.buffer, 0, CTRL.count)
      const data: GramWorkerData = {
        module,
        memory,
        finish: finishChunk.toString(),
        cells: CTRL,
        layout: LAYOUT,
        ring: RING,
      }
      const worker = spawnFunctionWorker(gramWorkerMain, data, {
        cells: ctrl,
        increment: CTRL.dead,
        notify: CTRL.done,
      })
      pool = { memory, ctrl, worker, job: 0, busy: false }
    } catch {
      pool = null
      return undefined
    }
  } else {
    if (Atomics.load(pool.ctrl, CTRL.dead) !== 0) {
      pool = null
      return undefined
    }
    if (pool.busy) return undefined
    // A running worker leaves the last pass within microseconds of being told; one still
    // starting may take long: this pass then goes without.
    const ended = Atomics.load(pool.ctrl, CTRL.ended)
    if (ended !== pool.job && Atomics.load(pool.ctrl, CTRL.ready) === 1)
      Atomics.wait(pool.ctrl, CTRL.ended, ended, 2)
    if (Atomics.load(pool.ctrl, CTRL.ended) !== pool.job) return undefined
    const have = pool.memory.buffer.byteLength / 65536
    if (pages > have) (pool.memory as unknown as { grow(n: number): number }).grow(pages - have)
  }
  return beginPass(pool, q, weighted, kinds, shiftsAt, slots)
}

function beginPass(
  p: Pool,
  q: number,
  weighted: boolean,
  kinds: readonly number[],
  shiftsAt: number,
  slots: readonly SlotOffsets[],
): GramHelper {
  const { ctrl, memory } = p
  const buffer = memory.buffer
  const i32 = new Int32Array(buffer)
  slots.forEach((at, s) => {
    i32.set([at.out, at.w, at.s, at.block, at.colStride, at.result], LAYOUT + s * SLOT_FIELDS)
  })
  i32.set(kinds, LAYOUT + RING * SLOT_FIELDS)
  Atomics.store(ctrl, CTRL.q, q)
  Atomics.store(ctrl, CTRL.weighted, weighted ? 1 : 0)
  Atomics.store(ctrl, CTRL.shifts, shiftsAt)
  Atomics.store(ctrl, CTRL.published, 0)
  Atomics.store(ctrl, CTRL.done, 0)
  Atomics.store(ctrl, CTRL.exit, 0)
  // The worker reads the layout above once it sees the new job.
  p.job++
  p.busy = true
  Atomics.store(ctrl, CTRL.job, p.job)
  Atomics.notify(ctrl, CTRL.job)
  let closed = false
  const running = (): boolean =>
    Atomics.load(ctrl, CTRL.ready) === 1 && Atomics.load(ctrl, CTRL.dead) === 0
  return {
    f64: new Float64Array(buffer),
    f32: new Float32Array(buffer),
    shifts: new Float64Array(buffer, shiftsAt, q),
    slot: (s) => slots[s]!,
    running,
    failed: () => Atomics.load(ctrl, CTRL.dead) !== 0,
    waitRunning(timeoutMs) {
      const deadline = performance.now() + timeoutMs
      while (Atomics.load(ctrl, CTRL.ready) === 0 && Atomics.load(ctrl, CTRL.dead) === 0) {
        const left = deadline - performance.now()
        if (left <= 0) break
        // The failure signal notifies `done`, not `ready`: wait in short steps.
        Atomics.wait(ctrl, CTRL.ready, 0, Math.min(left, 5))
      }
      return running()
    },
    published: () => Atomics.load(ctrl, CTRL.published),
    done: () => Atomics.load(ctrl, CTRL.done),
    publish(rows) {
      const n = Atomics.load(ctrl, CTRL.published)
      Atomics.store(ctrl, CTRL.rows + (n % RING), rows)
      Atomics.store(ctrl, CTRL.published, n + 1)
      Atomics.notify(ctrl, CTRL.published)
    },
    waitDone(pos) {
      // A short spin first: the worker usually finishes within microseconds.
      for (let spin = 0; spin < 1000; spin++) if (Atomics.load(ctrl, CTRL.done) > pos) return true
      for (;;) {
        const d = Atomics.load(ctrl, CTRL.done)
        if (d > pos) return true
        if (Atomics.load(ctrl, CTRL.dead) !== 0) return false
        Atomics.wait(ctrl, CTRL.done, d, 50)
      }
    },
    close() {
      if (closed) return
      closed = true
      p.busy = false
      Atomics.store(ctrl, CTRL.exit, 1)
      Atomics.add(ctrl, CTRL.published, 1)
      Atomics.notify(ctrl, CTRL.published)
    },
  }
}
