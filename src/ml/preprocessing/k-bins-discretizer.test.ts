import { describe, expect, it } from 'vitest'

import { createColumn, createFrame, type Frame } from '../../frame/index.js'
import { estimatorChecks } from '../checks/index.js'

import { KBinsDiscretizer, loadKBinsDiscretizer } from './index.js'

describe('checkEstimator', () => {
  for (const strategy of ['uniform', 'quantile', 'kmeans'] as const) {
    for (const encode of ['onehot', 'ordinal'] as const) {
      describe(`k-bins ${strategy} ${encode}`, () => {
        for (const c of estimatorChecks({
          task: 'transform',
          make: () => new KBinsDiscretizer({ strategy, encode, nBins: 4 }),
          load: loadKBinsDiscretizer,
          oneRow: 'fit',
        }))
          it(c.name, c.run)
      })
    }
  }
})

const xs = (X: Frame): number[] => Array.from(X.column('x').values as Float64Array)

const frameOf = (values: number[]): Frame =>
  createFrame([createColumn({ name: 'x', dtype: 'f64', values: Float64Array.from(values) })])

describe('KBinsDiscretizer', () => {
  it('bins by left-closed edges and sends out-of-range values to the end bins', () => {
    const m = new KBinsDiscretizer({ nBins: 4, strategy: 'uniform', encode: 'ordinal' }).fit(
      frameOf([0, 4, 8]),
    )
    expect(Array.from(m.edges[0]!)).toEqual([0, 2, 4, 6, 8])
    expect(xs(m.transform(frameOf([-5, 0, 1.99, 2, 7.9, 8, 99])))).toEqual([0, 0, 0, 1, 3, 3, 3])
  })
  it('merges repeated quantile edges and gives a constant column one bin', () => {
    const m = new KBinsDiscretizer({ nBins: 4 }).fit(frameOf([1, 1, 1, 1, 1, 1, 2, 3]))
    expect(m.nBins).toEqual([2])
    expect(m.outputNames).toEqual(['x_0.0', 'x_1.0'])
    expect(m.diagnostics.warnings).toHaveLength(1)
    const c = new KBinsDiscretizer({ encode: 'ordinal' }).fit(frameOf([5, 5, 5]))
    expect(c.nBins).toEqual([1])
    expect(xs(c.transform(frameOf([-1, 5, 9])))).toEqual([0, 0, 0])
  })
  it('finds the gaps with kmeans', () => {
    const m = new KBinsDiscretizer({ nBins: 2, strategy: 'kmeans', encode: 'ordinal' }).fit(
      frameOf([0, 1, 2, 10, 11, 12]),
    )
    expect(Array.from(m.edges[0]!)).toEqual([0, 6, 12])
  })
  it('rejects missing values and a per-column nBins of the wrong length', () => {
    const X = createFrame([
      createColumn({
        name: 'x',
        dtype: 'f64',
        values: Float64Array.of(1, 2),
        validity: Uint8Array.of(1, 0),
      }),
    ])
    expect(() => new KBinsDiscretizer().fit(X)).toThrow(/cannot fit/)
    expect(() => new KBinsDiscretizer({ nBins: [3, 4] }).fit(frameOf([1, 2, 3]))).toThrow(/nBins/)
  })
})
