/**
 * Forward-chaining splits for rows in time order.
 */
import { z } from 'zod'

import { ValidationError } from '../../core/index.js'
import type { Frame } from '../../frame/index.js'

import { parseOptions, range, type CvSplitter, type Fold } from './splitter.js'

const TimeSeriesSplitOptionsSchema = z.strictObject({
  /** The number of splits, at least 2. @default 5 */
  nSplits: z.int().min(2).default(5),
  /** The most rows a training set keeps (the latest ones). @default unlimited */
  maxTrainSize: z.int().min(1).optional(),
  /** The rows in each test set. @default ⌊n / (nSplits + 1)⌋ */
  testSize: z.int().min(1).optional(),
  /** Rows left out between the end of each training set and its test set. @default 0 */
  gap: z.int().min(0).default(0),
})

/** Options of {@link TimeSeriesSplit}. */
export type TimeSeriesSplitOptions = z.input<typeof TimeSeriesSplitOptionsSchema>

/**
 * Time-ordered splits (sklearn 1.2's `TimeSeriesSplit`): split `i` tests the `i`-th of the
 * last `nSplits` blocks of `testSize` rows and trains on every row before it, less `gap` rows
 * and capped at the latest `maxTrainSize`. Rows must already be in time order. The indices
 * equal sklearn's.
 *
 * @example
 * ```ts
 * new TimeSeriesSplit({ nSplits: 3 }).split(X) // 8 rows → train [0,1] test [2,3], …, train [0..5] test [6,7]
 * ```
 */
export class TimeSeriesSplit implements CvSplitter {
  readonly kind = 'time-series-split'
  constructor(readonly options: Readonly<TimeSeriesSplitOptions> = {}) {}
  split(X: Frame): readonly Fold[] {
    const o = parseOptions('TimeSeriesSplit', TimeSeriesSplitOptionsSchema, this.options)
    const n = X.nRows
    const k = o.nSplits
    const testSize = o.testSize ?? Math.floor(n / (k + 1))
    if (k + 1 > n) {
      throw new ValidationError(
        `TimeSeriesSplit: cannot have ${k + 1} folds (nSplits + 1) with ${n} samples`,
        [{ path: ['nSplits'], code: 'too_big', message: `need more than ${k} rows` }],
      )
    }
    if (n - o.gap - testSize * k <= 0) {
      throw new ValidationError(
        `TimeSeriesSplit: too many splits (${k}) for ${n} samples with testSize=${testSize} and gap=${o.gap}`,
        [
          {
            path: ['nSplits'],
            code: 'too_big',
            message: 'nSplits · testSize + gap must be below the row count',
          },
        ],
      )
    }
    const folds: Fold[] = []
    for (let testStart = n - k * testSize; testStart < n; testStart += testSize) {
      const trainEnd = testStart - o.gap
      const trainStart =
        o.maxTrainSize !== undefined && o.maxTrainSize < trainEnd ? trainEnd - o.maxTrainSize : 0
      folds.push(
        Object.freeze({
          train: range(trainEnd - trainStart, trainStart),
          test: range(Math.min(testSize, n - testStart), testStart),
        }),
      )
    }
    return folds
  }
}
