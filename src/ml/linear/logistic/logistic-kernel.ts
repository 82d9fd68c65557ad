/**
 * The hot loop of logistic regression: the weighted log-loss and its gradient over one block
 * of rows, for the binomial (sigmoid) and multinomial (softmax) models. Pure functions over
 * typed arrays, so the same code runs on the main thread and in the workers.
 *
 * ## Method
 * Rows are processed in sub-blocks of {@link SUB_ROWS}: (1) margins `z = x·w + b`, four rows at
 * a time so one load of `wⱼ` serves four independent accumulation chains; (2) the loss and the
 * residual `r = sw·(σ(z) − y)` per row, with `log(1 + e^{−|z|})` taken as one `log` of the
 * product of the sub-block's `1 + e^{−|z|}` factors (each in [1, 2], so 64 of them cannot
 * overflow) when the weights are all one; (3) the gradient `Σ rᵢ·xᵢ`, eight features at a time
 * with the sums in locals, over rows that are still in cache. Every sum is accumulated in f64
 * in a fixed order, so a block's result does not depend on which thread computed it.
 * The loss is scikit-learn's `HalfBinomialLoss` / `HalfMultinomialLoss`:
 * `log(1 + e^z) − y·z` and `logΣₖe^{zₖ} − z_y`.
 *
 * ## References
 * - scikit-learn 1.2 `sklearn/_loss/loss.py` and `linear_model/_linear_loss.py`.
 * - M. Mächler. "Accurately computing log(1 − exp(−|a|))", 2012 (the stable forms of the
 *   softplus used here).
 */

/** Rows per block: the unit of work handed to a thread, and of the fixed summation order. */
export const BLOCK_ROWS = 4096
/** Rows per sub-block, sized so a sub-block's rows stay in L1/L2 between the passes. */
const SUB_ROWS = 64

/**
 * The data of one loss: a dense row-major `n × p` matrix, class codes and row weights.
 * Arrays may live on `SharedArrayBuffer`s (read-only once the fit starts).
 */
export interface LossData {
  readonly X: Float64Array
  /** Class code of each row (`0 … k−1`). */
  readonly y: Int32Array
  /** Weight of each row (sample weight × class weight). */
  readonly sw: Float64Array
  readonly n: number
  readonly p: number
  /** 1 for the binomial loss (rows with `y === positive` are positive), else the class count. */
  readonly k: number
}

/** Length of one block's output: `[loss, grad (k × (p + 1), intercept last per class)]`. */
export function partialLength(p: number, k: number): number {
  return k * (p + 1) + 1
}

/** Number of blocks over `n` rows. */
export function blockCount(n: number): number {
  return Math.ceil(n / BLOCK_ROWS)
}

/** Length of the scratch buffer a thread needs for {@link blockLossGrad}. */
export function scratchLength(k: number): number {
  return SUB_ROWS * Math.max(k, 1)
}

/**
 * Loss and gradient of block `b` (rows `[b·BLOCK_ROWS, …)`) at parameters `W`
 * (`k × (p + 1)`, class-major, intercept last), written to `out[off … off + partialLength)`.
 *
 * @param positive For the binomial loss: the class code that counts as 1.
 * @param unitWeights All `sw` are 1 (enables the one-`log`-per-sub-block path).
 */
export function blockLossGrad(
  data: LossData,
  W: Float64Array,
  positive: number,
  unitWeights: boolean,
  b: number,
  out: Float64Array,
  off: number,
  scratch: Float64Array,
): void {
  const start = b * BLOCK_ROWS
  const end = Math.min(data.n, start + BLOCK_ROWS)
  const len = partialLength(data.p, data.k)
  for (let t = 0; t < len; t++) out[off + t] = 0
  if (data.k === 1) binomialBlock(data, W, positive, unitWeights, start, end, out, off, scratch)
  else multinomialBlock(data, W, start, end, out, off, scratch)
}

function binomialBlock(
  data: LossData,
  W: Float64Array,
  positive: number,
  unitWeights: boolean,
  start: number,
  end: number,
  out: Float64Array,
  off: number,
  r: Float64Array,
): void {
  const { X, y, sw, p } = data
  const intercept = W[p]!
  let loss = 0
  let gIntercept = 0
  for (let s = start; s < end; s += SUB_ROWS) {
    const e = Math.min(end, s + SUB_ROWS)
    const m = e - s
    margins(X, p, s, m, W, 0, intercept, r, 1, 0)
    if (unitWeights) {
      // log(1 + e^{-|z|}) summed as one log of a product of factors in [1, 2].
      let prod = 1
      for (let t = 0; t < m; t++) {
        const z = r[t]!
        const yi = y[s + t] === positive ? 1 : 0
        const ez = Math.exp(-Math.abs(z))
        const opz = 1 + ez
        loss += (z > 0 ? z : 0) - yi * z
        prod *= opz
        const res = (z >= 0 ? 1 : ez) / opz - yi
        r[t] = res
        gIntercept += res
      }
      loss += Math.log(prod)
    } else {
      for (let t = 0; t < m; t++) {
        const z = r[t]!
        const yi = y[s + t] === positive ? 1 : 0
        const w = sw[s + t]!
        const ez = Math.exp(-Math.abs(z))
        const opz = 1 + ez
        loss += w * ((z > 0 ? z : 0) + Math.log1p(ez) - yi * z)
        const res = w * ((z >= 0 ? 1 : ez) / opz - yi)
        r[t] = res
        gIntercept += res
      }
    }
    accumulateGradient(X, p, s, m, r, 1, 0, out, off + 1)
  }
  out[off] = loss
  out[off + 1 + p] = gIntercept
}

function multinomialBlock(
  data: LossData,
  W: Float64Array,
  start: number,
  end: number,
  out: Float64Array,
  off: number,
  r: Float64Array,
): void {
  const { X, y, sw, p, k } = data
  const q = p + 1
  let loss = 0
  for (let s = start; s < end; s += SUB_ROWS) {
    const e = Math.min(end, s + SUB_ROWS)
    const m = e - s
    for (let c = 0; c < k; c++) margins(X, p, s, m, W, c * q, W[c * q + p]!, r, k, c)
    for (let t = 0; t < m; t++) {
      const base = t * k
      let zmax = r[base]!
      for (let c = 1; c < k; c++) if (r[base + c]! > zmax) zmax = r[base + c]!
      const yi = y[s + t]!
      const zy = r[base + yi]!
      let sum = 0
      for (let c = 0; c < k; c++) {
        const ez = Math.exp(r[base + c]! - zmax)
        r[base + c] = ez
        sum += ez
      }
      const w = sw[s + t]!
      // logΣe^{z} − z_y, shifted by the row maximum so no exponential overflows.
      loss += w * (Math.log(sum) + zmax - zy)
      const inv = 1 / sum
      for (let c = 0; c < k; c++) r[base + c] = w * (r[base + c]! * inv - (c === yi ? 1 : 0))
    }
    for (let c = 0; c < k; c++) {
      accumulateGradient(X, p, s, m, r, k, c, out, off + 1 + c * q)
      let gi = 0
      for (let t = 0; t < m; t++) gi += r[t * k + c]!
      out[off + 1 + c * q + p]! += gi
    }
  }
  out[off] = loss
}

/** `r[t·stride + rOff] = b + Σⱼ X[(s+t)·p + j]·W[wOff + j]` for `t < m`. */
function margins(
  X: Float64Array,
  p: number,
  s: number,
  m: number,
  W: Float64Array,
  wOff: number,
  b: number,
  r: Float64Array,
  stride: number,
  rOff: number,
): void {
  let t = 0
  for (; t + 3 < m; t += 4) {
    const o0 = (s + t) * p
    const o1 = o0 + p
    const o2 = o1 + p
    const o3 = o2 + p
    let z0 = b
    let z1 = b
    let z2 = b
    let z3 = b
    for (let j = 0; j < p; j++) {
      const wj = W[wOff + j]!
      z0 += X[o0 + j]! * wj
      z1 += X[o1 + j]! * wj
      z2 += X[o2 + j]! * wj
      z3 += X[o3 + j]! * wj
    }
    r[t * stride + rOff] = z0
    r[(t + 1) * stride + rOff] = z1
    r[(t + 2) * stride + rOff] = z2
    r[(t + 3) * stride + rOff] = z3
  }
  for (; t < m; t++) {
    const o = (s + t) * p
    let z = b
    for (let j = 0; j < p; j++) z += X[o + j]! * W[wOff + j]!
    r[t * stride + rOff] = z
  }
}

/** `g[gOff + j] += Σ_t r[t·stride + rOff]·X[(s+t)·p + j]`, eight features at a time. */
function accumulateGradient(
  X: Float64Array,
  p: number,
  s: number,
  m: number,
  r: Float64Array,
  stride: number,
  rOff: number,
  g: Float64Array,
  gOff: number,
): void {
  let j = 0
  for (; j + 8 <= p; j += 8) {
    let a0 = 0
    let a1 = 0
    let a2 = 0
    let a3 = 0
    let a4 = 0
    let a5 = 0
    let a6 = 0
    let a7 = 0
    for (let t = 0, o = s * p + j; t < m; t++, o += p) {
      const rt = r[t * stride + rOff]!
      a0 += rt * X[o]!
      a1 += rt * X[o + 1]!
      a2 += rt * X[o + 2]!
      a3 += rt * X[o + 3]!
      a4 += rt * X[o + 4]!
      a5 += rt * X[o + 5]!
      a6 += rt * X[o + 6]!
      a7 += rt * X[o + 7]!
    }
    g[gOff + j]! += a0
    g[gOff + j + 1]! += a1
    g[gOff + j + 2]! += a2
    g[gOff + j + 3]! += a3
    g[gOff + j + 4]! += a4
    g[gOff + j + 5]! += a5
    g[gOff + j + 6]! += a6
    g[gOff + j + 7]! += a7
  }
  for (; j + 4 <= p; j += 4) {
    let a0 = 0
    let a1 = 0
    let a2 = 0
    let a3 = 0
    for (let t = 0, o = s * p + j; t < m; t++, o += p) {
      const rt = r[t * stride + rOff]!
      a0 += rt * X[o]!
      a1 += rt * X[o + 1]!
      a2 += rt * X[o + 2]!
      a3 += rt * X[o + 3]!
    }
    g[gOff + j]! += a0
    g[gOff + j + 1]! += a1
    g[gOff + j + 2]! += a2
    g[gOff + j + 3]! += a3
  }
  for (; j < p; j++) {
    let a0 = 0
    for (let t = 0, o = s * p + j; t < m; t++, o += p) a0 += r[t * stride + rOff]! * X[o]!
    g[gOff + j]! += a0
  }
}
