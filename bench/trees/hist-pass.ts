/**
 * Micro-benchmark of one histogram pass (1M rows × 28 uint8 bins, gradient + hessian sums), the
 * floor ../shared/bench/README.md quotes for this machine: plain-loop JavaScript ≈72 ms, unrolled
 * with Uint32 bin reads ≈35 ms, 2 workers 18–26 ms.
 *
 * Usage: node --import tsx bench/trees/hist-pass.ts [--rows N] [--reps R]
 */
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

const withRows = histKernel(nFeatures, false)
const contiguous = histKernel(nFeatures, true)
time('unrolled, row index list', () => {
  withRows(bins32, grad, hess, rows, 0, nRows, hist, 0)
})
time('unrolled, contiguous rows', () => {
  contiguous(bins32, grad, hess, undefined, 0, nRows, hist, 0)
})
