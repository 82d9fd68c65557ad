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
  /** Non-zero once the worker failed. */
  dead: 1,
  /** Chunks published so far. */
  published: 2,
  /** Chunks the worker has finished. */
  done: 3,
  /** Non-zero: the worker returns. */
  exit: 4,
  /** `rows + s`: the row count of the chunk in slot `s`. */
  rows: 5,
} as const
const CTRL_BYTES = 64

/** What the worker receives as `workerData`. */
interface GramWorkerData {
  readonly module: WasmModule
  readonly memory: WasmMemory<SharedArrayBuffer>
  /** The source text of {@link finishChunk}. */
  readonly finish: string
  readonly slots: readonly SlotOffsets[]
  /** Byte offset of the `q` shifts `K`. */
  readonly shifts: number
  readonly q: number
  readonly weighted: boolean
  readonly kinds: readonly number[]
  readonly cells: typeof CTRL
  readonly ring: number
}

/**
 * The worker: finishes published chunks in order until told to exit. Self-contained (it runs
 * from its source text, see `spawnFunctionWorker`), so no named inner functions.
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
  const buffer = d.memory.buffer
  const f64 = new Float64Array(buffer)
  const f32 = new Float32Array(buffer)
  const ctrl = new Int32Array(buffer, 0, 16)
  const K = new Float64Array(buffer, d.shifts, d.q)
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const finish = (new Function(`return (${d.finish})`) as () => typeof finishChunk)()
  const c = d.cells
  Atomics.store(ctrl, c.ready, 1)
  Atomics.notify(ctrl, c.ready)
  for (let pos = 0; ; pos++) {
    for (;;) {
      const p = Atomics.load(ctrl, c.published)
      if (p > pos) break
      Atomics.wait(ctrl, c.published, p)
    }
    if (Atomics.load(ctrl, c.exit) !== 0) return
    const slot = pos % d.ring
    try {
      const rows = Atomics.load(ctrl, c.rows + slot)
      finish(k as ChunkKernels, f64, f32, d.slots[slot]!, d.q, rows, K, d.weighted, d.kinds)
    } catch {
      Atomics.store(ctrl, c.dead, 1)
      Atomics.notify(ctrl, c.done)
      return
    }
    Atomics.store(ctrl, c.done, pos + 1)
    Atomics.notify(ctrl, c.done)
  }
}

/** The caller's side of a helper thread. */
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
  /** Lets the worker go. Idempotent. */
  close(): void
}

/**
 * Starts a helper for chunks of `q` columns of `C` rows, or returns `undefined` where this host
 * has no shared WebAssembly memory or cannot start a worker.
 */
export function startGramHelper(
  q: number,
  C: number,
  weighted: boolean,
  kinds: readonly number[],
): GramHelper | undefined {
  const api = wasmApi()
  if (api === undefined) return undefined
  const module = gramModule(api, true)
  if (module === null) return undefined
  const shiftsAt = CTRL_BYTES
  const first = shiftsAt + Math.ceil((q * 8) / 16) * 16
  const slots: SlotOffsets[] = []
  let end = first
  for (let s = 0; s < RING; s++) {
    const { at, bytes } = slotOffsets(end, q, C)
    slots.push(at)
    end += Math.ceil(bytes / 16) * 16
  }
  const pages = Math.ceil(end / 65536)
  let memory: WasmMemory<SharedArrayBuffer>
  try {
    memory = new api.Memory({ initial: pages, maximum: pages, shared: true })
  } catch {
    return undefined
  }
  const ctrl = new Int32Array(memory.buffer, 0, 16)
  const data: GramWorkerData = {
    module,
    memory,
    finish: finishChunk.toString(),
    slots,
    shifts: shiftsAt,
    q,
    weighted,
    kinds,
    cells: CTRL,
    ring: RING,
  }
  let worker: Worker
  try {
    worker = spawnFunctionWorker(gramWorkerMain, data, {
      cells: ctrl,
      increment: CTRL.dead,
      notify: CTRL.done,
    })
  } catch {
    return undefined
  }
  let closed = false
  const running = (): boolean =>
    Atomics.load(ctrl, CTRL.ready) === 1 && Atomics.load(ctrl, CTRL.dead) === 0
  return {
    f64: new Float64Array(memory.buffer),
    f32: new Float32Array(memory.buffer),
    shifts: new Float64Array(memory.buffer, shiftsAt, q),
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
      const p = Atomics.load(ctrl, CTRL.published)
      Atomics.store(ctrl, CTRL.rows + (p % RING), rows)
      Atomics.store(ctrl, CTRL.published, p + 1)
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
      Atomics.store(ctrl, CTRL.exit, 1)
      Atomics.add(ctrl, CTRL.published, 1)
      Atomics.notify(ctrl, CTRL.published)
      void worker.terminate().catch(() => undefined)
    },
  }
}
