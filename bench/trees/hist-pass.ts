/**
 * Micro-benchmark of one histogram pass (1M rows × 28 uint8 bins, gradient + hessian sums), the
 * floor ../shared/bench/README.md quotes for this machine: plain-loop JavaScript ≈72 ms, unrolled
 * with Uint32 bin reads ≈35 ms, 2 workers 18–26 ms.
 *
 * Then the engine's work for one depth-8 tree (partitions and histograms) on 1 and 2 threads.
 *
 * Usage: node --import tsx bench/trees/hist-pass.ts [--rows N] [--reps R]
 */
import { existsSync, readFileSync } from 'node:fs'

import { createBinnedMatrix, createHistogramEngine } from '../../src/ml/tree/hist/index.js'
import { FEATURE_DOUBLES, histKernel } from '../../src/ml/tree/hist/kernels.js'

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : dflt
}

const nRows = arg('--rows', 1_000_000)
const reps = arg('--reps', 7)
const nFeatures = 28
const bins = new Uint8Array(nRows * nFeatures)
let s = 12345
for (let i = 0; i < bins.length; i++) {
  s = (Math.imul(s, 1103515245) + 12345) >>> 0
  bins[i] = (s >>> 16) % 255
}
const bins32 = new Uint32Array(bins.buffer)
const grad = new Float32Array(nRows).map((_, i) => Math.sin(i))
const hess = new Float32Array(nRows).fill(0.25)
const rows = new Uint32Array(nRows).map((_, i) => i)
const hist = new Float64Array(nFeatures * FEATURE_DOUBLES)

function time(label: string, fn: () => void): number {
  const t: number[] = []
  for (let r = 0; r < reps; r++) {
    hist.fill(0)
    const t0 = performance.now()
    fn()
    t.push(performance.now() - t0)
  }
  t.sort((a, b) => a - b)
  console.log(
    `${label.padEnd(34)} min ${t[0]!.toFixed(1)} ms  median ${t[reps >> 1]!.toFixed(1)} ms`,
  )
  return t[0]!
}

const withRows = histKernel(nFeatures, 'rows')
const contiguous = histKernel(nFeatures, 'contiguous')
time('unrolled, row index list', () => {
  withRows(bins32, grad, hess, rows, 0, nRows, hist, 0)
})
time('unrolled, contiguous rows', () => {
  contiguous(bins32, grad, hess, undefined, 0, nRows, hist, 0)
})

// The engine's share of one depth-8 tree on the 1M-row data's train part: the root histogram,
// then per level a partition of every node and a histogram of each smaller child (the learner
// subtracts for the larger one), the work pattern of a depth-wise GBDT round.
const engineRows = Math.floor(nRows * 0.8)
const binned = createBinnedMatrix({ data: higgs(engineRows), nRows: engineRows, nCols: nFeatures })
for (const threads of [1, 2]) {
  const engine = createHistogramEngine(binned, { nThreads: threads })
  try {
    engine.grad.set(grad.subarray(0, engineRows))
    engine.hess.set(hess.subarray(0, engineRows))
    const size = nFeatures * FEATURE_DOUBLES
    const pool = Array.from({ length: 128 }, () => new Float64Array(size))
    const tree = (): { hist: number; part: number } => {
      let tHist = 0
      let tPart = 0
      let t = performance.now()
      engine.resetRows()
      engine.buildHistograms([{ begin: 0, end: engineRows }], [pool[0]!])
      tHist += performance.now() - t
      let level = [{ begin: 0, end: engineRows }]
      for (let d = 0; d < 7; d++) {
        const next: { begin: number; end: number }[] = []
        const small: { begin: number; end: number }[] = []
        t = performance.now()
        for (const [i, node] of level.entries()) {
          const mid = engine.partition(node.begin, node.end, {
            feature: (d * 5 + i) % nFeatures,
            bin: 100 + ((i * 37) % 50),
            missingLeft: true,
          })
          const l = { begin: node.begin, end: mid }
          const r = { begin: mid, end: node.end }
          next.push(l, r)
          small.push(mid - node.begin <= node.end - mid ? l : r)
        }
        tPart += performance.now() - t
        t = performance.now()
        engine.buildHistograms(small, pool.slice(0, small.length))
        tHist += performance.now() - t
        level = next
      }
      return { hist: tHist, part: tPart }
    }
    tree() // warm-up (and worker start)
    const runs = Array.from({ length: 5 }, tree).sort((a, b) => a.hist + a.part - b.hist - b.part)
    const best = runs[0]!
    console.log(
      `engine, one depth-8 tree, ${String(engineRows)} rows, ${String(threads)} thread(s): histograms ${best.hist.toFixed(1)} ms + partitions ${best.part.toFixed(1)} ms = ${(best.hist + best.part).toFixed(1)} ms (×100 rounds: ${((best.hist + best.part) / 10).toFixed(1)} s)`,
    )
  } finally {
    engine.close()
  }
}

/** The first `n` rows of the Higgs-like data if present, else the random bins' stand-in. */
function higgs(n: number): Float32Array {
  const file = 'bench/.data/higgs_like_1000000_s42.X.f32'
  if (!existsSync(file)) return Float32Array.from(bins.subarray(0, n * nFeatures))
  const raw = readFileSync(file)
  return new Float32Array(raw.buffer, raw.byteOffset, n * nFeatures)
}
