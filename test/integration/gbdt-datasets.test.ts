/**
 * Acceptance (trees): on every shipped dataset (examples/datasets), the histogram GBDT's test
 * scores are within 0.5% of XGBoost 1.7's with equal settings (tree_method='hist', 100
 * rounds, eta 0.1, depth 3, 255 bins; native categorical splits; the same two folds, testing on the
 * odd rows and then on the even rows, scores averaged). At XGBoost's defaults (eta 0.3, depth 6) these small sets are fitted to noise:
 * XGBoost's own test AUC moves by 1-1.5% between max_bin 256 and 255, so the comparison uses
 * settings where the scores measure the learner. XGBoost's scores are committed in
 * test/fixtures/ml/gbdt/datasets-scores.json (generate_datasets.py).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

import { createFrame } from '../../src/frame/index.js'
import { GBDTClassifier } from '../../src/ml/tree/gbdt/index.js'
import { readCsvFrame } from '../support/csv-frame.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const DATA = path.resolve(HERE, '../../examples/datasets')
const FIXTURE = path.resolve(HERE, '../fixtures/ml/gbdt/datasets-scores.json')

interface DatasetCase {
  file: string
  target: string
  categorical: string[]
  zeroAsMissing: string[]
  classes: string[]
  scores: Record<string, number>
}
const FIX = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
  datasets: Record<string, DatasetCase>
}

/** Area under the ROC curve (Mann–Whitney, ties counted half). */
function auc(y: readonly number[], score: Float64Array): number {
  const idx = y.map((_, i) => i).sort((a, b) => score[a]! - score[b]!)
  let rankSum = 0
  let nPos = 0
  for (let i = 0; i < idx.length;) {
    let j = i
    while (j + 1 < idx.length && score[idx[j + 1]!] === score[idx[i]!]) j++
    const rank = (i + j) / 2 + 1
    for (let k = i; k <= j; k++) {
      if (y[idx[k]!] === 1) {
        rankSum += rank
        nPos++
      }
    }
    i = j + 1
  }
  const nNeg = y.length - nPos
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg)
}

describe('GBDT test scores on the shipped datasets match XGBoost 1.7 within 0.5%', () => {
  for (const [name, c] of Object.entries(FIX.datasets)) {
    it(`${name}: ${Object.keys(c.scores).join(', ')}`, { timeout: 60_000 }, () => {
      const { X, y } = readCsvFrame(path.join(DATA, c.file), {
        target: c.target,
        categorical: c.categorical,
        zeroAsMissing: c.zeroAsMissing,
      })
      const n = X.nRows
      const yFrame = createFrame([y])
      const ours: Record<string, number> = { accuracy: 0, log_loss: 0, roc_auc: 0 }
      for (const fold of [0, 1]) {
        const all = Int32Array.from({ length: n }, (_, i) => i)
        const trainIdx = all.filter((i) => i % 2 === fold)
        const testIdx = all.filter((i) => i % 2 !== fold)
        const yte = yFrame.take(testIdx).columns[0]!
        if (yte.dtype !== 'cat') throw new Error('expected a cat target')
        const model = new GBDTClassifier({
          nEstimators: 100,
          learningRate: 0.1,
          maxDepth: 3,
          maxBin: 255,
          nThreads: 1,
        }).fit(X.take(trainIdx), yFrame.take(trainIdx).columns[0])
        const classes = model.classes.map(String)
        expect(classes).toEqual(c.classes)
        const proba = model.predictProba(X.take(testIdx))
        const k = classes.length
        const truth = Array.from(yte.values, (v) => classes.indexOf(yte.categories[v]!))
        const p = (r: number, j: number): number => (proba.columns[j]!.values as Float64Array)[r]!
        let correct = 0
        let ll = 0
        for (let r = 0; r < truth.length; r++) {
          let best = 0
          for (let j = 1; j < k; j++) if (p(r, j) > p(r, best)) best = j
          if (best === truth[r]) correct++
          ll -= Math.log(Math.min(Math.max(p(r, truth[r]!), 1e-15), 1 - 1e-15))
        }
        ours['accuracy']! += correct / truth.length / 2
        ours['log_loss']! += ll / truth.length / 2
        if (k === 2) ours['roc_auc']! += auc(truth, proba.columns[1]!.values as Float64Array) / 2
      }
      for (const [metric, theirs] of Object.entries(c.scores)) {
        const rel = Math.abs(ours[metric]! - theirs) / Math.abs(theirs)
        expect(rel, `${metric}: plinth ${ours[metric]}, xgboost ${theirs}`).toBeLessThanOrEqual(
          0.005,
        )
      }
    })
  }
})
