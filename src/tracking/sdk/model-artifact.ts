import type { Frame } from '../../frame/index.js'
import type { Model } from '../../ml/index.js'

/** One named, typed column of a model signature (MLflow colspec types). */
export interface SignatureColumn {
  readonly name: string
  /** `double`, `float`, `integer`, `long`, `boolean`, `string`, `datetime`. */
  readonly type: string
}

/** A model's input and output schema. */
export interface ModelSignature {
  readonly inputs: readonly SignatureColumn[]
  readonly outputs: readonly SignatureColumn[]
}

/**
 * `model/plinth-model.json`: what the registry reads to register a run's model. Stable format;
 * `formatVersion` changes when a field changes meaning.
 */
export interface PlinthModelDescriptor {
  readonly format: 'plinth-model'
  readonly formatVersion: 1
  /** The ml registry key (`linear.logistic`). */
  readonly kind: string
  readonly featureNames: readonly string[]
  readonly signature: ModelSignature
  /** A few input rows, JSON-safe. */
  readonly inputExample?: readonly Readonly<Record<string, unknown>>[]
  /** Epoch ms. */
  readonly createdAt: number
}

/** The artifact directory of a logged model (`model/model.json`, `model/plinth-model.json`). */
export const MODEL_ARTIFACT_DIR = 'model'
/** The file holding `model.toJSON()`. */
export const MODEL_STATE_FILE = 'model.json'
/** The file holding the {@link PlinthModelDescriptor}. */
export const MODEL_DESCRIPTOR_FILE = 'plinth-model.json'

const DTYPE_TYPES: Readonly<Record<string, string>> = {
  f64: 'double',
  f32: 'float',
  i32: 'integer',
  bool: 'boolean',
  cat: 'string',
  str: 'string',
  ts: 'datetime',
}

/** Rows of an input example: a Frame's first `limit` rows, or the records given. */
export function exampleRows(
  example: Frame | readonly Readonly<Record<string, unknown>>[],
  limit = 5,
): Readonly<Record<string, unknown>>[] {
  if (Array.isArray(example)) {
    return (example as readonly Readonly<Record<string, unknown>>[]).slice(0, limit)
  }
  // JSON has no NaN: a missing or NaN cell becomes null.
  return (example as Frame)
    .toRows(limit)
    .map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [
          k,
          typeof v === 'number' && !Number.isFinite(v) ? null : v,
        ]),
      ),
    )
}

function labelType(values: readonly unknown[]): string {
  if (values.length > 0 && values.every((v) => typeof v === 'boolean')) return 'boolean'
  if (values.length > 0 && values.every((v) => typeof v === 'number')) {
    return values.every((v) => Number.isInteger(v)) ? 'long' : 'double'
  }
  return 'string'
}

/**
 * The signature of a fitted model: inputs are its feature names, typed from `example` when it
 * is a Frame holding them (else `double`); outputs are `prediction` (typed from the class labels
 * of a classifier, `double` otherwise) or a transformer's output columns.
 */
export function inferSignature(
  model: Model,
  example?: Frame | readonly Readonly<Record<string, unknown>>[],
): ModelSignature {
  const frame = example !== undefined && !Array.isArray(example) ? (example as Frame) : undefined
  const inputs = model.featureNames.map((name) => {
    const col = frame?.findColumn(name)
    return { name, type: col === undefined ? 'double' : (DTYPE_TYPES[col.dtype] ?? 'string') }
  })
  let outputs: SignatureColumn[]
  if ('outputNames' in model && Array.isArray(model.outputNames)) {
    outputs = (model.outputNames as readonly string[]).map((name) => ({ name, type: 'double' }))
  } else if ('classes' in model && Array.isArray(model.classes)) {
    outputs = [{ name: 'prediction', type: labelType(model.classes as readonly unknown[]) }]
  } else {
    outputs = [{ name: 'prediction', type: 'double' }]
  }
  return { inputs, outputs }
}

/** Builds the descriptor stored next to the model state. */
export function modelDescriptor(
  model: Model,
  createdAt: number,
  opts: {
    readonly signature?: ModelSignature
    readonly inputExample?: Frame | readonly Readonly<Record<string, unknown>>[]
  } = {},
): PlinthModelDescriptor {
  return {
    format: 'plinth-model',
    formatVersion: 1,
    kind: model.kind,
    featureNames: [...model.featureNames],
    signature: opts.signature ?? inferSignature(model, opts.inputExample),
    ...(opts.inputExample === undefined ? {} : { inputExample: exampleRows(opts.inputExample) }),
    createdAt,
  }
}
