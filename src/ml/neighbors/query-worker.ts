/**
 * The worker side of {@link queryParallel}: rebuilds the index from the shared plan (no copy)
 * and claims chunks of query rows until none are left, on the SIMD kernel's scratch slot 1.
 *
 * @internal
 */
import { workerData } from 'node:worker_threads'

import { reportFailure, runChunks, type QueryJob } from './parallel.js'
import { NeighborSearch, type RangeQuery } from './search.js'

const job = workerData as QueryJob
let query: RangeQuery | undefined
try {
  query = new NeighborSearch(job.plan).rangeQuery(job.k, 1)
} catch {
  reportFailure(job.control)
}
if (query !== undefined) runChunks(job, query, true)
