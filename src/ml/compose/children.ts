/**
 * What the composite estimators share about their children: how a child is given (an
 * estimator, its `{ kind, params }` spec, or `'passthrough'`), how it is built, fitted, saved and
 * loaded, and how sklearn-style nested parameter names (`<child>__<param>`) reach it.
 */
import { z } from 'zod'

import { NotFoundError, ValidationError, type ValidationIssue } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import {
  isEstimator,
  isTransformerEstimator,
  paramsOf,
  type Diagnostics,
  type Estimator,
  type EstimatorEntry,
  type EstimatorSpec,
  type FitOptions,
  type Model,
  type ModelState,
  type Transformer,
} from '../base/index.js'
import { findSamplerEntry, isSampler, type Sampler } from '../imbalance/index.js'

/** Looks up a registry entry by kind (`getEstimatorEntry`), passed in to avoid importing the registry. */
export type Resolve = (kind: string) => EstimatorEntry

/**
 * A child of a composite: an estimator instance, its {@link EstimatorSpec} (built through the
 * registry at fit), or `'passthrough'` (the identity). Pipeline steps may also be samplers
 * (ml/imbalance), instances or specs, applied to the training data at fit only.
 */
export type ChildEstimator = Estimator | Sampler | EstimatorSpec | 'passthrough'

/** True when `m` can `transform`. */
export function isTransformerModel(m: Model): m is Transformer {
  return typeof (m as Partial<Transformer>).transform === 'function'
}

/** True when `m` can `predict`. */
export function canPredict(m: Model): m is Model & { predict(X: Frame): Column } {
  return typeof (m as Partial<{ predict: unknown }>).predict === 'function'
}

const SpecSchema = z.strictObject({
  kind: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
})

/** A resolved child as the schema outputs it (a keyword is a string). */
export type ParsedChild = Estimator | Sampler | z.output<typeof SpecSchema> | string

/**
 * The schema of a child: an estimator instance is kept as is (checked first, since an instance
 * also has `kind` and `params`), a spec gets `params` defaulted to `{}`.
 */
export function childSchema(extra: readonly string[] = []) {
  const keywords = ['passthrough', ...extra] as [string, ...string[]]
  return z.union(
    [z.custom<Estimator>(isEstimator), z.custom<Sampler>(isSampler), z.enum(keywords), SpecSchema],
    {
      error: `expected an estimator, a {kind, params} spec or one of ${keywords.map((k) => `"${k}"`).join(', ')}`,
    },
  )
}

/** The JSON form of a fitted child, for `params`: `{ kind, params }` after defaults, or the keyword. */
export function childSpecOf(model: Model | string): EstimatorSpec | string {
  if (typeof model === 'string') return model
  const s = model.toJSON()
  return { kind: s.kind, params: s.params }
}

/** The spec of a sampler step (its params as given: samplers have no fitted state to save). */
export function samplerSpecOf(e: Sampler | z.output<typeof SpecSchema> | Estimator): {
  kind: string
  params: Readonly<Record<string, unknown>>
} {
  return { kind: e.kind, params: isSampler(e) || isEstimator(e) ? paramsOf(e) : e.params }
}

/** The learned part of a fitted child's state, for `state`; `null` for a keyword. */
export function childStateOf(
  model: Model | string,
): { version: number; state: Readonly<Record<string, unknown>> } | null {
  if (typeof model === 'string') return null
  const s = model.toJSON()
  return { version: s.version, state: s.state }
}

function issue(path: readonly (string | number)[], code: string, message: string): ValidationIssue {
  return { path, code, message }
}

/**
 * Turns a parsed child into an estimator (building a spec through `resolve`), or returns the
 * keyword. Samplers are rejected (only pipeline steps may be samplers: see {@link instantiateStep}).
 *
 * @throws ValidationError at `path` for an unknown kind, a sampler, or a spec without a registry.
 */
export function instantiate(
  child: ParsedChild,
  resolve: Resolve | undefined,
  path: readonly (string | number)[],
): Estimator | string {
  const e = instantiateStep(child, resolve, path)
  if (isSampler(e)) {
    throw new ValidationError(`a sampler (${e.kind}) can only be a pipeline step`, [
      issue(path, 'sampler_not_allowed', 'samplers change the rows: use them as pipeline steps'),
    ])
  }
  return e
}

/** {@link instantiate} for a pipeline step, which may also be a sampler (instance or spec). */
export function instantiateStep(
  child: ParsedChild,
  resolve: Resolve | undefined,
  path: readonly (string | number)[],
): Estimator | Sampler | string {
  if (typeof child === 'string' || isEstimator(child) || isSampler(child)) return child
  const sampler = findSamplerEntry(child.kind)
  if (sampler !== undefined) return sampler.create(child.params)
  if (resolve === undefined) {
    throw new ValidationError(`cannot build "${child.kind}" from a spec without the registry`, [
      issue(
        path,
        'no_registry',
        'a {kind, params} child needs the registry: create the composite with createEstimator() or pass estimator instances',
      ),
    ])
  }
  return entryOf(child.kind, resolve, [...path, 'kind']).create(child.params)
}

function entryOf(kind: string, resolve: Resolve, path: readonly (string | number)[]) {
  try {
    return resolve(kind)
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new ValidationError(
        `unknown estimator kind "${kind}"`,
        [issue(path, 'unknown_kind', `unknown estimator kind "${kind}"`)],
        {},
        { cause: err },
      )
    }
    throw err
  }
}

/**
 * The options a child's fit gets: the same signal, a forked generator when the caller passed
 * one (so each child draws its own stream, in child order), and progress prefixed with the
 * child's name.
 */
export function childOptions(opts: FitOptions | undefined, name: string): FitOptions {
  if (opts === undefined) return {}
  const onProgress = opts.onProgress
  return {
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    ...(opts.rng === undefined ? {} : { rng: opts.rng.fork() }),
    ...(onProgress === undefined
      ? {}
      : {
          onProgress: (p) => {
            onProgress({ ...p, stage: `${name}/${p.stage}` })
          },
        }),
  }
}

/**
 * Runs `fn` (a child's fit), moving the child's parameter issues (`params.C`) under the
 * composite's path to that child (`params.steps.1.estimator.params.C`), so an error names the
 * field a caller wrote.
 */
export function underChild<T>(path: readonly (string | number)[], fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (!(err instanceof ValidationError) || !err.issues.some((i) => i.path[0] === 'params'))
      throw err
    const issues = err.issues.map((i) =>
      i.path[0] === 'params' ? { ...i, path: [...path, ...i.path] } : i,
    )
    throw new ValidationError(err.message, issues, {}, { cause: err })
  }
}

/** Fits a child transformer and returns its model and its output on `X` (fitTransform if it has one). */
export function fitTransformChild(
  e: Estimator,
  X: Frame,
  y: Column | undefined,
  opts: FitOptions,
  path: readonly (string | number)[],
): { model: Transformer; output: Frame } {
  if (isTransformerEstimator(e)) return underChild(path, () => e.fitTransform(X, y, opts))
  const model = underChild(path, () => e.fit(X, y, opts))
  if (!isTransformerModel(model)) throw notTransformer(path, e.kind)
  return { model, output: model.transform(X) }
}

/** Fits a child that must give a transformer, without computing its training output. */
export function fitChildTransformer(
  e: Estimator,
  X: Frame,
  y: Column | undefined,
  opts: FitOptions,
  path: readonly (string | number)[],
): Transformer {
  const model = underChild(path, () => e.fit(X, y, opts))
  if (!isTransformerModel(model)) throw notTransformer(path, e.kind)
  return model
}

/** The error for a child that had to be a transformer and is not. */
export function notTransformer(path: readonly (string | number)[], kind: string): ValidationError {
  return new ValidationError(`"${kind}" is not a transformer`, [
    issue(path, 'not_transformer', `"${kind}" has no transform; only the final step may predict`),
  ])
}

/**
 * Loads a child from the spec in `params` and the learned part in `state`.
 *
 * @throws ValidationError for an unknown kind or a malformed child state (paths under `state`).
 */
export function loadChild(
  spec: z.output<typeof SpecSchema> | Estimator | Sampler,
  saved: unknown,
  resolve: Resolve,
  path: readonly (string | number)[],
): Model {
  const s = saved as Partial<{ version: unknown; state: unknown }> | null
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.version !== 'number' ||
    typeof s.state !== 'object' ||
    s.state === null
  ) {
    throw new ValidationError(`invalid model state: ${path.join('.')}`, [
      issue(['state', ...path], 'invalid_state', 'expected {version, state}'),
    ])
  }
  const state: ModelState = {
    kind: spec.kind,
    version: s.version,
    params: isEstimator(spec) || isSampler(spec) ? paramsOf(spec) : spec.params,
    state: s.state as Record<string, unknown>,
  }
  const entry = entryOf(spec.kind, resolve, ['state', ...path, 'kind'])
  try {
    return entry.load(state)
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err
    const issues = err.issues.map((i) => ({ ...i, path: ['state', ...path, ...i.path] }))
    throw new ValidationError(err.message, issues, {}, { cause: err })
  }
}

/**
 * Splits sklearn-style nested parameter names: `'<child>__<rest>'` goes to that child as
 * `rest`, a bare child name replaces that child, anything else stays with the composite (where
 * its strict schema rejects unknown names). Children are patched through `patchChild`.
 *
 * @param reserved the composite's own parameter names, which are never child names.
 */
export function routeNested(
  patch: Readonly<Record<string, unknown>>,
  childNames: readonly string[],
  reserved: readonly string[],
): {
  own: Record<string, unknown>
  patches: Map<string, Record<string, unknown>>
  replace: Map<string, unknown>
} {
  const names = new Set(childNames)
  const own: Record<string, unknown> = {}
  const patches = new Map<string, Record<string, unknown>>()
  const replace = new Map<string, unknown>()
  for (const [key, value] of Object.entries(patch)) {
    const cut = key.indexOf('__')
    const head = cut < 0 ? key : key.slice(0, cut)
    if (reserved.includes(key) || !names.has(head)) {
      own[key] = value
    } else if (cut < 0) {
      replace.set(key, value)
      patches.delete(key)
    } else {
      const p = patches.get(head) ?? {}
      p[key.slice(cut + 2)] = value
      patches.set(head, p)
    }
  }
  return { own, patches, replace }
}

/** A child with some parameters replaced: `withParams` for an instance, merged params for a spec. */
export function patchChild(child: unknown, patch: Record<string, unknown>): unknown {
  if (isEstimator(child)) return child.withParams(patch)
  if (isSampler(child)) return child.withParams(patch)
  if (typeof child === 'object' && child !== null && 'kind' in child) {
    const spec = child as EstimatorSpec
    return { ...spec, params: { ...(spec.params ?? {}), ...patch } }
  }
  // A keyword or a malformed child: leave it for the schema to report.
  return child
}

/** Validation of child names: unique, non-empty, no `__`, not a parameter name of the composite. */
export function nameIssues(
  names: readonly string[],
  path: readonly (string | number)[],
  reserved: readonly string[],
): ValidationIssue[] {
  const out: ValidationIssue[] = []
  const seen = new Set<string>()
  names.forEach((name, i) => {
    const at = [...path, i, 'name']
    if (name.includes('__'))
      out.push(
        issue(
          at,
          'invalid_name',
          `"${name}" must not contain "__" (it separates nested parameter names)`,
        ),
      )
    else if (reserved.includes(name))
      out.push(issue(at, 'invalid_name', `"${name}" is a parameter name of the composite`))
    if (seen.has(name)) out.push(issue(at, 'duplicate', `"${name}" is used twice`))
    seen.add(name)
  })
  return out
}

/**
 * The diagnostics of a composite: converged when every child converged, `nIter` summed,
 * warnings prefixed with the child's name, and each child's own under `children`.
 */
export function combineDiagnostics(
  children: readonly { name: string; model: Model | string }[],
): Diagnostics {
  let converged = true
  let nIter = 0
  const warnings: string[] = []
  const each: Record<string, Diagnostics> = {}
  for (const { name, model } of children) {
    if (typeof model === 'string') continue
    const d = model.diagnostics
    converged &&= d.converged
    nIter += d.nIter
    for (const w of d.warnings) warnings.push(`${name}: ${w}`)
    each[name] = d
  }
  return Object.freeze({
    converged,
    nIter,
    warnings: Object.freeze(warnings),
    children: Object.freeze(each),
  })
}
