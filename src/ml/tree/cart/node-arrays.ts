/**
 * Growable node arrays of one tree under construction, trimmed into a {@link FlatTree} at the end.
 *
 * @internal
 */
import type { FlatTree } from '../ensemble/index.js'

/** The node arrays of a tree being grown; capacity doubles as nodes are added. */
export class NodeArrays {
  nNodes = 0
  private cap: number
  feature: Int32Array
  threshold: Float64Array
  left: Int32Array
  right: Int32Array
  missingLeft: Uint8Array
  value: Float64Array
  cover: Float64Array
  gain: Float64Array

  constructor(
    /** Values per leaf. */
    readonly width: number,
    capacity = 64,
  ) {
    this.cap = capacity
    this.feature = new Int32Array(capacity)
    this.threshold = new Float64Array(capacity)
    this.left = new Int32Array(capacity)
    this.right = new Int32Array(capacity)
    this.missingLeft = new Uint8Array(capacity)
    this.value = new Float64Array(capacity * width)
    this.cover = new Float64Array(capacity)
    this.gain = new Float64Array(capacity)
  }

  /** Adds a leaf (to be turned into a split later if needed) and returns its id. */
  add(cover: number): number {
    if (this.nNodes === this.cap) this.grow()
    const id = this.nNodes++
    this.feature[id] = -1
    this.left[id] = -1
    this.right[id] = -1
    this.cover[id] = cover
    return id
  }

  private grow(): void {
    const cap = this.cap * 2
    const g = <A extends Int32Array | Float64Array | Uint8Array>(a: A, len: number): A => {
      const b = new (a.constructor as new (n: number) => A)(len)
      b.set(a)
      return b
    }
    this.feature = g(this.feature, cap)
    this.threshold = g(this.threshold, cap)
    this.left = g(this.left, cap)
    this.right = g(this.right, cap)
    this.missingLeft = g(this.missingLeft, cap)
    this.value = g(this.value, cap * this.width)
    this.cover = g(this.cover, cap)
    this.gain = g(this.gain, cap)
    this.cap = cap
  }

  /** The finished tree (copies of the used parts). */
  toFlatTree(): FlatTree {
    const n = this.nNodes
    return {
      nNodes: n,
      feature: this.feature.slice(0, n),
      threshold: this.threshold.slice(0, n),
      left: this.left.slice(0, n),
      right: this.right.slice(0, n),
      missingLeft: this.missingLeft.slice(0, n),
      value: this.value.slice(0, n * this.width),
      cover: this.cover.slice(0, n),
      gain: this.gain.slice(0, n),
      catOffset: new Int32Array(n).fill(-1),
      catWords: new Int32Array(n),
      catBits: new Uint32Array(0),
    }
  }
}

const F64 = new Float64Array(1)
const U64 = new BigUint64Array(F64.buffer)

/**
 * The smallest double greater than `x` (`x` itself for +Infinity and NaN): scikit-learn sends
 * `x <= t` left, the shared tree format `x < t`, and `x < nextUp(t)` ⇔ `x <= t` exactly.
 */
export function nextUp(x: number): number {
  if (x !== x || x === Infinity) return x
  if (x === 0) return Number.MIN_VALUE
  F64[0] = x
  U64[0] = x > 0 ? U64[0]! + 1n : U64[0]! - 1n
  return F64[0]
}
