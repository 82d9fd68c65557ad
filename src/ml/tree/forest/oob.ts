/**
 * Out-of-bag estimates of a forest (scikit-learn's `oob_score_`, `oob_decision_function_` and
 * `oob_prediction_`): each training row is predicted by the trees that did not draw it.
 *
 * @internal
 */
import type { FlatTree } from '../ensemble/index.js'

import { outOfBagMask, type ForestJob } from './tree-job.js'

/** Out-of-bag outputs and how many trees scored each row. */
export interface OutOfBag {
  /** `n × width` mean outputs of the trees that left each row out (0 where none did). */
  readonly mean: Float64Array
  /** Rows that no tree left out. */
  readonly unscored: number
}

/** The leaf `tree` sends row `i` of the column-major `X` (`n` rows) to. */
function leafOf(tree: FlatTree, X: Float64Array, n: number, i: number): number {
  let node = 0
  const { left, right, feature, threshold, missingLeft } = tree
  for (;;) {
    const l = left[node]!
    if (l < 0) return node
    const v = X[feature[node]! * n + i]!
    if (v !== v) node = missingLeft[node] === 1 ? l : right[node]!
    else node = v < threshold[node]! ? l : right[node]!
  }
}

/** The mean out-of-bag output of every training row (`X` column-major, as fit prepared it). */
export function outOfBag(
  job: ForestJob,
  trees: readonly FlatTree[],
  X: Float64Array,
  width: number,
): OutOfBag {
  const n = job.data.n
  const sum = new Float64Array(n * width)
  const count = new Int32Array(n)
  trees.forEach((tree, t) => {
    const mask = outOfBagMask(job, t)
    for (let i = 0; i < n; i++) {
      if (mask[i] === 0) continue
      const leaf = leafOf(tree, X, n, i)
      for (let k = 0; k < width; k++) sum[i * width + k]! += tree.value[leaf * width + k]!
      count[i]!++
    }
  })
  let unscored = 0
  for (let i = 0; i < n; i++) {
    const c = count[i]!
    if (c === 0) unscored++
    else for (let k = 0; k < width; k++) sum[i * width + k] = sum[i * width + k]! / c
  }
  return { mean: sum, unscored }
}

/** R² of `pred` against `y` (scikit-learn's `r2_score`; 1 or 0 for a constant `y`). */
export function r2Score(y: Float64Array, pred: Float64Array): number {
  const n = y.length
  let mean = 0
  for (let i = 0; i < n; i++) mean += y[i]!
  mean /= n
  let res = 0
  let tot = 0
  for (let i = 0; i < n; i++) {
    res += (y[i]! - pred[i]!) ** 2
    tot += (y[i]! - mean) ** 2
  }
  if (tot === 0) return res === 0 ? 1 : 0
  return 1 - res / tot
}
