/**
 * `binary:logistic`'s unweighted gradients in WebAssembly, over the histogram engine's shared
 * memory: the same float32 values as {@link logisticObjective}'s loop, several times faster
 * (V8's `Math.exp` costs about 17 ns a call; this exp about 3).
 *
 * ## Method
 * `p = f32(1 / (1 + e^{−m}))`, `g = f32(p − y)`, `h = f32(max(p(1 − p), 1e-16))`, as the
 * TypeScript loop. The exponential reduces `x = −m` (clamped to ±700, where `p` is already 0 or 1
 * in float32) to `x = k·ln 2 + r` with `k = nearest(x·log₂e)`, `|r| ≤ ln 2 / 2` (ln 2 split in a
 * high part exact in 32 bits and a low part, fdlibm's constants), evaluates the degree-13 Taylor
 * polynomial of `e^r` by Estrin's scheme (truncation below 5e-18 relative) and scales by `2^k` built from its
 * exponent bits. Its error is about one double ulp, like `Math.exp`'s, so after the float32
 * rounding of `p` the gradients agree with the TypeScript loop's (a difference would need `p`
 * within 1e-16 of a float32 rounding boundary).
 *
 * @internal
 */
import {
  F64,
  FuncBuilder,
  I32,
  encodeModule,
  op,
  wasmApi,
  type WasmMemory,
  type WasmModule,
} from '../../base/index.js'

const { get, set, i32 } = op

/** fdlibm's ln 2 split: the high part has 32 significant bits, so k·LN2_HI is exact. */
const LN2_HI = 6.9314718036912381649e-1
const LN2_LO = 1.90821492927058770002e-10

/** `(margin, y, grad, hess, n)`: byte offsets of f64 margins and labels, f32 gradients and hessians. */
export type LogisticGradientKernel = (
  margin: number,
  y: number,
  grad: number,
  hess: number,
  n: number,
) => void

function buildModule(): Uint8Array {
  const f = new FuncBuilder('logistic', [I32, I32, I32, I32, I32])
  const [margin, y, grad, hess, n] = [0, 1, 2, 3, 4]
  const i = f.local(I32)
  const x = f.local(F64)
  const k = f.local(F64)
  const r = f.local(F64)
  const e = f.local(F64)
  const p = f.local(F64)
  const r2 = f.local(F64)
  const r4 = f.local(F64)
  const r8 = f.local(F64)
  f.emit(i32(0), set(i))
  f.forRange(i, n, 1, () => {
    // x = clamp(−margin[i], −700, 700)
    f.emit(op.f64(0), get(margin), get(i), i32(8), op.i32Mul, op.i32Add, op.f64Load(), op.f64Sub)
    f.emit(op.f64(-700), op.f64Max, op.f64(700), op.f64Min, set(x))
    f.emit(get(x), op.f64(Math.LOG2E), op.f64Mul, op.f64Nearest, set(k))
    f.emit(get(x), get(k), op.f64(LN2_HI), op.f64Mul, op.f64Sub)
    f.emit(get(k), op.f64(LN2_LO), op.f64Mul, op.f64Sub, set(r))
    // e = Σ r^j / j! (j ≤ 13, Estrin's scheme: a short dependency chain) · 2^k
    let fact = 1
    const c: number[] = []
    for (let j = 0; j <= 13; j++) {
      if (j > 0) fact *= j
      c.push(1 / fact)
    }
    f.emit(get(r), get(r), op.f64Mul, set(r2), get(r2), get(r2), op.f64Mul, set(r4))
    f.emit(get(r4), get(r4), op.f64Mul, set(r8))
    /** Pushes c[j] + c[j + 1]·r. */
    const lin = (j: number): void => {
      f.emit(op.f64(c[j]!), op.f64(c[j + 1]!), get(r), op.f64Mul, op.f64Add)
    }
    // q03 = p01 + r²·p23; q47 = p45 + r²·p67; s07 = q03 + r⁴·q47
    lin(0)
    f.emit(get(r2))
    lin(2)
    f.emit(op.f64Mul, op.f64Add, get(r4))
    lin(4)
    f.emit(get(r2))
    lin(6)
    f.emit(op.f64Mul, op.f64Add, op.f64Mul, op.f64Add)
    // q811 = p89 + r²·p1011; s813 = q811 + r⁴·p1213; p = s07 + r⁸·s813
    f.emit(get(r8))
    lin(8)
    f.emit(get(r2))
    lin(10)
    f.emit(op.f64Mul, op.f64Add, get(r4))
    lin(12)
    f.emit(op.f64Mul, op.f64Add, op.f64Mul, op.f64Add)
    f.emit(get(k), op.i32TruncF64S, i32(1023), op.i32Add, op.i64ExtendI32U, op.i64(52))
    f.emit(op.i64Shl, op.f64ReinterpretI64, op.f64Mul, set(e))
    // p = f32(1 / (1 + e))
    f.emit(op.f64(1), op.f64(1), get(e), op.f64Add, op.f64Div, op.f32DemoteF64, op.f64PromoteF32)
    f.emit(set(p))
    // grad[i] = f32(p − y[i]); hess[i] = f32(max(p(1 − p), 1e-16))
    f.emit(get(grad), get(i), i32(4), op.i32Mul, op.i32Add, get(p))
    f.emit(get(y), get(i), i32(8), op.i32Mul, op.i32Add, op.f64Load(), op.f64Sub)
    f.emit(op.f32DemoteF64, op.f32Store())
    f.emit(get(hess), get(i), i32(4), op.i32Mul, op.i32Add, get(p), op.f64(1), get(p), op.f64Sub)
    f.emit(op.f64Mul, op.f64(1e-16), op.f64Max, op.f32DemoteF64, op.f32Store())
  })
  return encodeModule([f], { name: 'memory', minPages: 1, maxPages: 65536, shared: true })
}

let compiled: WasmModule | undefined

/** The kernel over `memory` (shared), or `undefined` where WebAssembly is unavailable. */
export function logisticGradientKernel(memory: WasmMemory): LogisticGradientKernel | undefined {
  const api = wasmApi()
  if (api === undefined) return undefined
  try {
    compiled ??= new api.Module(buildModule())
    const ex = new api.Instance(compiled, { env: { memory } }).exports
    return ex['logistic'] as LogisticGradientKernel
  } catch {
    return undefined
  }
}
