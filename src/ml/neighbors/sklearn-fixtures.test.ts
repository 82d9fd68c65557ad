/**
 * Plinth's kNN against scikit-learn 1.2.1 (`test/fixtures/ml/neighbors/generate.py`): the
 * canonical neighbours and scikit-learn's predict/predict_proba code on them, for every
 * algorithm, to 1e-9.
 */
import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { columnFromArray, createFrame, type Column, type Frame } from '../../frame/index.js'

import {
  KNeighborsClassifier,
  KNeighborsRegressor,
  type KNeighborsParams,
  type NeighborsAlgorithm,
} from './index.js'

type Label = string | number

interface FixtureCase {
  task: 'classification' | 'regression'
  features: string[]
  target: string
  params: { nNeighbors: number; weights: 'uniform' | 'distance'; metric: string; p: number }
  classes?: Label[]
  predict: Label[]
  proba?: number[][]
  raw: { rows: number[] }
}

interface Fixture {
  versions: Record<string, string>
  train: { columns: Record<string, Label[]> }
  query: { columns: Record<string, Label[]> }
  neighbors: {
    features: string[]
    metric: string
    p: number
    k: number
    indices: number[][]
    distances: number[][]
  }[]
  cases: FixtureCase[]
}

const FILES = ['grid2', 'grid3', 'digits', 'breast_cancer', 'pima'] as const

function load(name: string): Fixture {
  return JSON.parse(
    readFileSync(
      new URL(`../../../test/fixtures/ml/neighbors/${name}.json`, import.meta.url),
      'utf8',
    ),
  ) as Fixture
}

function column(name: string, values: Label[]): Column {
  return typeof values[0] === 'string'
    ? columnFromArray(name, values, 'str')
    : columnFromArray(name, values, 'f64')
}

function frameOf(columns: Record<string, Label[]>, names: string[]): Frame {
  return createFrame(names.map((n) => column(n, columns[n]!)))
}

function close(actual: number, expected: number, tol = 1e-9): boolean {
  return Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected))
}

function algorithmsFor(metric: string): NeighborsAlgorithm[] {
  return metric === 'cosine' ? ['brute', 'auto'] : ['brute', 'kd_tree', 'auto']
}

function paramsOf(c: FixtureCase['params'], algorithm: NeighborsAlgorithm): KNeighborsParams {
  return {
    nNeighbors: c.nNeighbors,
    weights: c.weights,
    metric: c.metric as KNeighborsParams['metric'],
    p: c.p,
    algorithm,
  }
}

for (const name of FILES) {
  const fx = load(name)
  describe(`scikit-learn ${fx.versions['sklearn']} on ${name}`, () => {
    it('kneighbors gives the canonical neighbours and distances', () => {
      for (const nb of fx.neighbors) {
        const X = frameOf(fx.train.columns, nb.features)
        const Q = frameOf(fx.query.columns, nb.features)
        const y = column('y', fx.train.columns[fx.cases[0]!.target]!)
        for (const algorithm of algorithmsFor(nb.metric)) {
          const params = paramsOf(
            { nNeighbors: nb.k, weights: 'uniform', metric: nb.metric, p: nb.p },
            algorithm,
          )
          const model = new KNeighborsClassifier(params).fit(X, y)
          const { distances, indices } = model.kneighbors(Q)
          const what = `${nb.metric} p=${nb.p} k=${nb.k} ${algorithm}`
          expect(Array.from(indices), what).toEqual(nb.indices.flat())
          const bad = nb.distances.flat().filter((d, i) => !close(distances[i]!, d))
          expect(bad, what).toEqual([])
        }
      }
    })

    for (const c of fx.cases) {
      const title = `${c.task} k=${c.params.nNeighbors} ${c.params.weights} ${c.params.metric}${c.params.metric === 'minkowski' ? ` p=${c.params.p}` : ''}`
      it(title, () => {
        const X = frameOf(fx.train.columns, c.features)
        const Q = frameOf(fx.query.columns, c.features)
        const y = column(c.target, fx.train.columns[c.target]!)
        for (const algorithm of algorithmsFor(c.params.metric)) {
          const params = paramsOf(c.params, algorithm)
          if (c.task === 'classification') {
            const model = new KNeighborsClassifier(params).fit(X, y)
            expect(model.classes.map(String)).toEqual(c.classes!.map(String))
            const pred = Array.from(model.predict(Q).values as ArrayLike<Label>, String)
            expect(pred, algorithm).toEqual(c.predict.map(String))
            const proba = model.predictProba(Q)
            const bad: string[] = []
            c.proba!.forEach((row, i) => {
              row.forEach((p, j) => {
                const v = proba.columns[j]!.values[i] as number
                if (!close(v, p)) bad.push(`row ${i} class ${j}: ${v} vs ${p}`)
              })
            })
            expect(bad, algorithm).toEqual([])
          } else {
            const model = new KNeighborsRegressor(params).fit(X, y)
            const pred = model.predict(Q).values as Float64Array
            const bad = c.predict.filter((p, i) => !close(pred[i]!, p as number))
            expect(bad, algorithm).toEqual([])
          }
        }
      })
    }
  })
}
