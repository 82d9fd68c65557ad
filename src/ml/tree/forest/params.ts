/**
 * The parameters of the forests: scikit-learn 1.2's `RandomForestClassifier`,
 * `RandomForestRegressor`, `ExtraTreesClassifier` and `ExtraTreesRegressor` in camelCase, with
 * the tree parameters of {@link TREE_SHAPE} (counts are integers, fractions lie strictly between
 * 0 and 1, and scikit-learn's `max_features=1.0` / `None` is `maxFeatures: null`).
 */
import { z } from 'zod'

import { MaxFeaturesSchema, TREE_SHAPE } from '../cart/index.js'

const common = {
  /** Trees in the forest. @default 100 */
  nEstimators: z.int().min(1).max(100_000).default(100),
  /**
   * Rows drawn (with replacement) per tree when `bootstrap`: a count, a fraction of the rows,
   * or null for as many as there are rows.
   */
  maxSamples: z.union([z.int().min(1), z.number().gt(0).lt(1), z.null()]).default(null),
  /** Score the forest on the rows each tree did not draw (needs `bootstrap`). @default false */
  oobScore: z.boolean().default(false),
  /**
   * Threads that grow trees (the calling one plus workers), -1 for every core. The forest is
   * the same for every value. @default 1
   */
  nJobs: z.union([z.int().min(1).max(256), z.literal(-1)]).default(1),
  ...TREE_SHAPE,
}

const classWeight = z
  .union([z.enum(['balanced', 'balanced_subsample']), z.record(z.string(), z.number())])
  .optional()
const classCriterion = z.enum(['gini', 'entropy', 'log_loss']).default('gini')

function refineBootstrap(
  v: { bootstrap: boolean; oobScore: boolean; maxSamples: number | null },
  ctx: z.RefinementCtx,
): void {
  if (v.oobScore && !v.bootstrap)
    ctx.addIssue({ code: 'custom', path: ['oobScore'], message: 'needs bootstrap: true' })
  if (v.maxSamples !== null && !v.bootstrap)
    ctx.addIssue({ code: 'custom', path: ['maxSamples'], message: 'needs bootstrap: true' })
}

/** Parameters of {@link RandomForestClassifier}. */
export const RandomForestClassifierParamsSchema = z
  .strictObject({
    /** @default 'gini' */
    criterion: classCriterion,
    /** Features drawn per split. @default 'sqrt' */
    maxFeatures: MaxFeaturesSchema.default('sqrt'),
    /** Draw a bootstrap sample per tree. @default true */
    bootstrap: z.boolean().default(true),
    /**
     * `'balanced'` (on the whole target), `'balanced_subsample'` (on each tree's bootstrap
     * sample) or a weight per class label (`String(label)` keys).
     */
    classWeight,
    ...common,
  })
  .superRefine(refineBootstrap)
/** Parameters as given to {@link RandomForestClassifier}. */
export type RandomForestClassifierParams = z.input<typeof RandomForestClassifierParamsSchema>

/** Parameters of {@link ExtraTreesClassifier}. */
export const ExtraTreesClassifierParamsSchema = z
  .strictObject({
    /** @default 'gini' */
    criterion: classCriterion,
    /** Features drawn per split. @default 'sqrt' */
    maxFeatures: MaxFeaturesSchema.default('sqrt'),
    /** Draw a bootstrap sample per tree. @default false */
    bootstrap: z.boolean().default(false),
    /** As for {@link RandomForestClassifier}. */
    classWeight,
    ...common,
  })
  .superRefine(refineBootstrap)
/** Parameters as given to {@link ExtraTreesClassifier}. */
export type ExtraTreesClassifierParams = z.input<typeof ExtraTreesClassifierParamsSchema>

/** Parameters of {@link RandomForestRegressor}. */
export const RandomForestRegressorParamsSchema = z
  .strictObject({
    /** @default 'squared_error' */
    criterion: z.enum(['squared_error']).default('squared_error'),
    /** Features drawn per split. @default null (all, scikit-learn 1.2's 1.0) */
    maxFeatures: MaxFeaturesSchema.default(null),
    /** @default true */
    bootstrap: z.boolean().default(true),
    ...common,
  })
  .superRefine(refineBootstrap)
/** Parameters as given to {@link RandomForestRegressor}. */
export type RandomForestRegressorParams = z.input<typeof RandomForestRegressorParamsSchema>

/** Parameters of {@link ExtraTreesRegressor}. */
export const ExtraTreesRegressorParamsSchema = z
  .strictObject({
    /** @default 'squared_error' */
    criterion: z.enum(['squared_error']).default('squared_error'),
    /** Features drawn per split. @default null (all, scikit-learn 1.2's 1.0) */
    maxFeatures: MaxFeaturesSchema.default(null),
    /** @default false */
    bootstrap: z.boolean().default(false),
    ...common,
  })
  .superRefine(refineBootstrap)
/** Parameters as given to {@link ExtraTreesRegressor}. */
export type ExtraTreesRegressorParams = z.input<typeof ExtraTreesRegressorParamsSchema>

/** Any forest's parameters after defaults. */
export type ForestResolved =
  | z.output<typeof RandomForestClassifierParamsSchema>
  | z.output<typeof ExtraTreesClassifierParamsSchema>
  | z.output<typeof RandomForestRegressorParamsSchema>
  | z.output<typeof ExtraTreesRegressorParamsSchema>
