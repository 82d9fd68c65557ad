/**
 * The neighbour index a fitted kNN model holds: the training rows plus whatever the chosen
 * algorithm prepared (expanded-form rows for brute-force Euclidean/cosine, or a KD-tree), and
 * the batch query that fills `{ distances, indices }`.
 */
import { allocF64 } from './kernels/alloc.js'
import { createBruteScratch, searchDirect } from './kernels/brute.js'
import {
  createTileEngine,
  prepareExpanded,
  searchExpanded,
  type ExpandedRows,
} from './kernels/expanded.js'
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

/**
 * Everything a search needs, as plain data (typed arrays, and a WebAssembly memory for the SIMD
 * kernel): posted to a worker, the shared-memory arrays stay shared, so the worker rebuilds the
 * same index without a copy.
 */
export interface SearchPlan {
  /** The training rows, row-major `n × d`. */
  readonly rows: Float64Array
  readonly n: number
  readonly d: number
  readonly metric: MetricCode
  readonly p: number
  readonly algorithm: 'brute' | 'kd_tree'
  readonly expanded?: ExpandedRows
  readonly tree?: KdTree
  /** Whether the arrays are in shared memory (with a scratch slot per query thread). */
  readonly shared: boolean
}

/** Query threads an index in shared memory is prepared for (scratch slots). */
export const QUERY_THREADS = 2

/**
 * Builds the plan of an index over `n` row-major `d`-feature rows. With `shared`, all arrays go
 * to shared memory and the SIMD kernel gets {@link QUERY_THREADS} scratch slots. The rows are
 * kept as they are when already in the right kind of memory (the caller must not change them),
 * copied otherwise.
 */
export function createSearchPlan(
  rows: Float64Array,
  n: number,
  d: number,
  metric: MetricCode,
  p: number,
  algorithm: 'brute' | 'kd_tree',
  leafSize: number,
  shared: boolean,
): SearchPlan {
  let own = rows
  if (shared !== rows.buffer instanceof SharedArrayBuffer || rows.length !== n * d) {
    own = allocF64(n * d, shared)
    own.set(rows.subarray(0, n * d))
  }
  const base = { rows: own, n, d, metric, p, algorithm, shared }
  if (algorithm === 'kd_tree') return { ...base, tree: buildKdTree(own, n, d, leafSize, shared) }
  if (metric === EUCLIDEAN || metric === COSINE) {
    const slots = shared ? QUERY_THREADS : 1
    return { ...base, expanded: prepareExpanded(metric, own, n, d, slots, shared) }
  }
  return base
}

/** A neighbour index: queries over a {@link SearchPlan}. */
export class NeighborSearch {
  readonly n: number
  readonly d: number

  constructor(readonly plan: SearchPlan) {
    this.n = plan.n
    this.d = plan.d
  }

  /** The training rows, row-major (the index's own copy). */
  get rows(): Float64Array {
    return this.plan.rows
  }

  /**
   * The `k` nearest training rows (1 ≤ k ≤ n) of each of the `m` row-major query rows, nearest
   * first; equal distances in ascending training index.
   */
  query(queries: Float64Array, m: number, k: number): Neighbors {
    const distances = new Float64Array(m * k)
    const indices = new Int32Array(m * k)
    this.rangeQuery(k)(queries, 0, m, distances, indices)
    return { distances, indices }
  }

  /**
   * A function answering {@link query} for query rows `r0 ≤ i < r1` into caller-owned outputs
   * (at `[i * k + j]`); it holds one thread's scratch (slot `slot` of the SIMD kernel), so each
   * concurrent thread needs its own.
   */
  rangeQuery(k: number, slot = 0): RangeQuery {
    const { tree, expanded, metric, p, rows, n, d } = this.plan
    if (tree !== undefined) {
      const scratch = createKdScratch(tree, k)
      return (queries, r0, r1, distances, indices) => {
        searchKdTree(tree, metric, p, queries, r0, r1, scratch, distances, indices)
      }
    }
    const scratch = createBruteScratch(k)
    if (expanded !== undefined) {
      const engine = createTileEngine(expanded, slot)
      return (queries, r0, r1, distances, indices) => {
        searchExpanded(expanded, engine, queries, r0, r1, scratch, distances, indices)
      }
    }
    return (queries, r0, r1, distances, indices) => {
      searchDirect(metric, p, rows, n, d, queries, r0, r1, scratch, distances, indices)
    }
  }
}

/** Answers a neighbour query for rows `r0 ≤ i < r1` (see {@link NeighborSearch.rangeQuery}). */
export type RangeQuery = (
  queries: Float64Array,
  r0: number,
  r1: number,
  distances: Float64Array,
  indices: Int32Array,
) => void
