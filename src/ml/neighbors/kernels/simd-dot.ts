/**
 * The distance tile of the brute-force search as a WebAssembly SIMD kernel (`f64x2`): for a
 * block of query rows and a run of training rows, `v = (‖q‖² + ‖x‖²) − 2 q·x` and each query
 * row's minimum `v`. Several times the throughput of the JavaScript micro-kernel in `brute.ts`,
 * with the same bits: each lane sums `q·x` over features in order with a separate multiply and
 * add (no fused multiply-add), exactly like `s += q * x`, and `acc + acc` is `2 * acc` exactly.
 *
 * The module is assembled here from a few dozen instructions (WebAssembly core specification,
 * binary format §5, and the fixed-width SIMD proposal) rather than shipped as an opaque blob.
 *
 * Memory layout (one memory per index, shared with workers when asked): the training rows in
 * panels of 4 (panel `p`, feature `x` → 4 doubles at byte `(p·d + x)·32`), their squared norms
 * (padded with +∞ to a multiple of 4), then per thread a scratch slot: query block
 * (`QUERY_BLOCK × d`), block norms, row minima, and the output tile (`QUERY_BLOCK × TRAIN_TILE`).
 */
import { uleb } from '../../base/index.js'

import { QUERY_BLOCK, TRAIN_TILE } from './tiles.js'

const I32 = 0x7f
const V128 = 0x7b

const get = (i: number): number[] => [0x20, ...uleb(i)]
const set = (i: number): number[] => [0x21, ...uleb(i)]
// i32.const takes a signed LEB128; for 0 ≤ v < 64 it equals the unsigned one.
const i32Const = (v: number): number[] => [0x41, ...uleb(v)]
const I32_ADD = [0x6a]
const I32_MUL = [0x6c]
const I32_SHL = [0x74]
const I32_GE_U = [0x4f]
const BLOCK = [0x02, 0x40]
const LOOP = [0x03, 0x40]
const END = [0x0b]
const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)]
const br = (depth: number): number[] => [0x0c, ...uleb(depth)]
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm]
// memarg: alignment exponent 3 (the data is f64-aligned, not 16), then the offset.
const v128Load = (offset: number): number[] => simd(0x00, 3, ...uleb(offset))
const v128Store = (offset: number): number[] => simd(0x0b, 3, ...uleb(offset))
const load64Splat = (offset: number): number[] => simd(0x0a, 3, ...uleb(offset))
const f64Store = (offset: number): number[] => [0x39, 3, ...uleb(offset)]
const V128_ZERO = simd(0x0c, ...new Array<number>(16).fill(0))
const INF_SPLAT = [0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x7f, ...simd(0x14)] // f64.const +∞; f64x2.splat
const F64X2_ADD = simd(0xf0)
const F64X2_SUB = simd(0xf1)
const F64X2_MUL = simd(0xf2)
const F64X2_MIN = simd(0xf4)
const extractLane = (lane: number): number[] => simd(0x21, lane)
const F64_MIN = [0xa4]

// Parameters of `tile(q, nq, panels, np, d, out, stride, qn, tn, rowmin)`, all i32 (pointers
// in bytes).
const Q = 0
const NQ = 1
const PANELS = 2
const NP = 3
const D = 4
const TILE = 5
const TSTRIDE = 6
const QN = 7
const TN = 8
const ROWMIN = 9
// i32 locals.
const R = 10
const PI = 11
const X = 12
const DBYTES = 13
const TX = 14
const QA = 15
const QB = 16
const QC = 17
const QD = 18
const OUT = 19
const TNP = 20
const N_I32 = 11
// v128 locals: 8 accumulators (query row rr, lane pair h → ACC + 2rr + h), the two halves of a
// panel row, a splat, the 4 rows' norm splats and running minima, and the panel's norms.
const ACC = 21
const T01 = 29
const T23 = 30
const S = 31
const QNS = 32
const MINS = 36
const TNA = 40
const TNB = 41
const N_V128 = 21

/** `acc[2rr] += s · t01; acc[2rr+1] += s · t23` for the query row whose pointer is `qLocal`. */
function rowUpdate(rr: number, qLocal: number): number[] {
  const a = ACC + 2 * rr
  return [
    ...get(qLocal), ...get(X), ...I32_ADD, ...load64Splat(0), ...set(S),
    ...get(a), ...get(S), ...get(T01), ...F64X2_MUL, ...F64X2_ADD, ...set(a),
    ...get(a + 1), ...get(S), ...get(T23), ...F64X2_MUL, ...F64X2_ADD, ...set(a + 1),
  ] // prettier-ignore
}

/** Row `rr` of the panel: `v = (qn + tn) − (acc + acc)` stored at OUT, folded into its minimum. */
function rowFinish(rr: number): number[] {
  const a = ACC + 2 * rr
  const half = (acc: number, tn: number, offset: number, tmp: number): number[] => [
    ...get(QNS + rr), ...get(tn), ...F64X2_ADD, ...get(acc), ...get(acc), ...F64X2_ADD, ...F64X2_SUB,
    ...set(tmp), ...get(OUT), ...get(tmp), ...v128Store(offset),
    ...get(MINS + rr), ...get(tmp), ...F64X2_MIN, ...set(MINS + rr),
  ] // prettier-ignore
  return [
    ...half(a, TNA, 0, T01),
    ...half(a + 1, TNB, 16, T23),
    ...get(OUT), ...get(TSTRIDE), ...I32_ADD, ...set(OUT),
  ] // prettier-ignore
}

function body(): number[] {
  const zeroAcc: number[] = []
  for (let a = 0; a < 8; a++) zeroAcc.push(...V128_ZERO, ...set(ACC + a))
  const rowStart: number[] = []
  for (let rr = 0; rr < 4; rr++) {
    rowStart.push(...get(QN), ...get(R), ...i32Const(3), ...I32_SHL, ...I32_ADD)
    rowStart.push(...load64Splat(rr * 8), ...set(QNS + rr), ...INF_SPLAT, ...set(MINS + rr))
  }
  const finish: number[] = []
  for (let rr = 0; rr < 4; rr++) finish.push(...rowFinish(rr))
  const rowEnd: number[] = []
  for (let rr = 0; rr < 4; rr++) {
    rowEnd.push(...get(ROWMIN), ...get(R), ...i32Const(3), ...I32_SHL, ...I32_ADD)
    rowEnd.push(...get(MINS + rr), ...extractLane(0), ...get(MINS + rr), ...extractLane(1))
    rowEnd.push(...F64_MIN, ...f64Store(rr * 8))
  }
  const code = [
    ...get(D), ...i32Const(3), ...I32_SHL, ...set(DBYTES),
    ...i32Const(0), ...set(R),
    ...BLOCK, ...LOOP,
    ...get(R), ...get(NQ), ...I32_GE_U, ...brIf(1),
    // Row pointers, norm splats and minima of the 4 query rows.
    ...get(Q), ...get(R), ...get(DBYTES), ...I32_MUL, ...I32_ADD, ...set(QA),
    ...get(QA), ...get(DBYTES), ...I32_ADD, ...set(QB),
    ...get(QB), ...get(DBYTES), ...I32_ADD, ...set(QC),
    ...get(QC), ...get(DBYTES), ...I32_ADD, ...set(QD),
    ...rowStart,
    ...i32Const(0), ...set(PI),
    ...get(PANELS), ...set(TX),
    ...get(TN), ...set(TNP),
    ...BLOCK, ...LOOP,
    ...get(PI), ...get(NP), ...I32_GE_U, ...brIf(1),
    ...zeroAcc,
    ...i32Const(0), ...set(X),
    ...BLOCK, ...LOOP,
    ...get(X), ...get(DBYTES), ...I32_GE_U, ...brIf(1),
    ...get(TX), ...v128Load(0), ...set(T01),
    ...get(TX), ...v128Load(16), ...set(T23),
    ...rowUpdate(0, QA), ...rowUpdate(1, QB), ...rowUpdate(2, QC), ...rowUpdate(3, QD),
    ...get(X), ...i32Const(8), ...I32_ADD, ...set(X),
    ...get(TX), ...i32Const(32), ...I32_ADD, ...set(TX),
    ...br(0),
    ...END, ...END,
    ...get(TNP), ...v128Load(0), ...set(TNA),
    ...get(TNP), ...v128Load(16), ...set(TNB),
    // out = tile + r·stride + pi·32
    ...get(TILE), ...get(R), ...get(TSTRIDE), ...I32_MUL, ...I32_ADD,
    ...get(PI), ...i32Const(5), ...I32_SHL, ...I32_ADD, ...set(OUT),
    ...finish,
    ...get(PI), ...i32Const(1), ...I32_ADD, ...set(PI),
    ...get(TNP), ...i32Const(32), ...I32_ADD, ...set(TNP),
    ...br(0),
    ...END, ...END,
    ...rowEnd,
    ...get(R), ...i32Const(4), ...I32_ADD, ...set(R),
    ...br(0),
    ...END, ...END,
    ...END,
  ] // prettier-ignore
  const fn = [2, ...uleb(N_I32), I32, ...uleb(N_V128), V128, ...code]
  return [...uleb(fn.length), ...fn]
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content]
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))]
}

/** The module bytes: imports `env.mem` (`pages` 64 KiB pages, shared or not), exports `tile`. */
function moduleBytes(pages: number, shared: boolean): Uint8Array {
  const type = [1, 0x60, 10, ...new Array<number>(10).fill(I32), 0]
  const limits = shared ? [0x03, ...uleb(pages), ...uleb(pages)] : [0x00, ...uleb(pages)]
  const imp = [1, ...name('env'), ...name('mem'), 0x02, ...limits]
  const exp = [1, ...name('tile'), 0x00, 0]
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, type),
    ...section(2, imp),
    ...section(3, [1, 0]),
    ...section(7, exp),
    ...section(10, [1, ...body()]),
  ]) // prettier-ignore
}

/** The part of the `WebAssembly` global used here (Node's lib types omit the values). */
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer
}
interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory
  Module: new (bytes: Uint8Array) => object
  Instance: new (m: object, imports: object) => { readonly exports: Record<string, unknown> }
}

function wasmApi(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly
}

type TileFn = (
  ...args: [number, number, number, number, number, number, number, number, number, number]
) => void

/** Training rows and norms packed for the SIMD kernel, with scratch slots for query threads. */
export interface SimdPanels {
  readonly memory: WasmMemory
  readonly n: number
  readonly d: number
  readonly slots: number
}

const PAGE = 65536

function layout(n: number, d: number) {
  const n4 = Math.ceil(n / 4) * 4
  const panelBytes = n4 * d * 8
  const normsAt = panelBytes
  const slotsAt = normsAt + n4 * 8
  const blockBytes = QUERY_BLOCK * d * 8
  const slotBytes = blockBytes + 2 * QUERY_BLOCK * 8 + QUERY_BLOCK * TRAIN_TILE * 8
  return { normsAt, slotsAt, blockBytes, slotBytes }
}

/**
 * Packs `n` row-major `d`-feature rows and their squared `norms` into a new WebAssembly memory
 * with `slots` scratch slots (shared if `shared`, so workers can use it), or returns `undefined`
 * when WebAssembly is unavailable or the data do not fit in 2 GiB.
 */
export function createSimdPanels(
  rows: Float64Array,
  norms: Float64Array,
  n: number,
  d: number,
  slots: number,
  shared: boolean,
): SimdPanels | undefined {
  const { normsAt, slotsAt, slotBytes } = layout(n, d)
  const bytes = slotsAt + slots * slotBytes
  const wasm = wasmApi()
  if (bytes > 2 ** 31 || wasm === undefined) return undefined
  const pages = Math.ceil(bytes / PAGE)
  let memory: WasmMemory
  try {
    memory = new wasm.Memory(
      shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages },
    )
  } catch {
    return undefined
  }
  const view = new Float64Array(memory.buffer, 0, normsAt / 8)
  for (let i = 0; i < n; i++) {
    const base = (i >> 2) * 4 * d + (i & 3)
    for (let x = 0; x < d; x++) view[base + 4 * x] = rows[i * d + x]!
  }
  const tn = new Float64Array(memory.buffer, normsAt, (slotsAt - normsAt) / 8)
  tn.fill(Infinity)
  tn.set(norms)
  return { memory, n, d, slots }
}

/** One thread's use of {@link SimdPanels}: its scratch views and the kernel. */
export interface SimdTile {
  /** The query block to fill (`QUERY_BLOCK × d`, row-major). */
  readonly block: Float64Array
  /** The block rows' squared norms, to fill. */
  readonly blockNorms: Float64Array
  /** Per block row, the minimum of its tile row. */
  readonly rowMin: Float64Array
  /** `tile[r·TRAIN_TILE + c] = (qn[r] + tn[j0+c]) − 2 block[r]·row[j0+c]`. */
  readonly tile: Float64Array
  /** Computes the tile and row minima for `r < nq`, `c < nt` (`j0` a multiple of 4). */
  run(nq: number, j0: number, nt: number): void
}

/**
 * Instantiates the kernel over `panels` for scratch slot `slot`, or returns `undefined` if the
 * module does not compile here.
 */
export function createSimdTile(panels: SimdPanels, slot: number): SimdTile | undefined {
  const { memory, n, d } = panels
  const wasm = wasmApi()
  if (wasm === undefined) return undefined
  const shared =
    typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer
  let kernel: TileFn
  try {
    const bytes = moduleBytes(memory.buffer.byteLength / PAGE, shared)
    const instance = new wasm.Instance(new wasm.Module(bytes), { env: { mem: memory } })
    kernel = instance.exports['tile'] as TileFn
  } catch {
    return undefined
  }
  const { normsAt, slotsAt, blockBytes, slotBytes } = layout(n, d)
  const blockAt = slotsAt + slot * slotBytes
  const qnAt = blockAt + blockBytes
  const minAt = qnAt + QUERY_BLOCK * 8
  const tileAt = minAt + QUERY_BLOCK * 8
  const buf = memory.buffer
  return {
    block: new Float64Array(buf, blockAt, QUERY_BLOCK * d),
    blockNorms: new Float64Array(buf, qnAt, QUERY_BLOCK),
    rowMin: new Float64Array(buf, minAt, QUERY_BLOCK),
    tile: new Float64Array(buf, tileAt, QUERY_BLOCK * TRAIN_TILE),
    run(nq, j0, nt) {
      // Rows past nq (stale) and columns past nt (+∞ norms) are computed and ignored.
      const nq4 = Math.ceil(nq / 4) * 4
      const panel = j0 * d * 8
      kernel(
        blockAt,
        nq4,
        panel,
        Math.ceil(nt / 4),
        d,
        tileAt,
        TRAIN_TILE * 8,
        qnAt,
        normsAt + j0 * 8,
        minAt,
      )
    },
  }
}
