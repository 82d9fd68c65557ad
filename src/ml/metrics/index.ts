/**
 * @module ml/metrics
 * Evaluation metrics matching scikit-learn 1.2: classification (accuracy, precision/recall/F,
 * balanced accuracy, MCC, confusion matrix, report), ranking (ROC and PR curves, ROC AUC, average
 * precision, threshold selection), probabilities (log loss, Brier, calibration curve), regression
 * (MSE, RMSE, MAE, MAPE, R², explained variance, median and max error), clustering (inertia,
 * silhouette, Davies–Bouldin, Calinski–Harabasz), and the scorer registry that model selection
 * uses to score any fitted model by sklearn scoring name.
 *
 * Pure functions: inputs are Columns (labels matched by value, any label dtype), typed arrays or
 * plain arrays; bad input throws `ValidationError` with field-level issues.
 */
export type { LabelsInput, NumbersInput, ProbaInput, ScoreMatrix } from './inputs.js'
export {
  accuracyScore,
  balancedAccuracyScore,
  classificationReport,
  confusionMatrix,
  f1Score,
  fbetaScore,
  matthewsCorrcoef,
  precisionRecallFscore,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
} from './classification.js'
export type {
  Average,
  AveragedScores,
  ClassificationReport,
  ConfusionMatrix,
  ConfusionMatrixOptions,
  PerClassScores,
  PrecisionRecallOptions,
  ReportRow,
  SampleWeightOptions,
} from './classification.js'
export { trapezoid as auc } from './curve.js'
export {
  averagePrecisionScore,
  precisionRecallCurve,
  rocAucScore,
  rocCurve,
  thresholdForRecall,
  thresholdMaxF1,
} from './ranking.js'
export type {
  CurveOptions,
  PrecisionRecallCurve,
  RocAucOptions,
  RocCurve,
  ScoresInput,
  ThresholdChoice,
} from './ranking.js'
export { brierScoreLoss, calibrationCurve, logLoss } from './probabilistic.js'
export type { CalibrationCurve, CalibrationOptions, LogLossOptions } from './probabilistic.js'
export {
  explainedVarianceScore,
  maxError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  medianAbsoluteError,
  r2Score,
  rootMeanSquaredError,
} from './regression.js'
export {
  calinskiHarabaszScore,
  daviesBouldinScore,
  inertia,
  silhouetteSamples,
  silhouetteScore,
} from './clustering.js'
export type { FeaturesInput, SilhouetteOptions } from './clustering.js'
export { SCORER_NAMES, getScorer, isScorerName } from './scorer.js'
export type { ScoreOptions, Scorer, ScorerFnOptions, ScorerName, ScorerNeeds } from './scorer.js'
