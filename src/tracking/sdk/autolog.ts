import type { Column, Frame } from '../../frame/index.js'
import {
  accuracyScore,
  meanAbsoluteError,
  r2Score,
  rootMeanSquaredError,
  type Estimator,
  type FitOptions,
  type Model,
  type Progress,
} from '../../ml/index.js'
import type { DatasetVersion } from '../../datasets/index.js'
import type { LogModelOptions, RunHandle } from './run-handle.js'

/** Options of `trackedFit`. */
export interface TrackedFitOptions {
  /** Held-out rows scored after the fit (metrics prefixed `validation_`). */
  readonly validation?: { readonly X: Frame; readonly y?: Column }
  /** Plinth dataset versions (`name@3` or objects) to record as the run's inputs. */
  readonly datasets?: Readonly<
    Partial<Record<'training' | 'validation' | 'test', DatasetVersion | string>>
  >
  /** Log the fitted model (`false` to skip). @default true, with the first rows as input example */
  readonly logModel?: boolean | LogModelOptions
  /** Passed to `fit` (an `onProgress` given here still receives every report). */
  readonly fitOptions?: FitOptions
}

function isClassifier(model: Model): model is Model & { predict(X: Frame): Column } {
  return 'classes' in model && 'predict' in model
}

function isPredictor(model: Model): model is Model & { predict(X: Frame): Column } {
  return 'predict' in model && typeof (model as { predict?: unknown }).predict === 'function'
}

/** Scores a fitted model on `X`, `y`: accuracy for classifiers, RMSE/MAE/R² for regressors. */
function score(model: Model, X: Frame, y: Column, prefix: string): Record<string, number> {
  if (!isPredictor(model)) return {}
  const pred = model.predict(X)
  if (isClassifier(model)) return { [`${prefix}accuracy`]: accuracyScore(y, pred) }
  return {
    [`${prefix}rmse`]: rootMeanSquaredError(y, pred),
    [`${prefix}mae`]: meanAbsoluteError(y, pred),
    [`${prefix}r2`]: r2Score(y, pred),
  }
}

/**
 * Feature importances when the model has them: a `featureImportances` array (CART, forests) or
 * a `featureImportance()` method (GBDT: total gain per feature).
 */
function importances(model: Model): Record<string, number> | undefined {
  const m = model as { featureImportances?: unknown; featureImportance?: unknown }
  if (typeof m.featureImportance === 'function') {
    const out = (m.featureImportance as (type?: string) => unknown).call(model, 'gain')
    if (typeof out === 'object' && out !== null) return { ...(out as Record<string, number>) }
  }
  const fi = m.featureImportances
  if (!(fi instanceof Float64Array || Array.isArray(fi))) return undefined
  const values = Array.from(fi as ArrayLike<number>)
  if (values.length !== model.featureNames.length) return undefined
  return Object.fromEntries(model.featureNames.map((n, i) => [n, values[i] ?? 0]))
}

/**
 * Fits `estimator` on `X`, `y` and records the fit in `run` (autologging):
 * - params: the estimator's parameters as given, then the resolved ones from the model state;
 * - per-iteration metrics from `onProgress` reports (`metrics` at each `step`, e.g. a GBDT's
 *   `validation-logloss`; a GBDT also receives `validation` as its early-stopping set);
 * - final metrics on the training rows (`training_*`) and on `validation` (`validation_*`):
 *   accuracy for classifiers; RMSE, MAE and R² for regressors;
 * - `feature_importance.json` when the model has feature importances;
 * - dataset inputs from `datasets`; and the model itself (`model/`), unless `logModel: false`.
 *
 * Returns the fitted model. A failing fit rethrows after tagging the run `plinth.fit.error`; the
 * caller decides the run's status.
 *
 * @example
 * ```ts
 * const model = await trackedFit(run, new LogisticRegression({ C: 1 }), X, y, {
 *   validation: { X: Xv, y: yv },
 *   datasets: { training: 'churn.train@1' },
 * })
 * await run.end()
 * ```
 */
export async function trackedFit<M extends Model>(
  run: RunHandle,
  estimator: Estimator<object, M>,
  X: Frame,
  y?: Column,
  opts: TrackedFitOptions = {},
): Promise<M> {
  await run.setTags({ 'plinth.estimator': estimator.kind })
  await run.logParams(estimator.params as Readonly<Record<string, unknown>>)
  for (const [context, version] of Object.entries(opts.datasets ?? {})) {
    await run.logInput(version, context)
  }
  const userProgress = opts.fitOptions?.onProgress
  const onProgress = (p: Progress): void => {
    if (p.metrics !== undefined) run.logMetrics(p.metrics, p.step)
    userProgress?.(p)
  }
  let model: M
  try {
    // Estimators that score a validation set while fitting (GBDT) take it as a fit option; the
    // others ignore the field.
    const fitOptions: FitOptions & { validation?: { X: Frame; y: Column } } = {
      ...opts.fitOptions,
      onProgress,
      ...(opts.validation?.y === undefined
        ? {}
        : { validation: { X: opts.validation.X, y: opts.validation.y } }),
    }
    model = estimator.fit(X, y, fitOptions)
  } catch (err) {
    await run.setTag(
      'plinth.fit.error',
      err instanceof Error ? err.message.slice(0, 1000) : 'fit failed',
    )
    throw err
  }
  // Defaults resolved at fit: log those not given (the given ones are already there).
  const given = new Set(Object.keys(estimator.params))
  const resolved = Object.fromEntries(
    Object.entries(model.toJSON().params).filter(([k]) => !given.has(k)),
  )
  if (Object.keys(resolved).length > 0) await run.logParams(resolved)
  const final: Record<string, number> = {}
  if (y !== undefined) Object.assign(final, score(model, X, y, 'training_'))
  if (opts.validation?.y !== undefined) {
    Object.assign(final, score(model, opts.validation.X, opts.validation.y, 'validation_'))
  }
  final['training_rows'] = X.nRows
  run.logMetrics(final)
  const fi = importances(model)
  if (fi !== undefined) await run.logJSON('feature_importance.json', fi)
  if (opts.logModel !== false) {
    const modelOpts: LogModelOptions =
      typeof opts.logModel === 'object' ? opts.logModel : { inputExample: X.head(5) }
    await run.logModel(model, modelOpts)
  }
  await run.flush()
  return model
}
