/**
 * @module ml/tree/hist
 * The histogram engine of Plinth's tree learners: quantile binning into Uint8 bins, histogram
 * passes over many nodes at once, stable row partitions, on one thread or several over shared
 * memory, with results that do not depend on the thread count.
 */
export { applyCuts, binRow, binRowStride, createBinnedMatrix } from './binning.js'
export type { BinCuts, BinningOptions, DenseInput } from './binning.js'
export { createHistogramEngine } from './engine.js'
export type { HistogramEngineOptions } from './engine.js'
export { subtractHistogram } from './histogram.js'
export { HIST_SLOTS, MISSING_BIN } from './types.js'
export type {
  BinnedMatrix,
  EngineSharedMemory,
  Histogram,
  HistogramEngine,
  RowSplit,
} from './types.js'
