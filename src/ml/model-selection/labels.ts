/**
 * Label plumbing shared by the splitters: a column as integer codes in `np.unique` order, and
 * the two numpy reductions whose exact floating-point behaviour decides sklearn's fold
 * assignments (its default `argsort` and pairwise summation).
 */
import { ValidationError } from '../../core/index.js'
import type { Column } from '../../frame/index.js'

/** A column's distinct values as codes: `codes[i]` indexes `nUnique` sorted values. */
export interface LabelCodes {
  readonly codes: Int32Array
  /** The number of distinct values. */
  readonly nUnique: number
  /** Rows per code. */
  readonly counts: Int32Array
}

/**
 * Encodes `col` like `np.unique(col, return_inverse=True)`: codes follow the sorted distinct
 * values (numbers ascending, strings by code unit, `false < true`, `cat` by label).
 *
 * @param field the argument name for error paths (`'y'`, `'groups'`, `'stratify'`).
 * @throws ValidationError for missing values or NaN, or a length other than `nRows`.
 */
export function labelCodes(col: Column, nRows: number, field: string): LabelCodes {
  if (col.length !== nRows) {
    throw new ValidationError(`${field} has ${col.length} rows but X has ${nRows}`, [
      { path: [field], code: 'length_mismatch', message: `expected ${nRows} values` },
    ])
  }
  if (col.validity !== undefined) {
    throw new ValidationError(`${field} has missing values`, [
      {
        path: [field],
        code: 'missing_values',
        message: `missing value at row ${col.validity.indexOf(0)}`,
      },
    ])
  }
  const n = col.length
  const codes = new Int32Array(n)
  let keys: (string | number)[]
  let raw: (i: number) => string | number
  switch (col.dtype) {
    case 'str': {
      const v = col.values
      raw = (i) => v[i]!
      break
    }
    case 'cat': {
      const v = col.values
      const cats = col.categories
      raw = (i) => cats[v[i]!]!
      break
    }
    default: {
      const v = col.values
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(v[i])) {
          throw new ValidationError(`${field} has a NaN value`, [
            { path: [field], code: 'non_finite', message: `NaN at row ${i}` },
          ])
        }
      }
      raw = (i) => v[i]!
    }
  }
  const seen = new Map<string | number, number>()
  for (let i = 0; i < n; i++) {
    const k = raw(i)
    if (!seen.has(k)) seen.set(k, 0)
  }
  keys = [...seen.keys()]
  keys = keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  keys.forEach((k, j) => seen.set(k, j))
  const counts = new Int32Array(keys.length)
  for (let i = 0; i < n; i++) {
    const c = seen.get(raw(i))!
    codes[i] = c
    counts[c]!++
  }
  return { codes, nUnique: keys.length, counts }
}

/**
 * True when `col` holds class labels (sklearn's `type_of_target` is binary or multiclass):
 * any non-float dtype, or floats that are all integral.
 */
export function isClassLabelColumn(col: Column): boolean {
  if (col.dtype !== 'f64' && col.dtype !== 'f32') return col.dtype !== 'ts'
  const v = col.values
  for (let i = 0; i < v.length; i++) if (!Number.isInteger(v[i])) return false
  return true
}

/**
 * Throws unless `col` holds class labels, with sklearn's message for a continuous target.
 *
 * @throws ValidationError naming `field`.
 */
export function assertClassLabels(col: Column, field: string, who: string): void {
  if (!isClassLabelColumn(col)) {
    throw new ValidationError(`${who} needs class labels in ${field}, got continuous values`, [
      {
        path: [field],
        code: 'not_class_labels',
        message: 'supported targets are binary or multiclass labels',
      },
    ])
  }
}

const SMALL_QUICKSORT = 16

/**
 * The permutation that sorts `v` ascending, exactly as numpy's default `argsort`
 * (`kind='quicksort'`, an introsort) orders it, ties included.
 *
 * sklearn's `GroupKFold` breaks ties between equal group sizes through this order, so a
 * stable sort would give different folds.
 *
 * ## Method
 * A port of numpy 1.24's `aquicksort_`: median-of-three quicksort that pushes the larger
 * partition, insertion sort below 17 elements, heapsort past a depth of 2·⌊log2 n⌋.
 *
 * ## References
 * - numpy `numpy/core/src/npysort/quicksort.cpp` and `heapsort.cpp` (v1.24).
 * - D. R. Musser. "Introspective Sorting and Selection Algorithms". Softw. Pract. Exp. 27(8), 1997.
 *
 * @example
 * ```ts
 * numpyArgsort(Float64Array.of(3, 1, 2)) // Int32Array [1, 2, 0]
 * ```
 */
export function numpyArgsort(v: ArrayLike<number>): Int32Array {
  const num = v.length
  const tosort = new Int32Array(num)
  for (let i = 0; i < num; i++) tosort[i] = i
  if (num < 2) return tosort
  let pl = 0
  let pr = num - 1
  const stack: number[] = []
  const depthStack: number[] = []
  let cdepth = msb(num) * 2
  const swap = (a: number, b: number): void => {
    const t = tosort[a]!
    tosort[a] = tosort[b]!
    tosort[b] = t
  }
  for (;;) {
    if (cdepth < 0) {
      heapsortRange(v, tosort, pl, pr - pl + 1)
    } else {
      while (pr - pl > SMALL_QUICKSORT) {
        const pm = pl + ((pr - pl) >> 1)
        if (v[tosort[pm]!]! < v[tosort[pl]!]!) swap(pm, pl)
        if (v[tosort[pr]!]! < v[tosort[pm]!]!) swap(pr, pm)
        if (v[tosort[pm]!]! < v[tosort[pl]!]!) swap(pm, pl)
        const vp = v[tosort[pm]!]!
        let pi = pl
        let pj = pr - 1
        swap(pm, pj)
        for (;;) {
          do ++pi
          while (v[tosort[pi]!]! < vp)
          do --pj
          while (vp < v[tosort[pj]!]!)
          if (pi >= pj) break
          swap(pi, pj)
        }
        swap(pi, pr - 1)
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr)
          pr = pi - 1
        } else {
          stack.push(pl, pi - 1)
          pl = pi + 1
        }
        depthStack.push(--cdepth)
      }
      for (let pi = pl + 1; pi <= pr; pi++) {
        const vi = tosort[pi]!
        const vp = v[vi]!
        let pj = pi
        while (pj > pl && vp < v[tosort[pj - 1]!]!) {
          tosort[pj] = tosort[pj - 1]!
          pj--
        }
        tosort[pj] = vi
      }
    }
    if (stack.length === 0) break
    pr = stack.pop()!
    pl = stack.pop()!
    cdepth = depthStack.pop()!
  }
  return tosort
}

function msb(n: number): number {
  let depth = 0
  while ((n >>= 1) > 0) depth++
  return depth
}

// numpy's aheapsort_ on tosort[off, off + n), 1-based as in the C source.
function heapsortRange(v: ArrayLike<number>, tosort: Int32Array, off: number, n: number): void {
  const a = (k: number): number => tosort[off + k - 1]!
  const set = (k: number, x: number): void => {
    tosort[off + k - 1] = x
  }
  // Moves `tmp` down from position `i` of the heap a(1..size) (the sift-down of both loops).
  const siftDown = (tmp: number, i: number, size: number): void => {
    let j = i << 1
    while (j <= size) {
      if (j < size && v[a(j)]! < v[a(j + 1)]!) j += 1
      if (v[tmp]! < v[a(j)]!) {
        set(i, a(j))
        i = j
        j += j
      } else break
    }
    set(i, tmp)
  }
  for (let l = n >> 1; l > 0; --l) siftDown(a(l), l, n)
  for (; n > 1;) {
    const tmp = a(n)
    set(n, a(1))
    n -= 1
    siftDown(tmp, 1, n)
  }
}

/**
 * `np.sum` of `n` contiguous doubles: numpy's pairwise summation (blocks of 8 accumulators up
 * to 128 elements, halving above), so means and deviations round exactly as in numpy.
 *
 * ## References
 * - numpy `numpy/core/src/umath/loops_utils.h.src` (`pairwise_sum`).
 */
export function numpySum(a: ArrayLike<number>, off = 0, n: number = a.length - off): number {
  return 0 + pairwiseSum(a, off, n)
}

function pairwiseSum(a: ArrayLike<number>, off: number, n: number): number {
  if (n < 8) {
    let res = 0
    for (let i = 0; i < n; i++) res += a[off + i]!
    return res
  }
  if (n <= 128) {
    let r0 = a[off]!
    let r1 = a[off + 1]!
    let r2 = a[off + 2]!
    let r3 = a[off + 3]!
    let r4 = a[off + 4]!
    let r5 = a[off + 5]!
    let r6 = a[off + 6]!
    let r7 = a[off + 7]!
    let i = 8
    for (; i < n - (n % 8); i += 8) {
      r0 += a[off + i]!
      r1 += a[off + i + 1]!
      r2 += a[off + i + 2]!
      r3 += a[off + i + 3]!
      r4 += a[off + i + 4]!
      r5 += a[off + i + 5]!
      r6 += a[off + i + 6]!
      r7 += a[off + i + 7]!
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7))
    for (; i < n; i++) res += a[off + i]!
    return res
  }
  let n2 = Math.floor(n / 2)
  n2 -= n2 % 8
  return pairwiseSum(a, off, n2) + pairwiseSum(a, off + n2, n - n2)
}

/** `np.std` (ddof 0) of `n` contiguous doubles, rounding as numpy does. */
export function numpyStd(a: ArrayLike<number>, off = 0, n: number = a.length - off): number {
  const mean = numpySum(a, off, n) / n
  const sq = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const d = a[off + i]! - mean
    sq[i] = d * d
  }
  return Math.sqrt(numpySum(sq, 0, n) / n)
}
