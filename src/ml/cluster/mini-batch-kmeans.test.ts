import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { frameOf } from '../../../test/fixtures/ml/cluster/frames.js'
import { estimatorChecks } from '../checks/index.js'

import { MiniBatchKMeans, loadMiniBatchKMeans } from './index.js'

interface KMeansCase {
  name: string
  data: string
  k: number
  init: number[][]
  inertia: number
  miniBatchInertia: number
  kmeansppInertia: number[]
}
const FIXTURE = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/ml/cluster/kmeans.json', import.meta.url), 'utf8'),
) as { data: Record<string, number[][]>; cases: KMeansCase[] }

describe('checkEstimator', () => {
  for (const init of ['k-means++', 'random'] as const) {
    describe(init, () => {
      for (const c of estimatorChecks({
        task: 'clustering',
        make: () => new MiniBatchKMeans({ nClusters: 3, init, batchSize: 16, seed: 1 }),
        load: loadMiniBatchKMeans,
      }))
        it(c.name, c.run)
    })
  }
})

describe('compared with scikit-learn 1.2.1', () => {
  for (const c of FIXTURE.cases.filter((c) => c.name !== 'blobs-empty-cluster')) {
    it(`${c.name}: median inertia over 5 seeds within 5% of scikit-learn MiniBatchKMeans`, () => {
      const X = frameOf(FIXTURE.data[c.data]!)
      const runs = [0, 1, 2, 3, 4].map((seed) =>
        new MiniBatchKMeans({ nClusters: c.k, seed }).fit(X),
      )
      const ratios = runs.map((m) => m.inertia / c.miniBatchInertia).sort((a, b) => a - b)
      expect(ratios[2]).toBeLessThan(1.05)
      expect((ratios[2]! * c.miniBatchInertia) / Math.min(...c.kmeansppInertia)).toBeLessThan(1.1)
      const m = runs[0]!
      expect(Array.from(m.predict(X).values as Int32Array)).toEqual(Array.from(m.labels))
    })
  }
})

describe('behaviour', () => {
  const rows = Array.from({ length: 600 }, (_, i) => [(i % 3) * 10 + (i % 7) / 7, (i % 5) / 5])
  const X = frameOf(rows)
  it('finds well-separated clusters and stops early on no improvement', () => {
    const m = new MiniBatchKMeans({ nClusters: 3, batchSize: 64, seed: 3 }).fit(X)
    const centers = [0, 1, 2].map((c) => m.clusterCenters[c * 2]!).sort((a, b) => a - b)
    expect(centers[0]).toBeCloseTo(3 / 7, 0)
    expect(centers[1]).toBeCloseTo(10 + 3 / 7, 0)
    expect(centers[2]).toBeCloseTo(20 + 3 / 7, 0)
    expect(m.diagnostics.converged).toBe(true)
    expect((m.diagnostics as unknown as { nSteps: number }).nSteps).toBeLessThan(
      Math.floor((100 * 600) / 64),
    )
  })
  it('stops on tol when given and accepts explicit centers', () => {
    const m = new MiniBatchKMeans({
      nClusters: 3,
      init: [
        [0, 0],
        [10, 0],
        [20, 0],
      ],
      tol: 1e-3,
      maxNoImprovement: null,
      seed: 1,
    }).fit(X)
    expect(m.diagnostics.converged).toBe(true)
  })
})
