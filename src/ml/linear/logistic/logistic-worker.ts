/**
 * The worker side of {@link createLossEvaluator}: waits for a new generation, claims blocks of
 * rows, writes each block's loss and gradient to its slot, and exits when told to.
 *
 * This module is a worker entry point: importing it runs the loop on `workerData`. It imports
 * only the kernel, so a worker starts fast.
 *
 * @internal
 */
import { workerData } from 'node:worker_threads'

import {
  blockCount,
  blockLossGrad,
  partialLength,
  scratchLength,
  type LossData,
} from './logistic-kernel.js'
import type { LossWorkerData } from './loss-evaluator.js'

// Kept in step with CTRL in loss-evaluator.ts (importing it would pull node:os and the spawner
// into every worker).
const GEN = 0
const NEXT = 1
const DONE = 2
const EXIT = 3
const READY = 4
const SLOT = 5
const DEAD = 6
const COUNT = 7
const STRIDE = 3

function run(wd: LossWorkerData): void {
  const ctrl = new Int32Array(wd.ctrl)
  const params = new Float64Array(wd.params)
  const partial = new Float64Array(wd.partial)
  const data: LossData = {
    X: new Float64Array(wd.X),
    y: new Int32Array(wd.y),
    sw: new Float64Array(wd.sw),
    n: wd.n,
    p: wd.p,
    k: wd.k,
  }
  const nw = wd.k * (wd.p + 1)
  const W = params.subarray(0, nw)
  const nb = blockCount(wd.n)
  const len = partialLength(wd.p, wd.k)
  const scratch = new Float64Array(scratchLength(wd.k))
  const slot = SLOT + STRIDE * wd.index
  let seen = 0
  Atomics.add(ctrl, READY, 1)
  Atomics.notify(ctrl, READY)
  for (;;) {
    Atomics.wait(ctrl, GEN, seen)
    if (Atomics.load(ctrl, EXIT) !== 0) return
    seen = Atomics.load(ctrl, GEN)
    for (;;) {
      const b = Atomics.add(ctrl, NEXT, 1)
      if (b >= nb) break
      Atomics.store(ctrl, slot, b)
      try {
        blockLossGrad(data, W, params[nw]!, params[nw + 1] === 1, b, partial, b * len, scratch)
      } catch {
        // The main thread recomputes the claimed block (see recoverDead) and carries on alone.
        Atomics.store(ctrl, DEAD + STRIDE * wd.index, 1)
        return
      }
      Atomics.store(ctrl, slot, -1)
      Atomics.add(ctrl, COUNT + STRIDE * wd.index, 1)
      if (Atomics.add(ctrl, DONE, 1) + 1 === nb) Atomics.notify(ctrl, DONE)
    }
  }
}

run(workerData as LossWorkerData)
