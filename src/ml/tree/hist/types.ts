/**
 * The contract between the histogram engine (binning, histogram passes, row partitioning, on one
 * thread or several) and the learners that grow trees from histograms (GBDT, and any forest that
 * bins). The learner owns the tree; the engine owns the data layout and the hot loops.
 */
import type { WasmMemory } from '../../base/index.js'

/** Reserved bin of a missing value (NaN) in every feature; value bins are 0 … nBins[f]-1 ≤ 254. */
export const MISSING_BIN = 255

/** Histogram slots per feature (value bins plus the missing bin). */
export const HIST_SLOTS = 256

/**
 * Features quantized to Uint8 bins, row-major: row `r`'s bin of feature `f` is
 * `bins[r * rowStride + f]`. `rowStride` is `nFeatures` rounded up to a multiple of 4 (padding
 * bytes are 0), so kernels may read four bins at a time through a Uint32Array view.
 */
export interface BinnedMatrix {
  readonly nRows: number
  readonly nFeatures: number
  readonly rowStride: number
  readonly bins: Uint8Array
  /** Number of value bins per feature (≥ 1, ≤ 255). */
  readonly nBins: Int32Array
  /**
   * Numeric features: upper bounds. A present value `x` has bin `b` when
   * `cuts[f][b-1] <= x < cuts[f][b]` (bin 0 below `cuts[f][0]`; the last bin is unbounded), so a
   * split "bin ≤ b goes left" is the threshold `x < cuts[f][b]`. Numeric features hold `nBins[f]`
   * cuts, the last `+Infinity`. Categorical features: empty (the bin is the category code).
   */
  readonly cuts: readonly Float64Array[]
  /** 1 where the feature is categorical (bin = category code, < 255 categories). */
  readonly categorical: Uint8Array
}

/**
 * Gradient histograms: for feature `f` and slot `s` (bin or {@link MISSING_BIN}),
 * `hist[(f * HIST_SLOTS + s) * 2]` is the sum of gradients and `… + 1` the sum of hessians of
 * the node's rows in that slot. Length `nFeatures * HIST_SLOTS * 2`.
 */
export type Histogram = Float64Array

/** A split the engine applies to a node's rows. */
export interface RowSplit {
  readonly feature: number
  /** Numeric: rows whose bin is ≤ `bin` go left. Ignored for categorical splits. */
  readonly bin: number
  /** Where rows in the missing bin go. */
  readonly missingLeft: boolean
  /** Categorical: bit `c` set means category `c` goes left. */
  readonly catBits?: Uint32Array
}

/**
 * The histogram engine over one {@link BinnedMatrix}. It owns the gradient arrays and the row
 * index permutation (shared memory when it runs on several threads). A node is a contiguous
 * range `[begin, end)` of `rows`.
 *
 * Results do not depend on the thread count: every sum is taken in an order fixed by the data
 * alone, so a model trained with `nThreads: 1` and `nThreads: 2` is bit-identical.
 */
/** The engine's WebAssembly memory as learner kernels see it (byte offsets into `memory`). */
export interface EngineSharedMemory {
  readonly memory: WasmMemory
  readonly margin: Float64Array
  readonly label: Float64Array
  readonly at: {
    readonly grad: number
    readonly hess: number
    readonly margin: number
    readonly label: number
  }
}

export interface HistogramEngine {
  readonly data: BinnedMatrix
  readonly nThreads: number
  /** Per-row gradient and hessian, written by the learner before each tree (already weighted). */
  readonly grad: Float32Array
  readonly hess: Float32Array
  /** The row indices of the current tree's nodes; `[0, nActive)` after {@link resetRows}. */
  readonly rows: Uint32Array
  /**
   * With the `rowArrays` option and WebAssembly: the engine's shared memory, with f64 margin and
   * label arrays in it beside the gradients, for learner kernels that run on the same memory.
   */
  readonly shared?: EngineSharedMemory
  /**
   * Starts a new tree on every row, or on the rows where `mask[r] !== 0` (row subsampling).
   * Returns the number of active rows.
   */
  resetRows(mask?: Uint8Array): number
  /**
   * Builds the histograms of several nodes in one pass over the workers (a tree level, or the
   * smaller child of each split). `out[i]` receives node `i`'s histogram, overwritten, not
   * added to. `features`, when given, lists the only features to fill (column subsampling).
   */
  buildHistograms(
    nodes: readonly { readonly begin: number; readonly end: number }[],
    out: readonly Histogram[],
    features?: Int32Array,
  ): void
  /**
   * Reorders `rows[begin, end)` so the rows going left come first (stable within each side)
   * and returns the index where the right child starts.
   */
  partition(begin: number, end: number, split: RowSplit): number
  /**
   * {@link partition} of several disjoint ranges (a tree level) in one pass over the workers;
   * returns each range's right-child start. The same rows as partitioning them one by one.
   */
  partitionMany(
    splits: readonly { readonly begin: number; readonly end: number; readonly split: RowSplit }[],
  ): number[]
  /** Releases workers and shared memory. Idempotent. */
  close(): void
}
