/**
 * @module numeric
 * Pure numeric kernels and statistics: compensated sums and moments (stdlib-style strided kernels
 * with array wrappers), special functions (log-gamma, incomplete gamma, erf, normal, chi-squared,
 * Kolmogorov), and the two-sample drift statistics used by dataset validation and monitoring
 * (KS, chi-squared, z-test, Wasserstein, Jensen–Shannon, PSI, Hellinger, KL, L∞, numpy-compatible
 * histograms), and a small WebAssembly assembler for SIMD kernels. Imports only `core`; no I/O, no
 * ambient time or randomness.
 *
 * Reference values come from numpy/scipy (`test/fixtures/numeric/generate.py`).
 */
export { sum, sumStrided } from './sum.js'
export type { NumericArray } from './sum.js'
export { mean, meanStrided, std, variance, varianceStrided } from './moments.js'
export { chiSquareSf, erf, erfc, gammaP, gammaQ, logGamma, normalCdf, normalSf } from './special.js'
export { kolmogorovSf, smirnovSf } from './kolmogorov.js'
export { ks2Sample } from './ks.js'
export type { Ks2SampleOptions, Ks2SampleResult, KsMethod } from './ks.js'
export { chiSquareDrift, chiSquareTest, zTestProportions } from './hypothesis.js'
export type { ChiSquareResult, ZTestResult } from './hypothesis.js'
export {
  hellingerDistance,
  jensenShannonDistance,
  kullbackLeibler,
  lInfinityDistance,
  psi,
  wassersteinDistance,
  wassersteinNormed,
} from './distances.js'
export { binProportions, fillZeroProportions, histogram, histogramBinEdges } from './histogram.js'
export type { BinSpec, BinnedProportions } from './histogram.js'
export { F64, FuncBuilder, I32, V128, encodeModule, op, uleb, wasmApi } from './wasm.js'
export type {
  MemoryImport,
  ValType,
  WasmApi,
  WasmInstance,
  WasmMemory,
  WasmModule,
} from './wasm.js'
