/**
 * Stand-in scorers until `ml/metrics` exports `getScorer`: accuracy, R² and negated MSE.
 */
import { ValidationError } from '../../core/index.js'
import { valueAt, type Column, type Frame } from '../../frame/index.js'
import type { Model } from '../base/index.js'

type Scorer = (model: Model, X: Frame, y: Column) => number

function predictOf(model: Model, X: Frame): Column {
  const p = (model as { predict?: (X: Frame) => Column }).predict
  if (typeof p !== 'function') {
    throw new ValidationError(`${model.kind} does not predict`, [
      { path: ['scoring'], code: 'not_predictor', message: 'this scorer needs predict' },
    ])
  }
  return p.call(model, X)
}

const SCORERS: Record<string, Scorer> = {
  accuracy: (model, X, y) => {
    const pred = predictOf(model, X)
    let hit = 0
    for (let i = 0; i < y.length; i++) if (String(valueAt(pred, i)) === String(valueAt(y, i))) hit++
    return hit / y.length
  },
  r2: (model, X, y) => {
    const pred = predictOf(model, X)
    let mean = 0
    for (let i = 0; i < y.length; i++) mean += Number(valueAt(y, i))
    mean /= y.length
    let ssRes = 0
    let ssTot = 0
    for (let i = 0; i < y.length; i++) {
      const t = Number(valueAt(y, i))
      ssRes += (t - Number(valueAt(pred, i))) ** 2
      ssTot += (t - mean) ** 2
    }
    return ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot
  },
  neg_mean_squared_error: (model, X, y) => {
    const pred = predictOf(model, X)
    let s = 0
    for (let i = 0; i < y.length; i++) s += (Number(valueAt(y, i)) - Number(valueAt(pred, i))) ** 2
    return -s / y.length
  },
}

/** The stand-in scorer names. */
export const INTERIM_SCORER_NAMES: readonly string[] = Object.keys(SCORERS)

/** A stand-in scorer by name. */
export function getInterimScorer(name: string): Scorer {
  const s = SCORERS[name]
  if (s === undefined) throw new Error(`unknown scorer ${name}`)
  return s
}
