/**
 * `preprocessing.ordinal`: each category becomes its index among the sorted categories
 * (sklearn's `OrdinalEncoder`).
 */
import { z } from 'zod'

import { ValidationError, type ValidationIssue } from '../../core/index.js'
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
  categoryCount,
  checkCategoricalInput,
  encodeCategories,
  fitCategories,
  readCategorySets,
  unknownLabels,
  type CategorySet,
} from './categories.js'
import { checkFitFrame, f64Column, fitThenTransform, paramError } from './shared.js'

/** Parameters of {@link OrdinalEncoder}. */
export const OrdinalEncoderParamsSchema = z
  .strictObject({
    /** `error`: an unknown category is a ValidationError; `use_encoded_value`: it becomes `unknownValue`. @default 'error' */
    handleUnknown: z.enum(['error', 'use_encoded_value']).default('error'),
    /**
     * The code of unknown categories with `use_encoded_value`: an integer that no category
     * uses (e.g. -1), or `null` for a missing value (sklearn's `np.nan`).
     */
    unknownValue: z.int().nullable().optional(),
    /** The code of missing rows; `null` keeps them missing (sklearn's `np.nan`). @default null */
    encodedMissingValue: z.int().nullable().default(null),
  })
  .superRefine((p, ctx) => {
    if (p.handleUnknown === 'use_encoded_value' && p.unknownValue === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['unknownValue'],
        message: 'required when handleUnknown is use_encoded_value (an integer or null)',
      })
    if (p.handleUnknown === 'error' && p.unknownValue !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['unknownValue'],
        message: 'only allowed when handleUnknown is use_encoded_value',
      })
  })
export type OrdinalEncoderParams = z.input<typeof OrdinalEncoderParamsSchema>
type Resolved = z.output<typeof OrdinalEncoderParamsSchema>

const KIND = 'preprocessing.ordinal'

/**
 * Encodes `cat`, `str`, `bool` and `i32` columns as `f64` category indices (0 … k-1 in sorted
 * order, like sklearn), keeping the column names.
 *
 * Missing rows stay missing unless `encodedMissingValue` is set. Unknown categories at
 * transform are an error, or `unknownValue` with `handleUnknown: 'use_encoded_value'` (a code
 * must not collide with a real category index, as sklearn checks).
 *
 * ## References
 * - scikit-learn 1.2 `sklearn.preprocessing.OrdinalEncoder`.
 *
 * @example
 * ```ts
 * new OrdinalEncoder({ handleUnknown: 'use_encoded_value', unknownValue: -1 }).fit(X).transform(X)
 * ```
 */
export class OrdinalEncoder implements TransformerEstimator<
  OrdinalEncoderParams,
  OrdinalEncoderModel
> {
  readonly kind = KIND
  constructor(readonly params: Readonly<OrdinalEncoderParams> = {}) {}
  withParams(patch: Partial<OrdinalEncoderParams>): OrdinalEncoder {
    return new OrdinalEncoder({ ...this.params, ...patch })
  }
  fit(X: Frame, _y?: Column, opts?: FitOptions): OrdinalEncoderModel {
    const p = parseParams(KIND, OrdinalEncoderParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    checkFitFrame(X, KIND)
    checkCategoricalInput(X, KIND)
    const sets = X.columns.map((col) => fitCategories(col).set)
    const clash = (v: number | null | undefined, k: number): boolean =>
      typeof v === 'number' && v >= 0 && v < k
    sets.forEach((set, j) => {
      const k = categoryCount(set)
      const name = X.columns[j]?.name ?? ''
      if (clash(p.unknownValue, k))
        throw paramError(
          KIND,
          'unknownValue',
          `${String(p.unknownValue)} is a category code of "${name}"`,
        )
      if (set.hasMissing && clash(p.encodedMissingValue, k))
        throw paramError(
          KIND,
          'encodedMissingValue',
          `${String(p.encodedMissingValue)} is a category code of "${name}"`,
        )
    })
    return new OrdinalEncoderModel(p, captureFeatures(X), sets)
  }
  fitTransform(X: Frame, y?: Column, opts?: FitOptions): FitTransformResult<OrdinalEncoderModel> {
    return fitThenTransform(() => this.fit(X, y, opts), X)
  }
}

/** A fitted {@link OrdinalEncoder}. */
export class OrdinalEncoderModel implements Transformer {
  readonly kind = KIND
  readonly diagnostics = closedForm()
  readonly featureNames: readonly string[]
  readonly outputNames: readonly string[]
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    /** The sorted categories of each column. */
    readonly categories: readonly CategorySet[],
  ) {
    this.featureNames = features.map((f) => f.name)
    this.outputNames = this.featureNames
  }

  /**
   * The category indices of `X`'s fitted columns.
   *
   * @throws ValidationError for an unknown category when `handleUnknown` is `error`.
   */
  transform(X: Frame): Frame {
    const Xs = selectFeatures(X, this.features, KIND)
    const n = Xs.nRows
    const issues: ValidationIssue[] = []
    const unknownValue = this.p.unknownValue ?? null
    const missingValue = this.p.encodedMissingValue
    const out = Xs.columns.map((col, j) => {
      const set = this.categories[j]!
      const codes = encodeCategories(col, set)
      const values = new Float64Array(n)
      let validity: Uint8Array | undefined
      const missingCode = set.hasMissing ? set.values.length : -2
      let unknown = 0
      const markMissing = (i: number): void => {
        validity ??= new Uint8Array(n).fill(1)
        validity[i] = 0
        values[i] = NaN
      }
      for (let i = 0; i < n; i++) {
        const c = codes[i]!
        if (c === missingCode) {
          if (missingValue === null) markMissing(i)
          else values[i] = missingValue
        } else if (c < 0) {
          unknown++
          if (unknownValue === null) markMissing(i)
          else values[i] = unknownValue
        } else {
          values[i] = c
        }
      }
      if (unknown > 0 && this.p.handleUnknown === 'error') {
        issues.push({
          path: ['X', col.name],
          code: 'unknown_category',
          message: `column "${col.name}" has ${unknown} row(s) with categories fit never saw (${unknownLabels(col, codes).join(', ')})`,
        })
      }
      return f64Column(col.name, values, validity)
    })
    if (issues.length > 0) {
      throw new ValidationError(
        `${KIND} found unknown categories (set handleUnknown to 'use_encoded_value' to accept them)`,
        issues,
      )
    }
    return createFrame(out)
  }

  toJSON(): ModelState {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.p },
      state: { features: this.features, categories: this.categories },
    }
  }
}

/** Rebuilds an {@link OrdinalEncoderModel} from its JSON state. */
export function loadOrdinalEncoder(state: ModelState): OrdinalEncoderModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, OrdinalEncoderParamsSchema, state.params)
  const features = readFeatures(state.state.features)
  return new OrdinalEncoderModel(
    p,
    features,
    readCategorySets(state.state.categories, 'categories', features.length),
  )
}

/** The registry entry of `preprocessing.ordinal`. */
export const ORDINAL_ENCODER_ENTRY: EstimatorEntry = {
  kind: KIND,
  task: 'transform',
  summary: 'Encode categorical columns as sorted category indices',
  create: (p) => new OrdinalEncoder(p),
  load: loadOrdinalEncoder,
}
