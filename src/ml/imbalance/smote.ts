/**
 * SMOTE: over-sampling by interpolating between a minority row and one of its nearest
 * neighbours of the same class (imbalanced-learn's `SMOTE`).
 */
import { z } from 'zod'

import { ValidationError } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import { assertHasFeatures, parseParams, toMatrix } from '../base/index.js'

import { nearestNeighbors } from './kernels/nearest-neighbors.js'
import {
  OverSamplingStrategySchema,
  samplingTargets,
  type SamplingStrategy,
} from './sampling-strategy.js'
import {
  appendRows,
  checkSignal,
  prepareTarget,
  rowsByClass,
  samplerRng,
  takeTarget,
} from './shared.js'
import type { ResampleResult, SampleOptions, Sampler } from './types.js'

/** Parameters of {@link Smote}. */
export const SmoteParamsSchema = z.strictObject({
  /** Which classes to grow and to how many rows. @default 'auto' (every class but the majority) */
  samplingStrategy: OverSamplingStrategySchema,
  /** Neighbours (within the class) to interpolate towards. @default 5 */
  kNeighbors: z.int().min(1).default(5),
  /** @default 0 */
  seed: z.int().min(0).max(0xffffffff).default(0),
})
/** Parameters of {@link Smote}. */
export interface SmoteParams {
  readonly samplingStrategy?: Exclude<SamplingStrategy, 'majority'>
  readonly kNeighbors?: number
  readonly seed?: number
}

const KIND = 'imbalance.smote'

/**
 * Synthetic Minority Over-sampling TEchnique. For each class to grow, every new row is
 * `x + u · (x_nn − x)`: `x` a uniformly drawn row of the class, `x_nn` one of its `kNeighbors`
 * nearest rows of the same class (uniformly drawn), `u` uniform in [0, 1). The output is every
 * input row in order, then the new rows class by class (in sorted class order), as in
 * imbalanced-learn.
 *
 * Features must be numeric (`f64`, `f32`, `i32`, `bool`), finite and present; encode
 * categories first. New values of an `f32` column are rounded to `f32`; of an `i32` or `bool`
 * column to the nearest integer (imbalanced-learn truncates), so those columns keep their dtype.
 *
 * ## Method
 * Exact nearest neighbours by brute force within each class (see `nearestNeighbors`), then the
 * interpolation above; O(m² d) per class of m rows.
 *
 * ## References
 * - N. V. Chawla, K. W. Bowyer, L. O. Hall, W. P. Kegelmeyer. "SMOTE: Synthetic Minority
 *   Over-sampling Technique". JAIR 16, 2002.
 *
 * @example
 * ```ts
 * const { X: Xr, y: yr } = new Smote({ kNeighbors: 3, seed: 7 }).resample(X, y)
 * // Xr starts with X's rows; the minority class now has as many rows as the majority
 * ```
 */
export class Smote implements Sampler<SmoteParams> {
  readonly kind = KIND
  constructor(readonly params: Readonly<SmoteParams> = {}) {}
  withParams(patch: Partial<SmoteParams>): Smote {
    return new Smote({ ...this.params, ...patch })
  }

  /**
   * @throws ValidationError for invalid parameters, non-numeric, non-finite or missing
   *   features, a missing or malformed `y`, fewer than two classes, a strategy that does not fit
   *   the class counts, or a class to grow with no more than `kNeighbors` rows.
   */
  resample(X: Frame, y: Column, opts?: SampleOptions): ResampleResult {
    const p = parseParams(KIND, SmoteParamsSchema, this.params)
    checkSignal(opts)
    const { target, counts } = prepareTarget(X, y, KIND)
    const add = samplingTargets(p.samplingStrategy, target, counts, 'over')
    const k = p.kNeighbors
    const names = target.classes.map(String)
    for (let c = 0; c < add.length; c++) {
      if (add[c]! > 0 && counts[c]! <= k) {
        const msg = `class "${names[c] ?? ''}" has ${counts[c]!} row(s); kNeighbors = ${k} needs at least ${k + 1}`
        throw new ValidationError(`${KIND}: ${msg}`, [
          { path: ['params', 'kNeighbors'], code: 'too_few_rows', message: msg },
        ])
      }
    }
    assertHasFeatures(X, KIND)
    const M = toMatrix(X, { layout: 'row', kind: KIND })
    const n = M.nRows
    const d = M.nCols
    const { rows, start } = rowsByClass(target, counts)
    const rng = samplerRng(p.seed, opts)

    let nNew = 0
    for (const a of add) if (a > 0) nNew += a
    const synth = new Float64Array(nNew * d)
    const yIndex = new Int32Array(n + nNew)
    for (let i = 0; i < n; i++) yIndex[i] = i
    let o = 0
    for (let c = 0; c < add.length; c++) {
      const a = add[c]!
      if (a <= 0) continue
      checkSignal(opts)
      const s = start[c]!
      const m = start[c + 1]! - s
      const Xc = new Float64Array(m * d)
      for (let r = 0; r < m; r++)
        Xc.set(M.data.subarray(rows[s + r]! * d, rows[s + r]! * d + d), r * d)
      const nn = nearestNeighbors(m, d, Xc, 0, k, new Int32Array(m * k), () => {
        checkSignal(opts)
      })
      for (let t = 0; t < a; t++) {
        const draw = rng.int(m * k)
        const row = Math.floor(draw / k)
        const nb = nn[draw]!
        const u = rng.float()
        const oa = row * d
        const ob = nb * d
        const os = o * d
        for (let j = 0; j < d; j++) synth[os + j] = Xc[oa + j]! + u * (Xc[ob + j]! - Xc[oa + j]!)
        yIndex[n + o] = rows[s + row]!
        o++
      }
    }
    return { X: appendRows(X, synth, nNew), y: takeTarget(y, yIndex) }
  }
}

export { KIND as SMOTE_KIND }
