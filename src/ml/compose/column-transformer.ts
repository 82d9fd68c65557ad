/**
 * `ColumnTransformer`: different transformers on different column subsets, outputs side by
 * side (sklearn's `ColumnTransformer`).
 */
import { z } from 'zod'

import { ValidationError, type ValidationIssue } from '../../core/index.js'
import { createFrame, type Column, type Frame } from '../../frame/index.js'
import {
  assertMinRows,
  badState,
  captureFeatures,
  checkState,
  dtypeFamily,
  fitStep,
  isEstimator,
  paramsOf,
  parseParams,
  readFeatures,
  selectFeatures,
  type Diagnostics,
  type Estimator,
  type EstimatorSpec,
  type FeatureSpec,
  type FitOptions,
  type ModelState,
  type Transformer,
} from '../base/index.js'
import { isSampler } from '../imbalance/index.js'

import {
  childOptions,
  childSchema,
  childSpecOf,
  childStateOf,
  combineDiagnostics,
  fitChildTransformer,
  fitTransformChild,
  instantiate,
  isTransformerModel,
  loadChild,
  nameIssues,
  patchChild,
  routeNested,
  type ChildEstimator,
  type Resolve,
} from './children.js'

/** The registry kind of {@link ColumnTransformer}. */
export const COLUMN_TRANSFORMER_KIND = 'compose.column-transformer'

const RESERVED = ['transformers', 'remainder', 'verboseFeatureNames']

const DTYPE_NAMES = ['f64', 'f32', 'i32', 'bool', 'cat', 'str', 'ts'] as const
const FAMILY_NAMES = ['numeric', 'categorical', 'text', 'time'] as const

/**
 * Columns chosen by what they are rather than by name (sklearn `make_column_selector`): every
 * column of `X` whose dtype or dtype family is listed and whose name matches `pattern` (a
 * regular expression searched in the name), in `X`'s order.
 */
export interface ColumnSelector {
  /** Dtypes (`'f64'`) or dtype families (`'numeric'`, `'categorical'`, `'text'`, `'time'`). */
  readonly dtype?: readonly ((typeof DTYPE_NAMES)[number] | (typeof FAMILY_NAMES)[number])[]
  readonly pattern?: string
}

/** One transformer of a {@link ColumnTransformer}. */
export interface ColumnTransformerEntry {
  /** Unique, without `__`; output columns are named `<name>__<column>`. */
  readonly name: string
  /** The estimator, its `{ kind, params }` spec, `'passthrough'` or `'drop'`. */
  readonly estimator: ChildEstimator | 'drop'
  /** Column names (in this order) or a {@link ColumnSelector}. */
  readonly columns: readonly string[] | ColumnSelector
}

/** Parameters of {@link ColumnTransformer}; nested `'<name>__<param>'` names are routed too. */
export interface ColumnTransformerParams {
  readonly transformers: readonly ColumnTransformerEntry[]
  /** What happens to columns no transformer names. @default 'drop' */
  readonly remainder?: 'drop' | 'passthrough'
  /**
   * Prefix output names with the transformer name (`scale__age`, `remainder__id`); without it,
   * names are kept and must not collide. @default true
   */
  readonly verboseFeatureNames?: boolean
  readonly [nested: string]: unknown
}

const SelectorSchema = z
  .strictObject({
    dtype: z
      .array(z.enum([...DTYPE_NAMES, ...FAMILY_NAMES]))
      .min(1)
      .optional(),
    pattern: z
      .string()
      .refine((s) => {
        try {
          new RegExp(s)
          return true
        } catch {
          return false
        }
      }, 'not a valid regular expression')
      .optional(),
  })
  .refine((s) => s.dtype !== undefined || s.pattern !== undefined, 'give dtype or pattern')

/** Parameters of {@link ColumnTransformer}, as validated at fit. */
export const ColumnTransformerParamsSchema = z.strictObject({
  transformers: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        estimator: childSchema(['drop']),
        columns: z.union([
          z
            .array(z.string())
            .refine((a) => new Set(a).size === a.length, 'a column is listed twice'),
          SelectorSchema,
        ]),
      }),
    )
    .superRefine((ts, ctx) => {
      for (const i of nameIssues(
        ts.map((t) => t.name),
        [],
        [...RESERVED, 'remainder'],
      ))
        ctx.addIssue({ code: 'custom', path: [...i.path], message: i.message })
    }),
  remainder: z.enum(['drop', 'passthrough']).default('drop'),
  verboseFeatureNames: z.boolean().default(true),
})
type Resolved = z.output<typeof ColumnTransformerParamsSchema>

function applyNested(params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { transformers, ...rest } = params
  if (!Array.isArray(transformers)) return { ...params }
  const names = transformers.map((t: unknown) =>
    typeof t === 'object' && t !== null && typeof (t as { name?: unknown }).name === 'string'
      ? (t as { name: string }).name
      : '',
  )
  const { own, patches, replace } = routeNested(rest, names, RESERVED)
  if (patches.size === 0 && replace.size === 0) return { ...params }
  return {
    ...own,
    transformers: transformers.map((t: unknown, i) => {
      const name = names[i] ?? ''
      if (!replace.has(name) && !patches.has(name)) return t
      const entry = t as { estimator?: unknown }
      let estimator = replace.has(name) ? replace.get(name) : entry.estimator
      const patch = patches.get(name)
      if (patch !== undefined) estimator = patchChild(estimator, patch)
      return { ...entry, estimator }
    }),
  }
}

/** The names of the columns of `X` that `columns` picks. */
function selectNames(
  X: Frame,
  columns: Resolved['transformers'][number]['columns'],
  path: readonly (string | number)[],
): string[] {
  if (Array.isArray(columns)) {
    const issues: ValidationIssue[] = []
    columns.forEach((c, k) => {
      if (!X.has(c))
        issues.push({
          path: [...path, k],
          code: 'missing_column',
          message: `X has no column "${c}"`,
        })
    })
    if (issues.length > 0)
      throw new ValidationError(`${COLUMN_TRANSFORMER_KIND}: a named column is not in X`, issues)
    return [...columns]
  }
  const sel = columns
  const re = sel.pattern === undefined ? undefined : new RegExp(sel.pattern)
  const wanted = sel.dtype === undefined ? undefined : new Set<string>(sel.dtype)
  return X.columns
    .filter(
      (c) =>
        (wanted === undefined || wanted.has(c.dtype) || wanted.has(dtypeFamily(c.dtype))) &&
        (re === undefined || re.test(c.name)),
    )
    .map((c) => c.name)
}

/** A fitted part of the output: a transformer on `columns`, or those columns passed through. */
interface FittedPart {
  readonly name: string
  readonly model: Transformer | 'passthrough' | 'drop'
  /** The input columns this part takes, resolved at fit. */
  readonly columns: readonly string[]
  /** The child as configured, when it was left unfitted because no column was selected. */
  readonly unfitted?: EstimatorSpec
}

/**
 * Applies transformers to column subsets of `X` and puts their outputs side by side, in the
 * order of `transformers`, then the `remainder` (columns no transformer names, including a
 * `'drop'` one) when it is `'passthrough'`. Output columns are named `<name>__<column>`
 * (`remainder__<column>` for the remainder), like sklearn's `verbose_feature_names_out`; with
 * `verboseFeatureNames: false` the names are kept and a collision is a `ValidationError`.
 *
 * Each transformer is fitted on its columns with `y` (through `fitTransform` when it has one);
 * a selector that picks no column leaves its transformer unfitted and contributes nothing.
 * The model checks at transform that `X` has every column fit saw (by name and dtype family).
 *
 * @example
 * ```ts
 * const ct = new ColumnTransformer({
 *   transformers: [
 *     { name: 'num', estimator: new StandardScaler(), columns: { dtype: ['numeric'] } },
 *     { name: 'cat', estimator: new OneHotEncoder(), columns: ['city'] },
 *   ],
 *   remainder: 'passthrough',
 * })
 * ct.fit(X).outputNames // ['num__age', 'num__income', 'cat__city_Oslo', …, 'remainder__id']
 * ```
 */
export class ColumnTransformer implements Estimator<
  ColumnTransformerParams,
  ColumnTransformerModel
> {
  readonly kind = COLUMN_TRANSFORMER_KIND
  /** @param resolve the registry lookup, needed only for `{ kind, params }` children. */
  constructor(
    readonly params: Readonly<ColumnTransformerParams>,
    private readonly resolve?: Resolve,
  ) {}

  withParams(patch: Partial<ColumnTransformerParams>): ColumnTransformer {
    return new ColumnTransformer(
      applyNested({ ...this.params, ...patch }) as unknown as ColumnTransformerParams,
      this.resolve,
    )
  }

  fit(X: Frame, y?: Column, opts?: FitOptions): ColumnTransformerModel {
    return this.run(X, y, opts, false).model
  }

  /** Fits and returns the training output (each child's `fitTransform` output when it has one). */
  fitTransform(
    X: Frame,
    y?: Column,
    opts?: FitOptions,
  ): { model: ColumnTransformerModel; output: Frame } {
    const { model, output } = this.run(X, y, opts, true)
    return { model, output: output ?? model.transform(X) }
  }

  // `fit` skips the children's training outputs (only their models are needed).
  private run(
    X: Frame,
    y: Column | undefined,
    opts: FitOptions | undefined,
    wantOutput: boolean,
  ): { model: ColumnTransformerModel; output: Frame | undefined } {
    const p = parseParams(
      COLUMN_TRANSFORMER_KIND,
      ColumnTransformerParamsSchema,
      applyNested(this.params),
    )
    const n = p.transformers.length
    fitStep(opts, { stage: 'fit', step: 0, total: n })
    assertMinRows(X, 1, COLUMN_TRANSFORMER_KIND)
    if (y !== undefined && y.length !== X.nRows) {
      throw new ValidationError(`y has ${y.length} rows but X has ${X.nRows}`, [
        {
          path: ['y'],
          code: 'length_mismatch',
          message: `expected ${X.nRows} values, got ${y.length}`,
        },
      ])
    }
    const used = new Set<string>()
    const parts: FittedPart[] = []
    const outputs: Frame[] = []
    p.transformers.forEach((t, i) => {
      const columns = selectNames(X, t.columns, ['params', 'transformers', i, 'columns'])
      for (const c of columns) used.add(c)
      fitStep(opts, { stage: `transformer ${t.name}`, step: i, total: n })
      const path = ['params', 'transformers', i, 'estimator']
      const e = instantiate(t.estimator, this.resolve, path)
      if (typeof e === 'string') {
        const model = e === 'passthrough' ? 'passthrough' : 'drop'
        parts.push({ name: t.name, model, columns })
        if (model === 'passthrough') outputs.push(X.select(columns))
        return
      }
      if (columns.length === 0) {
        // sklearn skips a transformer whose selection is empty (a dtype selector on data without it).
        parts.push({
          name: t.name,
          model: 'drop',
          columns,
          unfitted: { kind: e.kind, params: paramsOf(e) },
        })
        return
      }
      const co = childOptions(opts, t.name)
      if (!wantOutput) {
        parts.push({
          name: t.name,
          model: fitChildTransformer(e, X.select(columns), y, co, path),
          columns,
        })
        return
      }
      const r = fitTransformChild(e, X.select(columns), y, co, path)
      if (r.output.nRows !== X.nRows)
        throw new Error(`${r.model.kind} returned ${r.output.nRows} rows for ${X.nRows}`)
      parts.push({ name: t.name, model: r.model, columns })
      outputs.push(r.output)
    })
    const remainder =
      p.remainder === 'passthrough' ? X.names.filter((c) => !used.has(c)) : ([] as string[])
    if (remainder.length > 0) outputs.push(X.select(remainder))
    fitStep(opts, { stage: 'fit', step: n, total: n })
    const names = outputNamesOf(parts, remainder, p.verboseFeatureNames)
    const model = new ColumnTransformerModel(p, captureFeatures(X), parts, remainder, names)
    return { model, output: wantOutput ? joinOutputs(outputs, names, X.nRows) : undefined }
  }
}

function outputNamesOf(
  parts: readonly FittedPart[],
  remainder: readonly string[],
  verbose: boolean,
): string[] {
  const names: string[] = []
  const raw: string[] = []
  const from: string[] = []
  for (const part of parts) {
    if (part.model === 'drop') continue
    const out = part.model === 'passthrough' ? part.columns : part.model.outputNames
    for (const c of out) {
      raw.push(c)
      from.push(part.name)
      names.push(verbose ? `${part.name}__${c}` : c)
    }
  }
  for (const c of remainder) {
    raw.push(c)
    from.push('remainder')
    names.push(verbose ? `remainder__${c}` : c)
  }
  const seen = new Map<string, number>()
  const issues: ValidationIssue[] = []
  names.forEach((name, k) => {
    const prior = seen.get(name)
    if (prior !== undefined) {
      issues.push({
        path: ['params', 'verboseFeatureNames'],
        code: 'duplicate',
        message: `output column "${name}" comes from both ${from[prior] ?? ''} and ${from[k] ?? ''}; set verboseFeatureNames: true`,
      })
    } else seen.set(name, k)
  })
  if (issues.length > 0)
    throw new ValidationError(`${COLUMN_TRANSFORMER_KIND}: output column names collide`, issues)
  return names
}

function joinOutputs(outputs: readonly Frame[], names: readonly string[], nRows: number): Frame {
  const cols: Column[] = []
  let k = 0
  for (const out of outputs) {
    const renamed = out.rename(
      new Map(out.names.map((c, j) => [c, names[k + j] ?? c] as [string, string])),
    )
    cols.push(...renamed.columns)
    k += out.nColumns
  }
  return createFrame(cols, { nRows })
}

/** A fitted {@link ColumnTransformer}. */
export class ColumnTransformerModel implements Transformer {
  readonly kind = COLUMN_TRANSFORMER_KIND
  readonly featureNames: readonly string[]
  readonly diagnostics: Diagnostics
  readonly outputNames: readonly string[]
  constructor(
    private readonly p: Resolved,
    private readonly features: readonly FeatureSpec[],
    /** The fitted parts, in `transformers` order. */
    readonly parts: readonly FittedPart[],
    /** The remainder columns passed through (empty when `remainder` is `'drop'`). */
    readonly remainder: readonly string[],
    outputNames: readonly string[],
  ) {
    this.featureNames = features.map((f) => f.name)
    this.diagnostics = combineDiagnostics(parts.map((x) => ({ name: x.name, model: x.model })))
    this.outputNames = Object.freeze([...outputNames])
  }

  transform(X: Frame): Frame {
    const Xs = selectFeatures(X, this.features, this.kind)
    const outputs: Frame[] = []
    for (const part of this.parts) {
      if (part.model === 'drop') continue
      const sub = Xs.select(part.columns)
      outputs.push(part.model === 'passthrough' ? sub : part.model.transform(sub))
    }
    if (this.remainder.length > 0) outputs.push(Xs.select(this.remainder))
    return joinOutputs(outputs, this.outputNames, Xs.nRows)
  }

  toJSON(): ModelState {
    return {
      kind: this.kind,
      version: 1,
      params: {
        transformers: this.parts.map((part, i) => ({
          name: part.name,
          estimator: part.unfitted ?? childSpecOf(part.model),
          columns: this.p.transformers[i]?.columns ?? part.columns,
        })),
        remainder: this.p.remainder,
        verboseFeatureNames: this.p.verboseFeatureNames,
      },
      state: {
        features: this.features,
        columns: this.parts.map((part) => part.columns),
        transformers: this.parts.map((part) => childStateOf(part.model)),
        remainder: this.remainder,
        outputNames: this.outputNames,
      },
    }
  }
}

const NamesSchema = z.array(z.string())

/**
 * Rebuilds a {@link ColumnTransformerModel} from its JSON state, loading each child through
 * `resolve`.
 *
 * @throws ValidationError for another kind or version, or a malformed state of any child.
 */
export function loadColumnTransformer(state: ModelState, resolve: Resolve): ColumnTransformerModel {
  checkState(state, COLUMN_TRANSFORMER_KIND, [1])
  const p = parseParams(COLUMN_TRANSFORMER_KIND, ColumnTransformerParamsSchema, state.params)
  const s = state.state
  const features = readFeatures(s.features)
  const names = (v: unknown, path: string): string[] => {
    const r = NamesSchema.safeParse(v)
    if (!r.success) throw badState(path, 'expected a list of column names')
    return r.data
  }
  const n = p.transformers.length
  const savedColumns = s.columns
  const savedModels = s.transformers
  if (!Array.isArray(savedColumns) || savedColumns.length !== n)
    throw badState('columns', `expected ${n} column lists`)
  if (!Array.isArray(savedModels) || savedModels.length !== n)
    throw badState('transformers', `expected ${n} saved transformers`)
  const known = new Set(features.map((f) => f.name))
  const parts = p.transformers.map((t, i): FittedPart => {
    const columns = names(savedColumns[i], `columns.${i}`)
    if (columns.some((c) => !known.has(c)))
      throw badState(`columns.${i}`, 'names a column the model was not fitted on')
    const saved: unknown = savedModels[i]
    const e = t.estimator
    if (typeof e === 'string') {
      if (saved !== null) throw badState(`transformers.${i}`, 'expected null')
      return { name: t.name, model: e === 'passthrough' ? 'passthrough' : 'drop', columns }
    }
    if (saved === null) {
      if (columns.length > 0) throw badState(`transformers.${i}`, 'expected a fitted transformer')
      const unfitted = {
        kind: e.kind,
        params: isEstimator(e) || isSampler(e) ? paramsOf(e) : e.params,
      }
      return { name: t.name, model: 'drop', columns, unfitted }
    }
    const model = loadChild(e, saved, resolve, ['transformers', i])
    if (!isTransformerModel(model))
      throw badState(`transformers.${i}`, `"${model.kind}" cannot transform`)
    return { name: t.name, model, columns }
  })
  const remainder = names(s.remainder, 'remainder')
  const outputNames = outputNamesOf(parts, remainder, p.verboseFeatureNames)
  const savedNames = names(s.outputNames, 'outputNames')
  if (savedNames.join('\u0000') !== outputNames.join('\u0000'))
    throw badState('outputNames', 'do not match the transformers')
  return new ColumnTransformerModel(p, features, parts, remainder, outputNames)
}
