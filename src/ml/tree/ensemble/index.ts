/**
 * @module ml/tree/ensemble
 * The shared flat tree representation, how learners assemble it, its JSON state, and the
 * inference kernels every tree model predicts with.
 */
export { TreeBuilder, makeEnsemble } from './builder.js'
export type { EnsembleOptions, SplitSpec } from './builder.js'
export { featureImportance } from './importance.js'
export type { ImportanceType } from './importance.js'
export { applyLink, predictFrame, predictOutput, predictRowOutputInto } from './output.js'
export type { PredictFrameOptions } from './output.js'
export { createPredictPool } from './pool.js'
export type { PredictPool, PredictPoolOptions } from './pool.js'
export { predictRaw, predictRowInto } from './predict.js'
export type { FeatureRows } from './predict.js'
export { ensembleFromState, ensembleToState } from './state.js'
export type { FlatTreeState, TreeEnsembleState } from './state.js'
export type { FlatTree, TreeEnsemble, TreeLink } from './types.js'
export { validateEnsemble } from './validate.js'
