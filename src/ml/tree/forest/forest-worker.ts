/**
 * The worker side of {@link trainForest}: receives the job and a message port, then claims trees
 * with an atomic counter until none are left, posting each grown tree on the port before
 * counting it done.
 *
 * This module is a worker entry point: importing it runs the loop. It imports only the tree
 * learner, so a worker starts fast.
 *
 * @internal
 */
import { parentPort, type MessagePort } from 'node:worker_threads'

import { buildForestTree, type ForestJob } from './tree-job.js'

// Kept in step with CTRL in train.ts (importing it would pull the spawner into every worker).
const NEXT = 0
const DONE = 1
const STOP = 2

/** What the parent posts once the data is ready. */
interface StartMessage {
  readonly port: MessagePort
  readonly ctrl: Int32Array
  readonly job: ForestJob
}

function run({ port, ctrl, job }: StartMessage): void {
  const nTrees = job.seeds.length
  for (;;) {
    if (Atomics.load(ctrl, STOP) !== 0) break
    const t = Atomics.add(ctrl, NEXT, 1)
    if (t >= nTrees) break
    try {
      const g = buildForestTree(job, t)
      const tr = g.tree
      port.postMessage({ t, grown: g }, [
        tr.feature.buffer,
        tr.threshold.buffer,
        tr.left.buffer,
        tr.right.buffer,
        tr.missingLeft.buffer,
        tr.value.buffer,
        tr.cover.buffer,
        tr.gain.buffer,
        g.importance.buffer,
      ] as ArrayBuffer[])
    } catch (err) {
      // The parent builds the tree itself.
      port.postMessage({ t, error: err instanceof Error ? err.message : String(err) })
    }
    Atomics.add(ctrl, DONE, 1)
    Atomics.notify(ctrl, DONE)
  }
  port.close()
  parentPort?.close()
}

parentPort?.once('message', (m: StartMessage) => {
  run(m)
})
