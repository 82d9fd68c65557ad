import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { frameOf } from '../../../test/fixtures/ml/cluster/frames.js'
import { estimatorChecks } from '../checks/index.js'

import { DBSCAN, loadDBSCAN } from './index.js'

interface DBSCANCase {
  name: string
  data: string
  eps: number
  minSamples: number
  labels: number[]
  coreSampleIndices: number[]
}
const FIXTURE = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/ml/cluster/dbscan.json', import.meta.url), 'utf8'),
) as { data: Record<string, number[][]>; cases: DBSCANCase[] }

describe('checkEstimator', () => {
  for (const c of estimatorChecks({
    task: 'clustering',
    make: () => new DBSCAN({ eps: 1.2, minSamples: 4 }),
    load: loadDBSCAN,
    oneRow: 'fit',
  }))
    it(c.name, c.run)
})

describe('matches scikit-learn 1.2.1 DBSCAN', () => {
  for (const c of FIXTURE.cases) {
    for (const algorithm of ['auto', 'kd_tree', 'brute'] as const) {
      it(`${c.name} (${algorithm}): identical labels and core samples`, () => {
        const X = frameOf(FIXTURE.data[c.data]!)
        const m = new DBSCAN({ eps: c.eps, minSamples: c.minSamples, algorithm, leafSize: 7 }).fit(
          X,
        )
        expect(Array.from(m.labels)).toEqual(c.labels)
        expect(Array.from(m.coreSampleIndices)).toEqual(c.coreSampleIndices)
        // predict: core samples get their own cluster; noise far from every core stays noise.
        const pred = m.predict(X).values as Int32Array
        for (const i of c.coreSampleIndices) expect(pred[i]).toBe(c.labels[i])
        for (let i = 0; i < c.labels.length; i++) if (pred[i] === -1) expect(c.labels[i]).toBe(-1)
      })
    }
  }
})

describe('behaviour', () => {
  it('labels everything noise when no row has minSamples neighbours', () => {
    const X = frameOf([[0], [10], [20]])
    const m = new DBSCAN({ eps: 1, minSamples: 2 }).fit(X)
    expect(Array.from(m.labels)).toEqual([-1, -1, -1])
    expect(m.nClusters).toBe(0)
    expect(Array.from(m.predict(X).values as Int32Array)).toEqual([-1, -1, -1])
  })
  it('predicts new rows from the nearest core sample within eps', () => {
    const X = frameOf([[0], [0.5], [1], [10], [10.5], [11]])
    const m = new DBSCAN({ eps: 0.6, minSamples: 2 }).fit(X)
    expect(Array.from(m.labels)).toEqual([0, 0, 0, 1, 1, 1])
    const Q = frameOf([[0.2], [10.9], [5]])
    expect(Array.from(m.predict(Q).values as Int32Array)).toEqual([0, 1, -1])
  })
  it('rejects a non-positive eps under params', () => {
    expect(() => new DBSCAN({ eps: 0 }).fit(frameOf([[1]]))).toThrow(/invalid parameters/)
  })
})
