/**
 * `Pipeline`: a chain of transformers ending in any estimator, fitted and saved as one model
 * (sklearn's `Pipeline`).
 */
import { z } from 'zod'

import { ValidationError } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import {
  assertMinRows,
  badState,
  captureFeatures,
  checkState,
  fitStep,
  isClassifierModel,
  parseParams,
  readFeatures,
  selectFeatures,
  type ClassLabel,
  type Diagnostics,
  type Estimator,
  type EstimatorSpec,
  type FeatureSpec,
  type FitOptions,
  type Model,
  type ModelState,
  type Transformer,
} from '../base/index.js'
import { findSamplerEntry, isSampler, type Sampler } from '../imbalance/index.js'

import {
  canPredict,
  childOptions,
  childSchema,
  childSpecOf,
  childStateOf,
  combineDiagnostics,
  fitTransformChild,
  instantiateStep,
  isTransformerModel,
  loadChild,
  nameIssues,
  notTransformer,
  patchChild,
  routeNested,
  samplerSpecOf,
  underChild,
  type ChildEstimator,
  type Resolve,
} from './children.js'

/** The registry kind of {@link Pipeline}. */
export const PIPELINE_KIND = 'compose.pipeline'

const RESERVED = ['steps']

/** One named step of a {@link Pipeline}. */
export interface PipelineStep {
  /** Unique within the pipeline, without `__`; nested parameter names start with it. */
  readonly name: string
  /** The estimator, its `{ kind, params }` spec, or `'passthrough'` (the step does nothing). */
  readonly estimator: ChildEstimator
}

/**
 * Parameters of {@link Pipeline}: the steps, plus any sklearn-style nested name
 * `'<step>__<param>'` (routed to that step) or a bare step name (replaces that step's estimator).
 */
export interface PipelineParams {
  /** Every step but the last must fit into a transformer. */
  readonly steps: readonly PipelineStep[]
  readonly [nested: string]: unknown
}

/** Parameters of {@link Pipeline}, as validated at fit (samplers are allowed as steps). */
export const PipelineParamsSchema = z.strictObject({
  steps: z
    .array(z.strictObject({ name: z.string().min(1), estimator: childSchema() }))
    .min(1)
    .superRefine((steps, ctx) => {
      for (const i of nameIssues(
        steps.map((s) => s.name),
        [],
        RESERVED,
      ))
        ctx.addIssue({ code: 'custom', path: [...i.path], message: i.message })
    }),
})
type Resolved = z.output<typeof PipelineParamsSchema>

/** Routes nested names in `params` into the steps they name; other keys are kept as given. */
function applyNested(params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { steps, ...rest } = params
  if (!Array.isArray(steps)) return { ...params }
  const names = steps.map((s: unknown) =>
    typeof s === 'object' && s !== null && typeof (s as { name?: unknown }).name === 'string'
      ? (s as { name: string }).name
      : '',
  )
  const { own, patches, replace } = routeNested(rest, names, RESERVED)
  if (patches.size === 0 && replace.size === 0) return { ...params }
  return {
    ...own,
    steps: steps.map((s: unknown, i) => {
      const name = names[i] ?? ''
      if (!replace.has(name) && !patches.has(name)) return s
      const step = s as { estimator?: unknown }
      let estimator = replace.has(name) ? replace.get(name) : step.estimator
      const patch = patches.get(name)
      if (patch !== undefined) estimator = patchChild(estimator, patch)
      return { ...step, estimator }
    }),
  }
}

/**
 * A sequence of steps fitted in order: each step but the last is fitted on the previous
 * step's output and must produce a transformer (through `fitTransform(X, y, opts)` when the
 * estimator has it, so cross-fitting encoders hand their out-of-fold output on); the last is
 * fitted on the final output and may be a classifier, a regressor or a transformer. The fitted
 * {@link PipelineModel} exposes whatever the last step's model does.
 *
 * Steps are estimator instances, `{ kind, params }` specs (built through the registry, so a
 * pipeline created with `createEstimator('compose.pipeline', …)` is plain JSON), or
 * `'passthrough'`. A step may also be a sampler of ml/imbalance (`new Smote()` or
 * `{ kind: 'imbalance.smote' }`), as in imbalanced-learn's Pipeline: it resamples the
 * training rows (and y) for the steps after it at fit, and does nothing at predict, so
 * cross-validation resamples training folds only. A sampler cannot be the last step. `withParams` understands sklearn's nested names: `{ clf__C: 0.1 }` sets `C`
 * on the step named `clf`, `{ scale: 'passthrough' }` replaces the step named `scale`.
 *
 * The signal is checked before every step and passed to each; progress is reported per step
 * and each step's own progress comes through with its stage prefixed by the step name; a
 * `rng` in the fit options is forked once per step, in order.
 *
 * @example
 * ```ts
 * const pipe = new Pipeline({
 *   steps: [
 *     { name: 'scale', estimator: new StandardScaler() },
 *     { name: 'clf', estimator: new LogisticRegression() },
 *   ],
 * })
 * const model = pipe.withParams({ clf__C: 0.1 }).fit(X, y)
 * model.predict?.(X)
 * ```
 */
export class Pipeline implements Estimator<PipelineParams, PipelineModel> {
  readonly kind = PIPELINE_KIND
  /**
   * @param resolve the registry lookup, needed only for `{ kind, params }` steps (the
   *   registry's `create` passes it).
   */
  constructor(
    readonly params: Readonly<PipelineParams>,
    private readonly resolve?: Resolve,
  ) {}

  withParams(patch: Partial<PipelineParams>): Pipeline {
    return new Pipeline(
      applyNested({ ...this.params, ...patch }) as unknown as PipelineParams,
      this.resolve,
    )
  }

  fit(X: Frame, y?: Column, opts?: FitOptions): PipelineModel {
    return this.run(X, y, opts, false).model
  }

  /**
   * Fits and returns the output of the last step on the training data (each step's
   * `fitTransform` output when it has one).
   *
   * @throws ValidationError if the last step is not a transformer.
   */
  fitTransform(
    X: Frame,
    y?: Column,
    opts?: FitOptions,
  ): { model: PipelineModel & Transformer; output: Frame } {
    const { model, output } = this.run(X, y, opts, true)
    if (!isTransformerModel(model) || output === undefined) {
      const last = model.steps[model.steps.length - 1]
      throw notTransformer(
        ['params', 'steps', model.steps.length - 1, 'estimator'],
        typeof last?.model === 'object' ? last.model.kind : 'the last step',
      )
    }
    return { model, output }
  }

  private run(
    X: Frame,
    y: Column | undefined,
    opts: FitOptions | undefined,
    wantOutput: boolean,
  ): { model: PipelineModel; output: Frame | undefined } {
    const p = parseParams(PIPELINE_KIND, PipelineParamsSchema, applyNested(this.params))
    const n = p.steps.length
    fitStep(opts, { stage: 'fit', step: 0, total: n })
    assertMinRows(X, 1, PIPELINE_KIND)
    if (y !== undefined && y.length !== X.nRows) {
      throw new ValidationError(`y has ${y.length} rows but X has ${X.nRows}`, [
        {
          path: ['y'],
          code: 'length_mismatch',
          message: `expected ${X.nRows} values, got ${y.length}`,
        },
      ])
    }
    const fitted: FittedStep[] = []
    let Xt: Frame = X
    let yt: Column | undefined = y
    let resampled = false
    for (let i = 0; i < n; i++) {
      const step = p.steps[i]!
      const path = ['params', 'steps', i, 'estimator']
      fitStep(opts, { stage: `step ${step.name}`, step: i, total: n })
      const e = instantiateStep(step.estimator, this.resolve, path)
      if (typeof e === 'string') {
        fitted.push({ name: step.name, model: 'passthrough' })
        continue
      }
      const co = childOptions(opts, step.name)
      if (isSampler(e)) {
        const r = resampleStep(e, Xt, yt, co, path, i === n - 1)
        Xt = r.X
        yt = r.y
        resampled = true
        fitted.push({ name: step.name, model: 'passthrough', sampler: samplerSpecOf(e) })
      } else if (i < n - 1 || wantOutput) {
        const r = fitTransformChild(e, Xt, yt, co, path)
        Xt = r.output
        fitted.push({ name: step.name, model: r.model })
      } else {
        const Xlast = Xt
        const ylast = yt
        fitted.push({ name: step.name, model: underChild(path, () => e.fit(Xlast, ylast, co)) })
      }
    }
    fitStep(opts, { stage: 'fit', step: n, total: n })
    const model = new PipelineModel(captureFeatures(X), fitted)
    if (!wantOutput) return { model, output: undefined }
    // Resampled training rows are not X's rows: the output must be, so transform X again.
    return { model, output: resampled ? model.transform?.(X) : Xt }
  }
}

/**
 * A fitted step: its name and model, or `'passthrough'`. A sampler step resampled the
 * training data at fit and does nothing afterwards: its model is `'passthrough'` and `sampler`
 * holds its spec.
 */
export interface FittedStep {
  readonly name: string
  readonly model: Model | 'passthrough'
  readonly sampler?: EstimatorSpec
}

/** Runs a sampler step on the training data (never the last step; y required). */
function resampleStep(
  e: Sampler,
  X: Frame,
  y: Column | undefined,
  opts: FitOptions,
  path: readonly (string | number)[],
  last: boolean,
): { X: Frame; y: Column } {
  if (last) {
    throw new ValidationError(`a sampler (${e.kind}) cannot be the last step`, [
      { path, code: 'sampler_last', message: 'a sampler must be followed by an estimator' },
    ])
  }
  if (y === undefined) {
    throw new ValidationError(`the sampler ${e.kind} needs a target column y`, [
      { path: ['y'], code: 'required', message: 'y is required by a sampler step' },
    ])
  }
  return underChild(path, () => e.resample(X, y, opts))
}

/**
 * A fitted {@link Pipeline}. It has `predict` when the last step's model does, `predictProba`
 * and `classes` when it is a classifier, and `transform`/`outputNames` when it is a transformer
 * (or `'passthrough'`); the others are absent, so narrow with `model.predict !== undefined`.
 * Every method first checks the input against the columns fit saw (extra columns are ignored).
 */
export class PipelineModel implements Model {
  readonly kind = PIPELINE_KIND
  readonly featureNames: readonly string[]
  readonly diagnostics: Diagnostics
  /** One prediction per row, from the last step (when it predicts). */
  readonly predict?: (X: Frame) => Column
  /** Class probabilities from the last step (when it is a classifier). */
  readonly predictProba?: (X: Frame) => Frame
  /** The last step's classes (when it is a classifier). */
  readonly classes?: readonly ClassLabel[]
  /** The output of the last step (when it transforms). */
  readonly transform?: (X: Frame) => Frame
  /** The column names `transform` returns. */
  readonly outputNames?: readonly string[]

  /**
   * @param steps every model but the last must be a transformer (or `'passthrough'`).
   * @throws Error if an intermediate step cannot transform (fit and load check before).
   */
  constructor(
    private readonly features: readonly FeatureSpec[],
    /** The fitted steps, in order. */
    readonly steps: readonly FittedStep[],
  ) {
    this.featureNames = features.map((f) => f.name)
    this.diagnostics = combineDiagnostics(steps)
    const inner: Transformer[] = []
    for (const s of steps.slice(0, -1)) {
      if (s.model === 'passthrough') continue
      if (!isTransformerModel(s.model)) throw new Error(`step ${s.name} cannot transform`)
      inner.push(s.model)
    }
    const last = steps[steps.length - 1]?.model ?? 'passthrough'
    const through = (X: Frame): Frame => {
      let Xt = selectFeatures(X, features, PIPELINE_KIND)
      for (const m of inner) Xt = m.transform(Xt)
      return Xt
    }
    if (last === 'passthrough') {
      this.transform = through
      this.outputNames = inner[inner.length - 1]?.outputNames ?? this.featureNames
      return
    }
    if (canPredict(last)) this.predict = (X) => last.predict(through(X))
    if (isClassifierModel(last)) {
      this.predictProba = (X) => last.predictProba(through(X))
      this.classes = last.classes
    }
    if (isTransformerModel(last)) {
      this.transform = (X) => last.transform(through(X))
      this.outputNames = last.outputNames
    }
  }

  /**
   * The fitted model of the step called `name` (sklearn `named_steps`), or `'passthrough'`.
   *
   * @throws ValidationError for an unknown name.
   */
  step(name: string): Model | 'passthrough' {
    const s = this.steps.find((x) => x.name === name)
    if (s === undefined) {
      throw new ValidationError(`no step "${name}"`, [
        {
          path: ['name'],
          code: 'not_found',
          message: `steps are ${this.steps.map((x) => x.name).join(', ')}`,
        },
      ])
    }
    return s.model
  }

  toJSON(): ModelState {
    return {
      kind: PIPELINE_KIND,
      version: 1,
      params: {
        steps: this.steps.map((s) => ({
          name: s.name,
          estimator: s.sampler ?? childSpecOf(s.model),
        })),
      },
      state: { features: this.features, steps: this.steps.map((s) => childStateOf(s.model)) },
    }
  }
}

/**
 * Rebuilds a {@link PipelineModel} from its JSON state, loading each step through `resolve`.
 *
 * @throws ValidationError for another kind or version, or a malformed state of any step.
 */
export function loadPipeline(state: ModelState, resolve: Resolve): PipelineModel {
  checkState(state, PIPELINE_KIND, [1])
  const p: Resolved = parseParams(PIPELINE_KIND, PipelineParamsSchema, state.params)
  const features = readFeatures(state.state.features)
  const saved = state.state.steps
  if (!Array.isArray(saved) || saved.length !== p.steps.length)
    throw badState('steps', `expected ${p.steps.length} saved steps`)
  const steps = p.steps.map((s, i): FittedStep => {
    const e = s.estimator
    if (typeof e === 'string' || isSampler(e) || findSamplerEntry(e.kind) !== undefined) {
      if (saved[i] !== null) throw badState(`steps.${i}`, 'expected null for this step')
      if (typeof e === 'string') return { name: s.name, model: 'passthrough' }
      if (i === p.steps.length - 1)
        throw badState(`steps.${i}`, 'a sampler cannot be the last step')
      return { name: s.name, model: 'passthrough', sampler: samplerSpecOf(e) }
    }
    const model = loadChild(e, saved[i], resolve, ['steps', i])
    if (i < p.steps.length - 1 && !isTransformerModel(model))
      throw badState(`steps.${i}`, `"${model.kind}" cannot transform`)
    return { name: s.name, model }
  })
  return new PipelineModel(features, steps)
}
