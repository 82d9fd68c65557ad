import { describe, expect, it } from 'vitest'

import { F64, FuncBuilder, I32, encodeModule, op, wasmApi } from './wasm.js'

describe('the WebAssembly assembler', () => {
  const api = wasmApi()
  it.skipIf(api === undefined)('builds a module whose loops and memory ops run', () => {
    // sum(i32 ptr, i32 bytes) -> f64: Σ f64 values in [ptr, ptr + bytes), with large offsets
    // and negative constants to exercise both LEB128 encoders.
    const f = new FuncBuilder('sum', [I32, I32], F64)
    const i = f.local(I32)
    const s = f.local(F64)
    f.emit(op.f64(0), op.set(s), op.i32(-1000), op.i32(1000), op.i32Add, op.set(i))
    f.forSteps(i, 1, 8, () => {
      f.emit(op.get(s), op.get(0), op.get(i), op.i32Add, op.f64Load(), op.f64Add, op.set(s))
    })
    f.emit(op.get(s))
    const module = new api!.Module(encodeModule([f], { name: 'mem', minPages: 1 }))
    const memory = new api!.Memory({ initial: 1 })
    const sum = new api!.Instance(module, { env: { mem: memory } }).exports['sum'] as (
      p: number,
      n: number,
    ) => number
    const view = new Float64Array(memory.buffer)
    view.set([1.5, 2.25, -4, 1e300], 200)
    expect(sum(1600, 32)).toBe(1.5 + 2.25 - 4 + 1e300)
    expect(sum(1600, 0)).toBe(0)
  })
  it.skipIf(api === undefined)('imports a shared memory with a maximum', () => {
    const f = new FuncBuilder('store', [I32])
    f.emit(op.get(0), op.i32(300), op.i32Store())
    const bytes = encodeModule([f], { name: 'memory', minPages: 1, maxPages: 65536, shared: true })
    const memory = new api!.Memory({ initial: 2, maximum: 2, shared: true })
    const exports = new api!.Instance(new api!.Module(bytes), { env: { memory } }).exports
    ;(exports['store'] as (p: number) => void)(70_000)
    expect(new Int32Array(memory.buffer)[17_500]).toBe(300)
  })
  it('rejects a shared memory without a maximum', () => {
    expect(() => encodeModule([], { name: 'm', minPages: 1, shared: true })).toThrow(/maxPages/)
  })
})
