/**
 * Nearest-center assignment and center distances for fitted centroid models (k-means and
 * mini-batch k-means), on the calling thread.
 *
 * @internal
 */
import { ValidationError, type ValidationIssue } from '../../core/index.js'
import type { Frame } from '../../frame/index.js'

/** Throws a `ValidationError` unless `X` has at least `k` rows (one per cluster). */
export function assertEnoughRows(X: Frame, k: number, kind: string): void {
  if (X.nRows < Math.max(k, 1)) {
    throw new ValidationError(`${kind} needs at least nClusters=${k} rows, got ${X.nRows}`, [
      {
        path: ['X'],
        code: 'too_few_rows',
        message: `got ${X.nRows} row(s), need at least ${Math.max(k, 1)}`,
      },
    ])
  }
}

/**
 * The nearest of `k` centers (row-major `k × p`) for each row of the row-major `n × p` matrix.
 *
 * The arithmetic is the fit kernel's (`‖c‖² − 2x·c` with the dot product summed over features in
 * order, lowest index on ties), so `predict` on the training rows gives the training labels.
 */
export function nearestCenters(
  data: Float32Array | Float64Array,
  n: number,
  p: number,
  centers: Float64Array,
  k: number,
): Int32Array {
  const out = new Int32Array(n)
  assignRows(data, p, null, n, centers, k, out)
  return out
}

/** Euclidean distances of each row to each center, column-major: `out[c·n + i]`. */
export function centerDistances(
  data: Float32Array | Float64Array,
  n: number,
  p: number,
  centers: Float64Array,
  k: number,
): Float64Array {
  const out = new Float64Array(n * k)
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0
      for (let j = 0; j < p; j++) {
        const d = data[i * p + j]! - centers[c * p + j]!
        s += d * d
      }
      out[c * n + i] = Math.sqrt(s)
    }
  }
  return out
}

/**
 * Assigns the rows `rows[0..m)` (indices into the row-major `data`) to their nearest center and
 * returns the sum of their squared distances (`max(‖x‖² − 2x·c + ‖c‖², 0)`, the fit kernel's
 * arithmetic). `rows` null means all `m` rows in order.
 */
export function assignRows(
  data: Float32Array | Float64Array,
  p: number,
  rows: Int32Array | null,
  m: number,
  centers: Float64Array,
  k: number,
  labels: Int32Array,
): number {
  const cn = new Float64Array(k)
  for (let c = 0; c < k; c++) {
    let s = 0
    for (let j = 0; j < p; j++) s += centers[c * p + j]! * centers[c * p + j]!
    cn[c] = s
  }
  let inertia = 0
  for (let r = 0; r < m; r++) {
    const i = rows === null ? r : rows[r]!
    let xn = 0
    for (let j = 0; j < p; j++) xn += data[i * p + j]! * data[i * p + j]!
    let best = Infinity
    let bi = 0
    for (let c = 0; c < k; c++) {
      let acc = 0
      for (let j = 0; j < p; j++) acc += data[i * p + j]! * centers[c * p + j]!
      const d = cn[c]! - (acc + acc)
      if (d < best) {
        best = d
        bi = c
      }
    }
    labels[r] = bi
    inertia += Math.max(best + xn, 0)
  }
  return inertia
}

/** Validates explicit initial centers (`k` rows of `p` finite values) and rounds them to float32. */
export function initCenters(
  init: readonly (readonly number[])[],
  k: number,
  p: number,
  kind: string,
): Float64Array {
  const issues: ValidationIssue[] = []
  if (init.length !== k)
    issues.push({
      path: ['params', 'init'],
      code: 'bad_shape',
      message: `expected ${k} centers (nClusters), got ${init.length}`,
    })
  init.forEach((row, c) => {
    if (row.length !== p)
      issues.push({
        path: ['params', 'init', c],
        code: 'bad_shape',
        message: `expected ${p} values (one per feature), got ${row.length}`,
      })
    else if (!row.every(Number.isFinite))
      issues.push({
        path: ['params', 'init', c],
        code: 'non_finite',
        message: 'centers must be finite',
      })
  })
  if (issues.length > 0) throw new ValidationError(`invalid parameters for ${kind}: init`, issues)
  const out = new Float64Array(k * p)
  // Rounded to float32 like the data, so an init equal to a row is exactly that row.
  init.forEach((row, c) => {
    row.forEach((v, j) => (out[c * p + j] = Math.fround(v)))
  })
  return out
}
