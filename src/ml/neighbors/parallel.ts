/**
 * Batch queries of a neighbour index.
 */
import type { Neighbors, NeighborSearch } from './search.js'

/** The `k` nearest training rows of `m` row-major query rows. */
export function queryParallel(
  search: NeighborSearch,
  queries: Float64Array,
  m: number,
  k: number,
): Neighbors {
  return search.query(queries, m, k)
}
