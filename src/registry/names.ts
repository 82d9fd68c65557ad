import { ValidationError, type ValidationIssue } from '../core/index.js'
import { MODEL_STAGES, type ModelStage, type ModelUri } from './entities.js'

/** Longest registered model name, in characters (MLflow's column is 256 wide). */
export const MAX_MODEL_NAME = 256
/** Longest alias, in characters (MLflow's `MAX_REGISTERED_MODEL_ALIAS_LENGTH`). */
export const MAX_ALIAS = 255
/** Longest tag key and value (MLflow's registry limits). */
export const MAX_TAG_KEY = 250
export const MAX_TAG_VALUE = 5000
/** Longest description. */
export const MAX_DESCRIPTION = 65_535
/** Longest source URI. */
export const MAX_SOURCE = 4096

// Control characters (C0, DEL, C1) and bidi overrides make names that display as something else.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u
// MLflow's `^[\w\-]*$`; Python's `\w` on str is Unicode letters, digits and underscore.
const ALIAS_PATTERN = /^[\p{L}\p{N}_-]+$/u
// `v1`, `V12`: MLflow reserves these for version aliases.
const VERSION_ALIAS = /^[vV]\d+$/
const VERSION_NUMBER = /^[1-9]\d{0,9}$/

function fail(message: string, issue: ValidationIssue): never {
  throw new ValidationError(message, [issue])
}

/**
 * Checks a registered model name and returns it normalised to NFC.
 *
 * MLflow asks only for a non-empty name. Plinth also refuses `/` and `@` (they would make
 * `models:/<name>/<version>` and `models:/<name>@<alias>` ambiguous), control characters,
 * leading or trailing white space, and names over 256 characters.
 */
export function checkModelName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string' || value.length === 0) {
    fail('invalid model name', { path: [field], code: 'invalid_type', message: 'required' })
  }
  const name = value.normalize('NFC')
  const problem =
    name.length > MAX_MODEL_NAME
      ? `at most ${String(MAX_MODEL_NAME)} characters`
      : FORBIDDEN_CHARS.test(name)
        ? 'must not contain control characters'
        : /[/@]/.test(name)
          ? "must not contain '/' or '@'"
          : name.trim() !== name
            ? 'must not start or end with white space'
            : undefined
  if (problem !== undefined) {
    fail('invalid model name', { path: [field], code: 'invalid_format', message: problem })
  }
  return name
}

/**
 * Checks an alias name by MLflow's rules: letters, digits, `_` and `-`, 1–255 characters; not
 * `latest` (any case) and not a version alias like `v3`, which MLflow reserves.
 */
export function checkAliasName(value: unknown, field = 'alias'): string {
  if (typeof value !== 'string' || value.length === 0) {
    fail('invalid alias', { path: [field], code: 'invalid_type', message: 'required' })
  }
  const problem = !ALIAS_PATTERN.test(value)
    ? 'may only contain letters, digits, underscores (_) and dashes (-)'
    : value.length > MAX_ALIAS
      ? `at most ${String(MAX_ALIAS)} characters`
      : value.toLowerCase() === 'latest'
        ? "'latest' (in any case) is reserved"
        : VERSION_ALIAS.test(value)
          ? `'${value}' is reserved for version aliases`
          : undefined
  if (problem !== undefined) {
    fail('invalid alias', { path: [field], code: 'invalid_format', message: problem })
  }
  return value
}

/** Parses a version number given as a number or a decimal string (MLflow sends strings). */
export function checkVersionNumber(value: unknown, field = 'version'): number {
  const text = typeof value === 'number' ? String(value) : value
  if (typeof text !== 'string' || !VERSION_NUMBER.test(text) || Number(text) > 2 ** 31 - 1) {
    fail('invalid version', {
      path: [field],
      code: 'invalid_format',
      message: 'expected a positive integer version number',
    })
  }
  return Number(text)
}

/** Canonical stage for any casing of `None`, `Staging`, `Production`, `Archived`. */
export function checkStage(value: unknown, field = 'stage'): ModelStage {
  const stage =
    typeof value === 'string'
      ? MODEL_STAGES.find((s) => s.toLowerCase() === value.toLowerCase())
      : undefined
  if (stage === undefined) {
    fail('invalid stage', {
      path: [field],
      code: 'invalid_value',
      message: `expected one of ${MODEL_STAGES.join(', ')}`,
    })
  }
  return stage
}

/** Checks a tag key (1–250 characters, no control characters). */
export function checkTagKey(value: unknown, field = 'key'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TAG_KEY) {
    fail('invalid tag', {
      path: [field],
      code: 'invalid_format',
      message: `must be 1–${String(MAX_TAG_KEY)} characters`,
    })
  }
  if (FORBIDDEN_CHARS.test(value)) {
    fail('invalid tag', {
      path: [field],
      code: 'invalid_format',
      message: 'must not contain control characters',
    })
  }
  return value
}

/** Checks a tag value (at most 5000 characters). */
export function checkTagValue(value: unknown, field = 'value'): string {
  if (typeof value !== 'string' || value.length > MAX_TAG_VALUE) {
    fail('invalid tag', {
      path: [field],
      code: 'invalid_format',
      message: `must be a string of at most ${String(MAX_TAG_VALUE)} characters`,
    })
  }
  return value
}

/** Checks free text such as a description. */
export function checkText(value: unknown, field: string, max = MAX_DESCRIPTION): string {
  if (typeof value !== 'string' || value.length > max) {
    fail(`invalid ${field}`, {
      path: [field],
      code: 'invalid_format',
      message: `must be a string of at most ${String(max)} characters`,
    })
  }
  return value
}

/** Normalises tags given as a record or MLflow's `[{ key, value }]`, checking every one. */
export function checkTags(
  tags: Readonly<Record<string, string>> | readonly { key: string; value: string }[] | undefined,
  field = 'tags',
): [string, string][] {
  if (tags === undefined) return []
  const entries: [unknown, unknown][] = Array.isArray(tags)
    ? (tags as readonly { key: unknown; value: unknown }[]).map((t) => [t.key, t.value])
    : Object.entries(tags)
  const out = new Map<string, string>()
  const issues: ValidationIssue[] = []
  entries.forEach(([k, v], i) => {
    try {
      out.set(
        checkTagKey(k, `${field}.${String(i)}.key`),
        checkTagValue(v, `${field}.${String(i)}.value`),
      )
    } catch (err) {
      if (err instanceof ValidationError) issues.push(...err.issues)
      else throw err
    }
  })
  if (issues.length > 0) throw new ValidationError('invalid tags', issues)
  return [...out]
}

const URI_FIELD = 'uri'

function badUri(message: string): never {
  fail('invalid model URI', { path: [URI_FIELD], code: 'invalid_format', message })
}

/**
 * Parses a model URI strictly: `models:/<name>/<version>`, `models:/<name>/<stage>`,
 * `models:/<name>/latest` or `models:/<name>@<alias>`. No authority (`models://…`), query,
 * fragment, percent-encoding, empty or extra segments.
 *
 * @example
 * ```ts
 * parseModelUri('models:/churn@champion') // { kind: 'alias', name: 'churn', alias: 'champion' }
 * ```
 */
export function parseModelUri(uri: string): ModelUri {
  if (!uri.startsWith('models:/') || uri.startsWith('models://')) {
    badUri('expected models:/<name>/<version|stage|latest> or models:/<name>@<alias>')
  }
  const rest = uri.slice('models:/'.length)
  if (/[?#%]/.test(rest)) badUri('must not contain a query, fragment or percent-encoding')
  const at = rest.indexOf('@')
  if (at !== -1) {
    const name = rest.slice(0, at)
    const alias = rest.slice(at + 1)
    if (name.length === 0) badUri('the model name is empty')
    try {
      return { kind: 'alias', name: checkModelName(name), alias: checkAliasName(alias) }
    } catch (err) {
      if (err instanceof ValidationError) badUri(err.issues[0]?.message ?? 'invalid alias')
      throw err
    }
  }
  const parts = rest.split('/')
  if (parts.length !== 2 || parts[0] === undefined || parts[1] === undefined) {
    badUri('expected exactly models:/<name>/<version|stage|latest>')
  }
  const [rawName, which] = parts
  let name: string
  try {
    name = checkModelName(rawName)
  } catch (err) {
    if (err instanceof ValidationError) badUri(err.issues[0]?.message ?? 'invalid name')
    throw err
  }
  if (VERSION_NUMBER.test(which))
    return { kind: 'version', name, version: checkVersionNumber(which) }
  if (which.toLowerCase() === 'latest') return { kind: 'latest', name }
  const stage = MODEL_STAGES.find((s) => s.toLowerCase() === which.toLowerCase())
  if (stage !== undefined) return { kind: 'stage', name, stage }
  badUri(`'${which}' is not a version number, a stage or 'latest'`)
}

/** The canonical URI of a parsed model URI. */
export function formatModelUri(uri: ModelUri): string {
  switch (uri.kind) {
    case 'version':
      return `models:/${uri.name}/${String(uri.version)}`
    case 'stage':
      return `models:/${uri.name}/${uri.stage}`
    case 'latest':
      return `models:/${uri.name}/latest`
    case 'alias':
      return `models:/${uri.name}@${uri.alias}`
  }
}

/** A parsed `runs:/<run id>/<path>` URI. */
export interface RunsUri {
  readonly runId: string
  /** The run-relative artifact path, `''` for the run's root. */
  readonly path: string
}

/**
 * Parses `runs:/<run id>/<path>` (the form MLflow clients register); `undefined` for any other
 * scheme. The path is normalised (no `.`/`..` segments, no empty segments) or refused.
 */
export function parseRunsUri(source: string, field = 'source'): RunsUri | undefined {
  if (!source.startsWith('runs:/')) return undefined
  const rest = source.slice('runs:/'.length)
  const bad = (message: string): never =>
    fail('invalid source', { path: [field], code: 'invalid_format', message })
  if (/[?#%\\]/.test(rest) || FORBIDDEN_CHARS.test(rest)) {
    bad('a runs:/ URI must not contain a query, fragment, backslash or percent-encoding')
  }
  const [runId = '', ...segments] = rest.split('/')
  if (!/^[0-9a-zA-Z_-]{1,64}$/.test(runId)) bad('expected runs:/<run id>/<path>')
  const clean = segments.filter((s, i) => !(s === '' && i === segments.length - 1))
  if (clean.some((s) => s === '' || s === '.' || s === '..')) {
    bad('the artifact path must not contain empty, . or .. segments')
  }
  return { runId, path: clean.join('/') }
}
