import { randomUUID } from 'node:crypto'
import { createReadStream, constants as FS } from 'node:fs'
import {
  access,
  lstat,
  mkdir,
  open,
  readdir,
  rename,
  unlink,
  type FileHandle,
} from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { pipeline, type Readable } from 'node:stream'
import { pathToFileURL } from 'node:url'

import {
  NotFoundError,
  PlatformError,
  ValidationError,
  validationErrorFromIssues,
  silentLogger,
  systemClock,
  throwIfAborted,
  toContentKey,
  type Clock,
  type ContentKey,
  type Logger,
} from '../../core/index.js'
import type {
  ArtifactStore,
  BlobInfo,
  ListOptions,
  OpOptions,
  PutOptions,
} from '../../ports/index.js'

import { BLOBS_DIR, TMP_DIR, fanOutOf, resolveBlobPath } from './blob-path.js'
import { copySource } from './copy-source.js'
import { fsArtifactConfigSchema, type FsArtifactConfig } from './fs-config.js'
import { hashFile } from './hash-file.js'
import {
  DIR_MODE,
  FILE_MODE,
  READ_OPEN_FLAGS,
  TEMP_OPEN_FLAGS,
  corruptError,
  ensureDir,
  errnoCode,
  fsyncDir,
  lstatOrUndefined,
  readSortedDirs,
  readSortedKeys,
  toStoreError,
} from './fs-util.js'
import { bindAbort, createVerifyingStream } from './read-stream.js'

/** Optional collaborators of the fs artifact store. */
export interface FsArtifactStoreDeps {
  /** @default silentLogger */
  readonly logger?: Logger
  /** Used to age leftover temp files at `init`. @default systemClock */
  readonly clock?: Clock
}

/** Bytes per read when an adopted file is copied after all (another filesystem). */
const ADOPT_READ_BYTES = 1 << 20

function blobInfo(key: ContentKey, size: number): BlobInfo {
  return Object.freeze({ key, size, digest: `sha256:${key}` })
}

function checkMaxBytes(maxBytes: number | undefined): void {
  if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes >= 0)) {
    throw new ValidationError('invalid maxBytes', [
      { path: ['maxBytes'], code: 'invalid_value', message: 'expected a non-negative integer' },
    ])
  }
}

/** `blobs/` or `tmp/` is a symlink or a file: refuse rather than work in a foreign tree. */
function layoutError(entry: string): PlatformError {
  return new PlatformError('FAILED_PRECONDITION', 'artifact root layout is invalid', {
    reason: 'LAYOUT',
    entry,
  })
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return Number.POSITIVE_INFINITY
  if (!(Number.isSafeInteger(limit) && limit >= 0)) {
    throw new ValidationError('invalid limit', [
      { path: ['limit'], code: 'invalid_value', message: 'expected a non-negative integer' },
    ])
  }
  return limit
}

/**
 * Creates the local-filesystem artifact store: content-addressed blobs under
 * `<root>/blobs/<k[0..2]>/<k[2..4]>/<key>`, written through `<root>/tmp/` (see the
 * `ArtifactStore` port for the full contract).
 *
 * Guarantees beyond the port:
 * - Keys are the only names; the single key→path function ({@link resolveBlobPath}) validates
 *   them strictly, and no fan-out level or blob is ever reached through a symlink (every level
 *   is `lstat`ed, blobs are opened with `O_NOFOLLOW`), so nothing outside the root is read,
 *   written or deleted. A symlink or other non-file where a blob belongs is `INTERNAL`
 *   (`reason: 'CORRUPT'`), never followed.
 * - Durability: temp file (`O_EXCL|O_NOFOLLOW`, `0o600`) → fsync → rename → fsync of the
 *   directory; new fan-out directories (`0o700`) are fsynced into their parents too.
 * - `init` removes temp files older than `staleTempAfterMs`. Several processes may share a root
 *   as long as none of them stalls an upload for that long.
 * - After `close`, every operation rejects with `UNAVAILABLE`.
 *
 * @throws ValidationError when `config` does not match {@link fsArtifactConfigSchema}
 * @example
 * ```ts
 * const store = createFsArtifactStore({ kind: 'fs', root: '/var/lib/plinth/artifacts' })
 * await store.init()
 * const { key } = await store.put(Readable.from([Buffer.from('hello')]))
 * const stream = await store.get(key)
 * ```
 */
export function createFsArtifactStore(
  config: FsArtifactConfig,
  deps: FsArtifactStoreDeps = {},
): ArtifactStore {
  const parsed = fsArtifactConfigSchema.safeParse(config)
  if (!parsed.success) {
    throw validationErrorFromIssues('invalid fs artifact store configuration', parsed.error.issues)
  }
  const { verifyOnRead, staleTempAfterMs } = parsed.data
  const root = resolve(parsed.data.root)
  const blobsDir = join(root, BLOBS_DIR)
  const tmpDir = join(root, TMP_DIR)
  const logger = deps.logger ?? silentLogger
  const clock = deps.clock ?? systemClock
  let closed = false

  function ensureOpen(): void {
    if (closed) throw new PlatformError('UNAVAILABLE', 'the artifact store is closed')
  }

  /**
   * Checks `blobs/`, `blobs/ab/` and `blobs/ab/cd/` are real directories (never symlinks),
   * so a path built from a valid key cannot be redirected outside the root.
   * @returns false when a level is missing (so the blob is too)
   */
  async function fanOutExists(key: ContentKey): Promise<boolean> {
    const [first, second] = fanOutOf(key)
    for (const dir of [blobsDir, join(blobsDir, first), join(blobsDir, first, second)]) {
      const st = await lstatOrUndefined(dir)
      if (st === undefined) return false
      if (!st.isDirectory()) throw corruptError(key, 'a fan-out level is not a directory')
    }
    return true
  }

  /** Creates the fan-out levels one at a time, refusing any that is not a real directory. */
  async function ensureFanOut(key: ContentKey): Promise<void> {
    const [first, second] = fanOutOf(key)
    let parent = root
    for (const dir of [blobsDir, join(blobsDir, first), join(blobsDir, first, second)]) {
      const result = await ensureDir(dir)
      if (result === 'not-a-directory')
        throw corruptError(key, 'a fan-out level is not a directory')
      // A new directory entry is only durable once its parent is fsynced.
      if (result === 'created') await fsyncDir(parent)
      parent = dir
    }
  }

  async function collectStaleTemps(signal: AbortSignal | undefined): Promise<void> {
    const now = clock.now()
    let removed = 0
    for (const entry of await readdir(tmpDir, { withFileTypes: true })) {
      throwIfAborted(signal)
      const file = join(tmpDir, entry.name)
      if (entry.isDirectory()) {
        logger.warn({ entry: entry.name }, 'unexpected directory in artifact tmp/, left in place')
        continue
      }
      const st = await lstatOrUndefined(file)
      if (st === undefined) continue
      if (staleTempAfterMs > 0 && now - st.mtimeMs < staleTempAfterMs) continue
      try {
        await unlink(file)
        removed++
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw err
      }
    }
    if (removed > 0) logger.info({ removed }, 'removed abandoned artifact temp files')
  }

  async function init(opts: OpOptions = {}): Promise<void> {
    ensureOpen()
    throwIfAborted(opts.signal)
    try {
      await mkdir(root, { recursive: true, mode: DIR_MODE })
      for (const dir of [blobsDir, tmpDir]) {
        if ((await ensureDir(dir)) === 'not-a-directory') {
          throw layoutError(dir === blobsDir ? BLOBS_DIR : TMP_DIR)
        }
      }
      await collectStaleTemps(opts.signal)
    } catch (err) {
      throw toStoreError(err, 'init')
    }
  }

  /**
   * Makes the complete, durable file `file` (of `size` bytes hashing to `key`) the blob `key`:
   * renamed into place, or dropped when the store already has those bytes. Afterwards `file` is
   * gone, and the blob is visible and durable (its directory synced).
   */
  async function commit(
    file: string,
    key: ContentKey,
    size: number,
    signal: AbortSignal | undefined,
  ): Promise<BlobInfo> {
    // Last point of no return: after the rename the blob is complete and visible.
    throwIfAborted(signal)
    const finalPath = resolveBlobPath(root, key)
    await ensureFanOut(key)
    const existing = await lstatOrUndefined(finalPath)
    if (existing?.isFile() === true && existing.size === size) {
      // Content addressing: same key, same bytes; ours is a duplicate.
      await unlink(file)
    } else {
      if (existing !== undefined) {
        logger.warn({ key }, 'replacing a damaged entry in the artifact store')
      }
      // Atomic on POSIX, and replaces a symlink or truncated file rather than following it.
      await rename(file, finalPath)
    }
    // If this fails the put rejects although the (complete) blob is visible: never acked
    // without durability, and a retry is a cheap duplicate.
    await fsyncDir(dirname(finalPath))
    return blobInfo(key, size)
  }

  /**
   * Moves a finished file the caller wrote into the store instead of copying it: hashed where it
   * is, synced, renamed into place. On another filesystem (`EXDEV`) it is copied as `put` does
   * and then removed. On failure the file is left where it was.
   */
  async function adoptFile(file: string, opts: OpOptions = {}): Promise<BlobInfo> {
    ensureOpen()
    throwIfAborted(opts.signal)
    let fh: FileHandle | undefined
    try {
      // O_NOFOLLOW: a symlink is never adopted (nor what it points to).
      fh = await open(file, FS.O_RDWR | FS.O_NOFOLLOW)
      if (!(await fh.stat()).isFile()) throw new Error(`${file} is not a regular file`)
      // The sync runs on libuv's pool while the (cached) bytes are hashed.
      const synced = fh.sync()
      synced.catch(() => undefined)
      const { hex, size } = await hashFile(fh, opts.signal)
      await fh.chmod(FILE_MODE)
      await synced
      await fh.close()
      fh = undefined
      const key = toContentKey(hex)
      try {
        return await commit(file, key, size, opts.signal)
      } catch (err) {
        if (errnoCode(err) !== 'EXDEV') throw err
      }
    } catch (err) {
      throw toStoreError(err, 'put')
    } finally {
      if (fh !== undefined) await fh.close().catch(() => undefined)
    }
    const info = await put(createReadStream(file, { highWaterMark: ADOPT_READ_BYTES }), opts)
    await unlink(file).catch(() => undefined)
    return info
  }

  async function put(
    source: Readable | AsyncIterable<Uint8Array>,
    opts: PutOptions = {},
  ): Promise<BlobInfo> {
    ensureOpen()
    checkMaxBytes(opts.maxBytes)
    throwIfAborted(opts.signal)
    // A random name under tmp/: never derived from input, and O_EXCL refuses any collision.
    const tmpFile = join(tmpDir, `${randomUUID()}.tmp`)
    let fh: FileHandle | undefined
    let settled = false
    try {
      fh = await open(tmpFile, TEMP_OPEN_FLAGS, FILE_MODE)
      const { key, size } = await copySource(fh, source, {
        ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
        ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      })
      await fh.sync()
      await fh.close()
      fh = undefined
      const info = await commit(tmpFile, key, size, opts.signal)
      settled = true
      return info
    } catch (err) {
      throw toStoreError(err, 'put')
    } finally {
      if (fh !== undefined) await fh.close().catch(() => undefined)
      if (!settled) {
        await unlink(tmpFile).catch((err: unknown) => {
          if (errnoCode(err) !== 'ENOENT')
            logger.warn({ err }, 'could not remove an artifact temp file')
        })
      }
    }
  }

  async function openBlob(key: ContentKey): Promise<FileHandle> {
    const file = resolveBlobPath(root, key)
    if (!(await fanOutExists(key))) throw new NotFoundError('blob not found', { key })
    let fh: FileHandle
    try {
      fh = await open(file, READ_OPEN_FLAGS)
    } catch (err) {
      const code = errnoCode(err)
      if (code === 'ENOENT') throw new NotFoundError('blob not found', { key })
      // ELOOP on Linux (EMLINK on the BSDs): a symlink sits where the blob belongs.
      if (code === 'ELOOP' || code === 'EMLINK')
        throw corruptError(key, 'the blob is a symlink', err)
      throw err
    }
    try {
      const st = await fh.stat()
      if (!st.isFile()) throw corruptError(key, 'the blob is not a regular file')
      return fh
    } catch (err) {
      await fh.close().catch(() => undefined)
      throw err
    }
  }

  async function get(key: ContentKey, opts: OpOptions = {}): Promise<Readable> {
    ensureOpen()
    const checked = toContentKey(key, 'key')
    throwIfAborted(opts.signal)
    try {
      const fh = await openBlob(checked)
      if (opts.signal?.aborted === true) {
        await fh.close()
        throwIfAborted(opts.signal)
      }
      const raw = fh.createReadStream()
      if (!verifyOnRead) return bindAbort(raw, opts.signal)
      const verified = createVerifyingStream(checked, () => {
        logger.error({ key: checked }, 'artifact blob failed its integrity check')
      })
      // pipeline forwards errors both ways and closes the file when either side is destroyed.
      pipeline(raw, verified, () => undefined)
      return bindAbort(verified, opts.signal)
    } catch (err) {
      if (err instanceof PlatformError && err.details['reason'] === 'CORRUPT') {
        logger.error({ key: checked, what: err.details['what'] }, 'artifact blob is corrupt')
      }
      throw toStoreError(err, 'get')
    }
  }

  async function stat(key: ContentKey, opts: OpOptions = {}): Promise<BlobInfo | undefined> {
    ensureOpen()
    const file = resolveBlobPath(root, key)
    const checked = toContentKey(key, 'key')
    throwIfAborted(opts.signal)
    try {
      if (!(await fanOutExists(checked))) return undefined
      const st = await lstatOrUndefined(file)
      if (st === undefined) return undefined
      if (!st.isFile()) throw corruptError(checked, 'the blob is not a regular file')
      return blobInfo(checked, st.size)
    } catch (err) {
      throw toStoreError(err, 'stat')
    }
  }

  async function localPath(key: ContentKey, opts: OpOptions = {}): Promise<string | undefined> {
    // Same checks as `stat` (regular file, no symlinked fan-out); the path comes from the key only.
    const info = await stat(key, opts)
    return info === undefined ? undefined : resolveBlobPath(root, info.key)
  }

  async function* list(opts: ListOptions = {}): AsyncGenerator<BlobInfo> {
    ensureOpen()
    const after = opts.after === undefined ? undefined : toContentKey(opts.after, 'after')
    const limit = checkLimit(opts.limit)
    throwIfAborted(opts.signal)
    if (limit === 0) return
    let emitted = 0
    try {
      const top = await lstatOrUndefined(blobsDir)
      if (top === undefined) return
      // readdir would follow a symlinked blobs/ and list a foreign tree.
      if (!top.isDirectory()) throw layoutError(BLOBS_DIR)
      for (const first of await readSortedDirs(blobsDir)) {
        if (after !== undefined && first < after.slice(0, 2)) continue
        const firstDir = join(blobsDir, first)
        for (const second of await readSortedDirs(firstDir)) {
          const prefix = first + second
          if (after !== undefined && prefix < after.slice(0, 4)) continue
          const leafDir = join(firstDir, second)
          for (const name of await readSortedKeys(leafDir, prefix)) {
            if (after !== undefined && name <= after) continue
            throwIfAborted(opts.signal)
            const st = await lstatOrUndefined(join(leafDir, name))
            // Deleted since readdir, or not a regular file: not a blob.
            if (st === undefined || !st.isFile()) continue
            yield blobInfo(name, st.size)
            emitted++
            if (emitted >= limit) return
          }
        }
      }
    } catch (err) {
      throw toStoreError(err, 'list')
    }
  }

  async function remove(key: ContentKey, opts: OpOptions = {}): Promise<boolean> {
    ensureOpen()
    const file = resolveBlobPath(root, key)
    const checked = toContentKey(key, 'key')
    throwIfAborted(opts.signal)
    try {
      // Without this check, unlink would follow a symlinked fan-out level and delete outside.
      if (!(await fanOutExists(checked))) return false
      try {
        // unlink never follows a final symlink: a planted link is removed, its target is not.
        await unlink(file)
      } catch (err) {
        const code = errnoCode(err)
        if (code === 'ENOENT') return false
        if (code === 'EISDIR' || code === 'EPERM')
          throw corruptError(checked, 'the blob is not a regular file', err)
        throw err
      }
      await fsyncDir(dirname(file))
      return true
    } catch (err) {
      throw toStoreError(err, 'delete')
    }
  }

  async function ping(opts: OpOptions = {}): Promise<void> {
    ensureOpen()
    throwIfAborted(opts.signal)
    try {
      for (const dir of [blobsDir, tmpDir]) {
        const st = await lstat(dir)
        if (!st.isDirectory()) throw new Error('not a directory')
        await access(dir, FS.R_OK | FS.W_OK | FS.X_OK)
      }
    } catch (err) {
      throw new PlatformError(
        'UNAVAILABLE',
        'artifact storage is not accessible',
        { errno: errnoCode(err) },
        { cause: err },
      )
    }
  }

  return Object.freeze({
    kind: 'fs',
    init,
    put,
    adoptFile,
    get,
    stat,
    localPath,
    list,
    delete: remove,
    ping,
    describe: () => pathToFileURL(root).href,
    close(): Promise<void> {
      closed = true
      return Promise.resolve()
    },
  })
}
