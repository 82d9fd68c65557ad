/**
 * Split finding from one node's gradient histogram, with XGBoost 1.7's `hist` semantics
 * (`HistEvaluator::EnumerateSplit`): numeric features scan bins upwards with missing values on
 * the right, then (when the node has missing values) downwards with them on the left;
 * categorical features get one-vs-rest splits (fewer than `maxCatToOnehot` categories) or
 * partition splits over the categories sorted by their leaf weight `−G/(H+λ)`.
 *
 * ## Method
 * A split's loss change is `gain(L) + gain(R) − gain(parent)` with
 * `gain(G, H) = T_α(G)² / (H + λ)` (`T_α` soft-thresholds by the L1 term α), or, under monotone
 * constraints or `maxDeltaStep`, `−(2Gw + (H + λ)w²)` at the bounded weight `w`. It is rounded to
 * float32 like XGBoost's `loss_chg`, and a candidate replaces the best only when strictly larger,
 * scanning features in ascending order, so ties go to the lowest feature and bin as in XGBoost.
 *
 * ## References
 * - T. Chen, C. Guestrin. "XGBoost: A Scalable Tree Boosting System". KDD 2016, §2.2 and §3.4.
 * - W. D. Fisher. "On Grouping for Maximum Homogeneity". JASA 53(284), 1958 (sorted partitions).
 */
import { HIST_SLOTS, MISSING_BIN, type Histogram } from '../hist/index.js'

/** The regularisation and constraints split finding and leaf weights use. */
export interface SplitParams {
  readonly minChildWeight: number
  readonly lambda: number
  readonly alpha: number
  readonly maxDeltaStep: number
  readonly maxCatToOnehot: number
  readonly maxCatThreshold: number
  /** Per feature: 1 increasing, −1 decreasing, 0 free; `undefined` when no feature is constrained. */
  readonly monotone: Int8Array | undefined
}

/** The best split of a node; a reusable scratch object. `gain <= 0` means none was found. */
export class SplitCandidate {
  /** Loss change (float32), compared with `gamma` and 1e-6 before the split is applied. */
  gain = 0
  feature = -1
  /** Numeric: rows with bin ≤ `bin` go left (−1: every present value goes right). */
  bin = 0
  missingLeft = false
  categorical = false
  /** Categorical: bit `c` set when category `c` goes left (up to 256 categories). */
  readonly catBits = new Uint32Array(8)
  leftG = 0
  leftH = 0
  rightG = 0
  rightH = 0

  reset(): void {
    this.gain = 0
    this.feature = -1
    this.bin = 0
    this.missingLeft = false
    this.categorical = false
    this.catBits.fill(0)
    this.leftG = this.leftH = this.rightG = this.rightH = 0
  }
}

/** `T_α(g)`: g shrunk towards 0 by α (XGBoost `ThresholdL1`). */
function thresholdL1(g: number, alpha: number): number {
  if (g > alpha) return g - alpha
  if (g < -alpha) return g + alpha
  return 0
}

/**
 * The optimal leaf weight `−T_α(G)/(H + λ)` (0 below `minChildWeight`), capped at
 * `maxDeltaStep` (XGBoost `CalcWeight`).
 */
export function leafWeight(p: SplitParams, g: number, h: number): number {
  if (h < p.minChildWeight || h <= 0) return 0
  let w = -thresholdL1(g, p.alpha) / (h + p.lambda)
  if (p.maxDeltaStep !== 0 && Math.abs(w) > p.maxDeltaStep)
    w = w > 0 ? p.maxDeltaStep : -p.maxDeltaStep
  return w
}

/** {@link leafWeight} clamped to a node's monotone bounds. */
export function boundedWeight(
  p: SplitParams,
  g: number,
  h: number,
  lower: number,
  upper: number,
): number {
  const w = leafWeight(p, g, h)
  return w < lower ? lower : w > upper ? upper : w
}

/** The gain of a node at weight `w` (XGBoost `SplitEvaluator::CalcGainGivenWeight`). */
function gainGivenWeight(p: SplitParams, exact: boolean, g: number, h: number, w: number): number {
  if (h <= 0) return 0
  if (exact) {
    const t = p.alpha === 0 ? g : thresholdL1(g, p.alpha)
    return (t * t) / (h + p.lambda)
  }
  return -(2 * g * w + (h + p.lambda) * w * w)
}

/** The gain of a node with stats (G, H) under bounds (XGBoost `SplitEvaluator::CalcGain`). */
export function nodeGain(
  p: SplitParams,
  g: number,
  h: number,
  lower: number,
  upper: number,
): number {
  const exact = p.monotone === undefined && p.maxDeltaStep === 0
  return gainGivenWeight(p, exact, g, h, exact ? 0 : boundedWeight(p, g, h, lower, upper))
}

/** Scratch arrays of {@link findBestSplit}, allocated once per fit. */
export class SplitScratch {
  readonly order = new Int32Array(HIST_SLOTS)
  readonly weight = new Float64Array(HIST_SLOTS)
  readonly trial = new SplitCandidate()
}

/** What split finding reads about the binned data. */
export interface SplitData {
  readonly nBins: Int32Array
  readonly categorical: Uint8Array
}

/**
 * Finds the best split of a node over `features[0 .. nFeatures)` (ascending) into `out`
 * (reset first). `g`, `h` are the node's sums, `rootGain` its {@link nodeGain}, and
 * `lower`/`upper` its monotone weight bounds.
 */
export function findBestSplit(
  hist: Histogram,
  data: SplitData,
  features: Int32Array,
  nFeatures: number,
  g: number,
  h: number,
  lower: number,
  upper: number,
  p: SplitParams,
  out: SplitCandidate,
  scratch: SplitScratch,
): void {
  out.reset()
  const rootGain = nodeGain(p, g, h, lower, upper)
  for (let j = 0; j < nFeatures; j++) {
    const f = features[j]!
    if (data.categorical[f] === 1) {
      categoricalSplit(hist, data.nBins[f]!, f, g, h, rootGain, p, out, scratch)
    } else {
      numericSplit(hist, data.nBins[f]!, f, g, h, rootGain, lower, upper, p, out)
    }
  }
}

function numericSplit(
  hist: Histogram,
  nb: number,
  f: number,
  g: number,
  h: number,
  rootGain: number,
  lower: number,
  upper: number,
  p: SplitParams,
  out: SplitCandidate,
): void {
  const off = f * HIST_SLOTS * 2
  const missing = hist[off + 2 * MISSING_BIN] !== 0 || hist[off + 2 * MISSING_BIN + 1] !== 0
  if (p.monotone === undefined && p.maxDeltaStep === 0 && p.alpha === 0) {
    scanForward(hist, off, nb, f, g, h, rootGain, p.minChildWeight, p.lambda, out)
    if (missing) scanBackward(hist, off, nb, f, g, h, rootGain, p.minChildWeight, p.lambda, out)
    return
  }
  const mcw = p.minChildWeight
  const c = p.monotone === undefined ? 0 : p.monotone[f]!
  const exact = p.monotone === undefined && p.maxDeltaStep === 0
  let best = out.gain
  // Forward: bins 0..b left, missing right.
  let gl = 0
  let hl = 0
  for (let b = 0; b < nb; b++) {
    const gb = hist[off + 2 * b]!
    const hb = hist[off + 2 * b + 1]!
    // An empty bin repeats the previous candidate, which cannot be strictly better.
    if (gb === 0 && hb === 0) continue
    gl += gb
    hl += hb
    const gr = g - gl
    const hr = h - hl
    if (hl >= mcw && hr >= mcw) {
      const d = pairGain(p, exact, c, gl, hl, gr, hr, lower, upper) - rootGain
      // fround is monotone and `best` is a float32, so d ≤ best rules the candidate out.
      if (d > best) {
        const chg = Math.fround(d)
        if (chg > best && chg !== Infinity) {
          best = chg
          record(out, chg, f, b, false, gl, hl, gr, hr)
        }
      }
    }
  }
  if (!missing) return
  // Backward: bins b..nb-1 right, missing left.
  let gr = 0
  let hr = 0
  for (let b = nb - 1; b >= 0; b--) {
    const gb = hist[off + 2 * b]!
    const hb = hist[off + 2 * b + 1]!
    if (gb === 0 && hb === 0) continue
    gr += gb
    hr += hb
    const gl2 = g - gr
    const hl2 = h - hr
    if (hl2 >= mcw && hr >= mcw) {
      const d = pairGain(p, exact, c, gl2, hl2, gr, hr, lower, upper) - rootGain
      if (d > best) {
        const chg = Math.fround(d)
        if (chg > best && chg !== Infinity) {
          best = chg
          record(out, chg, f, b - 1, true, gl2, hl2, gr, hr)
        }
      }
    }
  }
}

/**
 * Slack of the division-free pre-test: a candidate whose exact gain beats the best also passes
 * `num·(1 + RELAX) > (best + root)·den`, whatever the rounding of either form.
 */
const RELAX = 1 + 1e-9

/**
 * The forward scan of the plain case (no L1, constraint or `maxDeltaStep`). Each candidate is
 * first tested without division, `gl²(hr+λ) + gr²(hl+λ) > (best + root)(hl+λ)(hr+λ)`, and only
 * the few that pass get XGBoost's exact gain; hessians are non-negative, so once the right side
 * falls below `minChildWeight` no later bin can split.
 */
function scanForward(
  hist: Histogram,
  off: number,
  nb: number,
  f: number,
  g: number,
  h: number,
  rootGain: number,
  mcw: number,
  lambda: number,
  out: SplitCandidate,
): void {
  let best = out.gain
  let thr = best + rootGain
  let gl = 0
  let hl = 0
  for (let b = 0, o = off; b < nb; b++, o += 2) {
    const gb = hist[o]!
    const hb = hist[o + 1]!
    if (gb === 0 && hb === 0) continue
    gl += gb
    hl += hb
    if (hl < mcw) continue
    const hr = h - hl
    if (hr < mcw) break
    const gr = g - gl
    const al = hl + lambda
    const ar = hr + lambda
    if ((gl * gl * ar + gr * gr * al) * RELAX > thr * (al * ar)) {
      const d = (gl * gl) / al + (gr * gr) / ar - rootGain
      if (d > best) {
        const chg = Math.fround(d)
        if (chg > best && chg !== Infinity) {
          best = chg
          thr = best + rootGain
          record(out, chg, f, b, false, gl, hl, gr, hr)
        }
      }
    }
  }
}

/** The backward scan of the plain case (missing values left); see {@link scanForward}. */
function scanBackward(
  hist: Histogram,
  off: number,
  nb: number,
  f: number,
  g: number,
  h: number,
  rootGain: number,
  mcw: number,
  lambda: number,
  out: SplitCandidate,
): void {
  let best = out.gain
  let thr = best + rootGain
  let gr = 0
  let hr = 0
  for (let b = nb - 1, o = off + 2 * (nb - 1); b >= 0; b--, o -= 2) {
    const gb = hist[o]!
    const hb = hist[o + 1]!
    if (gb === 0 && hb === 0) continue
    gr += gb
    hr += hb
    if (hr < mcw) continue
    const hl = h - hr
    if (hl < mcw) break
    const gl = g - gr
    const al = hl + lambda
    const ar = hr + lambda
    if ((gl * gl * ar + gr * gr * al) * RELAX > thr * (al * ar)) {
      const d = (gl * gl) / al + (gr * gr) / ar - rootGain
      if (d > best) {
        const chg = Math.fround(d)
        if (chg > best && chg !== Infinity) {
          best = chg
          thr = best + rootGain
          record(out, chg, f, b - 1, true, gl, hl, gr, hr)
        }
      }
    }
  }
}

/** Gain of a (left, right) pair with L1, `maxDeltaStep` or a monotone constraint `c`. */
function pairGain(
  p: SplitParams,
  exact: boolean,
  c: number,
  gl: number,
  hl: number,
  gr: number,
  hr: number,
  lower: number,
  upper: number,
): number {
  if (exact) return gainGivenWeight(p, true, gl, hl, 0) + gainGivenWeight(p, true, gr, hr, 0)
  const wl = boundedWeight(p, gl, hl, lower, upper)
  const wr = boundedWeight(p, gr, hr, lower, upper)
  if ((c > 0 && wl > wr) || (c < 0 && wl < wr)) return -Infinity
  return gainGivenWeight(p, false, gl, hl, wl) + gainGivenWeight(p, false, gr, hr, wr)
}

function record(
  out: SplitCandidate,
  chg: number,
  f: number,
  bin: number,
  missingLeft: boolean,
  gl: number,
  hl: number,
  gr: number,
  hr: number,
): void {
  out.gain = chg
  out.feature = f
  out.bin = bin
  out.missingLeft = missingLeft
  out.categorical = false
  out.leftG = gl
  out.leftH = hl
  out.rightG = gr
  out.rightH = hr
}

function categoricalSplit(
  hist: Histogram,
  nb: number,
  f: number,
  g: number,
  h: number,
  rootGain: number,
  p: SplitParams,
  out: SplitCandidate,
  scratch: SplitScratch,
): void {
  const off = f * HIST_SLOTS * 2
  const mcw = p.minChildWeight
  const missG = hist[off + 2 * MISSING_BIN]!
  const missH = hist[off + 2 * MISSING_BIN + 1]!
  const gainOf = (gl: number, hl: number, gr: number, hr: number): number =>
    Math.fround(
      gainGivenWeight(p, true, gl, hl, 0) + gainGivenWeight(p, true, gr, hr, 0) - rootGain,
    )
  const better = (chg: number): boolean => chg > out.gain && chg !== Infinity
  if (nb < p.maxCatToOnehot) {
    // One category against the rest; the missing values join the rest, then the category.
    for (let c = 0; c < nb; c++) {
      const cg = hist[off + 2 * c]!
      const ch = hist[off + 2 * c + 1]!
      for (let pass = 0; pass < 2; pass++) {
        const rg = pass === 0 ? cg : cg + missG
        const rh = pass === 0 ? ch : ch + missH
        const lg = g - rg
        const lh = h - rh
        if (lh < mcw || rh < mcw) continue
        const chg = gainOf(lg, lh, rg, rh)
        if (!better(chg)) continue
        record(out, chg, f, 0, pass === 0, lg, lh, rg, rh)
        out.categorical = true
        out.catBits.fill(0)
        for (let k = 0; k < nb; k++) if (k !== c) out.catBits[k >>> 5]! |= 1 << (k & 31)
      }
    }
    return
  }
  // Partition: categories sorted by weight; a prefix of that order goes left.
  const order = scratch.order
  const weight = scratch.weight
  for (let c = 0; c < nb; c++) {
    order[c] = c
    weight[c] = leafWeight(p, hist[off + 2 * c]!, hist[off + 2 * c + 1]!)
  }
  // Stable insertion sort (nb ≤ 255, and it matches std::stable_sort's order).
  for (let i = 1; i < nb; i++) {
    const v = order[i]!
    const wv = weight[v]!
    let j = i - 1
    while (j >= 0 && weight[order[j]!]! > wv) {
      order[j + 1] = order[j]!
      j--
    }
    order[j + 1] = v
  }
  const limit = Math.min(nb - 1, p.maxCatThreshold)
  // Forward: the first t categories go left, the rest and the missing values right.
  let ag = 0
  let ah = 0
  for (let t = 1; t <= limit; t++) {
    const c = order[t - 1]!
    ag += hist[off + 2 * c]!
    ah += hist[off + 2 * c + 1]!
    const rg = g - ag
    const rh = h - ah
    if (ah >= mcw && rh >= mcw) {
      const chg = gainOf(ag, ah, rg, rh)
      if (better(chg)) {
        record(out, chg, f, 0, false, ag, ah, rg, rh)
        setPrefix(out, order, t)
      }
    }
  }
  // Backward: the last t categories go right, the rest and the missing values left.
  ag = 0
  ah = 0
  for (let t = 1; t <= limit; t++) {
    const c = order[nb - t]!
    ag += hist[off + 2 * c]!
    ah += hist[off + 2 * c + 1]!
    const lg = g - ag
    const lh = h - ah
    if (ah >= mcw && lh >= mcw) {
      const chg = gainOf(lg, lh, ag, ah)
      if (better(chg)) {
        record(out, chg, f, 0, true, lg, lh, ag, ah)
        setPrefix(out, order, nb - t)
      }
    }
  }
}

function setPrefix(out: SplitCandidate, order: Int32Array, t: number): void {
  out.categorical = true
  out.catBits.fill(0)
  for (let i = 0; i < t; i++) {
    const c = order[i]!
    out.catBits[c >>> 5]! |= 1 << (c & 31)
  }
}
