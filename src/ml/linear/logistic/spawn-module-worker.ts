/**
 * Starting a `worker_threads` worker from a module of this package, whether Plinth runs compiled
 * (`dist/**.js`) or from its TypeScript sources (vitest, `node --import tsx`).
 *
 * Compiled, the worker is the `.js` file next to the caller. From source there is no `.js`
 * file, and Node 20 cannot hand a `.ts` entry to a worker through `--import tsx`: the ESM loader
 * hooks do not reach the worker, and a worker waiting on loader hooks deadlocks while the
 * spawning thread blocks in `Atomics.wait` (which a synchronous `fit` does). So from source the
 * worker instead runs a tiny CommonJS bootstrap that installs tsx's in-thread `require` hook
 * (`tsx/cjs/api`) and requires the `.ts` file: synchronous, thread-local, no loader thread.
 *
 * @internal Belongs in `ml/base` once a second estimator uses workers.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

/** Whether this module (and so the whole package) is running from `.ts` sources. */
const FROM_SOURCE = import.meta.url.endsWith('.ts')

/**
 * Starts the worker module `jsUrl` (the compiled name, `new URL('./x-worker.js',
 * import.meta.url)`), or its `.ts` source when running from sources. Returns `undefined` when
 * no worker can be started (no `tsx` to run the source, or the platform refuses a thread); the
 * caller then does the work itself.
 *
 * The worker is `unref`'d (it never keeps the process alive) and its `error` events are
 * swallowed after being passed to `onError`: a worker that fails must not crash the process,
 * since callers are built to finish the work without it.
 *
 * @example
 * ```ts
 * const w = spawnModuleWorker(new URL('./logistic-worker.js', import.meta.url), { data })
 * ```
 */
export function spawnModuleWorker(
  jsUrl: URL,
  workerData: unknown,
  onError?: (err: unknown) => void,
): Worker | undefined {
  let worker: Worker
  try {
    if (!FROM_SOURCE) {
      worker = new Worker(jsUrl, { workerData, execArgv: [] })
    } else {
      const tsFile = fileURLToPath(jsUrl).replace(/\.js$/, '.ts')
      let tsxApi: string
      try {
        tsxApi = createRequire(import.meta.url).resolve('tsx/cjs/api')
      } catch {
        return undefined
      }
      const bootstrap = `require(${JSON.stringify(tsxApi)}).register();require(${JSON.stringify(tsFile)})`
      worker = new Worker(bootstrap, { eval: true, workerData, execArgv: [] })
    }
  } catch (err) {
    onError?.(err)
    return undefined
  }
  worker.on('error', (err) => onError?.(err))
  worker.unref()
  return worker
}
