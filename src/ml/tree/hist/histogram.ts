/**
 * Helpers on histograms for the learners.
 *
 * @internal
 */
import { HIST_SLOTS, type Histogram } from './types.js'

/**
 * The subtraction trick: `out = parent − child` element-wise (the sibling's histogram), over
 * the whole histogram or, with `features`, the listed features' slots only. `out` may be
 * `parent`. Returns `out`.
 */
export function subtractHistogram(
  parent: Histogram,
  child: Histogram,
  out: Histogram,
  features?: Int32Array,
): Histogram {
  if (features === undefined) {
    const n = Math.min(parent.length, child.length, out.length)
    for (let i = 0; i < n; i++) out[i] = parent[i]! - child[i]!
    return out
  }
  const width = HIST_SLOTS * 2
  for (let k = 0; k < features.length; k++) {
    const o = features[k]! * width
    for (let i = o; i < o + width; i++) out[i] = parent[i]! - child[i]!
  }
  return out
}
