/**
 * The cross-fitting folds of the target encoder: sklearn's `KFold` and `StratifiedKFold`
 * assignments, as one test-fold index per row.
 */
import type { Rng } from '../../core/index.js'

/**
 * The test fold of each of `n` rows under k-fold: contiguous blocks of the (optionally
 * shuffled) row order, the first `n % k` blocks one row longer (sklearn's `KFold`).
 *
 * Without `rng` the assignment equals sklearn's `KFold(k, shuffle=False)`; with it the rows are
 * shuffled by Plinth's seeded generator (so it differs from numpy's stream).
 *
 * @example
 * ```ts
 * kFoldAssignment(5, 2) // Int32Array [0, 0, 0, 1, 1]
 * ```
 */
export function kFoldAssignment(n: number, k: number, rng?: Rng): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i)
  if (rng !== undefined) rng.shuffle(order)
  const folds = new Int32Array(n)
  const base = Math.floor(n / k)
  const extra = n % k
  let pos = 0
  for (let f = 0; f < k; f++) {
    const size = base + (f < extra ? 1 : 0)
    for (let s = 0; s < size; s++) folds[order[pos++]!] = f
  }
  return folds
}

/**
 * The test fold of each row under stratified k-fold (sklearn's `StratifiedKFold`): classes are
 * ranked by first appearance, the sorted labels are dealt round-robin to the folds to fix how
 * many rows of each class each fold gets, and each class's rows take their folds in row order
 * (shuffled per class with `rng`).
 *
 * Without `rng` the assignment equals sklearn's `StratifiedKFold(k, shuffle=False)`.
 *
 * @example
 * ```ts
 * stratifiedKFoldAssignment(Int32Array.of(0, 0, 1, 1), 2) // Int32Array [0, 1, 0, 1]
 * ```
 */
export function stratifiedKFoldAssignment(labels: Int32Array, k: number, rng?: Rng): Int32Array {
  const n = labels.length
  // Re-rank classes by the row where each first appears (sklearn's `class_perm`).
  const rank = new Map<number, number>()
  const encoded = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const l = labels[i]!
    let r = rank.get(l)
    if (r === undefined) {
      r = rank.size
      rank.set(l, r)
    }
    encoded[i] = r
  }
  const nClasses = rank.size
  const counts = new Int32Array(nClasses)
  for (let i = 0; i < n; i++) counts[encoded[i]!]!++
  // allocation[f][c] = how many of the sorted labels at positions f, f + k, f + 2k, … are c.
  const allocation = Array.from({ length: k }, () => new Int32Array(nClasses))
  let pos = 0
  for (let c = 0; c < nClasses; c++) {
    for (let s = 0; s < counts[c]!; s++) {
      allocation[pos % k]![c]!++
      pos++
    }
  }
  const folds = new Int32Array(n)
  const cursor = new Int32Array(nClasses)
  const perClass = Array.from({ length: nClasses }, (_, c) => {
    const list = new Int32Array(counts[c]!)
    let at = 0
    for (let f = 0; f < k; f++) for (let s = 0; s < allocation[f]![c]!; s++) list[at++] = f
    if (rng !== undefined) rng.shuffle(list)
    return list
  })
  for (let i = 0; i < n; i++) {
    const c = encoded[i]!
    folds[i] = perClass[c]![cursor[c]!++]!
  }
  return folds
}
