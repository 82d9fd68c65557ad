import { ValidationError, createRng, type Rng, type ValidationIssue } from '../core/index.js'

/**
 * How to split a dataset version. Every spec is seeded: the same seed and data give the same
 * rows in every partition, on every machine.
 */
export type SplitSpec =
  | {
      readonly kind: 'random'
      readonly fractions: Readonly<Record<string, number>>
      readonly seed: number
    }
  | {
      readonly kind: 'stratified'
      readonly column: string
      readonly fractions: Readonly<Record<string, number>>
      readonly seed: number
    }
  | {
      readonly kind: 'grouped'
      readonly column: string
      readonly fractions: Readonly<Record<string, number>>
      readonly seed: number
    }
  | {
      readonly kind: 'time'
      readonly column: string
      readonly fractions: Readonly<Record<string, number>>
    }
  | {
      readonly kind: 'kfold'
      readonly k: number
      readonly seed: number
      /** Keep class proportions in every fold (stratified k-fold). */
      readonly stratify?: string
      /** Keep each group in one fold (group k-fold). */
      readonly group?: string
    }
  | { readonly kind: 'timeseries'; readonly column: string; readonly k: number }

/** One partition: its name and the row indices it holds, ascending. */
export interface Partition {
  readonly name: string
  readonly rows: Int32Array
}

/** Which column values a spec needs, by role. */
export function columnsNeeded(spec: SplitSpec): string[] {
  switch (spec.kind) {
    case 'random':
      return []
    case 'stratified':
    case 'grouped':
    case 'time':
    case 'timeseries':
      return [spec.column]
    case 'kfold':
      return [spec.stratify, spec.group].filter((c): c is string => c !== undefined)
  }
}

const NAME = /^[a-z][a-z0-9_-]{0,31}$/

/** Validates a spec, listing every problem. */
export function validateSplitSpec(spec: SplitSpec): void {
  const issues: ValidationIssue[] = []
  if ('fractions' in spec) {
    const entries = Object.entries(spec.fractions)
    if (entries.length < 2)
      issues.push({
        path: ['fractions'],
        code: 'too_small',
        message: 'need at least two partitions',
      })
    for (const [name, f] of entries) {
      if (!NAME.test(name))
        issues.push({
          path: ['fractions', name],
          code: 'invalid_format',
          message: 'partition names are lowercase letters, digits, _ or -',
        })
      if (!(Number.isFinite(f) && f > 0 && f < 1))
        issues.push({
          path: ['fractions', name],
          code: 'out_of_range',
          message: 'must be between 0 and 1',
        })
    }
    const total = entries.reduce((s, [, f]) => s + f, 0)
    if (Math.abs(total - 1) > 1e-9)
      issues.push({
        path: ['fractions'],
        code: 'invalid_sum',
        message: `must add up to 1 (got ${String(total)})`,
      })
  }
  if ('k' in spec && !(Number.isInteger(spec.k) && spec.k >= 2 && spec.k <= 100)) {
    issues.push({ path: ['k'], code: 'out_of_range', message: 'must be an integer from 2 to 100' })
  }
  if ('seed' in spec && !Number.isSafeInteger(spec.seed)) {
    issues.push({ path: ['seed'], code: 'invalid_type', message: 'must be a safe integer' })
  }
  if (spec.kind === 'kfold' && spec.stratify !== undefined && spec.group !== undefined) {
    issues.push({
      path: ['group'],
      code: 'conflict',
      message: 'choose stratify or group, not both',
    })
  }
  if (issues.length > 0) throw new ValidationError('invalid split', issues)
}

/**
 * Sizes for `n` items in these fractions that add up to `n` exactly (largest remainder, ties to
 * the earlier partition).
 */
function allocate(n: number, fractions: readonly number[]): number[] {
  const raw = fractions.map((f) => f * n)
  const sizes = raw.map(Math.floor)
  let left = n - sizes.reduce((a, b) => a + b, 0)
  const order = raw
    .map((r, i) => ({ i, rem: r - Math.floor(r) }))
    .sort((a, b) => b.rem - a.rem || a.i - b.i)
  for (const { i } of order) {
    if (left <= 0) break
    sizes[i] = (sizes[i] ?? 0) + 1
    left--
  }
  return sizes
}

function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n)
  for (let i = 0; i < n; i++) p[i] = i
  return rng.shuffle(p)
}

function sorted(rows: number[] | Int32Array): Int32Array {
  return Int32Array.from(rows).sort()
}

/** Rows grouped by value (missing values form their own group), groups in first-seen order. */
function groupsOf(values: readonly (string | null)[]): number[][] {
  const byKey = new Map<string | null, number[]>()
  values.forEach((v, i) => {
    let g = byKey.get(v)
    if (g === undefined) {
      g = []
      byKey.set(v, g)
    }
    g.push(i)
  })
  // Sorting by key makes the grouping independent of row order (the RNG then decides).
  return [...byKey.entries()]
    .sort(([a], [b]) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1))
    .map(([, rows]) => rows)
}

function byFractions(
  fractions: Readonly<Record<string, number>>,
  assign: (names: string[], fs: number[]) => number[][],
): Partition[] {
  const names = Object.keys(fractions)
  const fs = names.map((n) => fractions[n] ?? 0)
  return assign(names, fs).map((rows, i) => ({
    name: names[i] ?? `p${String(i)}`,
    rows: sorted(rows),
  }))
}

function timeOrder(values: readonly (string | null)[], nRows: number): number[] {
  const order = Array.from({ length: nRows }, (_, i) => i)
  // Values arrive as sortable text (ISO timestamps or numbers zero-padded by the caller);
  // missing times sort first; ties keep row order.
  return order.sort((a, b) => {
    const va = values[a] ?? null
    const vb = values[b] ?? null
    if (va === vb) return a - b
    if (va === null) return -1
    if (vb === null) return 1
    return va < vb ? -1 : 1
  })
}

/**
 * Assigns rows to partitions.
 *
 * @param nRows number of rows in the version
 * @param column the values of the column the spec names (stratum, group or time, as sortable
 *   text; `null` for missing), in row order
 */
export function assignSplit(
  spec: SplitSpec,
  nRows: number,
  column: readonly (string | null)[] = [],
): Partition[] {
  validateSplitSpec(spec)
  switch (spec.kind) {
    case 'random':
      return byFractions(spec.fractions, (_names, fs) => {
        const p = permutation(nRows, createRng(spec.seed))
        const sizes = allocate(nRows, fs)
        let at = 0
        return sizes.map((s) => {
          const rows = Array.from(p.subarray(at, at + s))
          at += s
          return rows
        })
      })
    case 'stratified':
      return byFractions(spec.fractions, (_names, fs) => {
        const rng = createRng(spec.seed)
        const out: number[][] = fs.map(() => [])
        for (const stratum of groupsOf(column)) {
          rng.shuffle(stratum)
          const sizes = allocate(stratum.length, fs)
          let at = 0
          sizes.forEach((s, i) => {
            out[i]?.push(...stratum.slice(at, at + s))
            at += s
          })
        }
        return out
      })
    case 'grouped':
      return byFractions(spec.fractions, (_names, fs) => {
        const groups = groupsOf(column)
        createRng(spec.seed).shuffle(groups)
        const targets = allocate(nRows, fs)
        const out: number[][] = fs.map(() => [])
        // Fill partitions in order; a group goes to the first one still short of its target.
        let p = 0
        for (const g of groups) {
          while (p < fs.length - 1 && (out[p]?.length ?? 0) >= (targets[p] ?? 0)) p++
          out[p]?.push(...g)
        }
        return out
      })
    case 'time':
      return byFractions(spec.fractions, (_names, fs) => {
        const order = timeOrder(column, nRows)
        const sizes = allocate(nRows, fs)
        let at = 0
        return sizes.map((s) => {
          const rows = order.slice(at, at + s)
          at += s
          return rows
        })
      })
    case 'kfold': {
      const folds: number[][] = Array.from({ length: spec.k }, () => [])
      const rng = createRng(spec.seed)
      if (spec.group !== undefined) {
        // Like scikit-learn's GroupKFold: largest groups first, each to the smallest fold.
        const groups = groupsOf(column)
        rng.shuffle(groups)
        groups.sort((a, b) => b.length - a.length)
        for (const g of groups) {
          let best = 0
          for (let f = 1; f < spec.k; f++)
            if ((folds[f]?.length ?? 0) < (folds[best]?.length ?? 0)) best = f
          folds[best]?.push(...g)
        }
      } else {
        const strata =
          spec.stratify === undefined ? [Array.from(permutation(nRows, rng))] : groupsOf(column)
        let offset = 0
        for (const stratum of strata) {
          if (spec.stratify !== undefined) rng.shuffle(stratum)
          // Deal round-robin, continuing across strata so fold sizes differ by at most one.
          stratum.forEach((row, j) => folds[(offset + j) % spec.k]?.push(row))
          offset += stratum.length
        }
      }
      return folds.map((rows, i) => ({ name: `fold-${String(i + 1)}`, rows: sorted(rows) }))
    }
    case 'timeseries': {
      // Like scikit-learn's TimeSeriesSplit: test block i+1 of k+1, trained on all before it.
      const order = timeOrder(column, nRows)
      const testSize = Math.floor(nRows / (spec.k + 1))
      if (testSize < 1)
        throw new ValidationError('too few rows for that many folds', [
          { path: ['k'], code: 'too_big', message: `need more than ${String(spec.k)} rows` },
        ])
      const parts: Partition[] = []
      for (let i = 0; i < spec.k; i++) {
        const testStart = nRows - (spec.k - i) * testSize
        parts.push({ name: `fold-${String(i + 1)}-train`, rows: sorted(order.slice(0, testStart)) })
        parts.push({
          name: `fold-${String(i + 1)}-test`,
          rows: sorted(order.slice(testStart, testStart + testSize)),
        })
      }
      return parts
    }
  }
}
