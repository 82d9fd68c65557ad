import { describe, expect, it } from 'vitest'

import { spawnFunctionWorker, spawnModuleWorker } from './worker.js'

function waitFor(cells: Int32Array, index: number, timeoutMs: number): number {
  const deadline = performance.now() + timeoutMs
  while (Atomics.load(cells, index) === 0 && performance.now() < deadline)
    Atomics.wait(cells, index, 0, deadline - performance.now())
  return Atomics.load(cells, index)
}

describe('spawnModuleWorker', () => {
  it('runs a .ts module through tsx when no .js file exists, while the parent blocks', () => {
    const cells = new Int32Array(new SharedArrayBuffer(8))
    spawnModuleWorker(new URL('../../../test/fixtures/ml/base/echo-worker.js', import.meta.url), {
      workerData: { cells, add: 7 },
    })
    expect(waitFor(cells, 0, 20_000)).toBe(7)
  })
  it('reports a module that fails to load through the failure cells', () => {
    const cells = new Int32Array(new SharedArrayBuffer(8))
    spawnModuleWorker(new URL('../../../test/fixtures/ml/base/echo-worker.js', import.meta.url), {
      workerData: { cells: 'not shared memory', add: 1 },
      failure: { cells, increment: 1, notify: 1 },
    })
    expect(waitFor(cells, 1, 20_000)).toBe(1)
  })
  it('emits the load error of an attached worker (no failure signal)', async () => {
    const worker = spawnModuleWorker(
      new URL('../../../test/fixtures/ml/base/echo-worker.js', import.meta.url),
      { workerData: { cells: 'not shared memory', add: 1 }, detached: false },
    )
    const error = await new Promise<unknown>((resolve) => worker.once('error', resolve))
    expect(error).toBeInstanceOf(TypeError)
  })
  it('throws for a module that does not exist', () => {
    expect(() =>
      spawnModuleWorker(new URL('./no-such-worker.js', import.meta.url), { workerData: {} }),
    ).toThrow(/worker module not found/)
  })
})

describe('spawnFunctionWorker', () => {
  it('runs a self-contained function on its workerData', () => {
    const cells = new Int32Array(new SharedArrayBuffer(8))
    spawnFunctionWorker(
      (d: { cells: Int32Array }) => {
        Atomics.store(d.cells, 0, 42)
        Atomics.notify(d.cells, 0)
      },
      { cells },
    )
    expect(waitFor(cells, 0, 10_000)).toBe(42)
  })
  it('signals failure when the function throws', () => {
    const cells = new Int32Array(new SharedArrayBuffer(8))
    spawnFunctionWorker(
      () => {
        throw new Error('boom')
      },
      {},
      { cells, increment: 1, notify: 1 },
    )
    expect(waitFor(cells, 1, 10_000)).toBe(1)
  })
})
