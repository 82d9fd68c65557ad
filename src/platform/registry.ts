import path from 'node:path'
import { fileURLToPath } from 'node:url'

import type { z } from 'zod'

import {
  ValidationError,
  validationErrorFromIssues,
  type Clock,
  type Logger,
} from '../core/index.js'
import type { ArtifactStore, EventBus, MetadataStore } from '../ports/index.js'
import {
  createFsArtifactStore,
  fsArtifactConfigSchema,
  type FsArtifactConfig,
} from '../adapters/artifacts-fs/index.js'
import {
  createMemoryEventBus,
  type MemoryEventBusConfig,
} from '../adapters/event-bus-memory/index.js'
import {
  createPostgresMetadataStore,
  postgresMetadataConfigSchema,
  type PostgresMetadataConfig,
} from '../adapters/metadata-postgres/index.js'
import {
  createSqliteMetadataStore,
  sqliteMetadataConfigSchema,
  type SqliteMetadataConfig,
} from '../adapters/metadata-sqlite/index.js'

/** Collaborators every adapter factory may use. */
export interface AdapterDeps {
  readonly clock: Clock
  readonly logger: Logger
}

type MetadataConfig = SqliteMetadataConfig | PostgresMetadataConfig
type ArtifactConfig = FsArtifactConfig
type EventBusConfig = MemoryEventBusConfig

/** `kind → factory` for each port: the only place adapters are chosen. */
export const METADATA_STORES = {
  sqlite: (c: SqliteMetadataConfig, d: AdapterDeps): MetadataStore =>
    createSqliteMetadataStore(c, d),
  postgres: (c: PostgresMetadataConfig, d: AdapterDeps): MetadataStore =>
    createPostgresMetadataStore(c, d),
} satisfies {
  [K in MetadataConfig['kind']]: (
    c: Extract<MetadataConfig, { kind: K }>,
    d: AdapterDeps,
  ) => MetadataStore
}

/** Creates the metadata store a parsed config names. */
export function createMetadataStore(config: MetadataConfig, deps: AdapterDeps): MetadataStore {
  switch (config.kind) {
    case 'sqlite':
      return METADATA_STORES.sqlite(config, deps)
    case 'postgres':
      return METADATA_STORES.postgres(config, deps)
  }
}

export const ARTIFACT_STORES = {
  fs: (c: ArtifactConfig, d: AdapterDeps): ArtifactStore => createFsArtifactStore(c, d),
} satisfies Record<ArtifactConfig['kind'], (c: ArtifactConfig, d: AdapterDeps) => ArtifactStore>

export const EVENT_BUSES = {
  memory: (c: EventBusConfig, d: AdapterDeps): EventBus => createMemoryEventBus(c, d),
} satisfies Record<EventBusConfig['kind'], (c: EventBusConfig, d: AdapterDeps) => EventBus>

function badUrl(field: string, message: string): ValidationError {
  return new ValidationError(`invalid ${field}: ${message}`, [
    { path: field.split('.'), code: 'invalid_url', message },
  ])
}

/**
 * Parses a metadata URL into an adapter config:
 * `sqlite:<path>`, `sqlite:///abs/path`, `sqlite::memory:`, or
 * `postgres[ql]://user[:password]@host[:port]/db[?schema=name]`.
 * Relative SQLite paths resolve against `cwd`.
 */
export function parseMetadataUrl(
  url: string,
  options: { readonly cwd: string; readonly poolSize: number },
): MetadataConfig {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch (err) {
      throw Object.assign(badUrl('metadata.url', 'not a valid postgres:// URL'), { cause: err })
    }
    const schema = parsed.searchParams.get('schema') ?? undefined
    parsed.searchParams.delete('schema')
    return parseAdapterConfig(postgresMetadataConfigSchema, 'metadata.url', {
      kind: 'postgres',
      url: parsed.toString(),
      poolSize: options.poolSize,
      ...(schema === undefined ? {} : { schema }),
    })
  }
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length)
    if (rest.length === 0) throw badUrl('metadata.url', 'sqlite: needs a file path')
    const file =
      rest === ':memory:'
        ? rest
        : rest.startsWith('//')
          ? fileURLToPath(`file:${rest}`)
          : path.resolve(options.cwd, rest)
    return parseAdapterConfig(sqliteMetadataConfigSchema, 'metadata.url', {
      kind: 'sqlite',
      path: file,
    })
  }
  throw badUrl('metadata.url', 'expected sqlite:<path> or postgres://…')
}

/** Parses an artifact-store URL: `file:<dir>`, `file:///abs/dir`, or a plain directory path. */
export function parseArtifactsUrl(url: string, options: { readonly cwd: string }): ArtifactConfig {
  let root: string
  if (url.startsWith('file://')) root = fileURLToPath(url)
  else if (url.startsWith('file:')) root = path.resolve(options.cwd, url.slice('file:'.length))
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    throw badUrl('artifacts.url', 'only file: URLs are supported')
  else root = path.resolve(options.cwd, url)
  return parseAdapterConfig(fsArtifactConfigSchema, 'artifacts.url', { kind: 'fs', root })
}

/** Validates an adapter config built from a URL, reporting problems against the URL's field. */
function parseAdapterConfig<S extends z.ZodType>(
  schema: S,
  field: string,
  input: z.input<S>,
): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  throw validationErrorFromIssues(`invalid ${field}`, result.error.issues, field.split('.'))
}
