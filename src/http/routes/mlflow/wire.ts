import { z } from 'zod'

import { invalidParameter } from './errors.js'

/*
 * MLflow's JSON conventions (protobuf JSON as MLflow's `message_to_json` / `parse_dict` use it):
 * - field names are the proto's snake_case names; unknown fields are ignored, not rejected;
 * - int64 fields are written as JSON numbers (MLflow undoes protobuf's int64-as-string), but a
 *   client may send either form, and a GET sends everything as query-string text;
 * - doubles may be the strings "NaN", "Infinity" and "-Infinity";
 * - repeated fields in a query string are repeated keys (`experiment_ids=1&experiment_ids=2`);
 * - unset fields and empty lists are left out of responses (proto2 presence).
 */

const INT64_TEXT = /^-?\d{1,16}$/

/** An int64 field: a safe integer given as a number or as decimal text. */
export const int64 = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : INT64_TEXT.test(v.trim()) ? Number(v.trim()) : Number.NaN
  if (!Number.isSafeInteger(n)) {
    ctx.addIssue({ code: 'custom', message: 'expected an integer' })
    return z.NEVER
  }
  return n
})

/** An int32 field such as `max_results` (number or decimal text). */
export const int32 = int64.refine((n) => n >= -(2 ** 31) && n < 2 ** 31, 'out of int32 range')

/** A double field: a number, or "NaN" / "Infinity" / "-Infinity" as protobuf JSON writes them. */
export const double = z.union([z.number(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v
  const t = v.trim()
  if (t === 'NaN') return Number.NaN
  if (t === 'Infinity') return Number.POSITIVE_INFINITY
  if (t === '-Infinity') return Number.NEGATIVE_INFINITY
  const n = t.length === 0 ? Number.NaN : Number(t)
  if (Number.isNaN(n)) {
    ctx.addIssue({ code: 'custom', message: 'expected a number' })
    return z.NEVER
  }
  return n
})

/** A bool field: JSON true/false, or query-string text as Python's `requests` writes it. */
export const bool = z
  .union([z.boolean(), z.enum(['true', 'false', 'True', 'False'])])
  .transform((v) => v === true || v === 'true' || v === 'True')

/** A repeated field: a JSON array, or one-or-more repeated query-string keys. */
export function repeated<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(item))
}

/** A `{key, value}` pair as MLflow's tags and params are sent. */
export const keyValue = z.object({ key: z.string(), value: z.string().optional() })

/** MLflow `ViewType`, by name or by number. */
export const viewType = z
  .union([z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']), z.number(), z.string()])
  .transform((v, ctx) => {
    const byNumber = { 1: 'ACTIVE_ONLY', 2: 'DELETED_ONLY', 3: 'ALL' } as const
    if (v === 'ACTIVE_ONLY' || v === 'DELETED_ONLY' || v === 'ALL') return v
    const n = typeof v === 'number' ? v : Number(v)
    if (n === 1 || n === 2 || n === 3) return byNumber[n]
    ctx.addIssue({ code: 'custom', message: 'expected ACTIVE_ONLY, DELETED_ONLY or ALL' })
    return z.NEVER
  })

/** The names of MLflow's `RunStatus` enum, in enum order (RUNNING = 1). */
export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const
/** A run status name. */
export type MlflowRunStatus = (typeof RUN_STATUSES)[number]

/** MLflow `RunStatus`, by name or by number. */
export const runStatus = z
  .union([z.enum(RUN_STATUSES), z.number(), z.string()])
  .transform((v, ctx): MlflowRunStatus => {
    if (typeof v === 'string' && (RUN_STATUSES as readonly string[]).includes(v)) {
      return v as MlflowRunStatus
    }
    const n = typeof v === 'number' ? v : Number(v)
    const name = Number.isInteger(n) ? RUN_STATUSES[n - 1] : undefined
    if (name === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected one of ${RUN_STATUSES.join(', ')}` })
      return z.NEVER
    }
    return name
  })

/** Throws MLflow's INVALID_PARAMETER_VALUE for a missing required field (MLflow's wording). */
export function required<T>(value: T | undefined | null, field: string): T {
  if (value === undefined || value === null || value === '') {
    throw invalidParameter(`Missing value for required parameter '${field}'.`)
  }
  return value
}

/** `T` with every field that may be `undefined` made optional instead. */
export type Compact<T> = {
  [K in keyof T as undefined extends T[K] ? never : K]: T[K]
} & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>
}

/**
 * Drops `undefined` fields and empty arrays, so a response carries only what is set (the way
 * protobuf JSON writes a message).
 */
export function compact<T extends Record<string, unknown>>(obj: T): Compact<T> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue
    if (Array.isArray(v) && v.length === 0) continue
    out[k] = v
  }
  return out as Compact<T>
}

/** A double as protobuf JSON writes it: non-finite values become their names. */
export function toJsonDouble(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Number.POSITIVE_INFINITY) return 'Infinity'
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity'
  return v
}

/**
 * The run a request names: MLflow clients send both `run_id` and the deprecated `run_uuid`;
 * either names the run.
 */
export const runRef = { run_id: z.string().optional(), run_uuid: z.string().optional() }

/** The run id of a request with `runRef` fields; INVALID_PARAMETER_VALUE when neither is set. */
export function runIdOf(body: {
  readonly run_id?: string | undefined
  readonly run_uuid?: string | undefined
}): string {
  return required(body.run_id ?? body.run_uuid, 'run_id')
}
