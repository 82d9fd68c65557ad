/**
 * Random over- and under-sampling (imbalanced-learn's `RandomOverSampler` and
 * `RandomUnderSampler`): rows are repeated or dropped, never changed, so any dtype and missing
 * values pass through.
 */
import { z } from 'zod'

import { ValidationError, type Rng } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import { assertHasFeatures, parseParams, toMatrix } from '../base/index.js'

import {
  OverSamplingStrategySchema,
  UnderSamplingStrategySchema,
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

const SEED = z.int().min(0).max(0xffffffff).default(0)

/** Parameters of {@link RandomOverSampler}. */
export const RandomOverSamplerParamsSchema = z.strictObject({
  /** Which classes to grow and to how many rows. @default 'auto' (every class but the majority) */
  samplingStrategy: OverSamplingStrategySchema,
  /**
   * A smoothed bootstrap: each drawn row gets Gaussian noise of standard deviation
   * `shrinkage · h · std_class` per feature (h = (4 / ((d + 2) n))^(1 / (d + 4)), Silverman's
   * rule), one factor for every class or one per grown class by `String(label)`. Needs numeric,
   * finite, present features. `null` draws exact copies. @default null
   */
  shrinkage: z
    .union([z.number().min(0), z.record(z.string(), z.number().min(0))])
    .nullable()
    .default(null),
  /** @default 0 */
  seed: SEED,
})
/** Parameters of {@link RandomOverSampler}. */
export interface RandomOverSamplerParams {
  readonly samplingStrategy?: Exclude<SamplingStrategy, 'majority'>
  readonly shrinkage?: number | Readonly<Record<string, number>> | null
  readonly seed?: number
}

const OVER_KIND = 'imbalance.random-over-sampler'

/**
 * Grows classes by drawing their rows again, uniformly with replacement. The output is every
 * input row in order, then the drawn rows class by class (in sorted class order), as in
 * imbalanced-learn; `sampleIndices` gives the input row of each output row (for a smoothed
 * bootstrap, the row the noise was added to). Without `shrinkage` any dtype and missing
 * values pass through.
 *
 * ## Method
 * With `shrinkage` (imbalanced-learn's smoothed bootstrap, ROSE): a drawn row `x` becomes
 * `x + ε`, `ε_j ~ N(0, (shrinkage · h · σ_j)²)`, σ_j the population standard deviation of
 * feature j within the class, h = (4 / ((d + 2) n))^(1 / (d + 4)) for n rows and d features.
 *
 * ## References
 * - N. Lunardon, G. Menardi, N. Torelli. "ROSE: a package for binary imbalanced learning".
 *   The R Journal 6(1), 2014.
 *
 * @example
 * ```ts
 * const { X: Xr, y: yr } = new RandomOverSampler({ seed: 1 }).resample(X, y)
 * // every class now has as many rows as the majority class
 * ```
 */
export class RandomOverSampler implements Sampler<RandomOverSamplerParams> {
  readonly kind = OVER_KIND
  constructor(readonly params: Readonly<RandomOverSamplerParams> = {}) {}
  withParams(patch: Partial<RandomOverSamplerParams>): RandomOverSampler {
    return new RandomOverSampler({ ...this.params, ...patch })
  }
  /**
   * @throws ValidationError for invalid parameters, a missing or malformed `y`, fewer than two
   *   classes, or a strategy that does not fit the class counts.
   */
  resample(X: Frame, y: Column, opts?: SampleOptions): ResampleResult {
    const p = parseParams(OVER_KIND, RandomOverSamplerParamsSchema, this.params)
    checkSignal(opts)
    const { target, counts } = prepareTarget(X, y, OVER_KIND)
    const add = samplingTargets(p.samplingStrategy, target, counts, 'over')
    const shrink = shrinkageFactors(p.shrinkage, target.classes.map(String), add)
    const { rows, start } = rowsByClass(target, counts)
    const rng = samplerRng(p.seed, opts)
    const n = X.nRows
    let total = n
    for (const a of add) if (a > 0) total += a
    const indices = new Int32Array(total)
    for (let i = 0; i < n; i++) indices[i] = i
    let o = n
    for (let c = 0; c < add.length; c++) {
      const a = add[c]!
      if (a <= 0) continue
      checkSignal(opts)
      const s = start[c]!
      const m = start[c + 1]! - s
      for (let t = 0; t < a; t++) indices[o++] = rows[s + rng.int(m)]!
    }
    const y2 = takeTarget(y, indices)
    if (shrink === undefined) return { X: X.take(indices), y: y2, sampleIndices: indices }
    return {
      X: smoothedRows(X, indices, rows, start, add, shrink, rng),
      y: y2,
      sampleIndices: indices,
    }
  }
}

/**
 * The shrinkage factor of each class (NaN where the class does not grow), or `undefined`.
 *
 * @throws ValidationError for a record that misses a grown class or names an unknown one.
 */
function shrinkageFactors(
  spec: number | Readonly<Record<string, number>> | null,
  names: readonly string[],
  add: Int32Array,
): Float64Array | undefined {
  if (spec === null) return undefined
  const out = new Float64Array(names.length).fill(NaN)
  for (let c = 0; c < names.length; c++) {
    if (add[c]! < 0) continue
    const f = typeof spec === 'number' ? spec : spec[names[c]!]
    if (f === undefined) {
      const msg = `give a factor for every class that grows; "${names[c] ?? ''}" has none`
      throw new ValidationError(`invalid shrinkage: ${msg}`, [
        { path: ['params', 'shrinkage'], code: 'missing_class', message: msg },
      ])
    }
    out[c] = f
  }
  if (typeof spec === 'object') {
    for (const label of Object.keys(spec)) {
      if (!names.includes(label)) {
        const msg = `"${label}" is not a class of y (${names.join(', ')})`
        throw new ValidationError(`invalid shrinkage: ${msg}`, [
          { path: ['params', 'shrinkage', label], code: 'invalid_value', message: msg },
        ])
      }
    }
  }
  return out
}

/** The input rows, then the drawn rows with Gaussian noise (the smoothed bootstrap). */
function smoothedRows(
  X: Frame,
  indices: Int32Array,
  rows: Int32Array,
  start: Int32Array,
  add: Int32Array,
  shrink: Float64Array,
  rng: Rng,
): Frame {
  assertHasFeatures(X, OVER_KIND)
  const M = toMatrix(X, { layout: 'col', kind: OVER_KIND })
  const n = M.nRows
  const d = M.nCols
  const h = Math.pow(4 / ((d + 2) * n), 1 / (d + 4))
  const nNew = indices.length - n
  const synth = new Float64Array(nNew * d)
  const scale = new Float64Array(d)
  let o = 0
  for (let c = 0; c < add.length; c++) {
    const a = add[c]!
    if (a <= 0) continue
    const s = start[c]!
    const m = start[c + 1]! - s
    for (let j = 0; j < d; j++) {
      // Population standard deviation of feature j within the class (two passes).
      const col = j * n
      let mean = 0
      for (let r = 0; r < m; r++) mean += M.data[col + rows[s + r]!]!
      mean /= m
      let ss = 0
      for (let r = 0; r < m; r++) {
        const u = M.data[col + rows[s + r]!]! - mean
        ss += u * u
      }
      scale[j] = shrink[c]! * h * Math.sqrt(ss / m)
    }
    for (let t = 0; t < a; t++, o++) {
      const src = indices[n + o]!
      for (let j = 0; j < d; j++) synth[o * d + j] = M.data[j * n + src]! + scale[j]! * rng.normal()
    }
  }
  return appendRows(X, synth, nNew)
}

/** Parameters of {@link RandomUnderSampler}. */
export const RandomUnderSamplerParamsSchema = z.strictObject({
  /** Which classes to shrink and to how many rows. @default 'auto' (every class but the minority) */
  samplingStrategy: UnderSamplingStrategySchema,
  /** Draw the kept rows with replacement. @default false */
  replacement: z.boolean().default(false),
  /** @default 0 */
  seed: SEED,
})
/** Parameters of {@link RandomUnderSampler}. */
export interface RandomUnderSamplerParams {
  readonly samplingStrategy?: Exclude<SamplingStrategy, 'minority'>
  readonly replacement?: boolean
  readonly seed?: number
}

const UNDER_KIND = 'imbalance.random-under-sampler'

/**
 * Shrinks classes by keeping a uniform random subset of their rows. The output is grouped by
 * class in sorted class order, as in imbalanced-learn; within a class the kept rows are in
 * input order. `sampleIndices` gives the input row of each output row.
 *
 * @example
 * ```ts
 * const { X: Xr, y: yr } = new RandomUnderSampler({ samplingStrategy: 0.5 }).resample(X, y)
 * // binary y: the majority class now has twice the minority's rows
 * ```
 */
export class RandomUnderSampler implements Sampler<RandomUnderSamplerParams> {
  readonly kind = UNDER_KIND
  constructor(readonly params: Readonly<RandomUnderSamplerParams> = {}) {}
  withParams(patch: Partial<RandomUnderSamplerParams>): RandomUnderSampler {
    return new RandomUnderSampler({ ...this.params, ...patch })
  }
  /**
   * @throws ValidationError for invalid parameters, a missing or malformed `y`, fewer than two
   *   classes, or a strategy that does not fit the class counts.
   */
  resample(X: Frame, y: Column, opts?: SampleOptions): ResampleResult {
    const p = parseParams(UNDER_KIND, RandomUnderSamplerParamsSchema, this.params)
    checkSignal(opts)
    const { target, counts } = prepareTarget(X, y, UNDER_KIND)
    const keep = samplingTargets(p.samplingStrategy, target, counts, 'under')
    const { rows, start } = rowsByClass(target, counts)
    const rng = samplerRng(p.seed, opts)
    let total = 0
    for (let c = 0; c < keep.length; c++) total += keep[c]! < 0 ? counts[c]! : keep[c]!
    const indices = new Int32Array(total)
    let o = 0
    for (let c = 0; c < keep.length; c++) {
      checkSignal(opts)
      const s = start[c]!
      const m = start[c + 1]! - s
      const want = keep[c]!
      if (want < 0) {
        indices.set(rows.subarray(s, s + m), o)
        o += m
        continue
      }
      const picked = indices.subarray(o, o + want)
      if (p.replacement) {
        for (let t = 0; t < want; t++) picked[t] = rows[s + rng.int(m)]!
      } else {
        // A partial Fisher–Yates shuffle of the class's rows: the first `want` are a uniform sample.
        const pool = rows.slice(s, s + m)
        for (let t = 0; t < want; t++) {
          const r = t + rng.int(m - t)
          const tmp = pool[t]!
          pool[t] = pool[r]!
          pool[r] = tmp
        }
        picked.set(pool.subarray(0, want))
      }
      picked.sort()
      o += want
    }
    return { X: X.take(indices), y: takeTarget(y, indices), sampleIndices: indices }
  }
}

export { OVER_KIND as RANDOM_OVER_SAMPLER_KIND, UNDER_KIND as RANDOM_UNDER_SAMPLER_KIND }
