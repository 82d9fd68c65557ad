/**
 * Grouped k-fold cross-validation: no group is split between train and test.
 */
import { z } from 'zod'

import { ValidationError, createRng } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'

import { assertClassLabels, labelCodes, numpyArgsort, numpyStd, numpySum } from './labels.js'
import {
  assertSplittable,
  foldsFromAssignment,
  parseOptions,
  requireColumn,
  type CvSplitter,
  type Fold,
} from './splitter.js'

const GroupKFoldOptionsSchema = z.strictObject({
  /** The number of folds, at least 2. @default 5 */
  nSplits: z.int().min(2).default(5),
})

/** Options of {@link GroupKFold}. */
export type GroupKFoldOptions = z.input<typeof GroupKFoldOptionsSchema>

/**
 * K folds of whole groups, balanced by row count (sklearn 1.2's `GroupKFold`, which does not
 * shuffle): the folds equal sklearn's for the same groups.
 *
 * ## Method
 * Greedy: groups are taken from largest to smallest (sklearn's order, `np.argsort` of the
 * group sizes reversed, ties included) and each goes to the fold with the fewest rows so far
 * (the first such fold on a tie).
 *
 * ## References
 * - scikit-learn 1.2 `sklearn/model_selection/_split.py`, `GroupKFold._iter_test_indices`.
 */
export class GroupKFold implements CvSplitter {
  readonly kind = 'group-kfold'
  constructor(readonly options: Readonly<GroupKFoldOptions> = {}) {}
  split(X: Frame, _y?: Column, groups?: Column): readonly Fold[] {
    const o = parseOptions('GroupKFold', GroupKFoldOptionsSchema, this.options)
    const k = o.nSplits
    const g = labelCodes(requireColumn(groups, 'groups', 'GroupKFold'), X.nRows, 'groups')
    assertSplittable(k, g.nUnique, 'groups', 'GroupKFold')
    const order = numpyArgsort(g.counts)
    const perFold = new Float64Array(k)
    const groupFold = new Int32Array(g.nUnique)
    for (let r = order.length - 1; r >= 0; r--) {
      const group = order[r]!
      let lightest = 0
      for (let f = 1; f < k; f++) if (perFold[f]! < perFold[lightest]!) lightest = f
      perFold[lightest]! += g.counts[group]!
      groupFold[group] = lightest
    }
    const testFold = new Int32Array(X.nRows)
    for (let i = 0; i < X.nRows; i++) testFold[i] = groupFold[g.codes[i]!]!
    return foldsFromAssignment(testFold, k)
  }
}

const StratifiedGroupKFoldOptionsSchema = z.strictObject({
  /** The number of folds, at least 2. @default 5 */
  nSplits: z.int().min(2).default(5),
  /** Shuffle the groups before the greedy assignment. @default false */
  shuffle: z.boolean().default(false),
  /** The seed of the shuffle. @default 0 */
  seed: z.int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
})

/** Options of {@link StratifiedGroupKFold}. */
export type StratifiedGroupKFoldOptions = z.input<typeof StratifiedGroupKFoldOptionsSchema>

/**
 * K folds of whole groups that keep class proportions as well as groups allow (sklearn 1.2's
 * `StratifiedGroupKFold`). Without shuffling the folds equal sklearn's.
 *
 * Every class must have at least `nSplits` rows (as for {@link StratifiedKFold}).
 *
 * ## Method
 * Groups are visited by decreasing standard deviation of their class counts (a stable sort, so
 * ties keep group order); each goes to the fold that minimises the mean over classes of the
 * standard deviation across folds of the class's share, ties (within `np.isclose`) going to the
 * fold with fewer rows. Sums and deviations round as numpy's do, so near-ties resolve alike.
 * With `shuffle`, the groups are permuted first.
 *
 * ## References
 * - scikit-learn 1.2 `sklearn/model_selection/_split.py`, `StratifiedGroupKFold`.
 */
export class StratifiedGroupKFold implements CvSplitter {
  readonly kind = 'stratified-group-kfold'
  constructor(readonly options: Readonly<StratifiedGroupKFoldOptions> = {}) {}
  split(X: Frame, y?: Column, groups?: Column): readonly Fold[] {
    const who = 'StratifiedGroupKFold'
    const o = parseOptions(who, StratifiedGroupKFoldOptionsSchema, this.options)
    const k = o.nSplits
    const n = X.nRows
    const target = requireColumn(y, 'y', who)
    assertClassLabels(target, 'y', who)
    const cls = labelCodes(target, n, 'y')
    const g = labelCodes(requireColumn(groups, 'groups', who), n, 'groups')
    assertSplittable(k, g.nUnique, 'groups', who)
    const nc = cls.nUnique
    let smallest = Infinity
    for (let c = 0; c < nc; c++) smallest = Math.min(smallest, cls.counts[c]!)
    if (k > smallest) {
      throw new ValidationError(
        `${who}: the least populated class in y has only ${smallest} member(s), fewer than nSplits=${k}`,
        [
          {
            path: ['y'],
            code: 'too_few_members',
            message: `a class has ${smallest} row(s); every class needs at least nSplits=${k}`,
          },
        ],
      )
    }
    const ng = g.nUnique
    // counts[group * nc + class]
    const counts = new Float64Array(ng * nc)
    for (let i = 0; i < n; i++) counts[g.codes[i]! * nc + cls.codes[i]!]! += 1
    // sklearn shuffles the rows of this table (and, as in 1.2, not the group ids with them).
    if (o.shuffle) shuffleRows(counts, ng, nc, createRng(o.seed))
    const stds = new Float64Array(ng)
    for (let j = 0; j < ng; j++) stds[j] = numpyStd(counts, j * nc, nc)
    const visit = Array.from({ length: ng }, (_, j) => j).sort((a, b) => stds[b]! - stds[a]!)
    const perFold = new Float64Array(k * nc)
    const groupFold = new Int32Array(ng)
    for (const j of visit) {
      const best = bestFold(perFold, k, nc, cls.counts, counts, j * nc)
      for (let c = 0; c < nc; c++) perFold[best * nc + c]! += counts[j * nc + c]!
      groupFold[j] = best
    }
    const testFold = new Int32Array(n)
    for (let i = 0; i < n; i++) testFold[i] = groupFold[g.codes[i]!]!
    return foldsFromAssignment(testFold, k)
  }
}

function shuffleRows(
  m: Float64Array,
  nRows: number,
  nCols: number,
  rng: ReturnType<typeof createRng>,
): void {
  const order = Array.from({ length: nRows }, (_, i) => i)
  rng.shuffle(order)
  const copy = Float64Array.from(m)
  for (let r = 0; r < nRows; r++)
    m.set(copy.subarray(order[r]! * nCols, (order[r]! + 1) * nCols), r * nCols)
}

// sklearn's _find_best_fold, with numpy's reduction order: the std across folds runs down a
// column (sequential sums), the mean over classes along a row (pairwise sum).
function bestFold(
  perFold: Float64Array,
  k: number,
  nc: number,
  classTotals: Int32Array,
  groupCounts: Float64Array,
  groupOff: number,
): number {
  let best = 0
  let minEval = Infinity
  let minSamples = Infinity
  const share = new Float64Array(k)
  const stdPerClass = new Float64Array(nc)
  for (let i = 0; i < k; i++) {
    for (let c = 0; c < nc; c++) perFold[i * nc + c]! += groupCounts[groupOff + c]!
    for (let c = 0; c < nc; c++) {
      let sum = 0
      for (let f = 0; f < k; f++) {
        share[f] = perFold[f * nc + c]! / classTotals[c]!
        sum += share[f]!
      }
      const mean = sum / k
      let ss = 0
      for (let f = 0; f < k; f++) {
        const d = share[f]! - mean
        ss += d * d
      }
      stdPerClass[c] = Math.sqrt(ss / k)
    }
    for (let c = 0; c < nc; c++) perFold[i * nc + c]! -= groupCounts[groupOff + c]!
    const evalI = numpySum(stdPerClass) / nc
    const samples = numpySum(perFold, i * nc, nc)
    const close =
      Number.isFinite(minEval) && Math.abs(evalI - minEval) <= 1e-8 + 1e-5 * Math.abs(minEval)
    if (evalI < minEval || (close && samples < minSamples)) {
      minEval = evalI
      minSamples = samples
      best = i
    }
  }
  return best
}
