import { z } from 'zod'

import { validationErrorFromIssues, ValidationError } from '../core/index.js'
import type { ModelState } from '../ml/index.js'
import type { ModelSignature } from './entities.js'

/** The file tracking's `logModel` writes beside `model.json`, describing the model. */
export const PLINTH_MODEL_FILE = 'plinth-model.json'
/** The file holding the ml `ModelState`. */
export const MODEL_STATE_FILE = 'model.json'

const column = z.object({ name: z.string().min(1).max(1000), type: z.string().min(1).max(200) })

const plinthModelSchema = z.object({
  format: z.literal('plinth-model'),
  formatVersion: z.literal(1),
  kind: z.string().min(1).max(200),
  featureNames: z.array(z.string()).max(100_000),
  signature: z.object({
    inputs: z.array(column).max(100_000),
    outputs: z.array(column).max(10_000),
  }),
  inputExample: z.unknown().optional(),
  createdAt: z.union([z.number(), z.string()]).optional(),
})

/** What `plinth-model.json` holds. */
export interface PlinthModelFile {
  readonly kind: string
  readonly featureNames: readonly string[]
  readonly signature: ModelSignature
  readonly inputExample: unknown
}

function parseJsonBytes(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown
  } catch (err) {
    throw new ValidationError(
      `${file} is not valid JSON`,
      [{ path: [file], code: 'invalid_format', message: 'not valid JSON' }],
      {},
      { cause: err },
    )
  }
}

/** Parses and checks `plinth-model.json`; `INVALID_ARGUMENT` with every problem found. */
export function parsePlinthModelFile(bytes: Uint8Array): PlinthModelFile {
  const r = plinthModelSchema.safeParse(parseJsonBytes(bytes, PLINTH_MODEL_FILE))
  if (!r.success) {
    throw validationErrorFromIssues(`${PLINTH_MODEL_FILE} is malformed`, r.error.issues, [
      PLINTH_MODEL_FILE,
    ])
  }
  return {
    kind: r.data.kind,
    featureNames: r.data.featureNames,
    signature: r.data.signature,
    inputExample: r.data.inputExample ?? null,
  }
}

const modelStateSchema = z.object({
  kind: z.string().min(1),
  version: z.number().int(),
  params: z.record(z.string(), z.unknown()),
  state: z.unknown(),
})

/** Parses `model.json` into a `ModelState` (its content is checked by the model's loader). */
export function parseModelStateFile(bytes: Uint8Array): ModelState {
  const r = modelStateSchema.safeParse(parseJsonBytes(bytes, MODEL_STATE_FILE))
  if (!r.success) {
    throw validationErrorFromIssues(`${MODEL_STATE_FILE} is malformed`, r.error.issues, [
      MODEL_STATE_FILE,
    ])
  }
  return r.data as ModelState
}
