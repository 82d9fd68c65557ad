/**
 * `samplingStrategy`: how many rows each class should have after resampling, with
 * imbalanced-learn's semantics (`check_sampling_strategy`).
 */
import { z } from 'zod'

import { ValidationError } from '../../core/index.js'
import type { EncodedTarget } from '../base/index.js'

const COMMON = ['auto', 'not minority', 'not majority', 'all'] as const

/** The strategies of an over-sampler (`'majority'` makes no sense there). */
export const OverSamplingStrategySchema = z
  .union([
    z.enum([...COMMON, 'minority']),
    z.number().gt(0).lte(1),
    z.record(z.string(), z.int().min(0)),
  ])
  .default('auto')

/** The strategies of an under-sampler (`'minority'` makes no sense there). */
export const UnderSamplingStrategySchema = z
  .union([
    z.enum([...COMMON, 'majority']),
    z.number().gt(0).lte(1),
    z.record(z.string(), z.int().min(0)),
  ])
  .default('auto')

/**
 * A sampling strategy. Keywords pick the classes to resample: over-samplers grow them to the
 * majority class's count, under-samplers shrink them to the minority class's count; `'auto'`
 * is `'not majority'` for over-sampling and `'not minority'` for under-sampling. A number
 * (binary targets only) is the wanted ratio minority / majority after resampling. A record
 * gives the wanted row count of each class by `String(label)`.
 */
export type SamplingStrategy =
  | 'auto'
  | 'minority'
  | 'majority'
  | 'not minority'
  | 'not majority'
  | 'all'
  | number
  | Readonly<Record<string, number>>

function invalid(message: string, key?: string): ValidationError {
  return new ValidationError(`invalid samplingStrategy: ${message}`, [
    {
      path:
        key === undefined ? ['params', 'samplingStrategy'] : ['params', 'samplingStrategy', key],
      code: 'invalid_value',
      message,
    },
  ])
}

/**
 * Per class (in `target.classes` order): for `'over'`, the number of rows to add; for
 * `'under'`, the number of rows to keep; `-1` where the class is left as it is.
 *
 * Ties for the majority or minority class go to the first class in sorted order, as in
 * imbalanced-learn. A ratio gives `trunc(ratio · n_majority) − n_class` new rows (over) or
 * `trunc(n_minority / ratio)` kept rows (under), as imbalanced-learn computes them.
 *
 * @throws ValidationError (path under `params.samplingStrategy`) for a ratio on a multi-class
 *   target, a ratio that would remove (over) or add (under) rows, a record naming an unknown
 *   class, or a record asking an over-sampler for fewer rows (an under-sampler for more).
 */
export function samplingTargets(
  strategy: Exclude<SamplingStrategy, 'minority' | 'majority'> | 'minority' | 'majority',
  target: EncodedTarget,
  counts: Float64Array,
  type: 'over' | 'under',
): Int32Array {
  const k = counts.length
  let maj = 0
  let min = 0
  for (let c = 1; c < k; c++) {
    if (counts[c]! > counts[maj]!) maj = c
    if (counts[c]! < counts[min]!) min = c
  }
  const nMaj = counts[maj]!
  const nMin = counts[min]!
  const out = new Int32Array(k).fill(-1)
  const names = target.classes.map(String)
  if (typeof strategy === 'number') {
    if (k !== 2)
      throw invalid(`a ratio needs a binary target, y has ${k} classes; give a record per class`)
    for (let c = 0; c < k; c++) {
      if (type === 'over' && c !== maj) {
        const n = Math.trunc(nMaj * strategy - counts[c]!)
        if (n < 0)
          throw invalid(
            `ratio ${strategy} would remove rows of class "${names[c] ?? ''}"; increase it`,
          )
        out[c] = n
      } else if (type === 'under' && c !== min) {
        const n = Math.trunc(nMin / strategy)
        if (n > counts[c]!)
          throw invalid(
            `ratio ${strategy} would add rows to class "${names[c] ?? ''}"; increase it`,
          )
        out[c] = n
      }
    }
    return out
  }
  if (typeof strategy === 'object') {
    for (const [label, n] of Object.entries(strategy)) {
      const c = names.indexOf(label)
      if (c < 0) throw invalid(`"${label}" is not a class of y (${names.join(', ')})`, label)
      const have = counts[c]!
      if (type === 'over' && n < have)
        throw invalid(
          `class "${label}" has ${have} rows; an over-sampler cannot go down to ${n}`,
          label,
        )
      if (type === 'under' && n > have)
        throw invalid(
          `class "${label}" has ${have} rows; an under-sampler cannot go up to ${n}`,
          label,
        )
      out[c] = type === 'over' ? n - have : n
    }
    return out
  }
  const kw = strategy === 'auto' ? (type === 'over' ? 'not majority' : 'not minority') : strategy
  for (let c = 0; c < k; c++) {
    const picked =
      kw === 'all' ||
      (kw === 'minority' && c === min) ||
      (kw === 'majority' && c === maj) ||
      (kw === 'not minority' && c !== min) ||
      (kw === 'not majority' && c !== maj)
    if (picked) out[c] = type === 'over' ? nMaj - counts[c]! : nMin
  }
  return out
}
