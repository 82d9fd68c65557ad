/**
 * Small filesystem helpers shared by the fs artifact store: errno mapping, directory fsync and
 * the "a directory, never a symlink" check used on every fan-out level.
 *
 * @internal
 */
import { constants as FS, type Dirent, type Stats } from 'node:fs'
import { lstat, mkdir, open, readdir } from 'node:fs/promises'

import { PlatformError, isContentKey, type ContentKey } from '../../core/index.js'

/** Mode of every directory the store creates (owner only; see security reference row 22). */
export const DIR_MODE = 0o700
/** Mode of every blob and temp file. */
export const FILE_MODE = 0o600

/**
 * Flags for temp files: a fresh file (`O_EXCL`), never through a symlink (`O_NOFOLLOW`).
 */
export const TEMP_OPEN_FLAGS = FS.O_CREAT | FS.O_EXCL | FS.O_WRONLY | FS.O_NOFOLLOW

/**
 * Flags for reading blobs. `O_NOFOLLOW` makes a symlink planted in place of a blob fail with
 * `ELOOP` instead of being followed. `O_NONBLOCK` has no effect on regular files, but stops a
 * FIFO planted in place of a blob from blocking `open` forever (it is then rejected by `fstat`).
 */
export const READ_OPEN_FLAGS = FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK

/** The `code` of a Node system error (`'ENOENT'`, …), if there is one. */
export function errnoCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code
  return undefined
}

/** The error every integrity failure uses: `INTERNAL` with `reason: 'CORRUPT'`. */
export function corruptError(key: string, what: string, cause?: unknown): PlatformError {
  return new PlatformError(
    'INTERNAL',
    'stored blob is corrupt',
    { reason: 'CORRUPT', key, what },
    cause === undefined ? undefined : { cause },
  )
}

/**
 * Maps a filesystem failure to a `PlatformError`. Messages stay generic (no paths) because they
 * may reach clients; the errno code goes in `details` and the original error in `cause`.
 */
export function toStoreError(err: unknown, op: string): PlatformError {
  if (err instanceof PlatformError) return err
  const errno = errnoCode(err)
  switch (errno) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new PlatformError(
        'UNAVAILABLE',
        'artifact storage is full',
        { op, errno, reason: 'NO_SPACE' },
        { cause: err },
      )
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return new PlatformError(
        'UNAVAILABLE',
        'artifact storage is not writable',
        { op, errno, reason: 'NOT_WRITABLE' },
        { cause: err },
      )
    case 'ENOENT':
    case 'ENOTDIR':
      return new PlatformError(
        'UNAVAILABLE',
        'artifact storage layout is missing',
        { op, errno, reason: 'LAYOUT_MISSING' },
        { cause: err },
      )
    case undefined:
    default:
      return new PlatformError('INTERNAL', 'artifact storage failed', { op, errno }, { cause: err })
  }
}

/** `lstat` that answers `undefined` for a missing entry (or a missing parent). */
export async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path)
  } catch (err) {
    const code = errnoCode(err)
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw err
  }
}

/**
 * Flushes a directory's entries (a rename or unlink inside it) to stable storage.
 *
 * Renaming a fsynced file is not durable until the directory is fsynced too (ALICE, OSDI '14);
 * Linux allows `fsync` on a read-only directory descriptor.
 */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, FS.O_RDONLY | FS.O_DIRECTORY)
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/** What `ensureDir` found or did. */
export type EnsureDirResult = 'created' | 'existing' | 'not-a-directory'

/**
 * Creates one directory level (mode `0o700`) without following a symlink in its place.
 *
 * `mkdir` of a single level fails with `EEXIST` on anything already there, including a symlink,
 * which `lstat` then exposes; BAD: `mkdir(a/b/c, { recursive: true })` would happily create `c`
 * inside whatever `a/b` points to.
 */
export async function ensureDir(dir: string): Promise<EnsureDirResult> {
  try {
    await mkdir(dir, { mode: DIR_MODE })
    return 'created'
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err
  }
  const st = await lstat(dir)
  return st.isDirectory() ? 'existing' : 'not-a-directory'
}

const HEX2 = /^[0-9a-f]{2}$/

/** Sorted two-hex-digit subdirectories; anything else (files, symlinks, odd names) is ignored. */
export async function readSortedDirs(dir: string): Promise<string[]> {
  const entries = await readdirOrEmpty(dir)
  return entries
    .filter((e) => e.isDirectory() && HEX2.test(e.name))
    .map((e) => e.name)
    .sort()
}

/** Sorted well-formed keys in a leaf directory that belong there (matching `prefix`). */
export async function readSortedKeys(dir: string, prefix: string): Promise<ContentKey[]> {
  const keys: ContentKey[] = []
  for (const e of await readdirOrEmpty(dir)) {
    if (e.isFile() && isContentKey(e.name) && e.name.startsWith(prefix)) keys.push(e.name)
  }
  return keys.sort()
}

/** `readdir` with file types that answers `[]` for a missing directory. */
async function readdirOrEmpty(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true })
  } catch (err) {
    const code = errnoCode(err)
    if (code === 'ENOENT' || code === 'ENOTDIR') return []
    throw err
  }
}
