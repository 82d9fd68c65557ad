/**
 * `preprocessing.robust-scaler`: centers each column on its median and divides by an
 * interquantile range (sklearn's `RobustScaler`).
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
import { checkFitFrame, checkNumericInput, fitThenTransform, presentValues } from './shared.js'
import { quantilesOf, safeScale } from './stats.js'

/** Parameters of {@link RobustScaler}. */
export const RobustScalerParamsSchema = z
  .strictObject({
    /** Subtract the column median. @default true */
    withCentering: z.boolean().default(true),
    /** Divide by the interquantile range. @default true */
    withScaling: z.boolean().default(true),
    /** The percentiles `[qMin, qMax]` whose distance is the scale, `0 ≤ qMin ≤ qMax ≤ 100`. @default [25, 75] */
    quantileRange: z.tuple([z.number(), z.number()]).default([25, 75]),
  })
  .refine(
    (p) =>
      0 <= p.quantileRange[0] &&
      p.quantileRange[0] <= p.quantileRange[1] &&
      p.quantileRange[1] <= 100,
    { path: ['quantileRange'], message: 'quantileRange must satisfy 0 ≤ qMin ≤ qMax ≤ 100' },
  )
export type RobustScalerParams = z.input<typeof RobustScalerParamsSchema>
type Resolved = z.output<typeof RobustScalerParamsSchema>

const KIND = 'preprocessing.robust-scaler'

/**
 * Scales numeric columns with statistics that outliers barely move: `(x - median) / IQR`,
 * where the IQR is the distance between the `quantileRange` percentiles.
 *
 * Percentiles use numpy's linear interpolation (`numpy.nanpercentile`), the median is
 * `numpy.nanmedian`; a zero range becomes 1. Missing rows and NaN are skipped at fit and stay
 * missing; ±Infinity is rejected.
 *
 * ## Method
 * A selection of the needed order statistics of each column at fit (no full sort); transform is one typed-array loop per column.
 *
 * ## References
 * - scikit-learn 1.2 `sklearn.preprocessing.RobustScaler` (without `unit_variance`).
 *
 * @example
 * ```ts
 * new RobustScaler({ quantileRange: [10, 90] }).fit(X).transform(X)
 * ```
 */
export class RobustScaler implements TransformerEstimator<RobustScalerParams, RobustScalerModel> {
  readonly kind = KIND
  constructor(readonly params: Readonly<RobustScalerParams> = {}) {}
  withParams(patch: Partial<RobustScalerParams>): RobustScaler {
    return new RobustScaler({ ...this.params, ...patch })
  }
  fit(X: Frame, _y?: Column, opts?: FitOptions): RobustScalerModel {
    const p = parseParams(KIND, RobustScalerParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    checkFitFrame(X, KIND)
    checkNumericInput(X, KIND, { allowMissing: true, stage: 'fit' })
    const k = X.nColumns
    const center = new Float64Array(k)
    const scale = new Float64Array(k).fill(1)
    const warnings: string[] = []
    X.columns.forEach((col, j) => {
      const [qLo, qHi, median] = quantilesOf(
        presentValues(col),
        [p.quantileRange[0] / 100, p.quantileRange[1] / 100],
        true,
      )
      if (p.withCentering) center[j] = median!
      if (!p.withScaling) return
      const range = qHi! - qLo!
      if (range === 0)
        warnings.push(`column "${col.name}" has a zero quantile range; its scale is 1`)
      scale[j] = range === range ? safeScale(range) : 1
    })
    return new RobustScalerModel(p, captureFeatures(X), center, scale, warnings)
  }
  fitTransform(X: Frame, y?: Column, opts?: FitOptions): FitTransformResult<RobustScalerModel> {
    return fitThenTransform(() => this.fit(X, y, opts), X)
  }
}

/** A fitted {@link RobustScaler}. */
export class RobustScalerModel implements Transformer {
  readonly kind = KIND
  readonly diagnostics: Diagnostics
  readonly featureNames: readonly string[]
  readonly outputNames: readonly string[]
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    /** The per-column medians (0 without centering). */
    readonly center: Float64Array,
    /** The per-column interquantile ranges (1 without scaling or for a zero range). */
    readonly scale: Float64Array,
    private readonly warnings: readonly string[],
  ) {
    this.featureNames = features.map((f) => f.name)
    this.outputNames = this.featureNames
    this.diagnostics = closedForm(warnings)
  }

  /** `(x - center) / scale` for each fitted column. */
  transform(X: Frame): Frame {
    return mapNumericColumns(X, this.features, KIND, (x, validity, j, out) =>
      centerScale(x, validity, this.center[j]!, this.scale[j]!, out),
    )
  }

  /** `x * scale + center` for each output column. */
  inverseTransform(X: Frame): Frame {
    return mapInverseColumns(X, this.outputNames, this.featureNames, KIND, (x, validity, j, out) =>
      scaleShift(x, validity, this.scale[j]!, this.center[j]!, out),
    )
  }

  toJSON(): ModelState {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.p, quantileRange: [...this.p.quantileRange] },
      state: {
        features: this.features,
        center: encodeArray(this.center),
        scale: encodeArray(this.scale),
        warnings: this.warnings,
      },
    }
  }
}

/** Rebuilds a {@link RobustScalerModel} from its JSON state. */
export function loadRobustScaler(state: ModelState): RobustScalerModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, RobustScalerParamsSchema, state.params)
  const s = state.state
  const features = readFeatures(s.features)
  const k = features.length
  return new RobustScalerModel(
    p,
    features,
    readPerFeature(s.center, 'center', k),
    readPerFeature(s.scale, 'scale', k),
    readWarnings(s.warnings),
  )
}

/** The registry entry of `preprocessing.robust-scaler`. */
export const ROBUST_SCALER_ENTRY: EstimatorEntry = {
  kind: KIND,
  task: 'transform',
  summary: 'Scale numeric columns by median and interquantile range (robust to outliers)',
  create: (p) => new RobustScaler(p),
  load: loadRobustScaler,
}
