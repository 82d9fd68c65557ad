/**
 * A tiny WebAssembly binary emitter: just enough to write the few SIMD loops of the Gram kernels
 * as readable TypeScript instead of shipping an opaque `.wasm` blob.
 *
 * The module it builds imports one memory (`env.mem`) and exports functions whose parameters are
 * `i32` byte offsets and counts, or `f64` scalars.
 *
 * @see https://webassembly.github.io/spec/core/binary/index.html (binary format, SIMD opcodes)
 * @internal
 */

/** A value type: `i32`, `f64` or `v128`. */
export type ValType = 'i32' | 'f64' | 'v128'

const TYPE_CODE: Record<ValType, number> = { i32: 0x7f, f64: 0x7c, v128: 0x7b }

function uleb(n: number): number[] {
  const out: number[] = []
  let v = n >>> 0
  do {
    let b = v & 0x7f
    v >>>= 7
    if (v !== 0) b |= 0x80
    out.push(b)
  } while (v !== 0)
  return out
}

function sleb(n: number): number[] {
  const out: number[] = []
  let v = n | 0
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

function name(s: string): number[] {
  const bytes = Array.from(s, (ch) => ch.charCodeAt(0))
  return [...uleb(bytes.length), ...bytes]
}

function vec(items: readonly (readonly number[])[]): number[] {
  return [...uleb(items.length), ...items.flat()]
}

function section(id: number, body: readonly number[]): number[] {
  return [id, ...uleb(body.length), ...body]
}

const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm]

/**
 * The body of one function: declare locals, then append instructions. Parameters are locals
 * `0…nParams-1`; {@link FunctionBuilder.local} numbers the rest.
 */
export class FunctionBuilder {
  readonly code: number[] = []
  private readonly locals: ValType[] = []
  constructor(
    readonly exportName: string,
    readonly params: readonly ValType[],
    readonly result: ValType | undefined,
  ) {}

  /** Declares a local and returns its index. */
  local(type: ValType): number {
    this.locals.push(type)
    return this.params.length + this.locals.length - 1
  }

  get(i: number): this {
    return this.op(0x20, ...uleb(i))
  }
  set(i: number): this {
    return this.op(0x21, ...uleb(i))
  }
  i32(v: number): this {
    return this.op(0x41, ...sleb(v))
  }
  i32Add(): this {
    return this.op(0x6a)
  }
  i32LtU(): this {
    return this.op(0x49)
  }
  i32Eqz(): this {
    return this.op(0x45)
  }
  f64Add(): this {
    return this.op(0xa0)
  }
  f64Store(offset: number): this {
    return this.op(0x39, 3, ...uleb(offset))
  }
  /** `v128.load` at `offset` from the address on the stack (16-byte alignment hint). */
  v128Load(offset = 0): this {
    return this.op(...simd(0x00, 4, ...uleb(offset)))
  }
  v128Store(offset = 0): this {
    return this.op(...simd(0x0b, 4, ...uleb(offset)))
  }
  /** Loads 8 bytes into the low half of a v128, zeroing the high half. */
  v128Load64Zero(offset = 0): this {
    return this.op(...simd(0x5d, 3, ...uleb(offset)))
  }
  v128Zero(): this {
    return this.op(...simd(0x0c, ...new Array<number>(16).fill(0)))
  }
  f64x2Splat(): this {
    return this.op(...simd(0x14))
  }
  f64x2ExtractLane(lane: 0 | 1): this {
    return this.op(...simd(0x21, lane))
  }
  f64x2PromoteLowF32x4(): this {
    return this.op(...simd(0x5f))
  }
  f64x2Add(): this {
    return this.op(...simd(0xf0))
  }
  f64x2Sub(): this {
    return this.op(...simd(0xf1))
  }
  f64x2Mul(): this {
    return this.op(...simd(0xf2))
  }

  /**
   * `for (i = 0; i < n; i += step) body(i)`, with `i` and `n` byte-count locals; skips the body
   * entirely when `n` is 0.
   */
  forBytes(i: number, n: number, step: number, body: () => void): this {
    this.i32(0).set(i)
    this.op(0x02, 0x40) // block
    this.get(n).i32Eqz().op(0x0d, 0) // br_if 0: nothing to do
    this.op(0x03, 0x40) // loop
    body()
    this.get(i).i32(step).i32Add().set(i)
    this.get(i).get(n).i32LtU().op(0x0d, 0) // br_if 0: continue the loop
    this.op(0x0b, 0x0b) // end loop, end block
    return this
  }

  /** Appends raw instruction bytes. */
  op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b)
    return this
  }

  /** The encoded function body (locals + code + end). */
  encode(): number[] {
    const groups: number[][] = []
    for (const t of this.locals) {
      const last = groups[groups.length - 1]
      if (last !== undefined && last[1] === TYPE_CODE[t]) last[0]!++
      else groups.push([1, TYPE_CODE[t]])
    }
    const body = [
      ...vec(groups.map(([count, code]) => [...uleb(count!), code!])),
      ...this.code,
      0x0b,
    ]
    return [...uleb(body.length), ...body]
  }
}

/** Encodes a module that imports `env.mem` (at least `minPages` pages) and exports `fns`. */
export function encodeModule(fns: readonly FunctionBuilder[], minPages: number): Uint8Array {
  const types = fns.map((f) => [
    0x60,
    ...vec(f.params.map((p) => [TYPE_CODE[p]])),
    ...vec(f.result === undefined ? [] : [[TYPE_CODE[f.result]]]),
  ])
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x00, ...uleb(minPages)]])),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(7, vec(fns.map((f, i) => [...name(f.exportName), 0x00, ...uleb(i)]))),
    ...section(10, vec(fns.map((f) => f.encode()))),
  ]
  return Uint8Array.from(bytes)
}
