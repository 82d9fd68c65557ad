/**
 * `preprocessing.min-max-scaler`: maps each column's training range onto a feature range
 * (sklearn's `MinMaxScaler`).
 */
import { z } from 'zod'

import type { Column, Frame } from '../../frame/index.js'
import {
  captureFeatures,
  checkState,
  closedForm,
  encodeArray,
  fitStep,
  parseParams,
  readFeatures,
  type Diagnostics,
  type EstimatorEntry,
  type FeatureSpec,
  type FitOptions,
  type FitTransformResult,
  type ModelState,
  type Transformer,
  type TransformerEstimator,
} from '../base/index.js'

import { mapInverseColumns, mapNumericColumns, readPerFeature, readWarnings } from './columnwise.js'
import { centerScale, scaleShift } from './kernels/affine.js'
import { checkFitFrame, checkNumericInput, fitThenTransform } from './shared.js'
import { columnRange, safeScale } from './stats.js'

/** Parameters of {@link MinMaxScaler}. */
export const MinMaxScalerParamsSchema = z
  .strictObject({
    /** The output range `[lo, hi]`, `lo < hi`. @default [0, 1] */
    featureRange: z.tuple([z.number(), z.number()]).default([0, 1]),
    /** Clip transformed values of held-out data to `featureRange`. @default false */
    clip: z.boolean().default(false),
  })
  .refine((p) => Number.isFinite(p.featureRange[0]) && p.featureRange[0] < p.featureRange[1], {
    path: ['featureRange'],
    message: 'featureRange must be finite [lo, hi] with lo < hi',
  })
export type MinMaxScalerParams = z.input<typeof MinMaxScalerParamsSchema>
type Resolved = z.output<typeof MinMaxScalerParamsSchema>

const KIND = 'preprocessing.min-max-scaler'

/**
 * Scales numeric columns linearly so the training minimum maps to `featureRange[0]` and the
 * maximum to `featureRange[1]`: `x * scale + min`, with `scale = (hi - lo) / (max - min)`.
 *
 * A constant column gets range 1 (sklearn's `_handle_zeros_in_scale`). Missing rows and NaN are
 * skipped at fit and stay missing; ±Infinity is rejected. With `clip`, outputs are clipped to
 * `featureRange`.
 *
 * ## Method
 * One pass for the minimum and maximum; transform is one typed-array loop per column.
 *
 * ## References
 * - scikit-learn 1.2 `sklearn.preprocessing.MinMaxScaler`.
 *
 * @example
 * ```ts
 * new MinMaxScaler({ featureRange: [-1, 1] }).fit(X).transform(X)
 * ```
 */
export class MinMaxScaler implements TransformerEstimator<MinMaxScalerParams, MinMaxScalerModel> {
  readonly kind = KIND
  constructor(readonly params: Readonly<MinMaxScalerParams> = {}) {}
  withParams(patch: Partial<MinMaxScalerParams>): MinMaxScaler {
    return new MinMaxScaler({ ...this.params, ...patch })
  }
  fit(X: Frame, _y?: Column, opts?: FitOptions): MinMaxScalerModel {
    const p = parseParams(KIND, MinMaxScalerParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    checkFitFrame(X, KIND)
    checkNumericInput(X, KIND, { allowMissing: true, stage: 'fit' })
    const k = X.nColumns
    const dataMin = new Float64Array(k)
    const dataMax = new Float64Array(k)
    const scale = new Float64Array(k)
    const min = new Float64Array(k)
    const [lo, hi] = p.featureRange
    const warnings: string[] = []
    X.columns.forEach((col, j) => {
      const r = columnRange(col)
      dataMin[j] = r.min
      dataMax[j] = r.max
      const range = r.max - r.min
      if (range === 0) warnings.push(`column "${col.name}" is constant; its range is taken as 1`)
      scale[j] = (hi - lo) / (range === range ? safeScale(range) : 1)
      min[j] = r.min === r.min ? lo - r.min * scale[j] : lo
    })
    return new MinMaxScalerModel(p, captureFeatures(X), dataMin, dataMax, scale, min, warnings)
  }
  fitTransform(X: Frame, y?: Column, opts?: FitOptions): FitTransformResult<MinMaxScalerModel> {
    return fitThenTransform(() => this.fit(X, y, opts), X)
  }
}

/** A fitted {@link MinMaxScaler}. */
export class MinMaxScalerModel implements Transformer {
  readonly kind = KIND
  readonly diagnostics: Diagnostics
  readonly featureNames: readonly string[]
  readonly outputNames: readonly string[]
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    /** The per-column training minimum. */
    readonly dataMin: Float64Array,
    /** The per-column training maximum. */
    readonly dataMax: Float64Array,
    /** The per-column multiplier. */
    readonly scale: Float64Array,
    /** The per-column offset added after scaling (sklearn's `min_`). */
    readonly min: Float64Array,
    private readonly warnings: readonly string[],
  ) {
    this.featureNames = features.map((f) => f.name)
    this.outputNames = this.featureNames
    this.diagnostics = closedForm(warnings)
  }

  /** `x * scale + min` for each fitted column (clipped to `featureRange` with `clip`). */
  transform(X: Frame): Frame {
    const clip = this.p.clip ? this.p.featureRange : undefined
    return mapNumericColumns(X, this.features, KIND, (x, validity, j, out) =>
      scaleShift(x, validity, this.scale[j]!, this.min[j]!, out, clip),
    )
  }

  /** `(x - min) / scale` for each output column. */
  inverseTransform(X: Frame): Frame {
    return mapInverseColumns(X, this.outputNames, this.featureNames, KIND, (x, validity, j, out) =>
      centerScale(x, validity, this.min[j]!, this.scale[j]!, out),
    )
  }

  toJSON(): ModelState {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.p, featureRange: [...this.p.featureRange] },
      state: {
        features: this.features,
        dataMin: encodeArray(this.dataMin),
        dataMax: encodeArray(this.dataMax),
        scale: encodeArray(this.scale),
        min: encodeArray(this.min),
        warnings: this.warnings,
      },
    }
  }
}

/** Rebuilds a {@link MinMaxScalerModel} from its JSON state. */
export function loadMinMaxScaler(state: ModelState): MinMaxScalerModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, MinMaxScalerParamsSchema, state.params)
  const s = state.state
  const features = readFeatures(s.features)
  const k = features.length
  return new MinMaxScalerModel(
    p,
    features,
    readPerFeature(s.dataMin, 'dataMin', k),
    readPerFeature(s.dataMax, 'dataMax', k),
    readPerFeature(s.scale, 'scale', k),
    readPerFeature(s.min, 'min', k),
    readWarnings(s.warnings),
  )
}

/** The registry entry of `preprocessing.min-max-scaler`. */
export const MIN_MAX_SCALER_ENTRY: EstimatorEntry = {
  kind: KIND,
  task: 'transform',
  summary: 'Scale numeric columns to a range (default [0, 1])',
  create: (p) => new MinMaxScaler(p),
  load: loadMinMaxScaler,
}
