import { createHash } from 'node:crypto'
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { isPlatformError } from '../../core/index.js'
import { hashFile } from './hash-file.js'

describe('hashFile', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plinth-hash-file-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  // 40 MiB goes to a worker thread, 3 bytes and 1 MiB + 1 are hashed here.
  it.each([3, (1 << 20) + 1, 40 << 20])('gives the SHA-256 and size of %i bytes', async (n) => {
    const bytes = Buffer.alloc(n)
    for (let i = 0; i < n; i += 4093) bytes[i] = i % 251
    const file = join(dir, `f${String(n)}`)
    await writeFile(file, bytes)
    const fh = await open(file, 'r')
    try {
      expect(await hashFile(fh)).toEqual({
        hex: createHash('sha256').update(bytes).digest('hex'),
        size: n,
      })
    } finally {
      await fh.close()
    }
  })

  it('stops when the signal fires', async () => {
    const file = join(dir, 'big')
    await writeFile(file, Buffer.alloc(40 << 20))
    const fh = await open(file, 'r')
    try {
      const controller = new AbortController()
      const hashing = hashFile(fh, controller.signal)
      controller.abort()
      await expect(hashing).rejects.toSatisfy(isPlatformError)
      await expect(hashFile(fh, AbortSignal.abort())).rejects.toSatisfy(isPlatformError)
    } finally {
      await fh.close()
    }
  })
})
