/**
 * Chi-squared goodness-of-fit and two-proportion z tests (scipy / Evidently semantics).
 */
import { ValidationError } from '../core/index.js'
import { chiSquareSf, normalSf } from './special.js'
import { sumStrided, type NumericArray } from './sum.js'
import { checkSameLength, checkWeights } from './validate.js'

/** Result of a chi-squared test. */
export interface ChiSquareResult {
  /** Pearson's statistic `Σ (o - e)² / e`. */
  readonly statistic: number
  /** `chi2.sf(statistic, dof)`. */
  readonly pValue: number
  /** Degrees of freedom, `k - 1`. */
  readonly dof: number
}

/**
 * Pearson's chi-squared goodness-of-fit test, like `scipy.stats.chisquare(observed, expected)`.
 *
 * Without `expected`, every category expects the mean observed count. Throws a ValidationError for
 * empty, negative, non-finite or all-zero inputs, unequal lengths, or totals that differ by more
 * than a relative 1e-8 (scipy raises the same check). A category with expected 0 and observed > 0
 * gives `statistic = Infinity`, `pValue = 0`; one with both 0 contributes nothing (scipy would
 * return NaN there). A single category gives `pValue = 1` (scipy: NaN, as `dof = 0`).
 *
 * ## Method
 * `X² = Σ (o_i - e_i)² / e_i` and `p = Q((k-1)/2, X²/2)` ({@link chiSquareSf}).
 *
 * ## References
 * - Pearson, K. (1900). Philosophical Magazine 50(302), 157–175.
 * - scipy `scipy/stats/_stats_py.py` (`power_divergence`, `lambda_='pearson'`).
 *
 * @example
 * ```ts
 * chiSquareTest([16, 18, 16, 14, 12, 12])
 * // => { statistic: 2, pValue: 0.8491450360846093, dof: 5 } (scipy: 0.8491450360846096)
 * ```
 */
export function chiSquareTest(observed: NumericArray, expected?: NumericArray): ChiSquareResult {
  checkWeights(observed, 'observed')
  const k = observed.length
  const totalObs = sumStrided(k, observed, 1, 0)
  let exp: NumericArray
  if (expected === undefined) {
    exp = new Float64Array(k).fill(totalObs / k)
  } else {
    checkWeights(expected, 'expected')
    checkSameLength(observed, expected, 'observed', 'expected')
    const totalExp = sumStrided(k, expected, 1, 0)
    if (Math.abs(totalObs - totalExp) > 1e-8 * Math.max(totalObs, totalExp)) {
      throw new ValidationError('observed and expected must have the same total', [
        {
          path: ['expected'],
          code: 'invalid_value',
          message: `observed sums to ${totalObs}, expected to ${totalExp} (relative tolerance 1e-8)`,
        },
      ])
    }
    exp = expected
  }
  let stat = 0
  for (let i = 0; i < k; i++) {
    const o = observed[i]!
    const e = exp[i]!
    if (e === 0) {
      if (o > 0) stat = Infinity
      continue
    }
    stat += ((o - e) * (o - e)) / e
  }
  const dof = k - 1
  // One category: observed equals expected, so nothing can deviate (scipy returns NaN here).
  if (dof === 0) return { statistic: stat, pValue: stat === Infinity ? 0 : 1, dof }
  return { statistic: stat, pValue: stat === Infinity ? 0 : chiSquareSf(stat, dof), dof }
}

/**
 * Evidently's `chisquare` drift stattest on category counts: the current counts are tested against
 * the reference proportions scaled to the current total. Drift when `pValue < 0.05`.
 *
 * `refCounts[i]` and `curCounts[i]` count the same category; align them on the union of categories
 * (0 where absent). A category absent from the reference but present now gives `pValue = 0`.
 *
 * ## Method
 * `expected_i = refCounts_i · (Σ cur / Σ ref)`, then {@link chiSquareTest}(curCounts, expected).
 *
 * ## References
 * - Evidently `src/evidently/legacy/calculations/stattests/chisquare_stattest.py`
 *   (`_chi_stat_test`).
 *
 * @example
 * ```ts
 * chiSquareDrift([10, 20, 30], [20, 40, 60]).pValue // => 1
 * ```
 */
export function chiSquareDrift(refCounts: NumericArray, curCounts: NumericArray): ChiSquareResult {
  checkWeights(refCounts, 'refCounts')
  checkWeights(curCounts, 'curCounts')
  checkSameLength(refCounts, curCounts, 'refCounts', 'curCounts')
  const kNorm =
    sumStrided(curCounts.length, curCounts, 1, 0) / sumStrided(refCounts.length, refCounts, 1, 0)
  const expected = new Float64Array(refCounts.length)
  for (let i = 0; i < expected.length; i++) expected[i] = refCounts[i]! * kNorm
  return chiSquareTest(curCounts, expected)
}

/** Result of {@link zTestProportions}. */
export interface ZTestResult {
  /** `(p_ref - p_cur) / sqrt(P (1 - P) (1/n_ref + 1/n_cur))`. */
  readonly statistic: number
  /** Two-sided p-value `2 · (1 - Φ(|z|))`. */
  readonly pValue: number
}

function checkCount(count: number, total: number, name: string): void {
  if (
    !(Number.isInteger(total) && total > 0) ||
    !(Number.isInteger(count) && count >= 0 && count <= total)
  ) {
    throw new ValidationError(`${name} must be an integer count between 0 and its total (> 0)`, [
      { path: [name], code: 'invalid_value', message: `got ${count} of ${total}` },
    ])
  }
}

/**
 * Two-proportion z-test for a binary (≤ 2 categories) column, as in Evidently's `z` stattest.
 * Drift when `pValue < 0.05`.
 *
 * `refCount` of `refTotal` reference rows and `curCount` of `curTotal` current rows have the
 * category. When the pooled proportion is 0 or 1 (one shared value in both samples) the result is
 * `{ statistic: 0, pValue: 1 }`, as in Evidently. Throws a ValidationError unless counts are
 * integers with `0 ≤ count ≤ total` and `total > 0`.
 *
 * ## Method
 * Pooled `P = (c_ref + c_cur) / (n_ref + n_cur)`, `z` as above, `p = 2 · normalSf(|z|)`.
 * Evidently evaluates `2 · (1 - Φ(|z|))`, which is equal in exact arithmetic; the survival function
 * keeps relative accuracy for tiny p-values (the two agree to 1e-16 absolute).
 *
 * ## References
 * - Fleiss, J. L., Levin, B. & Paik, M. C. (2003). Statistical Methods for Rates and Proportions,
 *   3rd ed., §2.6. Wiley.
 * - Evidently `src/evidently/legacy/calculations/stattests/z_stattest.py`.
 *
 * @example
 * ```ts
 * zTestProportions(30, 100, 45, 100).pValue // => 0.02845973691631055
 * ```
 */
export function zTestProportions(
  refCount: number,
  refTotal: number,
  curCount: number,
  curTotal: number,
): ZTestResult {
  checkCount(refCount, refTotal, 'refCount')
  checkCount(curCount, curTotal, 'curCount')
  const p1 = refCount / refTotal
  const p2 = curCount / curTotal
  const P = (p1 * refTotal + p2 * curTotal) / (refTotal + curTotal)
  if (P === 0 || P === 1) return { statistic: 0, pValue: 1 }
  const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / refTotal + 1 / curTotal))
  return { statistic: z, pValue: Math.min(1, 2 * normalSf(Math.abs(z))) }
}
