/**
 * Distances between two samples or two discrete distributions, as used for drift detection.
 */
import { std } from './moments.js'
import { sumStrided, type NumericArray } from './sum.js'
import { checkSameLength, checkSample, checkWeights } from './validate.js'

/**
 * First Wasserstein (earth mover's) distance between two empirical distributions, like
 * `scipy.stats.wasserstein_distance(ref, cur)` (unweighted).
 *
 * Symmetric, ≥ 0, and 0 for samples with the same empirical distribution. Throws a ValidationError
 * for an empty sample or a non-finite value.
 *
 * ## Method
 * `∫ |F_ref(t) - F_cur(t)| dt`, evaluated exactly over the sorted union of the values:
 * `Σ |F_ref(v_k) - F_cur(v_k)| (v_{k+1} - v_k)` with right-continuous ECDFs, accumulated with
 * compensated summation.
 *
 * ## References
 * - Ramdas, A., García Trillos, N. & Cuturi, M. (2017). "On Wasserstein two-sample testing and
 *   related families of nonparametric tests." Entropy 19(2), 47.
 * - scipy `scipy/stats/_stats_py.py` (`_cdf_distance`).
 *
 * @example
 * ```ts
 * wassersteinDistance([0, 1, 3], [5, 6, 8]) // => 5
 * ```
 */
export function wassersteinDistance(ref: NumericArray, cur: NumericArray): number {
  checkSample(ref, 'ref', true)
  checkSample(cur, 'cur', true)
  const a = Float64Array.from(ref).sort()
  const b = Float64Array.from(cur).sort()
  const n1 = a.length
  const n2 = b.length
  let i = 0
  let j = 0
  let s = 0
  let c = 0
  let prev = Math.min(a[0]!, b[0]!)
  // ECDF values just before the next support point.
  while (i < n1 || j < n2) {
    const v = i < n1 && (j >= n2 || a[i]! <= b[j]!) ? a[i]! : b[j]!
    const term = Math.abs(i / n1 - j / n2) * (v - prev)
    const t = s + term
    c += s >= term ? s - t + term : term - t + s
    s = t
    while (i < n1 && a[i]! <= v) i++
    while (j < n2 && b[j]! <= v) j++
    prev = v
  }
  return s + c
}

/**
 * Evidently's normed Wasserstein drift score: `wasserstein(ref, cur) / max(std(ref), 0.001)`, where
 * `std` is the population standard deviation (`numpy.std`, ddof = 0). Drift when ≥ 0.1.
 *
 * ## Method
 * {@link wassersteinDistance} divided by the reference spread, floored at 0.001.
 *
 * ## References
 * - Evidently `src/evidently/legacy/calculations/stattests/wasserstein_distance_norm.py`.
 *
 * @example
 * ```ts
 * wassersteinNormed([0, 2], [1, 3]) // => 1 (distance 1, population std 1)
 * ```
 */
export function wassersteinNormed(ref: NumericArray, cur: NumericArray): number {
  const w = wassersteinDistance(ref, cur)
  return w / Math.max(std(ref, 0), 0.001)
}

/** Copies `p` divided by its compensated total. */
function normalize(p: NumericArray): Float64Array {
  const total = sumStrided(p.length, p, 1, 0)
  const out = new Float64Array(p.length)
  for (let i = 0; i < p.length; i++) out[i] = p[i]! / total
  return out
}

function checkPair(p: NumericArray, q: NumericArray): void {
  checkWeights(p, 'p')
  checkWeights(q, 'q')
  checkSameLength(p, q, 'p', 'q')
}

/** `x log(x / y)` with scipy `rel_entr` conventions (0 when x = 0, Infinity when y = 0 < x). */
function relEntr(x: number, y: number): number {
  if (x === 0) return 0
  if (y === 0) return Infinity
  return x * Math.log(x / y)
}

/**
 * Jensen–Shannon distance (the square root of the JS divergence, natural log) between two
 * discrete distributions, like `scipy.spatial.distance.jensenshannon(p, q)`.
 *
 * `p` and `q` are non-negative weights of equal length (counts or proportions); each is normalized
 * to sum to 1. Symmetric, in `[0, √ln 2]`, 0 for identical distributions. Zeros need no filling.
 * Throws a ValidationError for negative, non-finite or all-zero weights or unequal lengths.
 *
 * ## Method
 * With `m = (p + q) / 2`: `sqrt((KL(p‖m) + KL(q‖m)) / 2)`, optionally divided by `sqrt(ln base)`.
 *
 * ## References
 * - Lin, J. (1991). "Divergence measures based on the Shannon entropy." IEEE Trans. Inf. Theory
 *   37(1), 145–151.
 * - scipy `scipy/spatial/distance.py` (`jensenshannon`).
 *
 * @param base - logarithm base of the divergence
 * @default base Math.E
 * @example
 * ```ts
 * jensenShannonDistance([1, 0], [0, 1]) // => 0.8325546111576977 (sqrt(ln 2))
 * ```
 */
export function jensenShannonDistance(p: NumericArray, q: NumericArray, base = Math.E): number {
  checkPair(p, q)
  const a = normalize(p)
  const b = normalize(q)
  let left = 0
  let right = 0
  for (let i = 0; i < a.length; i++) {
    const m = (a[i]! + b[i]!) / 2
    left += relEntr(a[i]!, m)
    right += relEntr(b[i]!, m)
  }
  let js = (left + right) / 2
  if (base !== Math.E) js /= Math.log(base)
  return Math.sqrt(Math.max(js, 0))
}

/**
 * Kullback–Leibler divergence `KL(p ‖ q) = Σ p_i ln(p_i / q_i)` of normalized weights, like
 * `scipy.stats.entropy(p, q)`.
 *
 * Infinity when some `q_i = 0 < p_i`; for Evidently's `kl_div` stattest, pass proportions
 * through {@link fillZeroProportions} first. Not symmetric. Validation as for
 * {@link jensenShannonDistance}.
 *
 * ## Method
 * Normalize both vectors, then sum `rel_entr(p_i, q_i)`.
 *
 * ## References
 * - Kullback, S. & Leibler, R. A. (1951). "On information and sufficiency." Ann. Math. Statist.
 *   22(1), 79–86.
 * - scipy `scipy/stats/_entropy.py` (`entropy`).
 *
 * @example
 * ```ts
 * kullbackLeibler([0.5, 0.5], [0.25, 0.75]) // => 0.14384103622589042
 * ```
 */
export function kullbackLeibler(p: NumericArray, q: NumericArray): number {
  checkPair(p, q)
  const a = normalize(p)
  const b = normalize(q)
  let s = 0
  for (let i = 0; i < a.length; i++) s += relEntr(a[i]!, b[i]!)
  return s
}

/**
 * Population stability index of reference proportions `p` against current proportions `q`, as in
 * Evidently's `psi` stattest: `Σ (p_i - q_i) ln(p_i / q_i)` after zero proportions are filled
 * ({@link fillZeroProportions}). Drift when ≥ 0.1.
 *
 * Pass per-category (or per-bin, see {@link binProportions}) proportions; they are used as given,
 * not renormalized, exactly like Evidently. Symmetric and ≥ 0. Validation as for
 * {@link jensenShannonDistance}.
 *
 * ## Method
 * Evidently `_psi`: fill zeros with `min(non-zero)/1e6` if that minimum is ≤ 1e-4, else 1e-4,
 * then sum.
 *
 * ## References
 * - Yurdakul, B. (2018). "Statistical properties of population stability index." Western
 *   Michigan University dissertations 3208.
 * - Evidently `src/evidently/legacy/calculations/stattests/psi.py`.
 *
 * @example
 * ```ts
 * psi([0.5, 0.5], [0.25, 0.75]) // => 0.27465307216702745
 * ```
 */
export function psi(p: NumericArray, q: NumericArray): number {
  checkPair(p, q)
  const a = fillZeroProportionsLocal(p)
  const b = fillZeroProportionsLocal(q)
  let s = 0
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) * Math.log(a[i]! / b[i]!)
  return s
}

// Local copy so distances.ts does not depend on histogram.ts; kept identical to
// fillZeroProportions (tested for equality).
function fillZeroProportionsLocal(p: NumericArray): Float64Array {
  const out = Float64Array.from(p)
  let m = Infinity
  for (let i = 0; i < out.length; i++) if (out[i]! !== 0 && out[i]! < m) m = out[i]!
  if (m === Infinity) return out
  const fill = m <= 0.0001 ? m / 1e6 : 0.0001
  for (let i = 0; i < out.length; i++) if (out[i] === 0) out[i] = fill
  return out
}

/**
 * Hellinger distance between two discrete distributions:
 * `sqrt(Σ (√p_i - √q_i)²) / √2`, in `[0, 1]`, of the normalized weights.
 *
 * Symmetric, 0 for identical distributions, 1 for disjoint supports. Validation as for
 * {@link jensenShannonDistance}.
 *
 * ## Method
 * Normalize both vectors; Euclidean distance of the square roots, divided by √2.
 *
 * ## References
 * - Hellinger, E. (1909). J. reine angew. Math. 136, 210–271.
 * - Evidently `src/evidently/legacy/calculations/stattests/hellinger_distance.py`.
 *
 * @example
 * ```ts
 * hellingerDistance([1, 0], [0, 1]) // => 1
 * ```
 */
export function hellingerDistance(p: NumericArray, q: NumericArray): number {
  checkPair(p, q)
  const a = normalize(p)
  const b = normalize(q)
  let s = 0
  for (let i = 0; i < a.length; i++) {
    const d = Math.sqrt(a[i]!) - Math.sqrt(b[i]!)
    s += d * d
  }
  return Math.sqrt(s) / Math.SQRT2
}

/**
 * L-infinity (Chebyshev) distance between normalized category frequencies,
 * `max_i |p_i - q_i|`, as used by TFDV and Vertex AI Model Monitoring for categorical skew/drift.
 *
 * Symmetric, in `[0, 1]`. Align both vectors on the union of categories first (a missing
 * category has count 0). Validation as for {@link jensenShannonDistance}.
 *
 * ## Method
 * Normalize both vectors and take the largest absolute difference.
 *
 * ## References
 * - TensorFlow Data Validation, `tensorflow_data_validation/anomalies/` (L-infinity distance for
 *   categorical drift), and Vertex AI Model Monitoring documentation.
 *
 * @example
 * ```ts
 * lInfinityDistance([10, 30], [20, 20]) // => 0.25
 * ```
 */
export function lInfinityDistance(p: NumericArray, q: NumericArray): number {
  checkPair(p, q)
  const a = normalize(p)
  const b = normalize(q)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}
