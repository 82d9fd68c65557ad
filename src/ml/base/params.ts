/**
 * Parameter validation at `fit` time, with field-level messages.
 */
import type { z } from 'zod'

import { validationErrorFromIssues } from '../../core/index.js'

/**
 * Parses `params` with `schema` (defaults applied) or throws a `ValidationError` whose issues
 * name each bad field under `params`.
 *
 * @example
 * ```ts
 * const p = parseParams('linear.ridge', RidgeParamsSchema, this.params)
 * ```
 */
export function parseParams<S extends z.ZodType>(
  kind: string,
  schema: S,
  params: unknown,
): z.output<S> {
  const r = schema.safeParse(params)
  if (!r.success) {
    throw validationErrorFromIssues(`invalid parameters for ${kind}`, r.error.issues, ['params'])
  }
  return r.data
}
