/**
 * The worker side of {@link createBlockPool}: instantiates the kernel module on the shared
 * memory, registers, then runs commands until told to exit. Started by `spawnModuleWorker`.
 *
 * @internal
 */
import { workerData } from 'node:worker_threads'

import { CTRL, KERNEL_BY_ID } from './block-pool.js'
import type { KernelName } from './kmeans-kernels.js'
import { wasmApi, type WasmMemory, type WasmModule } from './wasm-asm.js'

interface PoolWorkerData {
  readonly memory: WasmMemory
  readonly module: WasmModule
  readonly control: Int32Array<SharedArrayBuffer>
  readonly args: Float64Array<SharedArrayBuffer>
}

type KernelFn = (b: number, ...args: number[]) => void

function register(control: Int32Array): boolean {
  for (;;) {
    const r = Atomics.load(control, CTRL.ready)
    if (r < 0) return false
    if (Atomics.compareExchange(control, CTRL.ready, r, r + 1) === r) {
      Atomics.notify(control, CTRL.ready)
      return true
    }
  }
}

function serve(data: PoolWorkerData): void {
  const { memory, module, control, args } = data
  const api = wasmApi()
  if (api === undefined) return
  const instance = new api.Instance(module, { env: { memory } })
  const fns = instance.exports as unknown as Record<KernelName, KernelFn>
  if (!register(control)) return
  // Commands are numbered from 1, and the pool starts command g + 1 only after every
  // participant finished command g, so waiting on the last seen number never misses one.
  let seen = 0
  for (;;) {
    Atomics.wait(control, CTRL.gen, seen)
    seen = Atomics.load(control, CTRL.gen)
    const id = Atomics.load(control, CTRL.kernel)
    if (id < 0) return
    const fn = fns[KERNEL_BY_ID[id]!]
    const nBlocks = Atomics.load(control, CTRL.nBlocks)
    const a = Array.from(args.subarray(0, Atomics.load(control, CTRL.nArgs)))
    try {
      for (;;) {
        const b = Atomics.add(control, CTRL.next, 1)
        if (b >= nBlocks) break
        fn(b, ...a)
      }
    } catch {
      Atomics.store(control, CTRL.error, 1)
    }
    Atomics.add(control, CTRL.finished, 1)
    Atomics.notify(control, CTRL.finished)
  }
}

serve(workerData as PoolWorkerData)
