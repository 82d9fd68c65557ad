/**
 * Diagnostics shared by fits that have no iterations to report.
 */
import type { Diagnostics } from './types.js'

/** Diagnostics of a closed-form fit (converged, no iterations), with the warnings it collected. */
export function closedForm(warnings: readonly string[] = []): Diagnostics {
  return Object.freeze({ converged: true, nIter: 0, warnings: Object.freeze([...warnings]) })
}
