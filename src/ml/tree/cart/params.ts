/**
 * The parameters of the CART trees (scikit-learn 1.2's `DecisionTreeClassifier` and
 * `DecisionTreeRegressor` in camelCase), the fields forests share with them, and their
 * resolution into a {@link GrowSpec} for `n` rows and `p` features.
 *
 * JSON cannot tell `1` from `1.0`, so where scikit-learn reads an int as a count and a float as
 * a fraction, an integer is a count and a number strictly between 0 and 1 is a fraction;
 * scikit-learn's `max_features=None` (or `1.0`) is `maxFeatures: null`.
 */
import { z } from 'zod'

import { ValidationError } from '../../../core/index.js'

import type { Criterion, GrowSpec } from './grow.js'

const fraction = z.number().gt(0).lt(1)

/** `maxFeatures`: `'sqrt'`, `'log2'`, a count, a fraction of the features, or null for all. */
export const MaxFeaturesSchema = z.union([
  z.enum(['sqrt', 'log2']),
  z.int().min(1),
  fraction,
  z.null(),
])
/** The `maxFeatures` value as given. */
export type MaxFeatures = z.infer<typeof MaxFeaturesSchema>

/** Growth parameters shared by trees and forests (zod shape). */
export const TREE_SHAPE = {
  /** Maximum depth; null or absent: grow until the other limits stop it. */
  maxDepth: z.int().min(1).nullable().optional(),
  /** Rows a node needs to be split: a count ≥ 2 or a fraction of the rows (`1` = all). @default 2 */
  minSamplesSplit: z.union([z.int().min(2), z.number().gt(0).max(1)]).default(2),
  /** Rows each leaf needs: a count ≥ 1 or a fraction in (0, 1). @default 1 */
  minSamplesLeaf: z.union([z.int().min(1), fraction]).default(1),
  /** Minimum share of the total sample weight in each leaf, in [0, 0.5]. @default 0 */
  minWeightFractionLeaf: z.number().min(0).max(0.5).default(0),
  /** Grow best-first with at most this many leaves (≥ 2); null or absent: depth-first, no limit. */
  maxLeafNodes: z.int().min(2).nullable().optional(),
  /** A node is split only if the weighted impurity decrease is at least this. @default 0 */
  minImpurityDecrease: z
    .number()
    .min(0)
    .refine((v) => Number.isFinite(v), 'must be finite')
    .default(0),
  /** Seed of feature sampling (and bootstrap and thresholds in forests). @default 0 */
  seed: z.int().min(0).max(0xffffffff).default(0),
} as const

/** Class weights of a tree classifier. */
export const ClassWeightSchema = z.union([z.literal('balanced'), z.record(z.string(), z.number())])

/** Parameters of {@link DecisionTreeClassifier}. */
export const DecisionTreeClassifierParamsSchema = z.strictObject({
  /** `'gini'`, or `'entropy'` / `'log_loss'` (Shannon entropy, the same criterion). @default 'gini' */
  criterion: z.enum(['gini', 'entropy', 'log_loss']).default('gini'),
  /** `'best'` (exact search) or `'random'` (one random threshold per drawn feature). @default 'best' */
  splitter: z.enum(['best', 'random']).default('best'),
  /** Features drawn per split. @default null (all) */
  maxFeatures: MaxFeaturesSchema.default(null),
  /** `'balanced'` (`n / (k·countₖ)`) or a weight per class label (`String(label)` keys). */
  classWeight: ClassWeightSchema.optional(),
  ...TREE_SHAPE,
})
/** Parameters as given to {@link DecisionTreeClassifier}. */
export type DecisionTreeClassifierParams = z.input<typeof DecisionTreeClassifierParamsSchema>
/** Parameters after defaults. */
export type DecisionTreeClassifierResolved = z.output<typeof DecisionTreeClassifierParamsSchema>

/** Parameters of {@link DecisionTreeRegressor}. */
export const DecisionTreeRegressorParamsSchema = z.strictObject({
  /** Only `'squared_error'` (variance reduction). @default 'squared_error' */
  criterion: z.enum(['squared_error']).default('squared_error'),
  /** @default 'best' */
  splitter: z.enum(['best', 'random']).default('best'),
  /** Features drawn per split. @default null (all) */
  maxFeatures: MaxFeaturesSchema.default(null),
  ...TREE_SHAPE,
})
/** Parameters as given to {@link DecisionTreeRegressor}. */
export type DecisionTreeRegressorParams = z.input<typeof DecisionTreeRegressorParamsSchema>
/** Parameters after defaults. */
export type DecisionTreeRegressorResolved = z.output<typeof DecisionTreeRegressorParamsSchema>

/** The growth fields of a resolved tree or forest parameter set. */
export interface GrowParams {
  readonly maxDepth?: number | null | undefined
  readonly minSamplesSplit: number
  readonly minSamplesLeaf: number
  readonly minWeightFractionLeaf: number
  readonly maxLeafNodes?: number | null | undefined
  readonly minImpurityDecrease: number
  readonly maxFeatures: MaxFeatures
}

/**
 * scikit-learn's resolution of the growth parameters for `n` rows, `p` features and total
 * sample weight `weightSum`.
 *
 * @throws ValidationError if `maxFeatures` exceeds the number of features.
 */
export function resolveGrowSpec(
  g: GrowParams,
  n: number,
  p: number,
  weightSum: number,
  criterion: Criterion,
  splitter: 'best' | 'random',
): GrowSpec {
  const msl = Number.isInteger(g.minSamplesLeaf)
    ? g.minSamplesLeaf
    : Math.ceil(g.minSamplesLeaf * n)
  const mssRaw =
    Number.isInteger(g.minSamplesSplit) && g.minSamplesSplit >= 2
      ? g.minSamplesSplit
      : Math.max(2, Math.ceil(g.minSamplesSplit * n))
  const mf = g.maxFeatures
  let maxFeatures: number
  if (mf === null) maxFeatures = p
  else if (mf === 'sqrt') maxFeatures = Math.max(1, Math.floor(Math.sqrt(p)))
  else if (mf === 'log2') maxFeatures = Math.max(1, Math.floor(Math.log2(p)))
  else if (Number.isInteger(mf)) {
    if (mf > p) {
      throw new ValidationError(`maxFeatures ${mf} exceeds the ${p} feature(s)`, [
        {
          path: ['params', 'maxFeatures'],
          code: 'too_big',
          message: `must be at most the number of features (${p})`,
        },
      ])
    }
    maxFeatures = mf
  } else maxFeatures = Math.max(1, Math.floor(mf * p))
  return {
    criterion,
    splitter,
    maxDepth: g.maxDepth ?? Infinity,
    minSamplesSplit: Math.max(mssRaw, 2 * msl),
    minSamplesLeaf: msl,
    minWeightLeaf: g.minWeightFractionLeaf * weightSum,
    maxFeatures,
    maxLeafNodes: g.maxLeafNodes ?? 0,
    minImpurityDecrease: g.minImpurityDecrease,
  }
}
