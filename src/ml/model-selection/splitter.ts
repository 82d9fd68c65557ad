/**
 * The cross-validation splitter contract and the helpers every splitter shares.
 */
import type { z } from 'zod'

import { ValidationError, validationErrorFromIssues } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'

/** One train/test split: row indices into the frame that was split. */
export interface Fold {
  readonly train: Int32Array
  readonly test: Int32Array
}

/**
 * A cross-validation strategy (sklearn's `BaseCrossValidator`): `split` returns the folds for
 * a frame. Non-shuffled splitters return sklearn's indices exactly, ascending.
 */
export interface CvSplitter {
  /** A name for messages and results (`'kfold'`, `'stratified-kfold'`…). */
  readonly kind: string
  /**
   * The folds for `X` (only its row count is read), with `y` for stratified splitters and
   * `groups` for grouped ones.
   *
   * @throws ValidationError for bad options or data that cannot be split that way.
   */
  split(X: Frame, y?: Column, groups?: Column): readonly Fold[]
}

/** True when `v` looks like a {@link CvSplitter}. */
export function isCvSplitter(v: unknown): v is CvSplitter {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { kind?: unknown }).kind === 'string' &&
    typeof (v as { split?: unknown }).split === 'function'
  )
}

/** Parses splitter options with `schema`; issues are reported at their option names. */
export function parseOptions<S extends z.ZodType>(
  who: string,
  schema: S,
  value: unknown,
): z.output<S> {
  const r = schema.safeParse(value)
  if (!r.success) throw validationErrorFromIssues(`invalid options for ${who}`, r.error.issues)
  return r.data
}

/** Throws unless `1 ≤ nSplits ≤ n` items (rows or groups) are there to split. */
export function assertSplittable(nSplits: number, n: number, what: string, who: string): void {
  if (nSplits > n) {
    throw new ValidationError(
      `${who}: cannot have nSplits=${nSplits} greater than the number of ${what}: ${n}`,
      [
        {
          path: ['nSplits'],
          code: 'too_big',
          message: `nSplits=${nSplits} > ${n} ${what}`,
        },
      ],
    )
  }
}

/** Throws unless `col` was given (grouped and stratified splitters need it). */
export function requireColumn(col: Column | undefined, field: string, who: string): Column {
  if (col === undefined) {
    throw new ValidationError(`${who} needs ${field}`, [
      { path: [field], code: 'required', message: `${field} is required by ${who}` },
    ])
  }
  return col
}

/**
 * The folds for a test-fold assignment (`testFold[i]` is the fold whose test set holds row
 * `i`, or -1 for a row in no test set): both sides ascending, like sklearn's masks.
 */
export function foldsFromAssignment(testFold: Int32Array, nSplits: number): Fold[] {
  const n = testFold.length
  const sizes = new Int32Array(nSplits)
  for (let i = 0; i < n; i++) {
    const f = testFold[i]!
    if (f >= 0) sizes[f]!++
  }
  const folds: Fold[] = []
  for (let f = 0; f < nSplits; f++) {
    const test = new Int32Array(sizes[f]!)
    const train = new Int32Array(n - sizes[f]!)
    let a = 0
    let b = 0
    for (let i = 0; i < n; i++) {
      if (testFold[i] === f) test[a++] = i
      else train[b++] = i
    }
    folds.push(Object.freeze({ train, test }))
  }
  return folds
}

/** `0, 1, …, n − 1`. */
export function range(n: number, start = 0): Int32Array {
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) out[i] = start + i
  return out
}
