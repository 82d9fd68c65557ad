/**
 * The inputs of the binary ranking metrics: true labels and one score per sample (or the positive
 * class's column of a probability Frame/matrix), as a positive mask and a score vector.
 */
import { ValidationError } from '../../core/index.js'
import type { ClassLabel } from '../base/index.js'

import type { SampleWeightOptions } from './classification.js'
import {
  checkLengths,
  isProbaInput,
  readNumbers,
  readProba,
  readWeights,
  type NumbersInput,
  type ProbaInput,
  type ReadProba,
} from './inputs.js'
import { encodeLabels, findLabel, type LabelsInput } from './labels.js'

/** Scores: one number per sample, or a probability Frame/matrix (one column per class). */
export type ScoresInput = NumbersInput | ProbaInput

/** Options of the binary curves and of average precision. */
export interface CurveOptions extends SampleWeightOptions {
  /**
   * The positive class. Curves default to 1 when the labels are in {0, 1} or {−1, 1} and need it
   * otherwise; average precision and the threshold helpers default to 1.
   */
  readonly posLabel?: ClassLabel | undefined
}

/** @internal */
export interface BinaryInput {
  readonly positive: Uint8Array
  readonly score: Float64Array
  readonly weight: Float64Array | undefined
  readonly classes: readonly ClassLabel[]
}

/** Reads yTrue and 1-D scores (or the `posLabel` column of a probability input). */
export function readBinary(
  yTrue: LabelsInput,
  yScore: ScoresInput,
  sampleWeight: NumbersInput | undefined,
  pickPositive: (classes: readonly ClassLabel[]) => number,
): BinaryInput {
  const y = encodeLabels([{ input: yTrue, path: 'yTrue' }])
  const classes = y.classes
  let score: Float64Array
  let pos: number
  if (isProbaInput(yScore)) {
    const proba = readProba(yScore, 'yScore', classes)
    checkLengths([
      { path: 'yTrue', n: yTrue.length },
      { path: 'yScore', n: proba.nRows },
    ])
    pos = pickPositive(classes)
    const label = pos >= 0 ? classes[pos]! : undefined
    const col = label === undefined ? -1 : findLabel(proba.labels, label)
    if (col < 0) {
      throw new ValidationError('the probabilities have no column for the positive class', [
        {
          path: ['yScore'],
          code: 'missing_class',
          message: `no column named ${String(label)}`,
        },
      ])
    }
    score = column(proba, col)
  } else {
    score = readNumbers(yScore, 'yScore')
    checkLengths([
      { path: 'yTrue', n: yTrue.length },
      { path: 'yScore', n: score.length },
    ])
    pos = pickPositive(classes)
  }
  const weight = readWeights(sampleWeight, score.length)
  const codes = y.codes[0]!
  const positive = new Uint8Array(codes.length)
  for (let i = 0; i < codes.length; i++) positive[i] = codes[i] === pos ? 1 : 0
  return { positive, score, weight, classes }
}

/** @internal */
export function column(p: ReadProba, j: number): Float64Array {
  const out = new Float64Array(p.nRows)
  for (let i = 0; i < p.nRows; i++) out[i] = p.data[i * p.nCols + j]!
  return out
}
