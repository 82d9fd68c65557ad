import { z } from 'zod'

import { validationErrorFromIssues } from '../../core/index.js'

/**
 * Configuration of the SQLite metadata store (the `sqlite` member of the metadata config union).
 *
 * @example
 * ```ts
 * const config = sqliteMetadataConfigSchema.parse({ kind: 'sqlite', path: '.plinth/plinth.db' })
 * config.busyTimeoutMs // 5000
 * ```
 */
export const sqliteMetadataConfigSchema = z
  .object({
    kind: z.literal('sqlite'),
    /** A file path (relative paths resolve against the working directory) or `':memory:'`. */
    path: z.string().min(1, 'path must not be empty'),
    /**
     * How long a writer waits for another connection's lock before failing with `UNAVAILABLE`.
     *
     * @default 5000
     */
    busyTimeoutMs: z.number().int().min(0).default(5000),
    /**
     * `FULL` fsyncs the WAL on every commit, so acknowledged writes survive power loss as well as
     * a process crash. `NORMAL` survives a process crash but may lose the last commits on power
     * loss, and is faster.
     *
     * @default 'FULL'
     */
    synchronous: z.enum(['FULL', 'NORMAL']).default('FULL'),
  })
  .strict()

/** A parsed SQLite metadata config (defaults applied). */
export type SqliteMetadataConfig = z.infer<typeof sqliteMetadataConfigSchema>

/**
 * Validates a config, reporting every problem as a `ValidationError` (`INVALID_ARGUMENT`).
 *
 * @internal
 */
export function parseSqliteMetadataConfig(input: unknown): SqliteMetadataConfig {
  const result = sqliteMetadataConfigSchema.safeParse(input)
  if (result.success) return result.data
  throw validationErrorFromIssues('invalid SQLite metadata store config', result.error.issues, [], {
    cause: result.error,
  })
}
