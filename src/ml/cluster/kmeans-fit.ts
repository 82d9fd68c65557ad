/**
 * The k-means fit on a {@link BlockPool}: data layout in shared memory, k-means++ / random /
 * explicit initialisation, Lloyd iterations with scikit-learn 1.2's stopping rules and
 * empty-cluster relocation, and the best of `nInit` runs.
 *
 * ## Method
 * As `sklearn.cluster.KMeans` 1.2 (`_kmeans_single_lloyd`, `_kmeans_plusplus`): each iteration
 * assigns every row to its nearest center, replaces each center by the mean of its rows
 * (an empty cluster takes the row farthest from its center), and stops when no label changed
 * (strict convergence) or when the squared center shift sums to at most
 * `tol · mean(column variances)`; without strict convergence a last assignment makes the labels
 * match the returned centers. Once at most 5% of the rows changed cluster, the bounded variant
 * (Hamerly 2010) keeps per row an upper bound on the distance to its center and a lower bound on
 * the distance to any other, moves them by how far the centers moved, and assigns only rows whose
 * bounds overlap; the bounds are widened by the float32 screen's error bound, so its labels are
 * those of the plain step. k-means++ draws the first center uniformly, then each next one as
 * the best (lowest potential) of `2 + ⌊ln k⌋` candidates drawn with probability proportional to
 * the squared distance to the nearest chosen center.
 *
 * ## References
 * - D. Arthur, S. Vassilvitskii. "k-means++: The advantages of careful seeding". SODA 2007.
 * - scikit-learn 1.2 `sklearn/cluster/_kmeans.py`.
 * - G. Hamerly. "Making k-means even faster". SDM 2010.
 *
 * @internal
 */
import type { Rng } from '../../core/index.js'
import { fitStep } from '../base/progress.js'
import type { FitOptions } from '../base/types.js'

import type { BlockPool } from './block-pool.js'
import { LLOYD_ROWS } from './kmeans-kernels.js'

/** The resolved k-means settings a fit runs with. */
export interface KMeansSettings {
  readonly nClusters: number
  readonly init: 'k-means++' | 'random' | Float64Array
  readonly nInit: number
  readonly maxIter: number
  readonly tol: number
  /** Hamerly's bounds (`bounded` kernel) instead of plain Lloyd steps: the same labels, fewer distances. */
  readonly bounded: boolean
}

/** The outcome of one fit. */
export interface KMeansResult {
  readonly centers: Float64Array
  readonly labels: Int32Array
  readonly inertia: number
  readonly nIterPerInit: readonly number[]
  readonly inertiaPerInit: readonly number[]
  readonly convergedPerInit: readonly boolean[]
  readonly bestInit: number
  readonly relocations: number
}

/** Byte offsets of the arrays in shared memory. */
export interface KMeansLayout {
  readonly n: number
  readonly p: number
  readonly k: number
  readonly kpad: number
  /** `k` rounded up to a multiple of 4 (float32 centers). */
  readonly kpad4: number
  readonly bs: number
  readonly nBlocks: number
  readonly trials: number
  /** `trials` rounded up to a multiple of 4 (float32 k-means++ candidates). */
  readonly tpad4: number
  readonly x: number
  readonly xn: number
  readonly shift: number
  readonly labels: number
  readonly mind: number
  readonly ct: number
  readonly cn: number
  readonly ct32: number
  readonly cn32: number
  readonly cand32: number
  readonly consts: number
  readonly scratch: number
  readonly bsums: number
  readonly bres: number
  readonly bss: number
  readonly slots: number
  readonly bpot: number
  /** Hamerly's per-row upper and lower bounds (f64), the listed rows (i32) and per-center info (3 f64). */
  readonly ub: number
  readonly lb: number
  readonly list: number
  readonly cinfo: number
  readonly bytes: number
}

const MIN_BLOCK = 2048
/** Per-block partial sums stay below this many bytes in total. */
const PARTIALS_BUDGET = 64 * 1024 * 1024

/** The shared-memory layout for `n × p` data and `k` clusters (block size depends only on n, p, k). */
export function kmeansLayout(
  n: number,
  p: number,
  k: number,
  kpp: boolean,
  bounded = false,
): KMeansLayout {
  const kpad = k + (k % 2)
  const kpad4 = Math.ceil(k / 4) * 4
  const trials = 2 + Math.floor(Math.log(k))
  const tpad4 = Math.ceil(trials / 4) * 4
  const perBlock = (k * p + k) * 8
  const maxBlocks = Math.max(1, Math.floor(PARTIALS_BUDGET / perBlock))
  const bs = Math.max(MIN_BLOCK, Math.ceil(n / maxBlocks))
  const nBlocks = Math.max(1, Math.ceil(n / bs))
  let at = 0
  const take = (bytes: number): number => {
    const off = at
    at += Math.ceil(bytes / 16) * 16
    return off
  }
  const x = take(n * p * 4)
  const xn = take(n * 8)
  const shift = take(p * 8)
  const labels = take(n * 4)
  const mind = take(n * 8)
  const ct = take(p * Math.max(kpad, trials + (trials % 2)) * 8)
  const cn = take(Math.max(kpad, trials + (trials % 2)) * 8)
  const ct32 = take(p * kpad4 * 4)
  const cn32 = take(kpad4 * 4)
  const cand32 = take(p * tpad4 * 4)
  const consts = take(16)
  const scratch = take(nBlocks * kpad4 * 4 * LLOYD_ROWS)
  const bsums = take(nBlocks * perBlock)
  const bres = take(nBlocks * 16)
  const bss = take(nBlocks * 2 * p * 8)
  const slots = take(kpp ? (trials + 1) * n * 8 : 0)
  const bpot = take(kpp ? nBlocks * trials * 8 : 0)
  const ub = take(bounded ? n * 8 : 0)
  const lb = take(bounded ? n * 8 : 0)
  const list = take(bounded ? n * 4 : 0)
  const cinfo = take(bounded ? 3 * k * 8 : 0)
  return {
    n,
    p,
    k,
    kpad,
    kpad4,
    bs,
    nBlocks,
    trials,
    tpad4,
    x,
    xn,
    shift,
    labels,
    mind,
    ct,
    cn,
    ct32,
    cn32,
    cand32,
    consts,
    scratch,
    bsums,
    bres,
    bss,
    slots,
    bpot,
    ub,
    lb,
    list,
    cinfo,
    bytes: at,
  }
}

/** Writes `m` centers (row-major `m × p`) transposed into `ct` and their squared norms into `cn`, padded to `mpad`. */
function writeCenters(
  pool: BlockPool,
  L: KMeansLayout,
  centers: Float64Array,
  m: number,
  mpad: number,
): void {
  const f64 = pool.views.f64
  const ct = L.ct / 8
  const cn = L.cn / 8
  for (let c = 0; c < mpad; c++) {
    let s = 0
    for (let j = 0; j < L.p; j++) {
      const v = c < m ? centers[c * L.p + j]! : 0
      f64[ct + j * mpad + c] = v
      s += v * v
    }
    f64[cn + c] = c < m ? s : Infinity
  }
}

/** Float32 unit roundoff. */
const U32 = 2 ** -24

/**
 * Writes the k centers as float32 (`ct32`, `cn32`, padded to `kpad4` with +∞ norms) and the
 * error-bound constants of the float32 screen: `|d32 − d| ≤ c0·‖x‖ + c1` with
 * `c0 = 4(p + 2)u·max‖c‖`, `c1 = 4(p + 2)u·max‖c‖²` (twice the standard dot-product bound
 * `γ_p Σ|x_j c_j| ≤ γ_p ‖x‖‖c‖` plus the roundings of the centers and norms).
 */
function writeCenters32(pool: BlockPool, L: KMeansLayout, centers: Float64Array): void {
  const { f32, f64 } = pool.views
  let cmax = 0
  let cnmax = 0
  for (let c = 0; c < L.kpad4; c++) {
    let s = 0
    for (let j = 0; j < L.p; j++) {
      const v = c < L.k ? centers[c * L.p + j]! : 0
      f32[L.ct32 / 4 + j * L.kpad4 + c] = v
      s += v * v
    }
    f32[L.cn32 / 4 + c] = c < L.k ? s : Infinity
    if (c < L.k) {
      cmax = Math.max(cmax, Math.sqrt(s))
      cnmax = Math.max(cnmax, s)
    }
  }
  const coef = 4 * (L.p + 2) * U32
  f64[L.consts / 8] = coef * cmax
  f64[L.consts / 8 + 1] = coef * cnmax
}

/** Computes `‖x_i‖²` and the column variances; returns `mean(variances)`. */
export function prepareData(pool: BlockPool, L: KMeansLayout): number {
  const { f32, f64 } = pool.views
  const { n, p } = L
  for (let j = 0; j < p; j++) f64[L.shift / 8 + j] = f32[L.x / 4 + j]!
  pool.run('norms', L.nBlocks, [L.bs, n, p, L.x, L.xn, L.shift, L.bss])
  let meanVar = 0
  for (let j = 0; j < p; j++) {
    let s = 0
    let ss = 0
    for (let b = 0; b < L.nBlocks; b++) {
      s += f64[L.bss / 8 + 2 * b * p + j]!
      ss += f64[L.bss / 8 + 2 * b * p + p + j]!
    }
    meanVar += Math.max(ss - (s * s) / n, 0) / n
  }
  return meanVar / p
}

function rowOf(pool: BlockPool, L: KMeansLayout, i: number, out: Float64Array, c: number): void {
  const f32 = pool.views.f32
  for (let j = 0; j < L.p; j++) out[c * L.p + j] = f32[L.x / 4 + i * L.p + j]!
}

/** k-means++ seeding (scikit-learn's greedy variant) on all rows. */
export function kmeansPlusPlus(pool: BlockPool, L: KMeansLayout, rng: Rng): Float64Array {
  const { n, p, k, trials } = L
  const f64 = pool.views.f64
  const centers = new Float64Array(k * p)
  const cand = new Float64Array(L.tpad4 * p)
  // Candidate t's distances go to slot t (at L.slots + 8·t·n); slot `trials` holds the
  // distance of each row to its nearest chosen center.
  const closest = (L.slots + trials * n * 8) / 8
  f64.fill(Infinity, closest, closest + n)
  const f32 = pool.views.f32
  const runCand = (t: number): Float64Array => {
    // Candidates as float32, transposed (`cand32[j·tpad4 + c]`), unused lanes 0.
    for (let j = 0; j < p; j++)
      for (let c = 0; c < L.tpad4; c++)
        f32[L.cand32 / 4 + j * L.tpad4 + c] = c < t ? cand[c * p + j]! : 0
    pool.run('cand', L.nBlocks, [
      L.bs,
      n,
      p,
      L.tpad4,
      t,
      L.x,
      L.cand32,
      closest * 8,
      L.slots,
      L.bpot,
    ])
    const pots = new Float64Array(t)
    for (let b = 0; b < L.nBlocks; b++)
      for (let c = 0; c < t; c++) pots[c] = pots[c]! + f64[L.bpot / 8 + b * t + c]!
    return pots
  }
  const keep = (t: number): void => {
    const from = L.slots / 8 + t * n
    f64.copyWithin(closest, from, from + n)
  }
  rowOf(pool, L, rng.int(n), centers, 0)
  cand.set(centers.subarray(0, p))
  let pot = runCand(1)[0]!
  keep(0)
  const ids = new Int32Array(trials)
  const targets = new Float64Array(trials)
  for (let c = 1; c < k; c++) {
    for (let t = 0; t < trials; t++) targets[t] = rng.float() * pot
    searchSorted(f64, closest, n, targets, ids)
    for (let t = 0; t < trials; t++) rowOf(pool, L, ids[t]!, cand, t)
    const pots = runCand(trials)
    let best = 0
    for (let t = 1; t < trials; t++) if (pots[t]! < pots[best]!) best = t
    pot = pots[best]!
    keep(best)
    rowOf(pool, L, ids[best]!, centers, c)
  }
  return centers
}

/**
 * `ids[t]` = the first `i` with `cumsum(d)[i] ≥ targets[t]` (numpy `searchsorted`, side left,
 * on a sequential float64 cumulative sum), clipped to `n − 1`.
 */
function searchSorted(
  f64: Float64Array,
  off: number,
  n: number,
  targets: Float64Array,
  ids: Int32Array,
): void {
  const order = Array.from(targets.keys()).sort((a, b) => targets[a]! - targets[b]!)
  let q = 0
  let acc = 0
  for (let i = 0; i < n && q < order.length; i++) {
    acc += f64[off + i]!
    while (q < order.length && acc >= targets[order[q]!]!) ids[order[q++]!] = i
  }
  while (q < order.length) ids[order[q++]!] = n - 1
}

function randomInit(pool: BlockPool, L: KMeansLayout, rng: Rng): Float64Array {
  const centers = new Float64Array(L.k * L.p)
  // Floyd's sampling of k distinct rows, kept in draw order.
  const chosen = new Set<number>()
  const order: number[] = []
  for (let j = L.n - L.k; j < L.n; j++) {
    const t = rng.int(j + 1)
    const pick = chosen.has(t) ? j : t
    chosen.add(pick)
    order.push(pick)
  }
  order.forEach((i, c) => {
    rowOf(pool, L, i, centers, c)
  })
  return centers
}

interface SingleRun {
  readonly centers: Float64Array
  readonly inertia: number
  readonly nIter: number
  readonly converged: boolean
  readonly relocations: number
}

/** Moves each empty cluster to the row farthest from its center (scikit-learn's relocation). */
function relocateEmpty(
  pool: BlockPool,
  L: KMeansLayout,
  sums: Float64Array,
  counts: Float64Array,
): number {
  const empty: number[] = []
  for (let c = 0; c < L.k; c++) if (counts[c] === 0) empty.push(c)
  if (empty.length === 0) return 0
  const { f32, f64, i32 } = pool.views
  // The len(empty) largest distances, by distance descending then row ascending.
  const far: number[] = []
  for (let i = 0; i < L.n; i++) {
    const d = f64[L.mind / 8 + i]!
    if (far.length === empty.length && d <= f64[L.mind / 8 + far[far.length - 1]!]!) continue
    let q = far.length
    while (q > 0 && f64[L.mind / 8 + far[q - 1]!]! < d) q--
    far.splice(q, 0, i)
    if (far.length > empty.length) far.pop()
  }
  for (let e = 0; e < empty.length; e++) {
    const fresh = empty[e]!
    const i = far[e]!
    const old = i32[L.labels / 4 + i]!
    for (let j = 0; j < L.p; j++) {
      const v = f32[L.x / 4 + i * L.p + j]!
      sums[old * L.p + j] = sums[old * L.p + j]! - v
      sums[fresh * L.p + j] = v
    }
    counts[fresh] = 1
    counts[old] = counts[old]! - 1
  }
  return empty.length
}

function assign(
  pool: BlockPool,
  L: KMeansLayout,
  update: boolean,
): { inertia: number; changed: number } {
  pool.run('assign', L.nBlocks, [
    L.bs,
    L.n,
    L.p,
    L.kpad,
    L.k,
    L.x,
    L.xn,
    L.ct,
    L.cn,
    L.labels,
    L.mind,
    L.bsums,
    L.bres,
    update ? 1 : 0,
  ])
  const f64 = pool.views.f64
  let inertia = 0
  let changed = 0
  for (let b = 0; b < L.nBlocks; b++) {
    inertia += f64[L.bres / 8 + 2 * b]!
    changed += f64[L.bres / 8 + 2 * b + 1]!
  }
  return { inertia, changed }
}

function lloydStep(pool: BlockPool, L: KMeansLayout): number {
  pool.run('lloyd', L.nBlocks, [
    L.bs,
    L.n,
    L.p,
    L.kpad,
    L.k,
    L.x,
    L.xn,
    L.ct,
    L.cn,
    L.labels,
    L.mind,
    L.bsums,
    L.bres,
    L.kpad4,
    L.ct32,
    L.cn32,
    L.consts,
    L.scratch,
  ])
  const f64 = pool.views.f64
  let changed = 0
  for (let b = 0; b < L.nBlocks; b++) changed += f64[L.bres / 8 + 2 * b + 1]!
  return changed
}

function boundedStep(pool: BlockPool, L: KMeansLayout, full: boolean): number {
  pool.run('bounded', L.nBlocks, [
    ...[L.bs, L.n, L.p, L.kpad, L.k, L.x, L.xn, L.ct, L.cn, L.labels, L.bsums, L.bres],
    ...[L.kpad4, L.ct32, L.cn32, L.consts, L.scratch, L.ub, L.lb, L.cinfo, L.list, full ? 1 : 0],
  ])
  const f64 = pool.views.f64
  let changed = 0
  for (let b = 0; b < L.nBlocks; b++) changed += f64[L.bres / 8 + 2 * b + 1]!
  return changed
}

/** The bounded steps start once at most this share of the rows changed cluster in a step. */
const BOUNDED_FROM = 0.05

/** Relative widening of the center moves and separations behind the bounds (covers their rounding). */
const BOUND_SLACK = 1e-12

/**
 * Writes, per center, its move `δ_c = ‖next_c − prev_c‖`, the largest move of the others, and
 * half the distance from `next_c` to its nearest other center (`cinfo`, 3 f64 per center), each
 * widened by {@link BOUND_SLACK} in the safe direction.
 */
function writeCenterInfo(
  pool: BlockPool,
  L: KMeansLayout,
  prev: Float64Array,
  next: Float64Array,
): void {
  const { k, p } = L
  const f64 = pool.views.f64
  const o = L.cinfo / 8
  const dist = (a: Float64Array, ia: number, bArr: Float64Array, ib: number): number => {
    let s = 0
    for (let j = 0; j < p; j++) {
      const d = a[ia * p + j]! - bArr[ib * p + j]!
      s += d * d
    }
    return Math.sqrt(s)
  }
  for (let c = 0; c < k; c++) f64[o + 3 * c] = dist(next, c, prev, c) * (1 + BOUND_SLACK)
  for (let c = 0; c < k; c++) {
    let others = 0
    let sep = Infinity
    for (let e = 0; e < k; e++) {
      if (e === c) continue
      others = Math.max(others, f64[o + 3 * e]!)
      sep = Math.min(sep, dist(next, c, next, e))
    }
    f64[o + 3 * c + 1] = others
    f64[o + 3 * c + 2] = 0.5 * sep * (1 - BOUND_SLACK)
  }
}

function lloyd(
  pool: BlockPool,
  L: KMeansLayout,
  init: Float64Array,
  s: KMeansSettings,
  tol: number,
  progress: (it: number) => void,
): SingleRun {
  const { k, p } = L
  const f64 = pool.views.f64
  pool.views.i32.fill(-1, L.labels / 4, L.labels / 4 + L.n)
  let centers = Float64Array.from(init)
  const sums = new Float64Array(k * p)
  const counts = new Float64Array(k)
  let converged = false
  let relocations = 0
  let it = 0
  // Early iterations, where many rows change cluster, take plain Lloyd steps: the bounds would
  // settle few rows. The first bounded step (and the first after a relocation) rebuilds its
  // block sums and bounds from every row.
  let bounded = false
  let full = true
  for (; it < s.maxIter; it++) {
    progress(it)
    writeCenters(pool, L, centers, k, L.kpad)
    writeCenters32(pool, L, centers)
    const changed = bounded ? boundedStep(pool, L, full) : lloydStep(pool, L)
    full = !bounded
    if (s.bounded && changed <= BOUNDED_FROM * L.n) bounded = true
    sums.fill(0)
    counts.fill(0)
    const stride = k * p + k
    for (let b = 0; b < L.nBlocks; b++) {
      const o = L.bsums / 8 + b * stride
      for (let q = 0; q < k * p; q++) sums[q] = sums[q]! + f64[o + q]!
      for (let c = 0; c < k; c++) counts[c] = counts[c]! + f64[o + k * p + c]!
    }
    if (counts.includes(0)) {
      // Distances to the (old) assigned centers, for the farthest rows.
      assign(pool, L, false)
      relocations += relocateEmpty(pool, L, sums, counts)
      full = true
    }
    const next = new Float64Array(k * p)
    let shiftTotal = 0
    for (let c = 0; c < k; c++) {
      const w = counts[c]!
      const alpha = w > 0 ? 1 / w : 1
      let d2 = 0
      for (let j = 0; j < p; j++) {
        const v = w > 0 ? sums[c * p + j]! * alpha : sums[c * p + j]!
        next[c * p + j] = v
        const d = v - centers[c * p + j]!
        d2 += d * d
      }
      const shift = Math.sqrt(d2)
      shiftTotal += shift * shift
    }
    if (s.bounded) writeCenterInfo(pool, L, centers, next)
    centers = next
    // Strict convergence (no label changed), else the center shift against tol.
    if (changed === 0 || shiftTotal <= tol) {
      converged = true
      break
    }
  }
  const nIter = Math.min(it + 1, s.maxIter)
  // A last assignment makes labels, distances and inertia match the returned centers.
  writeCenters(pool, L, centers, k, L.kpad)
  const inertia = assign(pool, L, false).inertia
  return { centers, inertia, nIter, converged, relocations }
}

/** Whether two labelings are the same partition up to renaming (scikit-learn `_is_same_clustering`). */
function sameClustering(a: Int32Array, b: Int32Array, k: number): boolean {
  const map = new Int32Array(k).fill(-1)
  for (let i = 0; i < a.length; i++) {
    const la = a[i]!
    const lb = b[i]!
    if (map[la] === -1) map[la] = lb
    else if (map[la] !== lb) return false
  }
  return true
}

/**
 * Runs `nInit` initialisations plus Lloyd and keeps the best by inertia (a lower inertia wins
 * only if its partition differs, as in scikit-learn). The data must already be in `L.x`.
 */
export function runKMeans(
  pool: BlockPool,
  L: KMeansLayout,
  s: KMeansSettings,
  rng: Rng,
  opts: FitOptions | undefined,
): KMeansResult {
  const tol = prepareData(pool, L) * s.tol
  const labelsView = pool.views.i32.subarray(L.labels / 4, L.labels / 4 + L.n)
  let best: { run: SingleRun; labels: Int32Array; index: number } | undefined
  const nIterPerInit: number[] = []
  const inertiaPerInit: number[] = []
  const convergedPerInit: number[] = []
  let relocations = 0
  for (let r = 0; r < s.nInit; r++) {
    const stage = `init ${r + 1}/${s.nInit}`
    fitStep(opts, { stage, step: 0, total: s.maxIter })
    const init =
      s.init === 'k-means++'
        ? kmeansPlusPlus(pool, L, rng)
        : s.init === 'random'
          ? randomInit(pool, L, rng)
          : s.init
    const run = lloyd(pool, L, init, s, tol, (it) => {
      if (it > 0) fitStep(opts, { stage, step: it, total: s.maxIter })
    })
    nIterPerInit.push(run.nIter)
    inertiaPerInit.push(run.inertia)
    convergedPerInit.push(run.converged ? 1 : 0)
    relocations += run.relocations
    if (
      best === undefined ||
      (run.inertia < best.run.inertia && !sameClustering(labelsView, best.labels, L.k))
    ) {
      best = { run, labels: Int32Array.from(labelsView), index: r }
    }
  }
  if (best === undefined) throw new Error('nInit must be at least 1')
  return {
    centers: best.run.centers,
    labels: best.labels,
    inertia: best.run.inertia,
    nIterPerInit,
    inertiaPerInit,
    convergedPerInit: convergedPerInit.map((c) => c === 1),
    bestInit: best.index,
    relocations,
  }
}
