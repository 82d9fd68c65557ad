/**
 * @module ml/dummy
 * Baselines that ignore the features: majority class / priors, mean / median, last value.
 */
export {
  ConstantRegressorModel,
  DUMMY_ESTIMATORS,
  DummyClassifier,
  DummyClassifierModel,
  DummyClassifierParamsSchema,
  DummyRegressor,
  DummyRegressorParamsSchema,
  LastValueRegressor,
  loadDummyClassifier,
  loadDummyRegressor,
  loadLastValue,
} from './dummy.js'
export type { DummyClassifierParams, DummyRegressorParams, LastValueParams } from './dummy.js'
