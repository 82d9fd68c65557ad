/**
 * The boosting losses: per-row gradients and hessians (XGBoost 1.7's formulas, float32 like its
 * `GradientPair`), the initial margin, and the default evaluation metric of each.
 *
 * ## References
 * - T. Chen, C. Guestrin. "XGBoost: A Scalable Tree Boosting System". KDD 2016.
 * - XGBoost 1.7 `src/objective/regression_loss.h`, `multiclass_obj.cu`, `src/metric/`.
 */
import { logGamma } from '../../../numeric/index.js'
import type { TreeLink } from '../ensemble/index.js'

/** A boosting loss over `nOutputs` margins per row. */
export interface Objective {
  /** XGBoost's objective name (`'binary:logistic'`). */
  readonly name: string
  readonly nOutputs: number
  readonly link: TreeLink
  /** XGBoost's default metric name (`'logloss'`); smaller is better for all of them. */
  readonly metric: string
  /**
   * For the absolute and quantile losses: after a tree is grown, each leaf is refitted to this
   * quantile of its rows' residuals `y − margin` (XGBoost's adaptive leaves).
   */
  readonly leafQuantile?: number
  /**
   * Writes `grad[k][i]`, `hess[k][i]` for every row `i` and output `k`, from the row-major
   * margins (`n × nOutputs`), the targets (class codes for classifiers) and optional weights.
   */
  gradients(
    margin: Float64Array,
    y: Float64Array,
    w: Float64Array | undefined,
    grad: readonly Float32Array[],
    hess: readonly Float32Array[],
  ): void
  /** The metric (weighted mean) of the margins. */
  evaluate(margin: Float64Array, y: Float64Array, w: Float64Array | undefined): number
}

const EPS = 1e-16

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x))
}

/** `binary:logistic`: `grad = p − y`, `hess = max(p(1 − p), 1e-16)`. */
export function logisticObjective(): Objective {
  return {
    name: 'binary:logistic',
    nOutputs: 1,
    link: 'sigmoid',
    metric: 'logloss',
    gradients(margin, y, w, grad, hess) {
      const g = grad[0]!
      const h = hess[0]!
      const n = y.length
      if (w === undefined) {
        // Unweighted: the same float32 values as with unit weights, without the multiply.
        for (let i = 0; i < n; i++) {
          const p = Math.fround(1 / (1 + Math.exp(-margin[i]!)))
          g[i] = p - y[i]!
          h[i] = Math.max(p * (1 - p), EPS)
        }
        return
      }
      for (let i = 0; i < n; i++) {
        const p = Math.fround(sigmoid(margin[i]!))
        const wi = w[i]!
        g[i] = (p - y[i]!) * wi
        h[i] = Math.max(p * (1 - p), EPS) * wi
      }
    },
    evaluate(margin, y, w) {
      let s = 0
      let sw = 0
      for (let i = 0; i < y.length; i++) {
        const p = Math.min(Math.max(sigmoid(margin[i]!), EPS), 1 - EPS)
        const wi = w === undefined ? 1 : w[i]!
        s -= wi * (y[i] === 1 ? Math.log(p) : Math.log(1 - p))
        sw += wi
      }
      return s / sw
    },
  }
}

/** `multi:softprob`: `grad_k = p_k − [y = k]`, `hess_k = max(2 p_k (1 − p_k), 1e-16)`. */
export function softmaxObjective(k: number): Objective {
  const p = new Float64Array(k)
  const softmax = (margin: Float64Array, i: number): void => {
    let m = -Infinity
    for (let c = 0; c < k; c++) m = Math.max(m, margin[i * k + c]!)
    let s = 0
    for (let c = 0; c < k; c++) {
      const e = Math.exp(margin[i * k + c]! - m)
      p[c] = e
      s += e
    }
    for (let c = 0; c < k; c++) p[c]! /= s
  }
  return {
    name: 'multi:softprob',
    nOutputs: k,
    link: 'softmax',
    metric: 'mlogloss',
    gradients(margin, y, w, grad, hess) {
      const n = y.length
      for (let i = 0; i < n; i++) {
        softmax(margin, i)
        const wi = w === undefined ? 1 : w[i]!
        const label = y[i]!
        for (let c = 0; c < k; c++) {
          const pc = Math.fround(p[c]!)
          grad[c]![i] = (label === c ? pc - 1 : pc) * wi
          hess[c]![i] = Math.max(2 * pc * (1 - pc), EPS) * wi
        }
      }
    },
    evaluate(margin, y, w) {
      let s = 0
      let sw = 0
      for (let i = 0; i < y.length; i++) {
        softmax(margin, i)
        const wi = w === undefined ? 1 : w[i]!
        s -= wi * Math.log(Math.max(p[y[i]!]!, EPS))
        sw += wi
      }
      return s / sw
    },
  }
}

function weightedMean(n: number, w: Float64Array | undefined, term: (i: number) => number): number {
  let s = 0
  let sw = 0
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : w[i]!
    s += wi * term(i)
    sw += wi
  }
  return s / sw
}

/** `reg:squarederror`: `grad = margin − y`, `hess = 1`; metric RMSE. */
export function squaredErrorObjective(): Objective {
  return {
    name: 'reg:squarederror',
    nOutputs: 1,
    link: 'identity',
    metric: 'rmse',
    gradients(margin, y, w, grad, hess) {
      const g = grad[0]!
      const h = hess[0]!
      for (let i = 0; i < y.length; i++) {
        const wi = w === undefined ? 1 : w[i]!
        g[i] = (Math.fround(margin[i]!) - y[i]!) * wi
        h[i] = wi
      }
    },
    evaluate(margin, y, w) {
      return Math.sqrt(weightedMean(y.length, w, (i) => (y[i]! - margin[i]!) ** 2))
    },
  }
}

/**
 * `reg:absoluteerror`: `grad = sign(margin − y)`, `hess = 1`, then each leaf refitted to the
 * median residual; metric MAE.
 */
export function absoluteErrorObjective(): Objective {
  return {
    name: 'reg:absoluteerror',
    nOutputs: 1,
    link: 'identity',
    metric: 'mae',
    leafQuantile: 0.5,
    gradients(margin, y, w, grad, hess) {
      const g = grad[0]!
      const h = hess[0]!
      for (let i = 0; i < y.length; i++) {
        const wi = w === undefined ? 1 : w[i]!
        g[i] = Math.sign(Math.fround(margin[i]!) - y[i]!) * wi
        h[i] = wi
      }
    },
    evaluate(margin, y, w) {
      return weightedMean(y.length, w, (i) => Math.abs(y[i]! - margin[i]!))
    },
  }
}

/** Pinball loss at `alpha`: `grad = 1 − alpha` above y, `−alpha` below; leaves refitted. */
export function quantileObjective(alpha: number): Objective {
  return {
    name: 'reg:quantileerror',
    nOutputs: 1,
    link: 'identity',
    metric: 'quantile',
    leafQuantile: alpha,
    gradients(margin, y, w, grad, hess) {
      const g = grad[0]!
      const h = hess[0]!
      for (let i = 0; i < y.length; i++) {
        const wi = w === undefined ? 1 : w[i]!
        g[i] = (Math.fround(margin[i]!) >= y[i]! ? 1 - alpha : -alpha) * wi
        h[i] = wi
      }
    },
    evaluate(margin, y, w) {
      return weightedMean(y.length, w, (i) => {
        const d = y[i]! - margin[i]!
        return d >= 0 ? alpha * d : (alpha - 1) * d
      })
    },
  }
}

/** `reg:pseudohubererror` with slope δ: `grad = z/√(1+(z/δ)²)`, `hess = 1/(1+(z/δ)²)^1.5`. */
export function huberObjective(slope: number): Objective {
  const s2 = slope * slope
  return {
    name: 'reg:pseudohubererror',
    nOutputs: 1,
    link: 'identity',
    metric: 'mphe',
    gradients(margin, y, w, grad, hess) {
      const g = grad[0]!
      const h = hess[0]!
      for (let i = 0; i < y.length; i++) {
        const wi = w === undefined ? 1 : w[i]!
        const z = Math.fround(margin[i]!) - y[i]!
        const scale = 1 + (z * z) / s2
        const root = Math.sqrt(scale)
        g[i] = (z / root) * wi
        h[i] = (1 / (scale * root)) * wi
      }
    },
    evaluate(margin, y, w) {
      return weightedMean(y.length, w, (i) => {
        const z = y[i]! - margin[i]!
        return s2 * (Math.sqrt(1 + (z * z) / s2) - 1)
      })
    },
  }
}

/** `count:poisson` (log link): `grad = e^m − y`, `hess = e^(m + maxDeltaStep)`. */
export function poissonObjective(maxDeltaStep: number): Objective {
  return {
    name: 'count:poisson',
    nOutputs: 1,
    link: 'exp',
    metric: 'poisson-nloglik',
    gradients(margin, y, w, grad, hess) {
      const g = grad[0]!
      const h = hess[0]!
      for (let i = 0; i < y.length; i++) {
        const wi = w === undefined ? 1 : w[i]!
        const m = Math.fround(margin[i]!)
        g[i] = (Math.exp(m) - y[i]!) * wi
        h[i] = Math.exp(m + maxDeltaStep) * wi
      }
    },
    evaluate(margin, y, w) {
      return weightedMean(y.length, w, (i) => {
        const p = Math.max(Math.exp(margin[i]!), EPS)
        return logGamma(y[i]! + 1) + p - y[i]! * Math.log(p)
      })
    },
  }
}

/**
 * XGBoost's `common::Quantile` (unweighted, interpolated on the `(n + 1)` grid) or
 * `WeightedQuantile` (the first value whose weight CDF reaches `alpha` of the total) of
 * `values[idx[0..n)]`. Reorders `idx`.
 */
export function xgbQuantile(
  alpha: number,
  values: Float64Array,
  idx: Uint32Array,
  n: number,
  w: Float64Array | undefined,
): number {
  if (n === 0) return NaN
  const sub = idx.subarray(0, n)
  sub.sort((a, b) => values[a]! - values[b]! || a - b)
  if (w === undefined) {
    if (alpha <= 1 / (n + 1)) return values[sub[0]!]!
    if (alpha >= n / (n + 1)) return values[sub[n - 1]!]!
    const x = alpha * (n + 1)
    const k = Math.floor(x) - 1
    const d = x - 1 - k
    const v0 = values[sub[k]!]!
    const v1 = values[sub[k + 1]!]!
    return v0 + d * (v1 - v0)
  }
  let total = 0
  for (let i = 0; i < n; i++) total += w[sub[i]!]!
  const thresh = total * alpha
  let cdf = 0
  for (let i = 0; i < n; i++) {
    cdf += w[sub[i]!]!
    if (cdf >= thresh) return values[sub[i]!]!
  }
  return values[sub[n - 1]!]!
}
