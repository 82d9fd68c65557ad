/**
 * Starting a `worker_threads` worker on a module beside this one, the same way under compiled
 * `dist/` JavaScript and under the TypeScript sources (vitest, tsx).
 *
 * TODO(ml-base): the same helper exists in `ml/cluster/spawn-worker.ts`; move one copy to
 * `ml/base`.
 *
 * @internal
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

/**
 * Starts a worker running the module at `jsUrl`; if only the `.ts` source beside it exists, the
 * worker loads it through tsx (a development checkout). Returns `undefined` if neither exists.
 *
 * The worker boots through a small `eval` script, so a module that fails to load stores 1 in
 * `failure[failureCell]` and notifies it: a parent blocked in `Atomics.wait` would never see
 * the asynchronous `error` event. The worker is `unref`ed and its `error` event swallowed; the
 * parent learns of failures through `failure` only.
 *
 * BAD: `new Worker(tsUrl, { execArgv: ['--import', 'tsx'] })`: on Node 20 a worker ignores hooks
 * registered by `--import` and fails with "Unknown file extension .ts".
 * GOOD: import tsx's `tsImport` inside the worker and load the `.ts` module with it.
 */
export function spawnModuleWorker(
  jsUrl: URL,
  workerData: object,
  failure: Int32Array,
  failureCell: number,
): Worker | undefined {
  const tsUrl = new URL(jsUrl.href.replace(/\.js$/, '.ts'))
  let load: string
  if (existsSync(fileURLToPath(jsUrl))) {
    load = `import(${JSON.stringify(jsUrl.href)})`
  } else if (existsSync(fileURLToPath(tsUrl))) {
    const href = JSON.stringify(tsUrl.href)
    // Resolved from the working directory, where a TypeScript checkout has its node_modules.
    load = `import('tsx/esm/api').then((m) => m.tsImport(${href}, ${href}))`
  } else {
    return undefined
  }
  const onFail =
    `() => { const c = require('node:worker_threads').workerData.__failure;` +
    ` Atomics.store(c, ${failureCell}, 1); Atomics.notify(c, ${failureCell}); }`
  const worker = new Worker(`${load}.catch(${onFail})`, {
    eval: true,
    workerData: { ...workerData, __failure: failure },
  })
  worker.on('error', () => undefined)
  worker.unref()
  return worker
}
