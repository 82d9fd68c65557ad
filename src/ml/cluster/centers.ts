/**
 * Nearest-center assignment and center distances for fitted centroid models (k-means and
 * mini-batch k-means), on the calling thread.
 *
 * @internal
 */
import { ValidationError } from '../../core/index.js'
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
  const cn = new Float64Array(k)
  for (let c = 0; c < k; c++) {
    let s = 0
    for (let j = 0; j < p; j++) s += centers[c * p + j]! * centers[c * p + j]!
    cn[c] = s
  }
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) {
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
    out[i] = bi
  }
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
