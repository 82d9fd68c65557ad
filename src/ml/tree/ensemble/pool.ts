/**
 * Batch prediction on several threads: the calling thread plus persistent `worker_threads`
 * workers running the dense kernel over shared memory, so a synchronous `predict` uses every core.
 *
 * ## Method
 * The ensemble's dense layout is copied once into shared memory. Per call, the rows (copied into
 * shared memory unless they already live there) are cut into chunks that every thread claims
 * with `Atomics.add`, the caller included; each row is computed by the same kernel whichever
 * thread claims it, so results are bit-identical to single-threaded {@link predictRaw} for any
 * thread count. The caller posts the call's buffers to the workers, works, then waits (with
 * `Atomics.wait`) until every row is done and every worker has seen the call, so a late worker
 * can never work on a stale call's buffers.
 *
 * @internal
 */
import type { Worker } from 'node:worker_threads'

import { spawnFunctionWorker } from '../../base/index.js'

import { denseBlockRows, denseKernel, type DenseKernelData } from './kernels/dense.js'
import { packEnsemble } from './packed.js'
import { checkBatch, predictRaw, type FeatureRows } from './predict.js'

import type { TreeEnsemble } from './types.js'

/** Control cells (Int32Array indices). */
const CTRL = { next: 0, rowsDone: 1, acked: 2, ready: 3, failed: 4, error: 5, size: 8 } as const

/** Rows per claimed chunk: large enough to amortise the claim, small enough to balance. */
const CHUNK_ROWS = 2048

/** Below this many rows a call runs on the calling thread alone (waking workers costs more). */
const MIN_PARALLEL_ROWS = 8192

/**
 * Frames with fewer rows are predicted on one thread by `predictFrame` even when asked for more:
 * starting a worker (tens of ms) costs more than it saves.
 */
export const PARALLEL_MIN_ROWS = 50_000

/** How long a call waits for a worker that has not started before giving up on it (ms). */
const WORKER_WAIT_MS = 30_000

/** Options of {@link createPredictPool}. */
export interface PredictPoolOptions {
  /** Threads in all, the caller included. @default 2 */
  readonly nThreads?: number
}

/** A batch predictor bound to one ensemble that uses several threads. Close it when done. */
export interface PredictPool {
  /** Threads in all (1 when the ensemble has no dense layout or `nThreads` is 1). */
  readonly threads: number
  /** {@link predictRaw} on every thread; results are identical. */
  predictRaw(X: FeatureRows, nRows: number, out: Float64Array): Float64Array
  /** Stops the workers. Idempotent; later calls run on the calling thread. */
  close(): void
}

/** What one worker receives at start. */
interface WorkerData {
  readonly kernel: string
  readonly model: DenseKernelData
  readonly control: Int32Array<SharedArrayBuffer>
  readonly cells: typeof CTRL
  readonly chunkRows: number
  readonly scratchLength: number
}

/** What one call posts to the workers. */
interface CallMessage {
  readonly X: FeatureRows
  readonly out: Float64Array
  readonly nRows: number
}

function share<A extends Int32Array | Float64Array>(a: A): A {
  const copy = new (a.constructor as new (b: SharedArrayBuffer) => A)(
    new SharedArrayBuffer(a.byteLength),
  )
  copy.set(a)
  return copy
}

function sharedModel(m: DenseKernelData): DenseKernelData {
  return {
    ...m,
    root: share(m.root),
    depth: share(m.depth),
    group: share(m.group),
    col: share(m.col),
    threshold: share(m.threshold),
    child: share(m.child),
    value: share(m.value),
    baseScore: share(m.baseScore),
    scale: share(m.scale),
  }
}

/**
 * Starts a pool predicting with `e` on `nThreads` threads (the caller and `nThreads − 1`
 * workers). Ensembles without the dense layout (categorical splits, infinite thresholds) run on
 * the calling thread.
 *
 * @example
 * ```ts
 * const pool = createPredictPool(e, { nThreads: 2 })
 * try { pool.predictRaw(X, nRows, out) } finally { pool.close() }
 * ```
 */
export function createPredictPool(e: TreeEnsemble, options: PredictPoolOptions = {}): PredictPool {
  const nThreads = Math.max(1, Math.floor(options.nThreads ?? 2))
  const dense = packEnsemble(e).dense
  if (dense === undefined || nThreads === 1 || e.nFeatures === 0) return serialPool(e)
  const model = sharedModel(dense)
  const control = new Int32Array(new SharedArrayBuffer(CTRL.size * 4))
  const scratchLength = denseBlockRows(e.nFeatures) * 2 * e.nFeatures
  const data: WorkerData = {
    kernel: denseKernel.toString(),
    model,
    control,
    cells: CTRL,
    chunkRows: CHUNK_ROWS,
    scratchLength,
  }
  const workers: Worker[] = []
  for (let i = 0; i < nThreads - 1; i++) {
    workers.push(
      spawnFunctionWorker(predictWorkerMain, data, {
        cells: control,
        increment: CTRL.failed,
        notify: CTRL.acked,
      }),
    )
  }
  const scratch = new Float64Array(scratchLength)
  let sharedX: Float32Array | Float64Array | undefined
  let sharedOut: Float64Array | undefined
  let closed = false

  const shareRows = (X: FeatureRows, n: number): FeatureRows => {
    if (X.buffer instanceof SharedArrayBuffer) return X
    if (X instanceof Float32Array) {
      if (!(sharedX instanceof Float32Array) || sharedX.length < n)
        sharedX = new Float32Array(new SharedArrayBuffer(n * 4))
      sharedX.set(X.subarray(0, n))
      return sharedX
    }
    if (!(sharedX instanceof Float64Array) || sharedX.length < n)
      sharedX = new Float64Array(new SharedArrayBuffer(n * 8))
    sharedX.set(X.subarray(0, n))
    return sharedX
  }

  return {
    get threads() {
      return closed ? 1 : nThreads
    },
    predictRaw(X, nRows, out) {
      if (closed || nRows < MIN_PARALLEL_ROWS) return predictRaw(e, X, nRows, out)
      checkBatch(e, X, nRows, out)
      const xs = shareRows(X, nRows * e.nFeatures)
      const nOut = nRows * e.nOutputs
      const direct = out.buffer instanceof SharedArrayBuffer
      if (!direct && (sharedOut === undefined || sharedOut.length < nOut))
        sharedOut = new Float64Array(new SharedArrayBuffer(nOut * 8))
      const os = direct ? out : sharedOut!
      Atomics.store(control, CTRL.next, 0)
      Atomics.store(control, CTRL.rowsDone, 0)
      Atomics.store(control, CTRL.acked, 0)
      const msg: CallMessage = { X: xs, out: os, nRows }
      for (const w of workers) w.postMessage(msg)
      for (;;) {
        const r0 = Atomics.add(control, CTRL.next, CHUNK_ROWS)
        if (r0 >= nRows) break
        const r1 = Math.min(nRows, r0 + CHUNK_ROWS)
        denseKernel(model, xs, r0, r1, os, scratch)
        Atomics.add(control, CTRL.rowsDone, r1 - r0)
      }
      const deadline = performance.now() + WORKER_WAIT_MS
      for (;;) {
        const done = Atomics.load(control, CTRL.rowsDone)
        const acked = Atomics.load(control, CTRL.acked)
        if (Atomics.load(control, CTRL.error) !== 0)
          throw new Error('a prediction worker failed; the pool is unusable')
        const failed = Atomics.load(control, CTRL.failed)
        if (done >= nRows && acked + failed >= workers.length) break
        const left = deadline - performance.now()
        if (left <= 0) throw new Error('prediction workers did not answer in time')
        Atomics.wait(control, CTRL.acked, acked, Math.min(left, 50))
      }
      if (!direct) out.set(os.subarray(0, nOut))
      return out
    },
    close() {
      if (closed) return
      closed = true
      for (const w of workers) void w.terminate()
    },
  }
}

function serialPool(e: TreeEnsemble): PredictPool {
  return {
    threads: 1,
    predictRaw: (X, nRows, out) => predictRaw(e, X, nRows, out),
    close: () => undefined,
  }
}

/**
 * The worker side: builds the kernel from its source text, then for each posted call claims
 * chunks until none are left and acknowledges the call.
 *
 * Self-contained: it runs from its source text (see `spawnFunctionWorker`).
 */
function predictWorkerMain(d: WorkerData): void {
  const wt = (
    globalThis as unknown as {
      require: (m: string) => {
        parentPort: { on(ev: 'message', f: (m: CallMessage) => void): void }
      }
    }
  ).require('node:worker_threads')
  // The kernel's own source text (a worker started from source cannot import it).
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function(`return (${d.kernel})`) as () => typeof denseKernel
  const kernel = make()
  const c = d.control
  const cells = d.cells
  const scratch = new Float64Array(d.scratchLength)
  wt.parentPort.on('message', (m) => {
    try {
      for (;;) {
        const r0 = Atomics.add(c, cells.next, d.chunkRows)
        if (r0 >= m.nRows) break
        const r1 = Math.min(m.nRows, r0 + d.chunkRows)
        kernel(d.model, m.X, r0, r1, m.out, scratch)
        Atomics.add(c, cells.rowsDone, r1 - r0)
      }
    } catch {
      Atomics.store(c, cells.error, 1)
    }
    Atomics.add(c, cells.acked, 1)
    Atomics.notify(c, cells.acked)
  })
}
