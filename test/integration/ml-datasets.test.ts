/**
 * Acceptance (ML core): on every shared dataset (shipped in examples/datasets), Plinth's cross-validated scores
 * are within 1% of scikit-learn's with equal settings: the same pipelines (imputer, scaler,
 * one-hot, then the model), the same folds (StratifiedKFold(5), no shuffle), the same scorers.
 * scikit-learn's figures are committed in test/fixtures/ml/datasets-cv (generate.py).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

import type { Estimator } from '../../src/ml/base/index.js'
import {
  makeColumnSelector,
  makeColumnTransformer,
  makePipeline,
} from '../../src/ml/compose/index.js'
import { StratifiedKFold, crossValidate } from '../../src/ml/model-selection/index.js'
import { createEstimator, findEstimatorEntry } from '../../src/ml/registry.js'
import { readCsvFrame } from '../support/csv-frame.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
// The shared datasets, shipped in examples/datasets (byte-identical copies).
const DATA = path.resolve(HERE, '../../examples/datasets')
const FIXTURE = path.resolve(HERE, '../fixtures/ml/datasets-cv/cv-scores.json')

interface DatasetCase {
  file: string
  target: string
  categorical: string[]
  zeroAsMissing: string[]
  scoring: string[]
  scores: Record<string, Record<string, number[]>>
}
const CASES = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, DatasetCase>

const est = (kind: string, params: Record<string, unknown> = {}): Estimator =>
  createEstimator(kind, params)

/** The Plinth twin of each scikit-learn model in generate.py, or undefined if the kind is not built. */
function model(name: string, c: DatasetCase): Estimator | undefined {
  const needs = {
    logreg: 'linear.logistic',
    gaussian_nb: 'naive-bayes.gaussian',
    knn5: 'neighbors.knn-classifier',
    dummy: 'dummy.classifier',
  }[name]
  if (needs === undefined || findEstimatorEntry(needs) === undefined) return undefined
  if (name === 'dummy') return est('dummy.classifier', { strategy: 'prior' })
  const impute =
    c.zeroAsMissing.length > 0 ? [est('preprocessing.simple-imputer', { strategy: 'median' })] : []
  if (c.categorical.length > 0) {
    const ct = makeColumnTransformer([
      [
        est('preprocessing.one-hot', { handleUnknown: 'ignore' }),
        makeColumnSelector({ dtype: ['categorical'] }),
      ],
      [est('preprocessing.standard-scaler'), makeColumnSelector({ dtype: ['numeric'] })],
    ])
    return makePipeline([ct, est('linear.logistic', { C: 1, maxIter: 1000, tol: 1e-8 })])
  }
  switch (name) {
    case 'logreg':
      return makePipeline([
        ...impute,
        est('preprocessing.standard-scaler'),
        est('linear.logistic', { C: 1, maxIter: 1000, tol: 1e-8 }),
      ])
    case 'gaussian_nb':
      return makePipeline([...impute, est('naive-bayes.gaussian')])
    default:
      return makePipeline([
        ...impute,
        est('preprocessing.standard-scaler'),
        est('neighbors.knn-classifier', { nNeighbors: 5 }),
      ])
  }
}

const mean = (xs: ArrayLike<number>): number =>
  Array.from(xs).reduce((a, b) => a + b, 0) / xs.length

describe('cross-validated scores on the shipped datasets match scikit-learn within 1%', () => {
  for (const [name, c] of Object.entries(CASES)) {
    describe(name, () => {
      const data = readCsvFrame(path.join(DATA, c.file), {
        target: c.target,
        categorical: c.categorical,
        zeroAsMissing: c.zeroAsMissing,
      })
      for (const [modelName, want] of Object.entries(c.scores)) {
        const m = model(modelName, c)
        it.skipIf(m === undefined)(
          `${modelName}: ${c.scoring.join(', ')}`,
          { timeout: 120_000 },
          async () => {
            const r = await crossValidate(m!, data.X, data.y, {
              cv: new StratifiedKFold({ nSplits: 5 }),
              scoring: c.scoring,
              nJobs: 1,
              errorScore: 'raise',
            })
            for (const s of c.scoring) {
              const ours = mean(r.testScores[s]!)
              const theirs = mean(want[s]!)
              expect(
                Math.abs(ours - theirs) / Math.abs(theirs),
                `${s}: plinth ${ours}, scikit-learn ${theirs}`,
              ).toBeLessThanOrEqual(0.01)
            }
          },
        )
      }
    })
  }
})
