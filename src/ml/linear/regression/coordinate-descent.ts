/**
 * Coordinate descent for the elastic net, line for line the algorithm of scikit-learn's
 * `enet_coordinate_descent` and `enet_coordinate_descent_gram` (`sklearn/linear_model/_cd_fast.pyx`).
 *
 * @internal
 */
import type { Rng } from '../../../core/index.js'

/** Knobs of one coordinate-descent solve, already scaled as `_cd_fast` takes them. */
export interface CdOptions {
  /** The L1 weight: `alpha · l1Ratio · nSamples`. */
  readonly l1: number
  /** The L2 weight: `alpha · (1 − l1Ratio) · nSamples`. */
  readonly l2: number
  readonly maxIter: number
  /** sklearn's `tol`: the coefficient-change threshold, and (times `yᵀy`) the duality-gap one. */
  readonly tol: number
  readonly positive: boolean
  /** Coordinates in random order when given (sklearn `selection='random'`), else cyclic. */
  readonly rng?: Rng | undefined
  /** Called after every epoch (abort checks and progress); may throw to stop. */
  readonly onEpoch?: ((epoch: number) => void) | undefined
}

/** What a solve found. `w` is updated in place and returned. */
export interface CdResult {
  readonly w: Float64Array
  /** The duality gap at the last check, in `_cd_fast`'s scale (divide by `nSamples` for sklearn's `dual_gap_`). */
  readonly gap: number
  /** The gap tolerance it was compared with (`tol · yᵀy`). */
  readonly gapTol: number
  /** Epochs run (sklearn `n_iter_`). */
  readonly nIter: number
  readonly converged: boolean
}

const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0)

/**
 * Minimises `½‖y − Xw‖² + l1‖w‖₁ + ½ l2‖w‖²` over a column-major `n × p` matrix, starting from
 * (and overwriting) `w`.
 *
 * ## Method
 * Cyclic (or random) coordinate descent with soft-thresholding, keeping the residual `R = y − Xw`
 * up to date in place; once the largest coefficient change of an epoch falls below
 * `tol · max|w|`, the duality gap is computed and the solve stops when it is below `tol · yᵀy`.
 *
 * ## References
 * - J. Friedman, T. Hastie, R. Tibshirani (2010), "Regularization paths for generalized linear
 *   models via coordinate descent", J. Stat. Softw. 33(1).
 * - scikit-learn 1.2 `sklearn/linear_model/_cd_fast.pyx`, `enet_coordinate_descent`.
 */
export function enetCoordinateDescent(
  x: Float64Array,
  n: number,
  p: number,
  y: Float64Array,
  w: Float64Array,
  o: CdOptions,
): CdResult {
  const { l1: alpha, l2: beta } = o
  const normCols = new Float64Array(p)
  for (let j = 0; j < p; j++) {
    let s = 0
    for (let i = 0, c = j * n; i < n; i++) s += x[c + i]! * x[c + i]!
    normCols[j] = s
  }
  const R = Float64Array.from(y)
  for (let j = 0; j < p; j++) {
    const wj = w[j]!
    if (wj !== 0) for (let i = 0, c = j * n; i < n; i++) R[i] = R[i]! - wj * x[c + i]!
  }
  let yy = 0
  for (let i = 0; i < n; i++) yy += y[i]! * y[i]!
  const dwTol = o.tol
  const tol = o.tol * yy
  const XtA = new Float64Array(p)
  let gap = tol + 1
  let iter = 0
  for (; iter < o.maxIter; iter++) {
    let wMax = 0
    let dwMax = 0
    for (let f = 0; f < p; f++) {
      const ii = o.rng === undefined ? f : o.rng.int(p)
      if (normCols[ii] === 0) continue
      const c = ii * n
      const wOld = w[ii]!
      // R += wOld·x and tmp = x·R in one pass; four running sums, because one sum is bound by
      // the latency of its adds (about 2x on the inner loop).
      const tmp = wOld !== 0 ? addDot(x, c, R, n, wOld) : dotAt(x, c, R, n)
      const wNew =
        o.positive && tmp < 0
          ? 0
          : (sign(tmp) * Math.max(Math.abs(tmp) - alpha, 0)) / (normCols[ii]! + beta)
      w[ii] = wNew
      if (wNew !== 0) for (let i = 0; i < n; i++) R[i] = R[i]! - wNew * x[c + i]!
      dwMax = Math.max(dwMax, Math.abs(wNew - wOld))
      wMax = Math.max(wMax, Math.abs(wNew))
    }
    if (wMax === 0 || dwMax / wMax < dwTol || iter === o.maxIter - 1) {
      for (let j = 0; j < p; j++) XtA[j] = dotAt(x, j * n, R, n) - beta * w[j]!
      let rNorm2 = 0
      let rDotY = 0
      for (let i = 0; i < n; i++) {
        rNorm2 += R[i]! * R[i]!
        rDotY += R[i]! * y[i]!
      }
      gap = dualityGap(XtA, w, p, alpha, beta, o.positive, rNorm2, rDotY)
      if (gap < tol) {
        o.onEpoch?.(iter)
        return { w, gap, gapTol: tol, nIter: iter + 1, converged: true }
      }
    }
    o.onEpoch?.(iter)
  }
  return { w, gap, gapTol: tol, nIter: iter, converged: false }
}

/**
 * {@link enetCoordinateDescent} on precomputed `Q = XᵀX` (row-major `p × p`), `q = Xᵀy` and
 * `yᵀy`: each coordinate update costs O(p) instead of O(n), which wins when `n ≫ p`.
 *
 * ## References
 * - scikit-learn 1.2 `sklearn/linear_model/_cd_fast.pyx`, `enet_coordinate_descent_gram`.
 */
export function enetCoordinateDescentGram(
  Q: Float64Array,
  q: Float64Array,
  yNorm2: number,
  p: number,
  w: Float64Array,
  o: CdOptions,
): CdResult {
  const { l1: alpha, l2: beta } = o
  const H = new Float64Array(p) // Q w, kept up to date
  for (let i = 0; i < p; i++) {
    let s = 0
    for (let k = 0; k < p; k++) s += Q[i * p + k]! * w[k]!
    H[i] = s
  }
  const XtA = new Float64Array(p)
  const dwTol = o.tol
  const tol = o.tol * yNorm2
  let gap = tol + 1
  let iter = 0
  for (; iter < o.maxIter; iter++) {
    let wMax = 0
    let dwMax = 0
    for (let f = 0; f < p; f++) {
      const ii = o.rng === undefined ? f : o.rng.int(p)
      const row = ii * p
      if (Q[row + ii] === 0) continue
      const wOld = w[ii]!
      if (wOld !== 0) for (let k = 0; k < p; k++) H[k] = H[k]! - wOld * Q[row + k]!
      const tmp = q[ii]! - H[ii]!
      const wNew =
        o.positive && tmp < 0
          ? 0
          : (sign(tmp) * Math.max(Math.abs(tmp) - alpha, 0)) / (Q[row + ii]! + beta)
      w[ii] = wNew
      if (wNew !== 0) for (let k = 0; k < p; k++) H[k] = H[k]! + wNew * Q[row + k]!
      dwMax = Math.max(dwMax, Math.abs(wNew - wOld))
      wMax = Math.max(wMax, Math.abs(wNew))
    }
    if (wMax === 0 || dwMax / wMax < dwTol || iter === o.maxIter - 1) {
      let qDotW = 0
      let wH = 0
      for (let k = 0; k < p; k++) {
        qDotW += w[k]! * q[k]!
        XtA[k] = q[k]! - H[k]! - beta * w[k]!
        wH += w[k]! * H[k]!
      }
      const rNorm2 = yNorm2 + wH - 2 * qDotW
      // Rᵀy = yᵀy − wᵀXᵀy
      gap = dualityGap(XtA, w, p, alpha, beta, o.positive, rNorm2, yNorm2 - qDotW)
      if (gap < tol) {
        o.onEpoch?.(iter)
        return { w, gap, gapTol: tol, nIter: iter + 1, converged: true }
      }
    }
    o.onEpoch?.(iter)
  }
  return { w, gap, gapTol: tol, nIter: iter, converged: false }
}

/** `Σᵢ x[c + i]·r[i]` over `n` rows. */
function dotAt(x: Float64Array, c: number, r: Float64Array, n: number): number {
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  let i = 0
  for (; i + 3 < n; i += 4) {
    s0 += x[c + i]! * r[i]!
    s1 += x[c + i + 1]! * r[i + 1]!
    s2 += x[c + i + 2]! * r[i + 2]!
    s3 += x[c + i + 3]! * r[i + 3]!
  }
  for (; i < n; i++) s0 += x[c + i]! * r[i]!
  return s0 + s1 + (s2 + s3)
}

/** `r += a·x[c…]` in place, returning `Σᵢ x[c + i]·r[i]` of the updated `r`. */
function addDot(x: Float64Array, c: number, r: Float64Array, n: number, a: number): number {
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  let i = 0
  for (; i + 3 < n; i += 4) {
    const x0 = x[c + i]!
    const x1 = x[c + i + 1]!
    const x2 = x[c + i + 2]!
    const x3 = x[c + i + 3]!
    const r0 = r[i]! + a * x0
    const r1 = r[i + 1]! + a * x1
    const r2 = r[i + 2]! + a * x2
    const r3 = r[i + 3]! + a * x3
    r[i] = r0
    r[i + 1] = r1
    r[i + 2] = r2
    r[i + 3] = r3
    s0 += x0 * r0
    s1 += x1 * r1
    s2 += x2 * r2
    s3 += x3 * r3
  }
  for (; i < n; i++) {
    const ri = r[i]! + a * x[c + i]!
    r[i] = ri
    s0 += x[c + i]! * ri
  }
  return s0 + s1 + (s2 + s3)
}

/** The elastic-net duality gap of `_cd_fast` from `XtA = Xᵀ R − l2 w`, `‖R‖²` and `Rᵀy`. */
function dualityGap(
  XtA: Float64Array,
  w: Float64Array,
  p: number,
  alpha: number,
  beta: number,
  positive: boolean,
  rNorm2: number,
  rDotY: number,
): number {
  let dualNorm = positive ? -Infinity : 0
  let wNorm2 = 0
  let l1 = 0
  for (let k = 0; k < p; k++) {
    dualNorm = positive ? Math.max(dualNorm, XtA[k]!) : Math.max(dualNorm, Math.abs(XtA[k]!))
    wNorm2 += w[k]! * w[k]!
    l1 += Math.abs(w[k]!)
  }
  let gap: number
  let cst: number
  if (dualNorm > alpha) {
    cst = alpha / dualNorm
    gap = 0.5 * (rNorm2 + rNorm2 * cst * cst)
  } else {
    cst = 1
    gap = rNorm2
  }
  return gap + alpha * l1 - cst * rDotY + 0.5 * beta * (1 + cst * cst) * wNorm2
}
