/**
 * `preprocessing.standard-scaler`: centers each column on its mean and divides by its standard
 * deviation (sklearn's `StandardScaler`).
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
import { columnMoments, safeScale } from './stats.js'

/** Parameters of {@link StandardScaler}. */
export const StandardScalerParamsSchema = z.strictObject({
  /** Subtract the column mean. @default true */
  withMean: z.boolean().default(true),
  /** Divide by the column standard deviation (population, ddof 0). @default true */
  withStd: z.boolean().default(true),
})
export type StandardScalerParams = z.input<typeof StandardScalerParamsSchema>
type Resolved = z.output<typeof StandardScalerParamsSchema>

const KIND = 'preprocessing.standard-scaler'

/**
 * Standardizes numeric columns: `(x - mean) / std`, column by column.
 *
 * Fit skips missing rows and NaN values (sklearn treats NaN as missing); transform keeps them
 * missing. A constant column (variance within the rounding bound of Chan, Golub and LeVeque,
 * as sklearn's `_is_constant_feature`) gets scale 1, so it maps to 0 instead of dividing by
 * zero. Outputs are `f64` columns with the input names. ±Infinity is rejected.
 *
 * ## Method
 * Two-pass mean and variance per column; transform is one typed-array loop per column.
 *
 * ## References
 * - scikit-learn 1.2 `sklearn.preprocessing.StandardScaler`.
 *
 * @example
 * ```ts
 * const { model, output } = new StandardScaler().fitTransform(X)
 * model.inverseTransform(output) // ≈ X
 * ```
 */
export class StandardScaler implements TransformerEstimator<
  StandardScalerParams,
  StandardScalerModel
> {
  readonly kind = KIND
  constructor(readonly params: Readonly<StandardScalerParams> = {}) {}
  withParams(patch: Partial<StandardScalerParams>): StandardScaler {
    return new StandardScaler({ ...this.params, ...patch })
  }
  fit(X: Frame, _y?: Column, opts?: FitOptions): StandardScalerModel {
    const p = parseParams(KIND, StandardScalerParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    checkFitFrame(X, KIND)
    checkNumericInput(X, KIND, { allowMissing: true, stage: 'fit' })
    const k = X.nColumns
    const mean = new Float64Array(k)
    const variance = new Float64Array(k)
    const scale = new Float64Array(k).fill(1)
    const warnings: string[] = []
    X.columns.forEach((col, j) => {
      const m = columnMoments(col)
      mean[j] = p.withMean ? m.mean : 0
      variance[j] = m.variance
      if (!p.withStd) return
      const eps = Number.EPSILON
      const bound = m.count * eps * m.variance + (m.count * m.mean * eps) ** 2
      const constant = m.variance <= bound
      if (constant) warnings.push(`column "${col.name}" is constant; its scale is 1`)
      scale[j] = m.count === 0 ? 1 : safeScale(Math.sqrt(m.variance), constant)
    })
    return new StandardScalerModel(p, captureFeatures(X), mean, variance, scale, warnings)
  }
  fitTransform(X: Frame, y?: Column, opts?: FitOptions): FitTransformResult<StandardScalerModel> {
    return fitThenTransform(() => this.fit(X, y, opts), X)
  }
}

/** A fitted {@link StandardScaler}. */
export class StandardScalerModel implements Transformer {
  readonly kind = KIND
  readonly diagnostics: Diagnostics
  readonly featureNames: readonly string[]
  readonly outputNames: readonly string[]
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    /** The subtracted means (0 when `withMean` is false). */
    readonly mean: Float64Array,
    /** The population variances of the columns. */
    readonly variance: Float64Array,
    /** The divisors (1 when `withStd` is false or the column is constant). */
    readonly scale: Float64Array,
    private readonly warnings: readonly string[],
  ) {
    this.featureNames = features.map((f) => f.name)
    this.outputNames = this.featureNames
    this.diagnostics = closedForm(warnings)
  }

  /** `(x - mean) / scale` for each fitted column. */
  transform(X: Frame): Frame {
    return mapNumericColumns(X, this.features, KIND, (x, validity, j, out) =>
      centerScale(x, validity, this.mean[j]!, this.scale[j]!, out),
    )
  }

  /** `x * scale + mean` for each output column: the original values back (up to rounding). */
  inverseTransform(X: Frame): Frame {
    return mapInverseColumns(X, this.outputNames, this.featureNames, KIND, (x, validity, j, out) =>
      scaleShift(x, validity, this.scale[j]!, this.mean[j]!, out),
    )
  }

  toJSON(): ModelState {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.p },
      state: {
        features: this.features,
        mean: encodeArray(this.mean),
        variance: encodeArray(this.variance),
        scale: encodeArray(this.scale),
        warnings: this.warnings,
      },
    }
  }
}

/** Rebuilds a {@link StandardScalerModel} from its JSON state. */
export function loadStandardScaler(state: ModelState): StandardScalerModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, StandardScalerParamsSchema, state.params)
  const s = state.state
  const features = readFeatures(s.features)
  const k = features.length
  return new StandardScalerModel(
    p,
    features,
    readPerFeature(s.mean, 'mean', k),
    readPerFeature(s.variance, 'variance', k),
    readPerFeature(s.scale, 'scale', k),
    readWarnings(s.warnings),
  )
}

/** The registry entry of `preprocessing.standard-scaler`. */
export const STANDARD_SCALER_ENTRY: EstimatorEntry = {
  kind: KIND,
  task: 'transform',
  summary: 'Standardize numeric columns to zero mean and unit variance',
  create: (p) => new StandardScaler(p),
  load: loadStandardScaler,
}
