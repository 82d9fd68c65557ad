/**
 * A minimal WebAssembly assembler: enough of the binary format to build small numeric kernels
 * (i32/f64 scalars and 128-bit SIMD on one imported memory) from TypeScript at load time, so the
 * kernels are readable source instead of an opaque `.wasm` blob. Also the structural types of the
 * `WebAssembly` global that Node's lib types omit.
 *
 * Only the opcodes Plinth's kernels use are listed; see the WebAssembly core specification
 * (binary format, §5) and the fixed-width SIMD proposal for the encodings.
 *
 * @see https://webassembly.github.io/spec/core/binary/index.html
 * @internal Shared by the numeric kernels of `ml` and the dataset profiler.
 */

/** The `i32` value type code. */
export const I32 = 0x7f
/** The `f64` value type code. */
export const F64 = 0x7c
/** The `v128` value type code. */
export const V128 = 0x7b
/** A value type code. */
export type ValType = typeof I32 | typeof F64 | typeof V128

/** Unsigned LEB128 (the binary format's integer encoding). */
export function uleb(value: number): number[] {
  const out: number[] = []
  let v = value >>> 0
  do {
    let b = v & 0x7f
    v >>>= 7
    if (v !== 0) b |= 0x80
    out.push(b)
  } while (v !== 0)
  return out
}

/** Signed LEB128 (32-bit). */
function sleb(value: number): number[] {
  const out: number[] = []
  let v = value | 0
  for (;;) {
    const b = v & 0x7f
    v >>= 7
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b)
      return out
    }
    out.push(b | 0x80)
  }
}

const simd = (opcode: number): number[] => [0xfd, ...uleb(opcode)]
const mem = (opcode: number[], align: number, offset: number): number[] => [
  ...opcode,
  align,
  ...uleb(offset),
]

/** Instruction encoders (each is, or returns, its bytes). Memory offsets are in bytes. */
export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  /** An i64 constant in the 32-bit range. */
  i64: (v: number) => [0x42, ...sleb(v)],
  f64: (v: number) => {
    const b = new Uint8Array(new Float64Array([v]).buffer)
    return [0x44, ...b]
  },
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  select: [0x1b],
  i32Eqz: [0x45],
  i32Eq: [0x46],
  i32Ne: [0x47],
  i32LtS: [0x48],
  i32LtU: [0x49],
  i32GtS: [0x4a],
  i32GtU: [0x4b],
  i32LeS: [0x4c],
  i32GeS: [0x4e],
  i32GeU: [0x4f],
  i32Ctz: [0x68],
  i32Popcnt: [0x69],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32RemU: [0x70],
  i32And: [0x71],
  i32Or: [0x72],
  i32Shl: [0x74],
  i32Xor: [0x73],
  i32ShrU: [0x76],
  f64Eq: [0x61],
  f64Ne: [0x62],
  f64Lt: [0x63],
  f64Gt: [0x64],
  f64Le: [0x65],
  f64Ge: [0x66],
  f64Abs: [0x99],
  f64Floor: [0x9c],
  f64Nearest: [0x9e],
  f64Sqrt: [0x9f],
  f64Add: [0xa0],
  f64Sub: [0xa1],
  f64Mul: [0xa2],
  f64Div: [0xa3],
  f64Min: [0xa4],
  f64Max: [0xa5],
  i32TruncF64S: [0xaa],
  i64ExtendI32U: [0xad],
  f32DemoteF64: [0xb6],
  f64ConvertI32S: [0xb7],
  f64ConvertI32U: [0xb8],
  f64PromoteF32: [0xbb],
  f64ReinterpretI64: [0xbf],
  i64Shl: [0x86],
  i32Load: (offset = 0) => mem([0x28], 2, offset),
  i32Store: (offset = 0) => mem([0x36], 2, offset),
  f32Load: (offset = 0) => mem([0x2a], 2, offset),
  f64Load: (offset = 0) => mem([0x2b], 3, offset),
  f64Store: (offset = 0) => mem([0x39], 3, offset),
  f32Store: (offset = 0) => mem([0x38], 2, offset),
  /** `v128.load` (16-byte alignment hint). */
  v128Load: (offset = 0) => mem(simd(0x00), 4, offset),
  v128Store: (offset = 0) => mem(simd(0x0b), 4, offset),
  /** Loads 8 bytes into the low half of a v128, zeroing the high half. */
  v128Load64Zero: (offset = 0) => mem(simd(0x5d), 3, offset),
  v128Load32Splat: (offset = 0) => mem(simd(0x09), 2, offset),
  v128Zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
  i8x16Shuffle: (lanes: readonly number[]) => [...simd(0x0d), ...lanes],
  f32x4Splat: simd(0x13),
  f64x2Splat: simd(0x14),
  f32x4ExtractLane: (lane: number) => [...simd(0x1f), lane],
  f64x2ExtractLane: (lane: number) => [...simd(0x21), lane],
  f64x2ReplaceLane: (lane: number) => [...simd(0x22), lane],
  f32x4Le: simd(0x45),
  f64x2Eq: simd(0x47),
  f64x2Ne: simd(0x48),
  f64x2PromoteLowF32x4: simd(0x5f),
  i32x4Bitmask: simd(0xa4),
  i64x2Bitmask: simd(0xc4),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Min: simd(0xe8),
  f32x4Max: simd(0xe9),
  f64x2Add: simd(0xf0),
  f64x2Sub: simd(0xf1),
  f64x2Mul: simd(0xf2),
} as const

/**
 * One function under construction: parameters, an optional result, extra locals and a flat byte
 * body. Parameters are locals `0…params.length−1`; {@link FuncBuilder.local} numbers the rest.
 */
export class FuncBuilder {
  private readonly localTypes: ValType[] = []
  private readonly body: number[] = []
  constructor(
    /** The export name. */
    readonly name: string,
    readonly params: readonly ValType[],
    readonly result?: ValType,
  ) {}

  /** Declares a new local and returns its index. */
  local(type: ValType): number {
    this.localTypes.push(type)
    return this.params.length + this.localTypes.length - 1
  }

  /** Appends instructions (arrays are flattened one level). */
  emit(...code: readonly (number | readonly number[])[]): this {
    for (const c of code) {
      if (typeof c === 'number') this.body.push(c)
      else for (const b of c) this.body.push(b)
    }
    return this
  }

  /**
   * `while (counter < limit) { body(); counter += step }` over i32 locals (unsigned compare,
   * tested before each pass; `counter` is not initialised here).
   */
  forRange(counter: number, limit: number, step: number, body: () => void): this {
    this.emit(op.block, op.loop, op.get(counter), op.get(limit), op.i32GeU, op.brIf(1))
    body()
    this.emit(op.get(counter), op.i32(step), op.i32Add, op.set(counter), op.br(0), op.end, op.end)
    return this
  }

  /**
   * `for (i = 0; i < n; i += step) body()` over i32 locals, tested after each pass (one branch per
   * pass): `n` must be a multiple of `step`; the body is skipped when `n` is 0.
   */
  forSteps(i: number, n: number, step: number, body: () => void): this {
    this.emit(op.i32(0), op.set(i), op.block, op.get(n), op.i32Eqz, op.brIf(0), op.loop)
    body()
    this.emit(op.get(i), op.i32(step), op.i32Add, op.set(i))
    this.emit(op.get(i), op.get(n), op.i32LtU, op.brIf(0), op.end, op.end)
    return this
  }

  /** The function's code-section entry (locals grouped by runs of one type). */
  encode(): number[] {
    const groups: [number, ValType][] = []
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1]
      if (last?.[1] === t) last[0]++
      else groups.push([1, t])
    }
    const code = [
      ...uleb(groups.length),
      ...groups.flatMap(([count, t]) => [...uleb(count), t]),
      ...this.body,
      0x0b,
    ]
    return [...uleb(code.length), ...code]
  }
}

/** The memory a module imports as `env.<name>`. */
export interface MemoryImport {
  /** The import's field name under `env`. */
  readonly name: string
  /** The minimum size in 64 KiB pages. */
  readonly minPages: number
  /** The maximum size in pages (required for a shared memory). */
  readonly maxPages?: number
  /** Whether the memory is shared (threads). */
  readonly shared?: boolean
}

function section(id: number, payload: readonly number[]): number[] {
  return [id, ...uleb(payload.length), ...payload]
}

function vector(items: readonly (readonly number[])[]): number[] {
  return [...uleb(items.length), ...items.flat()]
}

function utf8(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s))
  return [...uleb(bytes.length), ...bytes]
}

/**
 * Encodes a module that imports one memory as `env.<memory.name>` and exports every function
 * under its name.
 *
 * @throws Error for a shared memory without `maxPages` (the format requires one).
 */
export function encodeModule(funcs: readonly FuncBuilder[], memory: MemoryImport): Uint8Array {
  const types = funcs.map((f) => [
    0x60,
    ...vector(f.params.map((t) => [t])),
    ...vector(f.result === undefined ? [] : [[f.result]]),
  ])
  if (memory.shared === true && memory.maxPages === undefined)
    throw new Error('a shared memory needs maxPages')
  // Limits flag: 0x00 minimum only, 0x01 with a maximum, 0x03 shared with a maximum.
  const limits =
    memory.maxPages === undefined
      ? [0x00, ...uleb(memory.minPages)]
      : [memory.shared === true ? 0x03 : 0x01, ...uleb(memory.minPages), ...uleb(memory.maxPages)]
  const memoryImport = [...utf8('env'), ...utf8(memory.name), 0x02, ...limits]
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(funcs.map((_, i) => uleb(i)))),
    ...section(7, vector(funcs.map((f, i) => [...utf8(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vector(funcs.map((f) => f.encode()))),
  ]
  return Uint8Array.from(bytes)
}

/** A compiled module (opaque here; structured-cloneable to workers). */
export interface WasmModule {
  readonly __wasmModule?: never
}
/** A linear memory; `B` is `SharedArrayBuffer` for a shared one. */
export interface WasmMemory<B extends ArrayBufferLike = ArrayBufferLike> {
  readonly buffer: B
}
/** An instance's exported functions. */
export interface WasmInstance {
  readonly exports: Readonly<Record<string, unknown>>
}

/** The part of the `WebAssembly` global Plinth uses (Node's lib types omit the values). */
export interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => WasmModule
  readonly Instance: new (module: WasmModule, imports: object) => WasmInstance
  readonly Memory: {
    new (d: { initial: number; maximum: number; shared: true }): WasmMemory<SharedArrayBuffer>
    new (d: { initial: number; maximum?: number }): WasmMemory<ArrayBuffer>
  }
}

/** The `WebAssembly` global, or `undefined` where the runtime has none. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly
}
