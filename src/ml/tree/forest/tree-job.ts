/**
 * One tree of a forest, as any thread builds it: the bootstrap sample, the per-tree class
 * weights and the growth all come from the tree's own seed, so a tree is the same whichever
 * thread builds it and however many threads there are.
 *
 * @internal
 */
import { createRng, type Rng } from '../../../core/index.js'
// The learner itself, not cart's index: this module is what a forest worker loads, and the
// index would pull in the estimators, zod and the frame code (a slower worker start).
import { growTree, type GrowSpec, type GrownTree } from '../cart/grow.js'
import type { TreeData } from '../cart/tree-data.js'

/** Everything a thread needs to build any tree of a forest (structured-cloneable). */
export interface ForestJob {
  readonly data: TreeData
  /** Per-row weights: sample weights times class weights (not `'balanced_subsample'`). */
  readonly baseWeight: Float64Array
  readonly spec: GrowSpec
  /** Draw a bootstrap sample of `nBoot` rows per tree. */
  readonly bootstrap: boolean
  readonly nBoot: number
  /** Reweight each tree's sample to balanced classes (scikit-learn's `'balanced_subsample'`). */
  readonly balancedSubsample: boolean
  /** The seed of each tree. */
  readonly seeds: readonly number[]
  /** `minWeightFractionLeaf`: each tree's minimum leaf weight is this share of its weights. */
  readonly minWeightFraction: number
}

/**
 * How many times each of `n` rows is drawn in a bootstrap sample of `nBoot` rows (scikit-learn's
 * `_generate_sample_indices`, on Plinth's generator).
 */
export function bootstrapCounts(rng: Rng, n: number, nBoot: number): Int32Array {
  const counts = new Int32Array(n)
  for (let d = 0; d < nBoot; d++) counts[rng.int(n)]!++
  return counts
}

/** The rows tree `t` did not draw (its out-of-bag rows), as a 0/1 mask; all 0 without bootstrap. */
export function outOfBagMask(job: ForestJob, t: number): Uint8Array {
  const n = job.data.n
  const mask = new Uint8Array(n)
  if (!job.bootstrap) return mask
  const counts = bootstrapCounts(createRng(job.seeds[t]!), n, job.nBoot)
  for (let i = 0; i < n; i++) if (counts[i] === 0) mask[i] = 1
  return mask
}

/** Builds tree `t` of `job`. */
export function buildForestTree(job: ForestJob, t: number): GrownTree {
  const { data, baseWeight } = job
  const n = data.n
  const rng = createRng(job.seeds[t]!)
  const w = new Float64Array(n)
  if (job.bootstrap) {
    const counts = bootstrapCounts(rng, n, job.nBoot)
    for (let i = 0; i < n; i++) w[i] = counts[i] === 0 ? 0 : baseWeight[i]! * counts[i]!
    if (job.balancedSubsample) {
      // compute_sample_weight('balanced', y, indices): n_sub / (k_sub · count_k) over the drawn rows.
      const k = data.nClasses
      const count = new Float64Array(k)
      for (let i = 0; i < n; i++) count[data.classes[i]!]! += counts[i]!
      let present = 0
      for (let c = 0; c < k; c++) if (count[c]! > 0) present++
      for (let i = 0; i < n; i++) {
        const c = count[data.classes[i]!]!
        if (c > 0) w[i]! *= job.nBoot / (present * c)
      }
    }
  } else {
    w.set(baseWeight)
  }
  let total = 0
  for (let i = 0; i < n; i++) total += w[i]!
  return growTree(data, w, { ...job.spec, minWeightLeaf: job.minWeightFraction * total }, rng)
}
