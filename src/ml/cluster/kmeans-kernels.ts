/**
 * The k-means block kernels, twice: as WebAssembly SIMD (f64x2) built at load time, and as plain
 * TypeScript with the same arithmetic in the same order, so both give bit-identical results and
 * the TypeScript one is the fallback where WebAssembly is unavailable.
 *
 * Every kernel processes rows `[b·bs, min((b+1)·bs, n))` of a row-major `f32` matrix held in one
 * shared memory, and writes per-block partial results that the caller merges in block order, so
 * results do not depend on how blocks are spread over threads.
 *
 * ## Method
 * Squared distances use `‖x‖² − 2x·c + ‖c‖²` with the dot products for up to 8 centers at once
 * (centers stored transposed, `ct[j·kpad + c]`), in f64: `x` is read as f32 and widened, every
 * product and sum is f64. The argmin compares `‖c‖² − 2x·c` (strict `<`, so the lowest index wins
 * ties, as in scikit-learn's Lloyd loop) and adds `‖x‖²` to the minimum, clamped at 0. The
 * Lloyd step (`lloyd`) first screens with float32 dot products (`f32x4`, twice the lanes) and
 * accepts the float32 nearest center only when no other center is within twice the rounding
 * bound `4(p + 2)u(‖x‖·max‖c‖ + max‖c‖²)` of it (u = 2⁻²⁴; the standard dot-product bound with
 * a factor-2 margin); other rows are redone in float64, so labels equal the float64 argmin.
 * The screen runs on four rows at a time, sharing each load of the centers, so the four rows'
 * additions overlap rather than wait on one another. k-means++ candidates (`cand`) use float32
 * sums of squared differences (four candidates per `f32x4`, four rows at a time): no
 * cancellation, a relative error below `p·2⁻²⁴`, which only perturbs sampling weights.
 *
 * ## References
 * - S. Lloyd. "Least squares quantization in PCM". IEEE Trans. Inf. Theory 28(2), 1982.
 * - scikit-learn 1.2 `sklearn/cluster/_k_means_lloyd.pyx` (chunked Lloyd iteration).
 * - N. J. Higham. Accuracy and Stability of Numerical Algorithms, 2nd ed., SIAM 2002, §3.1
 *   (error bound of a floating-point dot product).
 *
 * @internal
 */
import {
  F64,
  FuncBuilder,
  I32,
  V128,
  encodeModule,
  op,
  wasmApi,
  type WasmModule,
} from '../base/index.js'

/** Typed views over the shared memory that the TypeScript kernels read and write. */
export interface MemoryViews {
  readonly f32: Float32Array
  readonly f64: Float64Array
  readonly i32: Int32Array
}

/** Views over a buffer (byte offsets in kernel arguments index into these). */
export function memoryViews(buffer: ArrayBufferLike): MemoryViews {
  return {
    f32: new Float32Array(buffer),
    f64: new Float64Array(buffer, 0, Math.floor(buffer.byteLength / 8)),
    i32: new Int32Array(buffer),
  }
}

/**
 * `assign(b, bs, n, p, kpad, k, x, xn, ct, cn, labels, mind, bsums, bres, update)`: nearest
 * center of each row → `labels` (counting changes), squared distance → `mind`; per block
 * `[inertia, changed]` at `bres + 16b`; when `update` is 1, per-block center sums (`k·p`) and
 * counts (`k`) at `bsums + 8b(k·p + k)`.
 */
function assignJs(v: MemoryViews, a: readonly number[]): void {
  const [b, bs, n, p, kpad, k, x, xn, ct, cn, labels, mind, bsums, bres, update] = a as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const { f32, f64, i32 } = v
  const r0 = b * bs
  const r1 = Math.min(r0 + bs, n)
  const sb = bsums / 8 + b * (k * p + k)
  const cb = sb + k * p
  if (update === 1) f64.fill(0, sb, sb + k * p + k)
  const ctb = ct / 8
  const cnb = cn / 8
  let inertia = 0
  let changed = 0
  const acc = new Float64Array(kpad)
  for (let i = r0; i < r1; i++) {
    const xo = x / 4 + i * p
    acc.fill(0)
    for (let j = 0; j < p; j++) {
      const xv = f32[xo + j]!
      const co = ctb + j * kpad
      for (let c = 0; c < kpad; c++) acc[c] = acc[c]! + xv * f64[co + c]!
    }
    let best = Infinity
    let bi = 0
    for (let c = 0; c < kpad; c++) {
      const d = f64[cnb + c]! - (acc[c]! + acc[c]!)
      if (d < best) {
        best = d
        bi = c
      }
    }
    const dist = Math.max(best + f64[xn / 8 + i]!, 0)
    f64[mind / 8 + i] = dist
    inertia += dist
    const li = labels / 4 + i
    if (i32[li] !== bi) {
      changed += 1
      i32[li] = bi
    }
    if (update === 1) {
      f64[cb + bi] = f64[cb + bi]! + 1
      const so = sb + bi * p
      for (let j = 0; j < p; j++) f64[so + j] = f64[so + j]! + f32[xo + j]!
    }
  }
  f64[bres / 8 + 2 * b] = inertia
  f64[bres / 8 + 2 * b + 1] = changed
}

/**
 * `cand(b, bs, n, p, tpad4, t, x, cand32, closest, out, bpot)`: for the first `t` k-means++
 * candidates (float32, transposed, `cand32[j·tpad4 + c]`), `min(closest[i], d²(x_i, c))` →
 * `out + 8(c·n + i)` and its block sum → `bpot + 8(b·t + c)`. The squared distance is the
 * float32 sum of squared float32 differences (no cancellation: relative error below `p·2⁻²⁴`),
 * widened to float64; minimum and sums are float64.
 */
function candJs(v: MemoryViews, a: readonly number[]): void {
  const [b, bs, n, p, tpad4, t, x, cand32, closest, out, bpot] = a as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const { f32, f64 } = v
  const fr = Math.fround
  const r0 = b * bs
  const r1 = Math.min(r0 + bs, n)
  const pb = bpot / 8 + b * t
  f64.fill(0, pb, pb + t)
  const cb = cand32 / 4
  for (let i = r0; i < r1; i++) {
    const xo = x / 4 + i * p
    const cl = f64[closest / 8 + i]!
    for (let c = 0; c < t; c++) {
      let acc = 0
      for (let j = 0; j < p; j++) {
        const d = fr(f32[xo + j]! - f32[cb + j * tpad4 + c]!)
        acc = fr(acc + fr(d * d))
      }
      const m = Math.min(cl, acc)
      f64[out / 8 + c * n + i] = m
      f64[pb + c] = f64[pb + c]! + m
    }
  }
}

/**
 * `norms(b, bs, n, p, x, xn, shift, bss)`: `‖x_i‖²` → `xn`, and per block the column sums of
 * `d = x_ij − shift_j` and of `d²` → `bss + 16b·p` (`p` of each), from which the caller gets the
 * column variances behind `tol` (shifted by a data row, so the one-pass formula stays accurate).
 */
function normsJs(v: MemoryViews, a: readonly number[]): void {
  const [b, bs, n, p, x, xn, shift, bss] = a as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const { f32, f64 } = v
  const r0 = b * bs
  const r1 = Math.min(r0 + bs, n)
  const sb = bss / 8 + 2 * b * p
  f64.fill(0, sb, sb + 2 * p)
  for (let i = r0; i < r1; i++) {
    const xo = x / 4 + i * p
    let s = 0
    for (let j = 0; j < p; j++) {
      const xv = f32[xo + j]!
      s += xv * xv
      const d = xv - f64[shift / 8 + j]!
      f64[sb + j] = f64[sb + j]! + d
      f64[sb + p + j] = f64[sb + p + j]! + d * d
    }
    f64[xn / 8 + i] = s
  }
}

/**
 * `lloyd(b, bs, n, p, kpad, k, x, xn, ct, cn, labels, mind, bsums, bres, kpad4, ct32, cn32,
 * consts, scratch)`: the Lloyd step, `assign` with `update` = 1 except that `mind` and the block inertia
 * are not kept. The WebAssembly version screens with float32 distances (centers `ct32`/`cn32`,
 * padded to `kpad4`) and recomputes in float64 the rows whose two nearest centers are closer
 * than twice the float32 error bound `consts[0]·‖x‖ + consts[1]` (it uses `4·kpad4` bytes per
 * block at `scratch`), so its labels are the exact float64 argmin too; it counts those rows in
 * `bres + 16b` and leaves `mind` alone.
 */
function lloydJs(v: MemoryViews, a: readonly number[]): void {
  assignJs(v, [...a.slice(0, 14), 1])
  v.f64[a[13]! / 8 + 2 * a[0]!] = 0
}

/**
 * `bounded(b, bs, n, p, kpad, k, x, xn, ct, cn, labels, bsums, bres, kpad4, ct32, cn32, consts,
 * scratch, ub, lb, cinfo, list, full)`: the Lloyd step with Hamerly's bounds. Per row, `ub` holds
 * an upper bound on the distance to its assigned center and `lb` a lower bound on the distance to
 * every other center; `cinfo + 24c` holds, for center `c`, how far it moved (`δ_c`), the largest
 * move of the other centers, and half the distance to its nearest other center (`s_c`). A first
 * pass moves the bounds (`u += δ_a`, `l −= max_{c≠a} δ_c`) and keeps a row's label, untouched,
 * when `u < max(l, s_a)`; it lists the other rows at `list + 4·r0`. The second pass assigns the
 * listed rows as `lloyd` does (float32 screen, float64 when the two nearest are within twice the
 * float32 bound) and resets their bounds from the two smallest values, each widened by that
 * bound. Block sums and counts persist between steps and change only for rows that change
 * cluster; with `full` = 1 every row is listed and the block's sums are rebuilt. Writes
 * `[listed rows, changed]` at `bres + 16b`.
 *
 * The bounds are rigorous for the distances to the float64 centers, so a kept label is the
 * float64 argmin: the labels are those of `lloyd` for the same centers. The TypeScript version
 * assigns in float64 only (its bounds differ, its labels and sums do not).
 */
function boundedJs(v: MemoryViews, a: readonly number[]): void {
  const [b, bs, n, p, kpad, k, x, xn, ct, cn, labels, bsums, bres] = a as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const [, consts, , ub, lb, cinfo, list, full] = a.slice(15) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const { f32, f64, i32 } = v
  const r0 = b * bs
  const r1 = Math.min(r0 + bs, n)
  const sb = bsums / 8 + b * (k * p + k)
  const cb = sb + k * p
  if (full === 1) f64.fill(0, sb, sb + k * p + k)
  const lp = list / 4 + r0
  let cnt = 0
  for (let i = r0; i < r1; i++) {
    if (full === 1) {
      i32[lp + cnt++] = i
      continue
    }
    const ci = cinfo / 8 + 3 * i32[labels / 4 + i]!
    const u = f64[ub / 8 + i]! + f64[ci]!
    const l = f64[lb / 8 + i]! - f64[ci + 1]!
    if (u < Math.max(l, f64[ci + 2]!)) {
      f64[ub / 8 + i] = u
      f64[lb / 8 + i] = l
    } else i32[lp + cnt++] = i
  }
  const acc = new Float64Array(kpad)
  let changed = 0
  for (let t = 0; t < cnt; t++) {
    const i = i32[lp + t]!
    const xo = x / 4 + i * p
    acc.fill(0)
    for (let j = 0; j < p; j++) {
      const xv = f32[xo + j]!
      const co = ct / 8 + j * kpad
      for (let c = 0; c < kpad; c++) acc[c] = acc[c]! + xv * f64[co + c]!
    }
    let best = Infinity
    let second = Infinity
    let bi = 0
    for (let c = 0; c < kpad; c++) {
      const d = f64[cn / 8 + c]! - (acc[c]! + acc[c]!)
      const lt = d < best
      second = lt ? best : Math.min(second, d)
      if (lt) {
        best = d
        bi = c
      }
    }
    const xnv = f64[xn / 8 + i]!
    const bnd2 = 2 * (f64[consts / 8]! * Math.sqrt(xnv) + f64[consts / 8 + 1]!)
    f64[ub / 8 + i] = Math.sqrt(Math.max(best + xnv + bnd2, 0))
    f64[lb / 8 + i] = Math.sqrt(Math.max(second + xnv - bnd2, 0))
    const old = i32[labels / 4 + i]!
    if (old !== bi) {
      changed += 1
      i32[labels / 4 + i] = bi
      if (full !== 1) {
        f64[cb + old] = f64[cb + old]! - 1
        const so = sb + old * p
        for (let j = 0; j < p; j++) f64[so + j] = f64[so + j]! - f32[xo + j]!
      }
    }
    if (full === 1 || old !== bi) {
      f64[cb + bi] = f64[cb + bi]! + 1
      const so = sb + bi * p
      for (let j = 0; j < p; j++) f64[so + j] = f64[so + j]! + f32[xo + j]!
    }
  }
  f64[bres / 8 + 2 * b] = cnt
  f64[bres / 8 + 2 * b + 1] = changed
}

/** The TypeScript kernels by name. */
export const JS_KERNELS: Readonly<
  Record<KernelName, (v: MemoryViews, a: readonly number[]) => void>
> = { assign: assignJs, cand: candJs, norms: normsJs, lloyd: lloydJs, bounded: boundedJs }

/** The kernel names, shared by the WebAssembly exports and {@link JS_KERNELS}. */
export type KernelName = 'assign' | 'cand' | 'norms' | 'lloyd' | 'bounded'

// ---------------------------------------------------------------- WebAssembly versions

const { get, set, i32 } = op

/** Emits `r0 = b·bs; r1 = min(r0 + bs, n)` into locals. */
function emitRange(f: FuncBuilder, bArg: number, bsArg: number, nArg: number): [number, number] {
  const r0 = f.local(I32)
  const r1 = f.local(I32)
  f.emit(get(bArg), get(bsArg), op.i32Mul, op.tee(r0), get(bsArg), op.i32Add, set(r1))
  f.emit(get(r1), get(nArg), op.i32GtU, op.if, get(nArg), set(r1), op.end)
  return [r0, r1]
}

/** Emits `for q in [0, count): f64[base + 8q] = 0`. */
function emitZero(f: FuncBuilder, base: number, count: number): void {
  const q = f.local(I32)
  const lim = f.local(I32)
  f.emit(i32(0), set(q), get(count), set(lim))
  f.forRange(q, lim, 1, () => {
    f.emit(get(base), get(q), i32(8), op.i32Mul, op.i32Add, op.f64(0), op.f64Store())
  })
}

/**
 * Emits the dot products of row `xp0` with all `kpad` centers, in groups of 8 then 2, calling
 * `lane(cLocal, valueLocal)` for each center with `value = ‖c‖² − 2x·c` in an f64 local.
 */
function emitDots(
  f: FuncBuilder,
  a: { p: number; kpad: number; ct: number; cn: number; xp0: number },
  lane: (c: number, value: number) => void,
): void {
  const c0 = f.local(I32)
  const j = f.local(I32)
  const xp = f.local(I32)
  const cp = f.local(I32)
  const kstride = f.local(I32)
  const lim = f.local(I32)
  const c = f.local(I32)
  const value = f.local(F64)
  const xv = f.local(V128)
  const dv = f.local(V128)
  const accs = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)]
  f.emit(get(a.kpad), i32(8), op.i32Mul, set(kstride), i32(0), set(c0))
  const group = (g: number): void => {
    // while (c0 + 2g <= kpad)
    f.emit(op.block, op.loop, get(c0), i32(2 * g), op.i32Add, get(a.kpad), op.i32GtU, op.brIf(1))
    for (let q = 0; q < g; q++) f.emit(op.v128Zero, set(accs[q]!))
    f.emit(get(a.xp0), set(xp), get(a.ct), get(c0), i32(8), op.i32Mul, op.i32Add, set(cp))
    f.emit(i32(0), set(j), get(a.p), set(lim))
    f.forRange(j, lim, 1, () => {
      f.emit(get(xp), op.f32Load(), op.f64PromoteF32, op.f64x2Splat, set(xv))
      for (let q = 0; q < g; q++) {
        f.emit(get(accs[q]!), get(xv), get(cp), op.v128Load(16 * q), op.f64x2Mul, op.f64x2Add)
        f.emit(set(accs[q]!))
      }
      f.emit(get(xp), i32(4), op.i32Add, set(xp), get(cp), get(kstride), op.i32Add, set(cp))
    })
    for (let q = 0; q < g; q++) {
      // dv = cn[c0+2q .. +2] − (acc + acc)
      f.emit(get(a.cn), get(c0), i32(8), op.i32Mul, op.i32Add, op.v128Load(16 * q))
      f.emit(get(accs[q]!), get(accs[q]!), op.f64x2Add, op.f64x2Sub, set(dv))
      for (let l = 0; l < 2; l++) {
        f.emit(get(dv), op.f64x2ExtractLane(l), set(value))
        f.emit(get(c0), i32(2 * q + l), op.i32Add, set(c))
        lane(c, value)
      }
    }
    f.emit(get(c0), i32(2 * g), op.i32Add, set(c0), op.br(0), op.end, op.end)
  }
  group(4)
  group(2)
  group(1)
}

/**
 * Emits `f64[sp + 8j] += f32[xp0 + 4j]` for `j < p` (a row added to its center's sums): eight
 * features per pass (four f32 pairs widened to f64x2, constant offsets), then pairs, then the
 * odd one. `p8 = p & −8`, `pEven = p & −2`; `sp`, `xp` and `j` are scratch locals.
 */
function emitAddRow(
  f: FuncBuilder,
  a: { sp: number; xp: number; xp0: number; j: number; p: number; p8: number; pEven: number },
  sub = false,
): void {
  const { sp, xp, j } = a
  const pair = (q: number): void => {
    f.emit(get(sp), get(sp), op.v128Load(16 * q), get(xp), op.v128Load64Zero(8 * q))
    f.emit(op.f64x2PromoteLowF32x4, sub ? op.f64x2Sub : op.f64x2Add, op.v128Store(16 * q))
  }
  f.emit(get(a.xp0), set(xp), i32(0), set(j))
  f.forRange(j, a.p8, 8, () => {
    for (let q = 0; q < 4; q++) pair(q)
    f.emit(get(sp), i32(64), op.i32Add, set(sp), get(xp), i32(32), op.i32Add, set(xp))
  })
  f.forRange(j, a.pEven, 2, () => {
    pair(0)
    f.emit(get(sp), i32(16), op.i32Add, set(sp), get(xp), i32(8), op.i32Add, set(xp))
  })
  f.emit(get(a.pEven), get(a.p), op.i32Ne, op.if)
  f.emit(get(sp), get(sp), op.f64Load(), get(xp), op.f32Load(), op.f64PromoteF32)
  f.emit(sub ? op.f64Sub : op.f64Add, op.f64Store(), op.end)
}

function buildAssign(): FuncBuilder {
  const f = new FuncBuilder('assign', new Array<typeof I32>(15).fill(I32))
  const [b, bs, n, p, kpad, k, x, xn, ct, cn, labels, mind, bsums, bres, update] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
  ] as const
  const [r0, r1] = emitRange(f, b, bs, n)
  const i = f.local(I32)
  const sb = f.local(I32)
  const cb = f.local(I32)
  const blockLen = f.local(I32)
  const xp0 = f.local(I32)
  const bi = f.local(I32)
  const lt = f.local(I32)
  const sp = f.local(I32)
  const xp = f.local(I32)
  const j = f.local(I32)
  const pEven = f.local(I32)
  const p8 = f.local(I32)
  const best = f.local(F64)
  const dist = f.local(F64)
  const inertia = f.local(F64)
  const changed = f.local(F64)
  // sb = bsums + 8·b·(k·p + k); cb = sb + 8·k·p
  f.emit(get(k), get(p), op.i32Mul, get(k), op.i32Add, set(blockLen))
  f.emit(get(bsums), get(b), get(blockLen), op.i32Mul, i32(8), op.i32Mul, op.i32Add, set(sb))
  f.emit(get(sb), get(k), get(p), op.i32Mul, i32(8), op.i32Mul, op.i32Add, set(cb))
  f.emit(get(update), op.if)
  emitZero(f, sb, blockLen)
  f.emit(op.end)
  f.emit(op.f64(0), set(inertia), op.f64(0), set(changed), get(r0), set(i))
  f.forRange(i, r1, 1, () => {
    f.emit(get(x), get(i), get(p), op.i32Mul, i32(4), op.i32Mul, op.i32Add, set(xp0))
    f.emit(op.f64(Infinity), set(best), i32(0), set(bi))
    // Branch-free argmin (`select`): the comparison is unpredictable on overlapping clusters.
    emitDots(f, { p, kpad, ct, cn, xp0 }, (c, value) => {
      f.emit(get(value), get(best), op.f64Lt, set(lt))
      f.emit(get(value), get(best), get(lt), op.select, set(best))
      f.emit(get(c), get(bi), get(lt), op.select, set(bi))
    })
    // dist = max(best + xn[i], 0)
    f.emit(get(best), get(xn), get(i), i32(8), op.i32Mul, op.i32Add, op.f64Load(), op.f64Add)
    f.emit(op.f64(0), op.f64Max, set(dist))
    f.emit(get(mind), get(i), i32(8), op.i32Mul, op.i32Add, get(dist), op.f64Store())
    f.emit(get(inertia), get(dist), op.f64Add, set(inertia))
    // if (labels[i] != bi) { changed += 1; labels[i] = bi }
    f.emit(get(labels), get(i), i32(4), op.i32Mul, op.i32Add, set(sp))
    f.emit(get(sp), op.i32Load(), get(bi), op.i32Ne, op.if)
    f.emit(
      get(changed),
      op.f64(1),
      op.f64Add,
      set(changed),
      get(sp),
      get(bi),
      op.i32Store(),
      op.end,
    )
    f.emit(get(update), op.if)
    // counts[bi] += 1
    f.emit(get(cb), get(bi), i32(8), op.i32Mul, op.i32Add, set(sp))
    f.emit(get(sp), get(sp), op.f64Load(), op.f64(1), op.f64Add, op.f64Store())
    // sums[bi·p + j] += x_j, two features at a time (f32 pair widened to f64x2), then the odd one.
    f.emit(get(sb), get(bi), get(p), op.i32Mul, i32(8), op.i32Mul, op.i32Add, set(sp))
    f.emit(get(p), i32(-2), op.i32And, set(pEven), get(p), i32(-8), op.i32And, set(p8))
    emitAddRow(f, { sp, xp, xp0, j, p, p8, pEven })
    f.emit(op.end)
  })
  f.emit(get(bres), get(b), i32(16), op.i32Mul, op.i32Add, set(sp))
  f.emit(get(sp), get(inertia), op.f64Store(0), get(sp), get(changed), op.f64Store(8))
  return f
}

/** Rows the k-means++ kernel processes together. */
const KPP_ROWS = 4

function buildCand(): FuncBuilder {
  const f = new FuncBuilder('cand', new Array<typeof I32>(11).fill(I32))
  const [b, bs, n, p, tpad4, t, x, cand32, closest, out, bpot] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
  ] as const
  const [r0, r1] = emitRange(f, b, bs, n)
  const pb = f.local(I32)
  const c0 = f.local(I32)
  const i0 = f.local(I32)
  const chunkEnd = f.local(I32)
  const rowBytes = f.local(I32)
  const kstride = f.local(I32)
  const j = f.local(I32)
  const xp = f.local(I32)
  const cp = f.local(I32)
  const sp = f.local(I32)
  const c = f.local(I32)
  const m = f.local(F64)
  const cv = f.local(V128)
  const dv = f.local(V128)
  const accs = Array.from({ length: KPP_ROWS }, () => f.local(V128))
  f.emit(get(bpot), get(b), get(t), op.i32Mul, i32(8), op.i32Mul, op.i32Add, set(pb))
  emitZero(f, pb, t)
  f.emit(get(p), i32(4), op.i32Mul, set(rowBytes), get(tpad4), i32(4), op.i32Mul, set(kstride))
  // rows [i0, i0 + rows) against candidates [c0, c0 + 4), then each row's lanes in order.
  const chunk = (rows: number): void => {
    for (let r = 0; r < rows; r++) f.emit(op.v128Zero, set(accs[r]!))
    f.emit(get(x), get(i0), get(rowBytes), op.i32Mul, op.i32Add, set(xp))
    f.emit(get(cand32), get(c0), i32(4), op.i32Mul, op.i32Add, set(cp), i32(0), set(j))
    f.forRange(j, p, 1, () => {
      f.emit(get(cp), op.v128Load(), set(cv))
      for (let r = 0; r < rows; r++) {
        f.emit(get(xp), get(rowBytes), i32(r), op.i32Mul, op.i32Add, op.v128Load32Splat())
        f.emit(get(cv), op.f32x4Sub, op.tee(dv), get(dv), op.f32x4Mul, get(accs[r]!), op.f32x4Add)
        f.emit(set(accs[r]!))
      }
      f.emit(get(xp), i32(4), op.i32Add, set(xp), get(cp), get(kstride), op.i32Add, set(cp))
    })
    for (let r = 0; r < rows; r++) {
      for (let l = 0; l < 4; l++) {
        // if (c0 + l < t) { m = min(closest[i], d); out[c·n + i] = m; pot[c] += m }
        f.emit(get(c0), i32(l), op.i32Add, op.tee(c), get(t), op.i32LtU, op.if)
        f.emit(get(closest), get(i0), i32(r), op.i32Add, i32(8), op.i32Mul, op.i32Add, op.f64Load())
        f.emit(get(accs[r]!), op.f32x4ExtractLane(l), op.f64PromoteF32, op.f64Min, set(m))
        f.emit(get(out), get(c), get(n), op.i32Mul, get(i0), op.i32Add, i32(r), op.i32Add)
        f.emit(i32(8), op.i32Mul, op.i32Add, get(m), op.f64Store())
        f.emit(get(pb), get(c), i32(8), op.i32Mul, op.i32Add, set(sp))
        f.emit(get(sp), get(sp), op.f64Load(), get(m), op.f64Add, op.f64Store(), op.end)
      }
    }
  }
  f.emit(i32(0), set(c0))
  f.emit(op.block, op.loop, get(c0), get(t), op.i32GeU, op.brIf(1))
  f.emit(get(r0), set(i0))
  f.emit(op.block, op.loop, get(i0), get(r1), op.i32GeU, op.brIf(1))
  f.emit(get(i0), i32(KPP_ROWS), op.i32Add, set(chunkEnd))
  f.emit(get(chunkEnd), get(r1), op.i32GtU, op.if)
  chunk(1)
  f.emit(get(i0), i32(1), op.i32Add, set(chunkEnd), op.else)
  chunk(KPP_ROWS)
  f.emit(op.end, get(chunkEnd), set(i0), op.br(0), op.end, op.end)
  f.emit(get(c0), i32(4), op.i32Add, set(c0), op.br(0), op.end, op.end)
  return f
}

function buildNorms(): FuncBuilder {
  const f = new FuncBuilder('norms', new Array<typeof I32>(8).fill(I32))
  const [b, bs, n, p, x, xn, shift, bss] = [0, 1, 2, 3, 4, 5, 6, 7] as const
  const [r0, r1] = emitRange(f, b, bs, n)
  const i = f.local(I32)
  const j = f.local(I32)
  const sb = f.local(I32)
  const twoP = f.local(I32)
  const xp = f.local(I32)
  const sp = f.local(I32)
  const mp = f.local(I32)
  const s = f.local(F64)
  const xv = f.local(F64)
  const d = f.local(F64)
  f.emit(get(p), i32(2), op.i32Mul, set(twoP))
  f.emit(get(bss), get(b), get(twoP), op.i32Mul, i32(8), op.i32Mul, op.i32Add, set(sb))
  emitZero(f, sb, twoP)
  f.emit(get(r0), set(i))
  f.forRange(i, r1, 1, () => {
    f.emit(get(x), get(i), get(p), op.i32Mul, i32(4), op.i32Mul, op.i32Add, set(xp))
    f.emit(op.f64(0), set(s), get(sb), set(sp), get(shift), set(mp), i32(0), set(j))
    f.forRange(j, p, 1, () => {
      f.emit(get(xp), op.f32Load(), op.f64PromoteF32, set(xv))
      f.emit(get(s), get(xv), get(xv), op.f64Mul, op.f64Add, set(s))
      f.emit(get(xv), get(mp), op.f64Load(), op.f64Sub, set(d))
      f.emit(get(sp), get(sp), op.f64Load(), get(d), op.f64Add, op.f64Store())
      f.emit(get(sp), get(p), i32(8), op.i32Mul, op.i32Add, set(mp))
      f.emit(get(mp), get(mp), op.f64Load(), get(d), get(d), op.f64Mul, op.f64Add, op.f64Store())
      f.emit(get(xp), i32(4), op.i32Add, set(xp), get(sp), i32(8), op.i32Add, set(sp))
      f.emit(get(shift), get(j), i32(1), op.i32Add, i32(8), op.i32Mul, op.i32Add, set(mp))
    })
    f.emit(get(xn), get(i), i32(8), op.i32Mul, op.i32Add, get(s), op.f64Store())
  })
  return f
}

/**
 * Emits float32 dot products of `rows` rows (row `r` at the address `rowAddr(r)` pushes) with all `kpad4` centers (`ct32`, groups of 8 then 4) and stores `‖c‖² − 2x·c` for row `r`
 * and center `c` at `scratch + 4(r·kpad4 + c)` (float32). Several rows share each load of the
 * centers and run independent accumulators, so the additions overlap instead of waiting on
 * one another.
 */
function emitDots32(
  f: FuncBuilder,
  a: {
    p: number
    kpad4: number
    ct32: number
    cn32: number
    scratch: number
  },
  rows: number,
  rowAddr: (r: number) => void,
): void {
  const c0 = f.local(I32)
  const j = f.local(I32)
  const cp = f.local(I32)
  const cp2 = f.local(I32)
  const kstride = f.local(I32)
  const kstride2 = f.local(I32)
  const pEven = f.local(I32)
  const sp = f.local(I32)
  const xv = f.local(V128)
  const cv = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)]
  const xps = Array.from({ length: rows }, () => f.local(I32))
  const accs = Array.from({ length: rows }, () => [f.local(V128), f.local(V128)])
  f.emit(get(a.kpad4), i32(4), op.i32Mul, set(kstride), i32(0), set(c0))
  f.emit(get(kstride), i32(2), op.i32Mul, set(kstride2), get(a.p), i32(-2), op.i32And, set(pEven))
  // acc[r][q] += x[r][j + h] · c[j + h][q]  (h = 0, 1: two features per pass, center loads shared)
  const step = (g: number, h: number): void => {
    for (let r = 0; r < rows; r++) {
      f.emit(get(xps[r]!), op.v128Load32Splat(4 * h), set(xv))
      for (let q = 0; q < g; q++) {
        f.emit(get(accs[r]![q]!), get(xv), get(cv[2 * h + q]!), op.f32x4Mul, op.f32x4Add)
        f.emit(set(accs[r]![q]!))
      }
    }
  }
  const group = (g: number): void => {
    f.emit(op.block, op.loop, get(c0), i32(4 * g), op.i32Add, get(a.kpad4), op.i32GtU, op.brIf(1))
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < g; q++) f.emit(op.v128Zero, set(accs[r]![q]!))
      rowAddr(r)
      f.emit(set(xps[r]!))
    }
    f.emit(get(a.ct32), get(c0), i32(4), op.i32Mul, op.i32Add, set(cp))
    f.emit(get(cp), get(kstride), op.i32Add, set(cp2), i32(0), set(j))
    f.forRange(j, pEven, 2, () => {
      for (let q = 0; q < g; q++) f.emit(get(cp), op.v128Load(16 * q), set(cv[q]!))
      for (let q = 0; q < g; q++) f.emit(get(cp2), op.v128Load(16 * q), set(cv[2 + q]!))
      step(g, 0)
      step(g, 1)
      for (let r = 0; r < rows; r++) f.emit(get(xps[r]!), i32(8), op.i32Add, set(xps[r]!))
      f.emit(get(cp), get(kstride2), op.i32Add, set(cp), get(cp2), get(kstride2), op.i32Add)
      f.emit(set(cp2))
    })
    f.emit(get(pEven), get(a.p), op.i32Ne, op.if)
    for (let q = 0; q < g; q++) f.emit(get(cp), op.v128Load(16 * q), set(cv[q]!))
    step(g, 0)
    f.emit(op.end)
    for (let r = 0; r < rows; r++) {
      // sp = scratch + 4·(r·kpad4 + c0)
      f.emit(get(a.scratch), get(kstride), i32(r), op.i32Mul, op.i32Add)
      f.emit(get(c0), i32(4), op.i32Mul, op.i32Add, set(sp))
      for (let q = 0; q < g; q++) {
        // scratch[r][c0 + 4q ..] = cn32[c0 + 4q ..] − (acc + acc)
        f.emit(get(sp), get(a.cn32), get(c0), i32(4), op.i32Mul, op.i32Add, op.v128Load(16 * q))
        f.emit(get(accs[r]![q]!), get(accs[r]![q]!), op.f32x4Add, op.f32x4Sub, op.v128Store(16 * q))
      }
    }
    f.emit(get(c0), i32(4 * g), op.i32Add, set(c0), op.br(0), op.end, op.end)
  }
  group(2)
  group(1)
}

/** `i8x16.shuffle` lanes that swap the two f64 halves / neighbouring f32 lanes of a vector. */
const swapHalves = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]
const swapPairs = [4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11]

/** Rows screened together by the Lloyd kernel (each block's scratch holds this many rows). */
export const LLOYD_ROWS = 4

function buildLloyd(): FuncBuilder {
  const f = new FuncBuilder('lloyd', new Array<typeof I32>(19).fill(I32))
  const [b, bs, n, p, kpad, k, x, xn, ct, cn, labels, , bsums, bres] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
  ] as const
  const [kpad4, ct32, cn32, consts, scratchBase] = [14, 15, 16, 17, 18] as const
  const [r0, r1] = emitRange(f, b, bs, n)
  const i = f.local(I32)
  const sb = f.local(I32)
  const cb = f.local(I32)
  const blockLen = f.local(I32)
  const xp0 = f.local(I32)
  const bi = f.local(I32)
  const lt = f.local(I32)
  const sp = f.local(I32)
  const xp = f.local(I32)
  const j = f.local(I32)
  const pEven = f.local(I32)
  const p8 = f.local(I32)
  const scratch = f.local(I32)
  const sc = f.local(I32)
  const i0 = f.local(I32)
  const chunkEnd = f.local(I32)
  const rowBytes = f.local(I32)
  const q = f.local(I32)
  const nq = f.local(I32)
  const mask = f.local(I32)
  const count = f.local(I32)
  const first = f.local(I32)
  const best = f.local(F64)
  const bound = f.local(F64)
  const changed = f.local(F64)
  const fallbacks = f.local(F64)
  const mv = f.local(V128)
  const thr = f.local(V128)
  f.emit(get(k), get(p), op.i32Mul, get(k), op.i32Add, set(blockLen))
  f.emit(get(bsums), get(b), get(blockLen), op.i32Mul, i32(8), op.i32Mul, op.i32Add, set(sb))
  f.emit(get(sb), get(k), get(p), op.i32Mul, i32(8), op.i32Mul, op.i32Add, set(cb))
  // scratch = scratchBase + 4·b·kpad4·LLOYD_ROWS
  f.emit(get(scratchBase), get(b), get(kpad4), op.i32Mul, i32(4 * LLOYD_ROWS), op.i32Mul)
  f.emit(op.i32Add, set(scratch))
  f.emit(get(kpad4), i32(4), op.i32Mul, set(nq))
  emitZero(f, sb, blockLen)
  f.emit(op.f64(0), set(changed), op.f64(0), set(fallbacks), get(r0), set(i0))
  f.emit(get(p), i32(-2), op.i32And, set(pEven), get(p), i32(-8), op.i32And, set(p8))
  f.emit(get(p), i32(4), op.i32Mul, set(rowBytes))
  const dots = { p, kpad4, ct32, cn32, scratch: sc }
  const nextRow = (r: number): void => {
    f.emit(get(xp0), get(rowBytes), i32(r), op.i32Mul, op.i32Add)
  }
  // Chunks of LLOYD_ROWS rows: screen them together, then finish each row in order.
  f.emit(op.block, op.loop, get(i0), get(r1), op.i32GeU, op.brIf(1))
  f.emit(get(scratch), set(sc), get(x), get(i0), get(rowBytes), op.i32Mul, op.i32Add, set(xp0))
  f.emit(get(i0), i32(LLOYD_ROWS), op.i32Add, set(chunkEnd))
  f.emit(get(chunkEnd), get(r1), op.i32GtU, op.i32Eqz, op.if)
  emitDots32(f, dots, LLOYD_ROWS, nextRow)
  f.emit(op.else, get(r1), set(chunkEnd), get(i0), set(i))
  f.forRange(i, chunkEnd, 1, () => {
    emitDots32(f, dots, 1, nextRow)
    f.emit(get(sc), get(nq), op.i32Add, set(sc), get(xp0), get(rowBytes), op.i32Add, set(xp0))
  })
  f.emit(op.end, get(i0), set(i), get(scratch), set(sc))
  f.forRange(i, chunkEnd, 1, () => {
    f.emit(get(x), get(i), get(rowBytes), op.i32Mul, op.i32Add, set(xp0))
    // mv = the smallest float32 distance, in every lane.
    f.emit(get(sc), op.v128Load(), set(mv), i32(16), set(q))
    f.forRange(q, nq, 16, () => {
      f.emit(get(mv), get(sc), get(q), op.i32Add, op.v128Load(), op.f32x4Min, set(mv))
    })
    f.emit(get(mv), get(mv), op.i8x16Shuffle(swapHalves), get(mv), op.f32x4Min, set(mv))
    f.emit(get(mv), get(mv), op.i8x16Shuffle(swapPairs), get(mv), op.f32x4Min, set(mv))
    // thr = min + 2·(consts[0]·‖x‖ + consts[1]): every center within it could be the nearest.
    f.emit(get(consts), op.f64Load(0), get(xn), get(i), i32(8), op.i32Mul, op.i32Add, op.f64Load())
    f.emit(op.f64Sqrt, op.f64Mul, get(consts), op.f64Load(8), op.f64Add, set(bound))
    f.emit(get(mv), op.f32x4ExtractLane(0), op.f64PromoteF32, get(bound), get(bound), op.f64Add)
    f.emit(op.f64Add, op.f32DemoteF64, op.f32x4Splat, set(thr))
    f.emit(i32(0), set(count), i32(-1), set(first), i32(0), set(q))
    f.forRange(q, nq, 16, () => {
      f.emit(get(sc), get(q), op.i32Add, op.v128Load(), get(thr), op.f32x4Le)
      f.emit(op.i32x4Bitmask, set(mask), get(count), get(mask), op.i32Popcnt, op.i32Add, set(count))
      // if (first < 0 && mask != 0) first = q/4 + ctz(mask)   (q counts bytes)
      f.emit(get(first), i32(0), op.i32LtS, get(mask), i32(0), op.i32Ne, op.i32And, op.if)
      f.emit(get(q), i32(2), op.i32ShrU, get(mask), op.i32Ctz, op.i32Add, set(first), op.end)
    })
    f.emit(get(count), i32(1), op.i32Eq, op.if, get(first), set(bi), op.else)
    f.emit(get(fallbacks), op.f64(1), op.f64Add, set(fallbacks))
    f.emit(op.f64(Infinity), set(best), i32(0), set(bi))
    emitDots(f, { p, kpad, ct, cn, xp0 }, (c, value) => {
      f.emit(get(value), get(best), op.f64Lt, set(lt))
      f.emit(get(value), get(best), get(lt), op.select, set(best))
      f.emit(get(c), get(bi), get(lt), op.select, set(bi))
    })
    f.emit(op.end)
    f.emit(get(labels), get(i), i32(4), op.i32Mul, op.i32Add, set(sp))
    f.emit(get(sp), op.i32Load(), get(bi), op.i32Ne, op.if)
    f.emit(
      get(changed),
      op.f64(1),
      op.f64Add,
      set(changed),
      get(sp),
      get(bi),
      op.i32Store(),
      op.end,
    )
    f.emit(get(cb), get(bi), i32(8), op.i32Mul, op.i32Add, set(sp))
    f.emit(get(sp), get(sp), op.f64Load(), op.f64(1), op.f64Add, op.f64Store())
    f.emit(get(sb), get(bi), get(p), op.i32Mul, i32(8), op.i32Mul, op.i32Add, set(sp))
    emitAddRow(f, { sp, xp, xp0, j, p, p8, pEven })
    f.emit(get(sc), get(nq), op.i32Add, set(sc))
  })
  f.emit(get(chunkEnd), set(i0), op.br(0), op.end, op.end)
  f.emit(get(bres), get(b), i32(16), op.i32Mul, op.i32Add, set(sp))
  f.emit(get(sp), get(fallbacks), op.f64Store(0), get(sp), get(changed), op.f64Store(8))
  return f
}

/** Listed rows whose cache lines the bounded kernel requests together (a power of 2, ≥ LLOYD_ROWS). */
const TOUCH_ROWS = 16

function buildBounded(): FuncBuilder {
  const f = new FuncBuilder('bounded', new Array<typeof I32>(23).fill(I32))
  const [b, bs, n, p, kpad, k, x, xn, ct, cn, labels, bsums, bres] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
  ] as const
  const [kpad4, ct32, cn32, consts, scratchBase, ub, lb, cinfo, list, full] = [
    13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
  ] as const
  const [r0, r1] = emitRange(f, b, bs, n)
  const i = f.local(I32)
  const sb = f.local(I32)
  const cb = f.local(I32)
  const blockLen = f.local(I32)
  const xp0 = f.local(I32)
  const bi = f.local(I32)
  const old = f.local(I32)
  const lt = f.local(I32)
  const sp = f.local(I32)
  const xp = f.local(I32)
  const j = f.local(I32)
  const pEven = f.local(I32)
  const p8 = f.local(I32)
  const scratch = f.local(I32)
  const sc = f.local(I32)
  const rowBytes = f.local(I32)
  const nq = f.local(I32)
  const lp = f.local(I32)
  const cnt = f.local(I32)
  const t = f.local(I32)
  const t0 = f.local(I32)
  const chunkEnd = f.local(I32)
  const c = f.local(I32)
  const u = f.local(F64)
  const l = f.local(F64)
  const best = f.local(F64)
  const second = f.local(F64)
  const xnv = f.local(F64)
  const bnd2 = f.local(F64)
  const changed = f.local(F64)
  const mask = f.local(I32)
  const touch = f.local(F64)
  const mv = f.local(V128)
  const sv = f.local(V128)
  const vv = f.local(V128)
  f.emit(get(k), get(p), op.i32Mul, get(k), op.i32Add, set(blockLen))
  f.emit(get(bsums), get(b), get(blockLen), op.i32Mul, i32(8), op.i32Mul, op.i32Add, set(sb))
  f.emit(get(sb), get(k), get(p), op.i32Mul, i32(8), op.i32Mul, op.i32Add, set(cb))
  f.emit(get(scratchBase), get(b), get(kpad4), op.i32Mul, i32(4 * LLOYD_ROWS), op.i32Mul)
  f.emit(op.i32Add, set(scratch), get(kpad4), i32(4), op.i32Mul, set(nq))
  f.emit(get(p), i32(-2), op.i32And, set(pEven), get(p), i32(-8), op.i32And, set(p8))
  f.emit(get(p), i32(4), op.i32Mul, set(rowBytes), op.f64(0), set(changed))
  f.emit(get(list), get(r0), i32(4), op.i32Mul, op.i32Add, set(lp), i32(0), set(cnt))
  f.emit(get(full), op.if)
  emitZero(f, sb, blockLen)
  f.emit(op.end)
  const push = (): void => {
    f.emit(get(lp), get(cnt), i32(4), op.i32Mul, op.i32Add, get(i), op.i32Store())
    f.emit(get(cnt), i32(1), op.i32Add, set(cnt))
  }
  const at8 = (base: number): void => {
    f.emit(get(base), get(i), i32(8), op.i32Mul, op.i32Add)
  }
  // Pass 1: move the bounds; list the rows they can't settle.
  f.emit(get(r0), set(i))
  f.forRange(i, r1, 1, () => {
    f.emit(get(full), op.if)
    push()
    f.emit(op.else)
    // sp = cinfo + 24·labels[i]
    f.emit(get(labels), get(i), i32(4), op.i32Mul, op.i32Add, op.i32Load(), i32(24), op.i32Mul)
    f.emit(get(cinfo), op.i32Add, set(sp))
    at8(ub)
    f.emit(op.f64Load(), get(sp), op.f64Load(0), op.f64Add, set(u))
    at8(lb)
    f.emit(op.f64Load(), get(sp), op.f64Load(8), op.f64Sub, set(l))
    f.emit(get(u), get(l), get(sp), op.f64Load(16), op.f64Max, op.f64Lt, op.if)
    at8(ub)
    f.emit(get(u), op.f64Store())
    at8(lb)
    f.emit(get(l), op.f64Store(), op.else)
    push()
    f.emit(op.end, op.end)
  })
  // Pass 2: assign the listed rows, four at a time through the float32 screen.
  const dots = { p, kpad4, ct32, cn32, scratch: sc }
  const listed = (tl: number, r: number): void => {
    f.emit(get(x), get(lp), get(tl), i32(4), op.i32Mul, op.i32Add, op.i32Load(4 * r))
    f.emit(get(rowBytes), op.i32Mul, op.i32Add)
  }
  const track = (value: number, cl: number): void => {
    // second = value < best ? best : min(second, value); then best, bi
    f.emit(get(value), get(best), op.f64Lt, set(lt))
    f.emit(get(best), get(second), get(value), op.f64Min, get(lt), op.select, set(second))
    f.emit(get(value), get(best), get(lt), op.select, set(best))
    f.emit(get(cl), get(bi), get(lt), op.select, set(bi))
  }
  f.emit(i32(0), set(t0))
  f.emit(op.block, op.loop, get(t0), get(cnt), op.i32GeU, op.brIf(1))
  f.emit(get(scratch), set(sc), get(t0), i32(LLOYD_ROWS), op.i32Add, set(chunkEnd))
  // Every TOUCH_ROWS listed rows, read a word from each cache line of the next TOUCH_ROWS rows
  // (first, middle and last feature, and ‖x‖²) back to back: the listed rows are scattered, out
  // of the hardware prefetcher's reach, and their cache misses then overlap one another instead
  // of stalling each chunk of LLOYD_ROWS in turn (about a third off a step at 15% listed rows).
  // A full step lists every row in order: the hardware prefetcher has them, no touching.
  f.emit(get(t0), i32(TOUCH_ROWS - 1), op.i32And, op.i32Eqz, get(full), op.i32Eqz, op.i32And, op.if)
  f.emit(get(cnt), i32(1), op.i32Sub, set(c))
  for (let r = 0; r < TOUCH_ROWS; r++) {
    // i = list[min(t0 + r, cnt − 1)]; sp = x + rowBytes·i; touch += x[i][0, mid, p − 1] + xn[i]
    f.emit(get(t0), i32(r), op.i32Add, op.tee(t), get(c), get(t), get(c), op.i32LtU, op.select)
    f.emit(i32(4), op.i32Mul, get(lp), op.i32Add, op.i32Load(), set(i))
    f.emit(get(i), get(rowBytes), op.i32Mul, get(x), op.i32Add, set(sp))
    f.emit(get(sp), op.f32Load(), op.f64PromoteF32, get(sp), get(rowBytes), op.i32Add, i32(4))
    f.emit(op.i32Sub, op.f32Load(), op.f64PromoteF32, op.f64Add, get(sp), get(rowBytes), i32(1))
    f.emit(op.i32ShrU, i32(-4), op.i32And, op.i32Add, op.f32Load(), op.f64PromoteF32, op.f64Add)
    at8(xn)
    f.emit(op.f64Load(), op.f64Add, get(touch), op.f64Add, set(touch))
  }
  f.emit(op.end)
  f.emit(get(chunkEnd), get(cnt), op.i32GtU, op.i32Eqz, op.if)
  emitDots32(f, dots, LLOYD_ROWS, (r) => {
    listed(t0, r)
  })
  f.emit(op.else, get(cnt), set(chunkEnd), get(t0), set(t))
  f.forRange(t, chunkEnd, 1, () => {
    emitDots32(f, dots, 1, () => {
      listed(t, 0)
    })
    f.emit(get(sc), get(nq), op.i32Add, set(sc))
  })
  f.emit(op.end, get(t0), set(t), get(scratch), set(sc))
  f.forRange(t, chunkEnd, 1, () => {
    f.emit(get(lp), get(t), i32(4), op.i32Mul, op.i32Add, op.i32Load(), set(i))
    f.emit(get(x), get(i), get(rowBytes), op.i32Mul, op.i32Add, set(xp0))
    at8(xn)
    f.emit(op.f64Load(), set(xnv))
    // bnd2 = 2·(consts[0]·‖x‖ + consts[1])
    f.emit(get(consts), op.f64Load(0), get(xnv), op.f64Sqrt, op.f64Mul, get(consts))
    f.emit(op.f64Load(8), op.f64Add, set(bnd2), get(bnd2), get(bnd2), op.f64Add, set(bnd2))
    // The two smallest float32 values (lane-wise min and second min, then across lanes), and
    // the first center holding the smallest.
    f.emit(
      get(sc),
      op.v128Load(),
      set(mv),
      op.f64(Infinity),
      op.f32DemoteF64,
      op.f32x4Splat,
      set(sv),
      i32(16),
      set(c),
    )
    f.forRange(c, nq, 16, () => {
      f.emit(get(sc), get(c), op.i32Add, op.v128Load(), set(vv))
      f.emit(get(sv), get(mv), get(vv), op.f32x4Max, op.f32x4Min, set(sv))
      f.emit(get(mv), get(vv), op.f32x4Min, set(mv))
    })
    for (const lanes of [swapPairs, swapHalves]) {
      f.emit(get(mv), get(mv), op.i8x16Shuffle(lanes), set(vv))
      f.emit(get(sv), get(sv), get(sv), op.i8x16Shuffle(lanes), op.f32x4Min, get(mv), get(vv))
      f.emit(op.f32x4Max, op.f32x4Min, set(sv), get(mv), get(vv), op.f32x4Min, set(mv))
    }
    f.emit(get(mv), op.f32x4ExtractLane(0), op.f64PromoteF32, set(best))
    f.emit(get(sv), op.f32x4ExtractLane(0), op.f64PromoteF32, set(second))
    f.emit(i32(-1), set(bi), i32(0), set(c))
    f.forRange(c, nq, 16, () => {
      f.emit(get(sc), get(c), op.i32Add, op.v128Load(), get(mv), op.f32x4Le, op.i32x4Bitmask)
      f.emit(set(mask), get(bi), i32(0), op.i32LtS, get(mask), i32(0), op.i32Ne, op.i32And, op.if)
      f.emit(get(c), i32(2), op.i32ShrU, get(mask), op.i32Ctz, op.i32Add, set(bi), op.end)
    })
    // Within twice the float32 bound: redo in float64.
    f.emit(get(second), get(best), op.f64Sub, get(bnd2), op.f64Gt, op.i32Eqz, op.if)
    f.emit(op.f64(Infinity), set(best), op.f64(Infinity), set(second), i32(0), set(bi))
    emitDots(f, { p, kpad, ct, cn, xp0 }, (cl, value) => {
      track(value, cl)
    })
    f.emit(op.end)
    // ub = √max(best + ‖x‖² + bnd2, 0); lb = √max(second + ‖x‖² − bnd2, 0)
    at8(ub)
    f.emit(get(best), get(xnv), op.f64Add, get(bnd2), op.f64Add, op.f64(0), op.f64Max, op.f64Sqrt)
    f.emit(op.f64Store())
    at8(lb)
    f.emit(get(second), get(xnv), op.f64Add, get(bnd2), op.f64Sub, op.f64(0), op.f64Max)
    f.emit(op.f64Sqrt, op.f64Store())
    f.emit(get(labels), get(i), i32(4), op.i32Mul, op.i32Add, set(sp))
    f.emit(get(sp), op.i32Load(), set(old))
    f.emit(get(old), get(bi), op.i32Ne, op.if)
    f.emit(get(changed), op.f64(1), op.f64Add, set(changed), get(sp), get(bi), op.i32Store())
    f.emit(get(full), op.i32Eqz, op.if)
    f.emit(get(cb), get(old), i32(8), op.i32Mul, op.i32Add, set(sp))
    f.emit(get(sp), get(sp), op.f64Load(), op.f64(1), op.f64Sub, op.f64Store())
    f.emit(get(sb), get(old), get(p), op.i32Mul, i32(8), op.i32Mul, op.i32Add, set(sp))
    emitAddRow(f, { sp, xp, xp0, j, p, p8, pEven }, true)
    f.emit(op.end, op.end)
    f.emit(get(full), get(old), get(bi), op.i32Ne, op.i32Or, op.if)
    f.emit(get(cb), get(bi), i32(8), op.i32Mul, op.i32Add, set(sp))
    f.emit(get(sp), get(sp), op.f64Load(), op.f64(1), op.f64Add, op.f64Store())
    f.emit(get(sb), get(bi), get(p), op.i32Mul, i32(8), op.i32Mul, op.i32Add, set(sp))
    emitAddRow(f, { sp, xp, xp0, j, p, p8, pEven })
    f.emit(op.end)
    f.emit(get(sc), get(nq), op.i32Add, set(sc))
  })
  f.emit(get(chunkEnd), set(t0), op.br(0), op.end, op.end)
  // The touched values go to the block's scratch, which nothing reads after this: the loads stay.
  f.emit(get(scratch), get(touch), op.f64Store())
  f.emit(get(bres), get(b), i32(16), op.i32Mul, op.i32Add, set(sp))
  f.emit(get(sp), get(cnt), op.f64ConvertI32U, op.f64Store(0), get(sp), get(changed))
  f.emit(op.f64Store(8))
  return f
}

/** The kernels' memory: shared (the pool's threads run on it), imported as `env.memory`. */
const CLUSTER_MEMORY = { name: 'memory', minPages: 1, maxPages: 65536, shared: true } as const

let compiled: WasmModule | null | undefined

/**
 * The compiled kernel module, or `null` where WebAssembly SIMD is unavailable (the caller then
 * uses {@link JS_KERNELS}). Compiled once per thread.
 */
export function kernelModule(): WasmModule | null {
  if (compiled !== undefined) return compiled
  const api = wasmApi()
  try {
    compiled =
      api === undefined
        ? null
        : new api.Module(
            encodeModule(
              [buildAssign(), buildCand(), buildNorms(), buildLloyd(), buildBounded()],
              CLUSTER_MEMORY,
            ),
          )
  } catch {
    compiled = null
  }
  return compiled
}
