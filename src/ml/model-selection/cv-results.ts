/**
 * The `cvResults` table of a search, column for column like sklearn's `cv_results_`.
 */
import { createColumn, createFrame, type Column, type Frame } from '../../frame/index.js'

import { mean, std } from './cv.js'
import { describeValue } from './estimator-spec.js'
import type { ParamSet } from './param-grid.js'
import type { TrialResult } from './trial.js'

/** What {@link buildCvResults} computes besides the table. */
export interface CvResultsTable {
  readonly frame: Frame
  /** Per metric suffix, the mean test score of each candidate. */
  readonly meanTest: Readonly<Record<string, Float64Array>>
  /** Per metric suffix, the rank of each candidate (1 is best). */
  readonly rank: Readonly<Record<string, Int32Array>>
}

/**
 * sklearn's ranking: `rankdata(-means, method='min')`; NaN means (failed fits) rank below
 * every finite one, tied with each other; all NaN gives every candidate rank 1.
 */
export function rankScores(means: Float64Array): Int32Array {
  const n = means.length
  const ranks = new Int32Array(n)
  let finiteMin = Infinity
  for (const m of means) if (!Number.isNaN(m)) finiteMin = Math.min(finiteMin, m)
  if (finiteMin === Infinity && means.every((m) => Number.isNaN(m))) return ranks.fill(1)
  const v = means.map((m) => (Number.isNaN(m) ? finiteMin - 1 : m))
  for (let i = 0; i < n; i++) {
    let better = 0
    for (let j = 0; j < n; j++) if (v[j]! > v[i]!) better++
    ranks[i] = better + 1
  }
  return ranks
}

function f64(name: string, values: Float64Array): Column {
  return createColumn({ name, dtype: 'f64', values })
}

// A param_<name> column: f64, bool or str when every present value has that type; otherwise
// str with a display of each value. Candidates without the parameter are missing.
function paramColumn(name: string, values: readonly unknown[], present: Uint8Array): Column {
  const validity = present.includes(0) ? { validity: present } : {}
  const given = values.filter((_, i) => present[i] === 1)
  if (given.every((v) => typeof v === 'number'))
    return createColumn({
      name,
      dtype: 'f64',
      values: Float64Array.from(values, (v) => (typeof v === 'number' ? v : NaN)),
      ...validity,
    })
  if (given.every((v) => typeof v === 'boolean'))
    return createColumn({
      name,
      dtype: 'bool',
      values: Uint8Array.from(values, (v) => (v === true ? 1 : 0)),
      ...validity,
    })
  return createColumn({
    name,
    dtype: 'str',
    values: values.map((v, i) =>
      present[i] === 1 ? (typeof v === 'string' ? v : describeValue(v)) : '',
    ),
    ...validity,
  })
}

/**
 * Builds the table: `mean_fit_time`, `std_fit_time`, `mean_score_time`, `std_score_time`, one
 * `param_<name>` column per parameter, `params` (each candidate as JSON), then per metric
 * `split<k>_test_<m>`, `mean_test_<m>`, `std_test_<m>`, `rank_test_<m>` and, with training
 * scores, `split<k>_train_<m>`, `mean_train_<m>`, `std_train_<m>`.
 *
 * @param results `results[candidate][fold]`
 * @param suffixes the metric suffix of each scorer (`'score'` for a single unnamed metric).
 */
export function buildCvResults(
  candidates: readonly ParamSet[],
  results: readonly (readonly TrialResult[])[],
  suffixes: readonly string[],
  returnTrainScore: boolean,
): CvResultsTable {
  const nc = candidates.length
  const nFolds = results[0]?.length ?? 0
  const cols: Column[] = []
  const stat = (pick: (r: TrialResult) => number): [Float64Array, Float64Array] => {
    const m = new Float64Array(nc)
    const s = new Float64Array(nc)
    results.forEach((row, c) => {
      const v = Float64Array.from(row, pick)
      m[c] = mean(v)
      s[c] = std(v)
    })
    return [m, s]
  }
  const [mft, sft] = stat((r) => r.fitTime)
  const [mst, sst] = stat((r) => r.scoreTime)
  cols.push(
    f64('mean_fit_time', mft),
    f64('std_fit_time', sft),
    f64('mean_score_time', mst),
    f64('std_score_time', sst),
  )
  const names: string[] = []
  for (const p of candidates) for (const k of Object.keys(p)) if (!names.includes(k)) names.push(k)
  for (const k of names) {
    const present = Uint8Array.from(candidates, (p) => (k in p ? 1 : 0))
    cols.push(
      paramColumn(
        `param_${k}`,
        candidates.map((p) => p[k]),
        present,
      ),
    )
  }
  cols.push(
    createColumn({
      name: 'params',
      dtype: 'str',
      values: candidates.map((p) =>
        JSON.stringify(Object.fromEntries(Object.entries(p).map(([k, v]) => [k, jsonSafe(v)]))),
      ),
    }),
  )
  const meanTest: Record<string, Float64Array> = {}
  const rank: Record<string, Int32Array> = {}
  suffixes.forEach((m, i) => {
    for (const side of returnTrainScore ? (['test', 'train'] as const) : (['test'] as const)) {
      const pick = (r: TrialResult): number =>
        side === 'test' ? r.test[i]! : (r.train?.[i] ?? NaN)
      for (let k = 0; k < nFolds; k++)
        cols.push(
          f64(
            `split${k}_${side}_${m}`,
            Float64Array.from(results, (row) => pick(row[k]!)),
          ),
        )
      const [mm, ss] = stat(pick)
      cols.push(f64(`mean_${side}_${m}`, mm), f64(`std_${side}_${m}`, ss))
      if (side === 'test') {
        meanTest[m] = mm
        rank[m] = rankScores(mm)
        cols.push(createColumn({ name: `rank_test_${m}`, dtype: 'i32', values: rank[m] }))
      }
    }
  })
  return { frame: createFrame(cols), meanTest, rank }
}

function jsonSafe(v: unknown): unknown {
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v === null)
    return v
  return describeValue(v)
}
