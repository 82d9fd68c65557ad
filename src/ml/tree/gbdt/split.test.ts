import { describe, expect, it } from 'vitest'

import { createRng } from '../../../core/index.js'
import { HIST_SLOTS, MISSING_BIN } from '../hist/index.js'

import {
  SplitCandidate,
  SplitScratch,
  findBestSplit,
  leafWeight,
  nodeGain,
  type SplitParams,
} from './split.js'

const P: SplitParams = {
  minChildWeight: 1,
  lambda: 1,
  alpha: 0,
  maxDeltaStep: 0,
  maxCatToOnehot: 4,
  maxCatThreshold: 64,
  monotone: undefined,
}

/** A histogram of `nFeatures` features from per-feature lists of [g, h] per bin (and missing). */
function histOf(features: { bins: [number, number][]; missing?: [number, number] }[]): {
  hist: Float64Array
  nBins: Int32Array
  g: number
  h: number
} {
  const hist = new Float64Array(features.length * HIST_SLOTS * 2)
  let g = 0
  let h = 0
  features.forEach((f, j) => {
    const o = j * HIST_SLOTS * 2
    f.bins.forEach(([gb, hb], b) => {
      hist[o + 2 * b] = gb
      hist[o + 2 * b + 1] = hb
      if (j === 0) {
        g += gb
        h += hb
      }
    })
    if (f.missing !== undefined) {
      hist[o + 2 * MISSING_BIN] = f.missing[0]
      hist[o + 2 * MISSING_BIN + 1] = f.missing[1]
      if (j === 0) {
        g += f.missing[0]
        h += f.missing[1]
      }
    }
  })
  return { hist, nBins: Int32Array.from(features, (f) => f.bins.length), g, h }
}

function best(
  features: { bins: [number, number][]; missing?: [number, number] }[],
  p: SplitParams = P,
  categorical?: Uint8Array,
  bounds: [number, number] = [-Infinity, Infinity],
): SplitCandidate {
  const { hist, nBins, g, h } = histOf(features)
  const out = new SplitCandidate()
  const feats = Int32Array.from(features, (_, j) => j)
  findBestSplit(
    hist,
    { nBins, categorical: categorical ?? new Uint8Array(features.length) },
    feats,
    feats.length,
    g,
    h,
    bounds[0],
    bounds[1],
    p,
    out,
    new SplitScratch(),
  )
  return out
}

const gain = (g: number, h: number, lambda = 1): number => (g * g) / (h + lambda)

describe('findBestSplit', () => {
  it('finds the best numeric threshold by prefix sums', () => {
    // Bins: (-2, 1), (-1, 1), (3, 2): the best split is bins {0, 1} | {2}.
    const s = best([
      {
        bins: [
          [-2, 1],
          [-1, 1],
          [3, 2],
        ],
      },
    ])
    expect(s.feature).toBe(0)
    expect(s.bin).toBe(1)
    expect(s.missingLeft).toBe(false)
    expect(s.gain).toBeCloseTo(gain(-3, 2) + gain(3, 2) - gain(0, 4), 5)
    expect([s.leftG, s.leftH, s.rightG, s.rightH]).toEqual([-3, 2, 3, 2])
  })

  it('sends missing values where they gain most', () => {
    // Missing rows look like bin 0 (negative gradients): they should go left with it.
    const s = best([
      {
        bins: [
          [-2, 1],
          [1, 1],
          [3, 2],
        ],
        missing: [-3, 1],
      },
    ])
    expect(s.bin).toBe(0)
    expect(s.missingLeft).toBe(true)
    expect([s.leftG, s.leftH]).toEqual([-5, 2])
    // A split of present values against the missing ones alone (bin = last) is allowed too.
    const t = best([
      {
        bins: [
          [1, 1],
          [1, 1],
          [1, 2],
        ],
        missing: [-6, 2],
      },
    ])
    expect(t.bin).toBe(2)
    expect(t.missingLeft).toBe(false)
  })

  it('matches a brute-force search on random histograms (ties to the lowest feature)', () => {
    const rng = createRng(5)
    for (let trial = 0; trial < 200; trial++) {
      const nf = 1 + rng.int(3)
      const nb = 1 + rng.int(6)
      const hasMissing = rng.float() < 0.5
      // Every feature partitions the same rows: the others are permutations of feature 0's bins.
      const bins0: [number, number][] = Array.from({ length: nb }, () => [
        rng.normal() * 3,
        rng.float() * 3,
      ])
      const missing = hasMissing ? ([rng.normal(), rng.float()] as [number, number]) : undefined
      const features = Array.from({ length: nf }, (_, j) => ({
        bins: j === 0 ? bins0 : rng.shuffle(bins0.slice()),
        missing,
      }))
      const tot = (f: (typeof features)[number]): [number, number] => {
        let g = f.missing?.[0] ?? 0
        let h = f.missing?.[1] ?? 0
        for (const [gb, hb] of f.bins) {
          g += gb
          h += hb
        }
        return [g, h]
      }
      const [G, H] = tot(features[0]!)
      const p = { ...P, minChildWeight: 0.5, lambda: 0.7 }
      const s = best(
        features.map((f) =>
          f.missing === undefined ? { bins: f.bins } : { bins: f.bins, missing: f.missing },
        ),
        p,
      )
      // Brute force over (feature, bin, missing direction).
      let want = 0
      const root = gain(G, H, p.lambda)
      features.forEach((f) => {
        const mg = f.missing?.[0] ?? 0
        const mh = f.missing?.[1] ?? 0
        for (let b = -1; b < nb; b++) {
          let gl = 0
          let hl = 0
          for (let k = 0; k <= b; k++) {
            gl += f.bins[k]![0]
            hl += f.bins[k]![1]
          }
          for (const ml of f.missing === undefined ? [false] : [false, true]) {
            const GL = gl + (ml ? mg : 0)
            const HL = hl + (ml ? mh : 0)
            if (b === -1 && !ml) continue
            if (HL < p.minChildWeight || H - HL < p.minChildWeight) continue
            const chg = Math.fround(gain(GL, HL, p.lambda) + gain(G - GL, H - HL, p.lambda) - root)
            if (chg > want) want = chg
          }
        }
      })
      expect(s.gain).toBeCloseTo(want, 4)
    }
  })

  it('respects minChildWeight', () => {
    const s = best(
      [
        {
          bins: [
            [-2, 0.5],
            [-1, 1],
            [3, 2],
          ],
        },
      ],
      { ...P, minChildWeight: 1 },
    )
    // bin 0 alone has hessian 0.5 < 1, so the first valid split is at bin 1.
    expect(s.bin).toBe(1)
    const none = best([
      {
        bins: [
          [-2, 0.5],
          [3, 0.5],
        ],
      },
    ])
    expect(none.feature).toBe(-1)
    expect(none.gain).toBe(0)
  })

  it('soft-thresholds gradients by alpha (L1)', () => {
    const p = { ...P, alpha: 1.5 }
    const s = best(
      [
        {
          bins: [
            [-2, 1],
            [-1, 1],
            [3, 2],
          ],
        },
      ],
      p,
    )
    const t = (g: number): number => Math.sign(g) * Math.max(0, Math.abs(g) - 1.5)
    expect(s.gain).toBeCloseTo(gain(t(-3), 2) + gain(t(3), 2) - gain(t(0), 4), 5)
    expect(leafWeight(p, -3, 2)).toBeCloseTo(1.5 / 3, 12)
    expect(Math.abs(leafWeight(p, 1, 2))).toBe(0)
  })

  it('caps weights at maxDeltaStep', () => {
    const p = { ...P, maxDeltaStep: 0.5 }
    expect(leafWeight(p, -10, 1)).toBe(0.5)
    expect(leafWeight(p, 10, 1)).toBe(-0.5)
    expect(nodeGain(p, -10, 1, -Infinity, Infinity)).toBeCloseTo(-(2 * -10 * 0.5 + 2 * 0.25), 12)
  })

  it('rejects splits that break a monotone constraint', () => {
    // Left has the larger weight (negative gradients): allowed when decreasing, not increasing.
    const feats = [
      {
        bins: [
          [-4, 1],
          [4, 1],
        ] as [number, number][],
      },
    ]
    const inc = best(feats, { ...P, monotone: Int8Array.of(1) })
    expect(inc.feature).toBe(-1)
    const dec = best(feats, { ...P, monotone: Int8Array.of(-1) })
    expect(dec.feature).toBe(0)
    // Bounds clamp the children's weights (and so the gain).
    const bounded = best(feats, { ...P, monotone: Int8Array.of(-1) }, undefined, [-0.5, 0.5])
    expect(bounded.gain).toBeLessThan(dec.gain)
  })

  it('partitions categories by their weight order', () => {
    // Categories 0, 2, 4 pull up, 1 and 3 pull down: the best partition is {1, 3} | {0, 2, 4}
    // (the lower-weight side, first in the sorted order, goes left).
    const s = best(
      [
        {
          bins: [
            [-3, 2],
            [3, 2],
            [-2, 2],
            [4, 2],
            [-3, 2],
          ],
        },
      ],
      P,
      Uint8Array.of(1),
    )
    expect(s.categorical).toBe(true)
    const left = [0, 1, 2, 3, 4].filter((c) => ((s.catBits[0]! >>> c) & 1) === 1)
    expect(left).toEqual([1, 3])
    expect(s.gain).toBeCloseTo(gain(7, 4) + gain(-8, 6) - gain(-1, 10), 5)
  })

  it('uses one-vs-rest splits below maxCatToOnehot categories', () => {
    const s = best(
      [
        {
          bins: [
            [-3, 2],
            [4, 2],
            [-2, 2],
          ],
        },
      ],
      P,
      Uint8Array.of(1),
    )
    expect(s.categorical).toBe(true)
    // Category 1 is alone on the right; the others (and missing values) go left.
    expect(s.catBits[0]! & 0b111).toBe(0b101)
    expect(s.missingLeft).toBe(true)
  })
})
