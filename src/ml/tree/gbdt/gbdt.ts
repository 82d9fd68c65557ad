/**
 * `tree.gbdt-classifier` and `tree.gbdt-regressor`: histogram gradient-boosted trees with
 * XGBoost 1.7's `tree_method='hist'` semantics, so equal settings give XGBoost's trees.
 *
 * ## Where results can differ from XGBoost 1.7
 * With the same cut points the trees are XGBoost's (the fixture tests match its margins to about
 * 1e-7 relative; the rest is float32 rounding). They differ when:
 * - a feature has more distinct training values than bins: the cut points come from the
 *   histogram engine's quantile selection, not XGBoost's sketch; and `maxBin` is at most 255
 *   value bins (bins are bytes, one slot is the missing bin), where XGBoost's 256 gives 256;
 * - rows or columns are sampled (`subsample`, `colsample*`): Plinth's seeded RNG is not XGBoost's;
 * - `absolute-error`: leaves are refitted to the median residual and then shrunk by
 *   `learningRate`, as in XGBoost 2.0 (1.7 leaves them unshrunk);
 * - a split that sends every present value one way gets threshold ±Infinity (XGBoost uses
 *   just beyond the training range), so only out-of-range values at predict time differ;
 * - a category fit never saw is treated as missing (XGBoost sends unknown codes right);
 * - the pseudo-Huber metric (`mphe`) uses `huberSlope` (XGBoost 1.7's metric uses slope 1).
 */
import { availableParallelism } from 'node:os'

import { ValidationError, createRng, type Rng, type ValidationIssue } from '../../../core/index.js'
import type { Column, Frame } from '../../../frame/index.js'
import {
  assertHasFeatures,
  assertMinClasses,
  assertMinRows,
  classWeights,
  encodeClasses,
  fitStep,
  parseParams,
  readSampleWeight,
  regressionTarget,
  sampleWeightsFromClasses,
  type Estimator,
  type FeatureSpec,
  type FitOptions,
} from '../../base/index.js'
import { makeEnsemble } from '../ensemble/index.js'

import { boost, type BoostData, type DenseRows } from './boost.js'
import {
  GBDTClassifierModel,
  GBDTRegressorModel,
  GBDT_CLASSIFIER_KIND,
  GBDT_REGRESSOR_KIND,
  type GBDTDiagnostics,
  type GBDTFitted,
} from './gbdt-model.js'
import type { GrowParams } from './grow.js'
import { fitRows, predictRows } from './input.js'
import {
  absoluteErrorObjective,
  huberObjective,
  logisticObjective,
  poissonObjective,
  quantileObjective,
  softmaxObjective,
  squaredErrorObjective,
  xgbQuantile,
  type Objective,
} from './objectives.js'
import {
  GBDTClassifierParamsSchema,
  GBDTRegressorParamsSchema,
  type GBDTClassifierParams,
  type GBDTCommonResolved,
  type GBDTRegressorParams,
  type GBDTRegressorResolved,
} from './params.js'

/** {@link FitOptions} of the GBDT estimators. */
export interface GBDTFitOptions extends FitOptions {
  /** One finite, non-negative weight per row (XGBoost `sample_weight`). */
  readonly sampleWeight?: Float64Array | Column
  /**
   * The validation set of early stopping and of the per-round validation metric (XGBoost's
   * last `eval_set`). Without it, `earlyStoppingRounds` holds out `validationFraction` of X.
   */
  readonly validation?: {
    readonly X: Frame
    readonly y: Column
    readonly sampleWeight?: Float64Array | Column
  }
  /**
   * Compute the training metric every round (`evalsResult.train` and the `train-…` progress
   * metric). It costs a pass with a `log` or `exp` per row and round (about 5% of a fit), so by
   * default it runs only when someone listens: true when `onProgress` is given, else false.
   */
  readonly evalTrain?: boolean
}

/** XGBoost's `max_delta_step` default for `count:poisson`. */
const POISSON_MAX_DELTA_STEP = 0.7

/** Work (rows × features) from which the default thread count is the machine's cores. */
const PARALLEL_WORK = 1 << 20

/**
 * Gradient-boosted trees for classification (XGBoost's `XGBClassifier` with
 * `tree_method='hist'`): binary log loss (`binary:logistic`) for two classes, softmax
 * (`multi:softprob`) for more. Missing values get a learned direction per split, `cat` columns
 * native categorical splits.
 *
 * @example
 * ```ts
 * const model = new GBDTClassifier({ nEstimators: 200, maxDepth: 4, learningRate: 0.1 }).fit(X, y)
 * model.predictProba(X)            // one column per class
 * model.featureImportance('gain')  // { x0: 12.5, … }
 * ```
 */
export class GBDTClassifier implements Estimator<GBDTClassifierParams, GBDTClassifierModel> {
  readonly kind = GBDT_CLASSIFIER_KIND
  constructor(readonly params: Readonly<GBDTClassifierParams> = {}) {}
  withParams(patch: Partial<GBDTClassifierParams>): GBDTClassifier {
    return new GBDTClassifier({ ...this.params, ...patch })
  }

  fit(X: Frame, y?: Column, opts?: GBDTFitOptions): GBDTClassifierModel {
    const kind = GBDT_CLASSIFIER_KIND
    const p = parseParams(kind, GBDTClassifierParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: p.nEstimators })
    assertMinRows(X, 1, kind)
    assertHasFeatures(X, kind)
    const target = encodeClasses(X, y, kind)
    assertMinClasses(target, 2, kind)
    const k = target.classes.length
    const { rows, features, categorical } = fitRows(X, kind)
    let w = sampleWeights(X.nRows, opts?.sampleWeight, 'sampleWeight')
    if (p.classWeight !== undefined) {
      const cw = sampleWeightsFromClasses(target, classWeights(target, p.classWeight))
      w = w === undefined ? cw : w.map((v, i) => v * cw[i]!)
    }
    const y64 = Float64Array.from(target.codes)
    let valid: BoostData | undefined
    if (opts?.validation !== undefined) {
      const v = opts.validation
      const vt = underValidation(() => encodeClasses(v.X, v.y, kind))
      const index = new Map(target.classes.map((c, i) => [c, i]))
      const codes = new Float64Array(vt.codes.length)
      for (let i = 0; i < codes.length; i++) {
        const c = index.get(vt.classes[vt.codes[i]!]!)
        if (c === undefined)
          throw new ValidationError('the validation target has a class y does not have', [
            {
              path: ['validation', 'y'],
              code: 'unknown_class',
              message: `class ${String(vt.classes[vt.codes[i]!])} at row ${i} is not in y`,
            },
          ])
        codes[i] = c
      }
      valid = {
        X: underValidation(() => predictRows(v.X, features, kind)),
        y: codes,
        w: sampleWeights(v.X.nRows, v.sampleWeight, 'validation.sampleWeight'),
      }
    }
    const objective = k === 2 ? logisticObjective() : softmaxObjective(k)
    // XGBoost 1.7: base_score is a probability for the logistic loss (margin = logit) and is
    // added as is to every class's margin by the softmax.
    const base = k === 2 ? Math.log(p.baseScore / (1 - p.baseScore)) : p.baseScore
    const baseMargin = new Float64Array(objective.nOutputs).fill(Math.fround(base))
    const fitted = fitBoosted(
      kind,
      p,
      features,
      categorical,
      { X: rows, y: y64, w },
      valid,
      objective,
      baseMargin,
      target.codes,
      opts,
    )
    return new GBDTClassifierModel(p, fitted, { classes: target.classes, dtype: target.dtype })
  }
}

/**
 * Gradient-boosted trees for regression (XGBoost's `XGBRegressor` with `tree_method='hist'`):
 * squared error, absolute error, pseudo-Huber, quantile (pinball) or Poisson loss.
 *
 * @example
 * ```ts
 * const model = new GBDTRegressor({ objective: 'huber', huberSlope: 2 }).fit(X, y)
 * model.predict(X)
 * ```
 */
export class GBDTRegressor implements Estimator<GBDTRegressorParams, GBDTRegressorModel> {
  readonly kind = GBDT_REGRESSOR_KIND
  constructor(readonly params: Readonly<GBDTRegressorParams> = {}) {}
  withParams(patch: Partial<GBDTRegressorParams>): GBDTRegressor {
    return new GBDTRegressor({ ...this.params, ...patch })
  }

  fit(X: Frame, y?: Column, opts?: GBDTFitOptions): GBDTRegressorModel {
    const kind = GBDT_REGRESSOR_KIND
    const p = parseParams(kind, GBDTRegressorParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: p.nEstimators })
    assertMinRows(X, 1, kind)
    assertHasFeatures(X, kind)
    const y64 = regressionTarget(X, y, kind)
    if (p.objective === 'poisson') assertNonNegative(y64, ['y'])
    const { rows, features, categorical } = fitRows(X, kind)
    const w = sampleWeights(X.nRows, opts?.sampleWeight, 'sampleWeight')
    let valid: BoostData | undefined
    if (opts?.validation !== undefined) {
      const v = opts.validation
      const vy = underValidation(() => regressionTarget(v.X, v.y, kind))
      if (p.objective === 'poisson') assertNonNegative(vy, ['validation', 'y'])
      valid = {
        X: underValidation(() => predictRows(v.X, features, kind)),
        y: vy,
        w: sampleWeights(v.X.nRows, v.sampleWeight, 'validation.sampleWeight'),
      }
    }
    const objective = regressionObjective(p)
    const baseMargin = Float64Array.of(Math.fround(regressionBase(p, y64, w)))
    const fitted = fitBoosted(
      kind,
      p,
      features,
      categorical,
      { X: rows, y: y64, w },
      valid,
      objective,
      baseMargin,
      undefined,
      opts,
    )
    return new GBDTRegressorModel(p, fitted)
  }
}

/** Runs `fn`, prefixing the paths of its `ValidationError` issues with `validation`. */
function underValidation<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err
    throw new ValidationError(
      `invalid validation set: ${err.message}`,
      err.issues.map((i) => ({ ...i, path: ['validation', ...i.path] })),
      {},
      { cause: err },
    )
  }
}

function regressionObjective(p: GBDTRegressorResolved): Objective {
  switch (p.objective) {
    case 'squared-error':
      return squaredErrorObjective()
    case 'absolute-error':
      return absoluteErrorObjective()
    case 'huber':
      return huberObjective(p.huberSlope)
    case 'quantile':
      return quantileObjective(p.quantileAlpha)
    case 'poisson':
      return poissonObjective(p.maxDeltaStep ?? POISSON_MAX_DELTA_STEP)
  }
}

/** The initial margin: `baseScore`, or XGBoost's default for the loss. */
function regressionBase(
  p: GBDTRegressorResolved,
  y: Float64Array,
  w: Float64Array | undefined,
): number {
  const alpha =
    p.objective === 'absolute-error'
      ? 0.5
      : p.objective === 'quantile'
        ? p.quantileAlpha
        : undefined
  let base = p.baseScore
  if (base === undefined) {
    base =
      alpha === undefined
        ? 0.5
        : xgbQuantile(
            alpha,
            y,
            Uint32Array.from({ length: y.length }, (_, i) => i),
            y.length,
            w,
          )
  }
  return p.objective === 'poisson' ? Math.log(base) : base
}

function fitBoosted(
  kind: string,
  p: GBDTCommonResolved,
  features: readonly FeatureSpec[],
  categorical: readonly number[],
  train: BoostData,
  validIn: BoostData | undefined,
  objective: Objective,
  baseMargin: Float64Array,
  strata: Int32Array | undefined,
  opts: GBDTFitOptions | undefined,
): GBDTFitted {
  const maxDeltaStep =
    p.maxDeltaStep ?? (objective.name === 'count:poisson' ? POISSON_MAX_DELTA_STEP : 0)
  const rng: Rng = opts?.rng ?? createRng(p.seed)
  const warnings: string[] = []
  let fitData = train
  let valid = validIn
  if (valid === undefined && p.earlyStoppingRounds !== undefined) {
    const split = holdOut(train.X.nRows, p.validationFraction, rng, strata)
    if (split === undefined) {
      warnings.push('too few rows to hold out a validation set: early stopping is off')
    } else {
      fitData = subset(train, split.train)
      valid = subset(train, split.valid)
    }
  }
  const nFeatures = features.length
  const monotone = monotoneVector(p.monotoneConstraints, features, categorical, kind)
  const grow: GrowParams = {
    minChildWeight: p.minChildWeight,
    lambda: p.regLambda,
    alpha: p.regAlpha,
    maxDeltaStep,
    maxCatToOnehot: p.maxCatToOnehot,
    maxCatThreshold: p.maxCatThreshold,
    monotone,
    maxDepth: p.maxDepth,
    maxLeaves: p.maxLeaves,
    lossguide: p.growPolicy === 'lossguide',
    gamma: p.gamma,
    learningRate: p.learningRate,
    colsampleByNode: p.colsampleByNode,
  }
  if (grow.maxDepth === 0 && grow.maxLeaves === 0)
    throw new ValidationError('invalid parameters for ' + kind, [
      {
        path: ['params', 'maxDepth'],
        code: 'invalid_value',
        message: 'maxDepth 0 (no limit) needs maxLeaves > 0',
      },
    ])
  const n = fitData.X.nRows
  const nThreads =
    p.nThreads ?? (n * nFeatures >= PARALLEL_WORK ? Math.min(availableParallelism(), 8) : 1)
  const r = boost(
    fitData,
    valid,
    {
      objective,
      grow,
      nEstimators: p.nEstimators,
      maxBin: p.maxBin,
      subsample: p.subsample,
      colsampleByTree: p.colsampleByTree,
      earlyStoppingRounds: p.earlyStoppingRounds,
      categorical,
      nThreads,
      baseMargin,
      evalTrain: opts?.evalTrain ?? opts?.onProgress !== undefined,
    },
    rng,
    opts,
  )
  const ensemble = makeEnsemble(r.trees, {
    nFeatures,
    nOutputs: objective.nOutputs,
    treeGroup: r.treeGroup,
    baseScore: baseMargin,
    link: objective.link,
    precision: 'f32',
  })
  const diagnostics: GBDTDiagnostics = {
    converged: true,
    nIter: r.nRounds,
    warnings,
    nTrees: r.trees.length,
    stopReason: r.stopReason,
    ...(r.bestIteration === undefined ? {} : { bestIteration: r.bestIteration }),
    nThreads: r.nThreads,
  }
  return {
    features,
    ensemble,
    metric: objective.metric,
    train: r.train,
    validation: r.validation,
    diagnostics,
  }
}

/** Seeded hold-out of a `fraction` of `n` rows, stratified by `strata` when given. */
function holdOut(
  n: number,
  fraction: number,
  rng: Rng,
  strata: Int32Array | undefined,
): { train: Uint32Array; valid: Uint32Array } | undefined {
  const groups = new Map<number, number[]>()
  for (let i = 0; i < n; i++) {
    const g = strata === undefined ? 0 : strata[i]!
    let list = groups.get(g)
    if (list === undefined) groups.set(g, (list = []))
    list.push(i)
  }
  const isValid = new Uint8Array(n)
  for (const g of [...groups.keys()].sort((a, b) => a - b)) {
    const list = Uint32Array.from(groups.get(g)!)
    rng.shuffle(list)
    const take = Math.round(fraction * list.length)
    for (let i = 0; i < take; i++) isValid[list[i]!] = 1
  }
  let nv = 0
  for (let i = 0; i < n; i++) nv += isValid[i]!
  if (nv === 0 || nv === n) return undefined
  const train = new Uint32Array(n - nv)
  const valid = new Uint32Array(nv)
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (isValid[i] === 1) valid[b++] = i
    else train[a++] = i
  }
  return { train, valid }
}

function subset(d: BoostData, idx: Uint32Array): BoostData {
  const p = d.X.nCols
  const data = new Float32Array(idx.length * p)
  for (let i = 0; i < idx.length; i++)
    data.set(d.X.data.subarray(idx[i]! * p, idx[i]! * p + p), i * p)
  const rows: DenseRows = { data, nRows: idx.length, nCols: p }
  return {
    X: rows,
    y: Float64Array.from(idx, (i) => d.y[i]!),
    w: d.w === undefined ? undefined : Float64Array.from(idx, (i) => d.w![i]!),
  }
}

function monotoneVector(
  spec: GBDTCommonResolved['monotoneConstraints'],
  features: readonly FeatureSpec[],
  categorical: readonly number[],
  kind: string,
): Int8Array | undefined {
  if (spec === undefined) return undefined
  const out = new Int8Array(features.length)
  const issues: ValidationIssue[] = []
  if (Array.isArray(spec)) {
    if (spec.length !== features.length)
      issues.push({
        path: ['params', 'monotoneConstraints'],
        code: 'length_mismatch',
        message: `expected ${features.length} constraints (one per column), got ${spec.length}`,
      })
    else spec.forEach((c, j) => (out[j] = c))
  } else {
    const names = features.map((f) => f.name)
    for (const [name, c] of Object.entries(spec)) {
      const j = names.indexOf(name)
      if (j < 0)
        issues.push({
          path: ['params', 'monotoneConstraints', name],
          code: 'unknown_column',
          message: `"${name}" is not a column of X`,
        })
      else out[j] = c
    }
  }
  for (const j of categorical)
    if (out[j] !== 0)
      issues.push({
        path: ['params', 'monotoneConstraints', features[j]!.name],
        code: 'invalid_value',
        message: `"${features[j]!.name}" is categorical and cannot be monotone`,
      })
  if (issues.length > 0) throw new ValidationError(`invalid parameters for ${kind}`, issues)
  return out.some((c) => c !== 0) ? out : undefined
}

function assertNonNegative(y: Float64Array, path: string[]): void {
  const i = y.findIndex((v) => v < 0)
  if (i >= 0)
    throw new ValidationError('the poisson loss needs non-negative targets', [
      { path, code: 'invalid_value', message: `negative value ${y[i]} at row ${i}` },
    ])
}

/** Validates a weight option; `undefined` when absent (all rows weigh 1). */
function sampleWeights(
  n: number,
  sw: Float64Array | Column | undefined,
  name: string,
): Float64Array | undefined {
  return sw === undefined ? undefined : readSampleWeight(n, sw, name)
}
