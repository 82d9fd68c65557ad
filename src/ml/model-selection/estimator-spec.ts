/**
 * Estimators as plain data (so a worker thread can rebuild them through the registry) and
 * sklearn-style parameter setting with nested `<child>__<param>` names.
 */
import { ValidationError, type ValidationIssue } from '../../core/index.js'
import { createFrame } from '../../frame/index.js'
import {
  hasSpec,
  isEstimator,
  paramsOf,
  type Estimator,
  type EstimatorSpec,
} from '../base/index.js'
import { findSamplerEntry } from '../imbalance/index.js'
import { createEstimator, findEstimatorEntry } from '../registry.js'

/** A serialized child: exactly `{ kind, params }`. */
interface SerializedSpec {
  readonly kind: string
  readonly params: Readonly<Record<string, unknown>>
}

/**
 * True for a `{ kind, params }` object (and nothing else) whose kind the registry or
 * ml/imbalance's samplers know.
 */
function isSpec(v: unknown): v is SerializedSpec {
  if (!isPlainObject(v)) return false
  const keys = Object.keys(v)
  if (keys.length !== 2 || typeof v['kind'] !== 'string' || !isPlainObject(v['params']))
    return false
  return findEstimatorEntry(v['kind']) !== undefined || findSamplerEntry(v['kind']) !== undefined
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false
  const proto = Object.getPrototypeOf(v) as unknown
  return proto === Object.prototype || proto === null
}

/**
 * Turns an estimator into an `EstimatorSpec`, recursively: every estimator or sampler instance
 * found in its parameters (directly, in arrays or in plain objects; anything {@link hasSpec}
 * recognises) becomes `{ kind, params }`.
 *
 * @throws ValidationError naming the parameter when a value cannot cross a thread boundary
 *   (a function, or a class instance other than typed arrays, `Date`, `Map` and `Set`).
 */
export function serializeEstimator(e: Estimator): EstimatorSpec {
  return { kind: e.kind, params: serializeRecord(paramsOf(e), ['params']) }
}

function serializeRecord(
  r: Readonly<Record<string, unknown>>,
  path: readonly (string | number)[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(r)) out[k] = serializeValue(v, [...path, k])
  return out
}

function serializeValue(v: unknown, path: readonly (string | number)[]): unknown {
  if (hasSpec(v)) return { kind: v.kind, params: serializeRecord(paramsOf(v), [...path, 'params']) }
  if (Array.isArray(v)) return v.map((x, i) => serializeValue(x, [...path, i]))
  if (isPlainObject(v)) return serializeRecord(v, path)
  if (typeof v === 'function' || typeof v === 'symbol') throw notCloneable(path, typeof v)
  if (
    typeof v === 'object' &&
    v !== null &&
    !ArrayBuffer.isView(v) &&
    !(v instanceof Date) &&
    !(v instanceof Map) &&
    !(v instanceof Set)
  ) {
    throw notCloneable(
      path,
      (v as { constructor?: { name?: string } }).constructor?.name ?? 'object',
    )
  }
  return v
}

function notCloneable(path: readonly (string | number)[], what: string): ValidationError {
  const at = path.join('.')
  return new ValidationError(`parameter ${at} holds a ${what}, which cannot be sent to a worker`, [
    {
      path,
      code: 'not_serializable',
      message: `a ${what} cannot cross threads; use nJobs: 1 or plain data`,
    },
  ])
}

/**
 * Rebuilds an estimator from an `EstimatorSpec` through the registry, recursively: every
 * `{ kind, params }` object (exactly those two keys, a registered kind) in its parameters
 * becomes an estimator again, or a sampler for a sampler kind of ml/imbalance.
 *
 * @throws NotFoundError for an unknown kind.
 */
export function deserializeEstimator(spec: EstimatorSpec): Estimator {
  return createEstimator(spec.kind, deserializeRecord(spec.params ?? {}))
}

function deserializeRecord(r: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(r)) out[k] = deserializeValue(v)
  return out
}

function deserializeValue(v: unknown): unknown {
  if (isSpec(v)) {
    const sampler = findSamplerEntry(v.kind)
    return sampler === undefined
      ? deserializeEstimator(v)
      : sampler.create(deserializeRecord(v.params))
  }
  if (Array.isArray(v)) return v.map(deserializeValue)
  if (isPlainObject(v)) return deserializeRecord(v)
  return v
}

// ---------------------------------------------------------------- parameters

/** The head of a nested name and the rest: `'clf__C'` → `['clf', 'C']`. */
function splitName(key: string): [string, string] | undefined {
  const cut = key.indexOf('__')
  return cut < 0 ? undefined : [key.slice(0, cut), key.slice(cut + 2)]
}

/**
 * `e` with parameters replaced (sklearn `clone` + `set_params`). A nested name
 * `<child>__<param>` whose head is a parameter holding an estimator is routed to that
 * estimator here; any other name goes to `e.withParams`, so composites that route nested names
 * themselves (a `Pipeline`'s steps) receive them as given.
 */
export function setParams(e: Estimator, params: Readonly<Record<string, unknown>>): Estimator {
  const own: Record<string, unknown> = {}
  const nested = new Map<string, Record<string, unknown>>()
  const current = paramsOf(e)
  for (const [key, value] of Object.entries(params)) {
    const parts = splitName(key)
    if (parts !== undefined && isEstimator(current[parts[0]]) && !(parts[0] in params)) {
      const p = nested.get(parts[0]) ?? {}
      p[parts[1]] = value
      nested.set(parts[0], p)
    } else own[key] = value
  }
  for (const [head, patch] of nested) own[head] = setParams(current[head] as Estimator, patch)
  return Object.keys(own).length === 0 ? e : e.withParams(own)
}

/**
 * The named children of an estimator, for nested parameter names: parameters that hold an
 * estimator (or a spec), and, in array parameters, `{ name, <estimator> }` objects and
 * `[name, estimator, …]` tuples (pipeline steps, column-transformer entries).
 */
function childrenOf(e: Estimator): Map<string, Estimator> {
  const out = new Map<string, Estimator>()
  const asEstimator = (v: unknown): Estimator | undefined =>
    isEstimator(v)
      ? v
      : isSpec(v) && findSamplerEntry(v.kind) === undefined
        ? deserializeEstimator(v)
        : undefined
  for (const [key, value] of Object.entries(paramsOf(e))) {
    const direct = asEstimator(value)
    if (direct !== undefined) {
      out.set(key, direct)
      continue
    }
    if (!Array.isArray(value)) continue
    for (const item of value as unknown[]) {
      if (Array.isArray(item) && typeof item[0] === 'string') {
        const child = asEstimator(item[1])
        if (child !== undefined) out.set(item[0], child)
      } else if (isPlainObject(item) && typeof item['name'] === 'string') {
        for (const v of Object.values(item)) {
          const child = asEstimator(v)
          if (child !== undefined) {
            out.set(item['name'], child)
            break
          }
        }
      }
    }
  }
  return out
}

const EMPTY = createFrame([], { nRows: 0 })

/**
 * The parameter errors `e.fit` reports before touching data. Estimators parse their parameters
 * first thing in `fit` (the house rule), so a fit on an empty frame with an already-fired
 * signal stops either at the parameter check or at the first cancellation check.
 */
function parameterError(e: Estimator): ValidationError | undefined {
  try {
    e.fit(EMPTY, undefined, { signal: AbortSignal.abort() })
  } catch (err) {
    if (err instanceof ValidationError && err.issues.some((i) => i.path[0] === 'params')) return err
  }
  return undefined
}

/**
 * Checks that `name` is a parameter of `e`, following nested names into children. Only the
 * name is judged: `value` is set so the estimator's own check runs, but a rejected value is not
 * reported (it may be valid together with other parameters; its trials record the error).
 *
 * @returns an `unknown_param` issue at `[field, name]`, or undefined when the name is known.
 */
export function checkParamName(
  e: Estimator,
  name: string,
  value: unknown,
  field: string,
  fullName: string = name,
): ValidationIssue | undefined {
  const parts = splitName(name)
  if (parts !== undefined) {
    const child = childrenOf(e).get(parts[0])
    if (child !== undefined) return checkParamName(child, parts[1], value, field, fullName)
  }
  const err = parameterError(setParams(e, { [name]: value }))
  if (err?.issues.some((i) => i.code === 'unrecognized_keys') !== true) return undefined
  return {
    path: [field, fullName],
    code: 'unknown_param',
    message: `unknown parameter "${fullName}" (${e.kind} has no parameter "${name}")`,
  }
}

/** A short display of a parameter value: an estimator or sampler by kind, anything else as JSON. */
export function describeValue(v: unknown): string {
  if (hasSpec(v) || isSpec(v)) return v.kind
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined)
    return String(v)
  try {
    // JSON.stringify gives undefined for undefined, functions and symbols.
    const json = JSON.stringify(v) as string | undefined
    return json ?? typeof v
  } catch {
    return typeof v
  }
}
