/**
 * @module ml/base
 * The estimator contracts and the shared plumbing every estimator uses: parameter parsing,
 * feature capture and checks, dense matrices, target encoding, state encoding and progress.
 */
export { closedForm } from './diagnostics.js'
export type { EstimatorEntry } from './entry.js'
export { hasSpec, isEstimator, paramsOf } from './estimator-spec.js'
export type { EstimatorSpec, SpecInstance } from './estimator-spec.js'
export {
  assertHasFeatures,
  assertMinRows,
  assertNumericFeatures,
  captureFeatures,
  dtypeFamily,
  readFeatures,
  selectFeatures,
  toMatrix,
  toMatrix32,
  toMatrix32Into,
} from './features.js'
export type { DTypeFamily, DenseMatrix, FeatureSpec, ToMatrixOptions } from './features.js'
export { isClassifierModel, isTransformerEstimator } from './guards.js'
export { parseParams } from './params.js'
export { fitStep } from './progress.js'
export { quantileSorted } from './quantile.js'
export { readSampleWeight } from './sample-weight.js'
export {
  badState,
  checkState,
  decodeF32,
  decodeF64,
  decodeI32,
  decodeU8,
  encodeArray,
} from './state.js'
export type { EncodedArray } from './state.js'
export {
  assertMinClasses,
  classCounts,
  classWeights,
  decodeClasses,
  encodeClasses,
  predictionColumn,
  probabilityFrame,
  readEncoding,
  regressionTarget,
  requireTarget,
  sampleWeightsFromClasses,
} from './target.js'
export type { ClassEncoding, EncodedTarget } from './target.js'
export type {
  ClassLabel,
  Classifier,
  Diagnostics,
  Estimator,
  FitOptions,
  FitTransformResult,
  Model,
  ModelState,
  Predictor,
  Progress,
  Task,
  Transformer,
  TransformerEstimator,
} from './types.js'
export {
  F64,
  FuncBuilder,
  I32,
  V128,
  encodeModule,
  op,
  uleb,
  wasmApi,
} from '../../numeric/index.js'
export type {
  MemoryImport,
  ValType,
  WasmApi,
  WasmInstance,
  WasmMemory,
  WasmModule,
} from '../../numeric/index.js'
export { spawnFunctionWorker, spawnModuleWorker } from './worker.js'
export type { SpawnModuleWorkerOptions, StartupFailureSignal } from './worker.js'
