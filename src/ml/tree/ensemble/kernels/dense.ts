/**
 * The fast batch kernel: numeric trees in a sibling-adjacent layout walked without branches,
 * four rows at a time.
 *
 * ## Method
 * Each tree is renumbered breadth-first so a node's children are adjacent (`right = left + 1`);
 * shallow trees (depth ≤ 10) are stored complete, so the children of a node are computed.
 * A step is then `n = child[n] + (x >= threshold[n])`: a comparison turned into 0/1 and an add,
 * with no branch for the CPU to mispredict (a tree walk's branches are close to coin flips, and
 * mispredictions dominate the naive walk). Leaves point at themselves with a NaN threshold
 * (`x >= NaN` is false), so every row of a tree takes the tree's depth in steps and four rows
 * (eight for complete trees) walk in lockstep, their independent load chains overlapping.
 *
 * Missing values: each block of rows is first copied into a scratch row of `2 × nFeatures`
 * values, the first half with NaN replaced by +Infinity, the second with -Infinity; a node
 * whose missing values go right reads the first half (+Infinity ≥ any finite threshold), one
 * whose missing values go left reads the second. This is exact for finite thresholds, which the
 * layout requires (ensembles with infinite thresholds or categorical splits use the generic walk).
 * The copy also rounds inputs to float32 for float32 models.
 *
 * The function below is self-contained (no imports, no closures): worker threads run it from its
 * source text.
 *
 * @internal
 */

/** The dense layout of an ensemble (plain typed arrays, shareable with workers). */
export interface DenseKernelData {
  readonly nTrees: number
  readonly nFeatures: number
  readonly nOutputs: number
  readonly leafWidth: number
  /** Global id of each tree's root. */
  readonly root: Int32Array
  /** Steps to walk each tree (its depth). */
  readonly depth: Int32Array
  /** Output each tree adds to (leafWidth 1). */
  readonly group: Int32Array
  /** Column of the scratch row the node reads: `f` (missing goes right) or `nFeatures + f`. */
  readonly col: Int32Array
  /** Threshold; NaN at leaves. */
  readonly threshold: Float64Array
  /** Left child (the right one is next to it); the node itself at leaves. */
  readonly child: Int32Array
  /** `leafWidth` values per node (meaningful at leaves). */
  readonly value: Float64Array
  readonly baseScore: Float64Array
  /** Per output: 1 for sums, 1 / (trees adding to it) for means. */
  readonly scale: Float64Array
  /** 1 when the trees are averaged. */
  readonly mean: number
  /** 1 to round inputs to float32. */
  readonly f32Input: number
  /** 1 to round partial sums to float32. */
  readonly f32Sum: number
  /**
   * 1 when every tree is stored complete (local node i has children 2i+1, 2i+2; a leaf above the
   * last level fills its whole subtree), so walks compute children instead of loading them.
   */
  readonly padded: number
}

/** Rows per block for `nFeatures`: the scratch block stays within about 128 KiB. */
export function denseBlockRows(nFeatures: number): number {
  const rows = Math.floor(8192 / Math.max(1, nFeatures))
  return Math.max(4, Math.min(128, rows - (rows % 4)))
}

/**
 * Margins of rows [r0, r1) of `X` (row-major, `m.nFeatures` columns) into
 * `out[r * nOutputs + k]`. `scratch` holds `denseBlockRows(nFeatures) * 2 * nFeatures` values.
 */
export function denseKernel(
  m: DenseKernelData,
  X: Float64Array | Float32Array,
  r0: number,
  r1: number,
  out: Float64Array,
  scratch: Float64Array,
): void {
  const P = m.nFeatures
  const W = 2 * P
  const K = m.nOutputs
  const w = m.leafWidth
  const B = Math.floor(scratch.length / W)
  const { root, depth, group, col, threshold, child, value, baseScore, scale } = m
  const f32in = m.f32Input === 1
  const f32sum = m.f32Sum === 1
  const mean = m.mean === 1
  const padded = m.padded === 1
  for (let b0 = r0; b0 < r1; b0 += B) {
    const nb = Math.min(B, r1 - b0)
    // Scratch rows: NaN → +Inf in the first half, -Inf in the second.
    for (let r = 0; r < nb; r++) {
      const src = (b0 + r) * P
      const dst = r * W
      for (let f = 0; f < P; f++) {
        let x = X[src + f]!
        if (f32in) x = Math.fround(x)
        if (x !== x) {
          scratch[dst + f] = Infinity
          scratch[dst + P + f] = -Infinity
        } else {
          scratch[dst + f] = x
          scratch[dst + P + f] = x
        }
      }
      for (let k = 0; k < K; k++) {
        const b = baseScore[k]!
        out[(b0 + r) * K + k] = mean ? 0 : f32sum ? Math.fround(b) : b
      }
    }
    for (let t = 0; t < m.nTrees; t++) {
      const rt = root[t]!
      const D = depth[t]!
      const g = group[t]!
      let r = 0
      if (padded) {
        // Eight rows in lockstep: more independent load chains in flight (about 10% over four).
        const c = 1 - rt
        for (; r + 8 <= nb; r += 8) {
          let n0 = rt
          let n1 = rt
          let n2 = rt
          let n3 = rt
          let n4 = rt
          let n5 = rt
          let n6 = rt
          let n7 = rt
          const o0 = r * W
          for (let d = 0; d < D; d++) {
            n0 = 2 * n0 + c + +(scratch[o0 + col[n0]!]! >= threshold[n0]!)
            n1 = 2 * n1 + c + +(scratch[o0 + W + col[n1]!]! >= threshold[n1]!)
            n2 = 2 * n2 + c + +(scratch[o0 + 2 * W + col[n2]!]! >= threshold[n2]!)
            n3 = 2 * n3 + c + +(scratch[o0 + 3 * W + col[n3]!]! >= threshold[n3]!)
            n4 = 2 * n4 + c + +(scratch[o0 + 4 * W + col[n4]!]! >= threshold[n4]!)
            n5 = 2 * n5 + c + +(scratch[o0 + 5 * W + col[n5]!]! >= threshold[n5]!)
            n6 = 2 * n6 + c + +(scratch[o0 + 6 * W + col[n6]!]! >= threshold[n6]!)
            n7 = 2 * n7 + c + +(scratch[o0 + 7 * W + col[n7]!]! >= threshold[n7]!)
          }
          const a = (b0 + r) * K
          if (w === 1) {
            const a0 = a + g
            const s0 = out[a0]! + value[n0]!
            const s1 = out[a0 + K]! + value[n1]!
            const s2 = out[a0 + 2 * K]! + value[n2]!
            const s3 = out[a0 + 3 * K]! + value[n3]!
            const s4 = out[a0 + 4 * K]! + value[n4]!
            const s5 = out[a0 + 5 * K]! + value[n5]!
            const s6 = out[a0 + 6 * K]! + value[n6]!
            const s7 = out[a0 + 7 * K]! + value[n7]!
            out[a0] = f32sum ? Math.fround(s0) : s0
            out[a0 + K] = f32sum ? Math.fround(s1) : s1
            out[a0 + 2 * K] = f32sum ? Math.fround(s2) : s2
            out[a0 + 3 * K] = f32sum ? Math.fround(s3) : s3
            out[a0 + 4 * K] = f32sum ? Math.fround(s4) : s4
            out[a0 + 5 * K] = f32sum ? Math.fround(s5) : s5
            out[a0 + 6 * K] = f32sum ? Math.fround(s6) : s6
            out[a0 + 7 * K] = f32sum ? Math.fround(s7) : s7
          } else {
            for (let j = 0; j < 8; j++) {
              const n =
                j < 4
                  ? j === 0
                    ? n0
                    : j === 1
                      ? n1
                      : j === 2
                        ? n2
                        : n3
                  : j === 4
                    ? n4
                    : j === 5
                      ? n5
                      : j === 6
                        ? n6
                        : n7
              for (let k = 0; k < w; k++) {
                const s = out[a + j * K + k]! + value[n * w + k]!
                out[a + j * K + k] = f32sum ? Math.fround(s) : s
              }
            }
          }
        }
      }
      for (; r + 4 <= nb; r += 4) {
        let n0 = rt
        let n1 = rt
        let n2 = rt
        let n3 = rt
        const o0 = r * W
        const o1 = o0 + W
        const o2 = o1 + W
        const o3 = o2 + W
        if (padded) {
          // Complete trees: the children of local node i are 2i+1 and 2i+2, so the step needs
          // no child load (about a quarter faster than the pointer walk below).
          const c = 1 - rt
          // (Only the last rows of a block get here: eight at a time above.)
          for (let d = 0; d < D; d++) {
            n0 = 2 * n0 + c + +(scratch[o0 + col[n0]!]! >= threshold[n0]!)
            n1 = 2 * n1 + c + +(scratch[o1 + col[n1]!]! >= threshold[n1]!)
            n2 = 2 * n2 + c + +(scratch[o2 + col[n2]!]! >= threshold[n2]!)
            n3 = 2 * n3 + c + +(scratch[o3 + col[n3]!]! >= threshold[n3]!)
          }
        } else {
          for (let d = 0; d < D; d++) {
            // `+(a >= b)` compiles to a flag-to-register move, not a branch.
            n0 = child[n0]! + +(scratch[o0 + col[n0]!]! >= threshold[n0]!)
            n1 = child[n1]! + +(scratch[o1 + col[n1]!]! >= threshold[n1]!)
            n2 = child[n2]! + +(scratch[o2 + col[n2]!]! >= threshold[n2]!)
            n3 = child[n3]! + +(scratch[o3 + col[n3]!]! >= threshold[n3]!)
          }
        }
        if (w === 1) {
          const a0 = (b0 + r) * K + g
          const s0 = out[a0]! + value[n0]!
          const s1 = out[a0 + K]! + value[n1]!
          const s2 = out[a0 + 2 * K]! + value[n2]!
          const s3 = out[a0 + 3 * K]! + value[n3]!
          out[a0] = f32sum ? Math.fround(s0) : s0
          out[a0 + K] = f32sum ? Math.fround(s1) : s1
          out[a0 + 2 * K] = f32sum ? Math.fround(s2) : s2
          out[a0 + 3 * K] = f32sum ? Math.fround(s3) : s3
        } else {
          for (let j = 0; j < 4; j++) {
            const a = (b0 + r + j) * K
            const v = (j === 0 ? n0 : j === 1 ? n1 : j === 2 ? n2 : n3) * w
            for (let k = 0; k < w; k++) {
              const s = out[a + k]! + value[v + k]!
              out[a + k] = f32sum ? Math.fround(s) : s
            }
          }
        }
      }
      for (; r < nb; r++) {
        let n = rt
        const o = r * W
        for (let d = 0; d < D; d++) n = child[n]! + +(scratch[o + col[n]!]! >= threshold[n]!)
        const a = (b0 + r) * K
        for (let k = 0; k < w; k++) {
          const s = out[a + (w === 1 ? g : k)]! + value[n * w + k]!
          out[a + (w === 1 ? g : k)] = f32sum ? Math.fround(s) : s
        }
      }
    }
    if (mean) {
      for (let r = b0; r < b0 + nb; r++) {
        for (let k = 0; k < K; k++) out[r * K + k] = baseScore[k]! + out[r * K + k]! * scale[k]!
      }
    }
  }
}

/**
 * Margins of one row into `out[0 … nOutputs)`, walking four trees in lockstep (their load
 * chains overlap) and adding their leaves in tree order, so the sum equals {@link denseKernel}'s
 * bit for bit. `scratch` holds `2 * nFeatures` values. Allocates nothing.
 */
export function denseRow(
  m: DenseKernelData,
  row: ArrayLike<number>,
  out: Float64Array,
  scratch: Float64Array,
): void {
  const P = m.nFeatures
  const K = m.nOutputs
  const w = m.leafWidth
  const { root, depth, group, col, threshold, child, value, baseScore, scale } = m
  const f32sum = m.f32Sum === 1
  for (let f = 0; f < P; f++) {
    let x = row[f]!
    if (m.f32Input === 1) x = Math.fround(x)
    if (x !== x) {
      scratch[f] = Infinity
      scratch[P + f] = -Infinity
    } else {
      scratch[f] = x
      scratch[P + f] = x
    }
  }
  for (let k = 0; k < K; k++) {
    const b = baseScore[k]!
    out[k] = m.mean === 1 ? 0 : f32sum ? Math.fround(b) : b
  }
  const T = m.nTrees
  let t = 0
  for (; t + 4 <= T; t += 4) {
    let n0 = root[t]!
    let n1 = root[t + 1]!
    let n2 = root[t + 2]!
    let n3 = root[t + 3]!
    const D = Math.max(depth[t]!, depth[t + 1]!, depth[t + 2]!, depth[t + 3]!)
    for (let d = 0; d < D; d++) {
      n0 = child[n0]! + +(scratch[col[n0]!]! >= threshold[n0]!)
      n1 = child[n1]! + +(scratch[col[n1]!]! >= threshold[n1]!)
      n2 = child[n2]! + +(scratch[col[n2]!]! >= threshold[n2]!)
      n3 = child[n3]! + +(scratch[col[n3]!]! >= threshold[n3]!)
    }
    for (let j = 0; j < 4; j++) {
      const n = j === 0 ? n0 : j === 1 ? n1 : j === 2 ? n2 : n3
      addLeaf(out, value, n, w, group[t + j]!, f32sum)
    }
  }
  for (; t < T; t++) {
    let n = root[t]!
    for (let d = 0; d < depth[t]!; d++) n = child[n]! + +(scratch[col[n]!]! >= threshold[n]!)
    addLeaf(out, value, n, w, group[t]!, f32sum)
  }
  if (m.mean === 1) for (let k = 0; k < K; k++) out[k] = baseScore[k]! + out[k]! * scale[k]!
}

function addLeaf(
  out: Float64Array,
  value: Float64Array,
  n: number,
  w: number,
  g: number,
  f32sum: boolean,
): void {
  if (w === 1) {
    const s = out[g]! + value[n]!
    out[g] = f32sum ? Math.fround(s) : s
    return
  }
  for (let k = 0; k < w; k++) {
    const s = out[k]! + value[n * w + k]!
    out[k] = f32sum ? Math.fround(s) : s
  }
}
