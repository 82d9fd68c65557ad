/**
 * The hot loops of the histogram engine, shared by the calling thread and the workers: one
 * histogram pass over a range of rows, and the two halves of a stable row partition.
 *
 * A row's bins are read four at a time through a Uint32Array view of the row-major bins
 * (little-endian: byte `k` of word `j` is feature `4j + k`), and each bin adds the row's
 * gradient and hessian to adjacent Float64 slots, so one cache line serves both.
 *
 * @internal
 */
import { HIST_SLOTS, MISSING_BIN } from './types.js'

/** Doubles per feature in a histogram (gradient and hessian per slot). */
export const FEATURE_DOUBLES = HIST_SLOTS * 2

/**
 * A histogram pass: adds the gradient pairs of `rows[begin, end)` to `hist` (starting at
 * `histAt`, every feature). With `rows === undefined` the rows are `begin … end−1` themselves
 * (the root of an unsampled tree). `hist` must hold zeros (or partial sums to add to).
 */
export type HistKernel = (
  bins32: Uint32Array,
  grad: Float32Array,
  hess: Float32Array,
  rows: Uint32Array | undefined,
  begin: number,
  end: number,
  hist: Float64Array,
  histAt: number,
) => void

/** Parameter names of a generated {@link HistKernel}, in order. */
export const HIST_KERNEL_PARAMS = [
  'bins32',
  'grad',
  'hess',
  'rows',
  'begin',
  'end',
  'hist',
  'histAt',
] as const

/**
 * How a kernel reads its rows: `contiguous` rows `begin … end−1` themselves; `rows` through the
 * row-index list; `gather` through the list, block by block (for sparse nodes).
 */
export type HistKernelMode = 'contiguous' | 'rows' | 'gather'

/**
 * Whether a node's rows are sparse enough for the gathering kernel: they span more than
 * `GATHER_SPAN` times their count. Measured on 800k rows × 28: a node of 50% of the rows sums
 * faster directly (16 against 19 ms), nodes of 10% and 2% faster gathered (7 against 11 ms,
 * 1.9 against 3.5 ms). Either kernel gives the same sums.
 */
export const GATHER_SPAN = 4

/** Rows per gathered block of the row-index kernel (its buffers stay in L1). */
const GATHER_BLOCK = 256

/**
 * The source of a factory that returns the {@link HistKernel} for `nFeatures` features (compile
 * with `new Function(source)()`; each compilation owns its scratch buffers, so every thread
 * compiles its own).
 *
 * The accumulation is fully unrolled: every feature's slot offset is a constant, and each
 * Uint32 word of a row's bins feeds four features (1M × 28 pass: 32 ms, against 57 ms with the
 * word loop left to the JIT, which does not unroll it). In `gather` mode rows are first
 * gathered block by block (their bin words, gradients and hessians copied to small contiguous
 * buffers), then accumulated from the buffers: the gather's loads are independent, so the CPU
 * keeps many cache misses in flight, where the accumulating loop, with 56 dependent
 * read-modify-writes per row, stalls on each (LightGBM's ordered gradients; XGBoost prefetches
 * instead, which JavaScript cannot). The source is plain text so the workers compile the very
 * same kernel.
 */
export function histKernelSource(nFeatures: number, mode: HistKernelMode): string {
  const words = (nFeatures + 3) >>> 2
  const body = (binsArr: string, atExpr: string, gExpr: string, hExpr: string): string[] => {
    const lines: string[] = []
    lines.push(`    const g = ${gExpr}; const h = ${hExpr};`)
    lines.push(`    const at = ${atExpr};`)
    for (let j = 0; j < words; j++) {
      lines.push(`    { const w = ${binsArr}[at + ${j}];`)
      for (let k = 0; k < 4 && 4 * j + k < nFeatures; k++) {
        const byte = k === 0 ? '(w & 255)' : k === 3 ? '(w >>> 24)' : `((w >>> ${8 * k}) & 255)`
        lines.push(
          `      const a${k} = histAt + ${(4 * j + k) * FEATURE_DOUBLES} + (${byte} << 1);` +
            ` hist[a${k}] += g; hist[a${k} + 1] += h;`,
        )
      }
      lines.push('    }')
    }
    return lines
  }
  const params = HIST_KERNEL_PARAMS.join(', ')
  const lines: string[] = []
  if (mode !== 'gather') {
    lines.push(`return function (${params}) {`)
    lines.push('  for (let i = begin; i < end; i++) {')
    lines.push(mode === 'contiguous' ? '    const r = i;' : '    const r = rows[i];')
    lines.push(...body('bins32', `r * ${words}`, 'grad[r]', 'hess[r]'))
    lines.push('  }')
    lines.push('}')
    return lines.join('\n')
  }
  lines.push(`const bufBins = new Uint32Array(${GATHER_BLOCK * words});`)
  lines.push(`const bufG = new Float32Array(${GATHER_BLOCK});`)
  lines.push(`const bufH = new Float32Array(${GATHER_BLOCK});`)
  lines.push(`return function (${params}) {`)
  lines.push(`  for (let b0 = begin; b0 < end; b0 += ${GATHER_BLOCK}) {`)
  lines.push(`    const m = Math.min(end - b0, ${GATHER_BLOCK});`)
  lines.push('    for (let i = 0; i < m; i++) {')
  lines.push(`      const r = rows[b0 + i]; const s = r * ${words}; const d = i * ${words};`)
  for (let j = 0; j < words; j++) lines.push(`      bufBins[d + ${j}] = bins32[s + ${j}];`)
  lines.push('      bufG[i] = grad[r]; bufH[i] = hess[r];')
  lines.push('    }')
  lines.push('    for (let i = 0; i < m; i++) {')
  lines.push(...body('bufBins', `i * ${words}`, 'bufG[i]', 'bufH[i]'))
  lines.push('    }')
  lines.push('  }')
  lines.push('}')
  return lines.join('\n')
}

const kernelCache = new Map<string, HistKernel>()

/** The compiled {@link HistKernel} for `nFeatures` (cached per thread). */
export function histKernel(nFeatures: number, mode: HistKernelMode): HistKernel {
  const key = `${nFeatures}:${mode}`
  let k = kernelCache.get(key)
  if (k === undefined) {
    // Code generation: the one place the engine compiles source text, built from integers only.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    k = (new Function(histKernelSource(nFeatures, mode)) as () => HistKernel)()
    kernelCache.set(key, k)
  }
  return k
}

/**
 * Adds the gradient pairs of `rows[begin, end)` to the histogram slots of the listed features
 * only (column subsampling): one byte read per listed feature and row.
 */
export function accumulateFeatures(
  bins: Uint8Array,
  rowStride: number,
  features: Int32Array,
  grad: Float32Array,
  hess: Float32Array,
  rows: Uint32Array | undefined,
  begin: number,
  end: number,
  hist: Float64Array,
  histAt: number,
): void {
  const nf = features.length
  for (let i = begin; i < end; i++) {
    const r = rows === undefined ? i : rows[i]!
    const g = grad[r]!
    const h = hess[r]!
    const at = r * rowStride
    for (let k = 0; k < nf; k++) {
      const f = features[k]!
      const a = histAt + f * FEATURE_DOUBLES + (bins[at + f]! << 1)
      hist[a] = hist[a]! + g
      hist[a + 1] = hist[a + 1]! + h
    }
  }
}

/**
 * First half of a stable partition of `rows[begin, end)`: rows `r` whose slot
 * `s = colBins[colAt + r]` (the split feature's column of column-major bins) has
 * `goLeft[s] === 1` are copied in order to `left[begin …]`, the others to `right[begin …]`.
 * Returns the number of rows going left.
 */
export function splitRows(
  colBins: Uint8Array,
  colAt: number,
  goLeft: Uint8Array,
  rows: Uint32Array,
  begin: number,
  end: number,
  left: Uint32Array,
  right: Uint32Array,
): number {
  let nl = begin
  let nr = begin
  for (let i = begin; i < end; i++) {
    const r = rows[i]!
    // Branch-free: the side is a coin flip to the branch predictor.
    const g = goLeft[colBins[colAt + r]!]!
    left[nl] = r
    right[nr] = r
    nl += g
    nr += 1 - g
  }
  return nl - begin
}

/**
 * Stable in-place partition of one range on the calling thread (slots read as in
 * {@link splitRows}): left rows compacted in place, right rows through `scratch`. Returns the
 * index where the right rows start.
 */
export function partitionRange(
  colBins: Uint8Array,
  colAt: number,
  goLeft: Uint8Array,
  rows: Uint32Array,
  begin: number,
  end: number,
  scratch: Uint32Array,
): number {
  let nl = begin
  let nr = 0
  for (let i = begin; i < end; i++) {
    const r = rows[i]!
    // Branch-free: the side is a coin flip to the branch predictor. Writing rows[nl] is safe:
    // nl ≤ i, so it only overwrites a row already read.
    const g = goLeft[colBins[colAt + r]!]!
    rows[nl] = r
    scratch[nr] = r
    nl += g
    nr += 1 - g
  }
  rows.set(scratch.subarray(0, nr), nl)
  return nl
}

/**
 * The slot → side table of a split: `table[s] = 1` when slot `s` goes left (numeric: `s ≤ bin`;
 * categorical: bit `s` of `catBits`; the missing slot per `missingLeft`).
 */
export function fillGoLeft(
  table: Uint8Array,
  categorical: boolean,
  bin: number,
  missingLeft: boolean,
  catBits: Uint32Array | undefined,
): Uint8Array {
  for (let s = 0; s < MISSING_BIN; s++) {
    if (categorical) {
      const word = s >>> 5
      table[s] =
        catBits !== undefined && word < catBits.length && (catBits[word]! >>> (s & 31)) & 1 ? 1 : 0
    } else table[s] = s <= bin ? 1 : 0
  }
  table[MISSING_BIN] = missingLeft ? 1 : 0
  return table
}
