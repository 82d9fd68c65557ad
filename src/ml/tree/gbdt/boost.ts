/**
 * The boosting loop: bin the features once, then per round compute gradients, grow one tree
 * per output on the histogram engine, update the margins of training and validation rows, and
 * record the metrics; stop early when the validation metric stalls.
 */
import { throwIfAborted, type Rng } from '../../../core/index.js'
import type { FitOptions } from '../../base/index.js'
import type { FlatTree } from '../ensemble/index.js'
import { applyCuts, createBinnedMatrix, createHistogramEngine } from '../hist/index.js'
import type { BinnedMatrix } from '../hist/index.js'

import { TreeGrower, type GrowParams } from './grow.js'
import { xgbQuantile, type Objective } from './objectives.js'
import { logisticGradientKernel } from './wasm-gradients.js'

/** Dense float32 rows (NaN = missing; categorical features hold category codes). */
export interface DenseRows {
  readonly data: Float32Array
  readonly nRows: number
  readonly nCols: number
}

/** One data set the booster reads: features, targets (class codes for classifiers), weights. */
export interface BoostData {
  readonly X: DenseRows
  readonly y: Float64Array
  readonly w: Float64Array | undefined
}

/** Everything the loop needs besides the data. */
export interface BoostSpec {
  readonly objective: Objective
  readonly grow: GrowParams
  readonly nEstimators: number
  readonly maxBin: number
  readonly subsample: number
  readonly colsampleByTree: number
  readonly earlyStoppingRounds: number | undefined
  readonly categorical: readonly number[]
  readonly nThreads: number
  /** The initial margin of every output. */
  readonly baseMargin: Float64Array
  /** Whether to compute the training metric each round. */
  readonly evalTrain: boolean
}

/** What the loop learned. */
export interface BoostResult {
  readonly trees: readonly FlatTree[]
  readonly treeGroup: Int32Array
  /** Per round: the training metric (empty when not computed) and the validation metric. */
  readonly train: Float64Array
  readonly validation: Float64Array | undefined
  /** Rounds run (before any truncation to the best round). */
  readonly nRounds: number
  /** The round whose trees are kept last (0-based), when early stopping ran. */
  readonly bestIteration: number | undefined
  readonly stopReason: 'nEstimators' | 'earlyStopping'
  readonly nThreads: number
}

/** Runs the boosting loop. Closes the engine on every path. */
export function boost(
  train: BoostData,
  valid: BoostData | undefined,
  spec: BoostSpec,
  rng: Rng,
  opts: FitOptions | undefined,
): BoostResult {
  const { objective: obj, nEstimators } = spec
  const K = obj.nOutputs
  const n = train.X.nRows
  const nFeatures = train.X.nCols
  const binned = createBinnedMatrix(
    { data: train.X.data, nRows: n, nCols: nFeatures },
    {
      maxBin: Math.min(spec.maxBin, 255),
      categorical: spec.categorical,
      shared: spec.nThreads > 1,
      ...(train.w === undefined ? {} : { weights: train.w }),
    },
  )
  const validBins =
    valid === undefined
      ? undefined
      : applyCuts(
          binned,
          { data: valid.X.data, nRows: valid.X.nRows, nCols: nFeatures },
          {
            shared: false,
          },
        )
  // binary:logistic without weights (the common case) takes its gradients from a WebAssembly
  // kernel over the engine's memory, where its margins and labels then live.
  const fastLogistic = K === 1 && train.w === undefined && obj.name === 'binary:logistic'
  const engine = createHistogramEngine(binned, {
    nThreads: spec.nThreads,
    ...(fastLogistic ? { rowArrays: { margin: n, label: n } } : {}),
  })
  try {
    const grower = new TreeGrower(engine, binned, spec.grow)
    const shared = engine.shared
    const logistic = shared === undefined ? undefined : logisticGradientKernel(shared.memory)
    const fast = shared !== undefined && logistic !== undefined ? { shared, logistic } : undefined
    fast?.shared.label.set(train.y)
    const margin = fast?.shared.margin ?? new Float64Array(n * K)
    for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) margin[i * K + k] = spec.baseMargin[k]!
    const nv = valid?.X.nRows ?? 0
    const vMargin = new Float64Array(nv * K)
    for (let i = 0; i < nv; i++)
      for (let k = 0; k < K; k++) vMargin[i * K + k] = spec.baseMargin[k]!
    // One output: the loss writes straight into the engine's arrays (no copy per round).
    const grad = K === 1 ? [engine.grad] : Array.from({ length: K }, () => new Float32Array(n))
    const hess = K === 1 ? [engine.hess] : Array.from({ length: K }, () => new Float32Array(n))
    const mask = spec.subsample < 1 ? new Uint8Array(n) : undefined
    const leafNode = new Int32Array(n)
    const allFeatures = Int32Array.from({ length: nFeatures }, (_, f) => f)
    const treeFeatures = new Int32Array(nFeatures)
    const nTreeFeatures = Math.max(1, Math.floor(spec.colsampleByTree * nFeatures))
    const leafScratch = obj.leafQuantile !== undefined ? new Float64Array(n) : undefined
    const idxScratch = obj.leafQuantile !== undefined ? new Uint32Array(n) : undefined

    const trees: FlatTree[] = []
    const groups: number[] = []
    const trainMetric: number[] = []
    const validMetric: number[] = []
    let best = Infinity
    let bestIteration = -1
    let stopReason: BoostResult['stopReason'] = 'nEstimators'
    let round = 0
    for (; round < nEstimators; round++) {
      throwIfAborted(opts?.signal)
      if (fast !== undefined) {
        const at = fast.shared.at
        fast.logistic(at.margin, at.label, at.grad, at.hess, n)
      } else obj.gradients(margin, train.y, train.w, grad, hess)
      for (let k = 0; k < K; k++) {
        if (K > 1) {
          engine.grad.set(grad[k]!)
          engine.hess.set(hess[k]!)
        }
        if (mask !== undefined)
          for (let i = 0; i < n; i++) mask[i] = rng.float() < spec.subsample ? 1 : 0
        const nActive = engine.resetRows(mask)
        let feats = allFeatures
        let nf = nFeatures
        if (nTreeFeatures < nFeatures) {
          treeFeatures.set(allFeatures)
          for (let i = 0; i < nTreeFeatures; i++) {
            const j = i + rng.int(nFeatures - i)
            const t = treeFeatures[i]!
            treeFeatures[i] = treeFeatures[j]!
            treeFeatures[j] = t
          }
          treeFeatures.subarray(0, nTreeFeatures).sort()
          feats = treeFeatures
          nf = nTreeFeatures
        }
        const grown = grower.grow(nActive, feats, nf, rng)
        const rows = engine.rows
        const { leaves, leafBegin, leafEnd } = grown
        if (
          obj.leafQuantile !== undefined &&
          leafScratch !== undefined &&
          idxScratch !== undefined
        ) {
          // Adaptive leaves: each leaf becomes the quantile of its rows' residuals, shrunk.
          for (let i = 0; i < n; i++) leafScratch[i] = train.y[i]! - margin[i * K + k]!
          for (let j = 0; j < leaves.length; j++) {
            const b = leafBegin[j]!
            const e = leafEnd[j]!
            if (e <= b) continue
            for (let i = b; i < e; i++) idxScratch[i - b] = rows[i]!
            const q = xgbQuantile(obj.leafQuantile, leafScratch, idxScratch, e - b, train.w)
            const v = Math.fround(Math.fround(q) * Math.fround(spec.grow.learningRate))
            grower.setLeaf(leaves[j]!, v, grown.tree)
          }
        }
        const value = grown.tree.value
        // Each row's leaf, written leaf by leaf into a small array that stays in cache, then
        // one pass over the margins in row order (adding in leaf order scatters over them).
        for (let j = 0; j < leaves.length; j++) {
          const node = leaves[j]!
          const e = leafEnd[j]!
          for (let i = leafBegin[j]!; i < e; i++) leafNode[rows[i]!] = node
        }
        if (mask !== undefined) {
          // Rows the tree did not see (subsampling) follow it down.
          const stride = binned.rowStride
          for (let i = 0; i < n; i++)
            if (mask[i] === 0) leafNode[i] = grower.leafOfBinned(binned.bins, i * stride)
        }
        if (K === 1) for (let i = 0; i < n; i++) margin[i]! += value[leafNode[i]!]!
        else for (let i = 0; i < n; i++) margin[i * K + k]! += value[leafNode[i]!]!
        if (validBins !== undefined) addTree(grower, validBins, value, vMargin, K, k)
        trees.push(grown.tree)
        groups.push(k)
      }
      const metrics: Record<string, number> = {}
      if (spec.evalTrain) {
        const m = obj.evaluate(margin, train.y, train.w)
        trainMetric.push(m)
        metrics[`train-${obj.metric}`] = m
      }
      if (valid !== undefined) {
        const m = obj.evaluate(vMargin, valid.y, valid.w)
        validMetric.push(m)
        metrics[`validation-${obj.metric}`] = m
        if (m < best) {
          best = m
          bestIteration = round
        } else if (
          spec.earlyStoppingRounds !== undefined &&
          round - bestIteration >= spec.earlyStoppingRounds
        ) {
          stopReason = 'earlyStopping'
          opts?.onProgress?.({ stage: 'boost', step: round + 1, total: nEstimators, metrics })
          round++
          break
        }
      }
      opts?.onProgress?.({ stage: 'boost', step: round + 1, total: nEstimators, metrics })
    }
    const early = spec.earlyStoppingRounds !== undefined && valid !== undefined
    const keep = early && bestIteration >= 0 ? (bestIteration + 1) * K : trees.length
    return {
      trees: trees.slice(0, keep),
      treeGroup: Int32Array.from(groups.slice(0, keep)),
      train: Float64Array.from(trainMetric),
      validation: valid === undefined ? undefined : Float64Array.from(validMetric),
      nRounds: round,
      bestIteration: early && bestIteration >= 0 ? bestIteration : undefined,
      stopReason,
      nThreads: engine.nThreads,
    }
  } finally {
    engine.close()
  }
}

function addTree(
  grower: TreeGrower,
  data: BinnedMatrix,
  value: Float64Array,
  margin: Float64Array,
  K: number,
  k: number,
): void {
  const stride = data.rowStride
  for (let i = 0; i < data.nRows; i++)
    margin[i * K + k]! += value[grower.leafOfBinned(data.bins, i * stride)]!
}
