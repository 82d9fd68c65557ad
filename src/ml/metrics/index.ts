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
export type { NumbersInput, ProbaInput, ScoreMatrix } from './inputs.js'
export type { LabelsInput } from './labels.js'
export {
  accuracyScore,
  balancedAccuracyScore,
  confusionMatrix,
  matthewsCorrcoef,
} from './classification.js'
export type {
  ConfusionMatrix,
  ConfusionMatrixOptions,
  SampleWeightOptions,
} from './classification.js'
export {
  classificationReport,
  f1Score,
  fbetaScore,
  precisionRecallFscore,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
} from './precision-recall.js'
export type {
  Average,
  AveragedScores,
  ClassificationReport,
  PerClassScores,
  PrecisionRecallOptions,
  ReportRow,
} from './precision-recall.js'
export { trapezoid as auc } from './curve.js'
export type { CurveOptions, ScoresInput } from './ranking-input.js'
export { rocAucScore, rocCurve } from './roc.js'
export type { RocAucOptions, RocCurve } from './roc.js'
export {
  averagePrecisionScore,
  precisionRecallCurve,
  thresholdForRecall,
  thresholdMaxF1,
} from './pr-curve.js'
export type { PrecisionRecallCurve, ThresholdChoice } from './pr-curve.js'
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
