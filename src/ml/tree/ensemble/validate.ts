/**
 * Structural checks of {@link FlatTree}s and {@link TreeEnsemble}s: array lengths, child indices,
 * one parent per node and no cycles, feature indices, categorical bitsets, finite leaf values.
 * Every loaded or assembled ensemble passes through here, so the prediction kernels may trust
 * what they read (a walk always ends at a leaf).
 */
import { ValidationError, type ValidationIssue } from '../../../core/index.js'

import type { FlatTree, TreeEnsemble } from './types.js'

type Path = readonly (string | number)[]

function issue(path: Path, code: string, message: string): ValidationIssue {
  return { path, code, message }
}

/**
 * The problems of one tree, each with its path under `path` (`['trees', 3, 'left']`). Stops at
 * the first structural problem of a kind (one issue per array, not one per node).
 */
export function treeIssues(
  tree: FlatTree,
  nFeatures: number,
  leafWidth: number,
  path: Path,
): ValidationIssue[] {
  const out: ValidationIssue[] = []
  const n = tree.nNodes
  if (!Number.isSafeInteger(n) || n < 1) {
    return [issue([...path, 'nNodes'], 'invalid', `expected at least one node, got ${String(n)}`)]
  }
  const lengths: [keyof FlatTree, number][] = [
    ['feature', n],
    ['threshold', n],
    ['left', n],
    ['right', n],
    ['missingLeft', n],
    ['value', n * leafWidth],
    ['cover', n],
    ['gain', n],
    ['catOffset', n],
    ['catWords', n],
  ]
  for (const [name, want] of lengths) {
    const got = (tree[name] as ArrayLike<number>).length
    if (got !== want) {
      out.push(issue([...path, name], 'length_mismatch', `expected ${want} values, got ${got}`))
    }
  }
  if (out.length > 0) return out

  const parents = new Int32Array(n).fill(-1)
  const { feature, left, right, threshold, catOffset, catWords } = tree
  const nBits = tree.catBits.length
  for (let i = 0; i < n; i++) {
    const l = left[i]!
    const r = right[i]!
    if (l === -1 || r === -1) {
      if (l !== r) {
        out.push(issue([...path, 'right', i], 'invalid_child', `node ${i} has only one child`))
        return out
      }
      if (feature[i] !== -1) {
        out.push(issue([...path, 'feature', i], 'invalid', `leaf ${i} must have feature -1`))
        return out
      }
      continue
    }
    for (const [name, c] of [
      ['left', l],
      ['right', r],
    ] as const) {
      if (!Number.isInteger(c) || c <= 0 || c >= n) {
        out.push(
          issue([...path, name, i], 'out_of_range', `node ${i}: child ${c} is not in 1…${n - 1}`),
        )
        return out
      }
      if (parents[c] !== -1) {
        out.push(
          issue([...path, name, i], 'cycle', `node ${c} has two parents (${parents[c]!} and ${i})`),
        )
        return out
      }
      parents[c] = i
    }
    const f = feature[i]!
    if (f < 0 || f >= nFeatures) {
      out.push(
        issue([...path, 'feature', i], 'out_of_range', `feature ${f} is not in 0…${nFeatures - 1}`),
      )
      return out
    }
    const off = catOffset[i]!
    if (off === -1) {
      if (Number.isNaN(threshold[i]!)) {
        out.push(issue([...path, 'threshold', i], 'not_a_number', `node ${i}: threshold is NaN`))
        return out
      }
      if (catWords[i] !== 0) {
        out.push(issue([...path, 'catWords', i], 'invalid', `numeric node ${i} has a bitset`))
        return out
      }
    } else {
      const w = catWords[i]!
      if (off < 0 || w < 0 || off + w > nBits) {
        out.push(
          issue(
            [...path, 'catOffset', i],
            'out_of_range',
            `node ${i}: bitset [${off}, ${off + w}) is outside catBits (${nBits} words)`,
          ),
        )
        return out
      }
    }
  }
  // n nodes, every non-root node with exactly one parent and the root with none: the nodes
  // form a tree exactly when all are reachable from the root (otherwise a cycle hides apart).
  if (parents[0] !== -1) {
    out.push(issue([...path, 'left'], 'cycle', 'the root (node 0) is the child of a node'))
    return out
  }
  const seen = new Uint8Array(n)
  const stack = [0]
  let reached = 0
  while (stack.length > 0) {
    const i = stack.pop()!
    if (seen[i] === 1) continue
    seen[i] = 1
    reached++
    if (left[i] !== -1) stack.push(left[i]!, right[i]!)
  }
  if (reached !== n) {
    out.push(
      issue(
        [...path, 'left'],
        'cycle',
        `${n - reached} node(s) are not reachable from the root (a cycle or a detached node)`,
      ),
    )
    return out
  }
  const v = tree.value
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) {
      out.push(issue([...path, 'value', i], 'not_finite', `leaf value ${v[i]!} is not finite`))
      return out
    }
  }
  return out
}

/**
 * Checks a whole ensemble.
 *
 * @throws ValidationError listing every problem found (one per array at most), with paths
 *   relative to the ensemble (`['trees', 2, 'left', 7]`).
 */
export function validateEnsemble(e: TreeEnsemble, prefix: Path = []): void {
  const out: ValidationIssue[] = []
  const p = (...rest: (string | number)[]): Path => [...prefix, ...rest]
  const posInt = (x: number): boolean => Number.isSafeInteger(x) && x >= 1
  if (!Number.isSafeInteger(e.nFeatures) || e.nFeatures < 0)
    out.push(issue(p('nFeatures'), 'invalid', `expected an integer ≥ 0, got ${e.nFeatures}`))
  if (!posInt(e.nOutputs))
    out.push(issue(p('nOutputs'), 'invalid', `expected an integer ≥ 1, got ${e.nOutputs}`))
  if (!(e.leafWidth === 1 || e.leafWidth === e.nOutputs))
    out.push(
      issue(
        p('leafWidth'),
        'invalid',
        `expected 1 or nOutputs (${e.nOutputs}), got ${e.leafWidth}`,
      ),
    )
  if (e.baseScore.length !== e.nOutputs)
    out.push(
      issue(
        p('baseScore'),
        'length_mismatch',
        `expected ${e.nOutputs} values, got ${e.baseScore.length}`,
      ),
    )
  else if (!e.baseScore.every(Number.isFinite))
    out.push(issue(p('baseScore'), 'not_finite', 'base scores must be finite'))
  if (e.treeGroup.length !== e.trees.length)
    out.push(
      issue(
        p('treeGroup'),
        'length_mismatch',
        `expected ${e.trees.length} values (one per tree), got ${e.treeGroup.length}`,
      ),
    )
  else {
    for (let t = 0; t < e.treeGroup.length; t++) {
      const g = e.treeGroup[t]!
      const ok = e.leafWidth === 1 ? g >= 0 && g < e.nOutputs : g === 0
      if (!ok) {
        out.push(
          issue(p('treeGroup', t), 'out_of_range', `tree ${t}: group ${g} is not a valid output`),
        )
        break
      }
    }
  }
  const isOneOf = (v: unknown, allowed: readonly string[]): boolean =>
    typeof v === 'string' && allowed.includes(v)
  if (!isOneOf(e.aggregate, ['sum', 'mean']))
    out.push(issue(p('aggregate'), 'invalid', `expected "sum" or "mean"`))
  if (!isOneOf(e.link, ['identity', 'sigmoid', 'softmax', 'exp']))
    out.push(issue(p('link'), 'invalid', `unknown link "${e.link}"`))
  if (e.link === 'sigmoid' && e.nOutputs !== 1)
    out.push(issue(p('link'), 'invalid', 'a sigmoid link needs exactly one output'))
  if (!isOneOf(e.precision, ['f64', 'f32']))
    out.push(issue(p('precision'), 'invalid', `expected "f64" or "f32"`))
  if (e.accumulate !== undefined && !isOneOf(e.accumulate, ['f64', 'f32']))
    out.push(issue(p('accumulate'), 'invalid', `expected "f64" or "f32"`))
  if (out.length === 0) {
    // At most a few trees' worth of issues: one malformed file should not print thousands.
    let nBad = 0
    for (let t = 0; t < e.trees.length && nBad < 5; t++) {
      const found = treeIssues(e.trees[t]!, e.nFeatures, e.leafWidth, p('trees', t))
      if (found.length > 0) nBad++
      out.push(...found)
    }
  }
  if (out.length > 0) {
    throw new ValidationError(
      `invalid tree ensemble: ${out[0]!.path.join('.')}: ${out[0]!.message}`,
      out,
    )
  }
}
