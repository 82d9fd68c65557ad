import { readFileSync } from 'node:fs'

import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { createRng } from '../../core/index.js'
import { createColumn, createFrame, type Frame } from '../../frame/index.js'
import { estimatorChecks } from '../checks/index.js'

import { symmetricEigen } from './eigen.js'
import { PCA, loadPCA, type PCAParams } from './index.js'

interface PCACase {
  name: string
  data: string
  params: Record<string, unknown>
  nComponents: number
  mean: number[]
  components: number[][]
  explainedVariance: number[]
  explainedVarianceRatio: number[]
  singularValues: number[]
  noiseVariance: number
  transform: number[][]
  inverse: number[][]
}
const FIXTURE = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/ml/decomposition/pca.json', import.meta.url),
    'utf8',
  ),
) as { data: Record<string, number[][]>; cases: PCACase[] }

function frameOf(rows: readonly (readonly number[])[]): Frame {
  const p = rows[0]!.length
  return createFrame(
    Array.from({ length: p }, (_, j) =>
      createColumn({ name: `x${j}`, dtype: 'f64', values: Float64Array.from(rows, (r) => r[j]!) }),
    ),
  )
}

function paramsOf(c: PCACase): PCAParams {
  const s = c.params
  const out: Record<string, unknown> = {}
  if (s.n_components !== undefined) out.nComponents = s.n_components
  if (s.whiten !== undefined) out.whiten = s.whiten
  if (s.svd_solver !== undefined) out.svdSolver = s.svd_solver
  if (s.power_iteration_normalizer !== undefined)
    out.powerIterationNormalizer = s.power_iteration_normalizer
  return out
}

function expectClose(
  got: ArrayLike<number>,
  want: readonly number[],
  tol: number,
  scale = 1,
): void {
  expect(got.length).toBe(want.length)
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!)
    if (err > tol * Math.max(scale, Math.abs(want[i]!)))
      throw new Error(`index ${i}: got ${got[i]}, want ${want[i]} (err ${err})`)
  }
}

describe('checkEstimator', () => {
  for (const svdSolver of ['full', 'randomized'] as const) {
    describe(svdSolver, () => {
      for (const c of estimatorChecks({
        task: 'transform',
        make: () => new PCA({ nComponents: 2, svdSolver, seed: 3 }),
        load: loadPCA,
        oneRow: 'error',
      }))
        it(c.name, c.run)
    })
  }
})

describe('matches scikit-learn 1.2.1 PCA', () => {
  for (const c of FIXTURE.cases) {
    const randomized = c.params.svd_solver === 'randomized'
    const tol = randomized ? 1e-4 : 1e-9
    it(`${c.name} (${randomized ? 'randomized, 1e-4' : 'full, 1e-9'})`, () => {
      const X = frameOf(FIXTURE.data[c.data]!)
      const m = new PCA(paramsOf(c)).fit(X)
      expect(m.nComponents).toBe(c.nComponents)
      const top = c.explainedVariance[0]!
      expectClose(m.mean, c.mean, 1e-12)
      expectClose(m.explainedVariance, c.explainedVariance, tol, top)
      expectClose(m.explainedVarianceRatio, c.explainedVarianceRatio, tol, 1)
      expectClose(m.singularValues, c.singularValues, tol, c.singularValues[0])
      expect(Math.abs(m.noiseVariance - c.noiseVariance)).toBeLessThanOrEqual(tol * top)
      const p = X.nColumns
      // Components whose variance is distinct and not negligible are determined (up to the
      // svd_flip sign, which must match too).
      c.components.forEach((row, t) => {
        const ev = c.explainedVariance
        const gap = Math.min(
          t > 0 ? ev[t - 1]! - ev[t]! : Infinity,
          t + 1 < ev.length ? ev[t]! - ev[t + 1]! : Infinity,
        )
        if (ev[t]! < 1e-6 * top || gap < 1e-6 * top) return
        expectClose(m.components.subarray(t * p, (t + 1) * p), row, tol * 10)
      })
      const Z = m.transform(X.slice(0, 5))
      const scale = Math.sqrt(top)
      c.transform.forEach((row, i) => {
        expectClose(
          Z.columns.map((col) => col.values[i] as number),
          row,
          tol * 100,
          c.params.whiten === true ? 1 : scale,
        )
      })
      const back = m.inverseTransform(Z)
      c.inverse.forEach((row, i) => {
        expectClose(
          back.columns.map((col) => col.values[i] as number),
          row,
          tol * 100,
          scale,
        )
      })
    })
  }
})

describe('symmetric eigendecomposition', () => {
  test.prop([fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1000 })], {
    seed: 11,
    numRuns: 40,
  })('A·v = λ·v with orthonormal v, eigenvalues descending', (n, seed) => {
    const rng = createRng(seed)
    const a = new Float64Array(n * n)
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = Math.round(rng.normal() * 4) / 2
    const { values, vectors } = symmetricEigen(a, n)
    let norm = 0
    for (const v of a) norm = Math.max(norm, Math.abs(v))
    for (let k = 0; k < n; k++) {
      if (k > 0) expect(values[k]!).toBeLessThanOrEqual(values[k - 1]!)
      for (let i = 0; i < n; i++) {
        let av = 0
        for (let j = 0; j < n; j++) av += a[i * n + j]! * vectors[j * n + k]!
        expect(Math.abs(av - values[k]! * vectors[i * n + k]!)).toBeLessThan(1e-12 * (1 + norm) * n)
      }
      for (let l = 0; l < n; l++) {
        let dot = 0
        for (let i = 0; i < n; i++) dot += vectors[i * n + k]! * vectors[i * n + l]!
        expect(Math.abs(dot - (k === l ? 1 : 0))).toBeLessThan(1e-12 * n)
      }
    }
  })
  it('handles 1×1, diagonal and repeated eigenvalues', () => {
    expect(Array.from(symmetricEigen(Float64Array.of(5), 1).values)).toEqual([5])
    const two = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2).values
    expect(two[0]).toBeCloseTo(3, 14)
    expect(two[1]).toBeCloseTo(1, 14)
    const id = symmetricEigen(Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), 3)
    expect(Array.from(id.values)).toEqual([1, 1, 1])
  })
})

describe('behaviour', () => {
  const rng = createRng(2)
  const rows = Array.from({ length: 80 }, () => {
    const a = rng.normal()
    const b = rng.normal()
    return [a, 2 * a + 0.1 * b, b, a - b, 3]
  })
  const X = frameOf(rows)
  test.prop([fc.integer({ min: 0, max: 79 })], { seed: 5, numRuns: 20 })(
    'inverseTransform(transform(x)) = x with all components, whitened or not',
    (i) => {
      for (const whiten of [false, true]) {
        const m = new PCA({ whiten }).fit(X)
        const back = m.inverseTransform(m.transform(X.slice(i, i + 1)))
        back.columns.forEach((c, j) => {
          expect(Math.abs((c.values[0] as number) - rows[i]![j]!)).toBeLessThan(1e-9)
        })
      }
    },
  )
  it('outputs pca0… columns, a fraction picks the fewest components above it', () => {
    const m = new PCA({ nComponents: 0.95 }).fit(X)
    expect(m.outputNames).toEqual(Array.from({ length: m.nComponents }, (_, t) => `pca${t}`))
    let cum = 0
    for (const r of m.explainedVarianceRatio.subarray(0, m.nComponents - 1)) cum += r
    expect(cum).toBeLessThanOrEqual(0.95)
    expect(cum + m.explainedVarianceRatio[m.nComponents - 1]!).toBeGreaterThan(0.95)
  })
  it('rejects too many components, and a fraction with the randomized solver', () => {
    expect(() => new PCA({ nComponents: 6 }).fit(X)).toThrow(/nComponents/)
    expect(() => new PCA({ nComponents: 0.5, svdSolver: 'randomized' }).fit(X)).toThrow(
      /nComponents/,
    )
  })
  it('randomized and full agree on a dominant subspace', () => {
    const full = new PCA({ nComponents: 2, svdSolver: 'full' }).fit(X)
    const rnd = new PCA({ nComponents: 2, svdSolver: 'randomized', seed: 9 }).fit(X)
    expectClose(rnd.explainedVariance, Array.from(full.explainedVariance), 1e-8)
    expectClose(rnd.components, Array.from(full.components), 1e-6)
  })
})
