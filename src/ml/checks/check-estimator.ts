/**
 * `checkEstimator`: the contract every Plinth estimator passes (STYLE.md §3), in the spirit of
 * sklearn's `check_estimator`.
 *
 * Each check is a named function that throws on failure, so a test file can register one test
 * per check:
 *
 * @example
 * ```ts
 * for (const c of estimatorChecks({ task: 'regression', make: () => new Ridge({}), load: loadRidge }))
 *   it(c.name, c.run)
 * ```
 */
import { CancelledError, ValidationError, createRng } from '../../core/index.js'
import { createColumn, createFrame, type Column, type Frame } from '../../frame/index.js'
import type { Estimator, Model, ModelState, Task } from '../base/types.js'

/** What {@link estimatorChecks} needs to know about an estimator. */
export interface EstimatorCheckSpec {
  readonly task: Task
  /** A fresh estimator with test-friendly parameters (a fixed seed if it is stochastic). */
  make(): Estimator
  /** The kind's `load`. */
  load(state: ModelState): Model
  /** Training data; by default a small generated problem for the task (4 f64 features). */
  readonly data?: { readonly X: Frame; readonly y?: Column }
  /** What fit/predict do with a missing value or NaN: reject it (default) or handle it. */
  readonly missing?: 'error' | 'handle'
  /**
   * For estimators that take `cat` input: what `predict`/`transform` does with a category fit
   * never saw (`'handle'` = documented handling, e.g. an all-zero one-hot row). Omit for
   * numeric-only estimators.
   */
  readonly unseenCategory?: 'error' | 'handle'
  /** Whether a one-row frame can be fitted (`'error'` = must be a ValidationError). Default: either. */
  readonly oneRow?: 'fit' | 'error'
  /** Whether a constant feature is rejected (`'error'`) or fitted (default `'fit'`). */
  readonly constantColumn?: 'fit' | 'error'
}

/** One named check. `run` throws an Error describing the failure. */
export interface EstimatorCheck {
  readonly name: string
  readonly run: () => void
}

/** The default data of a task: 60 rows, 4 f64 features `x0…x3`, and a target if the task has one. */
export function checkData(task: Task, seed = 7): { X: Frame; y?: Column } {
  const rng = createRng(seed)
  const n = 60
  const cols: Float64Array[] = [0, 1, 2, 3].map(() => new Float64Array(n))
  const yNum = new Float64Array(n)
  const yCls: string[] = []
  for (let i = 0; i < n; i++) {
    const c = i % 3
    for (let j = 0; j < 4; j++) cols[j]![i] = rng.normal() + (j < 2 ? 2 * c : 0)
    yNum[i] = 1.5 * cols[0]![i]! - 2 * cols[1]![i]! + 0.5 * cols[2]![i]! + 0.1 * rng.normal()
    yCls.push(['a', 'b', 'c'][c]!)
  }
  const X = createFrame(
    cols.map((values, j) => createColumn({ name: `x${j}`, dtype: 'f64', values })),
  )
  if (task === 'regression')
    return { X, y: createColumn({ name: 'y', dtype: 'f64', values: yNum }) }
  if (task === 'classification') {
    return {
      X,
      y: createColumn({
        name: 'y',
        dtype: 'cat',
        values: Int32Array.from(yCls, (s) => 'abc'.indexOf(s)),
        categories: ['a', 'b', 'c'],
      }),
    }
  }
  return { X }
}

type Snapshot = unknown[]

/** Everything a model outputs for `X`, as plain values for exact comparison. */
export function modelOutputs(model: Model, X: Frame): Snapshot {
  const out: Snapshot = []
  const m = model as Partial<{
    predict(X: Frame): Column
    predictProba(X: Frame): Frame
    transform(X: Frame): Frame
  }>
  if (typeof m.predict === 'function') out.push(columnValues(m.predict(X)))
  if (typeof m.predictProba === 'function') out.push(m.predictProba(X).columns.map(columnValues))
  if (typeof m.transform === 'function') out.push(m.transform(X).columns.map(columnValues))
  if (out.length === 0)
    throw new Error(`${model.kind}: the model has no predict, predictProba or transform`)
  return out
}

function columnValues(c: Column): unknown {
  const vals = Array.from(c.values as ArrayLike<unknown>)
  return {
    name: c.name,
    dtype: c.dtype,
    values: vals,
    validity: c.validity === undefined ? null : Array.from(c.validity),
  }
}

function sameBits(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b)
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => sameBits(v, b[i]))
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a)
    const kb = Object.keys(b)
    return (
      ka.length === kb.length &&
      ka.every((k) =>
        sameBits((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
      )
    )
  }
  return a === b
}

function fingerprint(X: Frame, y: Column | undefined): string {
  const parts = [...X.columns, ...(y === undefined ? [] : [y])].map((c) =>
    JSON.stringify([
      c.name,
      c.dtype,
      Array.from(c.values as ArrayLike<unknown>, (v) =>
        typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
      ),
      c.validity === undefined ? null : Array.from(c.validity),
    ]),
  )
  return parts.join('|')
}

function expectValidationError(what: string, fn: () => unknown): ValidationError {
  try {
    fn()
  } catch (err) {
    if (err instanceof ValidationError) return err
    const got = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    throw new Error(`${what}: expected a ValidationError, got ${got}`)
  }
  throw new Error(`${what}: expected an error, none was thrown`)
}

function findNonFinite(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v)
  if (Array.isArray(v)) return v.some(findNonFinite)
  if (typeof v === 'object' && v !== null) return Object.values(v).some(findNonFinite)
  return false
}

function replaceColumn(X: Frame, name: string, col: Column): Frame {
  return createFrame(X.columns.map((c) => (c.name === name ? col : c)))
}

function firstNumeric(X: Frame): Column<'f64'> | undefined {
  for (const c of X.columns) if (c.dtype === 'f64') return c
  return undefined
}

function withValue(col: Column<'f64'>, i: number, v: number): Column<'f64'> {
  const values = Float64Array.from(col.values)
  values[i] = v
  return createColumn({ name: col.name, dtype: 'f64', values, validity: col.validity })
}

/**
 * The checks of the estimator contract for `spec`. Every check builds its own estimators with
 * `spec.make()`, so checks are independent and may run in any order.
 */
export function estimatorChecks(spec: EstimatorCheckSpec): EstimatorCheck[] {
  const data = spec.data ?? checkData(spec.task)
  const { X, y } = data
  const fit = (e: Estimator = spec.make(), Xf: Frame = X, yf: Column | undefined = y): Model =>
    e.fit(Xf, yf)
  const checks: EstimatorCheck[] = [
    {
      name: 'kind of estimator and model agree',
      run: () => {
        const e = spec.make()
        const m = fit(e)
        if (m.kind !== e.kind) throw new Error(`model kind ${m.kind} != estimator kind ${e.kind}`)
        if (m.toJSON().kind !== e.kind)
          throw new Error('toJSON().kind differs from the estimator kind')
        if (
          typeof m.diagnostics.converged !== 'boolean' ||
          typeof m.diagnostics.nIter !== 'number'
        ) {
          throw new Error('diagnostics must hold converged and nIter')
        }
      },
    },
    {
      name: 'unknown or invalid parameters are rejected at fit with a ValidationError',
      run: () => {
        const bad = spec.make().withParams({ notAParameter: 1 })
        const err = expectValidationError('fit with an unknown parameter', () => bad.fit(X, y))
        if (!err.issues.some((i) => i.path[0] === 'params'))
          throw new Error('the issue paths must start with "params"')
      },
    },
    {
      name: 'withParams returns a new estimator and leaves the original unchanged',
      run: () => {
        const e = spec.make()
        const before = JSON.stringify(e.params)
        const e2 = e.withParams({})
        if (e2 === e) throw new Error('withParams returned the same object')
        if (JSON.stringify(e.params) !== before || JSON.stringify(e2.params) !== before)
          throw new Error('params changed')
        fit(e)
        if (JSON.stringify(e.params) !== before) throw new Error('fit mutated the estimator params')
      },
    },
    {
      name: 'fit never mutates X or y',
      run: () => {
        const before = fingerprint(X, y)
        fit()
        if (fingerprint(X, y) !== before) throw new Error('fit changed its input')
      },
    },
    {
      name: 'fitting twice equals fitting once, and the same seed gives a bit-identical model',
      run: () => {
        const e = spec.make()
        const a = JSON.stringify(fit(e).toJSON())
        const b = JSON.stringify(fit(e).toJSON())
        const c = JSON.stringify(fit(spec.make()).toJSON())
        if (a !== b) throw new Error('fitting the same estimator twice gave different models')
        if (a !== c)
          throw new Error('two estimators with the same params and seed gave different models')
      },
    },
    {
      name: 'toJSON → JSON text → load gives identical outputs',
      run: () => {
        const m = fit()
        const text = JSON.stringify(m.toJSON())
        const loaded = spec.load(JSON.parse(text) as ModelState)
        if (JSON.stringify(loaded.toJSON()) !== text)
          throw new Error('load(toJSON()).toJSON() differs')
        if (!sameBits(modelOutputs(m, X), modelOutputs(loaded, X)))
          throw new Error('the loaded model predicts differently')
        if (loaded.featureNames.join('\u0000') !== m.featureNames.join('\u0000'))
          throw new Error('featureNames differ after load')
      },
    },
    {
      name: 'load rejects a state of another kind or version',
      run: () => {
        const s = fit().toJSON()
        expectValidationError('load with a wrong kind', () =>
          spec.load({ ...s, kind: 'not.a.kind' }),
        )
        expectValidationError('load with a future version', () =>
          spec.load({ ...s, version: 9999 }),
        )
      },
    },
    {
      name: 'outputs have one row per input row',
      run: () => {
        const m = fit()
        const part = X.slice(0, 7)
        for (const o of modelOutputs(m, part)) {
          const cols = Array.isArray(o) ? o : [o]
          for (const c of cols as { values: unknown[] }[]) {
            if (c.values.length !== 7)
              throw new Error(`an output has ${c.values.length} rows for 7 input rows`)
          }
        }
        const proba = (m as Partial<{ predictProba(X: Frame): Frame }>).predictProba?.(part)
        if (proba !== undefined) {
          for (let i = 0; i < 7; i++) {
            let s = 0
            for (const c of proba.columns) s += Number(c.values[i])
            if (Math.abs(s - 1) > 1e-9) throw new Error(`probabilities of row ${i} sum to ${s}`)
          }
        }
      },
    },
    {
      name: 'an empty frame is rejected with a ValidationError',
      run: () => {
        const empty = X.slice(0, 0)
        const yEmpty = y === undefined ? undefined : createFrame([y]).slice(0, 0).columns[0]
        expectValidationError('fit on 0 rows', () => fit(spec.make(), empty, yEmpty))
      },
    },
    {
      name: 'a one-row frame fits or is rejected with a ValidationError',
      run: () => {
        const one = X.slice(0, 1)
        const yOne = y === undefined ? undefined : createFrame([y]).slice(0, 1).columns[0]
        if (spec.oneRow === 'error') {
          expectValidationError('fit on 1 row', () => fit(spec.make(), one, yOne))
          return
        }
        try {
          const m = fit(spec.make(), one, yOne)
          if (spec.oneRow === 'fit') modelOutputs(m, one)
        } catch (err) {
          if (spec.oneRow === 'fit' || !(err instanceof ValidationError)) throw err
        }
      },
    },
    {
      name: 'y of the wrong length is rejected with a ValidationError',
      run: () => {
        if (y === undefined) return
        expectValidationError('fit with a short y', () =>
          fit(spec.make(), X, createFrame([y]).slice(0, X.nRows - 1).columns[0]),
        )
      },
    },
    {
      name: 'NaN, infinity and missing values get a ValidationError or are handled',
      run: () => {
        const col = firstNumeric(X)
        if (col === undefined) return
        const variants: [string, Frame][] = [
          ['NaN', replaceColumn(X, col.name, withValue(col, 3, NaN))],
          [
            'missing',
            replaceColumn(
              X,
              col.name,
              createColumn({
                name: col.name,
                dtype: 'f64',
                values: col.values,
                validity: Uint8Array.from({ length: X.nRows }, (_, i) => (i === 3 ? 0 : 1)),
              }),
            ),
          ],
        ]
        if (spec.missing !== 'handle')
          variants.push(['Infinity', replaceColumn(X, col.name, withValue(col, 4, Infinity))])
        for (const [what, bad] of variants) {
          if (spec.missing === 'handle') {
            modelOutputs(fit(spec.make(), bad), bad)
          } else {
            expectValidationError(`fit with ${what}`, () => fit(spec.make(), bad))
            const m = fit()
            expectValidationError(`predict with ${what}`, () => modelOutputs(m, bad))
          }
        }
      },
    },
    {
      name: 'a constant column is handled or rejected with a ValidationError',
      run: () => {
        const col = firstNumeric(X)
        if (col === undefined) return
        const Xc = replaceColumn(
          X,
          col.name,
          createColumn({ name: col.name, dtype: 'f64', values: new Float64Array(X.nRows).fill(3) }),
        )
        if (spec.constantColumn === 'error') {
          expectValidationError('fit with a constant column', () => fit(spec.make(), Xc))
          return
        }
        const bad = findNonFinite(modelOutputs(fit(spec.make(), Xc), Xc))
        if (bad) throw new Error('a constant column gave non-finite outputs')
      },
    },
    {
      name: 'predict checks feature names and dtype families',
      run: () => {
        const m = fit()
        const first = X.columns[0]
        if (first === undefined) return
        const missing = X.drop([first.name])
        const err = expectValidationError('predict without a fitted column', () =>
          modelOutputs(m, missing),
        )
        if (
          !err.message.includes(first.name) &&
          !err.issues.some((i) => i.message.includes(first.name))
        ) {
          throw new Error(`the error does not name the missing column "${first.name}"`)
        }
        const asText = createColumn({
          name: first.name,
          dtype: 'str',
          values: Array.from({ length: X.nRows }, () => 'x'),
        })
        const wrongType = first.dtype === 'str' ? undefined : replaceColumn(X, first.name, asText)
        if (wrongType !== undefined)
          expectValidationError('predict with a str column where fit saw numbers', () =>
            modelOutputs(m, wrongType),
          )
        // Column order and extra columns do not matter.
        const reordered = createFrame(
          [...X.columns]
            .reverse()
            .concat([
              createColumn({ name: '__extra__', dtype: 'f64', values: new Float64Array(X.nRows) }),
            ]),
        )
        if (!sameBits(modelOutputs(m, X), modelOutputs(m, reordered)))
          throw new Error('predict depends on column order or extra columns')
      },
    },
    {
      name: 'an aborted signal ends fit with a CancelledError',
      run: () => {
        const ac = new AbortController()
        ac.abort()
        try {
          spec.make().fit(X, y, { signal: ac.signal })
        } catch (err) {
          if (err instanceof CancelledError) return
          throw new Error(
            `expected CancelledError, got ${err instanceof Error ? err.name : String(err)}`,
          )
        }
        throw new Error('fit ignored an aborted signal')
      },
    },
  ]
  if (spec.unseenCategory !== undefined) {
    checks.push({
      name: 'an unseen category at predict is handled as documented',
      run: () => {
        const cat = X.columns.find((c) => c.dtype === 'cat')
        if (cat === undefined)
          throw new Error('unseenCategory is set but the data has no cat column')
        const m = fit()
        const unseen = createColumn({
          name: cat.name,
          dtype: 'cat',
          values: new Int32Array(X.nRows),
          categories: ['__never_seen__'],
        })
        const Xu = replaceColumn(X, cat.name, unseen)
        if (spec.unseenCategory === 'error')
          expectValidationError('predict with an unseen category', () => modelOutputs(m, Xu))
        else modelOutputs(m, Xu)
      },
    })
  }
  return checks
}

/**
 * Runs every check and throws one `AggregateError` listing the failures.
 *
 * @throws AggregateError if any check fails.
 */
export function checkEstimator(spec: EstimatorCheckSpec): void {
  const failures: Error[] = []
  for (const c of estimatorChecks(spec)) {
    try {
      c.run()
    } catch (err) {
      failures.push(new Error(`${c.name}: ${err instanceof Error ? err.message : String(err)}`))
    }
  }
  if (failures.length > 0)
    throw new AggregateError(failures, failures.map((f) => f.message).join('\n'))
}
