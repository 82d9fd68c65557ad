/**
 * @module ml/compose
 */
import type { EstimatorEntry } from '../base/index.js'

/**
 * The composite kinds (pipeline, column transformer). They hold other estimators, so they
 * resolve kinds through `resolve` (the registry) instead of importing it.
 */
export function composeEstimators(
  _resolve: (kind: string) => EstimatorEntry,
): readonly EstimatorEntry[] {
  return []
}
