/**
 * The inner loops of the cross-product pass (`../cross-products.ts`): f32→f64 promotion with a
 * shift, column sums, √w scaling, and blocks of column dot products (4×2 tiles and 4×4
 * triangles), in two bit-identical implementations: WebAssembly SIMD (`f64x2`, about 8× the
 * plain-JS fallback here) and plain JS (for hosts without WebAssembly, and to test the SIMD code
 * against).
 *
 * ## Method
 * Every reduction runs over row pairs: lane 0 sums the even rows and lane 1 the odd rows, each in
 * row order, and the result is `lane0 + lane1`. The JS version keeps the same two running sums,
 * so both give the same bits (multiplies and adds are separate IEEE operations in both; no
 * fused multiply-add), whichever kernel computes an entry. Offsets are in bytes of one memory.
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
  type WasmApi,
  type WasmModule,
} from '../../../base/index.js'

/**
 * The kernels over one memory. All offsets are byte offsets, 16-byte aligned; `nBytes` is 16 per
 * row pair (so the WebAssembly exports serve as they are, on any thread).
 */
export interface ChunkKernels {
  /** `dst[i] = f64(src[i]) − k` for `nBytes / 8` values (`src` f32, `dst` f64); returns `Σ dst[i]`. */
  readonly loadShift32: (src: number, dst: number, nBytes: number, k: number) => number
  /** `x[i] = x[i] − k` in place; returns `Σ x[i]` (after the shift). */
  readonly shift: (x: number, nBytes: number, k: number) => number
  /** `x[i] = x[i] · s[i]` in place; returns `Σ s[i] · x[i]` (after the scaling). */
  readonly scaleDot: (x: number, s: number, nBytes: number) => number
  /**
   * The 10 dot products among columns `a0…a3` (the upper triangle of their 4×4 block, diagonal
   * included), written as f64 at `out` in the order `00, 01, 02, 03, 11, 12, 13, 22, 23, 33`.
   */
  readonly tri4: (
    a0: number,
    a1: number,
    a2: number,
    a3: number,
    nBytes: number,
    out: number,
  ) => unknown
  /**
   * The 8 dot products of columns `a0…a3` with `b0, b1`, written as f64 at `out` in the order
   * `a0·b0, a0·b1, a1·b0, a1·b1, …`.
   */
  readonly tile42: (
    a0: number,
    a1: number,
    a2: number,
    a3: number,
    b0: number,
    b1: number,
    nBytes: number,
    out: number,
  ) => unknown
}

/** {@link ChunkKernels} with their memory's views and a dot product. */
export interface GramKernels extends ChunkKernels {
  readonly backend: 'wasm' | 'js'
  readonly f64: Float64Array
  readonly f32: Float32Array
  /** The dot product of two f64 vectors of `nBytes / 8` values. */
  readonly dot: (a: number, b: number, nBytes: number) => number
}

/** The (row, column) pairs of {@link GramKernels.tri4}, in output order. */
export const TRI_PAIRS: readonly (readonly [number, number])[] = [
  [0, 0],
  [0, 1],
  [0, 2],
  [0, 3],
  [1, 1],
  [1, 2],
  [1, 3],
  [2, 2],
  [2, 3],
  [3, 3],
]

function buildModule(shared: boolean): Uint8Array {
  const { get, set, i32 } = op
  // Each reduction keeps one f64x2 accumulator: lane 0 over even rows, lane 1 over odd rows.
  const lanesSum = (acc: number): (readonly number[])[] => [
    get(acc),
    op.f64x2ExtractLane(0),
    get(acc),
    op.f64x2ExtractLane(1),
    op.f64Add,
  ]
  const loadShift32 = new FuncBuilder('loadShift32', [I32, I32, I32, F64], F64)
  {
    const f = loadShift32
    const [src, dst, n, k] = [0, 1, 2, 3]
    const i = f.local(I32)
    const acc = f.local(V128)
    const kk = f.local(V128)
    const v = f.local(V128)
    f.emit(op.v128Zero, set(acc), get(k), op.f64x2Splat, set(kk))
    f.forSteps(i, n, 16, () => {
      f.emit(get(src), op.v128Load64Zero(), op.f64x2PromoteLowF32x4, get(kk), op.f64x2Sub, set(v))
      f.emit(get(dst), get(i), op.i32Add, get(v), op.v128Store())
      f.emit(get(acc), get(v), op.f64x2Add, set(acc))
      f.emit(get(src), i32(8), op.i32Add, set(src))
    })
    f.emit(...lanesSum(acc))
  }
  const shift = new FuncBuilder('shift', [I32, I32, F64], F64)
  {
    const f = shift
    const [x, n, k] = [0, 1, 2]
    const i = f.local(I32)
    const acc = f.local(V128)
    const kk = f.local(V128)
    const v = f.local(V128)
    const p = f.local(I32)
    f.emit(op.v128Zero, set(acc), get(k), op.f64x2Splat, set(kk))
    f.forSteps(i, n, 16, () => {
      f.emit(get(x), get(i), op.i32Add, set(p))
      f.emit(get(p), op.v128Load(), get(kk), op.f64x2Sub, set(v))
      f.emit(get(p), get(v), op.v128Store())
      f.emit(get(acc), get(v), op.f64x2Add, set(acc))
    })
    f.emit(...lanesSum(acc))
  }
  const scaleDot = new FuncBuilder('scaleDot', [I32, I32, I32], F64)
  {
    const f = scaleDot
    const [x, s, n] = [0, 1, 2]
    const i = f.local(I32)
    const acc = f.local(V128)
    const sv = f.local(V128)
    const v = f.local(V128)
    const p = f.local(I32)
    f.emit(op.v128Zero, set(acc))
    f.forSteps(i, n, 16, () => {
      f.emit(get(x), get(i), op.i32Add, set(p))
      f.emit(get(s), get(i), op.i32Add, op.v128Load(), set(sv))
      f.emit(get(p), op.v128Load(), get(sv), op.f64x2Mul, set(v))
      f.emit(get(p), get(v), op.v128Store())
      f.emit(get(acc), get(sv), get(v), op.f64x2Mul, op.f64x2Add, set(acc))
    })
    f.emit(...lanesSum(acc))
  }
  const dot = new FuncBuilder('dot', [I32, I32, I32], F64)
  {
    const f = dot
    const [a, b, n] = [0, 1, 2]
    const i = f.local(I32)
    const acc = f.local(V128)
    f.emit(op.v128Zero, set(acc))
    f.forSteps(i, n, 16, () => {
      f.emit(get(acc))
      f.emit(get(a), get(i), op.i32Add, op.v128Load())
      f.emit(get(b), get(i), op.i32Add, op.v128Load())
      f.emit(op.f64x2Mul, op.f64x2Add, set(acc))
    })
    f.emit(...lanesSum(acc))
  }
  const tile = new FuncBuilder('tile42', new Array<typeof I32>(8).fill(I32))
  {
    // Params 0–3: a columns, 4–5: b columns, 6: byte count, 7: out. 8 accumulators plus 6
    // loaded vectors stay within the 15 SIMD registers V8 allocates on x64 (4×2 measured
    // fastest of 2×2…4×4 at 28 features).
    const n = 6
    const out = 7
    const i = tile.local(I32)
    const acc = Array.from({ length: 8 }, () => tile.local(V128))
    const va = Array.from({ length: 4 }, () => tile.local(V128))
    const vb = Array.from({ length: 2 }, () => tile.local(V128))
    for (const s of acc) tile.emit(op.v128Zero, set(s))
    tile.forSteps(i, n, 16, () => {
      for (let b = 0; b < 2; b++)
        tile.emit(get(4 + b), get(i), op.i32Add, op.v128Load(), set(vb[b]!))
      for (let a = 0; a < 4; a++) tile.emit(get(a), get(i), op.i32Add, op.v128Load(), set(va[a]!))
      for (let a = 0; a < 4; a++) {
        for (let b = 0; b < 2; b++) {
          const s = acc[a * 2 + b]!
          tile.emit(get(s), get(va[a]!), get(vb[b]!), op.f64x2Mul, op.f64x2Add, set(s))
        }
      }
    })
    acc.forEach((s, k) => tile.emit(get(out), ...lanesSum(s), op.f64Store(k * 8)))
  }
  const tri = new FuncBuilder('tri4', new Array<typeof I32>(6).fill(I32))
  {
    // Params 0–3: the columns, 4: byte count, 5: out. 10 accumulators plus 4 loaded vectors.
    const n = 4
    const out = 5
    const i = tri.local(I32)
    const acc = TRI_PAIRS.map(() => tri.local(V128))
    const va = Array.from({ length: 4 }, () => tri.local(V128))
    for (const s of acc) tri.emit(op.v128Zero, set(s))
    tri.forSteps(i, n, 16, () => {
      for (let a = 0; a < 4; a++) tri.emit(get(a), get(i), op.i32Add, op.v128Load(), set(va[a]!))
      TRI_PAIRS.forEach(([a, b], k) => {
        const s = acc[k]!
        tri.emit(get(s), get(va[a]!), get(va[b]!), op.f64x2Mul, op.f64x2Add, set(s))
      })
    })
    acc.forEach((s, k) => tri.emit(get(out), ...lanesSum(s), op.f64Store(k * 8)))
  }
  const funcs = [loadShift32, shift, scaleDot, dot, tile, tri]
  return encodeModule(
    funcs,
    shared
      ? { name: 'mem', minPages: 1, maxPages: 65536, shared: true }
      : { name: 'mem', minPages: 1 },
  )
}

// Compiled once per process and reused (one module for a private memory, one importing a shared
// memory): a WebAssembly.Module is immutable, so this memo holds no state a caller could observe.
// `null` records that this host cannot compile it.
const compiled: { private?: WasmModule | null; shared?: WasmModule | null } = {}

/**
 * The kernels' module, for a private memory or (`shared`) for a shared one that worker threads
 * instantiate too; `null` where the host cannot compile it.
 */
export function gramModule(api: WasmApi, shared: boolean): WasmModule | null {
  const key = shared ? 'shared' : 'private'
  let m = compiled[key]
  if (m === undefined) {
    try {
      m = new api.Module(buildModule(shared))
    } catch {
      m = null
    }
    compiled[key] = m
  }
  return m
}

function createWasmKernels(api: WasmApi, bytes: number): GramKernels | undefined {
  const mod = gramModule(api, false)
  if (mod === null) return undefined
  const memory = new api.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) })
  const ex = new api.Instance(mod, { env: { mem: memory } }).exports as unknown as ChunkKernels &
    Pick<GramKernels, 'dot'>
  return {
    backend: 'wasm',
    f64: new Float64Array(memory.buffer),
    f32: new Float32Array(memory.buffer),
    loadShift32: ex.loadShift32,
    shift: ex.shift,
    scaleDot: ex.scaleDot,
    dot: ex.dot,
    tile42: ex.tile42,
    tri4: ex.tri4,
  }
}

function createJsKernels(bytes: number): GramKernels {
  const buffer = new ArrayBuffer(Math.ceil(bytes / 16) * 16)
  const f64 = new Float64Array(buffer)
  const f32 = new Float32Array(buffer)
  return {
    backend: 'js',
    f64,
    f32,
    loadShift32(src, dst, nBytes, k) {
      const n = nBytes >> 4
      const s = src >> 2
      const d = dst >> 3
      let s0 = 0
      let s1 = 0
      for (let i = 0; i < n; i++) {
        const v0 = f32[s + 2 * i]! - k
        const v1 = f32[s + 2 * i + 1]! - k
        f64[d + 2 * i] = v0
        f64[d + 2 * i + 1] = v1
        s0 += v0
        s1 += v1
      }
      return s0 + s1
    },
    shift(x, nBytes, k) {
      const n = nBytes >> 4
      const o = x >> 3
      let s0 = 0
      let s1 = 0
      for (let i = 0; i < n; i++) {
        const v0 = f64[o + 2 * i]! - k
        const v1 = f64[o + 2 * i + 1]! - k
        f64[o + 2 * i] = v0
        f64[o + 2 * i + 1] = v1
        s0 += v0
        s1 += v1
      }
      return s0 + s1
    },
    scaleDot(x, s, nBytes) {
      const n = nBytes >> 4
      const o = x >> 3
      const os = s >> 3
      let s0 = 0
      let s1 = 0
      for (let i = 0; i < n; i++) {
        const w0 = f64[os + 2 * i]!
        const w1 = f64[os + 2 * i + 1]!
        const v0 = f64[o + 2 * i]! * w0
        const v1 = f64[o + 2 * i + 1]! * w1
        f64[o + 2 * i] = v0
        f64[o + 2 * i + 1] = v1
        s0 += w0 * v0
        s1 += w1 * v1
      }
      return s0 + s1
    },
    dot(a, b, nBytes) {
      const n = nBytes >> 4
      const oa = a >> 3
      const ob = b >> 3
      let s0 = 0
      let s1 = 0
      for (let i = 0; i < n; i++) {
        s0 += f64[oa + 2 * i]! * f64[ob + 2 * i]!
        s1 += f64[oa + 2 * i + 1]! * f64[ob + 2 * i + 1]!
      }
      return s0 + s1
    },
    tri4(a0, a1, a2, a3, nBytes, out) {
      const n = nBytes >> 4
      const as = [a0 >> 3, a1 >> 3, a2 >> 3, a3 >> 3]
      TRI_PAIRS.forEach(([a, b], k) => {
        f64[(out >> 3) + k] = pairDot(f64, as[a]!, as[b]!, n)
      })
    },
    tile42(a0, a1, a2, a3, b0, b1, nBytes, out) {
      const n = nBytes >> 4
      const as = [a0 >> 3, a1 >> 3, a2 >> 3, a3 >> 3]
      const bs = [b0 >> 3, b1 >> 3]
      for (let a = 0; a < 4; a++)
        for (let b = 0; b < 2; b++) f64[(out >> 3) + a * 2 + b] = pairDot(f64, as[a]!, bs[b]!, n)
    },
  }
}

/** A dot product over row pairs, summed like the SIMD lanes: even rows, odd rows, then both. */
function pairDot(f64: Float64Array, oa: number, ob: number, n: number): number {
  let s0 = 0
  let s1 = 0
  for (let i = 0; i < n; i++) {
    s0 += f64[oa + 2 * i]! * f64[ob + 2 * i]!
    s1 += f64[oa + 2 * i + 1]! * f64[ob + 2 * i + 1]!
  }
  return s0 + s1
}

/**
 * Kernels over a fresh zeroed memory of at least `bytes` bytes: WebAssembly SIMD when the host
 * supports it (`backend: 'auto'`), else plain JS. Both give identical results.
 */
export function createGramKernels(bytes: number, backend: 'auto' | 'wasm' | 'js'): GramKernels {
  if (backend !== 'js') {
    const api = wasmApi()
    const k = api === undefined ? undefined : createWasmKernels(api, bytes)
    if (k !== undefined) return k
    if (backend === 'wasm') throw new Error('WebAssembly SIMD is not available on this host')
  }
  return createJsKernels(bytes)
}
