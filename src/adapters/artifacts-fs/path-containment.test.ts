/**
 * Path containment (security reference D2, MLflow rows 1–13): no string, however hostile, makes
 * the fs artifact store touch anything outside its root.
 *
 * Two properties with fixed seeds (fast-check prints the seed and counterexample path on
 * failure; paste them into `{ seed, path }` to replay), plus an explicit table of every D2
 * payload from MLflow's advisory history.
 */
import { test } from '@fast-check/vitest'
import fc from 'fast-check'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join, relative } from 'node:path'
import { Readable } from 'node:stream'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { PlatformError, toContentKey, type ContentKey } from '../../core/index.js'
import type { ArtifactStore } from '../../ports/index.js'
import { resolveBlobPath } from './blob-path.js'
import { createFsArtifactStore } from './fs-artifact-store.js'
import { TRAVERSAL_PAYLOADS, rejectionOf } from '../../test-support/index.js'

/** Fixed so CI is reproducible; change it locally to explore new inputs. */
const SEED = 20_240_611
const PURE_RUNS = 10_000
const STORE_RUNS = 2_000

const CANARY = 'CANARY-outside-the-root-must-never-be-served'
const KEY_SHAPE = /^[0-9a-f]{64}$/

const HEX = '0123456789abcdef'

function sha256(text: string): ContentKey {
  return toContentKey(createHash('sha256').update(text).digest('hex'))
}

/** What the store-level property pre-loads; their keys are fed to it so reads can succeed. */
const STORED_TEXTS: readonly string[] = ['a real blob', 'another blob', '']
const STORED_KEYS: readonly ContentKey[] = STORED_TEXTS.map(sha256)
const VALID = sha256('a real blob')

/** Near misses built on a real key: everything a lenient parser might "fix up". */
const NEAR_MISS_KEYS: readonly string[] = [
  VALID.toUpperCase(),
  VALID.slice(1),
  `${VALID}0`,
  `${VALID}.`,
  `${VALID} `,
  `${VALID}\n`,
  `${VALID}\0`,
  `${VALID}%00`,
  ` ${VALID}`,
  `./${VALID}`,
  `../${VALID}`,
  `/${VALID}`,
  `${VALID}/`,
  `${VALID}/../${VALID}`,
  `${VALID.slice(0, 2)}/${VALID.slice(2, 4)}/${VALID}`,
  `sha256:${VALID}`,
  `${VALID.slice(0, 62)}..`,
  `${VALID.slice(0, 61)}../`,
  VALID.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d))), // full-width digits
]

const TOKENS: readonly string[] = [
  ...TRAVERSAL_PAYLOADS,
  '/',
  '\\',
  '.',
  '..',
  '%',
  '%2f',
  '%5c',
  '%2e',
  '%25',
  '#',
  ';',
  '?',
  ':',
  '~',
  '\0',
  '\n',
  '\u202e',
  '\u200b',
  'é',
  '\u{1f600}',
  'etc',
  'passwd',
  'blobs',
  'tmp',
  'canary.txt',
  'ab',
  'cd',
]

const hexKey = fc.string({
  unit: fc.constantFrom(...Array.from(HEX)),
  minLength: 64,
  maxLength: 64,
})
const hostileJoin = fc
  .array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })), { maxLength: 12 })
  .map((parts) => parts.join(''))
/** A real key with hostile material spliced in at a random place, or truncated/extended. */
const nearMiss = fc
  .tuple(hexKey, fc.nat({ max: 64 }), fc.constantFrom(...TOKENS))
  .map(([key, at, token]) => key.slice(0, at) + token + key.slice(at))
const trailing = fc
  .tuple(hexKey, fc.constantFrom('.', ' ', '..', '. ', '\0', '/', '\\', '%00', '::$DATA'))
  .map(([key, tail]) => key + tail)
const caseFlip = hexKey.map((key) => key.toUpperCase()).filter((key) => /[A-F]/.test(key))

/** Anything a caller might pass where a key is expected. */
const anyKeyString = fc.oneof(
  { arbitrary: hostileJoin, weight: 4 },
  { arbitrary: nearMiss, weight: 2 },
  { arbitrary: trailing, weight: 1 },
  { arbitrary: caseFlip, weight: 1 },
  { arbitrary: fc.constantFrom(...TRAVERSAL_PAYLOADS, ...NEAR_MISS_KEYS), weight: 2 },
  { arbitrary: fc.string(), weight: 2 },
  // fast-check 4 dropped fullUnicodeString(); `unit: 'binary'` is its replacement (any code point).
  { arbitrary: fc.string({ unit: 'binary' }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme' }), weight: 1 },
  { arbitrary: hexKey, weight: 2 },
)

function expectInvalidArgument(err: unknown): void {
  expect(err).toBeInstanceOf(PlatformError)
  expect(err).toMatchObject({ code: 'INVALID_ARGUMENT' })
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of stream)
    parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
  return Buffer.concat(parts)
}

/** Every path under `dir` (relative), skipping `skip`, with size and mtime. */
async function snapshot(dir: string, skip: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name)
    const rel = relative(dir, full)
    if (rel === skip || rel.startsWith(`${skip}/`)) continue
    const st = await stat(full)
    out.push(`${rel}:${String(st.size)}:${String(st.mtimeMs)}:${String(st.ino)}`)
  }
  return out.sort()
}

describe('key → path containment (pure)', () => {
  const root = join(tmpdir(), 'plinth-containment-root')
  const blobs = join(root, 'blobs')

  test.prop([anyKeyString], { numRuns: PURE_RUNS, seed: SEED })(
    'resolveBlobPath throws INVALID_ARGUMENT or returns a path inside <root>/blobs',
    (s) => {
      let resolved: string
      try {
        resolved = resolveBlobPath(root, s)
      } catch (err) {
        expectInvalidArgument(err)
        expect(KEY_SHAPE.test(s)).toBe(false)
        return
      }
      const rel = relative(blobs, resolved)
      expect(rel.startsWith('..')).toBe(false)
      expect(isAbsolute(rel)).toBe(false)
      // Accepted only for a well-formed key, and then exactly at its fan-out location.
      expect(KEY_SHAPE.test(s)).toBe(true)
      expect(resolved).toBe(join(blobs, s.slice(0, 2), s.slice(2, 4), s))
    },
  )

  it.each(TRAVERSAL_PAYLOADS.map((p) => [JSON.stringify(p), p]))(
    'rejects D2 payload %s',
    (_label, payload) => {
      expectInvalidArgument(rejectionOfSync(() => resolveBlobPath(root, payload)))
    },
  )

  it.each(NEAR_MISS_KEYS.map((p) => [JSON.stringify(p), p]))(
    'rejects near-miss key %s',
    (_label, payload) => {
      expectInvalidArgument(rejectionOfSync(() => resolveBlobPath(root, payload)))
    },
  )

  it('rejects non-strings', () => {
    for (const v of [
      undefined,
      null,
      42,
      {},
      [VALID],
      Buffer.from(VALID),
      { toString: () => VALID },
    ]) {
      expectInvalidArgument(rejectionOfSync(() => resolveBlobPath(root, v)))
    }
  })
})

function rejectionOfSync(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

describe('store operations never leave the root', () => {
  let dir: string
  let root: string
  let canary: string
  let store: ArtifactStore
  let before: string[]
  const stored = new Map<ContentKey, Buffer>()

  beforeAll(async () => {
    // Layout: <dir>/canary.txt, <dir>/etc/passwd and <dir>/blobs/… mimic traversal targets
    // next to the root; <dir>/root is the store.
    dir = await mkdtemp(join(tmpdir(), 'plinth-containment-'))
    root = join(dir, 'root')
    canary = join(dir, 'canary.txt')
    await writeFile(canary, CANARY)
    await mkdir(join(dir, 'etc'))
    await writeFile(join(dir, 'etc', 'passwd'), CANARY)
    await mkdir(join(dir, 'blobs', VALID.slice(0, 2), VALID.slice(2, 4)), { recursive: true })
    await writeFile(join(dir, 'blobs', VALID.slice(0, 2), VALID.slice(2, 4), VALID), CANARY)
    store = createFsArtifactStore({ kind: 'fs', root })
    await store.init()
    for (const text of STORED_TEXTS) {
      const bytes = Buffer.from(text)
      const info = await store.put(Readable.from([bytes]))
      stored.set(info.key, bytes)
    }
    before = await snapshot(dir, 'root')
  })

  afterAll(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  const storeInput = fc.oneof(
    { arbitrary: anyKeyString, weight: 9 },
    // Stored keys, so the success paths (and delete + restore) are exercised too.
    { arbitrary: fc.constantFrom(...STORED_KEYS), weight: 1 },
  )

  test.prop([storeInput], { numRuns: STORE_RUNS, seed: SEED })(
    'get, stat and delete reject or stay inside the root, and the canary is untouched',
    async (s) => {
      const key = s as ContentKey // deliberately unchecked: this is the attack surface
      const wellFormed = KEY_SHAPE.test(s)

      const got = await store.get(key).then(readAll, (err: unknown) => err)
      if (got instanceof Buffer) {
        expect(wellFormed).toBe(true)
        expect(createHash('sha256').update(got).digest('hex')).toBe(s)
        expect(got.includes(CANARY)).toBe(false)
      } else if (wellFormed) {
        expect(got).toMatchObject({ code: 'NOT_FOUND' })
      } else {
        expectInvalidArgument(got)
      }

      const info = await store.stat(key).catch((err: unknown) => err)
      if (wellFormed) {
        expect(
          info === undefined || (info instanceof Object && 'key' in info && info.key === s),
        ).toBe(true)
      } else {
        expectInvalidArgument(info)
      }

      const deleted = await store.delete(key).catch((err: unknown) => err)
      if (!wellFormed) {
        expectInvalidArgument(deleted)
      } else if (deleted === true) {
        // Only stored blobs can be deleted; put them back for later runs.
        const bytes = stored.get(toContentKey(s))
        expect(bytes).toBeDefined()
        if (bytes !== undefined) await store.put(Readable.from([bytes]))
      } else {
        expect(deleted).toBe(false)
      }

      if (!wellFormed) expectInvalidArgument(await rejectionOf(iterate(store, key)))
      expect(await readFile(canary, 'utf8')).toBe(CANARY)
    },
  )

  it('left everything outside the root exactly as it was', async () => {
    expect(await snapshot(dir, 'root')).toEqual(before)
    expect(await readFile(canary, 'utf8')).toBe(CANARY)
    expect(await readFile(join(dir, 'etc', 'passwd'), 'utf8')).toBe(CANARY)
  })

  it.each(TRAVERSAL_PAYLOADS.map((p) => [JSON.stringify(p), p]))(
    'store rejects D2 payload %s',
    async (_label, payload) => {
      const key = payload as ContentKey
      expectInvalidArgument(await rejectionOf(store.get(key)))
      expectInvalidArgument(await rejectionOf(store.stat(key)))
      expectInvalidArgument(await rejectionOf(store.delete(key)))
      expectInvalidArgument(await rejectionOf(iterate(store, key)))
    },
  )
})

async function iterate(store: ArtifactStore, after: ContentKey): Promise<void> {
  for await (const _info of store.list({ after, limit: 1 })) {
    // draining is enough
  }
}
