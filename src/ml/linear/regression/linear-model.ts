/**
 * The fitted model every linear regressor returns (`ŷ = X·coef + intercept`), its JSON state and
 * its loader.
 */
import { z } from 'zod'

import type { Column, Frame } from '../../../frame/index.js'
import {
  badState,
  checkState,
  decodeF64,
  encodeArray,
  parseParams,
  predictionColumn,
  readFeatures,
  selectFeatures,
  type Diagnostics,
  type FeatureSpec,
  type ModelState,
  type Predictor,
} from '../../base/index.js'

import { assertFiniteFeatures, assertNumericFeatures } from './design.js'

/** Fit facts of a linear regressor. */
export interface LinearDiagnostics extends Diagnostics {
  /** The solver that produced the coefficients (`'cholesky'`, `'qr-svd'`, `'cd-gram'`, …). */
  readonly solver: string
  /** Coordinate descent: the duality gap at the end, scaled like sklearn's `dual_gap_`. */
  readonly dualGap?: number
  /** Least squares: the numerical rank of the centered design matrix, when it was computed. */
  readonly rank?: number
}

/**
 * A fitted linear regressor (`linear.ols`, `linear.ridge`, `linear.lasso`,
 * `linear.elastic-net`): `predict(X) = X·coef + intercept`.
 */
export class LinearRegressionModel<
  P extends object = Readonly<Record<string, unknown>>,
> implements Predictor {
  readonly featureNames: readonly string[]
  constructor(
    readonly kind: string,
    /** The parameters the model was fitted with, after defaults. */
    readonly params: Readonly<P>,
    private readonly features: readonly FeatureSpec[],
    /** One coefficient per feature, in `featureNames` order (sklearn `coef_`). */
    readonly coef: Float64Array,
    /** The constant term (sklearn `intercept_`; 0 when `fitIntercept` is false). */
    readonly intercept: number,
    readonly diagnostics: LinearDiagnostics,
  ) {
    this.featureNames = features.map((f) => f.name)
  }

  /**
   * One prediction per row of `X`.
   *
   * @throws ValidationError for missing or mismatched columns, missing values, NaN or ±Infinity.
   */
  predict(X: Frame): Column {
    const Xs = selectFeatures(X, this.features, this.kind)
    assertNumericFeatures(Xs, this.kind)
    const n = Xs.nRows
    const out = new Float64Array(n).fill(this.intercept)
    Xs.columns.forEach((col, j) => {
      const c = this.coef[j]!
      const v = col.values as ArrayLike<number>
      for (let i = 0; i < n; i++) out[i] = out[i]! + c * v[i]!
    })
    // A NaN or infinite feature always makes its prediction non-finite (0·∞ is NaN too), so one
    // check of the output replaces a scan of every input value.
    for (let i = 0; i < n; i++) if (!Number.isFinite(out[i]!)) assertFiniteFeatures(Xs, this.kind)
    return predictionColumn(out)
  }

  toJSON(): ModelState {
    const d = this.diagnostics
    return {
      kind: this.kind,
      version: 1,
      params: { ...this.params },
      state: {
        features: this.features,
        coef: encodeArray(this.coef),
        intercept: encodeArray(Float64Array.of(this.intercept)),
        diagnostics: {
          converged: d.converged,
          nIter: d.nIter,
          warnings: [...d.warnings],
          solver: d.solver,
          ...(d.dualGap === undefined ? {} : { dualGap: encodeArray(Float64Array.of(d.dualGap)) }),
          ...(d.rank === undefined ? {} : { rank: d.rank }),
        },
      },
    }
  }
}

const DiagnosticsSchema = z.object({
  converged: z.boolean(),
  nIter: z.int().min(0),
  warnings: z.array(z.string()),
  solver: z.string(),
  dualGap: z.unknown().optional(),
  rank: z.int().min(0).optional(),
})

/** A `load` for one linear kind: checks the envelope, the parameters and the arrays. */
export function linearModelLoader<S extends z.ZodType<object>>(
  kind: string,
  schema: S,
): (state: ModelState) => LinearRegressionModel<z.output<S>> {
  return (state) => {
    checkState(state, kind, [1])
    const params = parseParams(kind, schema, state.params)
    const s = state.state
    const features = readFeatures(s.features)
    const coef = decodeF64(s.coef, 'coef')
    if (coef.length !== features.length)
      throw badState('coef', `expected ${features.length} coefficients, got ${coef.length}`)
    const intercept = decodeF64(s.intercept, 'intercept')
    if (intercept.length !== 1) throw badState('intercept', 'expected one value')
    const r = DiagnosticsSchema.safeParse(s.diagnostics)
    if (!r.success) throw badState('diagnostics', 'expected converged, nIter, warnings and solver')
    const d = r.data
    const gap = d.dualGap === undefined ? undefined : decodeF64(d.dualGap, 'diagnostics.dualGap')
    const diagnostics: LinearDiagnostics = {
      converged: d.converged,
      nIter: d.nIter,
      warnings: d.warnings,
      solver: d.solver,
      ...(gap === undefined ? {} : { dualGap: gap[0] ?? NaN }),
      ...(d.rank === undefined ? {} : { rank: d.rank }),
    }
    return new LinearRegressionModel(kind, params, features, coef, intercept[0]!, diagnostics)
  }
}
