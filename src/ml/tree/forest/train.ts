/**
 * Grows the trees of a forest on the calling thread, together with worker threads when
 * `nJobs > 1`.
 *
 * ## Method
 * Workers are started before the training data is prepared, so their start-up overlaps it. The
 * data then lives on `SharedArrayBuffer`s and is posted to each worker once, with a message port
 * and a shared control array. Every thread, the calling one included, claims tree indices with
 * `Atomics.add` until none are left; a worker posts each grown tree on its port (the buffers
 * transferred, not copied) before counting it done, so the caller, blocked in `Atomics.wait`
 * (a synchronous `fit`), collects them with `receiveMessageOnPort`. A tree depends only on its
 * own seed ({@link buildForestTree}), so the forest is identical for any `nJobs` and any claim
 * order; a worker that is slow to start just claims fewer trees, and a tree a worker failed to
 * build is built by the caller.
 *
 * @internal
 */
import { availableParallelism } from 'node:os'
import {
  MessageChannel,
  receiveMessageOnPort,
  type MessagePort,
  type Worker,
} from 'node:worker_threads'

import { fitStep, spawnModuleWorker, type FitOptions } from '../../base/index.js'
import type { GrownTree } from '../cart/index.js'

import { buildForestTree, type ForestJob } from './tree-job.js'

/** Control cells (mirrored in forest-worker.ts). */
const CTRL = { next: 0, done: 1, stop: 2, failed: 3, size: 4 } as const

/** Threads to use for `nTrees` trees: `nJobs` (-1: every core), at most one per tree. */
export function resolveJobs(nJobs: number, nTrees: number): number {
  const want = nJobs === -1 ? availableParallelism() : nJobs
  return Math.max(1, Math.min(want, nTrees))
}

/** Workers started ahead of the data; pass them to {@link trainForest}. */
export interface ForestWorkers {
  readonly workers: readonly Worker[]
  readonly ctrl: Int32Array
}

/** Starts `nJobs − 1` forest workers (none fail the fit: the caller builds what they do not). */
export function startForestWorkers(nJobs: number): ForestWorkers {
  const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.size * 4))
  const workers: Worker[] = []
  for (let w = 0; w < nJobs - 1; w++) {
    try {
      workers.push(
        spawnModuleWorker(new URL('./forest-worker.js', import.meta.url), {
          failure: { cells: ctrl, increment: CTRL.failed, notify: CTRL.done },
        }),
      )
    } catch {
      break
    }
  }
  return { workers, ctrl }
}

/** What {@link trainForest} returns. */
export interface TrainedForest {
  readonly trees: readonly GrownTree[]
  /** Threads that built at least one tree. */
  readonly nThreads: number
}

interface TreeMessage {
  readonly t: number
  readonly grown?: GrownTree
  readonly error?: string
}

/**
 * Builds every tree of `job` (one per seed). `pool` must come from
 * {@link startForestWorkers}; its workers are stopped before this returns.
 *
 * @throws CancelledError if `opts.signal` fires (checked between trees).
 */
export function trainForest(
  job: ForestJob,
  pool: ForestWorkers,
  opts?: FitOptions,
  /** Whether the calling thread grows trees too (false: only once every worker failed; tests). */
  callerBuilds = true,
): TrainedForest {
  const nTrees = job.seeds.length
  const { ctrl, workers } = pool
  const results: (GrownTree | undefined)[] = new Array<GrownTree | undefined>(nTrees)
  const ports: MessagePort[] = []
  const byWorker = new Int32Array(workers.length)
  let byCaller = 0
  let done = 0
  const progress = (): void => {
    fitStep(opts, { stage: 'trees', step: done, total: nTrees })
  }
  const drain = (): void => {
    ports.forEach((port, w) => {
      for (;;) {
        const m = receiveMessageOnPort(port) as { message: TreeMessage } | undefined
        if (m === undefined) break
        const { t, grown } = m.message
        if (grown !== undefined) {
          results[t] = grown
          byWorker[w]!++
          done++
          progress()
        }
      }
    })
  }
  try {
    for (const w of workers) {
      const { port1, port2 } = new MessageChannel()
      ports.push(port1)
      w.postMessage({ port: port2, ctrl, job }, [port2])
    }
    const claim = (): void => {
      for (;;) {
        progress()
        const t = Atomics.add(ctrl, CTRL.next, 1)
        if (t >= nTrees) break
        results[t] = buildForestTree(job, t)
        byCaller++
        done++
        Atomics.add(ctrl, CTRL.done, 1)
        drain()
      }
    }
    if (callerBuilds || workers.length === 0) claim()
    for (;;) {
      drain()
      const d = Atomics.load(ctrl, CTRL.done)
      if (d >= nTrees) break
      if (Atomics.load(ctrl, CTRL.failed) >= workers.length) claim()
      else Atomics.wait(ctrl, CTRL.done, d, 50)
      progress()
    }
    // Every tree is counted done; a worker posts before counting, so its message is queued.
    drain()
    for (let t = 0; t < nTrees; t++) {
      if (results[t] === undefined) {
        results[t] = buildForestTree(job, t)
        byCaller++
      }
    }
  } finally {
    Atomics.store(ctrl, CTRL.stop, 1)
    for (const p of ports) p.close()
    for (const w of workers) void w.terminate().catch(() => undefined)
  }
  let nThreads = byCaller > 0 ? 1 : 0
  for (let w = 0; w < workers.length; w++) if (byWorker[w]! > 0) nThreads++
  return { trees: results as GrownTree[], nThreads }
}
