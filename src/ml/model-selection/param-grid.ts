/**
 * Parameter grids and distributions: the candidates of grid and random search, in sklearn's
 * `ParameterGrid` and `ParameterSampler` order.
 */
import { ValidationError, createRng, type Rng, type ValidationIssue } from '../../core/index.js'

/** A grid: each parameter name maps to the values to try (a non-empty list). */
export type ParamGridSpec = Readonly<Record<string, readonly unknown[]>>

/** One grid, or several whose candidates are concatenated (sklearn's list of dicts). */
export type ParamGrid = ParamGridSpec | readonly ParamGridSpec[]

/** A continuous or integer distribution to sample a parameter from (see the factories). */
export type ParamDistribution =
  | { readonly type: 'uniform'; readonly low: number; readonly high: number }
  | { readonly type: 'log-uniform'; readonly low: number; readonly high: number }
  | { readonly type: 'int'; readonly low: number; readonly high: number }

/** Random-search space: per parameter a list (each value equally likely) or a distribution. */
export type ParamDistributionsSpec = Readonly<
  Record<string, readonly unknown[] | ParamDistribution>
>

/** One space, or several, one of which is picked at random per candidate. */
export type ParamDistributions = ParamDistributionsSpec | readonly ParamDistributionsSpec[]

/** A candidate: parameter name → value. */
export type ParamSet = Readonly<Record<string, unknown>>

function checkRange(type: string, low: number, high: number, positive: boolean): void {
  if (!(Number.isFinite(low) && Number.isFinite(high) && low < high && (!positive || low > 0))) {
    throw new ValidationError(`invalid ${type} distribution [${low}, ${high}]`, [
      {
        path: ['low'],
        code: 'invalid_value',
        message: `need finite bounds with low < high${positive ? ' and low > 0' : ''}`,
      },
    ])
  }
}

/**
 * Uniform on `[low, high)`. Note the bounds: scipy's `uniform(loc, scale)` covers
 * `[loc, loc + scale]`.
 *
 * @example
 * ```ts
 * new RandomSearch(est, { alpha: uniform(0, 1) })
 * ```
 */
export function uniform(low: number, high: number): ParamDistribution {
  checkRange('uniform', low, high, false)
  return Object.freeze({ type: 'uniform', low, high })
}

/**
 * Log-uniform on `[low, high)`, both positive: the log of the value is uniform (sklearn's
 * `loguniform(a, b)`, scipy's `reciprocal`), for scales such as `C` or `alpha`.
 *
 * @example
 * ```ts
 * new RandomSearch(est, { C: logUniform(1e-3, 1e3) })
 * ```
 */
export function logUniform(low: number, high: number): ParamDistribution {
  checkRange('log-uniform', low, high, true)
  return Object.freeze({ type: 'log-uniform', low, high })
}

/**
 * Integers `low, low + 1, …, high − 1`, equally likely (scipy's `randint(low, high)`).
 *
 * @example
 * ```ts
 * new RandomSearch(est, { nNeighbors: randInt(1, 31) })
 * ```
 */
export function randInt(low: number, high: number): ParamDistribution {
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) checkRange('int', NaN, NaN, false)
  checkRange('int', low, high, false)
  return Object.freeze({ type: 'int', low, high })
}

/** The values, each equally likely (the same as passing the list itself). */
export function choice<T>(values: readonly T[]): readonly T[] {
  return values
}

function isDistribution(v: unknown): v is ParamDistribution {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const d = v as Partial<Record<'type' | 'low' | 'high', unknown>>
  return (
    (d.type === 'uniform' || d.type === 'log-uniform' || d.type === 'int') &&
    typeof d.low === 'number' &&
    typeof d.high === 'number'
  )
}

/** Draws one value. */
export function sampleDistribution(d: ParamDistribution, rng: Rng): number {
  switch (d.type) {
    case 'uniform':
      return d.low + rng.float() * (d.high - d.low)
    case 'log-uniform': {
      const a = Math.log(d.low)
      return Math.exp(a + rng.float() * (Math.log(d.high) - a))
    }
    case 'int':
      return d.low + rng.int(d.high - d.low)
  }
}

function specs<S>(grid: S | readonly S[], field: string): readonly S[] {
  const list = Array.isArray(grid) ? (grid as readonly S[]) : [grid as S]
  if (list.length === 0) {
    throw new ValidationError(`${field} is empty`, [
      { path: [field], code: 'too_small', message: 'give at least one parameter to search' },
    ])
  }
  return list
}

function sortedKeys(r: object): string[] {
  return Object.keys(r).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * Validates a grid: every entry a non-empty list, and at least one parameter overall.
 *
 * @throws ValidationError naming each bad parameter.
 */
function checkGrid(list: readonly ParamGridSpec[], field: string): void {
  const issues: ValidationIssue[] = []
  let nParams = 0
  list.forEach((g, gi) => {
    const at = (k: string): (string | number)[] => (list.length > 1 ? [field, gi, k] : [field, k])
    for (const [k, v] of Object.entries(g)) {
      nParams++
      if (!Array.isArray(v) || v.length === 0)
        issues.push({
          path: at(k),
          code: 'invalid_value',
          message: `${k} needs a non-empty list of values`,
        })
    }
  })
  if (nParams === 0)
    issues.push({
      path: [field],
      code: 'too_small',
      message: 'the grid has no parameters to search',
    })
  if (issues.length > 0)
    throw new ValidationError(`invalid ${field}: ${issues[0]!.message}`, issues)
}

/**
 * Every candidate of a grid, in sklearn's `ParameterGrid` order: grids in order; within a
 * grid, names sorted and the last name varying fastest.
 *
 * @throws ValidationError for an empty grid, a parameter without values, or no parameters.
 * @example
 * ```ts
 * expandGrid({ b: [1, 2], a: ['x'] }) // [{ a: 'x', b: 1 }, { a: 'x', b: 2 }]
 * ```
 */
export function expandGrid(grid: ParamGrid, field = 'paramGrid'): ParamSet[] {
  const list = specs(grid, field)
  checkGrid(list, field)
  const out: ParamSet[] = []
  for (const g of list) {
    const keys = sortedKeys(g)
    const size = keys.reduce((s, k) => s * g[k]!.length, 1)
    for (let i = 0; i < size; i++) out.push(gridItem(g, keys, i))
  }
  return out
}

// Candidate `i` of one grid: mixed radix, the last key the fastest digit (itertools.product).
function gridItem(g: ParamGridSpec, keys: readonly string[], i: number): ParamSet {
  const out: Record<string, unknown> = {}
  let rest = i
  for (let j = keys.length - 1; j >= 0; j--) {
    const values = g[keys[j]!]!
    out[keys[j]!] = values[rest % values.length]
    rest = Math.floor(rest / values.length)
  }
  return Object.fromEntries(keys.map((k) => [k, out[k]]))
}

/**
 * `nIter` candidates drawn from `distributions` with a seeded RNG, by sklearn's
 * `ParameterSampler` rules: when every entry is a list, distinct grid points are drawn without
 * replacement (at most the grid size); otherwise each candidate picks a space at random, then
 * draws each parameter (names sorted) from its distribution or list.
 *
 * @throws ValidationError for an empty space, an empty list or an entry that is neither a
 *   list nor a distribution.
 */
export function sampleParams(
  distributions: ParamDistributions,
  nIter: number,
  seed: number,
  field = 'paramDistributions',
): ParamSet[] {
  const list = specs(distributions, field)
  const issues: ValidationIssue[] = []
  let nParams = 0
  let allLists = true
  for (const [di, d] of list.entries()) {
    for (const [k, v] of Object.entries(d)) {
      nParams++
      const path = list.length > 1 ? [field, di, k] : [field, k]
      if (Array.isArray(v)) {
        if (v.length === 0)
          issues.push({ path, code: 'invalid_value', message: `${k} needs a non-empty list` })
      } else if (isDistribution(v)) allLists = false
      else
        issues.push({
          path,
          code: 'invalid_value',
          message: `${k} must be a list of values or a distribution (uniform, logUniform, randInt)`,
        })
    }
  }
  if (nParams === 0)
    issues.push({ path: [field], code: 'too_small', message: 'no parameters to search' })
  if (issues.length > 0)
    throw new ValidationError(`invalid ${field}: ${issues[0]!.message}`, issues)
  const rng = createRng(seed)
  if (allLists) {
    const grids = list as readonly ParamGridSpec[]
    const sizes = grids.map((g) => Object.values(g).reduce((s, v) => s * v.length, 1))
    const total = sizes.reduce((a, b) => a + b, 0)
    return distinctIndices(total, Math.min(nIter, total), rng).map((i) => {
      let g = 0
      while (i >= sizes[g]!) i -= sizes[g++]!
      return gridItem(grids[g]!, sortedKeys(grids[g]!), i)
    })
  }
  const out: ParamSet[] = []
  for (let it = 0; it < nIter; it++) {
    const space = list[list.length === 1 ? 0 : rng.int(list.length)]!
    const params: Record<string, unknown> = {}
    for (const k of sortedKeys(space)) {
      const v = space[k]!
      params[k] = isDistribution(v) ? sampleDistribution(v, rng) : v[rng.int(v.length)]
    }
    out.push(params)
  }
  return out
}

/** `k` distinct integers in `[0, n)`, in draw order. */
function distinctIndices(n: number, k: number, rng: Rng): number[] {
  if (k * 4 >= n) {
    const all = Array.from({ length: n }, (_, i) => i)
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(n - i)
      const t = all[i]!
      all[i] = all[j]!
      all[j] = t
    }
    return all.slice(0, k)
  }
  const seen = new Set<number>()
  const out: number[] = []
  while (out.length < k) {
    const i = rng.int(n)
    if (!seen.has(i)) {
      seen.add(i)
      out.push(i)
    }
  }
  return out
}
