/**
 * `preprocessing.polynomial`: products of numeric columns up to a degree (sklearn's
 * `PolynomialFeatures`).
 */
import { z } from 'zod'

import { createFrame, type Column, type Frame } from '../../frame/index.js'
import {
  captureFeatures,
  checkState,
  closedForm,
  fitStep,
  parseParams,
  readFeatures,
  selectFeatures,
  type EstimatorEntry,
  type FeatureSpec,
  type FitOptions,
  type FitTransformResult,
  type ModelState,
  type Transformer,
  type TransformerEstimator,
} from '../base/index.js'

import {
  checkFitFrame,
  checkNumericInput,
  f64Column,
  fitThenTransform,
  numericValues,
  paramError,
} from './shared.js'

/** Parameters of {@link PolynomialFeatures}. */
export const PolynomialFeaturesParamsSchema = z.strictObject({
  /** The maximum degree, or `[minDegree, maxDegree]` (terms of those degrees only). @default 2 */
  degree: z
    .union([z.int().min(0), z.tuple([z.int().min(0), z.int().min(0)])])
    .refine((d) => !Array.isArray(d) || d[0] <= d[1], { message: 'minDegree must be ≤ maxDegree' })
    .default(2),
  /** Only products of distinct columns (`a b`, never `a^2`). @default false */
  interactionOnly: z.boolean().default(false),
  /** Add the constant column `1` first. @default true */
  includeBias: z.boolean().default(true),
})
export type PolynomialFeaturesParams = z.input<typeof PolynomialFeaturesParamsSchema>
type Resolved = z.output<typeof PolynomialFeaturesParamsSchema>

const KIND = 'preprocessing.polynomial'

/**
 * The column index tuples of every output term, in sklearn's order: the bias `[]` (if
 * included), then by degree, each degree in lexicographic order of `combinations` (with
 * replacement unless `interactionOnly`).
 */
function termsOf(nFeatures: number, p: Resolved): number[][] {
  const [minDegree, maxDegree] = Array.isArray(p.degree) ? p.degree : [0, p.degree]
  const terms: number[][] = p.includeBias ? [[]] : []
  const extend = (prefix: number[], from: number, left: number): void => {
    if (left === 0) {
      terms.push(prefix)
      return
    }
    for (let j = from; j < nFeatures; j++)
      extend([...prefix, j], p.interactionOnly ? j + 1 : j, left - 1)
  }
  for (let d = Math.max(1, minDegree); d <= maxDegree; d++) extend([], 0, d)
  return terms
}

/** sklearn's name of a term: `1`, `a`, `a^2`, `a b^2`. */
function termName(term: readonly number[], names: readonly string[]): string {
  if (term.length === 0) return '1'
  const parts: string[] = []
  for (let j = 0; j < names.length; j++) {
    let power = 0
    for (const t of term) if (t === j) power++
    if (power === 1) parts.push(names[j]!)
    else if (power > 1) parts.push(`${names[j]!}^${power}`)
  }
  return parts.join(' ')
}

/**
 * Generates every product of the numeric input columns up to `degree`, named like sklearn's
 * `get_feature_names_out` (`1`, `a`, `b`, `a^2`, `a b`, `b^2`). Outputs are `f64`; missing
 * values and non-finite numbers are rejected (impute first).
 *
 * ## Method
 * Each term of degree `d` is its first column times the already computed term of the other
 * `d - 1` columns (as sklearn builds its output), one typed-array loop per output column.
 *
 * ## References
 * - scikit-learn 1.2 `sklearn.preprocessing.PolynomialFeatures` (dense).
 *
 * @example
 * ```ts
 * new PolynomialFeatures({ degree: 2 }).fit(X).outputNames // ['1', 'a', 'b', 'a^2', 'a b', 'b^2']
 * ```
 */
export class PolynomialFeatures implements TransformerEstimator<
  PolynomialFeaturesParams,
  PolynomialFeaturesModel
> {
  readonly kind = KIND
  constructor(readonly params: Readonly<PolynomialFeaturesParams> = {}) {}
  withParams(patch: Partial<PolynomialFeaturesParams>): PolynomialFeatures {
    return new PolynomialFeatures({ ...this.params, ...patch })
  }
  fit(X: Frame, _y?: Column, opts?: FitOptions): PolynomialFeaturesModel {
    const p = parseParams(KIND, PolynomialFeaturesParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    checkFitFrame(X, KIND)
    checkNumericInput(X, KIND, { allowMissing: false, stage: 'fit' })
    if (termsOf(X.nColumns, p).length === 0)
      throw paramError(KIND, 'degree', 'with includeBias false this gives no output column')
    return new PolynomialFeaturesModel(p, captureFeatures(X))
  }
  fitTransform(
    X: Frame,
    y?: Column,
    opts?: FitOptions,
  ): FitTransformResult<PolynomialFeaturesModel> {
    return fitThenTransform(() => this.fit(X, y, opts), X)
  }
}

/** A fitted {@link PolynomialFeatures}. */
export class PolynomialFeaturesModel implements Transformer {
  readonly kind = KIND
  readonly diagnostics = closedForm()
  readonly featureNames: readonly string[]
  readonly outputNames: readonly string[]
  /** The input column indices multiplied in each output column (`[]` for the bias). */
  readonly terms: readonly (readonly number[])[]
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
  ) {
    this.featureNames = features.map((f) => f.name)
    this.terms = termsOf(features.length, p)
    this.outputNames = this.terms.map((t) => termName(t, this.featureNames))
  }

  /** The products of `X`'s fitted columns. */
  transform(X: Frame): Frame {
    const Xs = selectFeatures(X, this.features, KIND)
    checkNumericInput(Xs, KIND, { allowMissing: false, stage: 'transform' })
    const n = Xs.nRows
    const inputs = Xs.columns.map(numericValues)
    const cache = new Map<string, Float64Array>()
    const product = (term: readonly number[]): Float64Array => {
      const key = term.join(',')
      const hit = cache.get(key)
      if (hit !== undefined) return hit
      const out = new Float64Array(n)
      if (term.length === 0) {
        out.fill(1)
      } else {
        const first = inputs[term[0]!]!
        if (term.length === 1) {
          for (let i = 0; i < n; i++) out[i] = first[i]!
        } else {
          const rest = product(term.slice(1))
          for (let i = 0; i < n; i++) out[i] = first[i]! * rest[i]!
        }
      }
      cache.set(key, out)
      return out
    }
    return createFrame(this.terms.map((t, o) => f64Column(this.outputNames[o]!, product(t))))
  }

  toJSON(): ModelState {
    return {
      kind: KIND,
      version: 1,
      params: {
        ...this.p,
        degree: Array.isArray(this.p.degree) ? [...this.p.degree] : this.p.degree,
      },
      state: { features: this.features },
    }
  }
}

/** Rebuilds a {@link PolynomialFeaturesModel} from its JSON state. */
export function loadPolynomialFeatures(state: ModelState): PolynomialFeaturesModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, PolynomialFeaturesParamsSchema, state.params)
  return new PolynomialFeaturesModel(p, readFeatures(state.state.features))
}

/** The registry entry of `preprocessing.polynomial`. */
export const POLYNOMIAL_FEATURES_ENTRY: EstimatorEntry = {
  kind: KIND,
  task: 'transform',
  summary: 'Polynomial and interaction terms of numeric columns',
  create: (p) => new PolynomialFeatures(p),
  load: loadPolynomialFeatures,
}
