/**
 * Feature importance from the fitted trees (XGBoost's `get_score` types).
 */
import type { TreeEnsemble } from './types.js'

/**
 * How importance is measured: `'gain'` the average loss reduction of the feature's splits,
 * `'split'` how many splits use it (XGBoost's `weight`), `'cover'` the average cover of its
 * splits; `'totalGain'` and `'totalCover'` are the sums instead of the averages.
 */
export type ImportanceType = 'gain' | 'split' | 'cover' | 'totalGain' | 'totalCover'

/**
 * Importance of each feature (length `nFeatures`, unnormalised; 0 for unused features), as
 * XGBoost's `get_score(importance_type=…)` computes it: `'gain'` and `'cover'` are averages
 * over the feature's splits, so they match XGBoost's figures for an imported model.
 *
 * @example
 * ```ts
 * const imp = featureImportance(e, 'gain')   // imp[f]: mean gain of the splits on f
 * ```
 */
export function featureImportance(e: TreeEnsemble, type: ImportanceType = 'gain'): Float64Array {
  const count = new Float64Array(e.nFeatures)
  const gain = new Float64Array(e.nFeatures)
  const cover = new Float64Array(e.nFeatures)
  for (const t of e.trees) {
    for (let i = 0; i < t.nNodes; i++) {
      if (t.left[i]! < 0) continue
      const f = t.feature[i]!
      count[f]! += 1
      gain[f]! += t.gain[i]!
      cover[f]! += t.cover[i]!
    }
  }
  switch (type) {
    case 'split':
      return count
    case 'totalGain':
      return gain
    case 'totalCover':
      return cover
    case 'gain':
    case 'cover': {
      const sum = type === 'gain' ? gain : cover
      for (let f = 0; f < e.nFeatures; f++) sum[f] = count[f]! > 0 ? sum[f]! / count[f]! : 0
      return sum
    }
  }
}
