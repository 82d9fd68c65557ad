/**
 * The neighbour index a fitted kNN model holds: the training rows plus whatever the chosen
 * algorithm prepared (expanded-form rows for brute-force Euclidean/cosine, or a KD-tree), and
 * the batch query that fills `{ distances, indices }`.
 */
import {
  createBruteScratch,
  prepareExpanded,
  searchDirect,
  searchExpanded,
  type ExpandedRows,
} from './kernels/brute.js'
import { buildKdTree, createKdScratch, searchKdTree, type KdTree } from './kernels/kd-tree.js'
import { COSINE, EUCLIDEAN, MANHATTAN, MINKOWSKI, type MetricCode } from './kernels/metric.js'

/** The distance metrics (scikit-learn's names). */
export type NeighborsMetric = 'minkowski' | 'euclidean' | 'manhattan' | 'cosine'
/** The search algorithms; `'auto'` is resolved at fit. */
export type NeighborsAlgorithm = 'auto' | 'brute' | 'kd_tree'

/** The `k` nearest training rows of each query row. */
export interface Neighbors {
  /** `distances[i * k + j]`: the distance from query row `i` to its `j`-th nearest training row. */
  readonly distances: Float64Array
  /** `indices[i * k + j]`: that training row's position in the training frame. */
  readonly indices: Int32Array
}

/**
 * The metric a search really uses: scikit-learn's `effective_metric_` (Minkowski with `p = 2`
 * is Euclidean, with `p = 1` Manhattan).
 */
export function effectiveMetric(metric: NeighborsMetric, p: number): MetricCode {
  switch (metric) {
    case 'euclidean':
      return EUCLIDEAN
    case 'manhattan':
      return MANHATTAN
    case 'cosine':
      return COSINE
    case 'minkowski':
      return p === 2 ? EUCLIDEAN : p === 1 ? MANHATTAN : MINKOWSKI
  }
}

/**
 * scikit-learn's `algorithm='auto'` rule (`NeighborsBase._fit`): brute force when there are
 * more than 15 features, when `k ≥ n/2`, or for a metric the KD-tree does not support (cosine);
 * the KD-tree otherwise.
 */
export function resolveAlgorithm(
  algorithm: NeighborsAlgorithm,
  metric: MetricCode,
  n: number,
  d: number,
  k: number,
): 'brute' | 'kd_tree' {
  if (algorithm !== 'auto') return algorithm
  if (d > 15 || k >= Math.floor(n / 2) || metric === COSINE) return 'brute'
  return 'kd_tree'
}

/** A neighbour index over `n` row-major `d`-feature training rows. */
export class NeighborSearch {
  private readonly expanded: ExpandedRows | undefined
  private readonly tree: KdTree | undefined

  constructor(
    /** The training rows, row-major (kept, not copied). */
    readonly rows: Float64Array,
    readonly n: number,
    readonly d: number,
    readonly metric: MetricCode,
    readonly p: number,
    readonly algorithm: 'brute' | 'kd_tree',
    leafSize: number,
  ) {
    if (algorithm === 'kd_tree') {
      this.tree = buildKdTree(rows, n, d, leafSize)
    } else if (metric === EUCLIDEAN || metric === COSINE) {
      this.expanded = prepareExpanded(metric, rows, n, d)
    }
  }

  /**
   * The `k` nearest training rows (1 ≤ k ≤ n) of each of the `m` row-major query rows, nearest
   * first; equal distances in ascending training index.
   */
  query(queries: Float64Array, m: number, k: number): Neighbors {
    const distances = new Float64Array(m * k)
    const indices = new Int32Array(m * k)
    this.queryRange(queries, 0, m, k, distances, indices)
    return { distances, indices }
  }

  /** {@link query} for rows `r0 ≤ i < r1` only, into caller-owned outputs (at `[i * k + j]`). */
  queryRange(
    queries: Float64Array,
    r0: number,
    r1: number,
    k: number,
    distances: Float64Array,
    indices: Int32Array,
  ): void {
    if (r1 <= r0) return
    if (this.tree !== undefined) {
      const scratch = createKdScratch(this.tree, k)
      searchKdTree(this.tree, this.metric, this.p, queries, r0, r1, scratch, distances, indices)
      return
    }
    const scratch = createBruteScratch(this.d, k)
    if (this.expanded !== undefined) {
      searchExpanded(this.expanded, queries, r0, r1, scratch, distances, indices)
    } else {
      searchDirect(
        this.metric,
        this.p,
        this.rows,
        this.n,
        this.d,
        queries,
        r0,
        r1,
        scratch,
        distances,
        indices,
      )
    }
  }
}
