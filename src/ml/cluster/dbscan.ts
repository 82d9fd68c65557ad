/**
 * `cluster.dbscan`: density-based clustering with scikit-learn 1.2 semantics
 * (`sklearn.cluster.DBSCAN`, euclidean metric).
 *
 * ## Method
 * A row is a core sample when at least `minSamples` rows (itself included) lie within `eps`.
 * Clusters grow depth-first from each unlabelled core sample in row order, absorbing every row
 * within `eps` of a core sample of the cluster; rows reached by no cluster are noise (−1). This
 * is scikit-learn's `dbscan_inner`, so cluster numbers and the cluster a border row joins (the
 * first cluster, in numbering order, that reaches it) are the same. Region queries use a k-d
 * tree in up to 16 dimensions, else a scan; neighbourhoods are recomputed during expansion
 * instead of stored, so memory stays O(n).
 *
 * ## References
 * - M. Ester, H.-P. Kriegel, J. Sander, X. Xu. "A density-based algorithm for discovering
 *   clusters in large spatial databases with noise". KDD 1996.
 * - scikit-learn 1.2 `sklearn/cluster/_dbscan.py`, `_dbscan_inner.pyx`.
 */
import { z } from 'zod'

import { createColumn, type Column, type Frame } from '../../frame/index.js'
import { closedForm } from '../base/diagnostics.js'
import type { EstimatorEntry } from '../base/entry.js'
import {
  assertHasFeatures,
  assertMinRows,
  captureFeatures,
  readFeatures,
  selectFeatures,
  toMatrix,
  type FeatureSpec,
} from '../base/features.js'
import { parseParams } from '../base/params.js'
import { fitStep } from '../base/progress.js'
import { badState, checkState, decodeF64, decodeI32, encodeArray } from '../base/state.js'
import type { Diagnostics, Estimator, FitOptions, ModelState, Predictor } from '../base/types.js'

import { createRadiusIndex, type RadiusIndex } from './kd-tree.js'

/** Parameters of {@link DBSCAN} (scikit-learn's names in camelCase). */
export const DBSCANParamsSchema = z.strictObject({
  /** The neighbourhood radius. @default 0.5 */
  eps: z.number().gt(0).refine(Number.isFinite, 'must be finite').default(0.5),
  /** Rows within `eps` (the row included) that make a core sample. @default 5 */
  minSamples: z.int().min(1).default(5),
  /** Only `'euclidean'`. @default 'euclidean' */
  metric: z.literal('euclidean').default('euclidean'),
  /** Region queries: `'auto'` (k-d tree up to 16 features, else a scan), `'kd_tree'`, `'brute'`. @default 'auto' */
  algorithm: z.enum(['auto', 'kd_tree', 'brute']).default('auto'),
  /** Rows per k-d tree leaf. @default 30 */
  leafSize: z.int().min(1).default(30),
})
/** Input parameters of {@link DBSCAN}. */
export type DBSCANParams = z.input<typeof DBSCANParamsSchema>
type Resolved = z.output<typeof DBSCANParamsSchema>

const KIND = 'cluster.dbscan'

/**
 * DBSCAN clustering.
 *
 * scikit-learn's DBSCAN has no `predict`; Plinth's model predicts the cluster of the nearest core
 * sample within `eps` of a row, or −1 (noise) if none is. On training rows this is the training
 * label, except for a border row within reach of two clusters, which training gives to the
 * first cluster that reached it.
 *
 * @example
 * ```ts
 * const m = new DBSCAN({ eps: 0.3, minSamples: 10 }).fit(X)
 * m.labels             // Int32Array, −1 for noise
 * m.coreSampleIndices  // Int32Array
 * ```
 */
export class DBSCAN implements Estimator<DBSCANParams, DBSCANModel> {
  readonly kind = KIND
  constructor(readonly params: Readonly<DBSCANParams> = {}) {}
  withParams(patch: Partial<DBSCANParams>): DBSCAN {
    return new DBSCAN({ ...this.params, ...patch })
  }
  fit(X: Frame, _y?: Column, opts?: FitOptions): DBSCANModel {
    const p = parseParams(KIND, DBSCANParamsSchema, this.params)
    fitStep(opts, { stage: 'neighbours', step: 0, total: 2 })
    assertHasFeatures(X, KIND)
    assertMinRows(X, 1, KIND)
    const m = toMatrix(X, { kind: KIND })
    const n = m.nRows
    const nf = m.nCols
    const index = createRadiusIndex(m.data, n, nf, p.algorithm, p.leafSize)
    const r2 = p.eps * p.eps
    const isCore = new Uint8Array(n)
    let count = 0
    const countOne = (): void => {
      count++
    }
    for (let i = 0; i < n; i++) {
      count = 0
      index.query(m.data, i, r2, countOne)
      if (count >= p.minSamples) isCore[i] = 1
    }
    fitStep(opts, { stage: 'expand', step: 1, total: 2 })
    const labels = expandClusters(m.data, n, index, isCore, r2)
    const core: number[] = []
    for (let i = 0; i < n; i++) if (isCore[i] === 1) core.push(i)
    const coreSampleIndices = Int32Array.from(core)
    const components = new Float64Array(core.length * nf)
    core.forEach((i, c) => {
      components.set(m.data.subarray(i * nf, (i + 1) * nf), c * nf)
    })
    return new DBSCANModel(p, captureFeatures(X), labels, coreSampleIndices, components)
  }
}

/** scikit-learn's `dbscan_inner`: depth-first expansion from each unlabelled core row in order. */
function expandClusters(
  data: Float64Array,
  n: number,
  index: RadiusIndex,
  isCore: Uint8Array,
  r2: number,
): Int32Array {
  const labels = new Int32Array(n).fill(-1)
  const stack: number[] = []
  const push = (v: number): void => {
    if (labels[v] === -1) stack.push(v)
  }
  let label = 0
  for (let start = 0; start < n; start++) {
    if (labels[start] !== -1 || isCore[start] !== 1) continue
    let i = start
    for (;;) {
      if (labels[i] === -1) {
        labels[i] = label
        if (isCore[i] === 1) index.query(data, i, r2, push)
      }
      const next = stack.pop()
      if (next === undefined) break
      i = next
    }
    label++
  }
  return labels
}

/** A fitted {@link DBSCAN}. */
export class DBSCANModel implements Predictor {
  readonly kind = KIND
  readonly featureNames: readonly string[]
  readonly diagnostics: Diagnostics = closedForm()
  private index: RadiusIndex | undefined
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    /** The cluster of each training row, −1 for noise. */
    readonly labels: Int32Array,
    /** The training rows that are core samples, ascending. */
    readonly coreSampleIndices: Int32Array,
    /** The core samples' features, row-major (scikit-learn `components_`). */
    readonly components: Float64Array,
  ) {
    this.featureNames = features.map((f) => f.name)
  }

  /** The number of clusters found (noise excluded). */
  get nClusters(): number {
    let mx = -1
    for (const l of this.labels) if (l > mx) mx = l
    return mx + 1
  }

  /** The cluster of the nearest core sample within `eps` of each row (first on ties), else −1. */
  predict(X: Frame): Column {
    const m = toMatrix(selectFeatures(X, this.features, this.kind), { kind: this.kind })
    const nf = this.featureNames.length
    const nCore = this.coreSampleIndices.length
    this.index ??= createRadiusIndex(this.components, nCore, nf, this.p.algorithm, this.p.leafSize)
    const out = new Int32Array(m.nRows).fill(-1)
    const r2 = this.p.eps * this.p.eps
    let best = Infinity
    let bestCore = -1
    const visit = (c: number, d2: number): void => {
      if (d2 < best || (d2 === best && c < bestCore)) {
        best = d2
        bestCore = c
      }
    }
    for (let i = 0; i < m.nRows; i++) {
      best = Infinity
      bestCore = -1
      this.index.query(m.data, i, r2, visit)
      if (bestCore >= 0) out[i] = this.labels[this.coreSampleIndices[bestCore]!]!
    }
    return createColumn({ name: 'prediction', dtype: 'i32', values: out })
  }

  toJSON(): ModelState {
    return {
      kind: this.kind,
      version: 1,
      params: { ...this.p },
      state: {
        features: this.features,
        labels: encodeArray(this.labels),
        coreSampleIndices: encodeArray(this.coreSampleIndices),
        components: encodeArray(this.components),
      },
    }
  }
}

/** Rebuilds a {@link DBSCANModel} from its JSON state. */
export function loadDBSCAN(state: ModelState): DBSCANModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, DBSCANParamsSchema, state.params)
  const features = readFeatures(state.state.features)
  const labels = decodeI32(state.state.labels, 'labels')
  const core = decodeI32(state.state.coreSampleIndices, 'coreSampleIndices')
  const components = decodeF64(state.state.components, 'components')
  if (components.length !== core.length * features.length)
    throw badState('components', 'expected one row of features per core sample')
  for (const i of core)
    if (i < 0 || i >= labels.length) throw badState('coreSampleIndices', 'index out of range')
  return new DBSCANModel(p, features, labels, core, components)
}

/** The DBSCAN entry, for `CLUSTER_ESTIMATORS`. */
export const DBSCAN_ENTRY: EstimatorEntry = {
  kind: KIND,
  task: 'clustering',
  summary: 'DBSCAN density-based clustering with noise (scikit-learn DBSCAN)',
  create: (p) => new DBSCAN(p),
  load: loadDBSCAN,
}
