/**
 * A pool of worker threads that fit and score estimators on data shared once per pool.
 */
import { availableParallelism } from 'node:os'
import type { Worker } from 'node:worker_threads'

import { CancelledError, ValidationError } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import {
  spawnModuleWorker,
  type EstimatorSpec,
  type ModelState,
  type Progress,
} from '../base/index.js'

import type {
  FitRequest,
  IdentifiedRequest,
  InitMessage,
  TrialRequest,
  WorkRequest,
  WorkerReply,
} from './protocol.js'
import type { Fold } from './splitter.js'
import { fromErrorPayload, shareColumn, shareFrame } from './transfer.js'
import type { TrialResult } from './trial.js'

/**
 * The number of workers for an `nJobs` option: the default is `min(2, availableParallelism())`,
 * `-1` means one per available core (sklearn's `n_jobs=-1`).
 *
 * @throws ValidationError unless `nJobs` is a positive integer or -1.
 */
export function resolveJobs(nJobs: number | undefined): number {
  if (nJobs === undefined) return Math.max(1, Math.min(2, availableParallelism()))
  if (nJobs === -1) return Math.max(1, availableParallelism())
  if (!Number.isInteger(nJobs) || nJobs < 1) {
    throw new ValidationError(`nJobs must be a positive integer or -1, got ${nJobs}`, [
      {
        path: ['nJobs'],
        code: 'invalid_value',
        message: 'expected an integer ≥ 1, or -1 for every core',
      },
    ])
  }
  return nJobs
}

/** The rows and folds every worker of a pool shares. */
export interface PoolData {
  readonly X: Frame
  readonly y?: Column
  readonly folds?: readonly Fold[]
}

interface Task {
  readonly request: IdentifiedRequest
  readonly resolve: (v: TrialResult | ModelState) => void
  readonly reject: (e: Error) => void
  readonly onProgress?: ((p: Progress) => void) | undefined
}

interface Slot {
  readonly worker: Worker
  task: Task | undefined
}

/**
 * Up to `size` worker threads, spawned on demand. The frame, target and folds are copied once
 * into shared memory and sent to each worker when it starts; requests then carry only the
 * estimator spec and a fold number. Requests queue and run in submission order as workers
 * free up. {@link WorkerPool.terminate} stops every worker (a running fit included) and
 * rejects whatever has not finished.
 */
export class WorkerPool {
  readonly #size: number
  readonly #init: InitMessage
  readonly #slots: Slot[] = []
  readonly #queue: Task[] = []
  #nextId = 0
  #dead: Error | undefined

  constructor(size: number, data: PoolData) {
    this.#size = Math.max(1, size)
    this.#init = {
      type: 'init',
      X: shareFrame(data.X),
      ...(data.y === undefined ? {} : { y: shareColumn(data.y) }),
      folds: (data.folds ?? []).map((f) => ({
        train: sharedIndex(f.train),
        test: sharedIndex(f.test),
      })),
    }
  }

  /** Fits and scores `estimator` on fold `fold` in a worker. */
  trial(
    estimator: EstimatorSpec,
    fold: number,
    settings: TrialRequest['settings'],
    trainSize?: number,
  ): Promise<TrialResult> {
    const req: TrialRequest = {
      type: 'trial',
      estimator,
      fold,
      settings,
      ...(trainSize === undefined ? {} : { trainSize }),
    }
    return this.#submit(req) as Promise<TrialResult>
  }

  /** Fits `estimator` on all rows in a worker and returns the model's state. */
  fit(estimator: EstimatorSpec, onProgress?: (p: Progress) => void): Promise<ModelState> {
    const req: FitRequest = { type: 'fit', estimator, progress: onProgress !== undefined }
    return this.#submit(req, onProgress) as Promise<ModelState>
  }

  /**
   * Stops every worker and rejects every unfinished request with `reason` (a `CancelledError`
   * by default). Idempotent.
   */
  async terminate(reason: Error = new CancelledError()): Promise<void> {
    if (this.#dead === undefined) this.#dead = reason
    const pending = [
      ...this.#queue,
      ...this.#slots.flatMap((s) => (s.task === undefined ? [] : [s.task])),
    ]
    this.#queue.length = 0
    for (const s of this.#slots) s.task = undefined
    for (const t of pending) t.reject(this.#dead)
    await Promise.all(this.#slots.map((s) => s.worker.terminate()))
  }

  #submit(req: WorkRequest, onProgress?: (p: Progress) => void): Promise<TrialResult | ModelState> {
    if (this.#dead !== undefined) return Promise.reject(this.#dead)
    return new Promise((resolve, reject) => {
      this.#queue.push({ request: { ...req, id: this.#nextId++ }, resolve, reject, onProgress })
      this.#dispatch()
    })
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => s.task === undefined)
      if (slot === undefined) {
        if (this.#slots.length >= this.#size) return
        slot = this.#spawn()
      }
      const task = this.#queue.shift()!
      slot.task = task
      slot.worker.postMessage(task.request)
    }
  }

  #spawn(): Slot {
    // Attached: the pool awaits its replies, and its `error`/`exit` events take the pool down.
    const worker = spawnModuleWorker(new URL('./trial-worker.js', import.meta.url), {
      detached: false,
    })
    const slot: Slot = { worker, task: undefined }
    worker.on('message', (reply: WorkerReply) => {
      const task = slot.task
      if (task?.request.id !== reply.id) return
      switch (reply.type) {
        case 'progress':
          task.onProgress?.(reply.progress)
          return
        case 'trial':
          this.#finish(slot, () => {
            task.resolve(reply.result)
          })
          return
        case 'fit':
          this.#finish(slot, () => {
            task.resolve(reply.state)
          })
          return
        case 'error':
          this.#finish(slot, () => {
            task.reject(fromErrorPayload(reply.error))
          })
          return
      }
    })
    // A worker that crashes or exits on its own takes the pool down: its fit is lost, and
    // the cause (a failed import, out of memory) would hit every other worker too.
    worker.on('error', (err: Error) => void this.terminate(err))
    worker.on('exit', (code) => {
      if (this.#dead === undefined)
        void this.terminate(new Error(`a model-selection worker exited with code ${code}`))
    })
    worker.postMessage(this.#init)
    this.#slots.push(slot)
    return slot
  }

  #finish(slot: Slot, settle: () => void): void {
    slot.task = undefined
    settle()
    this.#dispatch()
  }
}

function sharedIndex(a: Int32Array): Int32Array {
  const out = new Int32Array(new SharedArrayBuffer(a.byteLength))
  out.set(a)
  return out
}

/**
 * Runs `work` with a pool that is terminated when the work settles or `signal` fires (the
 * work then rejects with `CancelledError`).
 */
export async function withPool<T>(
  size: number,
  data: PoolData,
  signal: AbortSignal | undefined,
  work: (pool: WorkerPool) => Promise<T>,
): Promise<T> {
  if (signal?.aborted === true)
    throw new CancelledError('the operation was cancelled', {}, { cause: signal.reason })
  const pool = new WorkerPool(size, data)
  const onAbort = (): void => {
    void pool.terminate(
      new CancelledError('the operation was cancelled', {}, { cause: signal?.reason }),
    )
  }
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    return await work(pool)
  } finally {
    signal?.removeEventListener('abort', onAbort)
    await pool.terminate()
  }
}
