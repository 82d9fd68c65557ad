/**
 * Batch neighbour queries on two threads: the calling thread and one `worker_threads` worker
 * share the index (shared memory) and take chunks of query rows from a shared counter until
 * none are left. `predict` stays synchronous: the caller blocks in `Atomics.wait` only for the
 * chunk the worker is finishing.
 *
 * Measured on 10k training × 20k query rows × 28 features (brute force, compiled JavaScript,
 * two cores): 0.88–0.94 s on one thread, 0.49–0.55 s on two (1.7×) when the second core is
 * free, for 6–12% more CPU time (so about that much slower when it is not). Small batches stay
 * on the calling thread (starting a worker costs tens of milliseconds).
 */
import type { Worker } from 'node:worker_threads'

import type { Neighbors, NeighborSearch, RangeQuery, SearchPlan } from './search.js'
import { spawnModuleWorker } from '../base/index.js'

/** Control cells (an `Int32Array` over a `SharedArrayBuffer`). */
const NEXT = 0 // the next chunk to claim
const INFLIGHT = 1 // chunks the worker has claimed and not finished
const FAILED = 2 // 1 if the worker failed (to load, or in a chunk)
const WORKER_CHUNK = 3 // the chunk the worker is on
const WORKER_DONE = 4 // chunks the worker answered
const CELLS = 5

/** Query rows per claimed chunk. */
const CHUNK = 256
/** Below this much work (query rows × training rows × features, brute force) one thread answers. */
const MIN_BRUTE_WORK = 1e9
/**
 * KD-tree batches of at least this many rows use a worker: a query costs from a few to a few
 * hundred microseconds (more with more features), so this many take at least about the 30-50
 * ms a worker needs to start.
 */
const MIN_KD_ROWS = 8192
/** A worker that holds a chunk this long is presumed dead; its chunk is redone here. */
const STALL_MS = 120_000

/** What the worker receives (`workerData`): the index plan and the shared query and outputs. */
export interface QueryJob {
  readonly plan: SearchPlan
  readonly queries: Float64Array
  readonly m: number
  readonly k: number
  readonly distances: Float64Array
  readonly indices: Int32Array
  readonly control: Int32Array<SharedArrayBuffer>
  readonly nChunks: number
}

/**
 * Claims chunks of `job` until none are left, answering each with `query`. The worker passes
 * `worker = true`: it counts its chunk in flight, so the caller knows what to wait for, and
 * reports an exception through the control cells instead of throwing.
 */
export function runChunks(job: QueryJob, query: RangeQuery, worker: boolean): void {
  const { control, nChunks, m, queries, distances, indices } = job
  for (;;) {
    if (worker) Atomics.add(control, INFLIGHT, 1)
    try {
      const b = Atomics.add(control, NEXT, 1)
      if (b >= nChunks) {
        if (worker) release(control)
        return
      }
      if (worker) Atomics.store(control, WORKER_CHUNK, b)
      query(queries, b * CHUNK, Math.min(m, (b + 1) * CHUNK), distances, indices)
      if (worker) Atomics.add(control, WORKER_DONE, 1)
    } catch (err) {
      if (!worker) throw err
      reportFailure(control)
      release(control)
      return
    }
    if (worker) release(control)
  }
}

/** Flags a worker failure (the caller redoes the worker's chunk, if it had one). */
export function reportFailure(control: Int32Array): void {
  Atomics.store(control, FAILED, 1)
  Atomics.notify(control, INFLIGHT)
}

function release(control: Int32Array): void {
  Atomics.sub(control, INFLIGHT, 1)
  Atomics.notify(control, INFLIGHT)
}

/** Whether a batch is worth a worker (`force`: whenever the index is shared). */
function worthParallel(search: NeighborSearch, m: number, force: boolean): boolean {
  const { plan } = search
  if (!plan.shared || m < 2 * CHUNK) return false
  if (force) return true
  if (plan.algorithm === 'kd_tree') return m >= MIN_KD_ROWS
  return m * plan.n * plan.d >= MIN_BRUTE_WORK
}

/** Options of {@link queryParallel} (tests). */
export interface QueryParallelOptions {
  /** Use a worker for any batch of at least two chunks, however little work it is. */
  readonly force?: boolean
  /** Leave every chunk to the worker (this thread answers only if the worker fails). */
  readonly workerOnly?: boolean
  /** Receives how many chunks the worker answered. */
  readonly stats?: { workerChunks: number }
}

/**
 * The `k` nearest training rows of `m` row-major query rows, on two threads when the batch is
 * large enough and the index lives in shared memory, else on this one. The results are the
 * same bits either way.
 */
export function queryParallel(
  search: NeighborSearch,
  queries: Float64Array,
  m: number,
  k: number,
  options: QueryParallelOptions = {},
): Neighbors {
  if (!worthParallel(search, m, options.force === true)) return search.query(queries, m, k)
  const d = search.d
  const shared = new Float64Array(new SharedArrayBuffer(m * d * 8))
  shared.set(queries.subarray(0, m * d))
  const job: QueryJob = {
    plan: search.plan,
    queries: shared,
    m,
    k,
    distances: new Float64Array(new SharedArrayBuffer(m * k * 8)),
    indices: new Int32Array(new SharedArrayBuffer(m * k * 4)),
    control: new Int32Array(new SharedArrayBuffer(CELLS * 4)),
    nChunks: Math.ceil(m / CHUNK),
  }
  const { control } = job
  control[WORKER_CHUNK] = -1
  const worker = startWorker(job)
  const query = search.rangeQuery(k, 0)
  if (worker !== undefined && options.workerOnly === true) waitForWorker(job)
  runChunks(job, query, false)
  if (worker !== undefined) {
    for (;;) {
      const v = Atomics.load(control, INFLIGHT)
      if (v === 0) break
      if (Atomics.wait(control, INFLIGHT, v, STALL_MS) === 'timed-out') {
        if (Atomics.load(control, INFLIGHT) === v) {
          redo(job, query)
          break
        }
      }
    }
    if (Atomics.load(control, FAILED) !== 0) redo(job, query)
    void worker.terminate()
  }
  if (options.stats !== undefined) options.stats.workerChunks = Atomics.load(control, WORKER_DONE)
  // Plain (unshared) copies for the caller.
  return { distances: job.distances.slice(), indices: job.indices.slice() }
}

/** Blocks until the worker has claimed every chunk, or failed. */
function waitForWorker(job: QueryJob): void {
  const { control, nChunks } = job
  while (Atomics.load(control, FAILED) === 0 && Atomics.load(control, NEXT) < nChunks) {
    Atomics.wait(control, INFLIGHT, Atomics.load(control, INFLIGHT), 50)
  }
}

/** Answers the worker's last chunk here (it failed or stalled; the answer is deterministic). */
function redo(job: QueryJob, query: RangeQuery): void {
  const b = Atomics.load(job.control, WORKER_CHUNK)
  if (b < 0) return
  query(job.queries, b * CHUNK, Math.min(job.m, (b + 1) * CHUNK), job.distances, job.indices)
}

/** The query worker, or `undefined` (one thread answers) when its module is not there. */
function startWorker(job: { readonly control: Int32Array<SharedArrayBuffer> }): Worker | undefined {
  try {
    return spawnModuleWorker(new URL('./query-worker.js', import.meta.url), {
      workerData: job,
      failure: { cells: job.control, increment: FAILED, notify: FAILED },
    })
  } catch {
    return undefined
  }
}
