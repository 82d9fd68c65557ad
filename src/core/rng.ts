/**
 * A seeded, reproducible random-number generator, passed in wherever randomness is needed.
 *
 * Nothing in Plinth calls `Math.random`: the same seed must give a bit-identical model, split or
 * sample on every machine and Node version.
 *
 * ## Method
 * xoshiro128** (Blackman and Vigna) on four 32-bit words, seeded through SplitMix32 so that
 * nearby seeds give unrelated streams. Doubles take 53 random bits from two outputs. `fork`
 * derives an independent child stream from the parent's next outputs (for parallel workers).
 *
 * ## References
 * - D. Blackman, S. Vigna. "Scrambled Linear Pseudorandom Number Generators". ACM TOMS 47(4), 2021.
 *
 * @example
 * ```ts
 * const rng = createRng(42)
 * const u = rng.float()   // in [0, 1)
 * const k = rng.int(10)   // integer in [0, 10)
 * ```
 */
export interface Rng {
  /** The seed this generator was created from (forks report a derived seed). */
  readonly seed: number
  /** A uniform 32-bit unsigned integer. */
  uint32(): number
  /** A uniform double in [0, 1) with 53 bits of randomness. */
  float(): number
  /** A uniform integer in [0, n), unbiased; `n` must be a positive safe integer ≤ 2^32. */
  int(n: number): number
  /** A standard normal deviate (Marsaglia polar method). */
  normal(): number
  /** Shuffles `array` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T
  /** An independent generator derived from this one's stream. */
  fork(): Rng
}

const TWO_POW_32 = 4294967296
const TWO_POW_53 = 9007199254740992

function splitMix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0
  let z = state.s
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

class Xoshiro128 implements Rng {
  private s0: number
  private s1: number
  private s2: number
  private s3: number
  private spareNormal: number | undefined = undefined

  constructor(
    readonly seed: number,
    state?: readonly [number, number, number, number],
  ) {
    // Seeds are 53-bit integers: hash the high word before combining, so seeds that differ only
    // above bit 32 (1 and 2^32 + 1) give unrelated streams, while seeds below 2^32 stay distinct.
    const lo = seed | 0
    const hi = Math.floor(seed / TWO_POW_32) | 0
    const st = { s: lo ^ fmix32((hi + 0x9e3779b9) | 0) }
    ;[this.s0, this.s1, this.s2, this.s3] = state ?? [
      splitMix32(st),
      splitMix32(st),
      splitMix32(st),
      splitMix32(st),
    ]
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1
  }

  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0
    const t = this.s1 << 9
    this.s2 ^= this.s0
    this.s3 ^= this.s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = rotl(this.s3, 11)
    return result
  }

  float(): number {
    const hi = this.uint32() >>> 5 // 27 bits
    const lo = this.uint32() >>> 6 // 26 bits
    return (hi * 67108864 + lo) / TWO_POW_53
  }

  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0 || n > TWO_POW_32) {
      throw new RangeError(`int(n) needs an integer 1 ≤ n ≤ 2^32, got ${String(n)}`)
    }
    // Rejection sampling (Lemire-style threshold) removes modulo bias.
    const limit = TWO_POW_32 - (TWO_POW_32 % n)
    for (;;) {
      const x = this.uint32()
      if (x < limit) return x % n
    }
  }

  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal
      this.spareNormal = undefined
      return v
    }
    for (;;) {
      const u = 2 * this.float() - 1
      const v = 2 * this.float() - 1
      const s = u * u + v * v
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s)
        this.spareNormal = v * m
        return u * m
      }
    }
  }

  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      const tmp = array[i]
      array[i] = array[j]
      array[j] = tmp
    }
    return array
  }

  fork(): Rng {
    return new Xoshiro128(this.uint32() * 2097152 + (this.uint32() >>> 11))
  }
}

function fmix32(h: number): number {
  let x = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return (x ^ (x >>> 16)) | 0
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}

/**
 * Creates a generator from a seed (any finite number; non-integers are truncated).
 *
 * @throws RangeError when `seed` is NaN or infinite.
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError('seed must be a finite number')
  return new Xoshiro128(Math.trunc(seed))
}

/**
 * A generator started from a raw xoshiro128** state (checks against the reference outputs).
 * @internal
 */
export function createRngFromState(state: readonly [number, number, number, number]): Rng {
  return new Xoshiro128(0, state)
}
