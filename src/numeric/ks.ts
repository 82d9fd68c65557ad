/**
 * Two-sample Kolmogorov–Smirnov test, matching `scipy.stats.ks_2samp` (two-sided).
 */
import { ValidationError } from '../core/index.js'
import { kolmogorovSf } from './kolmogorov.js'
import type { NumericArray } from './sum.js'
import { checkSample } from './validate.js'

/** How the KS p-value is computed (scipy's `method`). */
export type KsMethod = 'auto' | 'exact' | 'asymp'

/** Options for {@link ks2Sample}. */
export interface Ks2SampleOptions {
  /**
   * `'exact'` counts lattice paths; `'asymp'` uses the Kolmogorov distribution of `D_en` with the
   * effective size `en = round(n1 n2 / (n1 + n2))`; `'auto'` is exact when both samples have at
   * most 10 000 values.
   * @default 'auto'
   */
  readonly method?: KsMethod
}

/** Result of {@link ks2Sample}. */
export interface Ks2SampleResult {
  /** Largest absolute difference between the two empirical CDFs, in [0, 1]. */
  readonly statistic: number
  /** Two-sided p-value in [0, 1] (NaN only for `method: 'asymp'` with two one-value samples). */
  readonly pValue: number
  /** The method actually used (`'auto'` resolved, or the fallback to `'asymp'`). */
  readonly method: 'exact' | 'asymp'
}

const MAX_AUTO_N = 10_000
const INT32_MAX = 2147483647

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

/** numpy's round-half-to-even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x)
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/** P(D_{n,n} ≥ h/n), scipy `_compute_prob_outside_square` (same operation order). */
function probOutsideSquare(n: number, h: number): number {
  let P = 0
  let k = Math.floor(n / h)
  while (k >= 0) {
    let p1 = 1
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1)
    P = p1 * (1 - P)
    k -= 1
  }
  return 2 * P
}

/** Proportion of lattice paths leaving the band |x/m - y/n| < h/lcm (scipy, Viehmann 2021). */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0)
  const n = Math.min(m0, n0)
  const mg = m / g
  const ng = n / g
  let minj = 0
  let maxj = Math.min(Math.ceil(h / mg), n + 1)
  let curlen = maxj - minj
  const lenA = Math.min(2 * maxj + 2, n + 1)
  const A = new Float64Array(lenA).fill(1)
  A.fill(0, minj, maxj)
  for (let i = 1; i <= m; i++) {
    const lastminj = minj
    const lastlen = curlen
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n)
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1)
    if (maxj <= minj) return 1
    let val = minj === 0 ? 0 : 1
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j)
      A[jj] = val
    }
    curlen = maxj - minj
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen))
  }
  return A[maxj - minj - 1]!
}

function sorted(x: NumericArray): Float64Array {
  return Float64Array.from(x).sort()
}

/**
 * Two-sided two-sample Kolmogorov–Smirnov test of `ref` against `cur`, like
 * `scipy.stats.ks_2samp(ref, cur)` (scipy 1.10, `alternative='two-sided'`).
 *
 * Throws a ValidationError for an empty sample or a NaN value; ±Infinity is allowed (only the
 * order of values matters). Evidently's `ks` stattest reports drift when `pValue < 0.05`.
 *
 * ## Method
 * The statistic is `max |F_ref(v) - F_cur(v)|` over every observed value, with right-continuous
 * empirical CDFs, so ties are handled like scipy's `searchsorted(side='right')`. With
 * `method: 'auto'` the p-value is exact when `max(n1, n2) ≤ 10000`: for `n1 = n2`, the
 * alternating binomial series of Hodges (1958) in Horner form; otherwise Hodges' "inside method"
 * lattice-path recursion in the `1 - p` form of Viehmann (2021). In the exact path the statistic is
 * rounded to the lattice `h / lcm(n1, n2)`, as in scipy. Larger samples (or an exact result outside
 * [0, 1]) use `kstwo.sf(d, round(n1 n2 / (n1 + n2)))` ({@link kolmogorovSf}).
 *
 * ## References
 * - Hodges, J. L. (1958). "The significance probability of the Smirnov two-sample test."
 *   Arkiv för Matematik 3(5), 469–486.
 * - Viehmann, T. (2021). "Numerically more stable computation of the p-values for the two-sample
 *   Kolmogorov–Smirnov test." arXiv:2102.08037.
 * - scipy `scipy/stats/_stats_py.py` (`ks_2samp`, `_attempt_exact_2kssamp`) and
 *   `_stats_pythran.py` (`_compute_outer_prob_inside_method`).
 *
 * @example
 * ```ts
 * ks2Sample([1, 2, 3, 4], [5, 6, 7, 8])
 * // => { statistic: 1, pValue: 0.028571428571428577, method: 'exact' }
 * ```
 */
export function ks2Sample(
  ref: NumericArray,
  cur: NumericArray,
  options: Ks2SampleOptions = {},
): Ks2SampleResult {
  checkSample(ref, 'ref', false)
  checkSample(cur, 'cur', false)
  // Typed as string: callers from plain JS or JSON may pass anything.
  const requested: string = options.method ?? 'auto'
  if (requested !== 'auto' && requested !== 'exact' && requested !== 'asymp') {
    throw new ValidationError(`unknown KS method '${requested}'`, [
      {
        path: ['method'],
        code: 'invalid_enum_value',
        message: "expected 'auto', 'exact' or 'asymp'",
      },
    ])
  }
  const a = sorted(ref)
  const b = sorted(cur)
  const n1 = a.length
  const n2 = b.length
  // Walk the merged order; after consuming every copy of the smallest pending value both ECDFs
  // are right-continuous at it, which is exactly scipy's searchsorted(side='right').
  let i = 0
  let j = 0
  let maxS = -Infinity
  let minDiff = Infinity
  while (i < n1 || j < n2) {
    const v = i < n1 && (j >= n2 || a[i]! <= b[j]!) ? a[i]! : b[j]!
    while (i < n1 && a[i]! <= v) i++
    while (j < n2 && b[j]! <= v) j++
    const diff = i / n1 - j / n2
    if (diff > maxS) maxS = diff
    if (diff < minDiff) minDiff = diff
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1)
  let d = minS > maxS ? minS : maxS

  const g = gcd(n1, n2)
  let method: 'exact' | 'asymp'
  if (requested === 'auto') method = Math.max(n1, n2) <= MAX_AUTO_N ? 'exact' : 'asymp'
  else if (requested === 'exact') method = n1 / g >= INT32_MAX / (n2 / g) ? 'asymp' : 'exact'
  else method = 'asymp'

  let prob = Number.NaN
  if (method === 'exact') {
    const lcm = (n1 / g) * n2
    const h = Math.round(d * lcm)
    d = h / lcm
    if (h === 0) prob = 1
    else prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h)
    if (!(prob >= 0 && prob <= 1)) method = 'asymp'
  }
  if (method === 'asymp') {
    const m = Math.max(n1, n2)
    const n = Math.min(n1, n2)
    prob = kolmogorovSf(roundHalfEven((m * n) / (m + n)), d)
  }
  const pValue = Number.isNaN(prob) ? prob : Math.min(Math.max(prob, 0), 1)
  return { statistic: d, pValue, method }
}
