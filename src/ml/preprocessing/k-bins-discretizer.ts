/**
 * `preprocessing.k-bins`: cuts each numeric column into bins (sklearn's `KBinsDiscretizer`).
 */
import { z } from 'zod'

import { createFrame, type Column, type Frame } from '../../frame/index.js'
import {
  badState,
  captureFeatures,
  checkState,
  closedForm,
  decodeF64,
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

import { readWarnings } from './columnwise.js'
import { kMeans1d } from './kernels/kmeans-1d.js'
import {
  checkFitFrame,
  checkNumericInput,
  f64Column,
  fitThenTransform,
  numericValues,
  paramError,
  presentValues,
} from './shared.js'
import { columnRange, quantilesOf } from './stats.js'

/** Parameters of {@link KBinsDiscretizer}. */
export const KBinsDiscretizerParamsSchema = z.strictObject({
  /** Bins per column (≥ 2), one number for all or one per column. @default 5 */
  nBins: z.union([z.int().min(2), z.array(z.int().min(2))]).default(5),
  /**
   * `uniform`: equal widths; `quantile`: equal counts (numpy percentiles); `kmeans`: edges
   * halfway between the centers of a 1-D k-means. @default 'quantile'
   */
  strategy: z.enum(['uniform', 'quantile', 'kmeans']).default('quantile'),
  /** `onehot`: one 0/1 column per bin, `<column>_<bin>.0`; `ordinal`: the bin index. @default 'onehot' */
  encode: z.enum(['onehot', 'ordinal']).default('onehot'),
})
export type KBinsDiscretizerParams = z.input<typeof KBinsDiscretizerParamsSchema>
type Resolved = z.output<typeof KBinsDiscretizerParamsSchema>

const KIND = 'preprocessing.k-bins'

/**
 * Bins numeric columns. Edges are learned per column by `strategy`; bins narrower than 1e-8
 * (repeated quantiles) are merged and a constant column gets one bin, both noted in
 * `diagnostics.warnings` (sklearn warns). A value `x` falls in bin `i` when
 * `edges[i] ≤ x < edges[i + 1]`; values outside the training range go to the first or last bin.
 * Outputs are `f64`: the bin index, or one-hot columns `<column>_0.0 … <column>_<k-1>.0` (sklearn's
 * names: its inner encoder sees float bin indices).
 * Missing values and non-finite numbers are rejected (impute first).
 *
 * ## Method
 * Edges: numpy `linspace` (uniform), numpy linear-interpolated percentiles at
 * `linspace(0, 100, k + 1)` (quantile), or Lloyd's 1-D k-means from uniform centers (kmeans).
 * Transform is a binary search per value over the inner edges (`numpy.searchsorted`, side right).
 *
 * ## References
 * - scikit-learn 1.2 `sklearn.preprocessing.KBinsDiscretizer` (dense output, no subsampling).
 *
 * @example
 * ```ts
 * new KBinsDiscretizer({ nBins: 4, strategy: 'uniform', encode: 'ordinal' }).fit(X).transform(X)
 * ```
 */
export class KBinsDiscretizer implements TransformerEstimator<
  KBinsDiscretizerParams,
  KBinsDiscretizerModel
> {
  readonly kind = KIND
  constructor(readonly params: Readonly<KBinsDiscretizerParams> = {}) {}
  withParams(patch: Partial<KBinsDiscretizerParams>): KBinsDiscretizer {
    return new KBinsDiscretizer({ ...this.params, ...patch })
  }
  fit(X: Frame, _y?: Column, opts?: FitOptions): KBinsDiscretizerModel {
    const p = parseParams(KIND, KBinsDiscretizerParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    checkFitFrame(X, KIND)
    checkNumericInput(X, KIND, { allowMissing: false, stage: 'fit' })
    const nBins = p.nBins
    if (Array.isArray(nBins) && nBins.length !== X.nColumns)
      throw paramError(KIND, 'nBins', `has ${nBins.length} entries for ${X.nColumns} columns`)
    const warnings: string[] = []
    const edges = X.columns.map((col, j) => {
      fitStep(opts, { stage: 'column', step: j, total: X.nColumns })
      const k = Array.isArray(nBins) ? nBins[j]! : nBins
      return columnEdges(col, k, p.strategy, warnings)
    })
    return new KBinsDiscretizerModel(p, captureFeatures(X), edges, warnings)
  }
  fitTransform(X: Frame, y?: Column, opts?: FitOptions): FitTransformResult<KBinsDiscretizerModel> {
    return fitThenTransform(() => this.fit(X, y, opts), X)
  }
}

/** numpy's `linspace(start, stop, num)` (endpoint included). */
function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num)
  const div = num - 1
  const step = (stop - start) / div
  for (let i = 0; i < num; i++)
    out[i] = step === 0 ? (i / div) * (stop - start) + start : i * step + start
  out[num - 1] = stop
  return out
}

function columnEdges(
  col: Column,
  k: number,
  strategy: Resolved['strategy'],
  warnings: string[],
): Float64Array {
  const { min, max } = columnRange(col)
  if (min === max) {
    warnings.push(`column "${col.name}" is constant; it gets one bin`)
    return Float64Array.of(-Infinity, Infinity)
  }
  let edges: Float64Array
  switch (strategy) {
    case 'uniform':
      return linspace(min, max, k + 1)
    case 'quantile': {
      const qs = Array.from(linspace(0, 100, k + 1), (p) => p / 100)
      edges = Float64Array.from(quantilesOf(presentValues(col), qs))
      break
    }
    case 'kmeans': {
      const values = presentValues(col)
      if (values.length < k)
        throw paramError(
          KIND,
          'nBins',
          `kmeans needs at least ${k} rows in "${col.name}", got ${values.length}`,
        )
      const uniform = linspace(min, max, k + 1)
      const init = Float64Array.from({ length: k }, (_, i) => (uniform[i + 1]! + uniform[i]!) * 0.5)
      const { centers, converged } = kMeans1d(values, init)
      if (!converged) warnings.push(`k-means of column "${col.name}" stopped at 300 iterations`)
      centers.sort()
      edges = new Float64Array(k + 1)
      edges[0] = min
      for (let i = 1; i < k; i++) edges[i] = (centers[i]! + centers[i - 1]!) * 0.5
      edges[k] = max
      break
    }
  }
  // Drop bins narrower than 1e-8 (repeated quantiles), keeping the first edge.
  const kept: number[] = [edges[0]!]
  for (let i = 1; i < edges.length; i++) if (edges[i]! - edges[i - 1]! > 1e-8) kept.push(edges[i]!)
  if (kept.length < 2) {
    // Every bin was narrower than 1e-8 (a range of a few ulps): one bin, like a constant column.
    warnings.push(`column "${col.name}" spans less than 1e-8; it gets one bin`)
    return Float64Array.of(-Infinity, Infinity)
  }
  if (kept.length !== edges.length)
    warnings.push(
      `column "${col.name}": bins narrower than 1e-8 were removed (${kept.length - 1} remain)`,
    )
  return Float64Array.from(kept)
}

/** A fitted {@link KBinsDiscretizer}. */
export class KBinsDiscretizerModel implements Transformer {
  readonly kind = KIND
  readonly diagnostics
  readonly featureNames: readonly string[]
  readonly outputNames: readonly string[]
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    /** Per column, the bin edges (`k + 1` ascending values; ±Infinity for a constant column). */
    readonly edges: readonly Float64Array[],
    private readonly warnings: readonly string[],
  ) {
    this.featureNames = features.map((f) => f.name)
    this.diagnostics = closedForm(warnings)
    this.outputNames =
      p.encode === 'ordinal'
        ? this.featureNames
        : this.featureNames.flatMap((name, j) =>
            Array.from({ length: (edges[j]?.length ?? 1) - 1 }, (_, b) => `${name}_${b}.0`),
          )
  }

  /** The number of bins of each column. */
  get nBins(): number[] {
    return this.edges.map((e) => e.length - 1)
  }

  /** The bin of every value of `X`'s fitted columns (ordinal or one-hot). */
  transform(X: Frame): Frame {
    const Xs = selectFeatures(X, this.features, KIND)
    checkNumericInput(Xs, KIND, { allowMissing: false, stage: 'transform' })
    const n = Xs.nRows
    const out: Column[] = []
    let o = 0
    Xs.columns.forEach((col, j) => {
      const edges = this.edges[j]!
      const bins = binIndices(numericValues(col), edges)
      if (this.p.encode === 'ordinal') {
        out.push(f64Column(this.outputNames[o++]!, Float64Array.from(bins)))
        return
      }
      const cols = Array.from({ length: edges.length - 1 }, () => new Float64Array(n))
      for (let i = 0; i < n; i++) cols[bins[i]!]![i] = 1
      for (const values of cols) out.push(f64Column(this.outputNames[o++]!, values))
    })
    return createFrame(out)
  }

  toJSON(): ModelState {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.p, nBins: Array.isArray(this.p.nBins) ? [...this.p.nBins] : this.p.nBins },
      state: {
        features: this.features,
        edges: this.edges.map(encodeArray),
        warnings: this.warnings,
      },
    }
  }
}

/** `numpy.searchsorted(edges[1:-1], x, side='right')` for every value: the count of inner edges ≤ x. */
function binIndices(x: ArrayLike<number>, edges: Float64Array): Int32Array {
  const n = x.length
  const out = new Int32Array(n)
  const lo0 = 1
  const hi0 = edges.length - 1
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    let lo = lo0
    let hi = hi0
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (edges[mid]! <= v) lo = mid + 1
      else hi = mid
    }
    out[i] = lo - 1
  }
  return out
}

/** Rebuilds a {@link KBinsDiscretizerModel} from its JSON state. */
export function loadKBinsDiscretizer(state: ModelState): KBinsDiscretizerModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, KBinsDiscretizerParamsSchema, state.params)
  const s = state.state
  const features = readFeatures(s.features)
  const edges = s.edges
  if (!Array.isArray(edges) || edges.length !== features.length)
    throw badState('edges', `expected ${features.length} arrays`)
  const decoded = edges.map((e, j) => {
    const a = decodeF64(e, `edges.${j}`)
    if (a.length < 2) throw badState(`edges.${j}`, 'expected at least 2 edges')
    return a
  })
  return new KBinsDiscretizerModel(p, features, decoded, readWarnings(s.warnings))
}

/** The registry entry of `preprocessing.k-bins`. */
export const K_BINS_DISCRETIZER_ENTRY: EstimatorEntry = {
  kind: KIND,
  task: 'transform',
  summary: 'Bin numeric columns (uniform, quantile or k-means edges), ordinal or one-hot',
  create: (p) => new KBinsDiscretizer(p),
  load: loadKBinsDiscretizer,
}
