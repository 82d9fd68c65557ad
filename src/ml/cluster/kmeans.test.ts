import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { createRng } from '../../core/index.js'
import { createColumn, createFrame, type Frame } from '../../frame/index.js'
import { frameOf } from '../../../test/fixtures/ml/cluster/frames.js'
import { estimatorChecks } from '../checks/index.js'

import { KMeans, loadKMeans } from './index.js'
import { kmeansLayout } from './kmeans-fit.js'
import { JS_KERNELS, kernelModule, memoryViews, type KernelName } from './kmeans-kernels.js'
import { wasmApi } from '../base/index.js'

interface KMeansCase {
  name: string
  data: string
  k: number
  init: number[][]
  labels: number[]
  centers: number[][]
  inertia: number
  nIter: number
  transform: number[][]
  kmeansppInertia: number[]
  miniBatchInertia: number
}
const FIXTURE = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/ml/cluster/kmeans.json', import.meta.url), 'utf8'),
) as { data: Record<string, number[][]>; cases: KMeansCase[] }

function blobs(n: number, p: number, k: number, seed: number): Frame {
  const rng = createRng(seed)
  const cols = Array.from({ length: p }, () => new Float64Array(n))
  for (let i = 0; i < n; i++)
    for (let j = 0; j < p; j++) cols[j]![i] = rng.normal() + 3 * ((i % k) - (j % k))
  return createFrame(cols.map((values, j) => createColumn({ name: `x${j}`, dtype: 'f64', values })))
}

describe('checkEstimator', () => {
  for (const c of estimatorChecks({
    task: 'clustering',
    make: () => new KMeans({ nClusters: 3, nInit: 2, seed: 1 }),
    load: loadKMeans,
  }))
    it(c.name, c.run)
  describe('random init', () => {
    for (const c of estimatorChecks({
      task: 'clustering',
      make: () => new KMeans({ nClusters: 3, init: 'random', nInit: 3, seed: 2 }),
      load: loadKMeans,
    }))
      it(c.name, c.run)
  })
})

describe('matches scikit-learn 1.2.1 KMeans', () => {
  for (const c of FIXTURE.cases) {
    const X = frameOf(FIXTURE.data[c.data]!)
    it(`${c.name}: explicit init gives identical labels, centers to 1e-6`, () => {
      const m = new KMeans({ nClusters: c.k, init: c.init, nInit: 1 }).fit(X)
      expect(Array.from(m.labels)).toEqual(c.labels)
      const p = X.nColumns
      c.centers.forEach((row, k) => {
        row.forEach((v, j) => {
          expect(Math.abs(m.clusterCenters[k * p + j]! - v)).toBeLessThan(
            1e-6 * Math.max(1, Math.abs(v)),
          )
        })
      })
      expect(m.inertia).toBeCloseTo(c.inertia, 6)
      expect(Math.abs(m.inertia - c.inertia) / c.inertia).toBeLessThan(1e-9)
      expect(m.diagnostics.nIter).toBe(c.nIter)
      const t = m.transform(X.slice(0, 5))
      c.transform.forEach((row, i) => {
        row.forEach((v, k) => {
          expect(Math.abs((t.columns[k]!.values[i] as number) - v)).toBeLessThan(
            1e-6 * Math.max(1, v),
          )
        })
      })
      expect(Array.from(m.predict(X).values as Int32Array)).toEqual(c.labels)
    })
    it(`${c.name}: k-means++ inertia within 1% of scikit-learn`, () => {
      const m = new KMeans({ nClusters: c.k, seed: 0 }).fit(X)
      const ref = Math.min(...c.kmeansppInertia)
      expect(m.inertia / ref).toBeLessThan(1.01)
    })
  }
})

describe('kernels and threads', () => {
  it('the WebAssembly and TypeScript kernels give bit-identical results', () => {
    const api = wasmApi()
    const module = kernelModule()
    if (api === undefined || module === null) return
    const n = 777
    const p = 7
    const kpad = 10
    const bytes = 1 << 20
    const rng = createRng(5)
    const make = (): { mem: ArrayBufferLike; run: (k: KernelName, a: number[]) => void } => {
      const memory = new api.Memory({
        initial: bytes / 65536,
        maximum: bytes / 65536,
        shared: true,
      })
      const inst = new api.Instance(module, { env: { memory } })
      return {
        mem: memory.buffer,
        run: (k, a) => {
          ;(inst.exports[k] as (...args: number[]) => void)(...a)
        },
      }
    }
    const w = make()
    const j = memoryViews(new ArrayBuffer(bytes))
    const v = memoryViews(w.mem)
    // x at 0 (f32), xn at 32768, shift 40960, ct 41984, cn 43008, labels 43264, mind 46400,
    // bsums 52736, bres 180000, slots 200000, bpot 400000
    for (let i = 0; i < n * p; i++) v.f32[i] = j.f32[i] = rng.normal() * 3
    for (let q = 0; q < p * kpad; q++) v.f64[41984 / 8 + q] = j.f64[41984 / 8 + q] = rng.normal()
    for (let c = 0; c < kpad; c++)
      v.f64[43008 / 8 + c] = j.f64[43008 / 8 + c] = c === 9 ? Infinity : rng.float() * 5
    for (let q = 0; q < p; q++) v.f64[40960 / 8 + q] = j.f64[40960 / 8 + q] = v.f32[q]!
    for (let q = 0; q < n; q++)
      v.f64[200000 / 8 + 4 * n + q] = j.f64[200000 / 8 + 4 * n + q] = rng.float() * 40
    // lloyd's float32 centers, bound constants and scratch (past the regions above)
    const kpad4 = 12
    for (let q = 0; q < p; q++)
      for (let c = 0; c < kpad4; c++)
        v.f32[500000 / 4 + q * kpad4 + c] = j.f32[500000 / 4 + q * kpad4 + c] =
          c < kpad ? v.f64[41984 / 8 + q * kpad + c]! : 0
    for (let c = 0; c < kpad4; c++)
      v.f32[501000 / 4 + c] = j.f32[501000 / 4 + c] = c < kpad ? v.f64[43008 / 8 + c]! : Infinity
    v.f64[502000 / 8] = j.f64[502000 / 8] = 4 * (p + 2) * 2 ** -24 * 10
    v.f64[502000 / 8 + 1] = j.f64[502000 / 8 + 1] = 4 * (p + 2) * 2 ** -24 * 30
    // k-means++ candidates: float32, transposed, 4 lanes (3 used)
    for (let q = 0; q < p * 4; q++) v.f32[504000 / 4 + q] = j.f32[504000 / 4 + q] = rng.normal() * 3
    const calls: [KernelName, number[]][] = [
      ['norms', [256, n, p, 0, 32768, 40960, 180000]],
      ['assign', [256, n, p, kpad, 9, 0, 32768, 41984, 43008, 43264, 46400, 52736, 180000, 1]],
      ['cand', [256, n, p, 4, 3, 0, 504000, 200000 + 4 * n * 8, 200000, 400000]],
    ]
    for (const [k, a] of calls) {
      for (let b = 0; b < 4; b++) {
        w.run(k, [b, ...a])
        JS_KERNELS[k](j, [b, ...a])
      }
    }
    expect(
      Buffer.from(v.f64.buffer.slice(0, bytes)).equals(Buffer.from(j.f64.buffer.slice(0, bytes))),
    ).toBe(true)
    // The Lloyd step (float32 screen + float64 fallback) gives the float64 labels and sums; it
    // keeps no distances, so compare labels, sums and change counts only.
    const labelsOf = (m: typeof v) => Array.from(m.i32.subarray(43264 / 4, 43264 / 4 + n))
    for (let i = 0; i < n; i++) v.i32[43264 / 4 + i] = j.i32[43264 / 4 + i] = -1
    const lloydArgs = [256, n, p, kpad, 9, 0, 32768, 41984, 43008, 43264, 46400, 52736, 180000]
    for (let b = 0; b < 4; b++) {
      w.run('lloyd', [b, ...lloydArgs, kpad4, 500000, 501000, 502000, 503000])
      JS_KERNELS.lloyd(j, [b, ...lloydArgs, kpad4, 500000, 501000, 502000, 503000])
    }
    expect(labelsOf(v)).toEqual(labelsOf(j))
    const sums = (m: typeof v) => Array.from(m.f64.subarray(52736 / 8, 52736 / 8 + 4 * 72))
    expect(sums(v)).toEqual(sums(j))
    for (let b = 0; b < 4; b++)
      expect(v.f64[180000 / 8 + 2 * b + 1]).toBe(j.f64[180000 / 8 + 2 * b + 1])
  })

  it('gives a bit-identical model on 1 and 2 threads', () => {
    const X = blobs(6000, 6, 5, 3)
    const one = new KMeans({ nClusters: 5, nInit: 2, seed: 4, nThreads: 1 }).fit(X)
    const two = new KMeans({ nClusters: 5, nInit: 2, seed: 4, nThreads: 2 }).fit(X)
    expect(two.diagnostics.threads).toBe(2)
    const strip = (s: ReturnType<typeof one.toJSON>) => JSON.stringify({ ...s, params: {} })
    expect(strip(two.toJSON())).toBe(strip(one.toJSON()))
  })
})

describe('bounded (Hamerly) steps', () => {
  it('give the same labels, centers and iterations as plain Lloyd steps', () => {
    // Overlapping blobs: many iterations, bounds that settle some rows and not others.
    const rng = createRng(21)
    const n = 20000
    const p = 9
    const cols = Array.from({ length: p }, () => new Float64Array(n))
    for (let i = 0; i < n; i++)
      for (let j = 0; j < p; j++) cols[j]![i] = rng.normal() + 0.8 * ((i % 6) - (j % 4))
    const X = createFrame(
      cols.map((values, j) => createColumn({ name: `x${j}`, dtype: 'f64', values })),
    )
    for (const seed of [0, 1]) {
      const plain = new KMeans({ nClusters: 7, nInit: 1, seed, algorithm: 'lloyd' }).fit(X)
      const bounded = new KMeans({ nClusters: 7, nInit: 1, seed, algorithm: 'elkan' }).fit(X)
      expect(bounded.diagnostics.nIter).toBe(plain.diagnostics.nIter)
      expect(plain.diagnostics.nIter).toBeGreaterThan(10)
      expect(Array.from(bounded.labels)).toEqual(Array.from(plain.labels))
      const a = plain.clusterCenters
      const b = bounded.clusterCenters
      for (let q = 0; q < a.length; q++) expect(Math.abs(b[q]! - a[q]!)).toBeLessThan(1e-9)
      expect(Math.abs(bounded.inertia - plain.inertia)).toBeLessThan(1e-9 * plain.inertia)
    }
  })

  it('the WebAssembly and TypeScript kernels give the same labels, sums and changes', () => {
    const api = wasmApi()
    const module = kernelModule()
    if (api === undefined || module === null) return
    const [n, p, k] = [1503, 13, 6]
    const L = kmeansLayout(n, p, k, false, true)
    const pages = Math.ceil(L.bytes / 65536) + 1
    const memory = new api.Memory({ initial: pages, maximum: pages, shared: true })
    const inst = new api.Instance(module, { env: { memory } })
    const v = memoryViews(memory.buffer)
    const j = memoryViews(new ArrayBuffer(pages * 65536))
    const rng = createRng(17)
    for (let q = 0; q < n * p; q++) v.f32[L.x / 4 + q] = j.f32[L.x / 4 + q] = rng.normal() * 2
    for (let i = 0; i < n; i++) {
      let s = 0
      for (let q = 0; q < p; q++) s += v.f32[L.x / 4 + i * p + q]! ** 2
      v.f64[L.xn / 8 + i] = j.f64[L.xn / 8 + i] = s
      v.i32[L.labels / 4 + i] = j.i32[L.labels / 4 + i] = -1
    }
    const setCenters = (centers: Float64Array): void => {
      for (const m of [v, j]) {
        for (let c = 0; c < L.kpad4; c++) {
          let s = 0
          for (let q = 0; q < p; q++) {
            const val = c < k ? centers[c * p + q]! : 0
            m.f32[L.ct32 / 4 + q * L.kpad4 + c] = val
            if (c < L.kpad) m.f64[L.ct / 8 + q * L.kpad + c] = val
            s += val * val
          }
          m.f32[L.cn32 / 4 + c] = c < k ? s : Infinity
          if (c < L.kpad) m.f64[L.cn / 8 + c] = c < k ? s : Infinity
        }
        m.f64[L.consts / 8] = 4 * (p + 2) * 2 ** -24 * 10
        m.f64[L.consts / 8 + 1] = 4 * (p + 2) * 2 ** -24 * 100
      }
    }
    const centers = Float64Array.from({ length: k * p }, () => rng.normal())
    const run = (full: number): void => {
      const a = [
        ...[L.bs, n, p, L.kpad, k, L.x, L.xn, L.ct, L.cn, L.labels, L.bsums, L.bres],
        ...[L.kpad4, L.ct32, L.cn32, L.consts, L.scratch, L.ub, L.lb, L.cinfo, L.list, full],
      ]
      for (let b = 0; b < L.nBlocks; b++) {
        ;(inst.exports.bounded as (...args: number[]) => void)(b, ...a)
        JS_KERNELS.bounded(j, [b, ...a])
      }
    }
    const same = (off: number, len: number): void => {
      expect(Buffer.from(v.f64.buffer.slice(off, off + len))).toEqual(
        Buffer.from(j.f64.buffer.slice(off, off + len)),
      )
    }
    setCenters(centers)
    run(1)
    for (let step = 0; step < 4; step++) {
      same(L.labels, n * 4)
      same(L.bsums, L.nBlocks * (k * p + k) * 8)
      for (let b = 0; b < L.nBlocks; b++)
        expect(v.f64[L.bres / 8 + 2 * b + 1]).toBe(j.f64[L.bres / 8 + 2 * b + 1])
      // Move the centers a little; both backends get the same moves and separations.
      const next = centers.map((c) => c + 0.05 * rng.normal())
      const dist = (a: Float64Array, ia: number, b: Float64Array, ib: number): number => {
        let s = 0
        for (let q = 0; q < p; q++) s += (a[ia * p + q]! - b[ib * p + q]!) ** 2
        return Math.sqrt(s)
      }
      const moves = Array.from({ length: k }, (_, c) => dist(next, c, centers, c) * (1 + 1e-12))
      for (let c = 0; c < k; c++) {
        let sep = Infinity
        for (let e = 0; e < k; e++) if (e !== c) sep = Math.min(sep, dist(next, c, next, e))
        const others = Math.max(...moves.filter((_, e) => e !== c))
        for (const m of [v, j]) {
          m.f64[L.cinfo / 8 + 3 * c] = moves[c]!
          m.f64[L.cinfo / 8 + 3 * c + 1] = others
          m.f64[L.cinfo / 8 + 3 * c + 2] = 0.5 * sep * (1 - 1e-12)
        }
      }
      centers.set(next)
      setCenters(centers)
      run(0)
    }
    // The delta sums equal sums rebuilt from the labels (to rounding).
    for (let c = 0; c < k; c++) {
      let count = 0
      for (let i = 0; i < n; i++) if (j.i32[L.labels / 4 + i] === c) count++
      let got = 0
      for (let b = 0; b < L.nBlocks; b++) got += j.f64[L.bsums / 8 + b * (k * p + k) + k * p + c]!
      expect(got).toBe(count)
    }
  })
})

describe('behaviour', () => {
  it('reports per-init diagnostics and picks the lowest inertia', () => {
    const X = blobs(400, 3, 4, 9)
    const m = new KMeans({ nClusters: 4, nInit: 5, seed: 2 }).fit(X)
    const d = m.diagnostics as unknown as {
      nIterPerInit: number[]
      inertiaPerInit: number[]
      bestInit: number
    }
    expect(d.nIterPerInit).toHaveLength(5)
    expect(m.inertia).toBe(d.inertiaPerInit[d.bestInit])
    expect(Math.min(...d.inertiaPerInit)).toBeGreaterThanOrEqual(m.inertia * (1 - 1e-12))
  })
  it('warns when fewer distinct clusters than nClusters come out (duplicate rows)', () => {
    const values = Float64Array.from({ length: 40 }, (_, i) => i % 2)
    const X = createFrame([createColumn({ name: 'x', dtype: 'f64', values })])
    const m = new KMeans({ nClusters: 3, nInit: 1, seed: 0 }).fit(X)
    expect(m.diagnostics.warnings.join(' ')).toMatch(/found 2 distinct clusters/)
    const ok = new KMeans({ nClusters: 2, nInit: 1, seed: 0 }).fit(X)
    expect(ok.diagnostics.warnings.join(' ')).not.toMatch(/distinct/)
  })
  it('records non-convergence instead of throwing', () => {
    const X = blobs(400, 3, 4, 9)
    const m = new KMeans({ nClusters: 6, nInit: 1, maxIter: 1, seed: 2 }).fit(X)
    expect(m.diagnostics.converged).toBe(false)
    expect(m.diagnostics.warnings.join(' ')).toMatch(/maxIter=1/)
  })
  it('rejects explicit centers of the wrong shape and fewer rows than clusters', () => {
    const X = blobs(10, 2, 2, 1)
    expect(() => new KMeans({ nClusters: 2, init: [[0, 0]] }).fit(X)).toThrow(/init/)
    expect(() => new KMeans({ nClusters: 2, init: [[0], [1]] }).fit(X)).toThrow(/init/)
    expect(() => new KMeans({ nClusters: 11 }).fit(X)).toThrow(/nClusters=11/)
  })
  it('transform gives distances to the centers in columns kmeans0…', () => {
    const X = blobs(50, 2, 2, 1)
    const m = new KMeans({ nClusters: 2, seed: 1 }).fit(X)
    const t = m.transform(X)
    expect(t.columns.map((c) => c.name)).toEqual(['kmeans0', 'kmeans1'])
    const pred = m.predict(X).values as Int32Array
    for (let i = 0; i < 50; i++) {
      const d0 = t.columns[0]!.values[i] as number
      const d1 = t.columns[1]!.values[i] as number
      expect(pred[i]).toBe(d0 <= d1 ? 0 : 1)
    }
  })
})

describe('kernels on wider rows', () => {
  // p ≥ 8 takes the eight-features-per-pass sum update and the unrolled screen; n is not a
  // multiple of the four-row chunks, k not a multiple of 4.
  for (const [n, p, k] of [
    [1003, 19, 6],
    [517, 28, 8],
  ] as const) {
    it(`lloyd and cand give the same results on both backends (p=${p}, k=${k})`, () => {
      const api = wasmApi()
      const module = kernelModule()
      if (api === undefined || module === null) return
      const L = kmeansLayout(n, p, k, true)
      const pages = Math.ceil(L.bytes / 65536) + 1
      const memory = new api.Memory({ initial: pages, maximum: pages, shared: true })
      const inst = new api.Instance(module, { env: { memory } })
      const v = memoryViews(memory.buffer)
      const j = memoryViews(new ArrayBuffer(pages * 65536))
      const rng = createRng(11)
      for (let q = 0; q < n * p; q++) v.f32[L.x / 4 + q] = j.f32[L.x / 4 + q] = rng.normal() * 2
      const set32 = (at: number, val: number): void => {
        v.f32[at] = j.f32[at] = val
      }
      const set64 = (at: number, val: number): void => {
        v.f64[at] = j.f64[at] = val
      }
      for (let c = 0; c < L.kpad4; c++) {
        let s = 0
        for (let q = 0; q < p; q++) {
          const val = c < k ? v.f32[L.x / 4 + c * 37 * p + q]! : 0
          set32(L.ct32 / 4 + q * L.kpad4 + c, val)
          if (c < L.kpad) set64(L.ct / 8 + q * L.kpad + c, val)
          s += val * val
        }
        set32(L.cn32 / 4 + c, c < k ? s : Infinity)
        if (c < L.kpad) set64(L.cn / 8 + c, c < k ? s : Infinity)
      }
      set64(L.consts / 8, 4 * (p + 2) * 2 ** -24 * 10)
      set64(L.consts / 8 + 1, 4 * (p + 2) * 2 ** -24 * 100)
      for (let q = 0; q < p * L.tpad4; q++)
        set32(L.cand32 / 4 + q, q % L.tpad4 < 3 ? rng.normal() : 0)
      const closest = L.slots + L.trials * n * 8
      for (let i = 0; i < n; i++) set64(closest / 8 + i, rng.float() * 50)
      for (let i = 0; i < n; i++) v.i32[L.labels / 4 + i] = j.i32[L.labels / 4 + i] = -1
      const calls: [KernelName, number[]][] = [
        ['norms', [L.bs, n, p, L.x, L.xn, L.shift, L.bss]],
        [
          'lloyd',
          [
            ...[L.bs, n, p, L.kpad, k, L.x, L.xn, L.ct, L.cn, L.labels, L.mind, L.bsums, L.bres],
            ...[L.kpad4, L.ct32, L.cn32, L.consts, L.scratch],
          ],
        ],
        ['cand', [L.bs, n, p, L.tpad4, 3, L.x, L.cand32, closest, L.slots, L.bpot]],
      ]
      for (const [name, a] of calls) {
        for (let b = 0; b < L.nBlocks; b++) {
          ;(inst.exports[name] as (...args: number[]) => void)(b, ...a)
          JS_KERNELS[name](j, [b, ...a])
        }
      }
      const same = (off: number, len: number): void => {
        expect(Buffer.from(v.f64.buffer.slice(off, off + len))).toEqual(
          Buffer.from(j.f64.buffer.slice(off, off + len)),
        )
      }
      same(L.xn, n * 8)
      same(L.labels, n * 4)
      same(L.bsums, L.nBlocks * (k * p + k) * 8)
      same(L.slots, 3 * n * 8)
      same(L.bpot, L.nBlocks * 3 * 8)
      for (let b = 0; b < L.nBlocks; b++)
        expect(v.f64[L.bres / 8 + 2 * b + 1]).toBe(j.f64[L.bres / 8 + 2 * b + 1])
    })
  }
})
