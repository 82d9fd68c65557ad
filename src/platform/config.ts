import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

import { z } from 'zod'

import { ValidationError, type ValidationIssue } from '../core/index.js'

/** Log levels, as pino names them. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const port = z.int().min(0).max(65_535)
const positiveMs = z
  .int()
  .min(1)
  .max(24 * 3600 * 1000)

/**
 * The one configuration schema. Every field has a default, so an empty file is valid.
 *
 * Sources override each other in this order: these defaults, then `plinth.config.json` (or the
 * file named by `--config` / `PLINTH_CONFIG`), then `PLINTH_*` environment variables, then CLI
 * flags. The environment variable for a field is its path in SCREAMING_SNAKE_CASE joined by `_`:
 * `server.port` → `PLINTH_SERVER_PORT`; lists are comma-separated.
 */
export const configSchema = z
  .object({
    /**
     * Where Plinth keeps its local state (metadata database, artifacts).
     * @default '.plinth' (relative to the working directory)
     */
    dataDir: z.string().min(1).default('.plinth'),
    metadata: z
      .object({
        /**
         * `sqlite:<path>` or `postgres://user@host:5432/db[?schema=name]`.
         * @default `sqlite:<dataDir>/plinth.db`
         */
        url: z.string().min(1).optional(),
        /** @default 10 */
        poolSize: z.int().min(1).max(200).default(10),
      })
      .strict()
      .default({ poolSize: 10 }),
    artifacts: z
      .object({
        /**
         * `file:<directory>` (or a plain directory path).
         * @default `file:<dataDir>/artifacts`
         */
        url: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    server: z
      .object({
        /** @default '127.0.0.1' (loopback only; set 0.0.0.0 to listen on every interface) */
        host: z.string().min(1).default('127.0.0.1'),
        /** @default 7700 (0 picks a free port) */
        port: port.default(7700),
        /** Largest JSON body accepted. @default 1 MiB */
        bodyLimitBytes: z
          .int()
          .min(1024)
          .default(1024 * 1024),
        /** Largest artifact upload accepted. @default 5 GiB */
        uploadLimitBytes: z
          .int()
          .min(1024)
          .default(5 * 1024 ** 3),
        /** Time allowed to receive the request headers. @default 10 s */
        headersTimeoutMs: positiveMs.default(10_000),
        /** Time allowed for a whole request on API routes. @default 30 s */
        requestTimeoutMs: positiveMs.default(30_000),
        /** Idle keep-alive connections are closed after this. @default 5 s */
        keepAliveTimeoutMs: positiveMs.default(5_000),
        /** On shutdown, in-flight requests get this long to finish. @default 10 s */
        shutdownTimeoutMs: positiveMs.default(10_000),
        /**
         * Extra `Host` header values accepted (DNS-rebinding defence). Loopback names are always
         * accepted; `*` accepts any host.
         * @default []
         */
        allowedHosts: z.array(z.string().min(1)).default([]),
        /**
         * Origins allowed to make state-changing requests from a browser (besides same-origin).
         * @default []
         */
        allowedOrigins: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({
        host: '127.0.0.1',
        port: 7700,
        bodyLimitBytes: 1024 * 1024,
        uploadLimitBytes: 5 * 1024 ** 3,
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 5_000,
        shutdownTimeoutMs: 10_000,
        allowedHosts: [],
        allowedOrigins: [],
      }),
    log: z
      .object({
        /** @default 'info' */
        level: z.enum(LOG_LEVELS).default('info'),
      })
      .strict()
      .default({ level: 'info' }),
  })
  .strict()

type ParsedConfig = z.infer<typeof configSchema>

/** The resolved, frozen configuration every component receives. */
export interface PlinthConfig {
  /** Absolute path of the data directory. */
  readonly dataDir: string
  readonly metadata: { readonly url: string; readonly poolSize: number }
  readonly artifacts: { readonly url: string }
  readonly server: Readonly<Omit<ParsedConfig['server'], 'allowedHosts' | 'allowedOrigins'>> & {
    readonly allowedHosts: readonly string[]
    readonly allowedOrigins: readonly string[]
  }
  readonly log: Readonly<ParsedConfig['log']>
  /** Where each value that was not a default came from (`path` → source). */
  readonly sources: Readonly<Record<string, string>>
}

/** The name of the config file looked for in the working directory. */
export const CONFIG_FILE_NAME = 'plinth.config.json'

/** Inputs to `loadConfig`; all optional so tests can pass exactly what they mean. */
export interface LoadConfigOptions {
  /** @default process.cwd() */
  readonly cwd?: string
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** An explicit config file (from `--config`); it must exist. */
  readonly configFile?: string
  /** Values from CLI flags, as a partial config keyed by path (`{ 'server.port': 8080 }`). */
  readonly flags?: Readonly<Record<string, unknown>>
  /**
   * Defaults of the calling command, keyed by path, below every other source (a one-shot CLI
   * command logs at `warn` unless configured otherwise).
   */
  readonly defaults?: Readonly<Record<string, unknown>>
}

type Json = Record<string, unknown>

/** A leaf of the schema: its dotted path, env var name and scalar kind. */
interface Leaf {
  readonly path: readonly string[]
  readonly env: string
  readonly kind: 'string' | 'int' | 'enum' | 'list'
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType
  return s
}

function toEnvName(segments: readonly string[]): string {
  return (
    'PLINTH_' +
    segments.map((s) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')
  )
}

function collectLeaves(schema: z.ZodObject, prefix: readonly string[] = []): Leaf[] {
  const leaves: Leaf[] = []
  const shape: Record<string, z.ZodType> = schema.shape
  for (const [key, value] of Object.entries(shape)) {
    const inner = unwrap(value)
    const p = [...prefix, key]
    if (inner instanceof z.ZodObject) leaves.push(...collectLeaves(inner, p))
    else {
      const kind =
        inner instanceof z.ZodNumber
          ? 'int'
          : inner instanceof z.ZodEnum
            ? 'enum'
            : inner instanceof z.ZodArray
              ? 'list'
              : 'string'
      leaves.push({ path: p, env: toEnvName(p), kind })
    }
  }
  return leaves
}

/** Every configurable field with its environment variable (for `--help` and the README). */
export const CONFIG_FIELDS: readonly Leaf[] = Object.freeze(collectLeaves(configSchema))

function setPath(target: Json, segments: readonly string[], value: unknown): void {
  let node = target
  for (const seg of segments.slice(0, -1)) {
    const next = node[seg]
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Json
    else {
      const created: Json = {}
      node[seg] = created
      node = created
    }
  }
  const last = segments.at(-1)
  if (last !== undefined) node[last] = value
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/** Deep merge of plain JSON objects; `over` wins. Never follows prototype-polluting keys. */
function merge(base: Json, over: Json): Json {
  const out: Json = { ...base }
  for (const key of Object.keys(over)) {
    if (FORBIDDEN_KEYS.has(key)) continue
    const a = out[key]
    const b = over[key]
    out[key] = isPlainObject(a) && isPlainObject(b) ? merge(a, b) : b
  }
  return out
}

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function readConfigFile(file: string, required: boolean): Json | undefined {
  if (!existsSync(file)) {
    if (!required) return undefined
    throw new ValidationError(`config file not found: ${file}`, [
      { path: ['config'], code: 'not_found', message: `no such file: ${file}` },
    ])
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new ValidationError(
      `config file ${file} is not valid JSON`,
      [{ path: ['config'], code: 'invalid_json', message: String(err) }],
      {},
      { cause: err },
    )
  }
  if (!isPlainObject(parsed)) {
    throw new ValidationError(`config file ${file} must hold a JSON object`, [
      { path: ['config'], code: 'invalid_type', message: 'expected an object' },
    ])
  }
  return parsed
}

function envValue(leaf: Leaf, raw: string): unknown {
  switch (leaf.kind) {
    case 'int': {
      // Number('') is 0 and Number(' 12 ') is 12: accept only plain integers.
      return /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw
    }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    case 'enum':
    case 'string':
      return raw
  }
}

function defaultUrls(
  cfg: ParsedConfig,
  dataDir: string,
): Pick<PlinthConfig, 'metadata' | 'artifacts'> {
  return {
    metadata: {
      url: cfg.metadata.url ?? `sqlite:${path.join(dataDir, 'plinth.db')}`,
      poolSize: cfg.metadata.poolSize,
    },
    artifacts: { url: cfg.artifacts.url ?? `file:${path.join(dataDir, 'artifacts')}` },
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

/**
 * Loads, validates and freezes the configuration. Call it once, at the edge (CLI or server
 * start), and pass the result down; nothing else reads `process.env`.
 *
 * @throws ValidationError listing every bad field, each with the source that set it.
 * @example
 * ```ts
 * const config = loadConfig({ flags: { 'server.port': 0 } })
 * config.server.port // 0
 * ```
 */
export function loadConfig(options: LoadConfigOptions = {}): PlinthConfig {
  const cwd = options.cwd ?? process.cwd()
  const env = options.env ?? process.env
  const sources: Record<string, string> = {}

  const explicitFile = options.configFile ?? env['PLINTH_CONFIG']
  const file = path.resolve(cwd, explicitFile ?? CONFIG_FILE_NAME)
  const fromFile = readConfigFile(file, explicitFile !== undefined) ?? {}
  for (const leaf of CONFIG_FIELDS) {
    let node: unknown = fromFile
    for (const seg of leaf.path) node = isPlainObject(node) ? node[seg] : undefined
    if (node !== undefined) sources[leaf.path.join('.')] = path.basename(file)
  }

  const fromEnv: Json = {}
  for (const leaf of CONFIG_FIELDS) {
    const raw = env[leaf.env]
    if (raw === undefined || raw === '') continue
    setPath(fromEnv, leaf.path, envValue(leaf, raw))
    sources[leaf.path.join('.')] = leaf.env
  }

  const fromFlags: Json = {}
  for (const [dotted, value] of Object.entries(options.flags ?? {})) {
    if (value === undefined) continue
    setPath(fromFlags, dotted.split('.'), value)
    sources[dotted] = 'command-line flag'
  }

  const fromDefaults: Json = {}
  for (const [dotted, value] of Object.entries(options.defaults ?? {})) {
    if (value !== undefined) setPath(fromDefaults, dotted.split('.'), value)
  }

  const merged = merge(merge(merge(fromDefaults, fromFile), fromEnv), fromFlags)
  const result = configSchema.safeParse(merged)
  if (!result.success) {
    const issues: ValidationIssue[] = result.error.issues.map((i) => {
      const p = i.path.map((s) => (typeof s === 'symbol' ? String(s) : s))
      const source = sources[p.join('.')]
      return {
        path: p,
        code: i.code,
        message: source === undefined ? i.message : `${i.message} (from ${source})`,
      }
    })
    const summary = issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
    throw new ValidationError(`invalid configuration: ${summary}`, issues)
  }

  const cfg = result.data
  const dataDir = path.resolve(cwd, cfg.dataDir)
  return deepFreeze({
    dataDir,
    ...defaultUrls(cfg, dataDir),
    server: cfg.server,
    log: cfg.log,
    sources,
  })
}
