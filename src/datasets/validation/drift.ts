import {
  chiSquareDrift,
  jensenShannonDistance,
  ks2Sample,
  lInfinityDistance,
  wassersteinNormed,
  zTestProportions,
} from '../../numeric/index.js'

/** The statistic a drift result used. */
export type DriftMethod = 'ks' | 'wasserstein' | 'chisquare' | 'z' | 'jensenshannon' | 'linf'

/** How a column is compared: as numbers or as categories. */
export type DriftColumnType = 'numeric' | 'categorical'

/**
 * Thresholds of the drift statistics. p-value tests (`ks`, `chiSquare`, `z`) report drift when
 * `p < threshold`; distances (`wasserstein`, `jensenShannon`, `lInfinity`) when
 * `distance ≥ threshold`.
 */
export interface DriftThresholds {
  /** Evidently `ks`. @default 0.05 */
  readonly ks: number
  /** Evidently `chisquare`. @default 0.05 */
  readonly chiSquare: number
  /** Evidently `z`. @default 0.05 */
  readonly z: number
  /** Evidently normed `wasserstein`. @default 0.1 */
  readonly wasserstein: number
  /** Evidently `jensenshannon` (natural-log JS distance). @default 0.1 */
  readonly jensenShannon: number
  /**
   * TFDV's L∞ distance between category frequencies (categorical columns only, reported in
   * addition to the Evidently test). The default, 0.01, is TFDV's documented example and the
   * threshold of the security and reliability plan (C8); Vertex AI and BigQuery ML use 0.3.
   * L∞'s own sampling noise is about `sqrt(2 p (1 - p) / n)`, so 0.01 suits batches of tens of
   * thousands of rows; raise it (e.g. to 0.05–0.1) for batches of a few thousand, or expect
   * false alarms.
   * @default 0.01
   */
  readonly lInfinity: number
}

/** Evidently's defaults, plus TFDV's L∞ (see {@link DriftThresholds}). */
export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = Object.freeze({
  ks: 0.05,
  chiSquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenShannon: 0.1,
  lInfinity: 0.01,
})

/** Up to this many reference rows, Evidently uses hypothesis tests; above, distances. */
export const SMALL_REFERENCE_ROWS = 1000

/** One column's drift by one method: what was computed, against what threshold, and the verdict. */
export interface DriftResult {
  readonly column: string
  readonly columnType: DriftColumnType
  readonly method: DriftMethod
  /** The test's statistic (KS D, χ², z) or the distance; null when infinite (χ² with a new category). */
  readonly statistic: number | null
  /** The p-value of hypothesis tests; null for distances. */
  readonly pValue: number | null
  /** What is compared with `threshold`: the p-value for tests, else the distance. */
  readonly score: number
  readonly threshold: number
  /** `p_value_below`: drift when score < threshold; `distance_at_least`: when score ≥ threshold. */
  readonly rule: 'p_value_below' | 'distance_at_least'
  readonly drifted: boolean
  /** Distinct non-missing values over reference and current together (Evidently's n_unique). */
  readonly nUnique: number
  /** Non-missing reference values used (after sampling). */
  readonly referenceCount: number
  /** Non-missing current values used (after sampling). */
  readonly currentCount: number
  /** True when the values were a deterministic sample, not every row. */
  readonly sampled: boolean
}

/** The measured part of a {@link DriftResult}, before the column facts are attached. */
export type DriftScore = Pick<
  DriftResult,
  'method' | 'statistic' | 'pValue' | 'score' | 'threshold' | 'rule' | 'drifted'
>

/**
 * Evidently's default stattest for a column (`_get_default_stattest`).
 *
 * | column | reference ≤ 1000 rows | > 1000 rows |
 * |---|---|---|
 * | numeric, n_unique > 5 | `ks` | `wasserstein` |
 * | numeric 3–5 unique, categorical > 2 unique | `chisquare` | `jensenshannon` |
 * | ≤ 2 unique | `z` | `jensenshannon` |
 *
 * @example
 * ```ts
 * chooseDriftMethod('numeric', 40, 5000) // => 'wasserstein'
 * ```
 */
export function chooseDriftMethod(
  columnType: DriftColumnType,
  nUnique: number,
  referenceRows: number,
): Exclude<DriftMethod, 'linf'> {
  const small = referenceRows <= SMALL_REFERENCE_ROWS
  if (columnType === 'numeric' && nUnique > 5) return small ? 'ks' : 'wasserstein'
  if (nUnique <= 2) return small ? 'z' : 'jensenshannon'
  return small ? 'chisquare' : 'jensenshannon'
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null)

function pTest(method: DriftMethod, statistic: number, pValue: number, threshold: number) {
  return {
    method,
    statistic: finiteOrNull(statistic),
    pValue,
    score: pValue,
    threshold,
    rule: 'p_value_below' as const,
    drifted: pValue < threshold,
  }
}

function distance(method: DriftMethod, d: number, threshold: number): DriftScore {
  return {
    method,
    statistic: d,
    pValue: null,
    score: d,
    threshold,
    rule: 'distance_at_least',
    drifted: d >= threshold,
  }
}

/** KS or normed Wasserstein on two non-empty numeric samples. */
export function scoreNumeric(
  method: 'ks' | 'wasserstein',
  ref: Float64Array,
  cur: Float64Array,
  thresholds: DriftThresholds,
): DriftScore {
  if (method === 'ks') {
    const r = ks2Sample(ref, cur)
    return pTest('ks', r.statistic, r.pValue, thresholds.ks)
  }
  return distance('wasserstein', wassersteinNormed(ref, cur), thresholds.wasserstein)
}

/** Counts of both samples aligned on the sorted union of their categories. */
export function alignCounts(
  ref: ReadonlyMap<string, number>,
  cur: ReadonlyMap<string, number>,
): { keys: string[]; ref: Float64Array; cur: Float64Array } {
  const keys = [...new Set([...ref.keys(), ...cur.keys()])].sort()
  return {
    keys,
    ref: Float64Array.from(keys, (k) => ref.get(k) ?? 0),
    cur: Float64Array.from(keys, (k) => cur.get(k) ?? 0),
  }
}

/** χ², z or Jensen–Shannon on category counts (both with at least one value). */
export function scoreCategorical(
  method: 'chisquare' | 'z' | 'jensenshannon',
  refCounts: ReadonlyMap<string, number>,
  curCounts: ReadonlyMap<string, number>,
  thresholds: DriftThresholds,
): DriftScore {
  const a = alignCounts(refCounts, curCounts)
  if (method === 'chisquare') {
    const r = chiSquareDrift(a.ref, a.cur)
    return pTest('chisquare', r.statistic, r.pValue, thresholds.chiSquare)
  }
  if (method === 'z') {
    // The proportion of the first category; with two categories the other gives the same |z|.
    const refTotal = a.ref.reduce((s, x) => s + x, 0)
    const curTotal = a.cur.reduce((s, x) => s + x, 0)
    const r = zTestProportions(a.ref[0] ?? 0, refTotal, a.cur[0] ?? 0, curTotal)
    return pTest('z', r.statistic, r.pValue, thresholds.z)
  }
  return distance('jensenshannon', jensenShannonDistance(a.ref, a.cur), thresholds.jensenShannon)
}

/** TFDV's L∞ distance between the category frequencies. */
export function scoreLInfinity(
  refCounts: ReadonlyMap<string, number>,
  curCounts: ReadonlyMap<string, number>,
  thresholds: DriftThresholds,
): DriftScore {
  const a = alignCounts(refCounts, curCounts)
  return distance('linf', lInfinityDistance(a.ref, a.cur), thresholds.lInfinity)
}
