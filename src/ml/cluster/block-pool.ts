/**
 * A pool of threads that run the k-means block kernels over one shared memory: the calling
 * thread plus persistent `worker_threads` workers, synchronised with `Atomics` only, so a
 * synchronous `fit` can use every core.
 *
 * ## Method
 * A command is a kernel name, a block count and arguments. The caller publishes it in a shared
 * control array, bumps a generation counter and wakes the workers; every participant (the caller
 * included) claims blocks with `Atomics.add` on a shared cursor until none are left, then counts
 * itself finished. The caller waits for all participants before it reads results. Kernels write
 * per-block partial results only, which the caller merges in block order: the outcome is the
 * same for any number of threads and any claim order.
 *
 * Workers start while the caller prepares the data; those not registered when the first command
 * is due are told to exit, and the pool runs with the others (at worst on the caller alone).
 *
 * @internal
 */
import type { Worker } from 'node:worker_threads'

import { spawnFunctionWorker, wasmApi, type WasmMemory, type WasmModule } from '../base/index.js'

import {
  JS_KERNELS,
  kernelModule,
  memoryViews,
  type KernelName,
  type MemoryViews,
} from './kmeans-kernels.js'

/** Control cells (Int32Array indices). */
const CTRL = {
  gen: 0,
  kernel: 1,
  next: 2,
  finished: 3,
  nBlocks: 4,
  ready: 5,
  failed: 6,
  error: 7,
  nArgs: 8,
  size: 16,
} as const

/** Kernel ids in the control array; -1 tells workers to exit. */
const KERNEL_IDS: Readonly<Record<KernelName, number>> = {
  assign: 0,
  cand: 1,
  norms: 2,
  lloyd: 3,
  bounded: 4,
}
/** Kernel names by id. */
const KERNEL_BY_ID: readonly KernelName[] = ['assign', 'cand', 'norms', 'lloyd', 'bounded']

/** Arguments of one command (after the block index). */
const MAX_ARGS = 24

/** What a fit needs from its threads. */
export interface BlockPool {
  /** Typed views over the shared memory. */
  readonly views: MemoryViews
  /** Threads that run commands, the caller included (1 when no worker started). */
  readonly threads: number
  /** Whether the kernels are WebAssembly (else the TypeScript fallback). */
  readonly wasm: boolean
  /** Waits (at most `timeoutMs`) for the workers to start; the rest are dropped. Idempotent. */
  start(timeoutMs: number): void
  /** Runs `kernel(b, ...args)` for every block `b < nBlocks` and returns when all are done. */
  run(kernel: KernelName, nBlocks: number, args: readonly number[]): void
  /** Stops the workers. Idempotent. */
  close(): void
}

type KernelFn = (b: number, ...args: number[]) => void

/**
 * Allocates `bytes` of shared memory and starts `threads − 1` workers on it. Use `start` before
 * the first `run`, and `close` in a `finally`.
 */
export function createBlockPool(bytes: number, threads: number): BlockPool {
  const module = kernelModule()
  const api = wasmApi()
  const pages = Math.ceil(bytes / 65536) + 1
  if (module === null || api === undefined || pages > 65535) return jsPool(bytes)
  const memory = new api.Memory({ initial: pages, maximum: pages, shared: true })
  const instance = new api.Instance(module, { env: { memory } })
  const fns = instance.exports as unknown as Record<KernelName, KernelFn>
  const control = new Int32Array(new SharedArrayBuffer(CTRL.size * 4))
  const args = new Float64Array(new SharedArrayBuffer(MAX_ARGS * 8))
  const workers: Worker[] = []
  for (let w = 0; w < threads - 1; w++) {
    try {
      workers.push(
        spawnFunctionWorker(
          poolWorkerMain,
          { memory, module, control, args, kernels: KERNEL_BY_ID, cells: CTRL },
          { cells: control, increment: CTRL.failed, notify: CTRL.ready },
        ),
      )
    } catch {
      break
    }
  }
  let participants = -1
  let closed = false
  const views = memoryViews(memory.buffer)
  const pool: BlockPool = {
    views,
    wasm: true,
    get threads() {
      return Math.max(participants, 0) + 1
    },
    start(timeoutMs) {
      if (participants >= 0) return
      const deadline = performance.now() + timeoutMs
      for (;;) {
        const r = Atomics.load(control, CTRL.ready)
        if (r + Atomics.load(control, CTRL.failed) >= workers.length) break
        const left = deadline - performance.now()
        if (left <= 0) break
        Atomics.wait(control, CTRL.ready, r, left)
      }
      // Close registration: a negative count tells late workers to exit.
      for (;;) {
        const r = Atomics.load(control, CTRL.ready)
        if (Atomics.compareExchange(control, CTRL.ready, r, -1 - r) === r) {
          participants = r
          break
        }
      }
    },
    run(kernel, nBlocks, a) {
      if (participants < 0) pool.start(0)
      const fn = fns[kernel]
      if (participants === 0) {
        for (let b = 0; b < nBlocks; b++) fn(b, ...a)
        return
      }
      args.set(a)
      Atomics.store(control, CTRL.kernel, KERNEL_IDS[kernel])
      Atomics.store(control, CTRL.nBlocks, nBlocks)
      Atomics.store(control, CTRL.nArgs, a.length)
      Atomics.store(control, CTRL.next, 0)
      Atomics.store(control, CTRL.finished, 0)
      Atomics.add(control, CTRL.gen, 1)
      Atomics.notify(control, CTRL.gen)
      for (;;) {
        const b = Atomics.add(control, CTRL.next, 1)
        if (b >= nBlocks) break
        fn(b, ...a)
      }
      for (;;) {
        const f = Atomics.load(control, CTRL.finished)
        if (f >= participants) break
        Atomics.wait(control, CTRL.finished, f)
      }
      if (Atomics.load(control, CTRL.error) !== 0)
        throw new Error(`a k-means worker failed while running ${kernel}`)
    },
    close() {
      if (closed) return
      closed = true
      if (participants < 0) pool.start(0)
      Atomics.store(control, CTRL.kernel, -1)
      Atomics.add(control, CTRL.gen, 1)
      Atomics.notify(control, CTRL.gen)
      for (const w of workers) void w.terminate()
    },
  }
  return pool
}

/** The single-threaded pool over a plain buffer, running the TypeScript kernels. */
function jsPool(bytes: number): BlockPool {
  const views = memoryViews(new ArrayBuffer(bytes))
  return {
    views,
    threads: 1,
    wasm: false,
    start: () => undefined,
    run(kernel, nBlocks, a) {
      const fn = JS_KERNELS[kernel]
      for (let b = 0; b < nBlocks; b++) fn(views, [b, ...a])
    },
    close: () => undefined,
  }
}

/** What a pool worker receives. */
interface PoolWorkerData {
  readonly memory: WasmMemory
  readonly module: WasmModule
  readonly control: Int32Array<SharedArrayBuffer>
  readonly args: Float64Array<SharedArrayBuffer>
  readonly kernels: readonly KernelName[]
  readonly cells: typeof CTRL
}

/**
 * The worker side of the pool: instantiates the kernels on the shared memory, registers, then
 * runs commands until told to exit.
 *
 * It runs from its source text ({@link spawnFunctionWorker}), so it must stay self-contained:
 * no imports, no helpers, no nested named functions (a transpiler may wrap those in helpers the
 * worker does not have).
 */
function poolWorkerMain(data: PoolWorkerData): void {
  const { memory, module, control, args, kernels, cells } = data
  const api = (
    globalThis as unknown as {
      WebAssembly: { Instance: new (m: WasmModule, i: object) => { exports: object } }
    }
  ).WebAssembly
  const fns = new api.Instance(module, { env: { memory } }).exports as Record<
    string,
    (...a: number[]) => void
  >
  for (;;) {
    const r = Atomics.load(control, cells.ready)
    if (r < 0) return // registration closed: the pool runs without this worker
    if (Atomics.compareExchange(control, cells.ready, r, r + 1) === r) break
  }
  Atomics.notify(control, cells.ready)
  // Commands are numbered from 1, and the pool starts command g + 1 only after every
  // participant finished command g, so waiting on the last seen number never misses one.
  let seen = 0
  for (;;) {
    Atomics.wait(control, cells.gen, seen)
    seen = Atomics.load(control, cells.gen)
    const id = Atomics.load(control, cells.kernel)
    if (id < 0) return
    const fn = fns[kernels[id]!]!
    const nBlocks = Atomics.load(control, cells.nBlocks)
    const a = Array.from(args.subarray(0, Atomics.load(control, cells.nArgs)))
    try {
      for (;;) {
        const b = Atomics.add(control, cells.next, 1)
        if (b >= nBlocks) break
        fn(b, ...a)
      }
    } catch {
      Atomics.store(control, cells.error, 1)
    }
    Atomics.add(control, cells.finished, 1)
    Atomics.notify(control, cells.finished)
  }
}
