/**
 * `cluster.kmeans`: k-means clustering with scikit-learn 1.2 semantics (`sklearn.cluster.KMeans`),
 * run on every core over shared memory with WebAssembly SIMD distance kernels.
 */
import { availableParallelism } from 'node:os'

import { z } from 'zod'

import { createRng } from '../../core/index.js'
import { createColumn, createFrame, type Column, type Frame } from '../../frame/index.js'
import type { EstimatorEntry } from '../base/entry.js'
import {
  assertHasFeatures,
  captureFeatures,
  readFeatures,
  selectFeatures,
  toMatrix32,
  toMatrix32Into,
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
import { assertEnoughRows, centerDistances, initCenters, nearestCenters } from './centers.js'
import { kmeansLayout, runKMeans } from './kmeans-fit.js'

/** Parameters of {@link KMeans} (scikit-learn's names in camelCase). */
export const KMeansParamsSchema = z.strictObject({
  /** The number of clusters. @default 8 */
  nClusters: z.int().min(1).default(8),
  /**
   * `'k-means++'` (greedy, 2 + ⌊ln k⌋ candidates per center, on all rows, as scikit-learn),
   * `'random'` (k distinct rows), or the initial centers (`nClusters` rows of one value per
   * feature, in fit's column order; then one init is run). @default 'k-means++'
   */
  init: z
    .union([z.enum(['k-means++', 'random']), z.array(z.array(z.number()).min(1)).min(1)])
    .default('k-means++'),
  /**
   * Runs with different initial centers; the lowest inertia wins. scikit-learn 1.2's default
   * is 10 (1.4 changes it to 1 for k-means++); Plinth keeps 10. @default 10
   */
  nInit: z.int().min(1).default(10),
  /** Lloyd iterations per run. @default 300 */
  maxIter: z.int().min(1).default(300),
  /** Stop when the squared center shift is at most `tol × mean column variance`. @default 1e-4 */
  tol: z.number().min(0).default(1e-4),
  /**
   * How each Lloyd iteration finds the nearest centers; all three give the same iterations (up
   * to the rounding of the center sums). `'lloyd'` measures every row against every center.
   * `'elkan'` and `'auto'` keep Hamerly's bounds per row (an upper bound on the distance to its
   * center, a lower bound on the distance to any other, moved by how far the centers moved) and
   * measure only the rows whose bounds overlap; center sums change only for rows that change
   * cluster. On weakly separated data such as 1M Higgs-like rows the bounds settle about 85% of
   * the rows in later iterations. @default 'auto'
   */
  algorithm: z.enum(['auto', 'lloyd', 'elkan']).default('auto'),
  /** @default 0 */
  seed: z.int().min(0).max(0xffffffff).default(0),
  /**
   * Threads for the fit (the caller's plus `nThreads − 1` workers). Unset: all cores when the
   * data is large enough to pay for starting workers, else one. Results do not depend on it.
   */
  nThreads: z.int().min(1).max(64).optional(),
})
/** Input parameters of {@link KMeans}. */
export type KMeansParams = z.input<typeof KMeansParamsSchema>
type Resolved = z.output<typeof KMeansParamsSchema>

const KIND = 'cluster.kmeans'
/** Work (rows × features × clusters × inits) above which `nThreads` unset uses workers. */
const PARALLEL_WORK = 2 ** 26
/** How long a fit waits for its workers to start before running without the late ones. */
const WORKER_START_MS = 5000

/**
 * k-means clustering (Lloyd's algorithm, scikit-learn 1.2 semantics).
 *
 * Features are read as float32 (like scikit-learn given float32 data; the inputs carry a relative
 * rounding of at most 6e-8). Assignments screen centers with float32 SIMD dot products and redo
 * in float64 any row whose two nearest centers are within the float32 error bound, so labels are
 * the exact float64 argmin; center sums, distances and inertia are float64 (k-means++ sampling
 * weights are float32 squared distances, widened). Once at most 5% of the rows change cluster in
 * an iteration, `algorithm: 'auto'` (and `'elkan'`) keeps Hamerly's distance bounds per row and
 * measures only the rows whose bounds overlap, with the same labels as plain Lloyd steps. The same seed gives a
 * bit-identical model for any number of threads.
 *
 * @example
 * ```ts
 * const model = new KMeans({ nClusters: 3, seed: 1 }).fit(X)
 * model.predict(X)  // i32 column of cluster ids
 * ```
 */
export class KMeans implements Estimator<KMeansParams, KMeansModel> {
  readonly kind = KIND
  constructor(readonly params: Readonly<KMeansParams> = {}) {}
  withParams(patch: Partial<KMeansParams>): KMeans {
    return new KMeans({ ...this.params, ...patch })
  }
  fit(X: Frame, _y?: Column, opts?: FitOptions): KMeansModel {
    const p = parseParams(KIND, KMeansParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0 })
    assertHasFeatures(X, KIND)
    assertEnoughRows(X, p.nClusters, KIND)
    const nFeatures = X.nColumns
    const explicit = Array.isArray(p.init)
      ? initCenters(p.init, p.nClusters, nFeatures, KIND)
      : null
    const warnings: string[] = []
    let nInit = p.nInit
    if (explicit !== null && nInit !== 1) {
      warnings.push(`explicit initial centers: ran 1 init instead of nInit=${nInit}`)
      nInit = 1
    }
    const n = X.nRows
    const bounded = p.algorithm !== 'lloyd'
    const L = kmeansLayout(n, nFeatures, p.nClusters, p.init === 'k-means++', bounded)
    const work = n * nFeatures * L.kpad * nInit
    const threads = p.nThreads ?? (work >= PARALLEL_WORK ? Math.min(availableParallelism(), 8) : 1)
    const pool = createBlockPool(L.bytes, threads)
    try {
      toMatrix32Into(X, pool.views.f32, L.x / 4, { kind: KIND })
      pool.start(WORKER_START_MS)
      const rng = opts?.rng ?? createRng(p.seed)
      const r = runKMeans(
        pool,
        L,
        {
          nClusters: p.nClusters,
          init: explicit ?? (p.init as 'k-means++' | 'random'),
          nInit,
          maxIter: p.maxIter,
          tol: p.tol,
          bounded,
        },
        rng,
        opts,
      )
      const distinct = countDistinct(r.labels, p.nClusters)
      if (distinct < p.nClusters)
        warnings.push(
          `found ${distinct} distinct clusters, fewer than nClusters=${p.nClusters} (duplicate rows?)`,
        )
      r.convergedPerInit.forEach((c, i) => {
        if (!c) warnings.push(`init ${i + 1} stopped at maxIter=${p.maxIter} before converging`)
      })
      const state: KMeansState = {
        centers: r.centers,
        labels: r.labels,
        inertia: r.inertia,
        nIterPerInit: r.nIterPerInit,
        convergedPerInit: r.convergedPerInit,
        inertiaPerInit: r.inertiaPerInit,
        bestInit: r.bestInit,
        warnings,
      }
      return new KMeansModel(p, captureFeatures(X), state, {
        threads: pool.threads,
        kernel: pool.wasm ? 'wasm-simd' : 'js',
      })
    } finally {
      pool.close()
    }
  }
}

interface KMeansState {
  readonly centers: Float64Array
  readonly labels: Int32Array
  readonly inertia: number
  readonly nIterPerInit: readonly number[]
  readonly convergedPerInit: readonly boolean[]
  readonly inertiaPerInit: readonly number[]
  readonly bestInit: number
  readonly warnings: readonly string[]
}

/** A fitted {@link KMeans}: predicts cluster ids, transforms to center distances. */
export class KMeansModel implements Predictor, Transformer {
  readonly kind = KIND
  readonly featureNames: readonly string[]
  readonly outputNames: readonly string[]
  /** `nIter`/`converged` of the best init, plus per-init figures and the best init's index. */
  readonly diagnostics: Diagnostics
  /** The centers, row-major `nClusters × nFeatures`. */
  readonly clusterCenters: Float64Array
  /** The cluster of each training row. */
  readonly labels: Int32Array
  /** The sum of squared distances of the training rows to their centers. */
  readonly inertia: number
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    private readonly s: KMeansState,
    runtime?: { readonly threads: number; readonly kernel: string },
  ) {
    this.featureNames = features.map((f) => f.name)
    this.outputNames = Array.from({ length: p.nClusters }, (_, c) => `kmeans${c}`)
    this.clusterCenters = s.centers
    this.labels = s.labels
    this.inertia = s.inertia
    this.diagnostics = Object.freeze({
      converged: s.convergedPerInit[s.bestInit] ?? false,
      nIter: s.nIterPerInit[s.bestInit] ?? 0,
      warnings: Object.freeze([...s.warnings]),
      inertia: s.inertia,
      bestInit: s.bestInit,
      nIterPerInit: s.nIterPerInit,
      convergedPerInit: s.convergedPerInit,
      inertiaPerInit: s.inertiaPerInit,
      ...(runtime === undefined ? {} : runtime),
    })
  }

  private matrix(X: Frame): { data: Float32Array; n: number } {
    const m = toMatrix32(selectFeatures(X, this.features, this.kind), { kind: this.kind })
    return { data: m.data, n: m.nRows }
  }

  /** The nearest center of each row, as an `i32` column `prediction`. */
  predict(X: Frame): Column {
    const { data, n } = this.matrix(X)
    const values = nearestCenters(
      data,
      n,
      this.featureNames.length,
      this.clusterCenters,
      this.p.nClusters,
    )
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
        nIterPerInit: s.nIterPerInit,
        convergedPerInit: s.convergedPerInit,
        inertiaPerInit: s.inertiaPerInit,
        bestInit: s.bestInit,
        warnings: s.warnings,
      },
    }
  }
}

const StateSchema = z.object({
  inertia: z.number(),
  nIterPerInit: z.array(z.int()),
  convergedPerInit: z.array(z.boolean()),
  inertiaPerInit: z.array(z.number()),
  bestInit: z.int().min(0),
  warnings: z.array(z.string()),
})

/** Rebuilds a {@link KMeansModel} from its JSON state. */
export function loadKMeans(state: ModelState): KMeansModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, KMeansParamsSchema, state.params)
  const features = readFeatures(state.state.features)
  const rest = StateSchema.safeParse(state.state)
  if (!rest.success) throw badState('state', 'expected inertia and per-init diagnostics')
  const centers = decodeF64(state.state.centers, 'centers')
  if (centers.length !== p.nClusters * features.length)
    throw badState('centers', 'expected nClusters × nFeatures values')
  return new KMeansModel(p, features, {
    ...rest.data,
    centers,
    labels: decodeI32(state.state.labels, 'labels'),
  })
}

/** How many of the labels `0 … k − 1` occur (a flag per label: no hashing of a million rows). */
function countDistinct(labels: Int32Array, k: number): number {
  const seen = new Uint8Array(k)
  let distinct = 0
  for (let i = 0; i < labels.length && distinct < k; i++) {
    const c = labels[i]!
    if (seen[c] === 0) {
      seen[c] = 1
      distinct++
    }
  }
  return distinct
}

/** The k-means entry, for `CLUSTER_ESTIMATORS`. */
export const KMEANS_ENTRY: EstimatorEntry = {
  kind: KIND,
  task: 'clustering',
  summary: 'k-means clustering (Lloyd, k-means++ init; scikit-learn KMeans)',
  create: (p) => new KMeans(p),
  load: loadKMeans,
}
