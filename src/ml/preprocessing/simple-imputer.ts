/**
 * `preprocessing.simple-imputer`: fills missing values with a per-column statistic or a
 * constant, optionally adding missing-value indicators (sklearn's `SimpleImputer`).
 */
import { z } from 'zod'

import { ValidationError, type ValidationIssue } from '../../core/index.js'
import { createColumn, createFrame, type Column, type Frame } from '../../frame/index.js'
import {
  badState,
  captureFeatures,
  checkState,
  closedForm,
  dtypeFamily,
  encodeArray,
  fitStep,
  parseParams,
  readFeatures,
  selectFeatures,
  type EstimatorEntry,
  type FeatureSpec,
  type FitOptions,
  type FitTransformResult,
  type ModelState,
  type Transformer,
  type TransformerEstimator,
} from '../base/index.js'

import { fitCategories } from './categories.js'
import { readPerFeature, readWarnings } from './columnwise.js'
import {
  checkFitFrame,
  checkNumericInput,
  f64Column,
  fitThenTransform,
  isFloat,
  numericValues,
  paramError,
  presentValues,
} from './shared.js'
import { columnMoments, quantilesOf } from './stats.js'

/** Parameters of {@link SimpleImputer}. */
export const SimpleImputerParamsSchema = z.strictObject({
  /**
   * `mean` and `median` (numeric columns), `most_frequent` (any column; ties go to the smallest
   * value, like sklearn), or `constant` (`fillValue`). @default 'mean'
   */
  strategy: z.enum(['mean', 'median', 'most_frequent', 'constant']).default('mean'),
  /**
   * The value `constant` fills in: a number for numeric columns, any value for `cat`/`str`
   * ones (a number is written as text). `null`: 0 for numeric columns, `'missing_value'` for
   * the others. @default null
   */
  fillValue: z.union([z.number(), z.string()]).nullable().default(null),
  /** Append a `missingindicator_<column>` bool column for every column with missing values at fit. @default false */
  addIndicator: z.boolean().default(false),
  /**
   * Keep columns with no present value at fit, filled with 0 (`'missing_value'` for text), for
   * `mean`, `median` and `most_frequent`; by default they are dropped, like sklearn. @default false
   */
  keepEmptyFeatures: z.boolean().default(false),
})
export type SimpleImputerParams = z.input<typeof SimpleImputerParamsSchema>
type Resolved = z.output<typeof SimpleImputerParamsSchema>

const KIND = 'preprocessing.simple-imputer'
const TEXT_DEFAULT = 'missing_value'

/**
 * Replaces missing values column by column. A value is missing when its validity is 0, and in
 * `f64`/`f32` columns also when it is NaN (sklearn's `missing_values=np.nan`).
 *
 * Numeric columns (`f64`, `f32`, `i32`, `bool`) come out as `f64`; `cat` columns stay `cat`
 * (the fill value is added to the categories if needed) and `str` columns stay `str`. Outputs
 * have no missing values. Columns with no present value at fit are dropped (unless
 * `keepEmptyFeatures`) and noted in `diagnostics.warnings`. With `addIndicator`, bool columns
 * `missingindicator_<column>` follow, one for each column that had missing values at fit.
 * ±Infinity is rejected.
 *
 * ## References
 * - scikit-learn 1.2 `sklearn.impute.SimpleImputer` (dense, `missing_values=np.nan`).
 *
 * @example
 * ```ts
 * new SimpleImputer({ strategy: 'median', addIndicator: true }).fitTransform(X).output
 * ```
 */
export class SimpleImputer implements TransformerEstimator<
  SimpleImputerParams,
  SimpleImputerModel
> {
  readonly kind = KIND
  constructor(readonly params: Readonly<SimpleImputerParams> = {}) {}
  withParams(patch: Partial<SimpleImputerParams>): SimpleImputer {
    return new SimpleImputer({ ...this.params, ...patch })
  }
  fit(X: Frame, _y?: Column, opts?: FitOptions): SimpleImputerModel {
    const p = parseParams(KIND, SimpleImputerParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    checkFitFrame(X, KIND)
    checkInput(X, 'fit')
    const k = X.nColumns
    const numericFill = new Float64Array(k).fill(NaN)
    const textFill: (string | null)[] = new Array<string | null>(k).fill(null)
    const keep: boolean[] = []
    const hadMissing: boolean[] = []
    const warnings: string[] = []
    X.columns.forEach((col, j) => {
      const numeric = dtypeFamily(col.dtype) === 'numeric'
      const nMissing = missingCount(col)
      hadMissing.push(nMissing > 0)
      const empty = nMissing === col.length
      if (empty && p.strategy !== 'constant' && !p.keepEmptyFeatures) {
        keep.push(false)
        warnings.push(
          `column "${col.name}" has no value to compute the ${p.strategy}; it is dropped`,
        )
        return
      }
      keep.push(true)
      if (numeric) numericFill[j] = numericStatistic(col, p, empty)
      else textFill[j] = textStatistic(col, p, empty)
    })
    return new SimpleImputerModel(
      p,
      captureFeatures(X),
      numericFill,
      textFill,
      keep,
      hadMissing,
      warnings,
    )
  }
  fitTransform(X: Frame, y?: Column, opts?: FitOptions): FitTransformResult<SimpleImputerModel> {
    return fitThenTransform(() => this.fit(X, y, opts), X)
  }
}

function checkInput(X: Frame, stage: 'fit' | 'transform'): void {
  const issues: ValidationIssue[] = []
  for (const col of X.columns) {
    if (col.dtype === 'ts') {
      issues.push({
        path: ['X', col.name],
        code: 'bad_dtype',
        message: `column "${col.name}" is ts; ${KIND} takes numeric, cat and str columns`,
      })
    }
  }
  if (issues.length > 0) throw new ValidationError(`${KIND} cannot ${stage} on this input`, issues)
  const numeric = X.columns.filter((c) => dtypeFamily(c.dtype) === 'numeric').map((c) => c.name)
  checkNumericInput(X.select(numeric), KIND, { allowMissing: true, stage })
}

/** Missing rows of a column: validity 0, or NaN in a float column. */
function missingCount(col: Column): number {
  const validity = col.validity
  const float = isFloat(col)
  const v = float ? numericValues(col) : undefined
  let m = 0
  for (let i = 0; i < col.length; i++) {
    if ((validity !== undefined && validity[i] === 0) || (v !== undefined && v[i]! !== v[i]!)) m++
  }
  return m
}

function numericStatistic(col: Column, p: Resolved, empty: boolean): number {
  if (p.strategy === 'constant') {
    if (typeof p.fillValue === 'string')
      throw paramError(
        KIND,
        'fillValue',
        `must be a number to fill the numeric column "${col.name}"`,
      )
    return p.fillValue ?? 0
  }
  if (empty) return 0
  switch (p.strategy) {
    case 'mean':
      return columnMoments(col).mean
    case 'median':
      return quantilesOf(presentValues(col), [], true)[0]!
    case 'most_frequent':
      return numericMode(presentValues(col))
  }
}

/** The most frequent value, the smallest of tied ones (scipy's `mode`). */
function numericMode(values: Float64Array): number {
  values.sort()
  let best = values[0]!
  let bestCount = 0
  let run = 0
  for (let i = 0; i < values.length; i++) {
    run = i > 0 && values[i] === values[i - 1] ? run + 1 : 1
    if (run > bestCount) {
      bestCount = run
      best = values[i]!
    }
  }
  return best
}

function textStatistic(col: Column, p: Resolved, empty: boolean): string {
  switch (p.strategy) {
    case 'constant':
      return p.fillValue === null ? TEXT_DEFAULT : String(p.fillValue)
    case 'mean':
    case 'median':
      throw paramError(
        KIND,
        'strategy',
        `${p.strategy} needs numeric columns, "${col.name}" is ${col.dtype} (use most_frequent or constant)`,
      )
    case 'most_frequent': {
      if (empty) return TEXT_DEFAULT
      const { set, counts } = fitCategories(col)
      // Sorted categories: the first with the top count is the smallest tied one.
      let best = 0
      for (let k = 1; k < set.values.length; k++) if (counts[k]! > counts[best]!) best = k
      return String(set.values[best])
    }
  }
}

/** A fitted {@link SimpleImputer}. */
export class SimpleImputerModel implements Transformer {
  readonly kind = KIND
  readonly diagnostics
  readonly featureNames: readonly string[]
  readonly outputNames: readonly string[]
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    /** Per column, the numeric fill value (NaN for text or dropped columns). */
    readonly numericFill: Float64Array,
    /** Per column, the text fill value (`null` for numeric or dropped columns). */
    readonly textFill: readonly (string | null)[],
    private readonly keep: readonly boolean[],
    private readonly hadMissing: readonly boolean[],
    private readonly warnings: readonly string[],
  ) {
    this.featureNames = features.map((f) => f.name)
    this.diagnostics = closedForm(warnings)
    const names = this.featureNames.filter((_, j) => keep[j])
    if (p.addIndicator)
      for (const [j, name] of this.featureNames.entries())
        if (hadMissing[j]) names.push(`missingindicator_${name}`)
    this.outputNames = names
  }

  /** `X`'s fitted columns with missing values filled, then the indicators. */
  transform(X: Frame): Frame {
    const Xs = selectFeatures(X, this.features, KIND)
    checkInput(Xs, 'transform')
    const out: Column[] = []
    const indicators: Column[] = []
    Xs.columns.forEach((col, j) => {
      const present = presentMask(col)
      if (this.keep[j] === true) out.push(this.fillColumn(col, j, present))
      if (this.p.addIndicator && this.hadMissing[j] === true) {
        const flags = new Uint8Array(col.length)
        if (present !== undefined) for (let i = 0; i < flags.length; i++) flags[i] = 1 - present[i]!
        indicators.push(
          createColumn({ name: `missingindicator_${col.name}`, dtype: 'bool', values: flags }),
        )
      }
    })
    return createFrame([...out, ...indicators])
  }

  private fillColumn(col: Column, j: number, present: Uint8Array | undefined): Column {
    const n = col.length
    switch (col.dtype) {
      case 'f64':
      case 'f32':
      case 'i32':
      case 'bool': {
        const fill = this.numericFill[j]!
        const v = col.values
        const values = new Float64Array(n)
        if (present === undefined) for (let i = 0; i < n; i++) values[i] = v[i]!
        else for (let i = 0; i < n; i++) values[i] = present[i] === 1 ? v[i]! : fill
        return f64Column(col.name, values)
      }
      case 'cat': {
        const fill = this.textFill[j] ?? TEXT_DEFAULT
        let code = col.categories.indexOf(fill)
        const categories = code >= 0 ? col.categories : [...col.categories, fill]
        if (code < 0) code = col.categories.length
        const values = Int32Array.from(col.values)
        if (present !== undefined)
          for (let i = 0; i < n; i++) if (present[i] === 0) values[i] = code
        return createColumn({ name: col.name, dtype: 'cat', values, categories })
      }
      case 'str': {
        const fill = this.textFill[j] ?? TEXT_DEFAULT
        const values =
          present === undefined
            ? col.values
            : col.values.map((s, i) => (present[i] === 1 ? s : fill))
        return createColumn({ name: col.name, dtype: 'str', values })
      }
      case 'ts':
        throw new Error('unreachable: ts columns are rejected')
    }
  }

  toJSON(): ModelState {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.p },
      state: {
        features: this.features,
        numericFill: encodeArray(this.numericFill),
        textFill: this.textFill,
        keep: this.keep,
        hadMissing: this.hadMissing,
        warnings: this.warnings,
      },
    }
  }
}

/** 1 where a row is present (validity 1 and, for floats, not NaN); `undefined` if all are. */
function presentMask(col: Column): Uint8Array | undefined {
  const validity = col.validity
  if (!isFloat(col)) return validity
  const v = numericValues(col)
  let mask: Uint8Array | undefined
  for (let i = 0; i < v.length; i++) {
    if (v[i]! !== v[i]! || (validity !== undefined && validity[i] === 0)) {
      mask ??= validity === undefined ? new Uint8Array(v.length).fill(1) : Uint8Array.from(validity)
      mask[i] = 0
    }
  }
  return mask ?? validity
}

function readBooleans(v: unknown, path: string, n: number): boolean[] {
  if (!Array.isArray(v) || v.length !== n || !v.every((b) => typeof b === 'boolean'))
    throw badState(path, `expected ${n} booleans`)
  return v
}

/** Rebuilds a {@link SimpleImputerModel} from its JSON state. */
export function loadSimpleImputer(state: ModelState): SimpleImputerModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, SimpleImputerParamsSchema, state.params)
  const s = state.state
  const features = readFeatures(s.features)
  const k = features.length
  const textFill = s.textFill
  if (
    !Array.isArray(textFill) ||
    textFill.length !== k ||
    !textFill.every((t) => t === null || typeof t === 'string')
  )
    throw badState('textFill', `expected ${k} strings or nulls`)
  return new SimpleImputerModel(
    p,
    features,
    readPerFeature(s.numericFill, 'numericFill', k),
    textFill as (string | null)[],
    readBooleans(s.keep, 'keep', k),
    readBooleans(s.hadMissing, 'hadMissing', k),
    readWarnings(s.warnings),
  )
}

/** The registry entry of `preprocessing.simple-imputer`. */
export const SIMPLE_IMPUTER_ENTRY: EstimatorEntry = {
  kind: KIND,
  task: 'transform',
  summary: 'Fill missing values (mean, median, most frequent, constant) with optional indicators',
  create: (p) => new SimpleImputer(p),
  load: loadSimpleImputer,
}
