import { ValidationError, type ValidationIssue } from '../core/index.js'
import {
  RUN_STATUSES,
  TRACKING_LIMITS,
  type ExperimentId,
  type KeyValue,
  type MetricInput,
  type RunId,
  type RunStatus,
  type ViewType,
} from './entities.js'

const RUN_ID = /^[0-9a-f]{32}$/
const EXPERIMENT_ID = /^\d{1,18}$/
// Control characters other than tab/newline make keys that display as something else.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/u

/** Collects issues, then throws one `ValidationError` holding all of them. */
export class Issues {
  readonly list: ValidationIssue[] = []
  add(path: readonly (string | number)[], code: string, message: string): void {
    this.list.push({ path, code, message })
  }
  throwIfAny(message: string): void {
    if (this.list.length > 0) throw new ValidationError(message, this.list)
  }
}

/** Validates and brands a run id. */
export function toRunId(value: unknown, field = 'runId'): RunId {
  if (typeof value !== 'string' || !RUN_ID.test(value)) {
    throw new ValidationError('invalid run id', [
      { path: [field], code: 'invalid_format', message: 'expected 32 lowercase hex characters' },
    ])
  }
  return value as RunId
}

/** Validates and brands an experiment id. */
export function toExperimentId(value: unknown, field = 'experimentId'): ExperimentId {
  if (typeof value !== 'string' || !EXPERIMENT_ID.test(value)) {
    throw new ValidationError('invalid experiment id', [
      { path: [field], code: 'invalid_format', message: 'expected a decimal experiment id' },
    ])
  }
  return value as ExperimentId
}

/** Checks a metric/param/tag key: 1–250 characters, no control characters, no `..` segments. */
export function checkKey(issues: Issues, path: readonly (string | number)[], key: unknown): void {
  if (typeof key !== 'string' || key.length === 0) {
    issues.add(path, 'invalid_type', 'must be a non-empty string')
  } else if (key.length > TRACKING_LIMITS.maxKeyLength) {
    issues.add(path, 'too_long', `at most ${String(TRACKING_LIMITS.maxKeyLength)} characters`)
  } else if (CONTROL.test(key) || key.startsWith('/') || key.split('/').includes('..')) {
    issues.add(path, 'invalid_string', 'must not contain control characters or path traversal')
  }
}

/** Checks a string value against a length limit. */
export function checkValue(
  issues: Issues,
  path: readonly (string | number)[],
  value: unknown,
  max: number,
): void {
  if (typeof value !== 'string') issues.add(path, 'invalid_type', 'must be a string')
  else if (value.length > max) issues.add(path, 'too_long', `at most ${String(max)} characters`)
}

/** Checks a list of key/value pairs. */
export function checkPairs(
  issues: Issues,
  field: string,
  pairs: readonly KeyValue[],
  maxValue: number,
): void {
  pairs.forEach((p, i) => {
    checkKey(issues, [field, i, 'key'], p.key)
    checkValue(issues, [field, i, 'value'], p.value, maxValue)
  })
}

/** Checks an epoch-ms time (a non-negative safe integer). */
export function checkTime(issues: Issues, path: readonly (string | number)[], t: unknown): void {
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) {
    issues.add(path, 'invalid_type', 'must be epoch milliseconds (a non-negative integer)')
  }
}

/** Checks metric points; NaN and ±Infinity are valid values (MLflow stores them). */
export function checkMetrics(issues: Issues, field: string, metrics: readonly MetricInput[]): void {
  // A training loop logs a few keys many times: check each distinct key once.
  const goodKeys = new Set<string>()
  metrics.forEach((m, i) => {
    if (!goodKeys.has(m.key)) {
      const before = issues.list.length
      checkKey(issues, [field, i, 'key'], m.key)
      if (issues.list.length === before) goodKeys.add(m.key)
    }
    if (typeof m.value !== 'number') issues.add([field, i, 'value'], 'invalid_type', 'not a number')
    if (m.timestamp !== undefined) checkTime(issues, [field, i, 'timestamp'], m.timestamp)
    if (m.step !== undefined && (typeof m.step !== 'number' || !Number.isSafeInteger(m.step))) {
      issues.add([field, i, 'step'], 'invalid_type', 'must be an integer')
    }
  })
}

/** Validates a run status. */
export function toRunStatus(value: unknown, field = 'status'): RunStatus {
  if (typeof value === 'string' && (RUN_STATUSES as readonly string[]).includes(value)) {
    return value as RunStatus
  }
  throw new ValidationError('invalid run status', [
    { path: [field], code: 'invalid_enum_value', message: `expected ${RUN_STATUSES.join(', ')}` },
  ])
}

/** Validates a view type (default `ACTIVE_ONLY`). */
export function toViewType(value: unknown, field = 'viewType'): ViewType {
  if (value === undefined) return 'ACTIVE_ONLY'
  if (value === 'ACTIVE_ONLY' || value === 'DELETED_ONLY' || value === 'ALL') return value
  throw new ValidationError('invalid view type', [
    {
      path: [field],
      code: 'invalid_enum_value',
      message: 'expected ACTIVE_ONLY, DELETED_ONLY or ALL',
    },
  ])
}

/** Validates a page size. */
export function toMaxResults(value: unknown, max: number, dflt: number, field: string): number {
  if (value === undefined) return dflt
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new ValidationError(`invalid ${field}`, [
      { path: [field], code: 'too_big', message: `must be an integer from 1 to ${String(max)}` },
    ])
  }
  return value
}

/** Stages a search may return for a view type. */
export function stagesOf(view: ViewType): readonly ('active' | 'deleted')[] {
  switch (view) {
    case 'ACTIVE_ONLY':
      return ['active']
    case 'DELETED_ONLY':
      return ['deleted']
    case 'ALL':
      return ['active', 'deleted']
  }
}

/**
 * Validates a relative artifact path: segments of printable characters, no empty, `.` or `..`
 * segment, no leading `/`, no backslash, at most 1024 characters. The path only ever names a row;
 * it never reaches the file system (the bytes live under their content key).
 */
export function toArtifactPath(value: unknown, field = 'path', allowEmpty = false): string {
  const bad = (message: string): ValidationError =>
    new ValidationError('invalid artifact path', [
      { path: [field], code: 'invalid_string', message },
    ])
  if (typeof value !== 'string') throw bad('must be a string')
  const p = value.normalize('NFC').replace(/\/+$/, '')
  if (p === '') {
    if (allowEmpty) return ''
    throw bad('must not be empty')
  }
  if (p.length > 1024) throw bad('at most 1024 characters')
  if (CONTROL.test(p) || p.includes('\\') || p.includes('\u0000')) {
    throw bad('must not contain control characters or backslashes')
  }
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) throw bad('must be relative')
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.' || seg === '..')
      throw bad('must not contain empty, . or .. segments')
  }
  return p
}

/** Base64url JSON page tokens carrying an offset and a fingerprint of the query. */
export function encodeOffsetToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, q: fingerprint }), 'utf8').toString('base64url')
}

/** Decodes an `encodeOffsetToken` token; `INVALID_ARGUMENT` for another query's token or junk. */
export function decodeOffsetToken(token: string, fingerprint: string, field = 'pageToken'): number {
  const bad = (): ValidationError =>
    new ValidationError('invalid page token', [
      {
        path: [field],
        code: 'invalid_format',
        message: 'not a token returned by a previous page of this query',
      },
    ])
  if (token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) throw bad()
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
  } catch (err) {
    throw Object.assign(bad(), { cause: err })
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    !('o' in value) ||
    !('q' in value) ||
    typeof value.o !== 'number' ||
    !Number.isSafeInteger(value.o) ||
    value.o < 0 ||
    value.q !== fingerprint
  ) {
    throw bad()
  }
  return value.o
}
