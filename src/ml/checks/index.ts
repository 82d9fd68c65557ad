/**
 * @module ml/checks
 * The estimator contract suite, `checkEstimator`.
 */
export { checkData, checkEstimator, estimatorChecks, modelOutputs } from './check-estimator.js'
export type { EstimatorCheck, EstimatorCheckSpec } from './check-estimator.js'
