import { invalidParameter } from './errors.js'

/** Longest artifact path accepted, in characters. */
const MAX_PATH = 1024
/** Longest single segment, in characters. */
const MAX_SEGMENT = 255

// Characters never allowed in an artifact path: controls (C0, DEL, C1), bidi overrides,
// Windows separators and drive colons, URL syntax that validators and routers read differently
// (`#` fragments, `?` queries, `;` path parameters; MLflow CVE-2023-6909, CVE-2024-3848,
// CVE-2024-1593), `%` (a path is decoded once by the router; anything still encoded is a
// double-encoding attempt, CVE-2024-1560), and wildcard characters.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\\:#?;%*<>|"]/u

/**
 * Validates a relative artifact path and returns it in canonical form (`a/b/c`), or throws
 * INVALID_PARAMETER_VALUE. The result is only ever a lookup key for the tracking service, never
 * joined to a file-system path; the checks exist so that keys stay unambiguous and so that a
 * path that *would* escape anywhere else is refused here too (the list in
 * `mlflow/utils/uri.py::validate_path_is_safe`, plus Unicode look-alikes).
 *
 * Refused: empty paths (unless `allowEmpty`), absolute paths, `.` and `..` segments (also as
 * their NFKC look-alikes such as U+FF0E or U+2025), empty segments (`a//b`), segments ending in
 * a dot or a space, and the characters above.
 */
export function parseArtifactPath(
  raw: string,
  field: string,
  options: { readonly allowEmpty?: boolean } = {},
): string {
  const bad = (why: string) => invalidParameter(`Invalid value for '${field}': ${why}`)
  if (raw.length === 0) {
    if (options.allowEmpty === true) return ''
    throw bad('the path is empty')
  }
  if (raw.length > MAX_PATH) throw bad(`longer than ${String(MAX_PATH)} characters`)
  if (FORBIDDEN.test(raw)) throw bad('it contains a character that is not allowed')
  const folded = raw.normalize('NFKC')
  if (FORBIDDEN.test(folded)) throw bad('it contains a character that is not allowed')
  if (raw.startsWith('/') || folded.startsWith('/')) throw bad('absolute paths are not allowed')
  const segments = raw.split('/')
  const foldedSegments = folded.split('/')
  if (segments.length !== foldedSegments.length) throw bad('it contains a look-alike separator')
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] ?? ''
    const f = foldedSegments[i] ?? ''
    if (s.length === 0) throw bad('empty path segments are not allowed')
    if (s.length > MAX_SEGMENT) throw bad(`a segment is longer than ${String(MAX_SEGMENT)}`)
    if (f === '.' || f === '..' || s === '.' || s === '..')
      throw bad('"." and ".." segments are not allowed')
    if (/[. ]$/.test(s) || /[. ]$/.test(f) || /^ /.test(s)) {
      throw bad('segments must not start with a space or end with a dot or a space')
    }
  }
  return segments.join('/')
}
