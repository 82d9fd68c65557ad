/**
 * K-fold cross-validation: plain (`KFold`) and class-stratified (`StratifiedKFold`).
 */
import { z } from 'zod'

import { ValidationError, createRng } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'

import { assertClassLabels, labelCodes } from './labels.js'
import {
  assertSplittable,
  foldsFromAssignment,
  parseOptions,
  range,
  requireColumn,
  type CvSplitter,
  type Fold,
} from './splitter.js'

const KFoldOptionsSchema = z.strictObject({
  /** The number of folds, at least 2. @default 5 */
  nSplits: z.int().min(2).default(5),
  /** Shuffle the rows before cutting them into folds. @default false */
  shuffle: z.boolean().default(false),
  /** The seed of the shuffle. @default 0 */
  seed: z.int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
})

/** Options of {@link KFold} and {@link StratifiedKFold}. */
export type KFoldOptions = z.input<typeof KFoldOptionsSchema>

/**
 * K consecutive folds (sklearn's `KFold`): the first `n % k` folds hold `⌊n/k⌋ + 1` rows, the
 * rest `⌊n/k⌋`. Without shuffling the folds equal sklearn's; with it, rows are permuted by the
 * seeded Plinth RNG first (so the folds differ from sklearn's for the same seed).
 *
 * @example
 * ```ts
 * new KFold({ nSplits: 3 }).split(X) // X with 7 rows → tests [0,1,2], [3,4], [5,6]
 * ```
 */
export class KFold implements CvSplitter {
  readonly kind = 'kfold'
  constructor(readonly options: Readonly<KFoldOptions> = {}) {}
  split(X: Frame): readonly Fold[] {
    const o = parseOptions('KFold', KFoldOptionsSchema, this.options)
    const n = X.nRows
    assertSplittable(o.nSplits, n, 'samples', 'KFold')
    const order = range(n)
    if (o.shuffle) createRng(o.seed).shuffle(order)
    const testFold = new Int32Array(n)
    let at = 0
    for (let f = 0; f < o.nSplits; f++) {
      const size = Math.floor(n / o.nSplits) + (f < n % o.nSplits ? 1 : 0)
      for (let j = 0; j < size; j++) testFold[order[at + j]!] = f
      at += size
    }
    return foldsFromAssignment(testFold, o.nSplits)
  }
}

/**
 * K folds that keep each class's proportion (sklearn 1.2's `StratifiedKFold`).
 *
 * Every class must have at least `nSplits` members: sklearn only warns when one has fewer and
 * then leaves some folds without that class, which breaks per-fold metrics such as ROC AUC,
 * so Plinth refuses with a `ValidationError` naming the class count.
 *
 * ## Method
 * sklearn's allocation: classes are numbered by first appearance in `y`; the sorted codes are
 * dealt round-robin to the folds to decide how many rows of each class each fold tests; then
 * each class's rows, in row order, fill folds 0, 1, … in blocks of those sizes (the block
 * labels are shuffled per class when `shuffle` is set). Without shuffling the folds equal
 * sklearn's exactly.
 *
 * ## References
 * - scikit-learn 1.2 `sklearn/model_selection/_split.py`, `StratifiedKFold._make_test_folds`.
 */
export class StratifiedKFold implements CvSplitter {
  readonly kind = 'stratified-kfold'
  constructor(readonly options: Readonly<KFoldOptions> = {}) {}
  split(X: Frame, y?: Column): readonly Fold[] {
    const o = parseOptions('StratifiedKFold', KFoldOptionsSchema, this.options)
    const k = o.nSplits
    const n = X.nRows
    const target = requireColumn(y, 'y', 'StratifiedKFold')
    assertClassLabels(target, 'y', 'StratifiedKFold')
    assertSplittable(k, n, 'samples', 'StratifiedKFold')
    const enc = appearanceCodes(labelCodes(target, n, 'y').codes, n)
    const nClasses = enc.counts.length
    let smallest = Infinity
    for (let c = 0; c < nClasses; c++) smallest = Math.min(smallest, enc.counts[c]!)
    if (k > smallest) {
      throw new ValidationError(
        `StratifiedKFold: the least populated class in y has only ${smallest} member(s), fewer than nSplits=${k}`,
        [
          {
            path: ['y'],
            code: 'too_few_members',
            message: `a class has ${smallest} row(s); every class needs at least nSplits=${k}`,
          },
        ],
      )
    }
    const rng = createRng(o.seed)
    // Rows of class c occupy positions [start, start + count) of the sorted codes; fold f
    // receives the positions p ≡ f (mod k).
    const upTo = (e: number, f: number): number => (e > f ? Math.floor((e - 1 - f) / k) + 1 : 0)
    const blocks: Int32Array[] = []
    let start = 0
    for (let c = 0; c < nClasses; c++) {
      const end = start + enc.counts[c]!
      const labels = new Int32Array(enc.counts[c]!)
      let at = 0
      for (let f = 0; f < k; f++) {
        const m = upTo(end, f) - upTo(start, f)
        labels.fill(f, at, at + m)
        at += m
      }
      if (o.shuffle) rng.shuffle(labels)
      blocks.push(labels)
      start = end
    }
    const testFold = new Int32Array(n)
    const next = new Int32Array(nClasses)
    for (let i = 0; i < n; i++) {
      const c = enc.codes[i]!
      testFold[i] = blocks[c]![next[c]!++]!
    }
    return foldsFromAssignment(testFold, k)
  }
}

/** Renumbers codes by first appearance (sklearn's `class_perm`), with per-class counts. */
export function appearanceCodes(
  sortedCodes: Int32Array,
  n: number,
): { codes: Int32Array; counts: Int32Array } {
  const remap = new Map<number, number>()
  const codes = new Int32Array(n)
  const counts: number[] = []
  for (let i = 0; i < n; i++) {
    const s = sortedCodes[i]!
    let c = remap.get(s)
    if (c === undefined) {
      c = remap.size
      remap.set(s, c)
      counts.push(0)
    }
    codes[i] = c
    counts[c]!++
  }
  return { codes, counts: Int32Array.from(counts) }
}
