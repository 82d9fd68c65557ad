/**
 * `preprocessing.outlier-clipper`: clips each numeric column to bounds learned from its
 * training distribution (Tukey's fences or z-score limits).
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
  type EstimatorEntry,
  type FeatureSpec,
  type FitOptions,
  type FitTransformResult,
  type ModelState,
  type Transformer,
  type TransformerEstimator,
} from '../base/index.js'

import { mapNumericColumns, readPerFeature } from './columnwise.js'
import { clipTo } from './kernels/affine.js'
import { checkFitFrame, checkNumericInput, fitThenTransform, presentValues } from './shared.js'
import { columnMoments, quantilesOf } from './stats.js'

/** Parameters of {@link OutlierClipper}. */
export const OutlierClipperParamsSchema = z.strictObject({
  /**
   * `iqr`: Tukey's fences `[Q1 - factor·IQR, Q3 + factor·IQR]`; `zscore`:
   * `[mean - threshold·std, mean + threshold·std]` (population std). @default 'iqr'
   */
  method: z.enum(['iqr', 'zscore']).default('iqr'),
  /** The IQR multiple of `iqr`. @default 1.5 */
  factor: z.number().min(0).default(1.5),
  /** The standard-deviation multiple of `zscore`. @default 3 */
  threshold: z.number().min(0).default(3),
})
export type OutlierClipperParams = z.input<typeof OutlierClipperParamsSchema>
type Resolved = z.output<typeof OutlierClipperParamsSchema>

const KIND = 'preprocessing.outlier-clipper'

/**
 * Winsorizes numeric columns: values below a column's lower bound become the bound, likewise
 * above the upper bound. Bounds come from the training rows: Tukey's fences (quartiles with
 * numpy's linear interpolation) or mean ± threshold standard deviations. Missing rows and NaN
 * are skipped at fit and stay missing; ±Infinity is rejected. Outputs are `f64` with the
 * input names.
 *
 * ## Method
 * One selection of the quartiles (or two passes for the moments) per column at fit; transform
 * is one clipping loop per column.
 *
 * ## References
 * - J. W. Tukey. Exploratory Data Analysis. Addison-Wesley, 1977 (the 1.5 IQR fences).
 *
 * @example
 * ```ts
 * new OutlierClipper({ method: 'zscore', threshold: 3 }).fit(X).transform(X)
 * ```
 */
export class OutlierClipper implements TransformerEstimator<
  OutlierClipperParams,
  OutlierClipperModel
> {
  readonly kind = KIND
  constructor(readonly params: Readonly<OutlierClipperParams> = {}) {}
  withParams(patch: Partial<OutlierClipperParams>): OutlierClipper {
    return new OutlierClipper({ ...this.params, ...patch })
  }
  fit(X: Frame, _y?: Column, opts?: FitOptions): OutlierClipperModel {
    const p = parseParams(KIND, OutlierClipperParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    checkFitFrame(X, KIND)
    checkNumericInput(X, KIND, { allowMissing: true, stage: 'fit' })
    const k = X.nColumns
    const lower = new Float64Array(k)
    const upper = new Float64Array(k)
    X.columns.forEach((col, j) => {
      if (p.method === 'iqr') {
        const [q1, q3] = quantilesOf(presentValues(col), [0.25, 0.75])
        const iqr = q3! - q1!
        lower[j] = q1! - p.factor * iqr
        upper[j] = q3! + p.factor * iqr
      } else {
        const m = columnMoments(col)
        const sd = Math.sqrt(m.variance)
        lower[j] = m.mean - p.threshold * sd
        upper[j] = m.mean + p.threshold * sd
      }
      // A column with no present value has no bounds: leave its values as they are.
      if (Number.isNaN(lower[j])) {
        lower[j] = -Infinity
        upper[j] = Infinity
      }
    })
    return new OutlierClipperModel(p, captureFeatures(X), lower, upper)
  }
  fitTransform(X: Frame, y?: Column, opts?: FitOptions): FitTransformResult<OutlierClipperModel> {
    return fitThenTransform(() => this.fit(X, y, opts), X)
  }
}

/** A fitted {@link OutlierClipper}. */
export class OutlierClipperModel implements Transformer {
  readonly kind = KIND
  readonly diagnostics = closedForm()
  readonly featureNames: readonly string[]
  readonly outputNames: readonly string[]
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    /** The per-column lower bounds. */
    readonly lower: Float64Array,
    /** The per-column upper bounds. */
    readonly upper: Float64Array,
  ) {
    this.featureNames = features.map((f) => f.name)
    this.outputNames = this.featureNames
  }

  /** Each fitted column clipped to its bounds. */
  transform(X: Frame): Frame {
    return mapNumericColumns(X, this.features, KIND, (x, validity, j, out) =>
      clipTo(x, validity, this.lower[j]!, this.upper[j]!, out),
    )
  }

  toJSON(): ModelState {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.p },
      state: {
        features: this.features,
        lower: encodeArray(this.lower),
        upper: encodeArray(this.upper),
      },
    }
  }
}

/** Rebuilds an {@link OutlierClipperModel} from its JSON state. */
export function loadOutlierClipper(state: ModelState): OutlierClipperModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, OutlierClipperParamsSchema, state.params)
  const features = readFeatures(state.state.features)
  const k = features.length
  return new OutlierClipperModel(
    p,
    features,
    readPerFeature(state.state.lower, 'lower', k),
    readPerFeature(state.state.upper, 'upper', k),
  )
}

/** The registry entry of `preprocessing.outlier-clipper`. */
export const OUTLIER_CLIPPER_ENTRY: EstimatorEntry = {
  kind: KIND,
  task: 'transform',
  summary: 'Clip numeric columns to IQR fences or z-score limits learned at fit',
  create: (p) => new OutlierClipper(p),
  load: loadOutlierClipper,
}
