import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath, pathToFileURL } from 'node:url'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { isPlatformError, toContentKey, type ContentKey } from '../../core/index.js'
import type { ArtifactStore } from '../../ports/index.js'
import { describeArtifactStore } from '../../ports/testing/describe-artifact-store.js'
import { createFsArtifactStore } from './fs-artifact-store.js'
import { rejectionOf } from '../../test-support/index.js'

describeArtifactStore('fs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plinth-fs-contract-'))
  const store = createFsArtifactStore({ kind: 'fs', root: join(dir, 'root') })
  return {
    store,
    async cleanup() {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
})

function sha256(bytes: Uint8Array | string): ContentKey {
  return toContentKey(createHash('sha256').update(bytes).digest('hex'))
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of stream)
    parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
  return Buffer.concat(parts)
}

async function keys(store: ArtifactStore): Promise<string[]> {
  const out: string[] = []
  for await (const info of store.list()) out.push(info.key)
  return out
}

function blobPathIn(root: string, key: string): string {
  return join(root, 'blobs', key.slice(0, 2), key.slice(2, 4), key)
}

const CANARY = 'CANARY-CONTENT-must-never-be-served'

describe('fs artifact store', () => {
  let dir: string
  let root: string
  let store: ArtifactStore

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plinth-fs-artifacts-'))
    root = join(dir, 'root')
    store = createFsArtifactStore({ kind: 'fs', root })
    await store.init()
  })

  afterEach(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  describe('configuration', () => {
    it('resolves a relative root once and describes itself as a file URL', () => {
      const s = createFsArtifactStore({ kind: 'fs', root: 'some/relative/dir' })
      expect(s.kind).toBe('fs')
      expect(s.describe()).toBe(pathToFileURL(resolve('some/relative/dir')).href)
      expect(store.describe()).toBe(pathToFileURL(root).href)
      expect(store.describe().startsWith('file:///')).toBe(true)
    })

    it('rejects invalid configuration with INVALID_ARGUMENT', () => {
      const bad: unknown[] = [
        { kind: 'fs', root: '' },
        { kind: 'fs', root: 'a\0b' },
        { kind: 's3', root: '/x' },
        { kind: 'fs', root: '/x', extra: true },
        { kind: 'fs', root: '/x', staleTempAfterMs: -1 },
      ]
      for (const config of bad) {
        let caught: unknown
        try {
          // @ts-expect-error deliberately invalid configuration
          createFsArtifactStore(config)
        } catch (err) {
          caught = err
        }
        expect(caught).toMatchObject({ code: 'INVALID_ARGUMENT' })
      }
    })
  })

  describe('modes', () => {
    it('creates blobs 0o600 and every directory 0o700', async () => {
      const info = await store.put(Readable.from([Buffer.from('mode check')]))
      const file = blobPathIn(root, info.key)
      expect((await stat(file)).mode & 0o777).toBe(0o600)
      const dirs = [
        root,
        join(root, 'blobs'),
        join(root, 'tmp'),
        join(root, 'blobs', info.key.slice(0, 2)),
        join(root, 'blobs', info.key.slice(0, 2), info.key.slice(2, 4)),
      ]
      for (const d of dirs)
        expect({ d, mode: (await stat(d)).mode & 0o777 }).toEqual({ d, mode: 0o700 })
    })
  })

  describe('adoptFile', () => {
    it('moves a finished file in under its digest, 0o600, and drops a duplicate', async () => {
      const bytes = Buffer.alloc(3 << 20, 7)
      bytes.write('adopted', 1 << 20)
      const file = join(dir, 'mine.bin')
      await writeFile(file, bytes, { mode: 0o644 })
      const info = await store.adoptFile?.(file)
      expect(info).toEqual({
        key: sha256(bytes),
        size: bytes.length,
        digest: `sha256:${sha256(bytes)}`,
      })
      await expect(stat(file)).rejects.toThrow(/ENOENT/)
      const blob = blobPathIn(root, sha256(bytes))
      expect((await stat(blob)).mode & 0o777).toBe(0o600)
      expect((await readFile(blob)).equals(bytes)).toBe(true)
      await writeFile(file, bytes)
      expect((await store.adoptFile?.(file))?.key).toBe(sha256(bytes))
      await expect(stat(file)).rejects.toThrow(/ENOENT/)
      expect(await keys(store)).toEqual([sha256(bytes)])
    })

    it('refuses a symlink and leaves a file it could not adopt where it was', async () => {
      const target = join(dir, 'target.bin')
      await writeFile(target, 'secret')
      const link = join(dir, 'link.bin')
      await symlink(target, link)
      await expect(store.adoptFile?.(link)).rejects.toSatisfy(isPlatformError)
      expect(await readFile(target, 'utf8')).toBe('secret')
      const aborted = AbortSignal.abort()
      await expect(store.adoptFile?.(target, { signal: aborted })).rejects.toSatisfy(
        isPlatformError,
      )
      expect(await readFile(target, 'utf8')).toBe('secret')
      expect(await keys(store)).toEqual([])
    })
  })

  describe('temp-file garbage collection at init', () => {
    it('removes stale temp files and keeps fresh ones (a writer may still own them)', async () => {
      const tmp = join(root, 'tmp')
      await writeFile(join(tmp, 'stale.tmp'), 'partial')
      await writeFile(join(tmp, 'fresh.tmp'), 'in progress')
      const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000)
      await utimes(join(tmp, 'stale.tmp'), twoHoursAgo, twoHoursAgo)
      await createFsArtifactStore({ kind: 'fs', root }).init()
      expect(await readdir(tmp)).toEqual(['fresh.tmp'])
    })

    it('removes every temp file with staleTempAfterMs: 0', async () => {
      const tmp = join(root, 'tmp')
      await writeFile(join(tmp, 'a.tmp'), 'x')
      await writeFile(join(tmp, 'b.tmp'), 'y')
      await createFsArtifactStore({ kind: 'fs', root, staleTempAfterMs: 0 }).init()
      expect(await readdir(tmp)).toEqual([])
    })

    it('leaves nothing in tmp/ after successful, failed and cancelled puts', async () => {
      await store.put(Readable.from([Buffer.from('ok')]))
      await rejectionOf(store.put(Readable.from([Buffer.alloc(100)]), { maxBytes: 10 }))
      await rejectionOf(
        store.put(Readable.from([Buffer.alloc(100)]), { signal: AbortSignal.abort() }),
      )
      expect(await readdir(join(root, 'tmp'))).toEqual([])
    })
  })

  describe('integrity on read', () => {
    it('fails the stream with INTERNAL/CORRUPT when a byte is flipped on disk', async () => {
      const bytes = Buffer.alloc(100_000, 7)
      const info = await store.put(Readable.from([bytes]))
      const file = blobPathIn(root, info.key)
      const onDisk = await readFile(file)
      onDisk[50_000] = (onDisk[50_000] ?? 0) ^ 0x01
      await writeFile(file, onDisk)

      const err = await rejectionOf(store.get(info.key).then(readAll))
      expect(isPlatformError(err)).toBe(true)
      expect(err).toMatchObject({ code: 'INTERNAL', details: { reason: 'CORRUPT', key: info.key } })

      // With verification off, the bytes are served as stored (documented trade-off).
      const unverified = createFsArtifactStore({ kind: 'fs', root, verifyOnRead: false })
      expect((await readAll(await unverified.get(info.key))).equals(onDisk)).toBe(true)
    })

    it('repairs a truncated blob when the same content is put again', async () => {
      const bytes = Buffer.from('a blob that will be truncated')
      const info = await store.put(Readable.from([bytes]))
      await writeFile(blobPathIn(root, info.key), bytes.subarray(0, 5))
      await rejectionOf(store.get(info.key).then(readAll))
      await store.put(Readable.from([bytes]))
      expect((await readAll(await store.get(info.key))).equals(bytes)).toBe(true)
    })
  })

  describe('symlinks and foreign entries (D2)', () => {
    let canary: string

    beforeEach(async () => {
      canary = join(dir, 'canary.txt')
      await writeFile(canary, CANARY)
    })

    async function expectCanaryIntact(): Promise<void> {
      expect(await readFile(canary, 'utf8')).toBe(CANARY)
    }

    it('never follows a symlink planted in place of a blob', async () => {
      const bytes = Buffer.from('the real blob')
      const info = await store.put(Readable.from([bytes]))
      const file = blobPathIn(root, info.key)
      await rm(file)
      await symlink(canary, file)

      for (const verifyOnRead of [true, false]) {
        const s = createFsArtifactStore({ kind: 'fs', root, verifyOnRead })
        const err = await rejectionOf(s.get(info.key).then(readAll))
        expect(err).toMatchObject({ code: 'INTERNAL', details: { reason: 'CORRUPT' } })
        expect(JSON.stringify(err)).not.toContain(CANARY)
        expect(String(err)).not.toContain(CANARY)
      }
      expect(await rejectionOf(store.stat(info.key))).toMatchObject({
        details: { reason: 'CORRUPT' },
      })
      expect(await keys(store)).toEqual([])

      // delete removes the link itself, never its target; a re-put restores the blob.
      expect(await store.delete(info.key)).toBe(true)
      await expectCanaryIntact()
      await store.put(Readable.from([bytes]))
      expect((await lstat(file)).isFile()).toBe(true)
      expect((await readAll(await store.get(info.key))).equals(bytes)).toBe(true)
      await expectCanaryIntact()
    })

    it('replaces a planted symlink on put instead of writing through it', async () => {
      const bytes = Buffer.from('content whose slot was hijacked')
      const key = sha256(bytes)
      await mkdir(join(root, 'blobs', key.slice(0, 2), key.slice(2, 4)), { recursive: true })
      await symlink(canary, blobPathIn(root, key))
      await store.put(Readable.from([bytes]))
      await expectCanaryIntact()
      expect((await readAll(await store.get(key))).equals(bytes)).toBe(true)
    })

    it('never reads, writes or deletes through a symlinked fan-out directory', async () => {
      const bytes = Buffer.from('blob behind a hijacked directory')
      const key = sha256(bytes)
      const outside = join(dir, 'outside')
      await mkdir(join(outside, key.slice(2, 4)), { recursive: true })
      const outsideFile = join(outside, key.slice(2, 4), key)
      await writeFile(outsideFile, CANARY)
      await mkdir(join(root, 'blobs'), { recursive: true })
      await symlink(outside, join(root, 'blobs', key.slice(0, 2)))

      for (const verifyOnRead of [true, false]) {
        const s = createFsArtifactStore({ kind: 'fs', root, verifyOnRead })
        const err = await rejectionOf(s.get(key).then(readAll))
        expect(err).toMatchObject({ code: 'INTERNAL', details: { reason: 'CORRUPT' } })
      }
      expect(await rejectionOf(store.stat(key))).toMatchObject({ details: { reason: 'CORRUPT' } })
      expect(await rejectionOf(store.delete(key))).toMatchObject({ details: { reason: 'CORRUPT' } })
      expect(await rejectionOf(store.put(Readable.from([bytes])))).toMatchObject({
        details: { reason: 'CORRUPT' },
      })
      expect(await keys(store)).toEqual([])
      expect(await readFile(outsideFile, 'utf8')).toBe(CANARY)
      expect(await readdir(join(outside, key.slice(2, 4)))).toEqual([key])
      expect(await readdir(join(root, 'tmp'))).toEqual([])
    })

    it('refuses to start on a root whose blobs/ is a symlink', async () => {
      const other = join(dir, 'other-root')
      await mkdir(join(dir, 'elsewhere'))
      await mkdir(other)
      await symlink(join(dir, 'elsewhere'), join(other, 'blobs'))
      await writeFile(join(dir, 'elsewhere', 'foreign'), CANARY)
      const s = createFsArtifactStore({ kind: 'fs', root: other })
      expect(await rejectionOf(s.init())).toMatchObject({ code: 'FAILED_PRECONDITION' })
      // Operations that skip init still refuse to walk, read or write the foreign tree.
      await mkdir(join(other, 'tmp'))
      expect(await rejectionOf(keys(s))).toMatchObject({ code: 'FAILED_PRECONDITION' })
      const key = sha256('x')
      expect(await rejectionOf(s.get(key))).toMatchObject({ details: { reason: 'CORRUPT' } })
      expect(await rejectionOf(s.put(Readable.from([Buffer.from('x')])))).toMatchObject({
        details: { reason: 'CORRUPT' },
      })
      expect(await readdir(join(dir, 'elsewhere'))).toEqual(['foreign'])
    })

    it('treats a directory in place of a blob as corrupt', async () => {
      const key = sha256('a directory squats here')
      await mkdir(blobPathIn(root, key), { recursive: true })
      expect(await rejectionOf(store.get(key))).toMatchObject({ details: { reason: 'CORRUPT' } })
      expect(await rejectionOf(store.stat(key))).toMatchObject({ details: { reason: 'CORRUPT' } })
      expect(await rejectionOf(store.delete(key))).toMatchObject({ details: { reason: 'CORRUPT' } })
      expect(await keys(store)).toEqual([])
    })
  })

  describe('crash safety', () => {
    it('never shows a partially written temp file or stray entries', async () => {
      const partial = Buffer.from('half of a blob')
      await writeFile(join(root, 'tmp', '00000000-crashed.tmp'), partial)
      const real = await store.put(Readable.from([Buffer.from('complete')]))
      // Stray names in the blob tree: wrong case, wrong prefix, not a key, a temp-looking name.
      const k = sha256('stray')
      const wrongPrefixDir = join(root, 'blobs', 'ff', 'ff')
      await mkdir(wrongPrefixDir, { recursive: true })
      await writeFile(join(wrongPrefixDir, k.startsWith('ffff') ? 'x' : k), 'misplaced')
      await mkdir(join(root, 'blobs', 'ZZ'), { recursive: true })
      await writeFile(join(root, 'blobs', 'ZZ', 'junk'), 'junk')
      await writeFile(join(root, 'blobs', 'not-a-dir'), 'junk')
      await mkdir(join(root, 'blobs', k.slice(0, 2), k.slice(2, 4)), { recursive: true })
      await writeFile(join(root, 'blobs', k.slice(0, 2), k.slice(2, 4), k.toUpperCase()), 'junk')
      await writeFile(join(root, 'blobs', k.slice(0, 2), k.slice(2, 4), `${k}.tmp`), 'junk')

      expect(await keys(store)).toEqual([real.key])
      expect(await rejectionOf(store.get(sha256(partial)))).toMatchObject({ code: 'NOT_FOUND' })
      expect(await store.stat(sha256(partial))).toBeUndefined()
    })

    it('leaves no visible blob when the writing process is killed mid-upload', async () => {
      const storeModule = fileURLToPath(new URL('./fs-artifact-store.ts', import.meta.url))
      const script = join(dir, 'writer.mjs')
      await writeFile(
        script,
        [
          `import { createFsArtifactStore } from ${JSON.stringify(pathToFileURL(storeModule).href)}`,
          `const store = createFsArtifactStore({ kind: 'fs', root: process.argv[2] })`,
          'await store.init()',
          'async function* slow() {',
          '  for (let i = 0; i < 100000; i++) {',
          '    yield new Uint8Array(64 * 1024).fill(i & 0xff)',
          '    await new Promise((r) => setTimeout(r, 2))',
          '  }',
          '}',
          'await store.put(slow())',
        ].join('\n'),
      )
      const child = spawn(process.execPath, ['--import', 'tsx', script, root], {
        cwd: fileURLToPath(new URL('../../..', import.meta.url)),
        stdio: 'ignore',
      })
      const exited = new Promise<void>((done) => {
        child.once('exit', () => {
          done()
        })
      })
      try {
        // Wait (bounded) until the writer has put real bytes into a temp file.
        const deadline = Date.now() + 20_000
        let written = 0
        while (written < 512 * 1024 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 25))
          const names = await readdir(join(root, 'tmp'))
          const sizes = await Promise.all(
            names.map(async (n) => (await stat(join(root, 'tmp', n))).size),
          )
          written = Math.max(0, ...sizes)
        }
        expect(written).toBeGreaterThanOrEqual(512 * 1024)
      } finally {
        child.kill('SIGKILL')
        await exited
      }

      expect((await readdir(join(root, 'tmp'))).length).toBe(1)
      expect(await keys(store)).toEqual([])
      expect(await readdir(join(root, 'blobs'))).toEqual([])
      // A restart collects the orphan (single-writer setting), and the store is usable.
      const restarted = createFsArtifactStore({ kind: 'fs', root, staleTempAfterMs: 0 })
      await restarted.init()
      expect(await readdir(join(root, 'tmp'))).toEqual([])
      const info = await restarted.put(Readable.from([Buffer.from('after the crash')]))
      expect(await keys(restarted)).toEqual([info.key])
    })
  })

  describe('lifecycle and cancellation', () => {
    it('ping fails with UNAVAILABLE when the root is gone', async () => {
      await store.ping()
      await rm(root, { recursive: true })
      expect(await rejectionOf(store.ping())).toMatchObject({ code: 'UNAVAILABLE' })
      // Reads of a missing layout are simply "absent"; writes say the layout is missing.
      expect(await store.stat(sha256('x'))).toBeUndefined()
      expect(await keys(store)).toEqual([])
      expect(await rejectionOf(store.put(Readable.from([Buffer.from('x')])))).toMatchObject({
        code: 'UNAVAILABLE',
      })
    })

    it('rejects every operation with UNAVAILABLE after close', async () => {
      const info = await store.put(Readable.from([Buffer.from('closing')]))
      await store.close()
      await store.close()
      for (const p of [
        store.init(),
        store.put(Readable.from([Buffer.from('x')])),
        store.get(info.key),
        store.stat(info.key),
        store.delete(info.key),
        store.ping(),
        keys(store),
      ]) {
        expect(await rejectionOf(p)).toMatchObject({ code: 'UNAVAILABLE' })
      }
    })

    it('destroys a download stream with CancelledError when its signal fires', async () => {
      const info = await store.put(Readable.from([Buffer.alloc(4 * 1024 * 1024, 1)]))
      const ac = new AbortController()
      const stream = await store.get(info.key, { signal: ac.signal })
      const err = await rejectionOf(
        (async () => {
          for await (const _chunk of stream) ac.abort()
        })(),
      )
      expect(err).toMatchObject({ code: 'CANCELLED' })
    })
  })
})
