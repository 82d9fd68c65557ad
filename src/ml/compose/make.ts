/**
 * Shorthands that name the children for you (sklearn `make_pipeline`,
 * `make_column_transformer`, `make_column_selector`).
 */
import {
  ColumnTransformer,
  type ColumnSelector,
  type ColumnTransformerParams,
} from './column-transformer.js'
import type { ChildEstimator, Resolve } from './children.js'
import { Pipeline } from './pipeline.js'

/**
 * Names children like sklearn's `_name_estimators`: the last segment of the kind
 * (`preprocessing.standard-scaler` → `standard-scaler`) or the keyword, with `-1`, `-2`, …
 * appended to every name that occurs more than once.
 */
function nameChildren(children: readonly (ChildEstimator | 'drop')[]): string[] {
  const base = children.map((c) => {
    const kind = typeof c === 'string' ? c : c.kind
    return kind.slice(kind.lastIndexOf('.') + 1)
  })
  const total = new Map<string, number>()
  for (const b of base) total.set(b, (total.get(b) ?? 0) + 1)
  const seen = new Map<string, number>()
  return base.map((b) => {
    if (total.get(b) === 1) return b
    const k = (seen.get(b) ?? 0) + 1
    seen.set(b, k)
    return `${b}-${k}`
  })
}

/** Options of {@link makePipeline}. */
export interface MakePipelineOptions {
  /** The registry lookup, needed only for `{ kind, params }` children. */
  readonly resolve?: Resolve
}

/**
 * A {@link Pipeline} of `estimators` with names derived from their kinds.
 *
 * @example
 * ```ts
 * makePipeline([new StandardScaler(), new LogisticRegression()]).params.steps.map((s) => s.name)
 * // ['standard-scaler', 'logistic-regression']
 * ```
 */
export function makePipeline(
  estimators: readonly ChildEstimator[],
  options: MakePipelineOptions = {},
): Pipeline {
  const names = nameChildren(estimators)
  return new Pipeline(
    { steps: estimators.map((estimator, i) => ({ name: names[i] ?? '', estimator })) },
    options.resolve,
  )
}

/** Options of {@link makeColumnTransformer}. */
export interface MakeColumnTransformerOptions {
  /** @default 'drop' */
  readonly remainder?: 'drop' | 'passthrough'
  /** @default true */
  readonly verboseFeatureNames?: boolean
  /** The registry lookup, needed only for `{ kind, params }` children. */
  readonly resolve?: Resolve
}

/**
 * A {@link ColumnTransformer} from `[estimator, columns]` pairs, named from the kinds.
 * Combine with {@link makeColumnSelector} to route columns by dtype family.
 *
 * @example
 * ```ts
 * const ct = makeColumnTransformer([
 *   [new StandardScaler(), makeColumnSelector({ dtype: ['numeric'] })],
 *   [new OneHotEncoder(), makeColumnSelector({ dtype: ['categorical', 'text'] })],
 * ])
 * ```
 */
export function makeColumnTransformer(
  transformers: readonly (readonly [ChildEstimator | 'drop', readonly string[] | ColumnSelector])[],
  options: MakeColumnTransformerOptions = {},
): ColumnTransformer {
  const names = nameChildren(transformers.map((t) => t[0]))
  const params: ColumnTransformerParams = {
    transformers: transformers.map(([estimator, columns], i) => ({
      name: names[i] ?? '',
      estimator,
      columns,
    })),
    ...(options.remainder === undefined ? {} : { remainder: options.remainder }),
    ...(options.verboseFeatureNames === undefined
      ? {}
      : { verboseFeatureNames: options.verboseFeatureNames }),
  }
  return new ColumnTransformer(params, options.resolve)
}

/**
 * A column selector (sklearn `make_column_selector`): the columns whose dtype or dtype family
 * is in `dtype` and whose name matches the regular expression `pattern`. Checked at fit.
 *
 * @example
 * ```ts
 * makeColumnSelector({ dtype: ['numeric'] })            // f64, f32, i32 and bool columns
 * makeColumnSelector({ dtype: ['categorical', 'text'] }) // cat and str columns
 * makeColumnSelector({ pattern: '^price_' })
 * ```
 */
export function makeColumnSelector(selector: ColumnSelector): ColumnSelector {
  return Object.freeze({
    ...(selector.dtype === undefined ? {} : { dtype: Object.freeze([...selector.dtype]) }),
    ...(selector.pattern === undefined ? {} : { pattern: selector.pattern }),
  })
}
