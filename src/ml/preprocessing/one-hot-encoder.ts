/**
 * `preprocessing.one-hot`: one 0/1 column per category (sklearn's `OneHotEncoder`, dense), with
 * sklearn 1.2's infrequent-category grouping and `drop`.
 */
import { z } from 'zod'

import { ValidationError, type ValidationIssue } from '../../core/index.js'
import { createFrame, type Column, type Frame } from '../../frame/index.js'
import {
  badState,
  captureFeatures,
  checkState,
  closedForm,
  decodeI32,
  encodeArray,
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
  categoryLabel,
  checkCategoricalInput,
  encodeCategories,
  fitCategories,
  readCategorySets,
  unknownLabels,
  type CategorySet,
} from './categories.js'
import { checkFitFrame, f64Column, fitThenTransform } from './shared.js'

/** Parameters of {@link OneHotEncoder}. */
export const OneHotEncoderParamsSchema = z.strictObject({
  /**
   * What transform does with a category fit never saw: `error` (a ValidationError), `ignore`
   * (an all-zero row), `infrequent_if_exist` (the infrequent column if the feature has one,
   * else all zeros). @default 'error'
   */
  handleUnknown: z.enum(['error', 'ignore', 'infrequent_if_exist']).default('error'),
  /**
   * `first` drops each feature's first output column; `if_binary` only for features with two;
   * `null` keeps all. @default null
   */
  drop: z.enum(['first', 'if_binary']).nullable().default(null),
  /**
   * Categories seen fewer times are grouped as infrequent: an integer ≥ 1 is a count, a number
   * in (0, 1) a fraction of the rows. @default null
   */
  minFrequency: z
    .number()
    .refine((v) => (Number.isInteger(v) && v >= 1) || (v > 0 && v < 1), {
      message: 'must be an integer ≥ 1 (a count) or in (0, 1) (a fraction)',
    })
    .nullable()
    .default(null),
  /** At most this many output columns per feature, the infrequent one included (≥ 2). @default null */
  maxCategories: z.int().min(2).nullable().default(null),
})
export type OneHotEncoderParams = z.input<typeof OneHotEncoderParamsSchema>
type Resolved = z.output<typeof OneHotEncoderParamsSchema>

const KIND = 'preprocessing.one-hot'
const INFREQUENT = 'infrequent_sklearn'

/** The learned layout of one input column. */
interface ColumnLayout {
  readonly set: CategorySet
  /** Per category (missing included): its grouped index (infrequent ones share the last). */
  readonly grouped: Int32Array
  /** Grouped columns before the drop. */
  readonly nGrouped: number
  /** Whether the last grouped index is the infrequent bucket. */
  readonly hasInfrequent: boolean
  /** The grouped index that is dropped, or -1. */
  readonly drop: number
}

/**
 * One-hot encodes `cat`, `str`, `bool` and `i32` columns into `f64` 0/1 columns named
 * `<column>_<category>` (sklearn's `get_feature_names_out`: `color_red`, `flag_True`, `n_3`).
 *
 * Categories are the values fit saw, sorted like sklearn; missing rows are one more category,
 * `<column>_nan`, last. With `minFrequency` or `maxCategories`, rare categories share one
 * column `<column>_infrequent_sklearn`, last (sklearn 1.2's rules, ties kept in sorted order).
 * `drop` removes the first column of every feature (`first`) or of two-column features
 * (`if_binary`). Unknown categories at transform follow `handleUnknown`.
 *
 * ## Method
 * Fit counts the categories of each column once; transform maps rows to indices through a
 * per-column table and writes the ones into zeroed `Float64Array`s.
 *
 * ## References
 * - scikit-learn 1.2 `sklearn.preprocessing.OneHotEncoder`.
 *
 * @example
 * ```ts
 * const m = new OneHotEncoder({ handleUnknown: 'ignore' }).fit(X)
 * m.outputNames // ['color_blue', 'color_red', ...]
 * ```
 */
export class OneHotEncoder implements TransformerEstimator<
  OneHotEncoderParams,
  OneHotEncoderModel
> {
  readonly kind = KIND
  constructor(readonly params: Readonly<OneHotEncoderParams> = {}) {}
  withParams(patch: Partial<OneHotEncoderParams>): OneHotEncoder {
    return new OneHotEncoder({ ...this.params, ...patch })
  }
  fit(X: Frame, _y?: Column, opts?: FitOptions): OneHotEncoderModel {
    const p = parseParams(KIND, OneHotEncoderParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    checkFitFrame(X, KIND)
    checkCategoricalInput(X, KIND)
    const layouts = X.columns.map((col) => {
      const { set, counts } = fitCategories(col)
      return layoutOf(set, infrequentOf(counts, X.nRows, p), p.drop)
    })
    return new OneHotEncoderModel(p, captureFeatures(X), layouts)
  }
  fitTransform(X: Frame, y?: Column, opts?: FitOptions): FitTransformResult<OneHotEncoderModel> {
    return fitThenTransform(() => this.fit(X, y, opts), X)
  }
}

/** sklearn's `_identify_infrequent`: which categories are infrequent, given their counts. */
function infrequentOf(counts: Float64Array, nRows: number, p: Resolved): Uint8Array {
  const k = counts.length
  const infrequent = new Uint8Array(k)
  const min = p.minFrequency
  if (min !== null) {
    const threshold = Number.isInteger(min) ? min : nRows * min
    for (let c = 0; c < k; c++) if (counts[c]! < threshold) infrequent[c] = 1
  }
  let nInfrequent = 0
  for (let c = 0; c < k; c++) nInfrequent += infrequent[c]!
  const max = p.maxCategories
  if (max !== null && max < k - nInfrequent + 1) {
    // A stable ascending sort by count: among equal counts the earlier (smaller) category goes first.
    const order = Array.from({ length: k }, (_, c) => c).sort(
      (a, b) => counts[a]! - counts[b]! || a - b,
    )
    for (const c of order.slice(0, k - (max - 1))) infrequent[c] = 1
  }
  return infrequent
}

function layoutOf(set: CategorySet, infrequent: Uint8Array, drop: Resolved['drop']): ColumnLayout {
  const k = categoryCount(set)
  const grouped = new Int32Array(k)
  let nFrequent = 0
  for (let c = 0; c < k; c++) if (infrequent[c] === 0) grouped[c] = nFrequent++
  const hasInfrequent = nFrequent < k
  for (let c = 0; c < k; c++) if (infrequent[c] === 1) grouped[c] = nFrequent
  const nGrouped = nFrequent + (hasInfrequent ? 1 : 0)
  const dropIndex = drop === 'first' || (drop === 'if_binary' && nGrouped === 2) ? 0 : -1
  return { set, grouped, nGrouped, hasInfrequent, drop: nGrouped === 0 ? -1 : dropIndex }
}

/** The output labels of one column, dropped one excluded. */
function layoutLabels(layout: ColumnLayout): string[] {
  const labels: string[] = new Array<string>(layout.nGrouped)
  const k = categoryCount(layout.set)
  for (let c = 0; c < k; c++) {
    const g = layout.grouped[c]!
    if (!(layout.hasInfrequent && g === layout.nGrouped - 1))
      labels[g] = categoryLabel(layout.set, c)
  }
  if (layout.hasInfrequent) labels[layout.nGrouped - 1] = INFREQUENT
  return labels.filter((_, g) => g !== layout.drop)
}

/** A fitted {@link OneHotEncoder}. */
export class OneHotEncoderModel implements Transformer {
  readonly kind = KIND
  readonly diagnostics = closedForm()
  readonly featureNames: readonly string[]
  readonly outputNames: readonly string[]
  /** Per input column, the output labels (`red`, `infrequent_sklearn`, `nan`). */
  readonly categories: readonly (readonly string[])[]
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    private readonly layouts: readonly ColumnLayout[],
  ) {
    this.featureNames = features.map((f) => f.name)
    this.categories = layouts.map(layoutLabels)
    this.outputNames = this.categories.flatMap((labels, j) =>
      labels.map((l) => `${this.featureNames[j] ?? ''}_${l}`),
    )
  }

  /**
   * The one-hot columns of `X`.
   *
   * @throws ValidationError for an unknown category when `handleUnknown` is `error`.
   */
  transform(X: Frame): Frame {
    const Xs = selectFeatures(X, this.features, KIND)
    const n = Xs.nRows
    const issues: ValidationIssue[] = []
    const out: Column[] = []
    let name = 0
    Xs.columns.forEach((col, j) => {
      const layout = this.layouts[j]!
      const codes = encodeCategories(col, layout.set)
      const width = layout.nGrouped - (layout.drop >= 0 ? 1 : 0)
      const cols = Array.from({ length: width }, () => new Float64Array(n))
      const unknownTo =
        this.p.handleUnknown === 'infrequent_if_exist' && layout.hasInfrequent
          ? layout.nGrouped - 1
          : -1
      let unknown = 0
      for (let i = 0; i < n; i++) {
        const c = codes[i]!
        let g: number
        if (c < 0) {
          unknown++
          g = unknownTo
        } else {
          g = layout.grouped[c]!
        }
        if (g < 0 || g === layout.drop) continue
        cols[layout.drop >= 0 && g > layout.drop ? g - 1 : g]![i] = 1
      }
      if (unknown > 0 && this.p.handleUnknown === 'error') {
        issues.push({
          path: ['X', col.name],
          code: 'unknown_category',
          message: `column "${col.name}" has ${unknown} row(s) with categories fit never saw (${unknownLabels(col, codes).join(', ')})`,
        })
      }
      for (const values of cols) out.push(f64Column(this.outputNames[name++]!, values))
    })
    if (issues.length > 0) {
      throw new ValidationError(
        `${KIND} found unknown categories (set handleUnknown to 'ignore' or 'infrequent_if_exist' to accept them)`,
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
      state: {
        features: this.features,
        categories: this.layouts.map((l) => l.set),
        grouped: this.layouts.map((l) => encodeArray(l.grouped)),
        hasInfrequent: this.layouts.map((l) => l.hasInfrequent),
        drop: this.layouts.map((l) => l.drop),
      },
    }
  }
}

/** Rebuilds a {@link OneHotEncoderModel} from its JSON state. */
export function loadOneHotEncoder(state: ModelState): OneHotEncoderModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, OneHotEncoderParamsSchema, state.params)
  const s = state.state
  const features = readFeatures(s.features)
  const k = features.length
  const sets = readCategorySets(s.categories, 'categories', k)
  const grouped = s.grouped
  const drop = s.drop
  if (!Array.isArray(grouped) || grouped.length !== k)
    throw badState('grouped', `expected ${k} arrays`)
  if (!Array.isArray(drop) || drop.length !== k || !drop.every((d) => Number.isInteger(d)))
    throw badState('drop', `expected ${k} integers`)
  const hasInfrequent = s.hasInfrequent
  if (
    !Array.isArray(hasInfrequent) ||
    hasInfrequent.length !== k ||
    !hasInfrequent.every((h) => typeof h === 'boolean')
  )
    throw badState('hasInfrequent', `expected ${k} booleans`)
  const layouts = sets.map((set, j): ColumnLayout => {
    const g = decodeI32(grouped[j], `grouped.${j}`)
    if (g.length !== categoryCount(set)) throw badState(`grouped.${j}`, 'length mismatch')
    let nGrouped = 0
    for (const v of g) nGrouped = Math.max(nGrouped, v + 1)
    const d = drop[j] as number
    if (d < -1 || d >= Math.max(nGrouped, 1)) throw badState(`drop.${j}`, 'out of range')
    return { set, grouped: g, nGrouped, hasInfrequent: hasInfrequent[j] as boolean, drop: d }
  })
  return new OneHotEncoderModel(p, features, layouts)
}

/** The registry entry of `preprocessing.one-hot`. */
export const ONE_HOT_ENCODER_ENTRY: EstimatorEntry = {
  kind: KIND,
  task: 'transform',
  summary: 'One-hot encode categorical columns (infrequent grouping, drop, unknown handling)',
  create: (p) => new OneHotEncoder(p),
  load: loadOneHotEncoder,
}
