import { z } from 'zod'

import { validationErrorFromIssues } from '../../core/index.js'

/** Lowercase, unquoted-safe PostgreSQL identifier of at most 63 bytes. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

function isPostgresUrl(value: string): boolean {
  if (!URL.canParse(value)) return false
  const { protocol } = new URL(value)
  return protocol === 'postgres:' || protocol === 'postgresql:'
}

/**
 * Configuration of the PostgreSQL metadata store (the `postgres` member of the metadata config
 * union).
 *
 * @example
 * ```ts
 * const config = postgresMetadataConfigSchema.parse({
 *   kind: 'postgres',
 *   url: 'postgres://plinth@127.0.0.1:5432/plinth',
 *   schema: 'plinth',
 * })
 * config.poolSize // 10
 * ```
 */
export const postgresMetadataConfigSchema = z
  .object({
    kind: z.literal('postgres'),
    /** A libpq-style `postgres://` or `postgresql://` URL; it may carry a password. */
    url: z.string().refine(isPostgresUrl, 'expected a postgres:// or postgresql:// URL'),
    /**
     * The PostgreSQL schema holding Plinth's tables, created at `init` if missing and put first on
     * every pooled connection's `search_path`. Without it, the server's default (`public`) is used.
     */
    schema: z
      .string()
      .regex(SCHEMA_NAME, 'expected a lowercase schema name: a-z, 0-9 and _, at most 63 characters')
      .refine((s) => !s.startsWith('pg_'), 'schema names starting with pg_ are reserved')
      .optional(),
    /**
     * Most connections the pool opens.
     *
     * @default 10
     */
    poolSize: z.number().int().min(1).max(1000).default(10),
    /**
     * Server-side `statement_timeout`; a statement running longer fails with
     * `DEADLINE_EXCEEDED`.
     *
     * @default 30000
     */
    statementTimeoutMs: z.number().int().min(0).default(30_000),
    /**
     * How long to wait for a connection (and for `ping`) before failing with `UNAVAILABLE`.
     *
     * @default 5000
     */
    connectTimeoutMs: z.number().int().min(1).default(5000),
  })
  .strict()

/** A parsed PostgreSQL metadata config (defaults applied). */
export type PostgresMetadataConfig = z.infer<typeof postgresMetadataConfigSchema>

/**
 * Validates a config, reporting every problem as a `ValidationError` (`INVALID_ARGUMENT`).
 * Issue messages never echo the URL, which may hold a password.
 *
 * @internal
 */
export function parsePostgresMetadataConfig(input: unknown): PostgresMetadataConfig {
  const result = postgresMetadataConfigSchema.safeParse(input)
  if (result.success) return result.data
  throw validationErrorFromIssues(
    'invalid PostgreSQL metadata store config',
    result.error.issues,
    [],
    { cause: result.error },
  )
}
