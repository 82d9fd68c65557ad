/**
 * `decomposition.pca`: principal component analysis with scikit-learn 1.2 semantics
 * (`sklearn.decomposition.PCA`).
 *
 * ## Method
 * The data are centered. The `'full'` solver gets the exact SVD from a symmetric
 * eigendecomposition: of the `p × p` scatter matrix `XᵀX` (one blocked pass over the rows) when
 * `p ≤ n`, else of the `n × n` Gram matrix `XXᵀ`; singular values are the square roots of the
 * eigenvalues. For `n ≫ p` this is far cheaper than an SVD of `X`, and exact to about
 * `ε·σ_max²/σ_k²` relative on `σ_k`. `'randomized'` is scikit-learn's `randomized_svd`. Signs
 * follow `svd_flip` (the largest-magnitude entry of each left singular vector is positive), so
 * components match scikit-learn's.
 *
 * ## References
 * - I. T. Jolliffe. Principal Component Analysis, 2nd ed. Springer, 2002.
 * - scikit-learn 1.2 `sklearn/decomposition/_pca.py`.
 */
import { z } from 'zod'

import { ValidationError, createRng } from '../../core/index.js'
import { createColumn, createFrame, type Column, type Frame } from '../../frame/index.js'
import { closedForm } from '../base/diagnostics.js'
import type { EstimatorEntry } from '../base/entry.js'
import {
  assertHasFeatures,
  assertNumericFeatures,
  assertMinRows,
  captureFeatures,
  readFeatures,
  selectFeatures,
  toMatrix,
  type FeatureSpec,
} from '../base/features.js'
import { parseParams } from '../base/params.js'
import { fitStep } from '../base/progress.js'
import { badState, checkState, decodeF64, encodeArray } from '../base/state.js'
import type { Diagnostics, Estimator, FitOptions, ModelState, Transformer } from '../base/types.js'

import { crossProducts } from '../linear/regression/cross-products.js'

import { gramColumns } from './dense.js'
import { symmetricEigen } from './eigen.js'
import { randomizedSvd } from './randomized-svd.js'

/** Parameters of {@link PCA} (scikit-learn's names in camelCase). */
export const PCAParamsSchema = z.strictObject({
  /**
   * Components to keep: an integer, a fraction in (0, 1) (the fewest components whose explained
   * variance ratio sums to more than it; `'full'` solver only), or unset for `min(n, p)`.
   */
  nComponents: z.union([z.int().min(1), z.number().gt(0).lt(1)]).optional(),
  /** Scale the scores to unit variance. @default false */
  whiten: z.boolean().default(false),
  /**
   * `'auto'`: `'full'` if `p ≤ 500`, or `max(n, p) ≤ 500`, or the components are a fraction or at
   * least 80% of `min(n, p)`; else `'randomized'`. scikit-learn's rule picks `'randomized'` for
   * narrow data too, where Plinth's exact `'full'` is faster. @default 'auto'
   */
  svdSolver: z.enum(['auto', 'full', 'randomized']).default('auto'),
  /** Randomized solver: extra random vectors. @default 10 */
  nOversamples: z.int().min(0).default(10),
  /** Randomized solver: power iterations (`'auto'`: 7 if `k < 0.1·min(n, p)`, else 4). @default 'auto' */
  iteratedPower: z.union([z.int().min(0), z.literal('auto')]).default('auto'),
  /** Randomized solver: normalisation between power iterations. @default 'auto' */
  powerIterationNormalizer: z.enum(['auto', 'QR', 'LU', 'none']).default('auto'),
  /** Randomized solver: seed of the test matrix. @default 0 */
  seed: z.int().min(0).max(0xffffffff).default(0),
})
/** Input parameters of {@link PCA}. */
export type PCAParams = z.input<typeof PCAParamsSchema>
type Resolved = z.output<typeof PCAParamsSchema>

const KIND = 'decomposition.pca'

/** What fit learns. */
interface PCAState {
  readonly mean: Float64Array
  /** Row-major `k × p`. */
  readonly components: Float64Array
  readonly explainedVariance: Float64Array
  readonly explainedVarianceRatio: Float64Array
  readonly singularValues: Float64Array
  readonly noiseVariance: number
  readonly nSamples: number
  readonly solver: 'full' | 'randomized'
}

/**
 * Principal component analysis.
 *
 * @example
 * ```ts
 * const pca = new PCA({ nComponents: 2 }).fit(X)
 * pca.transform(X)           // columns pca0, pca1
 * pca.explainedVarianceRatio // Float64Array(2)
 * ```
 */
export class PCA implements Estimator<PCAParams, PCAModel> {
  readonly kind = KIND
  constructor(readonly params: Readonly<PCAParams> = {}) {}
  withParams(patch: Partial<PCAParams>): PCA {
    return new PCA({ ...this.params, ...patch })
  }
  fit(X: Frame, _y?: Column, opts?: FitOptions): PCAModel {
    const p = parseParams(KIND, PCAParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    assertHasFeatures(X, KIND)
    assertMinRows(X, 2, KIND)
    const n = X.nRows
    const nf = X.nColumns
    const minDim = Math.min(n, nf)
    const nc = p.nComponents
    if (nc !== undefined && Number.isInteger(nc) && nc > minDim) {
      throw new ValidationError(`invalid parameters for ${KIND}: nComponents`, [
        {
          path: ['params', 'nComponents'],
          code: 'too_big',
          message: `nComponents=${nc} must be at most min(nSamples, nFeatures)=${minDim}`,
        },
      ])
    }
    const fraction = nc !== undefined && !Number.isInteger(nc)
    const solver = chooseSolver(p.svdSolver, n, nf, nc, fraction)
    if (solver === 'randomized' && (nc === undefined || fraction)) {
      throw new ValidationError(`invalid parameters for ${KIND}: nComponents`, [
        {
          path: ['params', 'nComponents'],
          code: 'invalid_value',
          message: 'the randomized solver needs an integer nComponents',
        },
      ])
    }
    const rng = opts?.rng ?? createRng(p.seed)
    let state: PCAState
    if (solver === 'full' && nf <= n) {
      // Tall data: the Gram matrix and the projections read the Frame's columns directly.
      assertNumericFeatures(X, { kind: KIND })
      const cols = X.columns.map((c) => c.values as ArrayLike<number>)
      const mean = new Float64Array(nf)
      for (let j = 0; j < nf; j++) {
        const v = cols[j]!
        let s = 0
        for (let i = 0; i < n; i++) s += v[i]!
        mean[j] = s / n
      }
      state = fitFull(undefined, { cols, shift: mean }, n, nf, nc, mean, centeredGram(X))
    } else {
      const m = toMatrix(X, { layout: 'col', kind: KIND })
      const a = m.data
      const mean = new Float64Array(nf)
      for (let j = 0; j < nf; j++) {
        let s = 0
        for (let i = 0; i < n; i++) s += a[j * n + i]!
        mean[j] = s / n
        for (let i = 0; i < n; i++) a[j * n + i] = a[j * n + i]! - mean[j]!
      }
      state =
        solver === 'full'
          ? fitFull(a, centeredColumns(a, n, nf), n, nf, nc, mean, undefined)
          : fitRandomized(a, n, nf, nc ?? minDim, mean, p, rng)
    }
    return new PCAModel(p, captureFeatures(X), state)
  }
}

function chooseSolver(
  s: Resolved['svdSolver'],
  n: number,
  p: number,
  nc: number | undefined,
  fraction: boolean,
): 'full' | 'randomized' {
  if (s !== 'auto') return s
  if (p <= 500 || Math.max(n, p) <= 500 || nc === undefined || fraction) return 'full'
  return nc < 0.8 * Math.min(n, p) ? 'randomized' : 'full'
}

/**
 * `XcᵀXc` of the centered features (row-major `p × p`) straight from the Frame's columns, with
 * the SIMD cross-product kernels of the linear models (one pass, chunk-wise centering).
 */
function centeredGram(X: Frame): Float64Array {
  const cols = X.columns
  const last = cols[cols.length - 1]!
  const y = Float64Array.from(last.values as ArrayLike<number>)
  return crossProducts(cols.slice(0, -1), y, { center: true }).gram
}

/** Columns `cols[j]` that give the centered data as `cols[j][i] − shift[j]`. */
interface CenteredColumns {
  readonly cols: readonly ArrayLike<number>[]
  readonly shift: Float64Array
}

function matrix(a: Float64Array | undefined): Float64Array {
  if (a === undefined) throw new Error('PCA: this path needs the centered matrix')
  return a
}

/** The columns of an already centered column-major `n × p` matrix. */
function centeredColumns(a: Float64Array, n: number, p: number): CenteredColumns {
  const cols = Array.from({ length: p }, (_, j) => a.subarray(j * n, (j + 1) * n))
  return { cols, shift: new Float64Array(p) }
}

/**
 * The exact solver. `a` (the centered column-major matrix) is needed for wide data or when no
 * `gram` is given; `src` gives the centered data for the sign and singular-value pass.
 */
function fitFull(
  a: Float64Array | undefined,
  src: CenteredColumns,
  n: number,
  p: number,
  nc: number | undefined,
  mean: Float64Array,
  gram: Float64Array | undefined,
): PCAState {
  const r = Math.min(n, p)
  const values = new Float64Array(r)
  const vt = new Float64Array(r * p)
  if (p <= n) {
    const eig = symmetricEigen(gram ?? gramColumns(matrix(a), n, p), p)
    for (let t = 0; t < r; t++) {
      values[t] = Math.max(eig.values[t]!, 0)
      for (let j = 0; j < p; j++) vt[t * p + j] = eig.vectors[j * p + t]!
    }
  } else {
    // Wide data: eigenvectors u of XXᵀ, then v = Xᵀu / σ.
    const xxt = gramRows(matrix(a), n, p)
    const eig = symmetricEigen(xxt, n)
    for (let t = 0; t < r; t++) {
      const lambda = Math.max(eig.values[t]!, 0)
      values[t] = lambda
      const sv = Math.sqrt(lambda)
      for (let j = 0; j < p; j++) {
        let acc = 0
        for (let i = 0; i < n; i++) acc += src.cols[j]![i]! * eig.vectors[i * n + t]!
        vt[t * p + j] = sv > 0 ? acc / sv : 0
      }
    }
  }
  const ev = values.map((v) => v / (n - 1))
  let total = 0
  for (const v of ev) total += v
  const ratio = ev.map((v) => (total > 0 ? v / total : 0))
  let k = nc ?? r
  if (!Number.isInteger(k)) {
    // searchsorted(cumsum(ratio), fraction, side='right') + 1
    let acc = 0
    let idx = 0
    while (idx < r && acc + ratio[idx]! <= k) acc += ratio[idx++]!
    k = Math.min(idx + 1, r)
  }
  let noise = 0
  if (k < r) {
    for (let t = k; t < r; t++) noise += ev[t]!
    noise /= r - k
  }
  const components = vt.slice(0, k * p)
  // σ_t = ‖X·v_t‖ instead of √λ_t: exact to ε·σ_max like an SVD, where √λ is only good to
  // √ε·σ_max for (near-)null directions.
  const sv = flipSigns(src, n, p, components, k)
  const evKept = sv.map((s) => (s * s) / (n - 1))
  return {
    mean,
    components,
    explainedVariance: evKept,
    explainedVarianceRatio: evKept.map((v) => (total > 0 ? v / total : 0)),
    singularValues: sv,
    noiseVariance: noise,
    nSamples: n,
    solver: 'full',
  }
}

/** `XXᵀ` of the column-major `n × p` matrix, row-major `n × n`. */
function gramRows(a: Float64Array, n: number, p: number): Float64Array {
  const out = new Float64Array(n * n)
  for (let j = 0; j < p; j++) {
    const oj = j * n
    for (let u = 0; u < n; u++) {
      const w = a[oj + u]!
      if (w === 0) continue
      for (let v = u; v < n; v++) out[u * n + v] = out[u * n + v]! + w * a[oj + v]!
    }
  }
  for (let u = 0; u < n; u++) for (let v = 0; v < u; v++) out[u * n + v] = out[v * n + u]!
  return out
}

/**
 * svd_flip (u-based): makes the largest-magnitude score of each component positive. Returns
 * `‖X·v_t‖` (the singular values) from the same pass, which goes over blocks of rows that stay
 * in cache while every component is scored.
 */
function flipSigns(
  src: CenteredColumns,
  n: number,
  p: number,
  vt: Float64Array,
  k: number,
): Float64Array {
  const block = 512
  // Up to four components per pass over a block: each read of the data feeds four products.
  const u = [0, 1, 2, 3].map(() => new Float64Array(block))
  const sv = new Float64Array(k)
  const best = new Float64Array(k).fill(-1)
  const sign = new Float64Array(k).fill(1)
  for (let r0 = 0; r0 < n; r0 += block) {
    const m = Math.min(block, n - r0)
    for (let t0 = 0; t0 < k; t0 += 4) {
      const g = Math.min(4, k - t0)
      const [u0, u1, u2, u3] = u as [Float64Array, Float64Array, Float64Array, Float64Array]
      u0.fill(0)
      u1.fill(0)
      u2.fill(0)
      u3.fill(0)
      for (let j = 0; j < p; j++) {
        const w0 = vt[t0 * p + j]!
        const w1 = g > 1 ? vt[(t0 + 1) * p + j]! : 0
        const w2 = g > 2 ? vt[(t0 + 2) * p + j]! : 0
        const w3 = g > 3 ? vt[(t0 + 3) * p + j]! : 0
        const col = src.cols[j]!
        const mu = src.shift[j]!
        for (let i = 0; i < m; i++) {
          const x = col[r0 + i]! - mu
          u0[i] = u0[i]! + x * w0
          u1[i] = u1[i]! + x * w1
          u2[i] = u2[i]! + x * w2
          u3[i] = u3[i]! + x * w3
        }
      }
      for (let d = 0; d < g; d++) {
        const t = t0 + d
        const ut = u[d]!
        let ss = 0
        for (let i = 0; i < m; i++) {
          const v = Math.abs(ut[i]!)
          ss += v * v
          if (v > best[t]!) {
            best[t] = v
            sign[t] = ut[i]! < 0 ? -1 : 1
          }
        }
        sv[t] = sv[t]! + ss
      }
    }
  }
  for (let t = 0; t < k; t++) {
    sv[t] = Math.sqrt(sv[t]!)
    if (sign[t]! < 0) for (let j = 0; j < p; j++) vt[t * p + j] = -vt[t * p + j]!
  }
  return sv
}

function fitRandomized(
  a: Float64Array,
  n: number,
  p: number,
  k: number,
  mean: Float64Array,
  params: Resolved,
  rng: ReturnType<typeof createRng>,
): PCAState {
  const svd = randomizedSvd(
    a,
    n,
    p,
    k,
    {
      nOversamples: params.nOversamples,
      nIter: params.iteratedPower,
      normalizer: params.powerIterationNormalizer,
    },
    rng,
  )
  const ev = svd.s.map((s) => (s * s) / (n - 1))
  // Total variance from the column variances (ddof = 1).
  let total = 0
  for (let j = 0; j < p; j++) {
    let ss = 0
    for (let i = 0; i < n; i++) ss += a[j * n + i]! * a[j * n + i]!
    total += ss / (n - 1)
  }
  let evSum = 0
  for (const v of ev) evSum += v
  const r = Math.min(n, p)
  return {
    mean,
    components: svd.vt,
    explainedVariance: ev,
    explainedVarianceRatio: ev.map((v) => (total > 0 ? v / total : 0)),
    singularValues: svd.s,
    noiseVariance: k < r ? (total - evSum) / (r - k) : 0,
    nSamples: n,
    solver: 'randomized',
  }
}

/** A fitted {@link PCA}. */
export class PCAModel implements Transformer {
  readonly kind = KIND
  readonly featureNames: readonly string[]
  readonly outputNames: readonly string[]
  readonly diagnostics: Diagnostics
  /** The per-feature mean subtracted before projecting. */
  readonly mean: Float64Array
  /** The principal axes, row-major `nComponents × nFeatures`. */
  readonly components: Float64Array
  /** The variance of each component (`σ²/(n − 1)`). */
  readonly explainedVariance: Float64Array
  /** Each component's share of the total variance. */
  readonly explainedVarianceRatio: Float64Array
  /** The singular values of the centered data for the kept components. */
  readonly singularValues: Float64Array
  /** The mean variance of the dropped components (probabilistic PCA noise; 0 if none dropped). */
  readonly noiseVariance: number
  /** The number of kept components. */
  readonly nComponents: number
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    private readonly s: PCAState,
  ) {
    this.featureNames = features.map((f) => f.name)
    this.nComponents = s.explainedVariance.length
    this.outputNames = Array.from({ length: this.nComponents }, (_, t) => `pca${t}`)
    this.mean = s.mean
    this.components = s.components
    this.explainedVariance = s.explainedVariance
    this.explainedVarianceRatio = s.explainedVarianceRatio
    this.singularValues = s.singularValues
    this.noiseVariance = s.noiseVariance
    this.diagnostics = Object.freeze({ ...closedForm(), solver: s.solver })
  }

  /** `1/√explainedVariance` per component when whitening (0 for a zero-variance component). */
  private scale(t: number): number {
    if (!this.p.whiten) return 1
    const v = this.s.explainedVariance[t]!
    return v > 0 ? 1 / Math.sqrt(v) : 0
  }

  /** The scores `(X − mean)·componentsᵀ` (whitened if asked): columns `pca0…`. */
  transform(X: Frame): Frame {
    const m = toMatrix(selectFeatures(X, this.features, this.kind), {
      layout: 'col',
      kind: this.kind,
    })
    const n = m.nRows
    const p = this.featureNames.length
    const cols: Column[] = []
    for (let t = 0; t < this.nComponents; t++) {
      const out = new Float64Array(n)
      for (let j = 0; j < p; j++) {
        const w = this.components[t * p + j]!
        const mu = this.mean[j]!
        const oj = j * n
        for (let i = 0; i < n; i++) out[i] = out[i]! + (m.data[oj + i]! - mu) * w
      }
      const sc = this.scale(t)
      if (sc !== 1) for (let i = 0; i < n; i++) out[i] = out[i]! * sc
      cols.push(createColumn({ name: this.outputNames[t]!, dtype: 'f64', values: out }))
    }
    return createFrame(cols)
  }

  /**
   * Maps scores back to feature space: `Z·components + mean` (undoing whitening), with the
   * fitted feature names. Reads the columns `pca0…` of `Z` by name.
   *
   * @throws ValidationError if a score column is missing or not numeric.
   */
  inverseTransform(Z: Frame): Frame {
    const specs = this.outputNames.map((name) => ({ name, dtype: 'f64' as const }))
    const m = toMatrix(selectFeatures(Z, specs, this.kind), { layout: 'col', kind: this.kind })
    const n = m.nRows
    const p = this.featureNames.length
    const cols: Column[] = this.featureNames.map((name, j) => {
      const out = new Float64Array(n).fill(this.mean[j]!)
      for (let t = 0; t < this.nComponents; t++) {
        const sc = this.scale(t)
        const w = this.components[t * p + j]! * (sc === 0 ? 0 : 1 / sc)
        const ot = t * n
        for (let i = 0; i < n; i++) out[i] = out[i]! + m.data[ot + i]! * w
      }
      return createColumn({ name, dtype: 'f64', values: out })
    })
    return createFrame(cols)
  }

  toJSON(): ModelState {
    const s = this.s
    return {
      kind: this.kind,
      version: 1,
      params: { ...this.p },
      state: {
        features: this.features,
        mean: encodeArray(s.mean),
        components: encodeArray(s.components),
        explainedVariance: encodeArray(s.explainedVariance),
        explainedVarianceRatio: encodeArray(s.explainedVarianceRatio),
        singularValues: encodeArray(s.singularValues),
        noiseVariance: s.noiseVariance,
        nSamples: s.nSamples,
        solver: s.solver,
      },
    }
  }
}

const StateSchema = z.object({
  noiseVariance: z.number(),
  nSamples: z.int().min(2),
  solver: z.enum(['full', 'randomized']),
})

/** Rebuilds a {@link PCAModel} from its JSON state. */
export function loadPCA(state: ModelState): PCAModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, PCAParamsSchema, state.params)
  const features = readFeatures(state.state.features)
  const rest = StateSchema.safeParse(state.state)
  if (!rest.success) throw badState('state', 'expected noiseVariance, nSamples and solver')
  const s = state.state
  const ev = decodeF64(s.explainedVariance, 'explainedVariance')
  const components = decodeF64(s.components, 'components')
  const mean = decodeF64(s.mean, 'mean')
  if (mean.length !== features.length || components.length !== ev.length * features.length)
    throw badState('components', 'expected nComponents × nFeatures values')
  return new PCAModel(p, features, {
    ...rest.data,
    mean,
    components,
    explainedVariance: ev,
    explainedVarianceRatio: decodeF64(s.explainedVarianceRatio, 'explainedVarianceRatio'),
    singularValues: decodeF64(s.singularValues, 'singularValues'),
  })
}

/** The PCA entry, for `DECOMPOSITION_ESTIMATORS`. */
export const PCA_ENTRY: EstimatorEntry = {
  kind: KIND,
  task: 'transform',
  summary: 'Principal component analysis (exact or randomized; scikit-learn PCA)',
  create: (p) => new PCA(p),
  load: loadPCA,
}
