/**
 * @module ml
 * Native TypeScript machine learning on Frames, with scikit-learn's semantics: the estimator API
 * (`fit` returns an immutable model that serializes to JSON), preprocessing and composition,
 * linear models, neighbours, naive Bayes, clustering, PCA, metrics, model selection and the
 * baselines, plus the registry that creates any estimator by kind and loads any saved model.
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
export {
  createEstimator,
  findEstimatorEntry,
  getEstimatorEntry,
  listEstimatorEntries,
  loadModel,
} from './registry.js'

// Baselines
export { DummyClassifier, DummyRegressor, LastValueRegressor } from './dummy/index.js'
export type { DummyClassifierParams, DummyRegressorParams, LastValueParams } from './dummy/index.js'

// Preprocessing and composition
export {
  FeatureCross,
  KBinsDiscretizer,
  MinMaxScaler,
  OneHotEncoder,
  OrdinalEncoder,
  OutlierClipper,
  PolynomialFeatures,
  RobustScaler,
  SimpleImputer,
  StandardScaler,
  TargetEncoder,
} from './preprocessing/index.js'
export type {
  FeatureCrossParams,
  KBinsDiscretizerParams,
  MinMaxScalerParams,
  OneHotEncoderParams,
  OrdinalEncoderParams,
  OutlierClipperParams,
  PolynomialFeaturesParams,
  RobustScalerParams,
  SimpleImputerParams,
  StandardScalerParams,
  TargetEncoderParams,
} from './preprocessing/index.js'
export {
  ColumnTransformer,
  Pipeline,
  makeColumnSelector,
  makeColumnTransformer,
  makePipeline,
} from './compose/index.js'
export type {
  ColumnSelector,
  ColumnTransformerParams,
  MakeColumnTransformerOptions,
  MakePipelineOptions,
  PipelineParams,
  PipelineStep,
} from './compose/index.js'
export { RandomOverSampler, RandomUnderSampler, Smote } from './imbalance/index.js'
export type {
  RandomOverSamplerParams,
  RandomUnderSamplerParams,
  ResampleResult,
  Sampler,
  SamplingStrategy,
  SmoteParams,
} from './imbalance/index.js'

// Models
export {
  ElasticNet,
  Lasso,
  LinearRegression,
  LogisticRegression,
  Ridge,
  enetPath,
  lassoPath,
} from './linear/index.js'
export type {
  ElasticNetParams,
  EnetPath,
  EnetPathOptions,
  LassoParams,
  LinearRegressionParams,
  LogisticRegressionParams,
  RidgeParams,
} from './linear/index.js'
export { KNeighborsClassifier, KNeighborsRegressor } from './neighbors/index.js'
export type { KNeighborsParams } from './neighbors/index.js'
export { GaussianNB } from './naive-bayes/index.js'
export type { GaussianNBParams } from './naive-bayes/index.js'
export { DBSCAN, KMeans, MiniBatchKMeans } from './cluster/index.js'
export type { DBSCANParams, KMeansParams, MiniBatchKMeansParams } from './cluster/index.js'
export { PCA } from './decomposition/index.js'
export type { PCAParams } from './decomposition/index.js'

// Metrics
export {
  SCORER_NAMES,
  accuracyScore,
  auc,
  averagePrecisionScore,
  balancedAccuracyScore,
  brierScoreLoss,
  calibrationCurve,
  calinskiHarabaszScore,
  classificationReport,
  confusionMatrix,
  daviesBouldinScore,
  explainedVarianceScore,
  f1Score,
  fbetaScore,
  getScorer,
  inertia,
  logLoss,
  matthewsCorrcoef,
  maxError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  medianAbsoluteError,
  precisionRecallCurve,
  precisionRecallFscoreSupport,
  precisionScore,
  r2Score,
  recallScore,
  rocAucScore,
  rocCurve,
  rootMeanSquaredError,
  silhouetteSamples,
  silhouetteScore,
  thresholdForRecall,
  thresholdMaxF1,
} from './metrics/index.js'
export type { Scorer, ScorerName } from './metrics/index.js'

// Model selection
export {
  GridSearch,
  GroupKFold,
  KFold,
  RandomSearch,
  ShuffleSplit,
  StratifiedGroupKFold,
  StratifiedKFold,
  StratifiedShuffleSplit,
  TimeSeriesSplit,
  crossValScore,
  crossValidate,
  fitInWorker,
  learningCurve,
  logUniform,
  randInt,
  trainTestSplit,
  uniform,
} from './model-selection/index.js'
export type {
  CrossValidateOptions,
  CrossValidateResult,
  CvSplitter,
  Fold,
  LearningCurve,
  SearchResult,
  TrainTestSplit,
} from './model-selection/index.js'

// Trees
export {
  DecisionTreeClassifier,
  DecisionTreeClassifierModel,
  DecisionTreeRegressor,
  DecisionTreeRegressorModel,
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  ForestClassifierModel,
  ForestRegressorModel,
  RandomForestClassifier,
  RandomForestRegressor,
  GBDTClassifier,
  GBDTClassifierModel,
  GBDTRegressor,
  GBDTRegressorModel,
  XGBoostClassifierModel,
  XGBoostRegressorModel,
  createPredictPool,
  featureImportance,
  importXGBoostModel,
  predictRaw,
  predictRowInto,
  predictRowOutputInto,
} from './tree/index.js'
export type {
  DecisionTreeClassifierParams,
  DecisionTreeRegressorParams,
  ExtraTreesClassifierParams,
  ExtraTreesRegressorParams,
  ForestOutOfBag,
  RandomForestClassifierParams,
  RandomForestRegressorParams,
  TreeFitOptions,
  EvalsResult,
  GBDTClassifierParams,
  GBDTDiagnostics,
  GBDTFitOptions,
  GBDTRegressorParams,
  RegressionObjective,
  TreeEnsemble,
  XGBoostModel,
  XGBoostObjective,
} from './tree/index.js'
