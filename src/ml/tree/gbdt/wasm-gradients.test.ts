import { describe, expect, it } from 'vitest'

import { createRng } from '../../../core/index.js'
import { wasmApi } from '../../base/index.js'

import { logisticObjective } from './objectives.js'
import { logisticGradientKernel } from './wasm-gradients.js'

describe('WebAssembly logistic gradients', () => {
  it("equal binary:logistic's float32 gradients and hessians, extremes included", () => {
    const api = wasmApi()
    if (api === undefined) return
    const rng = createRng(3)
    const special = [
      0, -0, 1e-300, -1e-300, 36.7, -36.7, 88, -88, 104, -104, 700, -700, 745, -745, 1e6, -1e6,
    ]
    const n = 200_000 + special.length
    const memory = new api.Memory({ initial: 128, maximum: 128, shared: true })
    const at = { margin: 0, label: n * 8, grad: n * 16, hess: n * 20 }
    const kernel = logisticGradientKernel(memory)
    if (kernel === undefined) return
    const margin = new Float64Array(memory.buffer, at.margin, n)
    const label = new Float64Array(memory.buffer, at.label, n)
    for (let i = 0; i < n; i++) {
      margin[i] = i < special.length ? special[i]! : rng.normal() * (i % 3 === 0 ? 20 : 3)
      label[i] = rng.float() < 0.4 ? 1 : 0
    }
    const g = new Float32Array(n)
    const h = new Float32Array(n)
    logisticObjective().gradients(margin, label, undefined, [g], [h])
    kernel(at.margin, at.label, at.grad, at.hess, n)
    expect(Array.from(new Float32Array(memory.buffer, at.grad, n))).toEqual(Array.from(g))
    expect(Array.from(new Float32Array(memory.buffer, at.hess, n))).toEqual(Array.from(h))
  })
})
