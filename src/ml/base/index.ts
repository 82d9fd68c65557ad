/**
 * @module ml/base
 * The estimator contracts and the shared plumbing every estimator uses: parameter parsing,
 * feature capture and checks, dense matrices, target encoding, state encoding and progress.
 */
export type { EstimatorEntry } from './entry.js'
export {
  assertHasFeatures,
  assertMinRows,
  captureFeatures,
  dtypeFamily,
  readFeatures,
  selectFeatures,
  toMatrix,
  toMatrix32,
} from './features.js'
export type { DTypeFamily, DenseMatrix, FeatureSpec, ToMatrixOptions } from './features.js'
export { parseParams } from './params.js'
export { fitStep } from './progress.js'
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
  Model,
  ModelState,
  Predictor,
  Progress,
  Task,
  Transformer,
} from './types.js'
