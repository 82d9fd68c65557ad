/**
 * The profile's per-column passes over a numeric column in WebAssembly: the same results as the
 * TypeScript loops of column-stats.ts, bit for bit (the same additions in the same order), at a
 * fraction of their time (no bounds checks, two doubles per SIMD addition).
 *
 * - `compact(off, n, state)`: keeps the finite values of `n` doubles at `off` in place (−0 as 0),
 *   folds them into the running bounds at `state` (lo, hi), returns how many it kept.
 * - `sum(off, n, shift)` / `sumSquares(off, n, shift)`: Σ (x − shift) or Σ (x − shift)², in blocks
 *   of 1024 values summed in four lanes (as two f64x2), the block sums added with Neumaier's
 *   compensation.
 * - `bin(off, n, counts, edges, bins, lo, scale)`: equal-width bin counts (i32, in four arrays of
 *   `bins` to be summed), the bin guessed arithmetically and corrected against the edges
 *   themselves.
 * - `select(off, n, k)`: Hoare's FIND (in Wirth's form, pivots drawn by a fixed-seed generator):
 *   the k-th smallest of `n` doubles (no NaN) moved to index k, smaller ones before, larger after.
 * - `distinct(off, n, bits, hashes, sortedValues, sortedHashes, starts, at, keys)`: the exact
 *   distinct count of `n` finite doubles (no −0) by hash partitions (2^bits of them), each
 *   counted in a small open-addressing table of two-slot buckets that stays in cache.
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
  type WasmMemory,
  type WasmModule,
} from '../../numeric/index.js'

const { get, set, tee, i32 } = op

/** Values summed plainly (in four lanes) before their sum joins the compensated total. */
export const SUM_BLOCK = 1024

/** `i32.load/store` address `base + index·size`. */
const at = (base: number, index: number, size: number): number[] => [
  ...get(base),
  ...get(index),
  ...i32(Math.log2(size)),
  ...op.i32Shl,
  ...op.i32Add,
]

function compactFn(): FuncBuilder {
  const f = new FuncBuilder('compact', [I32, I32, I32], I32)
  const [off, n, state] = [0, 1, 2]
  const r = f.local(I32)
  const w = f.local(I32)
  const end = f.local(I32)
  const keep = f.local(I32)
  const x = f.local(F64)
  const lo = f.local(F64)
  const hi = f.local(F64)
  f.emit(get(state), op.f64Load(0), set(lo), get(state), op.f64Load(8), set(hi))
  f.emit(get(off), tee(r), set(w), get(off), get(n), i32(3), op.i32Shl, op.i32Add, set(end))
  f.forRange(r, end, 8, () => {
    f.emit(get(r), op.f64Load(), tee(x), get(x), op.f64Sub, op.f64(0), op.f64Eq, set(keep))
    f.emit(get(x), op.f64(0), op.f64Add, set(x))
    f.emit(get(w), get(x), op.f64Store())
    f.emit(get(lo), get(x), get(lo), get(keep), op.select, op.f64Min, set(lo))
    f.emit(get(hi), get(x), get(hi), get(keep), op.select, op.f64Max, set(hi))
    f.emit(get(w), get(keep), i32(3), op.i32Shl, op.i32Add, set(w))
  })
  f.emit(get(state), get(lo), op.f64Store(0), get(state), get(hi), op.f64Store(8))
  f.emit(get(w), get(off), op.i32Sub, i32(3), op.i32ShrU)
  return f
}

function sumFn(name: string, square: boolean): FuncBuilder {
  const f = new FuncBuilder(name, [I32, I32, F64], F64)
  const [off, n, shift] = [0, 1, 2]
  const from = f.local(I32)
  const to = f.local(I32)
  const i = f.local(I32)
  const p = f.local(I32)
  const sh = f.local(V128)
  const acc1 = f.local(V128)
  const acc2 = f.local(V128)
  const a = f.local(F64)
  const x = f.local(F64)
  const v = f.local(F64)
  const t = f.local(F64)
  const sum = f.local(F64)
  const comp = f.local(F64)
  const d = f.local(V128)
  f.emit(get(shift), op.f64x2Splat, set(sh), i32(0), set(from))
  f.forRange(from, n, SUM_BLOCK, () => {
    // to = min(n, from + BLOCK)
    f.emit(get(from), i32(SUM_BLOCK), op.i32Add, set(to))
    f.emit(get(n), get(to), get(to), get(n), op.i32GtU, op.select, set(to))
    f.emit(op.v128Zero, set(acc1), op.v128Zero, set(acc2), get(from), set(i))
    f.emit(op.block, op.loop, get(i), i32(4), op.i32Add, get(to), op.i32GtU, op.brIf(1))
    f.emit(get(off), get(i), i32(3), op.i32Shl, op.i32Add, set(p))
    for (const [acc, offset] of [
      [acc1, 0],
      [acc2, 16],
    ] as const) {
      f.emit(get(acc), get(p), op.v128Load(offset), get(sh), op.f64x2Sub)
      if (square) f.emit(tee(d), get(d), op.f64x2Mul)
      f.emit(op.f64x2Add, set(acc))
    }
    f.emit(get(i), i32(4), op.i32Add, set(i), op.br(0), op.end, op.end)
    f.emit(get(acc1), op.f64x2ExtractLane(0), set(a))
    f.forRange(i, to, 1, () => {
      f.emit(get(off), get(i), i32(3), op.i32Shl, op.i32Add, op.f64Load(), get(shift), op.f64Sub)
      if (square) f.emit(tee(x), get(x), op.f64Mul)
      f.emit(get(a), op.f64Add, set(a))
    })
    // v = a + b + (c + d)
    f.emit(get(a), get(acc1), op.f64x2ExtractLane(1), op.f64Add)
    f.emit(get(acc2), op.f64x2ExtractLane(0), get(acc2), op.f64x2ExtractLane(1), op.f64Add)
    f.emit(op.f64Add, set(v))
    // t = sum + v; comp += |sum| ≥ |v| ? sum − t + v : v − t + sum; sum = t
    f.emit(get(sum), get(v), op.f64Add, set(t))
    f.emit(get(comp), get(sum), get(t), op.f64Sub, get(v), op.f64Add)
    f.emit(get(v), get(t), op.f64Sub, get(sum), op.f64Add)
    f.emit(get(sum), op.f64Abs, get(v), op.f64Abs, op.f64Ge, op.select, op.f64Add, set(comp))
    f.emit(get(t), set(sum))
  })
  f.emit(get(sum), get(comp), op.f64Add)
  return f
}

function binFn(): FuncBuilder {
  const f = new FuncBuilder('bin', [I32, I32, I32, I32, I32, F64, F64])
  const [off, n, counts, edges, bins, lo, scale] = [0, 1, 2, 3, 4, 5, 6]
  const r = f.local(I32)
  const end = f.local(I32)
  const last = f.local(I32)
  const b = f.local(I32)
  const p = f.local(I32)
  const x = f.local(F64)
  const bf = f.local(F64)
  const lastF = f.local(F64)
  const edge = (plus: number): number[] => [...at(edges, b, 8), ...op.f64Load(plus)]
  f.emit(get(bins), i32(1), op.i32Sub, tee(last), op.f64ConvertI32S, set(lastF))
  f.emit(get(off), set(r), get(off), get(n), i32(3), op.i32Shl, op.i32Add, set(end))
  f.forRange(r, end, 8, () => {
    // b = clamp(floor((x − lo)·scale), 0, last), NaN to 0
    f.emit(get(r), op.f64Load(), tee(x), get(lo), op.f64Sub, get(scale), op.f64Mul, op.f64Floor)
    f.emit(tee(bf), op.f64(0), get(bf), op.f64(0), op.f64Ge, op.select, get(lastF), op.f64Min)
    f.emit(op.i32TruncF64S, set(b))
    f.emit(op.block) // done
    f.emit(op.block) // up
    f.emit(get(b), op.i32Eqz, op.brIf(0))
    f.emit(edge(0), get(x), op.f64Gt, op.i32Eqz, op.brIf(0))
    // do b-- while (b > 0 && edges[b] > x)
    f.emit(op.loop, get(b), i32(1), op.i32Sub, tee(b), op.i32Eqz, op.brIf(2))
    f.emit(edge(0), get(x), op.f64Gt, op.brIf(0), op.end, op.br(1))
    f.emit(op.end) // up: while (b < last && edges[b + 1] <= x) b++
    f.emit(op.loop, get(b), get(last), op.i32GeS, op.brIf(1))
    f.emit(edge(8), get(x), op.f64Le, op.i32Eqz, op.brIf(1))
    f.emit(get(b), i32(1), op.i32Add, set(b), op.br(0), op.end)
    f.emit(op.end) // done
    // Four interleaved count arrays (value i in array i mod 4): consecutive values in one bin
    // do not wait on each other's increment.
    f.emit(get(r), i32(3), op.i32ShrU, i32(3), op.i32And, get(bins), op.i32Mul, get(b), op.i32Add)
    f.emit(i32(2), op.i32Shl, get(counts), op.i32Add, tee(p))
    f.emit(get(p), op.i32Load(), i32(1), op.i32Add, op.i32Store())
  })
  return f
}

function distinctFn(): FuncBuilder {
  const f = new FuncBuilder('distinct', [I32, I32, I32, I32, I32, I32, I32, I32, I32], I32)
  const [off, n, bits, hashes, sv, sh, starts, atp, keys] = [0, 1, 2, 3, 4, 5, 6, 7, 8]
  const i = f.local(I32)
  const h = f.local(I32)
  const pt = f.local(I32)
  const parts = f.local(I32)
  const shift = f.local(I32)
  const mask = f.local(I32)
  const k = f.local(I32)
  const q = f.local(I32)
  const largest = f.local(I32)
  const size = f.local(I32)
  const end = f.local(I32)
  const to = f.local(I32)
  const count = f.local(I32)
  const x = f.local(F64)
  const xs = f.local(V128)
  const v = f.local(V128)
  const nan = f.local(V128)
  const partOf = (): number[] => [
    ...get(h),
    ...get(shift),
    ...op.i32ShrU,
    ...get(mask),
    ...op.i32And,
  ]
  f.emit(op.f64(Number.NaN), op.f64x2Splat, set(nan))
  f.emit(i32(1), get(bits), op.i32Shl, tee(parts), i32(1), op.i32Sub, set(mask))
  f.emit(i32(32), get(bits), op.i32Sub, set(shift))
  // starts[0..parts] = 0
  f.emit(i32(0), set(i))
  f.forRange(i, parts, 1, () => f.emit(at(starts, i, 4), i32(0), op.i32Store(4)))
  f.emit(get(starts), i32(0), op.i32Store())
  // hashes, and the partition sizes in starts[p + 1]
  f.emit(i32(0), set(i))
  f.forRange(i, n, 1, () => {
    // murmur3's finaliser of lo ^ imul(hi, 0x9e3779b1)
    f.emit(at(off, i, 8), tee(q), op.i32Load(0))
    f.emit(get(q), op.i32Load(4), i32(0x9e3779b1 | 0), op.i32Mul, op.i32Xor)
    f.emit(i32(0x85ebca6b | 0), op.i32Mul, tee(h), get(h), i32(13), op.i32ShrU, op.i32Xor)
    f.emit(i32(0xc2b2ae35 | 0), op.i32Mul, tee(h), get(h), i32(16), op.i32ShrU, op.i32Xor, set(h))
    f.emit(at(hashes, i, 4), get(h), op.i32Store())
    f.emit(get(starts), partOf(), i32(2), op.i32Shl, op.i32Add, tee(q))
    f.emit(get(q), op.i32Load(4), i32(1), op.i32Add, op.i32Store(4))
  })
  // prefix sums; at[p] = starts[p]; the largest partition
  f.emit(i32(0), set(i))
  f.forRange(i, parts, 1, () => {
    f.emit(at(starts, i, 4), tee(q), get(q), op.i32Load(4), tee(size), get(q), op.i32Load())
    f.emit(op.i32Add, op.i32Store(4))
    f.emit(at(atp, i, 4), get(q), op.i32Load(), op.i32Store())
    f.emit(get(size), get(largest), get(size), get(largest), op.i32GtU, op.select, set(largest))
  })
  // scatter by partition
  f.emit(i32(0), set(i))
  f.forRange(i, n, 1, () => {
    f.emit(at(hashes, i, 4), op.i32Load(), set(h))
    f.emit(get(atp), partOf(), i32(2), op.i32Shl, op.i32Add, tee(q), op.i32Load(), set(k))
    f.emit(get(q), get(k), i32(1), op.i32Add, op.i32Store())
    f.emit(at(sv, k, 8), at(off, i, 8), op.f64Load(), op.f64Store())
    f.emit(at(sh, k, 4), get(h), op.i32Store())
  })
  // Each partition in its own table of two-slot buckets, NaN where empty (max(16, pow2 ≥
  // 2·size) slots). One SIMD compare tells whether the bucket holds x, another whether it has
  // room: with buckets rarely full, what happens next is predictable, where a slot at a time it
  // is not (a mispredicted branch per value, on mostly distinct data).
  f.emit(i32(0), set(pt))
  f.forRange(pt, parts, 1, () => {
    f.emit(at(starts, pt, 4), tee(q), op.i32Load(), set(i), get(q), op.i32Load(4), set(to))
    f.emit(get(to), get(i), op.i32Sub, i32(1), op.i32Shl, set(size), i32(16), set(k))
    f.emit(op.block, op.loop, get(k), get(size), op.i32GeU, op.brIf(1))
    f.emit(get(k), i32(1), op.i32Shl, set(k), op.br(0), op.end, op.end)
    // the bucket mask (shift is no longer needed), and the table cleared
    f.emit(get(k), i32(1), op.i32ShrU, i32(1), op.i32Sub, set(shift))
    f.emit(get(keys), tee(q), get(k), i32(3), op.i32Shl, op.i32Add, set(end))
    f.forRange(q, end, 16, () => f.emit(get(q), get(nan), op.v128Store()))
    f.forRange(i, to, 1, () => {
      f.emit(at(sv, i, 8), op.f64Load(), tee(x), op.f64x2Splat, set(xs))
      f.emit(at(sh, i, 4), op.i32Load(), get(shift), op.i32And, set(k), op.block, op.loop)
      f.emit(get(keys), get(k), i32(4), op.i32Shl, op.i32Add, tee(q), op.v128Load(), set(v))
      // x is there already
      f.emit(get(v), get(xs), op.f64x2Eq, op.i64x2Bitmask, op.brIf(1))
      // room: x goes in the first empty slot
      f.emit(get(v), get(v), op.f64x2Ne, op.i64x2Bitmask, tee(size), op.if)
      f.emit(get(q), get(size), i32(1), op.i32And, i32(1), op.i32Xor, i32(3), op.i32Shl)
      f.emit(op.i32Add, get(x), op.f64Store(), get(count), i32(1), op.i32Add, set(count))
      f.emit(op.br(2), op.end)
      f.emit(get(k), i32(1), op.i32Add, get(shift), op.i32And, set(k), op.br(0), op.end, op.end)
    })
  })
  f.emit(get(count))
  return f
}

function selectFn(): FuncBuilder {
  const f = new FuncBuilder('select', [I32, I32, I32])
  const [off, n, k] = [0, 1, 2]
  const lo = f.local(I32)
  const hi = f.local(I32)
  const i = f.local(I32)
  const j = f.local(I32)
  const seed = f.local(I32)
  const pi = f.local(I32)
  const pj = f.local(I32)
  const pivot = f.local(F64)
  const a = f.local(F64)
  const x = (index: number): number[] => [...at(off, index, 8), ...op.f64Load()]
  f.emit(i32(0), set(lo), get(n), i32(1), op.i32Sub, set(hi), i32(0x9e3779b9 | 0), set(seed))
  f.emit(op.block, op.loop, get(lo), get(hi), op.i32GeS, op.brIf(1))
  // a pseudo-random pivot from x[lo..hi] (fixed seed: the same data, the same steps)
  f.emit(get(seed), i32(1664525), op.i32Mul, i32(1013904223), op.i32Add, tee(seed))
  f.emit(i32(8), op.i32ShrU, get(hi), get(lo), op.i32Sub, i32(1), op.i32Add, op.i32RemU)
  f.emit(get(lo), op.i32Add, set(i), x(i), set(pivot), get(lo), set(i), get(hi), set(j))
  f.emit(op.loop) // repeat … until i > j
  f.emit(op.block, op.loop, x(i), get(pivot), op.f64Lt, op.i32Eqz, op.brIf(1))
  f.emit(get(i), i32(1), op.i32Add, set(i), op.br(0), op.end, op.end)
  f.emit(op.block, op.loop, get(pivot), x(j), op.f64Lt, op.i32Eqz, op.brIf(1))
  f.emit(get(j), i32(1), op.i32Sub, set(j), op.br(0), op.end, op.end)
  f.emit(get(i), get(j), op.i32LeS, op.if)
  f.emit(at(off, i, 8), tee(pi), op.f64Load(), set(a), at(off, j, 8), set(pj))
  f.emit(get(pi), get(pj), op.f64Load(), op.f64Store(), get(pj), get(a), op.f64Store())
  f.emit(get(i), i32(1), op.i32Add, set(i), get(j), i32(1), op.i32Sub, set(j))
  f.emit(op.end, get(i), get(j), op.i32LeS, op.brIf(0), op.end)
  // if j < k: lo = i; if k < i: hi = j
  f.emit(get(j), get(k), op.i32LtS, op.if, get(i), set(lo), op.end)
  f.emit(get(k), get(i), op.i32LtS, op.if, get(j), set(hi), op.end)
  f.emit(op.br(0), op.end, op.end)
  return f
}

/** The kernels over one memory (byte offsets; see the module comment). */
export interface ColumnKernels {
  /** Shared, so that a helper thread can instantiate `module` over it too. */
  readonly memory: WasmMemory<SharedArrayBuffer>
  readonly module: WasmModule
  compact(off: number, n: number, state: number): number
  sum(off: number, n: number, shift: number): number
  /** Reorders the `n` doubles at `off` (no NaN) so that the k-th smallest is at index k, none after it smaller, none before it larger. */
  select(off: number, n: number, k: number): void
  sumSquares(off: number, n: number, shift: number): number
  bin(
    off: number,
    n: number,
    counts: number,
    edges: number,
    bins: number,
    lo: number,
    scale: number,
  ): void
  distinct(
    off: number,
    n: number,
    bits: number,
    hashes: number,
    sortedValues: number,
    sortedHashes: number,
    starts: number,
    at: number,
    keys: number,
  ): number
}

/** The largest memory the kernels take (2 GiB), in 64 KiB pages. */
const MAX_PAGES = 32768

let compiled: WasmModule | undefined

/**
 * Instantiates the kernels over a new shared memory of `bytes` bytes, or returns `undefined`
 * where there is no WebAssembly (or no memory that large).
 */
export function createColumnKernels(bytes: number): ColumnKernels | undefined {
  const api = wasmApi()
  if (api === undefined) return undefined
  const pages = Math.max(1, Math.ceil(bytes / 65536))
  if (pages > MAX_PAGES) return undefined
  try {
    compiled ??= new api.Module(
      encodeModule(
        [
          compactFn(),
          sumFn('sum', false),
          sumFn('sumSquares', true),
          binFn(),
          distinctFn(),
          selectFn(),
        ],
        { name: 'memory', minPages: 1, maxPages: MAX_PAGES, shared: true },
      ),
    )
    const memory = new api.Memory({ initial: pages, maximum: pages, shared: true })
    const ex = new api.Instance(compiled, { env: { memory } }).exports
    return {
      memory,
      module: compiled,
      ...(ex as unknown as Omit<ColumnKernels, 'memory' | 'module'>),
    }
  } catch {
    return undefined
  }
}
