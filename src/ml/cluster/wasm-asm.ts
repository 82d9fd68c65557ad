/**
 * A minimal WebAssembly assembler: enough of the binary format to build small numeric kernels
 * (i32/f64 scalars and 128-bit SIMD on a shared, imported memory) from TypeScript at load time,
 * so the kernels are readable source instead of an opaque binary blob.
 *
 * Only the opcodes the cluster kernels use are listed; see the WebAssembly core specification
 * (binary format, §5) and the SIMD proposal for the encodings.
 *
 * @internal
 */

/** A value type code. */
export const I32 = 0x7f
/** @internal */
export const F64 = 0x7c
/** @internal */
export const V128 = 0x7b
type ValType = typeof I32 | typeof F64 | typeof V128

/** Unsigned LEB128. */
function uleb(value: number): number[] {
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

const simd = (op: number): number[] => [0xfd, ...uleb(op)]
const mem = (opcode: number[], align: number, offset: number): number[] => [
  ...opcode,
  align,
  ...uleb(offset),
]

/** Instruction encoders (each returns its bytes). */
export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
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
  i32Eqz: [0x45],
  i32Ne: [0x47],
  i32LtU: [0x49],
  i32GtU: [0x4b],
  i32GeU: [0x4f],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32And: [0x71],
  select: [0x1b],
  f64Lt: [0x63],
  f64Add: [0xa0],
  f64Sub: [0xa1],
  f64Mul: [0xa2],
  f64Min: [0xa4],
  f64Sqrt: [0x9f],
  f64Gt: [0x64],
  f64Max: [0xa5],
  f64PromoteF32: [0xbb],
  i32Load: (offset = 0) => mem([0x28], 2, offset),
  i32Store: (offset = 0) => mem([0x36], 2, offset),
  f32Load: (offset = 0) => mem([0x2a], 2, offset),
  f64Load: (offset = 0) => mem([0x2b], 3, offset),
  f64Store: (offset = 0) => mem([0x39], 3, offset),
  v128Load: (offset = 0) => mem(simd(0x00), 4, offset),
  v128Store: (offset = 0) => mem(simd(0x0b), 4, offset),
  v128Load64Zero: (offset = 0) => mem(simd(0x5d), 3, offset),
  f64x2PromoteLowF32x4: simd(0x5f),
  v128Zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
  f64x2Splat: simd(0x14),
  f64x2ExtractLane: (lane: number) => [...simd(0x21), lane],
  v128Load32Splat: (offset = 0) => mem(simd(0x09), 2, offset),
  f32x4ExtractLane: (lane: number) => [...simd(0x1f), lane],
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Min: simd(0xe8),
  f32x4Le: simd(0x45),
  f32x4Splat: simd(0x13),
  i32x4Bitmask: simd(0xa4),
  i8x16Shuffle: (lanes: readonly number[]) => [...simd(0x0d), ...lanes],
  f32DemoteF64: [0xb6],
  i32Ctz: [0x68],
  i32Popcnt: [0x69],
  i32Or: [0x72],
  i32Shl: [0x74],
  i32LtS: [0x48],
  i32Eq: [0x46],
  i32ShrU: [0x76],
  f64x2Add: simd(0xf0),
  f64x2Sub: simd(0xf1),
  f64x2Mul: simd(0xf2),
} as const

/** One function under construction: parameters, extra locals and a flat byte body. */
export class FuncBuilder {
  private readonly localTypes: ValType[] = []
  private readonly body: number[] = []
  constructor(
    readonly name: string,
    readonly params: readonly ValType[],
  ) {}

  /** Declares a new local and returns its index. */
  local(type: ValType): number {
    this.localTypes.push(type)
    return this.params.length + this.localTypes.length - 1
  }

  /** Appends instructions (nested arrays are flattened). */
  emit(...code: readonly (number | readonly number[])[]): this {
    for (const c of code) {
      if (typeof c === 'number') this.body.push(c)
      else this.body.push(...c)
    }
    return this
  }

  /** `while (get(counter) < get(limit)) { body; counter += step }` over i32 locals. */
  forRange(counter: number, limit: number, step: number, body: () => void): this {
    this.emit(op.block, op.loop, op.get(counter), op.get(limit), op.i32GeU, op.brIf(1))
    body()
    this.emit(op.get(counter), op.i32(step), op.i32Add, op.set(counter), op.br(0), op.end, op.end)
    return this
  }

  /** The function's code-section entry. */
  encode(): number[] {
    const groups: number[] = []
    let count = 0
    for (let i = 0; i < this.localTypes.length; i++) {
      const t = this.localTypes[i]!
      // One declaration per local keeps the encoder simple; V8 does not care.
      groups.push(...uleb(1), t)
      count++
    }
    const code = [...uleb(count), ...groups, ...this.body, 0x0b]
    return [...uleb(code.length), ...code]
  }
}

function section(id: number, payload: readonly number[]): number[] {
  return [id, ...uleb(payload.length), ...payload]
}

function vector(items: readonly (readonly number[])[]): number[] {
  return [...uleb(items.length), ...items.flat()]
}

function name(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s))
  return [...uleb(bytes.length), ...bytes]
}

/**
 * Encodes a module that imports one shared memory as `env.memory` (up to 65536 pages) and
 * exports every function under its name. Functions return nothing; they write results to memory.
 */
export function encodeModule(funcs: readonly FuncBuilder[]): Uint8Array {
  const types = funcs.map((f) => [0x60, ...vector(f.params.map((t) => [t])), ...uleb(0)])
  // limits flag 0x03: shared, with a maximum.
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(1), ...uleb(65536)]
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(funcs.map((_, i) => uleb(i)))),
    ...section(7, vector(funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vector(funcs.map((f) => f.encode()))),
  ]
  return Uint8Array.from(bytes)
}

/** A compiled module (opaque here; structured-cloneable to workers). */
export interface WasmModule {
  readonly __wasmModule?: never
}
/** A shared linear memory. */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer
}
/** An instance's exported functions. */
export interface WasmInstance {
  readonly exports: Readonly<Record<string, unknown>>
}

/** The part of the `WebAssembly` global the kernels use (Node's lib types omit the values). */
export interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => WasmModule
  readonly Instance: new (module: WasmModule, imports: object) => WasmInstance
  readonly Memory: new (d: { initial: number; maximum: number; shared: true }) => WasmMemory
}

/** The `WebAssembly` global, or `undefined` where the runtime has none. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly
}
