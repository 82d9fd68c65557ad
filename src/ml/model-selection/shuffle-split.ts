/**
 * Random train/test splits, repeated: plain (`ShuffleSplit`) and class-stratified
 * (`StratifiedShuffleSplit`), and the size rules `trainTestSplit` shares.
 */
import { z } from 'zod'

import { ValidationError, createRng, type Rng } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'

import { assertClassLabels, labelCodes } from './labels.js'
import { parseOptions, range, requireColumn, type CvSplitter, type Fold } from './splitter.js'

/** A split size: a fraction in (0, 1) of the rows, or a row count ≥ 1. */
const SizeSchema = z
  .number()
  .positive()
  .refine((v) => v < 1 || Number.isInteger(v), {
    message: 'must be a fraction in (0, 1) or a whole number of rows',
  })

const ShuffleSplitOptionsSchema = z.strictObject({
  /** The number of splits. @default 10 */
  nSplits: z.int().min(1).default(10),
  /** The test set: a fraction of the rows or a row count. @default 0.1, or the rest when `trainSize` is set */
  testSize: SizeSchema.optional(),
  /** The training set: a fraction or a row count. @default the rows not in the test set */
  trainSize: SizeSchema.optional(),
  /** @default 0 */
  seed: z.int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
})

/** Options of {@link ShuffleSplit} and {@link StratifiedShuffleSplit}. */
export type ShuffleSplitOptions = z.input<typeof ShuffleSplitOptionsSchema>

/**
 * The train and test sizes for `n` rows, by sklearn's `_validate_shuffle_split` rules:
 * fractions round the test set up and the training set down; a missing side takes the rest.
 *
 * @throws ValidationError when a size is out of range, they overlap, or training would be empty.
 */
export function shuffleSplitSizes(
  n: number,
  testSize: number | undefined,
  trainSize: number | undefined,
  defaultTestSize: number,
): { nTrain: number; nTest: number } {
  const test = testSize === undefined && trainSize === undefined ? defaultTestSize : testSize
  const bad = (field: string, message: string): ValidationError =>
    new ValidationError(message, [{ path: [field], code: 'out_of_range', message }])
  for (const [field, v] of [
    ['testSize', test],
    ['trainSize', trainSize],
  ] as const) {
    if (v !== undefined && v >= 1 && v >= n)
      throw bad(
        field,
        `${field}=${v} should be smaller than the number of samples ${n} or a fraction in (0, 1)`,
      )
  }
  if (
    test !== undefined &&
    trainSize !== undefined &&
    test < 1 &&
    trainSize < 1 &&
    test + trainSize > 1
  )
    throw bad('testSize', `testSize + trainSize = ${test + trainSize} should be at most 1`)
  let nTest = test === undefined ? undefined : test < 1 ? Math.ceil(test * n) : test
  let nTrain =
    trainSize === undefined ? undefined : trainSize < 1 ? Math.floor(trainSize * n) : trainSize
  if (nTrain === undefined) nTrain = n - (nTest ?? 0)
  if (nTest === undefined) nTest = n - nTrain
  if (nTrain + nTest > n)
    throw bad('testSize', `trainSize + testSize = ${nTrain + nTest} rows exceeds the ${n} samples`)
  if (nTrain === 0)
    throw bad('trainSize', `with ${n} samples and these sizes the training set would be empty`)
  return { nTrain, nTest }
}

/**
 * Independent random splits (sklearn's `ShuffleSplit`): each permutes the rows and takes the
 * first `nTest` as the test set and the next `nTrain` as the training set, in permuted order.
 * Seeded by the Plinth RNG, so the rows differ from sklearn's; the sizes match.
 */
export class ShuffleSplit implements CvSplitter {
  readonly kind = 'shuffle-split'
  constructor(readonly options: Readonly<ShuffleSplitOptions> = {}) {}
  split(X: Frame): readonly Fold[] {
    const o = parseOptions('ShuffleSplit', ShuffleSplitOptionsSchema, this.options)
    const n = X.nRows
    const { nTrain, nTest } = shuffleSplitSizes(n, o.testSize, o.trainSize, 0.1)
    const rng = createRng(o.seed)
    const folds: Fold[] = []
    for (let s = 0; s < o.nSplits; s++) {
      const p = rng.shuffle(range(n))
      folds.push(Object.freeze({ train: p.slice(nTest, nTest + nTrain), test: p.slice(0, nTest) }))
    }
    return folds
  }
}

/**
 * Random splits that keep class proportions (sklearn's `StratifiedShuffleSplit`): per-class
 * train and test counts come from sklearn's `_approximate_mode` (equal to sklearn's whenever
 * no tie has to be broken at random), rows are drawn per class, and each side is permuted.
 *
 * @throws ValidationError when a class has a single row, or a side is smaller than the class count.
 */
export class StratifiedShuffleSplit implements CvSplitter {
  readonly kind = 'stratified-shuffle-split'
  constructor(readonly options: Readonly<ShuffleSplitOptions> = {}) {}
  split(X: Frame, y?: Column): readonly Fold[] {
    const who = 'StratifiedShuffleSplit'
    const o = parseOptions(who, ShuffleSplitOptionsSchema, this.options)
    const n = X.nRows
    const { nTrain, nTest } = shuffleSplitSizes(n, o.testSize, o.trainSize, 0.1)
    const target = requireColumn(y, 'y', who)
    assertClassLabels(target, 'y', who)
    const cls = labelCodes(target, n, 'y')
    const rng = createRng(o.seed)
    const folds: Fold[] = []
    for (let s = 0; s < o.nSplits; s++) folds.push(stratifiedDraw(cls, nTrain, nTest, rng, who))
    return folds
  }
}

/** One stratified split of the rows with these class codes. @internal */
export function stratifiedDraw(
  cls: { readonly codes: Int32Array; readonly counts: Int32Array; readonly nUnique: number },
  nTrain: number,
  nTest: number,
  rng: Rng,
  who: string,
): Fold {
  const nc = cls.nUnique
  const bad = (field: string, message: string): ValidationError =>
    new ValidationError(`${who}: ${message}`, [{ path: [field], code: 'too_small', message }])
  for (let c = 0; c < nc; c++)
    if (cls.counts[c]! < 2)
      throw bad(
        'y',
        'the least populated class in y has only 1 member; each class needs at least 2',
      )
  if (nTrain < nc)
    throw bad('trainSize', `the training set (${nTrain}) is smaller than the ${nc} classes`)
  if (nTest < nc) throw bad('testSize', `the test set (${nTest}) is smaller than the ${nc} classes`)
  // Rows of each class, ascending (sklearn: a stable argsort of the codes).
  const byClass: Int32Array[] = []
  const fill = new Int32Array(nc)
  for (let c = 0; c < nc; c++) byClass.push(new Int32Array(cls.counts[c]!))
  for (let i = 0; i < cls.codes.length; i++) {
    const c = cls.codes[i]!
    byClass[c]![fill[c]!++] = i
  }
  const nI = approximateMode(cls.counts, nTrain, rng)
  const remaining = new Int32Array(nc)
  for (let c = 0; c < nc; c++) remaining[c] = cls.counts[c]! - nI[c]!
  const tI = approximateMode(remaining, nTest, rng)
  const train: number[] = []
  const test: number[] = []
  for (let c = 0; c < nc; c++) {
    const rows = rng.shuffle(Int32Array.from(byClass[c]!))
    for (let j = 0; j < nI[c]!; j++) train.push(rows[j]!)
    for (let j = nI[c]!; j < nI[c]! + tI[c]!; j++) test.push(rows[j]!)
  }
  return Object.freeze({
    train: rng.shuffle(Int32Array.from(train)),
    test: rng.shuffle(Int32Array.from(test)),
  })
}

/**
 * sklearn's `_approximate_mode`: how many of `nDraws` to take from each class so that the
 * draw follows the class counts: floors of the proportional shares, then one more for the
 * largest remainders, ties among equal remainders broken by `rng`.
 *
 * ## References
 * - scikit-learn 1.2 `sklearn/utils/extmath.py`, `_approximate_mode`.
 */
export function approximateMode(counts: Int32Array, nDraws: number, rng: Rng): Int32Array {
  const k = counts.length
  let total = 0
  for (let c = 0; c < k; c++) total += counts[c]!
  const continuous = new Float64Array(k)
  const out = new Int32Array(k)
  let floored = 0
  for (let c = 0; c < k; c++) {
    continuous[c] = (counts[c]! / total) * nDraws
    out[c] = Math.floor(continuous[c]!)
    floored += out[c]!
  }
  let needToAdd = nDraws - floored
  if (needToAdd > 0) {
    const remainder = continuous.map((v, c) => v - out[c]!)
    const values = [...new Set(remainder)].sort((a, b) => b - a)
    for (const value of values) {
      const inds: number[] = []
      for (let c = 0; c < k; c++) if (remainder[c] === value) inds.push(c)
      const addNow = Math.min(inds.length, needToAdd)
      // A partial Fisher–Yates draw without replacement.
      for (let j = 0; j < addNow; j++) {
        const r = j + rng.int(inds.length - j)
        const t = inds[j]!
        inds[j] = inds[r]!
        inds[r] = t
        out[inds[j]!]!++
      }
      needToAdd -= addNow
      if (needToAdd === 0) break
    }
  }
  return out
}
