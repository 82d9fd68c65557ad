import { isAbsolute, join, relative, resolve } from 'node:path'

import { assert, toContentKey, ValidationError, type ContentKey } from '../../core/index.js'

/** Directory under the root holding the fan-out tree of finished blobs. */
export const BLOBS_DIR = 'blobs'
/** Directory under the root holding in-progress writes. */
export const TMP_DIR = 'tmp'

/**
 * The two fan-out directory names of a key: `ab` and `cd` for `abcd…`.
 *
 * @internal
 */
export function fanOutOf(key: ContentKey): readonly [string, string] {
  return [key.slice(0, 2), key.slice(2, 4)]
}

/**
 * Maps a content key to `<root>/blobs/<k[0..2]>/<k[2..4]>/<key>`: the ONLY place where a key
 * becomes a path.
 *
 * The key is validated first with the strict content-key grammar (64 lowercase hex characters;
 * no decoding, trimming or normalisation is ever applied, so `%2e%2e%2f`, `..\\`, NUL or a
 * trailing dot can never reach the filesystem). Containment is then checked on the resolved
 * path as defence in depth, which cannot fail for a well-formed key.
 *
 * @param root - absolute path of the store root (a programmer error otherwise)
 * @param key - anything; strings from HTTP, the CLI or the metadata store alike
 * @returns an absolute path strictly inside `<root>/blobs`
 * @throws ValidationError (`INVALID_ARGUMENT`) when `key` is not a content key
 * @internal exported for the store and its path-containment tests
 */
export function resolveBlobPath(root: string, key: unknown): string {
  assert(isAbsolute(root), 'the artifact root must be an absolute path')
  const checked = toContentKey(key, 'key')
  const blobs = join(root, BLOBS_DIR)
  const [first, second] = fanOutOf(checked)
  const resolved = resolve(blobs, first, second, checked)
  const rel = relative(blobs, resolved)
  // Cannot trigger after the regex above; kept so that a future change to the key grammar
  // (or to this function) fails closed instead of escaping the root.
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new ValidationError('invalid content key', [
      { path: ['key'], code: 'invalid_format', message: 'key resolves outside the store' },
    ])
  }
  return resolved
}
