/**
 * `preprocessing.feature-cross`: combinations of categorical columns as new categorical columns
 * (BigQuery ML's `ML.FEATURE_CROSS`), optionally hashed into buckets.
 */
import { z } from 'zod'

import { createColumn, createFrame, type Column, type Frame } from '../../frame/index.js'
import {
  badState,
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

import { checkCategoricalInput } from './categories.js'
import { checkFitFrame, fitThenTransform, paramError } from './shared.js'

/** Parameters of {@link FeatureCross}. */
export const FeatureCrossParamsSchema = z.strictObject({
  /** Cross every combination of 2 … `degree` columns. @default 2 */
  degree: z.int().min(2).max(4).default(2),
  /**
   * Hash each crossed value into one of `nBuckets` buckets (an `i32` column of bucket ids)
   * instead of a `cat` column of the crossed labels. @default null
   */
  nBuckets: z.int().min(1).nullable().default(null),
})
export type FeatureCrossParams = z.input<typeof FeatureCrossParamsSchema>
type Resolved = z.output<typeof FeatureCrossParamsSchema>

const KIND = 'preprocessing.feature-cross'
const SEPARATOR = '_'

/** The column index tuples crossed, by degree then lexicographically. */
function crossesOf(nFeatures: number, degree: number): number[][] {
  const out: number[][] = []
  const extend = (prefix: number[], from: number, left: number): void => {
    if (left === 0) {
      out.push(prefix)
      return
    }
    for (let j = from; j < nFeatures; j++) extend([...prefix, j], j + 1, left - 1)
  }
  for (let d = 2; d <= Math.min(degree, nFeatures); d++) extend([], 0, d)
  return out
}

/** A column as per-row dense ids (-1 = missing) and the label of each id. */
interface Factorized {
  readonly ids: Int32Array
  readonly labels: readonly string[]
}

function factorize(col: Column): Factorized {
  const n = col.length
  const ids = new Int32Array(n)
  let labels: string[]
  switch (col.dtype) {
    case 'cat':
      ids.set(col.values)
      labels = [...col.categories]
      break
    case 'bool':
      ids.set(col.values)
      labels = ['false', 'true']
      break
    case 'str':
    case 'i32': {
      const index = new Map<string | number, number>()
      labels = []
      const v = col.values
      for (let i = 0; i < n; i++) {
        const x = v[i]!
        let id = index.get(x)
        if (id === undefined) {
          id = labels.length
          index.set(x, id)
          labels.push(String(x))
        }
        ids[i] = id
      }
      break
    }
    default:
      throw new Error(`unreachable: ${col.dtype} is rejected`)
  }
  const validity = col.validity
  if (validity !== undefined) for (let i = 0; i < n; i++) if (validity[i] === 0) ids[i] = -1
  return { ids, labels }
}

/**
 * Crosses factorized columns: per row, a dense id of the combination (-1 if any part is
 * missing), and the crossed label (`a_x`) of each id.
 */
function crossColumns(parts: readonly Factorized[]): Factorized {
  const first = parts[0]!
  const n = first.ids.length
  let ids = Int32Array.from(first.ids)
  // The row where each combined id first occurs, to spell its label at the end.
  let firstRow: number[] = []
  for (let p = 1; p < parts.length; p++) {
    const next = parts[p]!
    const k = next.labels.length
    const index = new Map<number, number>()
    const out = new Int32Array(n)
    firstRow = []
    for (let i = 0; i < n; i++) {
      const a = ids[i]!
      const b = next.ids[i]!
      if (a < 0 || b < 0) {
        out[i] = -1
        continue
      }
      // Ids stay below the row count, so a * k + b is an exact integer key.
      const key = a * k + b
      let id = index.get(key)
      if (id === undefined) {
        id = index.size
        index.set(key, id)
        firstRow.push(i)
      }
      out[i] = id
    }
    ids = out
  }
  const labels = firstRow.map((row) =>
    parts.map((part) => part.labels[part.ids[row]!] ?? '').join(SEPARATOR),
  )
  return { ids, labels }
}

/**
 * A stable 32-bit FNV-1a hash of a string's UTF-16 code units, for bucketing.
 *
 * @example
 * ```ts
 * fnv1a32('') // 2166136261
 * ```
 */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/**
 * Crosses categorical columns (`cat`, `str`, `bool`, `i32`): for every combination of 2 …
 * `degree` input columns, one output named by joining the column names with `_` (`city_plan`)
 * whose value joins the row's values with `_` (`Oslo_pro`), like BigQuery ML's
 * `ML.FEATURE_CROSS`. A row with a missing part is missing.
 *
 * Without `nBuckets` an output is a `cat` column: its categories are the crosses fit saw,
 * sorted, then any new ones in order of appearance. With `nBuckets` it is an `i32` column of
 * `FNV-1a(label) mod nBuckets` (stable across runs and machines), for high-cardinality crosses
 * (TensorFlow's `crossed_column`).
 *
 * ## Method
 * Each input is factorized to dense ids once; a cross combines ids pairwise into dense ids
 * through a hash map (`O(n)` per part, no per-row allocation) and spells each distinct label once.
 *
 * ## References
 * - BigQuery ML `ML.FEATURE_CROSS`; TensorFlow `tf.feature_column.crossed_column`.
 *
 * @example
 * ```ts
 * new FeatureCross({ degree: 2 }).fit(X).outputNames // ['city_plan', 'city_tier', 'plan_tier']
 * ```
 */
export class FeatureCross implements TransformerEstimator<FeatureCrossParams, FeatureCrossModel> {
  readonly kind = KIND
  constructor(readonly params: Readonly<FeatureCrossParams> = {}) {}
  withParams(patch: Partial<FeatureCrossParams>): FeatureCross {
    return new FeatureCross({ ...this.params, ...patch })
  }
  fit(X: Frame, _y?: Column, opts?: FitOptions): FeatureCrossModel {
    const p = parseParams(KIND, FeatureCrossParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    checkFitFrame(X, KIND)
    checkCategoricalInput(X, KIND)
    if (X.nColumns < 2) throw paramError(KIND, 'degree', 'crossing needs at least 2 columns')
    const crosses = crossesOf(X.nColumns, p.degree)
    let categories: (readonly string[])[] = []
    if (p.nBuckets === null) {
      const parts = X.columns.map(factorize)
      categories = crosses.map((cross) => {
        const { labels } = crossColumns(cross.map((j) => parts[j]!))
        return [...labels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      })
    }
    return new FeatureCrossModel(p, captureFeatures(X), crosses, categories)
  }
  fitTransform(X: Frame, y?: Column, opts?: FitOptions): FitTransformResult<FeatureCrossModel> {
    return fitThenTransform(() => this.fit(X, y, opts), X)
  }
}

/** A fitted {@link FeatureCross}. */
export class FeatureCrossModel implements Transformer {
  readonly kind = KIND
  readonly diagnostics = closedForm()
  readonly featureNames: readonly string[]
  readonly outputNames: readonly string[]
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    /** The input column indices of each output. */
    readonly crosses: readonly (readonly number[])[],
    /** Without hashing, the sorted crossed labels fit saw, per output. */
    readonly categories: readonly (readonly string[])[],
  ) {
    this.featureNames = features.map((f) => f.name)
    this.outputNames = crosses.map((c) => c.map((j) => this.featureNames[j]!).join(SEPARATOR))
  }

  /** The crossed columns of `X`. */
  transform(X: Frame): Frame {
    const Xs = selectFeatures(X, this.features, KIND)
    const parts = Xs.columns.map(factorize)
    const n = Xs.nRows
    return createFrame(
      this.crosses.map((cross, o) => {
        const name = this.outputNames[o]!
        const { ids, labels } = crossColumns(cross.map((j) => parts[j]!))
        const validity = ids.includes(-1)
          ? Uint8Array.from(ids, (id) => (id < 0 ? 0 : 1))
          : undefined
        const buckets = this.p.nBuckets
        if (buckets !== null) {
          const bucketOf = Int32Array.from(labels, (l) => fnv1a32(l) % buckets)
          const values = new Int32Array(n)
          for (let i = 0; i < n; i++) values[i] = ids[i]! < 0 ? 0 : bucketOf[ids[i]!]!
          return createColumn({ name, dtype: 'i32', values, validity })
        }
        const known = this.categories[o] ?? []
        const index = new Map(known.map((c, k) => [c, k]))
        const categories = [...known]
        const codeOf = Int32Array.from(labels, (l) => {
          let k = index.get(l)
          if (k === undefined) {
            k = categories.length
            index.set(l, k)
            categories.push(l)
          }
          return k
        })
        const values = new Int32Array(n)
        for (let i = 0; i < n; i++) values[i] = ids[i]! < 0 ? 0 : codeOf[ids[i]!]!
        return createColumn({ name, dtype: 'cat', values, categories, validity })
      }),
    )
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

/** Rebuilds a {@link FeatureCrossModel} from its JSON state. */
export function loadFeatureCross(state: ModelState): FeatureCrossModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, FeatureCrossParamsSchema, state.params)
  const features = readFeatures(state.state.features)
  const crosses = crossesOf(features.length, p.degree)
  const r = z.array(z.array(z.string())).safeParse(state.state.categories)
  const want = p.nBuckets === null ? crosses.length : 0
  if (!r.success || r.data.length !== want)
    throw badState('categories', `expected ${want} lists of labels`)
  return new FeatureCrossModel(p, features, crosses, r.data)
}

/** The registry entry of `preprocessing.feature-cross`. */
export const FEATURE_CROSS_ENTRY: EstimatorEntry = {
  kind: KIND,
  task: 'transform',
  summary: 'Cross categorical columns into combined categories (optionally hashed to buckets)',
  create: (p) => new FeatureCross(p),
  load: loadFeatureCross,
}
