/**
 * SHA-256 of an open file, computed on a thread of its own for large files: hashing hundreds of
 * MB takes a tenth of a second or more, which the calling thread can spend elsewhere.
 *
 * @internal
 */
import { createHash } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'
import { Worker } from 'node:worker_threads'

import { CancelledError, throwIfAborted } from '../../core/index.js'

/** Bytes per read. */
const READ_BYTES = 1 << 20

/** Files at least this large are hashed on a worker thread (below, starting one costs more). */
const THREAD_BYTES = 32 << 20

/**
 * The worker's program: reads the descriptor it is given (file descriptors belong to the
 * process, so the worker reads the caller's open file) from offset 0 to its end and posts the
 * digest and the size.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const { readSync } = require('node:fs')
const hash = require('node:crypto').createHash('sha256')
const buffer = Buffer.allocUnsafe(${String(READ_BYTES)})
let size = 0
for (;;) {
  const n = readSync(workerData.fd, buffer, 0, buffer.length, size)
  if (n === 0) break
  hash.update(buffer.subarray(0, n))
  size += n
}
parentPort.postMessage({ hex: hash.digest('hex'), size })
`

/** What {@link hashFile} found. */
export interface FileDigest {
  /** Lowercase hex SHA-256. */
  readonly hex: string
  readonly size: number
}

async function hashHere(fh: FileHandle, signal: AbortSignal | undefined): Promise<FileDigest> {
  const hash = createHash('sha256')
  const buffer = Buffer.allocUnsafe(READ_BYTES)
  let size = 0
  for (;;) {
    const { bytesRead } = await fh.read(buffer, 0, buffer.length, size)
    if (bytesRead === 0) break
    hash.update(buffer.subarray(0, bytesRead))
    size += bytesRead
    throwIfAborted(signal)
  }
  return { hex: hash.digest('hex'), size }
}

function hashOnThread(fh: FileHandle, signal: AbortSignal | undefined): Promise<FileDigest> {
  const worker = new Worker(WORKER, { eval: true, workerData: { fd: fh.fd } })
  return new Promise<FileDigest>((resolve, reject) => {
    const onAbort = (): void => {
      void worker.terminate()
      reject(new CancelledError('hashing was cancelled', {}, { cause: signal?.reason }))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    worker.once('message', (m: FileDigest) => {
      resolve(m)
    })
    worker.once('error', reject)
    worker.once('exit', () => {
      signal?.removeEventListener('abort', onAbort)
      reject(new Error('the hashing thread stopped without an answer'))
    })
  })
}

/**
 * The SHA-256 and size of the open file `fh`, read from its start. Large files are hashed on a
 * worker thread; where none can start (or it fails), here. `fh` must stay open until this settles.
 *
 * @throws CancelledError when `signal` fires
 */
export async function hashFile(fh: FileHandle, signal?: AbortSignal): Promise<FileDigest> {
  const { size } = await fh.stat()
  throwIfAborted(signal)
  if (size < THREAD_BYTES) return hashHere(fh, signal)
  try {
    return await hashOnThread(fh, signal)
  } catch (err) {
    // A thread that could not start or died: the work is done here instead.
    if (err instanceof CancelledError) throw err
    return hashHere(fh, signal)
  }
}
