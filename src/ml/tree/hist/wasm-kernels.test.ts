import { describe, expect, it } from 'vitest'

import { createRng } from '../../../core/index.js'
import { wasmApi } from '../../base/index.js'

import { FEATURE_DOUBLES, histKernel } from './kernels.js'
import { gatherBufferBytes, histWasmModule, type WasmHistKernel } from './wasm-kernels.js'

describe('WebAssembly histogram kernels', () => {
  for (const nFeatures of [1, 5, 28, 31]) {
    it(`give the JavaScript kernels' sums bit for bit (${nFeatures} features; contiguous, indexed, gathered)`, () => {
      const api = wasmApi()
      const module = histWasmModule(nFeatures)
      if (api === undefined || module === null) return
      const n = 3001
      const words = (nFeatures + 3) >>> 2
      const histDoubles = nFeatures * FEATURE_DOUBLES
      const at = { bins: 0, grad: 0, hess: 0, rows: 0, hist: 0, buf: 0 }
      let end = 0
      const take = (bytes: number): number => {
        const o = end
        end += Math.ceil(bytes / 16) * 16
        return o
      }
      at.bins = take(n * words * 4)
      at.grad = take(n * 4)
      at.hess = take(n * 4)
      at.rows = take(n * 4)
      at.hist = take(histDoubles * 8)
      at.buf = take(gatherBufferBytes(nFeatures))
      const pages = Math.ceil(end / 65536)
      const memory = new api.Memory({ initial: pages, maximum: pages, shared: true })
      const ex = new api.Instance(module, { env: { memory } }).exports as Record<
        string,
        WasmHistKernel
      >
      const buf = memory.buffer
      const bins = new Uint8Array(buf, at.bins, n * words * 4)
      const grad = new Float32Array(buf, at.grad, n)
      const hess = new Float32Array(buf, at.hess, n)
      const rows = new Uint32Array(buf, at.rows, n)
      const hist = new Float64Array(buf, at.hist, histDoubles)
      const rng = createRng(nFeatures)
      for (let r = 0; r < n; r++)
        for (let f = 0; f < words * 4; f++)
          bins[r * words * 4 + f] = f < nFeatures ? rng.int(256) : 0
      for (let r = 0; r < n; r++) {
        grad[r] = rng.normal()
        hess[r] = rng.float()
      }
      // A sparse, ascending row list (as after partitions).
      let m = 0
      for (let r = 0; r < n; r++) if (rng.float() < 0.2) rows[m++] = r
      const bins32 = new Uint32Array(buf, at.bins, n * words)
      const cases: [string, 'contiguous' | 'rows' | 'gather', number, number][] = [
        ['contig', 'contiguous', 17, n],
        ['rows', 'rows', 3, m],
        ['gather', 'gather', 0, m],
      ]
      for (const [wasmName, jsMode, b, e] of cases) {
        const expected = new Float64Array(histDoubles)
        histKernel(nFeatures, jsMode)(bins32, grad, hess, rows, b, e, expected, 0)
        hist.fill(0)
        ex[wasmName]!(at.bins, at.grad, at.hess, at.rows, b, e, at.hist, at.buf)
        expect(Buffer.from(hist.slice().buffer).equals(Buffer.from(expected.buffer))).toBe(true)
      }
    })
  }
})
