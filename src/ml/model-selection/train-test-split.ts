/**
 * `trainTestSplit`: one train/test split of a frame and its target.
 */
import { z } from 'zod'

import { ValidationError, createRng } from '../../core/index.js'
import { createFrame, type Column, type Frame } from '../../frame/index.js'

import { assertClassLabels, labelCodes } from './labels.js'
import { shuffleSplitSizes, stratifiedDraw } from './shuffle-split.js'
import { parseOptions, range } from './splitter.js'

const SizeSchema = z
  .number()
  .positive()
  .refine((v) => v < 1 || Number.isInteger(v), {
    message: 'must be a fraction in (0, 1) or a whole number of rows',
  })

const TrainTestSplitOptionsSchema = z.strictObject({
  testSize: SizeSchema.optional(),
  trainSize: SizeSchema.optional(),
  shuffle: z.boolean().default(true),
  stratify: z
    .union([z.literal(true), z.custom<Column>((v) => typeof v === 'object' && v !== null)])
    .optional(),
  seed: z.int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
})

/** Options of {@link trainTestSplit}. */
export interface TrainTestSplitOptions {
  /** The test set: a fraction in (0, 1) of the rows (rounded up) or a row count. @default 0.25 (the rest, when `trainSize` is given) */
  readonly testSize?: number
  /** The training set: a fraction (rounded down) or a row count. @default the rows not in the test set */
  readonly trainSize?: number
  /** Shuffle before splitting; `false` takes the first rows for training. @default true */
  readonly shuffle?: boolean
  /** Keep the class proportions of this column (`true`: of `y`) in both sides. Needs `shuffle`. */
  readonly stratify?: Column | true
  /** @default 0 */
  readonly seed?: number
}

/** The two sides of {@link trainTestSplit}. */
export interface TrainTestSplit {
  readonly XTrain: Frame
  readonly XTest: Frame
  /** Present when `y` was given. */
  readonly yTrain?: Column
  readonly yTest?: Column
  /** The rows of each side, in the order they appear in `XTrain` / `XTest`. */
  readonly trainIndices: Int32Array
  readonly testIndices: Int32Array
}

/**
 * Splits `X` (and `y`) into a training and a test set, with sklearn's `train_test_split`
 * semantics: sizes follow its rounding rules; without shuffling the first `nTrain` rows train
 * and the next `nTest` test (equal to sklearn); with shuffling the rows are permuted by the
 * seeded Plinth RNG (test rows first, as sklearn's `ShuffleSplit` takes them); with `stratify`
 * each class contributes sklearn's `_approximate_mode` counts to each side.
 *
 * @throws ValidationError for bad sizes, `stratify` without `shuffle`, a `y` or `stratify`
 *   of the wrong length, or a class with a single row when stratifying.
 * @example
 * ```ts
 * const { XTrain, XTest, yTrain, yTest } = trainTestSplit(X, y, { testSize: 0.2, stratify: true, seed: 7 })
 * ```
 */
export function trainTestSplit(
  X: Frame,
  y?: Column,
  options: TrainTestSplitOptions = {},
): TrainTestSplit {
  const o = parseOptions('trainTestSplit', TrainTestSplitOptionsSchema, options)
  const n = X.nRows
  if (y !== undefined && y.length !== n) {
    throw new ValidationError(`y has ${y.length} rows but X has ${n}`, [
      { path: ['y'], code: 'length_mismatch', message: `expected ${n} values` },
    ])
  }
  const { nTrain, nTest } = shuffleSplitSizes(n, o.testSize, o.trainSize, 0.25)
  let train: Int32Array
  let test: Int32Array
  if (!o.shuffle) {
    if (o.stratify !== undefined) {
      throw new ValidationError('stratified splitting needs shuffle: true', [
        { path: ['stratify'], code: 'conflict', message: 'stratify requires shuffle' },
      ])
    }
    train = range(nTrain)
    test = range(nTest, nTrain)
  } else if (o.stratify !== undefined) {
    const strata = o.stratify === true ? y : o.stratify
    if (strata === undefined) {
      throw new ValidationError('stratify: true needs y', [
        { path: ['stratify'], code: 'required', message: 'pass y, or a column to stratify by' },
      ])
    }
    assertClassLabels(strata, 'stratify', 'trainTestSplit')
    const fold = stratifiedDraw(
      labelCodes(strata, n, 'stratify'),
      nTrain,
      nTest,
      createRng(o.seed),
      'trainTestSplit',
    )
    train = fold.train
    test = fold.test
  } else {
    const p = createRng(o.seed).shuffle(range(n))
    test = p.slice(0, nTest)
    train = p.slice(nTest, nTest + nTrain)
  }
  const sides = {
    XTrain: X.take(train),
    XTest: X.take(test),
    trainIndices: train,
    testIndices: test,
  }
  if (y === undefined) return sides
  return { ...sides, yTrain: takeColumn(y, train), yTest: takeColumn(y, test) }
}

/** The rows `indices` of `col` (a gather, through a one-column frame). */
export function takeColumn(col: Column, indices: Int32Array): Column {
  return createFrame([col]).take(indices).columns[0]!
}
