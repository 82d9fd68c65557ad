/**
 * The parameters of `tree.gbdt-classifier` and `tree.gbdt-regressor`: XGBoost 1.7's booster
 * parameters (`tree_method='hist'`) in camelCase, with XGBoost's defaults.
 */
import { z } from 'zod'

const finite = (s: z.ZodNumber): z.ZodNumber =>
  s.refine((v) => Number.isFinite(v), 'must be finite')

/** The parameters both GBDT estimators share. */
const COMMON = {
  /** Boosting rounds (XGBoost `n_estimators`). @default 100 */
  nEstimators: z.int().min(1).max(100_000).default(100),
  /** Shrinkage of every leaf (XGBoost `eta` / `learning_rate`). @default 0.3 */
  learningRate: finite(z.number().gt(0)).default(0.3),
  /** Maximum tree depth, 0 for no limit (lossguide only) (XGBoost `max_depth`). @default 6 */
  maxDepth: z.int().min(0).max(64).default(6),
  /** Maximum leaves per tree, 0 for no limit (XGBoost `max_leaves`). @default 0 */
  maxLeaves: z
    .int()
    .min(0)
    .max(1 << 20)
    .default(0),
  /**
   * `'depthwise'` splits every node of a level before the next (XGBoost's default);
   * `'lossguide'` splits the leaf with the largest gain first (LightGBM's leaf-wise growth,
   * bounded by `maxLeaves`) (XGBoost `grow_policy`). @default 'depthwise'
   */
  growPolicy: z.enum(['depthwise', 'lossguide']).default('depthwise'),
  /**
   * Value bins per numeric feature, at most 255 (one more slot holds missing values)
   * (XGBoost `max_bin`, whose 256 also gives 255 value bins here). @default 256
   */
  maxBin: z.int().min(2).max(256).default(256),
  /** Minimum hessian sum in a child (XGBoost `min_child_weight`). @default 1 */
  minChildWeight: finite(z.number().min(0)).default(1),
  /** Minimum loss reduction to make a split (XGBoost `gamma` / `min_split_loss`). @default 0 */
  gamma: finite(z.number().min(0)).default(0),
  /** L2 regularisation of leaf weights (XGBoost `lambda` / `reg_lambda`). @default 1 */
  regLambda: finite(z.number().min(0)).default(1),
  /** L1 regularisation of leaf weights (XGBoost `alpha` / `reg_alpha`). @default 0 */
  regAlpha: finite(z.number().min(0)).default(0),
  /**
   * Largest absolute leaf weight before shrinkage, 0 for none (XGBoost `max_delta_step`).
   * Default: 0, except 0.7 for the Poisson loss, where it also damps the hessian
   * `exp(margin + maxDeltaStep)`, as in XGBoost's `count:poisson`.
   */
  maxDeltaStep: finite(z.number().min(0)).optional(),
  /** Share of rows each tree sees, drawn anew per tree (XGBoost `subsample`). @default 1 */
  subsample: z.number().gt(0).max(1).default(1),
  /** Share of features each tree sees (XGBoost `colsample_bytree`). @default 1 */
  colsampleByTree: z.number().gt(0).max(1).default(1),
  /** Share of the tree's features each split considers (XGBoost `colsample_bynode`). @default 1 */
  colsampleByNode: z.number().gt(0).max(1).default(1),
  /**
   * Stop when the validation metric has not improved for this many rounds, and keep the trees
   * up to the best round (XGBoost `early_stopping_rounds`). The validation set is the fit
   * option `validation`, or else a `validationFraction` of the training rows.
   */
  earlyStoppingRounds: z.int().min(1).optional(),
  /**
   * Share of the training rows held out (seeded, stratified for classifiers) as the validation
   * set when `earlyStoppingRounds` is set and fit gets no `validation` (scikit-learn
   * HistGradientBoosting's `validation_fraction`). @default 0.1
   */
  validationFraction: z.number().gt(0).lt(1).default(0.1),
  /**
   * Per-feature monotone constraints, in column order: 1 increasing, -1 decreasing, 0 none
   * (XGBoost `monotone_constraints`); or a record from column name to constraint.
   */
  monotoneConstraints: z
    .union([
      z.array(z.union([z.literal(-1), z.literal(0), z.literal(1)])),
      z.record(z.string(), z.union([z.literal(-1), z.literal(0), z.literal(1)])),
    ])
    .optional(),
  /**
   * Categorical features with at most this many categories get one-vs-rest splits; more get
   * partition splits (categories sorted by gradient/hessian ratio) (XGBoost
   * `max_cat_to_onehot`). @default 4
   */
  maxCatToOnehot: z.int().min(1).max(255).default(4),
  /** Most categories on the accumulated side of a partition split (XGBoost `max_cat_threshold`). @default 64 */
  maxCatThreshold: z.int().min(1).max(255).default(64),
  /**
   * Threads for histogram building and row partitioning. The model does not depend on it
   * (XGBoost `n_jobs`). Default: the engine's choice for the data size.
   */
  nThreads: z.int().min(1).max(64).optional(),
  /** Seed of row and column sampling and of the validation split (XGBoost `random_state`). @default 0 */
  seed: z.int().min(0).max(0xffffffff).default(0),
}

/** Parameters of {@link GBDTClassifier} (zod schema; defaults applied at fit). */
export const GBDTClassifierParamsSchema = z.strictObject({
  ...COMMON,
  /**
   * The initial prediction as a probability (XGBoost `base_score`, 0.5 in 1.7: margin 0 for the
   * logistic loss; the softmax adds it to every class's margin, which changes nothing).
   * @default 0.5
   */
  baseScore: z.number().gt(0).lt(1).default(0.5),
  /** `'balanced'` (`n / (k·countₖ)`) or a weight per class label (`String(label)` keys). */
  classWeight: z.union([z.literal('balanced'), z.record(z.string(), z.number())]).optional(),
})

/** The regression losses (XGBoost objective in brackets). */
export const REGRESSION_OBJECTIVES = [
  'squared-error', // reg:squarederror
  'absolute-error', // reg:absoluteerror
  'huber', // reg:pseudohubererror
  'quantile', // reg:quantileerror (XGBoost 2.0)
  'poisson', // count:poisson
] as const

/** Parameters of {@link GBDTRegressor} (zod schema; defaults applied at fit). */
export const GBDTRegressorParamsSchema = z
  .strictObject({
    ...COMMON,
    /**
     * The loss: `'squared-error'` (XGBoost `reg:squarederror`), `'absolute-error'`
     * (`reg:absoluteerror`, leaves refitted to the median residual), `'huber'`
     * (`reg:pseudohubererror`), `'quantile'` (pinball loss at `quantileAlpha`, leaves refitted
     * to that quantile of the residuals, as XGBoost 2.0's `reg:quantileerror`) or `'poisson'`
     * (`count:poisson`, log link). @default 'squared-error'
     */
    objective: z.enum(REGRESSION_OBJECTIVES).default('squared-error'),
    /**
     * The initial prediction (XGBoost `base_score`). Default: 0.5 (XGBoost 1.7) for
     * squared error, Huber and Poisson; the (weighted) median, or the `quantileAlpha`
     * quantile, of y for the absolute and quantile losses, as XGBoost estimates it.
     */
    baseScore: finite(z.number()).optional(),
    /** The slope δ of the pseudo-Huber loss (XGBoost `huber_slope`). @default 1 */
    huberSlope: finite(z.number().gt(0)).default(1),
    /** The quantile the quantile loss fits (XGBoost 2.0 `quantile_alpha`). @default 0.5 */
    quantileAlpha: z.number().gt(0).lt(1).default(0.5),
  })
  .superRefine((v, ctx) => {
    if (v.objective === 'poisson' && v.baseScore !== undefined && !(v.baseScore > 0))
      ctx.addIssue({ code: 'custom', path: ['baseScore'], message: 'must be > 0 for poisson' })
  })

/** The parameters as given to {@link GBDTClassifier}. */
export type GBDTClassifierParams = z.input<typeof GBDTClassifierParamsSchema>
/** The classifier parameters after defaults. */
export type GBDTClassifierResolved = z.output<typeof GBDTClassifierParamsSchema>
/** The parameters as given to {@link GBDTRegressor}. */
export type GBDTRegressorParams = z.input<typeof GBDTRegressorParamsSchema>
/** The regressor parameters after defaults. */
export type GBDTRegressorResolved = z.output<typeof GBDTRegressorParamsSchema>
/** A regression loss. */
export type RegressionObjective = (typeof REGRESSION_OBJECTIVES)[number]
/** The parameters both estimators share, after defaults. */
export type GBDTCommonResolved = Omit<GBDTClassifierResolved, 'baseScore' | 'classWeight'>
