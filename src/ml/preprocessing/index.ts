/**
 * @module ml/preprocessing
 * Transformers that turn raw columns into model-ready features: imputation, scaling,
 * categorical encoding (one-hot, ordinal, cross-fitted target encoding), binning, polynomial
 * features, feature crosses and outlier clipping. Each estimator's `fit` returns a
 * `Transformer` model, and every estimator has `fitTransform` (ml/base's `TransformerEstimator`).
 * Outputs match scikit-learn 1.2 (`test/fixtures/ml/preprocessing/generate.py`).
 */
import type { EstimatorEntry } from '../base/index.js'

import { FEATURE_CROSS_ENTRY } from './feature-cross.js'
import { K_BINS_DISCRETIZER_ENTRY } from './k-bins-discretizer.js'
import { MIN_MAX_SCALER_ENTRY } from './min-max-scaler.js'
import { ONE_HOT_ENCODER_ENTRY } from './one-hot-encoder.js'
import { ORDINAL_ENCODER_ENTRY } from './ordinal-encoder.js'
import { OUTLIER_CLIPPER_ENTRY } from './outlier-clipper.js'
import { POLYNOMIAL_FEATURES_ENTRY } from './polynomial-features.js'
import { ROBUST_SCALER_ENTRY } from './robust-scaler.js'
import { SIMPLE_IMPUTER_ENTRY } from './simple-imputer.js'
import { STANDARD_SCALER_ENTRY } from './standard-scaler.js'
import { TARGET_ENCODER_ENTRY } from './target-encoder.js'

export {
  FeatureCross,
  FeatureCrossModel,
  FeatureCrossParamsSchema,
  fnv1a32,
  loadFeatureCross,
} from './feature-cross.js'
export type { FeatureCrossParams } from './feature-cross.js'
export {
  KBinsDiscretizer,
  KBinsDiscretizerModel,
  KBinsDiscretizerParamsSchema,
  loadKBinsDiscretizer,
} from './k-bins-discretizer.js'
export type { KBinsDiscretizerParams } from './k-bins-discretizer.js'
export {
  MinMaxScaler,
  MinMaxScalerModel,
  MinMaxScalerParamsSchema,
  loadMinMaxScaler,
} from './min-max-scaler.js'
export type { MinMaxScalerParams } from './min-max-scaler.js'
export {
  OneHotEncoder,
  OneHotEncoderModel,
  OneHotEncoderParamsSchema,
  loadOneHotEncoder,
} from './one-hot-encoder.js'
export type { OneHotEncoderParams } from './one-hot-encoder.js'
export {
  OrdinalEncoder,
  OrdinalEncoderModel,
  OrdinalEncoderParamsSchema,
  loadOrdinalEncoder,
} from './ordinal-encoder.js'
export type { OrdinalEncoderParams } from './ordinal-encoder.js'
export {
  OutlierClipper,
  OutlierClipperModel,
  OutlierClipperParamsSchema,
  loadOutlierClipper,
} from './outlier-clipper.js'
export type { OutlierClipperParams } from './outlier-clipper.js'
export {
  PolynomialFeatures,
  PolynomialFeaturesModel,
  PolynomialFeaturesParamsSchema,
  loadPolynomialFeatures,
} from './polynomial-features.js'
export type { PolynomialFeaturesParams } from './polynomial-features.js'
export {
  RobustScaler,
  RobustScalerModel,
  RobustScalerParamsSchema,
  loadRobustScaler,
} from './robust-scaler.js'
export type { RobustScalerParams } from './robust-scaler.js'
export {
  SimpleImputer,
  SimpleImputerModel,
  SimpleImputerParamsSchema,
  loadSimpleImputer,
} from './simple-imputer.js'
export type { SimpleImputerParams } from './simple-imputer.js'
export {
  StandardScaler,
  StandardScalerModel,
  StandardScalerParamsSchema,
  loadStandardScaler,
} from './standard-scaler.js'
export type { StandardScalerParams } from './standard-scaler.js'
export type { CategoryKind, CategorySet } from './categories.js'
export {
  TargetEncoder,
  TargetEncoderModel,
  TargetEncoderParamsSchema,
  loadTargetEncoder,
} from './target-encoder.js'
export type { TargetEncoderParams } from './target-encoder.js'

/** The preprocessing kinds, for `ml/registry.ts`. */
export const PREPROCESSING_ESTIMATORS: readonly EstimatorEntry[] = [
  SIMPLE_IMPUTER_ENTRY,
  STANDARD_SCALER_ENTRY,
  MIN_MAX_SCALER_ENTRY,
  ROBUST_SCALER_ENTRY,
  ONE_HOT_ENCODER_ENTRY,
  ORDINAL_ENCODER_ENTRY,
  TARGET_ENCODER_ENTRY,
  K_BINS_DISCRETIZER_ENTRY,
  POLYNOMIAL_FEATURES_ENTRY,
  FEATURE_CROSS_ENTRY,
  OUTLIER_CLIPPER_ENTRY,
]
