/**
 * @module ml/model-selection
 * Model selection: train/test splits, cross-validation splitters that reproduce
 * scikit-learn's folds, cross-validated scores, grid and random hyperparameter search on
 * worker threads, learning curves, and fits that run (and cancel) on a worker.
 *
 * Everything that fits is async: the work runs on a pool of worker threads (`nJobs`), so a
 * long search neither blocks the event loop nor ignores its `AbortSignal`, and the results
 * equal a run on the calling thread (`nJobs: 1`).
 */
export { crossValScore, crossValidate } from './cross-validate.js'
export type {
  CrossValidateOptions,
  CrossValidateResult,
  EvaluationOptions,
  ScoreSummary,
} from './cross-validate.js'
export type { CvOption } from './cv.js'
export { deserializeEstimator, serializeEstimator, setParams } from './estimator-spec.js'
export { fitInWorker } from './fit-in-worker.js'
export type { FitInWorkerOptions } from './fit-in-worker.js'
export { GroupKFold, StratifiedGroupKFold } from './group-kfold.js'
export type { GroupKFoldOptions, StratifiedGroupKFoldOptions } from './group-kfold.js'
export { KFold, StratifiedKFold } from './kfold.js'
export type { KFoldOptions } from './kfold.js'
export { learningCurve } from './learning-curve.js'
export type { LearningCurve, LearningCurveOptions } from './learning-curve.js'
export { choice, expandGrid, logUniform, randInt, sampleParams, uniform } from './param-grid.js'
export type {
  ParamDistribution,
  ParamDistributions,
  ParamDistributionsSpec,
  ParamGrid,
  ParamGridSpec,
  ParamSet,
} from './param-grid.js'
export type { Scoring } from './scoring.js'
export { GridSearch, RandomSearch } from './search.js'
export type {
  RandomSearchOptions,
  SearchFitOptions,
  SearchOptions,
  SearchResult,
} from './search.js'
export { ShuffleSplit, StratifiedShuffleSplit } from './shuffle-split.js'
export type { ShuffleSplitOptions } from './shuffle-split.js'
export { isCvSplitter } from './splitter.js'
export type { CvSplitter, Fold } from './splitter.js'
export { TimeSeriesSplit } from './time-series-split.js'
export type { TimeSeriesSplitOptions } from './time-series-split.js'
export { trainTestSplit } from './train-test-split.js'
export type { TrainTestSplit, TrainTestSplitOptions } from './train-test-split.js'
