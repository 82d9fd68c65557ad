/**
 * The estimator registry: `kind → { create, load }` for every estimator Plinth ships. Search,
 * pipelines, workers and model loading go through it, so a model saved anywhere loads here.
 */
import { NotFoundError } from '../core/index.js'

import type { Estimator, EstimatorEntry, Model, ModelState, Task } from './base/index.js'
import { CLUSTER_ESTIMATORS } from './cluster/index.js'
import { composeEstimators } from './compose/index.js'
import { DECOMPOSITION_ESTIMATORS } from './decomposition/index.js'
import { DUMMY_ESTIMATORS } from './dummy/index.js'
import { LINEAR_ESTIMATORS } from './linear/index.js'
import { NAIVE_BAYES_ESTIMATORS } from './naive-bayes/index.js'
import { NEIGHBORS_ESTIMATORS } from './neighbors/index.js'
import { PREPROCESSING_ESTIMATORS } from './preprocessing/index.js'
import { TREE_ESTIMATORS } from './tree/index.js'

const BASE: readonly EstimatorEntry[] = [
  ...DUMMY_ESTIMATORS,
  ...LINEAR_ESTIMATORS,
  ...NEIGHBORS_ESTIMATORS,
  ...NAIVE_BAYES_ESTIMATORS,
  ...CLUSTER_ESTIMATORS,
  ...DECOMPOSITION_ESTIMATORS,
  ...PREPROCESSING_ESTIMATORS,
  ...TREE_ESTIMATORS,
]

// The composite kinds get `getEstimatorEntry` to resolve their children; they call it only when
// creating or loading, after TABLE is initialised.
const TABLE: ReadonlyMap<string, EstimatorEntry> = buildTable()

function buildTable(): ReadonlyMap<string, EstimatorEntry> {
  const map = new Map<string, EstimatorEntry>()
  for (const e of [...BASE, ...composeEstimators(getEstimatorEntry)]) {
    if (map.has(e.kind)) throw new Error(`duplicate estimator kind ${e.kind}`)
    map.set(e.kind, e)
  }
  return map
}

function table(): ReadonlyMap<string, EstimatorEntry> {
  return TABLE
}

/** The entry of `kind`, or `undefined`. */
export function findEstimatorEntry(kind: string): EstimatorEntry | undefined {
  return table().get(kind)
}

/**
 * The entry of `kind`.
 *
 * @throws NotFoundError listing the known kinds.
 */
export function getEstimatorEntry(kind: string): EstimatorEntry {
  const e = table().get(kind)
  if (e === undefined) {
    throw new NotFoundError(`unknown estimator kind "${kind}"`, {
      kind,
      known: [...table().keys()],
    })
  }
  return e
}

/** Every registered entry, optionally only those of one task, sorted by kind. */
export function listEstimatorEntries(task?: Task): readonly EstimatorEntry[] {
  return [...table().values()]
    .filter((e) => task === undefined || e.task === task)
    .sort((a, b) => (a.kind < b.kind ? -1 : 1))
}

/**
 * A new estimator of `kind` with `params` (validated when it fits).
 *
 * @throws NotFoundError for an unknown kind.
 */
export function createEstimator(
  kind: string,
  params: Readonly<Record<string, unknown>> = {},
): Estimator {
  return getEstimatorEntry(kind).create(params)
}

/**
 * Loads any fitted model from its JSON state.
 *
 * @throws NotFoundError for an unknown kind; ValidationError for a malformed state.
 */
export function loadModel(state: ModelState): Model {
  return getEstimatorEntry(state.kind).load(state)
}
