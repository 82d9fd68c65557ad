/**
 * Starting `worker_threads` workers that behave the same whether Plinth runs from compiled
 * `dist/` JavaScript or from its TypeScript sources (vitest, tsx): from a module beside the
 * caller, or from the source text of one self-contained function (no module loading at all,
 * so the worker starts in a few milliseconds under every runner).
 *
 * @internal
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'

/** Where a worker that fails to load its module reports it (`Atomics.add` then `notify`). */
export interface StartupFailureSignal {
  readonly cells: Int32Array<SharedArrayBuffer>
  /** The cell incremented on failure. */
  readonly increment: number
  /** The cell notified afterwards (the one the parent waits on). */
  readonly notify: number
}

/** Options of {@link spawnModuleWorker}. */
export interface SpawnModuleWorkerOptions {
  /** Passed to the worker as `workerData` (structured clone; shared memory stays shared). */
  readonly workerData?: unknown
  /** Where to report a module that fails to load, so a parent blocked in `Atomics.wait` wakes. */
  readonly failure?: StartupFailureSignal
  /**
   * Whether the worker is `unref`ed (never keeps the process alive) with its `error` event
   * swallowed: for helpers the caller can do without, who learn of failures through `failure`
   * or a timeout. A pool the caller awaits (messages, `error` and `exit` events) passes `false`.
   *
   * @default true
   */
  readonly detached?: boolean
}

/**
 * The URL of tsx's ESM API (the `import` target of `tsx/esm/api`), resolved from this module so
 * the result does not depend on the working directory.
 */
function tsxApiUrl(): string {
  const tsxPackage = pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'))
  return new URL('./dist/esm/api/index.mjs', tsxPackage).href
}

/**
 * Starts a worker running the module at `jsUrl` (a `.js` URL resolved against the caller's
 * `import.meta.url`). If that file does not exist but the `.ts` file beside it does (a
 * TypeScript checkout), the worker first registers tsx's loader, then imports the `.ts` source.
 *
 * Both cases boot through a small `eval` script that imports the module, so with `failure` a load
 * failure is reported through shared memory instead of only as an asynchronous `error` event (a
 * parent that waits synchronously would never see that event).
 *
 * BAD: `new Worker(tsUrl, { execArgv: ['--import', 'tsx'] })`: on Node 20 the worker ignores
 * hooks registered by `--import`, and fails with "Unknown file extension .ts".
 * GOOD: import tsx's API inside the worker, `register()` its loader, then import the module.
 *
 * @throws Error if neither the `.js` nor the `.ts` file exists.
 * @example
 * ```ts
 * const w = spawnModuleWorker(new URL('./kmeans-worker.js', import.meta.url), { workerData })
 * ```
 */
export function spawnModuleWorker(jsUrl: URL, options: SpawnModuleWorkerOptions = {}): Worker {
  const tsUrl = new URL(jsUrl.href.replace(/\.js$/, '.ts'))
  let load: string
  if (existsSync(fileURLToPath(jsUrl))) {
    load = `import(${JSON.stringify(jsUrl.href)})`
  } else if (existsSync(fileURLToPath(tsUrl))) {
    const api = JSON.stringify(tsxApiUrl())
    load = `import(${api}).then((m) => { m.register(); return import(${JSON.stringify(tsUrl.href)}) })`
  } else {
    throw new Error(`worker module not found: ${fileURLToPath(jsUrl)} (nor its .ts source)`)
  }
  const f = options.failure
  // Without a failure signal the rejection is left unhandled: the worker then emits `error`
  // with the cause and exits.
  const boot =
    f === undefined
      ? load
      : `${load}.catch(() => { const c = require('node:worker_threads').workerData.__startupCells;` +
        ` Atomics.add(c, ${f.increment}, 1); Atomics.notify(c, ${f.notify}); process.exit(1) })`
  const workerData =
    f === undefined
      ? options.workerData
      : { ...(options.workerData as object), __startupCells: f.cells }
  const worker = new Worker(boot, { eval: true, workerData })
  if (options.detached !== false) detach(worker)
  return worker
}

/**
 * Starts a worker that runs `main(workerData)` from the function's source text (`eval`).
 *
 * `main` must be self-contained: it may use only its argument and globals (`Atomics`,
 * `WebAssembly`, …), never imports, closures or module-level helpers, since only its text
 * reaches the worker. In return the worker starts without loading any module (about 30 ms, where
 * loading TypeScript sources through tsx costs a few hundred), and the same code runs under
 * `dist/`, tsx and vitest. If `main` throws, `failure` is signalled as for
 * {@link spawnModuleWorker}.
 *
 * The worker is `unref`ed and its `error` event swallowed.
 */
export function spawnFunctionWorker<D extends object>(
  main: (data: D) => void,
  workerData: D,
  failure?: StartupFailureSignal,
): Worker {
  const signal =
    failure === undefined
      ? ''
      : `const c = d.__startupCells; Atomics.add(c, ${failure.increment}, 1);` +
        ` Atomics.notify(c, ${failure.notify});`
  const code =
    `const d = require('node:worker_threads').workerData;` +
    ` try { (${main.toString()})(d) } catch (e) { ${signal} process.exit(1) }`
  const data = failure === undefined ? workerData : { ...workerData, __startupCells: failure.cells }
  const worker = new Worker(code, { eval: true, workerData: data })
  detach(worker)
  return worker
}

function detach(worker: Worker): void {
  worker.on('error', () => undefined)
  worker.unref()
}
