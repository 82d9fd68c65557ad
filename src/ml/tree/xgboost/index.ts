/**
 * @module ml/tree/xgboost
 * Import of XGBoost gbtree JSON models as Plinth models that predict identically.
 */
export { XGBOOST_OBJECTIVES } from './convert.js'
export type { XGBoostObjective } from './convert.js'
export {
  XGBOOST_ENTRY,
  XGBoostClassifierModel,
  XGBoostImported,
  XGBoostRegressorModel,
  importXGBoostModel,
  loadXGBoostModel,
} from './model.js'
export type { XGBoostModel } from './model.js'
