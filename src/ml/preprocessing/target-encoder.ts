/**
 * `preprocessing.target-encoder`: replaces each category by a shrunk mean of the target, with
 * cross-fitting on the training rows (sklearn 1.3's `TargetEncoder`).
 */
import { z } from 'zod'

import { ValidationError, createRng } from '../../core/index.js'
import { createFrame, type Column, type Frame } from '../../frame/index.js'
import {
  badState,
  captureFeatures,
  checkState,
  closedForm,
  decodeF64,
  encodeArray,
  encodeClasses,
  fitStep,
  parseParams,
  readFeatures,
  regressionTarget,
  requireTarget,
  selectFeatures,
  type ClassLabel,
  type EstimatorEntry,
  type FeatureSpec,
  type FitOptions,
  type FitTransformResult,
  type ModelState,
  type Transformer,
  type TransformerEstimator,
} from '../base/index.js'

import {
  categoryCount,
  checkCategoricalInput,
  encodeCategories,
  fitCategories,
  readCategorySets,
  type CategorySet,
} from './categories.js'
import { kFoldAssignment, stratifiedKFoldAssignment } from './folds.js'
import { encodeTarget, targetMoments } from './kernels/target-encoding.js'
import { checkFitFrame, f64Column, paramError } from './shared.js'

/** Parameters of {@link TargetEncoder}. */
export const TargetEncoderParamsSchema = z.strictObject({
  /**
   * `auto` infers it like sklearn's `type_of_target`: `cat`/`str`/`bool` targets and integer
   * numbers are `binary` (≤ 2 distinct values) or `multiclass`, other numbers `continuous`.
   * @default 'auto'
   */
  targetType: z.enum(['auto', 'binary', 'continuous', 'multiclass']).default('auto'),
  /** `auto` (empirical Bayes) or the m-estimate's `m ≥ 0`; larger pulls toward the global mean. @default 'auto' */
  smooth: z.union([z.literal('auto'), z.number().min(0)]).default('auto'),
  /** Folds of the cross-fitting in `fitTransform` (stratified for class targets). @default 5 */
  cv: z.int().min(2).default(5),
  /** Shuffle rows before cutting folds (with `seed`). @default true */
  shuffle: z.boolean().default(true),
  /** @default 0 */
  seed: z.int().min(0).max(0xffffffff).default(0),
})
export type TargetEncoderParams = z.input<typeof TargetEncoderParamsSchema>
type Resolved = z.output<typeof TargetEncoderParamsSchema>
type TargetType = 'binary' | 'continuous' | 'multiclass'

const KIND = 'preprocessing.target-encoder'

/** A target ready for encoding: one numeric vector per output (one per class for multiclass). */
interface PreparedTarget {
  readonly type: TargetType
  readonly classes: readonly ClassLabel[] | null
  /** The classes as sklearn prints them in feature names (`True`, `1.0`, `a`). */
  readonly classNames: readonly string[] | null
  readonly vectors: readonly Float64Array[]
  /** Class codes for stratified folds; `undefined` for a continuous target. */
  readonly strata?: Int32Array
}

/**
 * Target-encodes `cat`, `str`, `bool` and `i32` columns into `f64` columns: each category
 * becomes a blend of the target mean within the category and the global target mean (see
 * {@link encodeTarget}). Binary targets encode the second sorted class as 1; multiclass
 * targets give one output per class, `<column>_<class>`; continuous targets their mean.
 * Missing rows are a category of their own; categories fit never saw get the target mean.
 *
 * **Use `fitTransform` on training data.** `fit(X, y).transform(X)` encodes each training
 * row with statistics that include its own target, which leaks it; `fitTransform(X, y)`
 * cross-fits instead: rows are split into `cv` folds (stratified for class targets, shuffled
 * with `seed`) and each fold is encoded by statistics of the other folds. The returned model
 * (fitted on all rows) is what encodes new data. Pipelines call `fitTransform`.
 *
 * ## Method
 * Per column, per target vector: two passes for sums, counts and squared deviations.
 * Without shuffling the folds equal sklearn's `KFold`/`StratifiedKFold`; shuffled folds use
 * Plinth's seeded generator, so they differ from numpy's.
 *
 * ## References
 * - D. Micci-Barreca. "A preprocessing scheme for high-cardinality categorical attributes in
 *   classification and prediction problems". SIGKDD Explorations 3(1), 2001.
 * - scikit-learn 1.3 `sklearn.preprocessing.TargetEncoder` (multiclass as in 1.4).
 *
 * @example
 * ```ts
 * const { model, output } = new TargetEncoder({ cv: 5, seed: 1 }).fitTransform(Xtrain, y)
 * model.transform(Xtest)
 * ```
 */
export class TargetEncoder implements TransformerEstimator<
  TargetEncoderParams,
  TargetEncoderModel
> {
  readonly kind = KIND
  constructor(readonly params: Readonly<TargetEncoderParams> = {}) {}
  withParams(patch: Partial<TargetEncoderParams>): TargetEncoder {
    return new TargetEncoder({ ...this.params, ...patch })
  }

  /** Learns the encodings from all rows (for new data; see the class notes on leakage). */
  fit(X: Frame, y?: Column, opts?: FitOptions): TargetEncoderModel {
    return this.prepare(X, y, opts).model
  }

  /**
   * Fits on all rows and returns the cross-fitted encoding of `X` (each fold encoded by the
   * other folds), so no training row sees its own target.
   *
   * @throws ValidationError when `X` has fewer rows than `cv`.
   */
  fitTransform(X: Frame, y?: Column, opts?: FitOptions): FitTransformResult<TargetEncoderModel> {
    const { model, p, codes, target } = this.prepare(X, y, opts)
    const n = X.nRows
    if (n < p.cv) throw paramError(KIND, 'cv', `${p.cv} folds need at least ${p.cv} rows, got ${n}`)
    const rng = p.shuffle ? (opts?.rng ?? createRng(p.seed)) : undefined
    const folds =
      target.strata === undefined
        ? kFoldAssignment(n, p.cv, rng)
        : stratifiedKFoldAssignment(target.strata, p.cv, rng)
    const nT = target.vectors.length
    // Per output, per fold: the encoding learned without that fold; then one pass per output
    // reads each row's value from its own fold's encoding.
    const perFold: Float64Array[][] = model.outputNames.map(() => [])
    for (let f = 0; f < p.cv; f++) {
      fitStep(opts, { stage: 'fold', step: f, total: p.cv })
      // `skip: f` selects the training rows of fold f: every row outside it.
      const rows = { folds, skip: f }
      target.vectors.forEach((yv, t) => {
        const { mean, variance } = targetMoments(yv, rows)
        codes.forEach((c, j) => {
          const k = categoryCount(model.categories[j]!)
          perFold[j * nT + t]!.push(
            encodeTarget(c, yv, rows, p.smooth, mean, variance, new Float64Array(k)),
          )
        })
      })
    }
    const outputs = perFold.map((encs, o) => {
      const c = codes[Math.floor(o / nT)]!
      const out = new Float64Array(n)
      for (let i = 0; i < n; i++) out[i] = encs[folds[i]!]![c[i]!]!
      return out
    })
    const output = createFrame(model.outputNames.map((name, o) => f64Column(name, outputs[o]!)))
    return { model, output }
  }

  private prepare(
    X: Frame,
    y: Column | undefined,
    opts: FitOptions | undefined,
  ): { model: TargetEncoderModel; p: Resolved; codes: Int32Array[]; target: PreparedTarget } {
    const p = parseParams(KIND, TargetEncoderParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    checkFitFrame(X, KIND)
    checkCategoricalInput(X, KIND)
    const target = prepareTarget(X, y, p.targetType)
    const fitted = X.columns.map(fitCategories)
    const sets = fitted.map((f) => f.set)
    const codes = fitted.map((f) => f.codes)
    const all = {}
    const targetMean = new Float64Array(target.vectors.length)
    const encodings: Float64Array[] = []
    codes.forEach((c, j) => {
      target.vectors.forEach((yv, t) => {
        const { mean, variance } = targetMoments(yv, all)
        targetMean[t] = mean
        encodings.push(
          encodeTarget(
            c,
            yv,
            all,
            p.smooth,
            mean,
            variance,
            new Float64Array(categoryCount(sets[j]!)),
          ),
        )
      })
    })
    const model = new TargetEncoderModel(
      p,
      captureFeatures(X),
      sets,
      target.type,
      target.classes,
      target.classNames,
      targetMean,
      encodings,
    )
    return { model, p, codes, target }
  }
}

function prepareTarget(
  X: Frame,
  y: Column | undefined,
  requested: Resolved['targetType'],
): PreparedTarget {
  const t = requireTarget(X, y, KIND)
  const type = requested === 'auto' ? inferTargetType(t) : requested
  if (type === 'continuous') {
    return { type, classes: null, classNames: null, vectors: [regressionTarget(X, t, KIND)] }
  }
  const enc = encodeClasses(X, t, KIND)
  const nClasses = enc.classes.length
  const float = t.dtype === 'f64' || t.dtype === 'f32'
  const classNames = enc.classes.map((c) => className(c, float))
  if (type === 'binary') {
    if (nClasses > 2)
      throw paramError(KIND, 'targetType', `binary needs at most 2 classes, y has ${nClasses}`)
    return {
      type,
      classes: enc.classes,
      classNames,
      vectors: [Float64Array.from(enc.codes)],
      strata: enc.codes,
    }
  }
  if (nClasses < 3)
    throw paramError(KIND, 'targetType', `multiclass needs at least 3 classes, y has ${nClasses}`)
  const vectors = enc.classes.map((_, k) => Float64Array.from(enc.codes, (c) => (c === k ? 1 : 0)))
  return { type, classes: enc.classes, classNames, vectors, strata: enc.codes }
}

/** sklearn's `type_of_target`, restricted to what the encoder takes. */
function inferTargetType(y: Column): TargetType {
  switch (y.dtype) {
    case 'f64':
    case 'f32':
    case 'i32': {
      const v = y.values
      const distinct = new Set<number>()
      for (let i = 0; i < v.length; i++) {
        const x = v[i]!
        if (!Number.isInteger(x)) return 'continuous'
        if (distinct.size <= 2) distinct.add(x)
      }
      return distinct.size <= 2 ? 'binary' : 'multiclass'
    }
    case 'bool':
      return 'binary'
    case 'cat':
    case 'str': {
      const distinct = new Set<string>()
      for (let i = 0; i < y.length; i++) {
        distinct.add(y.dtype === 'cat' ? String(y.values[i]) : y.values[i]!)
        if (distinct.size > 2) return 'multiclass'
      }
      return 'binary'
    }
    case 'ts':
      throw new ValidationError(`${KIND} cannot use a timestamp column as the target`, [
        { path: ['y'], code: 'bad_dtype', message: 'y is a ts column' },
      ])
  }
}

/** A class label as Python prints it in sklearn's feature names (`True`, `1.0`, `a`). */
function className(label: ClassLabel, numericFloat: boolean): string {
  if (typeof label === 'boolean') return label ? 'True' : 'False'
  if (typeof label === 'number' && numericFloat && Number.isInteger(label)) return label.toFixed(1)
  return String(label)
}

/** A fitted {@link TargetEncoder}: encodings learned from all training rows. */
export class TargetEncoderModel implements Transformer {
  readonly kind = KIND
  readonly diagnostics = closedForm()
  readonly featureNames: readonly string[]
  readonly outputNames: readonly string[]
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    /** The categories of each column. */
    readonly categories: readonly CategorySet[],
    /** The target type used. */
    readonly targetType: TargetType,
    /** The classes (sorted) of a binary or multiclass target, else `null`. */
    readonly classes: readonly ClassLabel[] | null,
    private readonly classNames: readonly string[] | null,
    /** The target mean (per class for multiclass): the encoding of unknown categories. */
    readonly targetMean: Float64Array,
    /** Per column and target vector (column-major, class-minor), the encoding of each category. */
    readonly encodings: readonly Float64Array[],
  ) {
    this.featureNames = features.map((f) => f.name)
    if (targetType === 'multiclass' && classNames !== null) {
      this.outputNames = this.featureNames.flatMap((f) => classNames.map((c) => `${f}_${c}`))
    } else {
      this.outputNames = this.featureNames
    }
  }

  /** The encodings of `X`'s fitted columns; unknown categories get the target mean. */
  transform(X: Frame): Frame {
    const Xs = selectFeatures(X, this.features, KIND)
    const n = Xs.nRows
    const nT = this.targetMean.length
    const out: Column[] = []
    Xs.columns.forEach((col, j) => {
      const codes = encodeCategories(col, this.categories[j]!)
      for (let t = 0; t < nT; t++) {
        const enc = this.encodings[j * nT + t]!
        const mean = this.targetMean[t]!
        const values = new Float64Array(n)
        for (let i = 0; i < n; i++) {
          const c = codes[i]!
          values[i] = c < 0 ? mean : enc[c]!
        }
        out.push(f64Column(this.outputNames[j * nT + t]!, values))
      }
    })
    return createFrame(out)
  }

  toJSON(): ModelState {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.p },
      state: {
        features: this.features,
        categories: this.categories,
        targetType: this.targetType,
        classes: this.classes,
        classNames: this.classNames,
        targetMean: encodeArray(this.targetMean),
        encodings: this.encodings.map(encodeArray),
      },
    }
  }
}

const StateSchema = z.object({
  targetType: z.enum(['binary', 'continuous', 'multiclass']),
  classes: z.array(z.union([z.string(), z.number(), z.boolean()])).nullable(),
  classNames: z.array(z.string()).nullable(),
  encodings: z.array(z.unknown()),
})

/** Rebuilds a {@link TargetEncoderModel} from its JSON state. */
export function loadTargetEncoder(state: ModelState): TargetEncoderModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, TargetEncoderParamsSchema, state.params)
  const s = state.state
  const features = readFeatures(s.features)
  const sets = readCategorySets(s.categories, 'categories', features.length)
  const r = StateSchema.safeParse(s)
  if (!r.success) throw badState('targetType', 'expected targetType, classes and encodings')
  const targetMean = decodeF64(s.targetMean, 'targetMean')
  const nT = targetMean.length
  if (r.data.encodings.length !== features.length * nT) throw badState('encodings', 'wrong count')
  const encodings = r.data.encodings.map((e, o) => {
    const a = decodeF64(e, `encodings.${o}`)
    if (a.length !== categoryCount(sets[Math.floor(o / nT)]!))
      throw badState(`encodings.${o}`, 'wrong length')
    return a
  })
  return new TargetEncoderModel(
    p,
    features,
    sets,
    r.data.targetType,
    r.data.classes,
    r.data.classNames,
    targetMean,
    encodings,
  )
}

/** The registry entry of `preprocessing.target-encoder`. */
export const TARGET_ENCODER_ENTRY: EstimatorEntry = {
  kind: KIND,
  task: 'transform',
  summary: 'Encode categories by shrunk target means, cross-fitted on training rows',
  create: (p) => new TargetEncoder(p),
  load: loadTargetEncoder,
}
