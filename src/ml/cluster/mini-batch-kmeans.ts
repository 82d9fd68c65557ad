/**
 * `cluster.mini-batch-kmeans`: k-means on random mini-batches with scikit-learn 1.2 semantics
 * (`sklearn.cluster.MiniBatchKMeans`).
 *
 * ## Method
 * Each of the `nInit` initialisations (k-means++ or random) runs on `initSize` rows drawn with
 * replacement and is scored on one validation draw of `initSize` rows; the best starts. Each step
 * draws `batchSize` rows with replacement, assigns them, and moves every center to the weighted
 * mean of its old position (weighted by the rows it has absorbed so far) and its new rows, so
 * each center's learning rate decays as `1/count`. Every `10·nClusters` rows (or when a center
 * has absorbed none), centers whose count is below `reassignmentRatio × max count` jump to random
 * batch rows. Training stops after `maxIter` passes over the data, when the squared center
 * change is at most `tol × mean variance` (`tol > 0`), or after `maxNoImprovement` steps without
 * a new minimum of the exponentially weighted batch inertia.
 *
 * ## References
 * - D. Sculley. "Web-scale k-means clustering". WWW 2010.
 * - scikit-learn 1.2 `sklearn/cluster/_kmeans.py` (`MiniBatchKMeans`, `_mini_batch_step`).
 */
import { z } from 'zod'

import { createRng, type Rng } from '../../core/index.js'
import { createColumn, createFrame, type Column, type Frame } from '../../frame/index.js'
import type { EstimatorEntry } from '../base/entry.js'
import {
  assertHasFeatures,
  captureFeatures,
  readFeatures,
  selectFeatures,
  toMatrix32,
  type FeatureSpec,
} from '../base/features.js'
import { parseParams } from '../base/params.js'
import { fitStep } from '../base/progress.js'
import { badState, checkState, decodeF64, decodeI32, encodeArray } from '../base/state.js'
import type {
  Diagnostics,
  Estimator,
  FitOptions,
  ModelState,
  Predictor,
  Transformer,
} from '../base/types.js'

import { createBlockPool } from './block-pool.js'
import {
  assertEnoughRows,
  assignRows,
  centerDistances,
  initCenters,
  nearestCenters,
} from './centers.js'
import { kmeansLayout, kmeansPlusPlus, prepareData } from './kmeans-fit.js'

/** Parameters of {@link MiniBatchKMeans} (scikit-learn's names in camelCase). */
export const MiniBatchKMeansParamsSchema = z.strictObject({
  /** @default 8 */
  nClusters: z.int().min(1).default(8),
  /** `'k-means++'`, `'random'`, or explicit centers (then one init). @default 'k-means++' */
  init: z
    .union([z.enum(['k-means++', 'random']), z.array(z.array(z.number()).min(1)).min(1)])
    .default('k-means++'),
  /** Passes over the data (steps = `maxIter · n / batchSize`). @default 100 */
  maxIter: z.int().min(1).default(100),
  /** Rows per step. @default 1024 */
  batchSize: z.int().min(1).default(1024),
  /** Stop when the squared center change is at most `tol × mean variance` (0: off). @default 0 */
  tol: z.number().min(0).default(0),
  /** Steps without a new smoothed-inertia minimum before stopping (`null`: off). @default 10 */
  maxNoImprovement: z.int().min(0).nullable().default(10),
  /** Rows each init runs on (default `3 · batchSize`, at least `3 · nClusters`, at most n). */
  initSize: z.int().min(1).optional(),
  /** Initialisations, the best on a validation draw wins (scikit-learn 1.2's default). @default 3 */
  nInit: z.int().min(1).default(3),
  /** Reassign centers whose count is below this share of the largest. @default 0.01 */
  reassignmentRatio: z.number().min(0).default(0.01),
  /** @default 0 */
  seed: z.int().min(0).max(0xffffffff).default(0),
})
/** Input parameters of {@link MiniBatchKMeans}. */
export type MiniBatchKMeansParams = z.input<typeof MiniBatchKMeansParamsSchema>
type Resolved = z.output<typeof MiniBatchKMeansParamsSchema>

const KIND = 'cluster.mini-batch-kmeans'

/** Mini-batch k-means (scikit-learn 1.2 semantics; features read as float32, f64 arithmetic). */
export class MiniBatchKMeans implements Estimator<MiniBatchKMeansParams, MiniBatchKMeansModel> {
  readonly kind = KIND
  constructor(readonly params: Readonly<MiniBatchKMeansParams> = {}) {}
  withParams(patch: Partial<MiniBatchKMeansParams>): MiniBatchKMeans {
    return new MiniBatchKMeans({ ...this.params, ...patch })
  }
  fit(X: Frame, _y?: Column, opts?: FitOptions): MiniBatchKMeansModel {
    const p = parseParams(KIND, MiniBatchKMeansParamsSchema, this.params)
    fitStep(opts, { stage: 'init', step: 0 })
    assertHasFeatures(X, KIND)
    assertEnoughRows(X, p.nClusters, KIND)
    const nf = X.nColumns
    const k = p.nClusters
    const explicit = Array.isArray(p.init) ? initCenters(p.init, k, nf, KIND) : null
    const data = toMatrix32(X, { kind: KIND }).data
    const n = X.nRows
    const rng = opts?.rng ?? createRng(p.seed)
    const batch = Math.min(p.batchSize, n)
    let initSize = p.initSize ?? 3 * batch
    if (initSize < k) initSize = 3 * k
    if (initSize > n) initSize = n
    const tol = meanVariance(data, n, nf) * p.tol
    const warnings: string[] = []

    const valid = randomRows(rng, n, initSize)
    const validLabels = new Int32Array(initSize)
    let centers: Float64Array | undefined
    let bestInertia = Infinity
    const nInit = explicit === null ? p.nInit : 1
    if (explicit !== null && p.nInit !== 1)
      warnings.push(`explicit initial centers: ran 1 init instead of nInit=${p.nInit}`)
    for (let r = 0; r < nInit; r++) {
      const c = explicit ?? seedCenters(data, n, nf, k, initSize, p.init === 'random', rng)
      const inertia = assignRows(data, nf, valid, initSize, c, k, validLabels)
      if (centers === undefined || inertia < bestInertia) {
        centers = c
        bestInertia = inertia
      }
    }
    if (centers === undefined) throw new Error('nInit must be at least 1')

    const counts = new Float64Array(k)
    let next: Float64Array = new Float64Array(k * nf)
    const rows = new Int32Array(batch)
    const labels = new Int32Array(batch)
    const nSteps = Math.floor((p.maxIter * n) / batch)
    let ewa: number | undefined
    let ewaMin: number | undefined
    let noImprovement = 0
    let sinceReassign = 0
    let step = 0
    let converged = false
    for (; step < nSteps; step++) {
      if (step % 64 === 0) fitStep(opts, { stage: 'step', step, total: nSteps })
      for (let b = 0; b < batch; b++) rows[b] = rng.int(n)
      sinceReassign += batch
      let reassign = false
      if (counts.includes(0) || sinceReassign >= 10 * k) {
        sinceReassign = 0
        reassign = true
      }
      const inertia = assignRows(data, nf, rows, batch, centers, k, labels)
      updateCenters(data, nf, rows, labels, batch, centers, next, counts, k)
      if (reassign && p.reassignmentRatio > 0)
        reassignSmall(data, nf, rows, batch, next, counts, k, p.reassignmentRatio, rng)
      let diff = 0
      if (tol > 0) for (let q = 0; q < k * nf; q++) diff += (next[q]! - centers[q]!) ** 2
      // updateCenters rewrites every center of `next`, so the buffers just swap.
      ;[centers, next] = [next, centers]
      // Convergence (scikit-learn `_mini_batch_convergence`); the first step's inertia is the init's.
      if (step === 0) continue
      const batchInertia = inertia / batch
      if (ewa === undefined) ewa = batchInertia
      else {
        const alpha = Math.min((batch * 2) / (n + 1), 1)
        ewa = ewa * (1 - alpha) + batchInertia * alpha
      }
      if (tol > 0 && diff <= tol) {
        converged = true
        break
      }
      if (ewaMin === undefined || ewa < ewaMin) {
        noImprovement = 0
        ewaMin = ewa
      } else noImprovement++
      if (p.maxNoImprovement !== null && noImprovement >= p.maxNoImprovement) {
        converged = true
        break
      }
    }
    const stepsRun = Math.min(step + 1, nSteps)
    const allLabels = new Int32Array(n)
    const inertia = assignRows(data, nf, null, n, centers, k, allLabels)
    if (!converged)
      warnings.push(`stopped after maxIter=${p.maxIter} passes without meeting a stopping rule`)
    return new MiniBatchKMeansModel(p, captureFeatures(X), {
      centers,
      labels: allLabels,
      inertia,
      nSteps: stepsRun,
      nIter: Math.ceil((stepsRun * batch) / n),
      converged,
      warnings,
    })
  }
}

function meanVariance(data: Float32Array, n: number, p: number): number {
  let total = 0
  for (let j = 0; j < p; j++) {
    let s = 0
    for (let i = 0; i < n; i++) s += data[i * p + j]!
    const mean = s / n
    let ss = 0
    for (let i = 0; i < n; i++) ss += (data[i * p + j]! - mean) ** 2
    total += ss / n
  }
  return total / p
}

function randomRows(rng: Rng, n: number, m: number): Int32Array {
  const out = new Int32Array(m)
  for (let i = 0; i < m; i++) out[i] = rng.int(n)
  return out
}

/** k-means++ (on a one-thread pool) or k distinct rows, from `initSize` rows drawn with replacement. */
function seedCenters(
  data: Float32Array,
  n: number,
  p: number,
  k: number,
  initSize: number,
  random: boolean,
  rng: Rng,
): Float64Array {
  const sub = initSize < n ? randomRows(rng, n, initSize) : null
  const m = sub === null ? n : initSize
  const L = kmeansLayout(m, p, k, !random)
  const pool = createBlockPool(L.bytes, 1)
  try {
    const x = pool.views.f32
    for (let r = 0; r < m; r++) {
      const i = sub === null ? r : sub[r]!
      x.set(data.subarray(i * p, (i + 1) * p), L.x / 4 + r * p)
    }
    if (!random) {
      prepareData(pool, L)
      return kmeansPlusPlus(pool, L, rng)
    }
    const order = Int32Array.from({ length: m }, (_, i) => i)
    const centers = new Float64Array(k * p)
    for (let c = 0; c < k; c++) {
      const t = c + rng.int(m - c)
      const pick = order[t]!
      order[t] = order[c]!
      order[c] = pick
      for (let j = 0; j < p; j++) centers[c * p + j] = x[L.x / 4 + pick * p + j]!
    }
    return centers
  } finally {
    pool.close()
  }
}

/** scikit-learn `_minibatch_update_dense` with unit weights: count-weighted running means. */
function updateCenters(
  data: Float32Array,
  p: number,
  rows: Int32Array,
  labels: Int32Array,
  m: number,
  old: Float64Array,
  next: Float64Array,
  counts: Float64Array,
  k: number,
): void {
  for (let c = 0; c < k; c++) {
    let members = 0
    for (let r = 0; r < m; r++) if (labels[r] === c) members++
    if (members === 0) {
      for (let j = 0; j < p; j++) next[c * p + j] = old[c * p + j]!
      continue
    }
    for (let j = 0; j < p; j++) next[c * p + j] = old[c * p + j]! * counts[c]!
    for (let r = 0; r < m; r++) {
      if (labels[r] !== c) continue
      const i = rows[r]!
      for (let j = 0; j < p; j++) next[c * p + j] = next[c * p + j]! + data[i * p + j]!
    }
    counts[c] = counts[c]! + members
    const alpha = 1 / counts[c]!
    for (let j = 0; j < p; j++) next[c * p + j] = next[c * p + j]! * alpha
  }
}

/** Moves centers with few absorbed rows to random batch rows (scikit-learn's reassignment). */
function reassignSmall(
  data: Float32Array,
  p: number,
  rows: Int32Array,
  m: number,
  next: Float64Array,
  counts: Float64Array,
  k: number,
  ratio: number,
  rng: Rng,
): void {
  let max = 0
  for (const c of counts) if (c > max) max = c
  const flag = Array.from(counts, (c) => c < ratio * max)
  let n = flag.filter(Boolean).length
  if (n > 0.5 * m) {
    const order = Array.from(counts.keys()).sort((a, b) => counts[a]! - counts[b]! || a - b)
    for (const c of order.slice(Math.floor(0.5 * m))) flag[c] = false
    n = flag.filter(Boolean).length
  }
  if (n === 0) return
  // `n` distinct batch rows, uniformly (partial Fisher–Yates).
  const pick = Int32Array.from({ length: m }, (_, i) => i)
  let q = 0
  let minKept = Infinity
  for (let c = 0; c < k; c++) if (!flag[c]) minKept = Math.min(minKept, counts[c]!)
  for (let c = 0; c < k; c++) {
    if (!flag[c]) continue
    const t = q + rng.int(m - q)
    const r = pick[t]!
    pick[t] = pick[q]!
    pick[q] = r
    q++
    const i = rows[r]!
    for (let j = 0; j < p; j++) next[c * p + j] = data[i * p + j]!
    // Reset the count, but not too low (it sets the learning rate): scikit-learn's choice.
    counts[c] = minKept
  }
}

interface MiniBatchState {
  readonly centers: Float64Array
  readonly labels: Int32Array
  readonly inertia: number
  readonly nSteps: number
  readonly nIter: number
  readonly converged: boolean
  readonly warnings: readonly string[]
}

/** A fitted {@link MiniBatchKMeans}: predicts cluster ids, transforms to center distances. */
export class MiniBatchKMeansModel implements Predictor, Transformer {
  readonly kind = KIND
  readonly featureNames: readonly string[]
  readonly outputNames: readonly string[]
  readonly diagnostics: Diagnostics
  /** Row-major `nClusters × nFeatures`. */
  readonly clusterCenters: Float64Array
  /** The cluster of each training row (with the final centers). */
  readonly labels: Int32Array
  /** The training inertia with the final centers. */
  readonly inertia: number
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    private readonly s: MiniBatchState,
  ) {
    this.featureNames = features.map((f) => f.name)
    this.outputNames = Array.from({ length: p.nClusters }, (_, c) => `kmeans${c}`)
    this.clusterCenters = s.centers
    this.labels = s.labels
    this.inertia = s.inertia
    this.diagnostics = Object.freeze({
      converged: s.converged,
      nIter: s.nIter,
      nSteps: s.nSteps,
      warnings: Object.freeze([...s.warnings]),
      inertia: s.inertia,
    })
  }

  private matrix(X: Frame): { data: Float32Array; n: number } {
    const m = toMatrix32(selectFeatures(X, this.features, this.kind), { kind: this.kind })
    return { data: m.data, n: m.nRows }
  }

  /** The nearest center of each row, as an `i32` column `prediction`. */
  predict(X: Frame): Column {
    const { data, n } = this.matrix(X)
    const k = this.p.nClusters
    const values = nearestCenters(data, n, this.featureNames.length, this.clusterCenters, k)
    return createColumn({ name: 'prediction', dtype: 'i32', values })
  }

  /** The Euclidean distance of each row to each center: columns `kmeans0…`. */
  transform(X: Frame): Frame {
    const { data, n } = this.matrix(X)
    const k = this.p.nClusters
    const d = centerDistances(data, n, this.featureNames.length, this.clusterCenters, k)
    return createFrame(
      this.outputNames.map((name, c) =>
        createColumn({ name, dtype: 'f64', values: d.subarray(c * n, (c + 1) * n) }),
      ),
    )
  }

  toJSON(): ModelState {
    const s = this.s
    return {
      kind: this.kind,
      version: 1,
      params: { ...this.p },
      state: {
        features: this.features,
        centers: encodeArray(s.centers),
        labels: encodeArray(s.labels),
        inertia: s.inertia,
        nSteps: s.nSteps,
        nIter: s.nIter,
        converged: s.converged,
        warnings: s.warnings,
      },
    }
  }
}

const StateSchema = z.object({
  inertia: z.number(),
  nSteps: z.int().min(0),
  nIter: z.int().min(0),
  converged: z.boolean(),
  warnings: z.array(z.string()),
})

/** Rebuilds a {@link MiniBatchKMeansModel} from its JSON state. */
export function loadMiniBatchKMeans(state: ModelState): MiniBatchKMeansModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, MiniBatchKMeansParamsSchema, state.params)
  const features = readFeatures(state.state.features)
  const rest = StateSchema.safeParse(state.state)
  if (!rest.success) throw badState('state', 'expected inertia, nSteps, nIter and converged')
  const centers = decodeF64(state.state.centers, 'centers')
  if (centers.length !== p.nClusters * features.length)
    throw badState('centers', 'expected nClusters × nFeatures values')
  return new MiniBatchKMeansModel(p, features, {
    ...rest.data,
    centers,
    labels: decodeI32(state.state.labels, 'labels'),
  })
}

/** The mini-batch k-means entry, for `CLUSTER_ESTIMATORS`. */
export const MINI_BATCH_KMEANS_ENTRY: EstimatorEntry = {
  kind: KIND,
  task: 'clustering',
  summary: 'Mini-batch k-means (scikit-learn MiniBatchKMeans)',
  create: (p) => new MiniBatchKMeans(p),
  load: loadMiniBatchKMeans,
}
