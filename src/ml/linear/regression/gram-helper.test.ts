import { describe, expect, it } from 'vitest'

import { createColumn } from '../../../frame/index.js'

import { crossProducts } from './cross-products.js'
import { COPY_F64 } from './gram-chunk.js'
import { acquireGramHelper, gramHelperIdle } from './gram-helper.js'

describe('gram helper', () => {
  it('reports a worker that fails, and passes then run on the calling thread', () => {
    const q = 3
    const h = acquireGramHelper(q, 4096, false, new Array<number>(q).fill(COPY_F64), true)
    expect(h).toBeDefined()
    expect(h!.waitRunning(20_000)).toBe(true)
    // A chunk longer than the memory: the worker's kernels trap on it.
    h!.publish(2 ** 28)
    expect(h!.waitDone(0)).toBe(false)
    expect(h!.failed()).toBe(true)
    h!.close()
    expect(gramHelperIdle()).toBe(false)
    expect(acquireGramHelper(q, 4096, false, [0, 0, 0], true)).toBeUndefined()

    const n = 4096 * 8 + 1
    const cols = [0, 1].map((j) =>
      createColumn({
        name: `c${j}`,
        dtype: 'f64',
        values: Float64Array.from({ length: n }, (_, i) => Math.sin(i * (j + 2))),
      }),
    )
    const y = Float64Array.from({ length: n }, (_, i) => Math.cos(i))
    const one = crossProducts(cols, y, { center: true, threads: 1 })
    const two = crossProducts(cols, y, { center: true, threads: 2 })
    expect(two.helperChunks).toBe(0)
    expect(Array.from(two.gram)).toEqual(Array.from(one.gram))
  })
})
