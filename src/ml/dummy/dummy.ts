/**
 * Baselines: models that ignore the features, so every evaluation can be reported against a
 * simple model (sklearn's `DummyClassifier`/`DummyRegressor`, plus the naive last-value forecast).
 */
import { z } from 'zod'

import { ValidationError, createRng } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import { closedForm } from '../base/diagnostics.js'
import type { EstimatorEntry } from '../base/entry.js'
import {
  assertMinRows,
  captureFeatures,
  readFeatures,
  selectFeatures,
  type FeatureSpec,
} from '../base/features.js'
import { parseParams } from '../base/params.js'
import { fitStep } from '../base/progress.js'
import { badState, checkState, decodeF64, encodeArray } from '../base/state.js'
import {
  classCounts,
  decodeClasses,
  encodeClasses,
  predictionColumn,
  probabilityFrame,
  readEncoding,
  regressionTarget,
  type ClassEncoding,
} from '../base/target.js'
import type {
  Classifier,
  ClassLabel,
  Diagnostics,
  Estimator,
  FitOptions,
  ModelState,
  Predictor,
} from '../base/types.js'

// ---------------------------------------------------------------- classifier

/** Parameters of {@link DummyClassifier}. */
export const DummyClassifierParamsSchema = z.strictObject({
  /**
   * `most_frequent`: always the majority class, probability 1. `prior`: the majority class,
   * class priors as probabilities. `stratified`: random classes drawn from the priors (seeded).
   * `uniform`: random classes, uniform. `constant`: always `constant`.
   * @default 'prior'
   */
  strategy: z
    .enum(['most_frequent', 'prior', 'stratified', 'uniform', 'constant'])
    .default('prior'),
  /** The class `constant` predicts; must be one of the training labels. */
  constant: z.union([z.string(), z.number(), z.boolean()]).optional(),
  /** @default 0 */
  seed: z.int().min(0).max(0xffffffff).default(0),
})
export type DummyClassifierParams = z.input<typeof DummyClassifierParamsSchema>
type ClsResolved = z.output<typeof DummyClassifierParamsSchema>

const CLS_KIND = 'dummy.classifier'

/** The majority-class (or prior, stratified, uniform, constant) baseline classifier. */
export class DummyClassifier implements Estimator<DummyClassifierParams, DummyClassifierModel> {
  readonly kind = CLS_KIND
  constructor(readonly params: Readonly<DummyClassifierParams> = {}) {}
  withParams(patch: Partial<DummyClassifierParams>): DummyClassifier {
    return new DummyClassifier({ ...this.params, ...patch })
  }
  fit(X: Frame, y?: Column, opts?: FitOptions): DummyClassifierModel {
    const p = parseParams(CLS_KIND, DummyClassifierParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    assertMinRows(X, 1, CLS_KIND)
    const target = encodeClasses(X, y, CLS_KIND)
    const counts = classCounts(target)
    const prior = counts.map((c) => c / target.codes.length)
    if (p.strategy === 'constant') {
      const k = target.classes.findIndex(
        (c) => c === p.constant || String(c) === String(p.constant),
      )
      if (p.constant === undefined || k < 0) {
        throw parseParamsError(
          `constant must be one of the training classes (${target.classes.map(String).join(', ')})`,
        )
      }
    }
    return new DummyClassifierModel(
      p,
      captureFeatures(X),
      { classes: target.classes, dtype: target.dtype },
      prior,
    )
  }
}

function parseParamsError(message: string): ValidationError {
  return new ValidationError(`invalid parameters for ${CLS_KIND}: ${message}`, [
    { path: ['params', 'constant'], code: 'invalid_value', message },
  ])
}

/** A fitted {@link DummyClassifier}. */
export class DummyClassifierModel implements Classifier {
  readonly kind = CLS_KIND
  readonly diagnostics: Diagnostics = closedForm()
  readonly featureNames: readonly string[]
  readonly classes: readonly ClassLabel[]
  constructor(
    private readonly p: ClsResolved,
    private readonly features: readonly FeatureSpec[],
    private readonly enc: ClassEncoding,
    /** The class priors, in `classes` order. */
    readonly prior: Float64Array,
  ) {
    this.featureNames = features.map((f) => f.name)
    this.classes = enc.classes
  }

  private majority(): number {
    let best = 0
    for (let k = 1; k < this.prior.length; k++)
      if ((this.prior[k] ?? 0) > (this.prior[best] ?? 0)) best = k
    return best
  }

  private constantIndex(): number {
    return this.classes.findIndex(
      (c) => c === this.p.constant || String(c) === String(this.p.constant),
    )
  }

  predictProba(X: Frame): Frame {
    const n = selectFeatures(X, this.features, this.kind).nRows
    const k = this.classes.length
    const proba = new Float64Array(n * k)
    const rng = createRng(this.p.seed)
    for (let i = 0; i < n; i++) {
      switch (this.p.strategy) {
        case 'prior':
          for (let j = 0; j < k; j++) proba[i * k + j] = this.prior[j] ?? 0
          break
        case 'most_frequent':
          proba[i * k + this.majority()] = 1
          break
        case 'constant':
          proba[i * k + this.constantIndex()] = 1
          break
        case 'uniform':
          proba[i * k + rng.int(k)] = 1
          break
        case 'stratified':
          proba[i * k + drawFrom(this.prior, rng.float())] = 1
          break
      }
    }
    return probabilityFrame(proba, n, this.classes)
  }

  predict(X: Frame): Column {
    const n = selectFeatures(X, this.features, this.kind).nRows
    const codes = new Int32Array(n)
    const rng = createRng(this.p.seed)
    for (let i = 0; i < n; i++) {
      switch (this.p.strategy) {
        case 'prior':
        case 'most_frequent':
          codes[i] = this.majority()
          break
        case 'constant':
          codes[i] = this.constantIndex()
          break
        case 'uniform':
          codes[i] = rng.int(this.classes.length)
          break
        case 'stratified':
          codes[i] = drawFrom(this.prior, rng.float())
          break
      }
    }
    return decodeClasses(codes, this.enc)
  }

  toJSON(): ModelState {
    return {
      kind: this.kind,
      version: 1,
      params: { ...this.p },
      state: {
        features: this.features,
        classes: this.classes,
        dtype: this.enc.dtype,
        prior: encodeArray(this.prior),
      },
    }
  }
}

function drawFrom(p: Float64Array, u: number): number {
  let acc = 0
  for (let k = 0; k < p.length; k++) {
    acc += p[k] ?? 0
    if (u < acc) return k
  }
  return p.length - 1
}

/** Rebuilds a {@link DummyClassifierModel} from its JSON state. */
export function loadDummyClassifier(state: ModelState): DummyClassifierModel {
  checkState(state, CLS_KIND, [1])
  const p = parseParams(CLS_KIND, DummyClassifierParamsSchema, state.params)
  const s = state.state
  return new DummyClassifierModel(
    p,
    readFeatures(s.features),
    readEncoding(s),
    decodeF64(s.prior, 'prior'),
  )
}

// ---------------------------------------------------------------- regressors

/** Parameters of {@link DummyRegressor}. */
export const DummyRegressorParamsSchema = z.strictObject({
  /** `mean`, `median`, `quantile` (at `quantile`) or `constant` of the training target. @default 'mean' */
  strategy: z.enum(['mean', 'median', 'quantile', 'constant']).default('mean'),
  /** For `quantile`: in [0, 1] (linear interpolation, numpy's default). */
  quantile: z.number().min(0).max(1).optional(),
  /** For `constant`: the value to predict. */
  constant: z.number().refine(Number.isFinite, 'must be finite').optional(),
})
export type DummyRegressorParams = z.input<typeof DummyRegressorParamsSchema>

const REG_KIND = 'dummy.regressor'

/** The mean (or median, quantile, constant) baseline regressor. */
export class DummyRegressor implements Estimator<DummyRegressorParams, ConstantRegressorModel> {
  readonly kind = REG_KIND
  constructor(readonly params: Readonly<DummyRegressorParams> = {}) {}
  withParams(patch: Partial<DummyRegressorParams>): DummyRegressor {
    return new DummyRegressor({ ...this.params, ...patch })
  }
  fit(X: Frame, y?: Column, opts?: FitOptions): ConstantRegressorModel {
    const p = parseParams(
      REG_KIND,
      DummyRegressorParamsSchema.superRefine((v, ctx) => {
        if (v.strategy === 'quantile' && v.quantile === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['quantile'],
            message: 'required when strategy is quantile',
          })
        if (v.strategy === 'constant' && v.constant === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['constant'],
            message: 'required when strategy is constant',
          })
      }),
      this.params,
    )
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    assertMinRows(X, 1, REG_KIND)
    const t = regressionTarget(X, y, REG_KIND)
    let value: number
    switch (p.strategy) {
      case 'mean': {
        let s = 0
        for (let i = 0; i < t.length; i++) s += t[i] ?? 0
        value = s / t.length
        break
      }
      case 'median':
        value = quantileOf(t, 0.5)
        break
      case 'quantile':
        value = quantileOf(t, p.quantile ?? 0.5)
        break
      case 'constant':
        value = p.constant ?? 0
        break
    }
    return new ConstantRegressorModel(REG_KIND, { ...p }, captureFeatures(X), value)
  }
}

function quantileOf(t: Float64Array, q: number): number {
  const s = Float64Array.from(t).sort()
  const pos = q * (s.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.min(lo + 1, s.length - 1)
  return (s[lo] ?? 0) + (pos - lo) * ((s[hi] ?? 0) - (s[lo] ?? 0))
}

/** Parameters of {@link LastValueRegressor} (none). */
export const LastValueParamsSchema = z.strictObject({})
/** The last-value baseline has no parameters; `fit` rejects any key. */
export type LastValueParams = Readonly<Record<string, unknown>>

const LAST_KIND = 'dummy.last-value'

/**
 * The naive forecast: predicts the last training target value (rows in time order), the
 * baseline for time-series evaluations.
 */
export class LastValueRegressor implements Estimator<LastValueParams, ConstantRegressorModel> {
  readonly kind = LAST_KIND
  constructor(readonly params: Readonly<LastValueParams> = {}) {}
  withParams(patch: Partial<LastValueParams>): LastValueRegressor {
    return new LastValueRegressor({ ...this.params, ...patch })
  }
  fit(X: Frame, y?: Column, opts?: FitOptions): ConstantRegressorModel {
    const p = parseParams(LAST_KIND, LastValueParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    assertMinRows(X, 1, LAST_KIND)
    const t = regressionTarget(X, y, LAST_KIND)
    return new ConstantRegressorModel(LAST_KIND, p, captureFeatures(X), t[t.length - 1] ?? 0)
  }
}

/** A fitted regressor that predicts one constant (`dummy.regressor`, `dummy.last-value`). */
export class ConstantRegressorModel implements Predictor {
  readonly diagnostics: Diagnostics = closedForm()
  readonly featureNames: readonly string[]
  constructor(
    readonly kind: string,
    private readonly p: Readonly<Record<string, unknown>>,
    private readonly features: readonly FeatureSpec[],
    /** The predicted value. */
    readonly value: number,
  ) {
    this.featureNames = features.map((f) => f.name)
  }
  predict(X: Frame): Column {
    const n = selectFeatures(X, this.features, this.kind).nRows
    return predictionColumn(new Float64Array(n).fill(this.value))
  }
  toJSON(): ModelState {
    return {
      kind: this.kind,
      version: 1,
      params: { ...this.p },
      state: { features: this.features, value: encodeArray(Float64Array.of(this.value)) },
    }
  }
}

function loadConstant(kind: string, schema: z.ZodType<Record<string, unknown>>) {
  return (state: ModelState): ConstantRegressorModel => {
    checkState(state, kind, [1])
    const p = parseParams(kind, schema, state.params)
    const v = decodeF64(state.state.value, 'value')
    if (v.length !== 1) throw badState('value', 'expected one value')
    return new ConstantRegressorModel(kind, p, readFeatures(state.state.features), v[0] ?? 0)
  }
}

/** Rebuilds a `dummy.regressor` model from its JSON state. */
export const loadDummyRegressor = loadConstant(REG_KIND, DummyRegressorParamsSchema)
/** Rebuilds a `dummy.last-value` model from its JSON state. */
export const loadLastValue = loadConstant(LAST_KIND, LastValueParamsSchema)

/** The baseline kinds, for `ml/registry.ts`. */
export const DUMMY_ESTIMATORS: readonly EstimatorEntry[] = [
  {
    kind: CLS_KIND,
    task: 'classification',
    summary: 'Baseline classifier (majority class, priors, stratified, uniform, constant)',
    create: (p) => new DummyClassifier(p),
    load: loadDummyClassifier,
  },
  {
    kind: REG_KIND,
    task: 'regression',
    summary: 'Baseline regressor (mean, median, quantile, constant)',
    create: (p) => new DummyRegressor(p),
    load: loadDummyRegressor,
  },
  {
    kind: LAST_KIND,
    task: 'regression',
    summary: 'Naive forecast: the last training target value',
    create: (p) => new LastValueRegressor(p),
    load: loadLastValue,
  },
]
