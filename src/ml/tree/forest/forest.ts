/**
 * Random forests and extra trees (scikit-learn 1.2's `RandomForestClassifier`,
 * `RandomForestRegressor`, `ExtraTreesClassifier`, `ExtraTreesRegressor`), grown in parallel on
 * worker threads with results independent of the thread count.
 */
import type { z } from 'zod'

import { createRng, ValidationError } from '../../../core/index.js'
import type { Column, Frame } from '../../../frame/index.js'
import {
  assertHasFeatures,
  assertMinRows,
  captureFeatures,
  encodeClasses,
  fitStep,
  parseParams,
  regressionTarget,
  type EncodedTarget,
  type Estimator,
} from '../../base/index.js'
import {
  applyClassWeight,
  prepareTreeData,
  readSampleWeight,
  resolveGrowSpec,
  treeMatrix,
  type TreeFitOptions,
} from '../cart/index.js'
import { makeEnsemble } from '../ensemble/index.js'

import {
  FOREST_KINDS,
  type ForestClassifierModel,
  type ForestRegressorModel,
  makeForestModel,
  type ForestKind,
  type ForestOutOfBag,
} from './forest-model.js'
import { outOfBag, r2Score } from './oob.js'
import {
  ExtraTreesClassifierParamsSchema,
  ExtraTreesRegressorParamsSchema,
  RandomForestClassifierParamsSchema,
  RandomForestRegressorParamsSchema,
  type ExtraTreesClassifierParams,
  type ExtraTreesRegressorParams,
  type ForestResolved,
  type RandomForestClassifierParams,
  type RandomForestRegressorParams,
} from './params.js'
import { resolveJobs, startForestWorkers, trainForest } from './train.js'
import type { ForestJob } from './tree-job.js'

/** How the four forests differ. */
interface Variant {
  readonly kind: ForestKind
  readonly schema: z.ZodType<ForestResolved>
  readonly splitter: 'best' | 'random'
  readonly classifier: boolean
}

function sharedCopy(a: Float64Array, shared: boolean): Float64Array {
  if (!shared) return a
  const out = new Float64Array(new SharedArrayBuffer(a.length * 8))
  out.set(a)
  return out
}

function fitForest(
  v: Variant,
  params: unknown,
  X: Frame,
  y: Column | undefined,
  opts: TreeFitOptions | undefined,
): ForestClassifierModel | ForestRegressorModel {
  const { kind } = v
  const p = parseParams(kind, v.schema, params)
  fitStep(opts, { stage: 'fit', step: 0, total: p.nEstimators })
  assertMinRows(X, 1, kind)
  assertHasFeatures(X, kind)
  const n = X.nRows
  const nf = X.nColumns
  let target: EncodedTarget | undefined
  let yr: Float64Array | undefined
  if (v.classifier) target = encodeClasses(X, y, kind)
  else yr = regressionTarget(X, y, kind)
  const Xm = treeMatrix(X, kind)
  const w = readSampleWeight(n, opts?.sampleWeight)
  const cw = 'classWeight' in p ? p.classWeight : undefined
  if (target !== undefined && cw !== undefined) {
    const perTree = cw === 'balanced_subsample' && p.bootstrap
    if (!perTree) applyClassWeight(w, target, cw === 'balanced_subsample' ? 'balanced' : cw)
  }
  const nBoot = bootstrapSize(p, n)
  const rng = opts?.rng ?? createRng(p.seed)
  const seeds = Array.from({ length: p.nEstimators }, () => rng.uint32())
  const criterion = p.criterion === 'log_loss' ? 'entropy' : p.criterion
  // The absolute leaf weight is set per tree, from the tree's own weights.
  const spec = resolveGrowSpec(p, n, nf, 0, criterion, v.splitter)
  // Workers start before the data is prepared, so their start-up overlaps it.
  const pool = startForestWorkers(resolveJobs(p.nJobs, p.nEstimators))
  const shared = pool.workers.length > 0
  let job: ForestJob
  try {
    const data = prepareTreeData(
      Xm,
      n,
      nf,
      target === undefined
        ? { target: yr! }
        : { classes: target.codes, nClasses: target.classes.length },
      shared,
    )
    job = {
      data,
      baseWeight: sharedCopy(w, shared),
      spec,
      bootstrap: p.bootstrap,
      nBoot,
      balancedSubsample: cw === 'balanced_subsample' && p.bootstrap,
      seeds,
      minWeightFraction: p.minWeightFractionLeaf,
    }
  } catch (err) {
    for (const wk of pool.workers) void wk.terminate().catch(() => undefined)
    throw err
  }
  const trained = trainForest(job, pool, opts)
  const width = target === undefined ? 1 : target.classes.length
  const ensemble = makeEnsemble(
    trained.trees.map((g) => g.tree),
    { nFeatures: nf, nOutputs: width, leafWidth: width, aggregate: 'mean', link: 'identity' },
  )
  const warnings: string[] = []
  let oob: ForestOutOfBag | null = null
  if (p.oobScore) {
    const o = outOfBag(job, ensemble.trees, Xm, width)
    if (o.unscored > 0)
      warnings.push(
        `${o.unscored} row(s) were drawn by every tree and have no out-of-bag score; more trees give a reliable estimate`,
      )
    let score: number
    if (target !== undefined) {
      let hits = 0
      for (let i = 0; i < n; i++) {
        let best = 0
        for (let k = 1; k < width; k++)
          if (o.mean[i * width + k]! > o.mean[i * width + best]!) best = k
        if (best === target.codes[i]) hits++
      }
      score = hits / n
    } else score = r2Score(yr!, o.mean)
    oob = { score, decision: o.mean }
  }
  return makeForestModel(
    {
      kind,
      params: p,
      features: captureFeatures(X),
      ensemble,
      importances: forestImportances(trained.trees, nf),
      oob,
      diagnostics: {
        converged: true,
        nIter: p.nEstimators,
        warnings,
        nThreads: trained.nThreads,
      },
    },
    target === undefined ? undefined : { classes: target.classes, dtype: target.dtype },
  )
}

/** scikit-learn's `_get_n_samples_bootstrap`. */
function bootstrapSize(p: ForestResolved, n: number): number {
  const m = p.maxSamples
  if (m === null) return n
  if (Number.isInteger(m)) {
    if (m > n)
      throw new ValidationError(`maxSamples ${m} exceeds the ${n} row(s)`, [
        { path: ['params', 'maxSamples'], code: 'too_big', message: `must be at most ${n}` },
      ])
    return m
  }
  return Math.max(1, Math.round(n * m))
}

/**
 * scikit-learn's forest `feature_importances_`: the mean of the trees' normalized importances
 * (trees with a split only), normalized again; zeros when no tree split.
 */
function forestImportances(
  trees: readonly {
    readonly tree: { readonly nNodes: number }
    readonly importance: Float64Array
  }[],
  p: number,
): Float64Array {
  const out = new Float64Array(p)
  let used = 0
  for (const g of trees) {
    if (g.tree.nNodes <= 1) continue
    used++
    for (let j = 0; j < p; j++) out[j]! += g.importance[j]!
  }
  if (used === 0) return out
  let sum = 0
  for (let j = 0; j < p; j++) {
    out[j] = out[j]! / used
    sum += out[j]!
  }
  if (sum > 0) for (let j = 0; j < p; j++) out[j] = out[j]! / sum
  return out
}

const RF_CLASSIFIER: Variant = {
  kind: FOREST_KINDS.randomForestClassifier,
  schema: RandomForestClassifierParamsSchema,
  splitter: 'best',
  classifier: true,
}
const RF_REGRESSOR: Variant = {
  kind: FOREST_KINDS.randomForestRegressor,
  schema: RandomForestRegressorParamsSchema,
  splitter: 'best',
  classifier: false,
}
const ET_CLASSIFIER: Variant = {
  kind: FOREST_KINDS.extraTreesClassifier,
  schema: ExtraTreesClassifierParamsSchema,
  splitter: 'random',
  classifier: true,
}
const ET_REGRESSOR: Variant = {
  kind: FOREST_KINDS.extraTreesRegressor,
  schema: ExtraTreesRegressorParamsSchema,
  splitter: 'random',
  classifier: false,
}

/** @internal The variants, for the loaders. */
export const FOREST_VARIANTS = { RF_CLASSIFIER, RF_REGRESSOR, ET_CLASSIFIER, ET_REGRESSOR } as const

/**
 * A random forest classifier (scikit-learn's `RandomForestClassifier`): `nEstimators` CART trees,
 * each grown on a bootstrap sample with `maxFeatures` features drawn per split, averaging their
 * leaf class probabilities. Missing values are learned as by {@link DecisionTreeClassifier}.
 *
 * Tree `t` draws from its own seed (derived from `seed` and `t` only), so the forest is the same
 * for every `nJobs`.
 *
 * @example
 * ```ts
 * const model = new RandomForestClassifier({ nEstimators: 200, nJobs: 2, oobScore: true }).fit(X, y)
 * model.oob?.score            // out-of-bag accuracy
 * model.predictProba(Xtest)
 * ```
 */
export class RandomForestClassifier implements Estimator<
  RandomForestClassifierParams,
  ForestClassifierModel
> {
  readonly kind = RF_CLASSIFIER.kind
  constructor(readonly params: Readonly<RandomForestClassifierParams> = {}) {}
  withParams(patch: Partial<RandomForestClassifierParams>): RandomForestClassifier {
    return new RandomForestClassifier({ ...this.params, ...patch })
  }
  fit(X: Frame, y?: Column, opts?: TreeFitOptions): ForestClassifierModel {
    return fitForest(RF_CLASSIFIER, this.params, X, y, opts) as ForestClassifierModel
  }
}

/**
 * A random forest regressor (scikit-learn's `RandomForestRegressor`): bootstrap CART trees on
 * squared error, averaging their predictions; by default every feature is tried at each split.
 *
 * @example
 * ```ts
 * const model = new RandomForestRegressor({ nEstimators: 100, maxFeatures: 'sqrt' }).fit(X, y)
 * ```
 */
export class RandomForestRegressor implements Estimator<
  RandomForestRegressorParams,
  ForestRegressorModel
> {
  readonly kind = RF_REGRESSOR.kind
  constructor(readonly params: Readonly<RandomForestRegressorParams> = {}) {}
  withParams(patch: Partial<RandomForestRegressorParams>): RandomForestRegressor {
    return new RandomForestRegressor({ ...this.params, ...patch })
  }
  fit(X: Frame, y?: Column, opts?: TreeFitOptions): ForestRegressorModel {
    return fitForest(RF_REGRESSOR, this.params, X, y, opts) as ForestRegressorModel
  }
}

/**
 * Extremely randomized trees for classification (scikit-learn's `ExtraTreesClassifier`): each
 * split draws one uniform threshold per drawn feature and keeps the best; no bootstrap by
 * default.
 *
 * @example
 * ```ts
 * const model = new ExtraTreesClassifier({ nEstimators: 300 }).fit(X, y)
 * ```
 */
export class ExtraTreesClassifier implements Estimator<
  ExtraTreesClassifierParams,
  ForestClassifierModel
> {
  readonly kind = ET_CLASSIFIER.kind
  constructor(readonly params: Readonly<ExtraTreesClassifierParams> = {}) {}
  withParams(patch: Partial<ExtraTreesClassifierParams>): ExtraTreesClassifier {
    return new ExtraTreesClassifier({ ...this.params, ...patch })
  }
  fit(X: Frame, y?: Column, opts?: TreeFitOptions): ForestClassifierModel {
    return fitForest(ET_CLASSIFIER, this.params, X, y, opts) as ForestClassifierModel
  }
}

/**
 * Extremely randomized trees for regression (scikit-learn's `ExtraTreesRegressor`).
 *
 * @example
 * ```ts
 * const model = new ExtraTreesRegressor({ nEstimators: 300 }).fit(X, y)
 * ```
 */
export class ExtraTreesRegressor implements Estimator<
  ExtraTreesRegressorParams,
  ForestRegressorModel
> {
  readonly kind = ET_REGRESSOR.kind
  constructor(readonly params: Readonly<ExtraTreesRegressorParams> = {}) {}
  withParams(patch: Partial<ExtraTreesRegressorParams>): ExtraTreesRegressor {
    return new ExtraTreesRegressor({ ...this.params, ...patch })
  }
  fit(X: Frame, y?: Column, opts?: TreeFitOptions): ForestRegressorModel {
    return fitForest(ET_REGRESSOR, this.params, X, y, opts) as ForestRegressorModel
  }
}
