/**
 * @module ml
 * Native TypeScript machine learning on Frames: the estimator API (`fit` returns an immutable
 * model), preprocessing, linear models, neighbours, naive Bayes, clustering, PCA, metrics,
 * model selection and the baselines, plus the registry that loads any saved model.
 * Pure: no I/O. Imports `core`, `numeric` and `frame`.
 */
export type {
  ClassLabel,
  Classifier,
  Diagnostics,
  Estimator,
  EstimatorEntry,
  FitOptions,
  Model,
  ModelState,
  Predictor,
  Progress,
  Task,
  Transformer,
} from './base/index.js'
export { checkEstimator, estimatorChecks } from './checks/index.js'
export type { EstimatorCheck, EstimatorCheckSpec } from './checks/index.js'
export { DummyClassifier, DummyRegressor, LastValueRegressor } from './dummy/index.js'
export type { DummyClassifierParams, DummyRegressorParams, LastValueParams } from './dummy/index.js'
export {
  createEstimator,
  findEstimatorEntry,
  getEstimatorEntry,
  listEstimatorEntries,
  loadModel,
} from './registry.js'
