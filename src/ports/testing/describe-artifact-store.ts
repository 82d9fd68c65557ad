import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'

import { describe, expect, it, onTestFinished } from 'vitest'

import { isPlatformError, toContentKey, type ContentKey } from '../../core/index.js'
import type { ArtifactStore, BlobInfo, ListOptions } from '../artifact-store.js'
import { rejectionOf } from '../../test-support/index.js'

/** What an artifact-store factory must provide to the contract suite. */
export interface ArtifactStoreFixture {
  /** A fresh, empty store; the suite calls `init` itself. */
  readonly store: ArtifactStore
  /** Closes the store and removes everything it stored. */
  cleanup(): Promise<void>
}

const EMPTY_SHA256 = toContentKey(
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
)

function sha256(bytes: Uint8Array): ContentKey {
  return toContentKey(createHash('sha256').update(bytes).digest('hex'))
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
function bytesOf(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x & 0xff
  }
  return out
}

/** Yields to the event loop, as a network source would between chunks. */
function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

async function* chunked(bytes: Uint8Array, chunkSize: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += chunkSize) {
    await tick()
    // Copies, so the store cannot rely on chunks staying valid after they are consumed.
    yield Uint8Array.from(bytes.subarray(offset, offset + chunkSize))
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of stream) {
    parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
  }
  return Buffer.concat(parts)
}

async function listAll(store: ArtifactStore, opts?: ListOptions): Promise<BlobInfo[]> {
  const out: BlobInfo[] = []
  for await (const info of store.list(opts)) out.push(info)
  return out
}

async function keysOf(store: ArtifactStore): Promise<string[]> {
  return (await listAll(store)).map((i) => i.key)
}

/** Asserts `err` is a `PlatformError` with this code. */
function expectCode(err: unknown, code: string): void {
  expect(isPlatformError(err)).toBe(true)
  expect(err).toMatchObject({ code })
}

const MALFORMED_KEYS: readonly string[] = [
  '',
  'abc',
  EMPTY_SHA256.toUpperCase(),
  EMPTY_SHA256.slice(1),
  `${EMPTY_SHA256}0`,
  `${EMPTY_SHA256}\n`,
  `../${EMPTY_SHA256}`,
  `${EMPTY_SHA256.slice(0, 60)}/../`,
  '../../../../etc/passwd',
]

/**
 * The `ArtifactStore` contract, run against every adapter.
 *
 * `factory` must return a fresh, empty store on each call; the suite calls `init`, and
 * `cleanup` once the test has finished (pass or fail). "Nothing visible" below means: `list`
 * is unchanged and `stat`/`get` do not know the key of the rejected content.
 *
 * Beyond the port's TSDoc, the suite pins: a source error surfaces as a `PlatformError` (the
 * source's own, or one whose `cause` is the original error); a source yielding non-bytes is
 * `INVALID_ARGUMENT`; the `maxBytes` rejection carries `details.maxBytes`; a non-integer or
 * negative `maxBytes`/`limit` is `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * describeArtifactStore('fs', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'plinth-'))
 *   const store = createFsArtifactStore({ kind: 'fs', root: dir })
 *   return { store, cleanup: async () => { await store.close(); await rm(dir, { recursive: true }) } }
 * })
 * ```
 */
export function describeArtifactStore(
  name: string,
  factory: () => Promise<ArtifactStoreFixture>,
): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    async function setup(): Promise<ArtifactStoreFixture> {
      const f = await factory()
      // Runs even when the test fails, so no temp directory or connection leaks.
      onTestFinished(() => f.cleanup())
      await f.store.init()
      await f.store.init() // init is idempotent
      return f
    }

    it('round-trips an empty blob, one byte and a few MiB streamed in chunks', async () => {
      const f = await setup()
      const cases = [Buffer.alloc(0), Buffer.from([0x2a]), bytesOf(3 * 1024 * 1024 + 17, 7)]
      for (const bytes of cases) {
        const info = await f.store.put(chunked(bytes, 64 * 1024))
        expect(info.key).toBe(sha256(bytes))
        expect(info.digest).toBe(`sha256:${info.key}`)
        expect(info.size).toBe(bytes.byteLength)
        const back = await readAll(await f.store.get(info.key))
        expect(back.equals(bytes)).toBe(true)
      }
      expect((await f.store.stat(EMPTY_SHA256))?.size).toBe(0)
    })

    it('accepts a Node Readable as the source', async () => {
      const f = await setup()
      const bytes = bytesOf(200_000, 3)
      const info = await f.store.put(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]))
      expect(info.key).toBe(sha256(bytes))
      expect((await readAll(await f.store.get(info.key))).equals(bytes)).toBe(true)
    })

    it('is idempotent: the same bytes give the same key and one stored copy', async () => {
      const f = await setup()
      const bytes = bytesOf(10_000, 11)
      const a = await f.store.put(chunked(bytes, 1000))
      const b = await f.store.put(chunked(bytes, 333))
      expect(b).toEqual(a)
      expect(await listAll(f.store)).toEqual([a])
    })

    it('stats present and absent keys', async () => {
      const f = await setup()
      const bytes = bytesOf(1234, 5)
      const info = await f.store.put(chunked(bytes, 100))
      expect(await f.store.stat(info.key)).toEqual({
        key: info.key,
        size: 1234,
        digest: `sha256:${info.key}`,
      })
      expect(await f.store.stat(sha256(Buffer.from('absent')))).toBeUndefined()
    })

    it('lists in ascending key order with after/limit pagination', async () => {
      const f = await setup()
      const infos: BlobInfo[] = []
      for (let i = 0; i < 9; i++)
        infos.push(await f.store.put(chunked(bytesOf(100 + i, 100 + i), 64)))
      const expected = infos.map((i) => i.key).sort()
      const all = await listAll(f.store)
      expect(all.map((i) => i.key)).toEqual(expected)
      for (const info of all) expect(info).toEqual(infos.find((i) => i.key === info.key))

      const paged: string[] = []
      let after: ContentKey | undefined
      for (let page = 0; page < 10; page++) {
        const batch = await listAll(f.store, {
          limit: 4,
          ...(after === undefined ? {} : { after }),
        })
        if (batch.length === 0) break
        expect(batch.length).toBeLessThanOrEqual(4)
        paged.push(...batch.map((i) => i.key))
        const last = batch.at(-1)
        if (last === undefined) break
        after = last.key
      }
      expect(paged).toEqual(expected)

      const middle = toContentKey(expected[4])
      expect((await listAll(f.store, { after: middle })).map((i) => i.key)).toEqual(
        expected.slice(5),
      )
      // `after` need not be a stored key.
      expect(await listAll(f.store, { after: toContentKey('f'.repeat(64)) })).toEqual([])
      expect((await listAll(f.store, { after: toContentKey('0'.repeat(64)) })).length).toBe(9)
      expect(await listAll(f.store, { limit: 0 })).toEqual([])
    })

    it('deletes: true once, then false; the blob is gone everywhere', async () => {
      const f = await setup()
      const keep = await f.store.put(chunked(Buffer.from('keep'), 2))
      const gone = await f.store.put(chunked(Buffer.from('gone'), 2))
      expect(await f.store.delete(gone.key)).toBe(true)
      expect(await f.store.delete(gone.key)).toBe(false)
      expect(await f.store.stat(gone.key)).toBeUndefined()
      expectCode(await rejectionOf(f.store.get(gone.key)), 'NOT_FOUND')
      expect(await keysOf(f.store)).toEqual([keep.key])
      // Putting it again after a delete works.
      expect(await f.store.put(chunked(Buffer.from('gone'), 2))).toEqual(gone)
    })

    it('answers NOT_FOUND for a well-formed key that is absent', async () => {
      const f = await setup()
      expectCode(await rejectionOf(f.store.get(sha256(Buffer.from('nope')))), 'NOT_FOUND')
      expect(await f.store.delete(sha256(Buffer.from('nope')))).toBe(false)
    })

    it('rejects malformed keys with INVALID_ARGUMENT in get, stat, delete and list', async () => {
      const f = await setup()
      for (const bad of MALFORMED_KEYS) {
        const key = bad as ContentKey
        expectCode(await rejectionOf(f.store.get(key)), 'INVALID_ARGUMENT')
        expectCode(await rejectionOf(f.store.stat(key)), 'INVALID_ARGUMENT')
        expectCode(await rejectionOf(f.store.delete(key)), 'INVALID_ARGUMENT')
        expectCode(await rejectionOf(listAll(f.store, { after: key })), 'INVALID_ARGUMENT')
      }
      expectCode(await rejectionOf(listAll(f.store, { limit: -1 })), 'INVALID_ARGUMENT')
      expectCode(await rejectionOf(listAll(f.store, { limit: 1.5 })), 'INVALID_ARGUMENT')
    })

    it('rejects content over maxBytes and leaves nothing visible; exactly maxBytes is fine', async () => {
      const f = await setup()
      const before = await keysOf(f.store)
      const bytes = bytesOf(10_000, 21)
      const err = await rejectionOf(f.store.put(chunked(bytes, 1000), { maxBytes: 9_999 }))
      expectCode(err, 'INVALID_ARGUMENT')
      expect(err).toMatchObject({ details: { maxBytes: 9_999 } })
      expect(await keysOf(f.store)).toEqual(before)
      expect(await f.store.stat(sha256(bytes))).toBeUndefined()
      expectCode(await rejectionOf(f.store.get(sha256(bytes))), 'NOT_FOUND')

      expect((await f.store.put(chunked(bytes, 1000), { maxBytes: 10_000 })).size).toBe(10_000)
      expectCode(
        await rejectionOf(f.store.put(chunked(bytes, 1), { maxBytes: -1 })),
        'INVALID_ARGUMENT',
      )
      expectCode(
        await rejectionOf(f.store.put(chunked(bytes, 1), { maxBytes: Number.NaN })),
        'INVALID_ARGUMENT',
      )
    })

    it('stops reading as soon as maxBytes is exceeded', async () => {
      const f = await setup()
      let pulled = 0
      async function* endless(): AsyncGenerator<Uint8Array> {
        for (;;) {
          await tick()
          pulled++
          yield new Uint8Array(1024)
        }
      }
      expectCode(await rejectionOf(f.store.put(endless(), { maxBytes: 4096 })), 'INVALID_ARGUMENT')
      expect(pulled).toBeLessThanOrEqual(6)
      expect(await keysOf(f.store)).toEqual([])
    })

    it('leaves nothing visible when the source errors midway, keeping the cause', async () => {
      const f = await setup()
      const kept = await f.store.put(chunked(Buffer.from('already there'), 4))
      const boom = new Error('connection reset')
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield bytesOf(50_000, 1)
        await tick()
        yield bytesOf(50_000, 2)
        await tick()
        throw boom
      }
      const err = await rejectionOf(f.store.put(failing()))
      expect(isPlatformError(err)).toBe(true)
      expect(err instanceof Error ? err.cause : undefined).toBe(boom)
      const stream = new Readable({ read() {} })
      stream.push(bytesOf(1000, 3))
      setTimeout(() => stream.destroy(new Error('socket hang up')), 5)
      expect(isPlatformError(await rejectionOf(f.store.put(stream)))).toBe(true)
      expect(await keysOf(f.store)).toEqual([kept.key])
    })

    it('rejects a source that yields non-byte chunks with INVALID_ARGUMENT', async () => {
      const f = await setup()
      const strings = Readable.from(['not', 'bytes'], { objectMode: true })
      expectCode(await rejectionOf(f.store.put(strings)), 'INVALID_ARGUMENT')
      expect(await keysOf(f.store)).toEqual([])
    })

    it('cancels with CancelledError and leaves nothing visible', async () => {
      const f = await setup()
      const already = AbortSignal.abort()
      const bytes = bytesOf(5000, 9)
      const err1 = await rejectionOf(f.store.put(chunked(bytes, 100), { signal: already }))
      expectCode(err1, 'CANCELLED')

      // A source that stalls after its first chunk: the abort must win promptly.
      const ac = new AbortController()
      async function* stalling(): AsyncGenerator<Uint8Array> {
        yield bytes.subarray(0, 100)
        setTimeout(() => {
          ac.abort()
        }, 10)
        await new Promise(() => undefined)
      }
      expectCode(await rejectionOf(f.store.put(stalling(), { signal: ac.signal })), 'CANCELLED')

      // Aborted between chunks of a source that keeps producing.
      const ac2 = new AbortController()
      async function* producing(): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < 1000; i++) {
          if (i === 3) ac2.abort()
          await tick()
          yield new Uint8Array(1024)
        }
      }
      expectCode(await rejectionOf(f.store.put(producing(), { signal: ac2.signal })), 'CANCELLED')

      expect(await keysOf(f.store)).toEqual([])
      expect(await f.store.stat(sha256(bytes))).toBeUndefined()

      const stored = await f.store.put(chunked(bytes, 100))
      expectCode(await rejectionOf(f.store.get(stored.key, { signal: already })), 'CANCELLED')
      expectCode(await rejectionOf(f.store.stat(stored.key, { signal: already })), 'CANCELLED')
      expectCode(await rejectionOf(f.store.delete(stored.key, { signal: already })), 'CANCELLED')
      expectCode(await rejectionOf(listAll(f.store, { signal: already })), 'CANCELLED')
      expect(await keysOf(f.store)).toEqual([stored.key])
    })

    it('is safe under concurrent puts of the same content', async () => {
      const f = await setup()
      const bytes = bytesOf(300_000, 42)
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => f.store.put(chunked(bytes, 4096 + i * 512))),
      )
      for (const r of results) expect(r.key).toBe(sha256(bytes))
      expect(await keysOf(f.store)).toEqual([sha256(bytes)])
      expect((await readAll(await f.store.get(sha256(bytes)))).equals(bytes)).toBe(true)
    })

    it('is safe under concurrent puts of different content', async () => {
      const f = await setup()
      const blobs = Array.from({ length: 12 }, (_, i) => bytesOf(20_000 + i, 500 + i))
      const results = await Promise.all(blobs.map((b) => f.store.put(chunked(b, 2048))))
      expect(await keysOf(f.store)).toEqual(results.map((r) => r.key).sort())
      for (const [i, b] of blobs.entries()) {
        const key = results[i]?.key
        if (key === undefined) throw new Error('unreachable')
        expect((await readAll(await f.store.get(key))).equals(b)).toBe(true)
      }
    })

    it('pings and describes itself', async () => {
      const f = await setup()
      await expect(f.store.ping()).resolves.toBeUndefined()
      expect(f.store.describe().length).toBeGreaterThan(0)
      expect(typeof f.store.kind).toBe('string')
    })
  })
}
