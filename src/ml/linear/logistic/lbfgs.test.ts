import { readFileSync } from 'node:fs'

import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { minimizeLbfgs, type Objective } from './lbfgs.js'
import { MoreThuenteSearch } from './line-search.js'
import { minimizeOwlqn, pseudoGradient } from './owlqn.js'

interface ScipyRun {
  name: string
  x0: number[]
  nit: number
  nfev: number
  x: number[]
  fun: number
}
const SCIPY = JSON.parse(
  readFileSync(
    new URL('../../../../test/fixtures/ml/logistic/lbfgs.json', import.meta.url),
    'utf8',
  ),
) as { runs: ScipyRun[] }

const rosen: Objective = (x, g) => {
  let f = 0
  g.fill(0)
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! ** 2
    const b = 1 - x[i]!
    f += 100 * a * a + b * b
    g[i]! += -400 * x[i]! * a - 2 * b
    g[i + 1]! += 200 * a
  }
  return f
}

const quad: Objective = (x, g) => {
  let f = 0
  for (let i = 0; i < x.length; i++) {
    const d = (i + 1) ** 2
    f += 0.5 * d * (x[i]! - 1) ** 2
    g[i] = d * (x[i]! - 1)
  }
  return f
}

const FUNCTIONS: Record<string, Objective> = {
  rosen2: rosen,
  rosen10: rosen,
  'rosen8 zeros': rosen,
  quad20: quad,
}

describe('minimizeLbfgs', () => {
  for (const run of SCIPY.runs) {
    it(`takes scipy L-BFGS-B's path on ${run.name}`, () => {
      const r = minimizeLbfgs(FUNCTIONS[run.name]!, Float64Array.from(run.x0))
      expect(r.converged).toBe(true)
      // Same algorithm, constants and stopping tests: the same iteration and evaluation counts.
      expect(r.nIter).toBe(run.nit)
      expect(r.nFev).toBe(run.nfev)
      for (let i = 0; i < run.x.length; i++) expect(r.x[i]).toBeCloseTo(run.x[i]!, 7)
      expect(r.f).toBeCloseTo(run.fun, 10)
    })
  }

  it('stops at maxIter without throwing and says so', () => {
    const r = minimizeLbfgs(rosen, Float64Array.of(-1.2, 1), { maxIter: 5 })
    expect(r.converged).toBe(false)
    expect(r.status).toBe('maxIter')
    expect(r.nIter).toBe(5)
    expect(r.message).toMatch(/maxIter=5/)
  })

  it('returns at once when the start is stationary', () => {
    const r = minimizeLbfgs(quad, new Float64Array(3).fill(1))
    expect(r).toMatchObject({ converged: true, status: 'gtol', nIter: 0, nFev: 1 })
  })

  it('reports a non-finite start instead of throwing', () => {
    const r = minimizeLbfgs((_x, g) => {
      g.fill(0)
      return Number.NaN
    }, Float64Array.of(0))
    expect(r).toMatchObject({ converged: false, status: 'nonFinite' })
  })

  it('backs off from trial points where the objective is not finite', () => {
    // f = x − log(x) on x > 0 (∞ elsewhere), minimum at x = 1; the first steps overshoot into x ≤ 0.
    const f: Objective = (x, g) => {
      const v = x[0]!
      g[0] = v > 0 ? 1 - 1 / v : Number.NaN
      return v > 0 ? v - Math.log(v) : Number.POSITIVE_INFINITY
    }
    const r = minimizeLbfgs(f, Float64Array.of(8), { gtol: 1e-9 })
    expect(r.converged).toBe(true)
    expect(r.x[0]).toBeCloseTo(1, 6)
  })

  it('calls onIteration once per iteration and lets it cancel', () => {
    const seen: number[] = []
    const r = minimizeLbfgs(rosen, Float64Array.of(-1.2, 1), {
      onIteration: (it) => seen.push(it.iter),
    })
    expect(seen).toEqual(Array.from({ length: r.nIter }, (_, i) => i + 1))
    expect(() =>
      minimizeLbfgs(rosen, Float64Array.of(-1.2, 1), {
        onIteration: () => {
          throw new Error('stop')
        },
      }),
    ).toThrow('stop')
  })

  test.prop(
    [fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 12 })],
    {
      seed: 20240,
    },
  )('minimises any convex quadratic from any start', (start) => {
    const r = minimizeLbfgs(quad, Float64Array.from(start), { gtol: 1e-8, ftol: 0 })
    expect(r.converged).toBe(true)
    for (const v of r.x) expect(v).toBeCloseTo(1, 6)
  })
})

describe('MoreThuenteSearch', () => {
  it('finds a strong-Wolfe step on a 1-D quartic', () => {
    // φ(t) = (t − 2)⁴ − 3t: φ'(0) < 0; strong Wolfe with ftol 1e-3, gtol 0.9.
    const phi = (t: number): [number, number] => [(t - 2) ** 4 - 3 * t, 4 * (t - 2) ** 3 - 3]
    const s = new MoreThuenteSearch(1e-3, 0.1, 0.1, 0, 100)
    const [f0, g0] = phi(0)
    let task = s.start(1, f0, g0)
    let n = 0
    while (task === 'evaluate' && n < 30) {
      const [f, g] = phi(s.stp)
      task = s.next(f, g)
      n++
    }
    expect(task).toBe('converged')
    const [f, g] = phi(s.stp)
    expect(f).toBeLessThanOrEqual(f0 + 1e-3 * s.stp * g0)
    expect(Math.abs(g)).toBeLessThanOrEqual(0.1 * Math.abs(g0))
  })

  it('refuses a non-descent start', () => {
    const s = new MoreThuenteSearch(1e-3, 0.9, 0.1, 0, 10)
    expect(s.start(1, 0, 1)).toBe('error')
    expect(s.message).toMatch(/not negative/)
  })
})

describe('minimizeOwlqn', () => {
  it('solves a 1-D lasso exactly (soft thresholding)', () => {
    // min ½(x − a)² + λ|x|  →  x = sign(a)·max(|a| − λ, 0)
    for (const [a, lam, want] of [
      [3, 1, 2],
      [-3, 1, -2],
      [0.5, 1, 0],
    ] as const) {
      const r = minimizeOwlqn(
        (x, g) => {
          g[0] = x[0]! - a
          return 0.5 * (x[0]! - a) ** 2
        },
        Float64Array.of(0),
        Float64Array.of(lam),
        { gtol: 1e-12 },
      )
      expect(r.converged).toBe(true)
      expect(r.x[0]).toBeCloseTo(want, 10)
    }
  })

  it('produces exact zeros and leaves unpenalised coordinates free', () => {
    // Separable: ½Σ dᵢ(xᵢ − 1)², λ = 2 on all but the last coordinate.
    const n = 6
    const l1 = new Float64Array(n).fill(2)
    l1[n - 1] = 0
    const r = minimizeOwlqn(quad, new Float64Array(n), l1, { gtol: 1e-10, ftol: 0 })
    expect(r.converged).toBe(true)
    // dᵢ = (i+1)²: coordinate i is 1 − 2/dᵢ when dᵢ > 2, else exactly 0.
    for (let i = 0; i < n; i++) {
      const d = (i + 1) ** 2
      const want = i === n - 1 ? 1 : Math.max(0, 1 - 2 / d)
      if (want === 0) expect(r.x[i]).toBe(0)
      else expect(r.x[i]).toBeCloseTo(want, 8)
    }
  })

  it('equals L-BFGS on a smooth problem when every λ is 0', () => {
    const r = minimizeOwlqn(rosen, Float64Array.of(-1.2, 1), new Float64Array(2), { gtol: 1e-8 })
    expect(r.converged).toBe(true)
    expect(r.x[0]).toBeCloseTo(1, 5)
    expect(r.x[1]).toBeCloseTo(1, 5)
  })

  it('computes the minimum-norm subgradient at zeros', () => {
    const pg = new Float64Array(4)
    pseudoGradient(
      Float64Array.of(0, 0, 0, 1),
      Float64Array.of(0.5, 3, -3, 0.5),
      Float64Array.of(1, 1, 1, 1),
      pg,
    )
    expect(Array.from(pg)).toEqual([0, 2, -2, 1.5])
  })
})
