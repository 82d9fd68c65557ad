/**
 * The read side of the fs artifact store: integrity verification and cancellation of a
 * download stream.
 *
 * @internal
 */
import { createHash } from 'node:crypto'
import { Transform, type Readable } from 'node:stream'

import { CancelledError, type ContentKey } from '../../core/index.js'

import { corruptError } from './fs-util.js'

/**
 * Re-hashes the bytes flowing through and fails at the end with `INTERNAL` (`reason: 'CORRUPT'`)
 * if they do not match `key`.
 *
 * The check can only happen after the last byte, so a consumer may already have seen (wrong)
 * bytes when the error arrives; consumers must treat the stream as failed, not truncated.
 */
export function createVerifyingStream(key: ContentKey, onCorrupt: () => void): Transform {
  const hash = createHash('sha256')
  return new Transform({
    transform(chunk: unknown, _encoding, callback) {
      if (chunk instanceof Uint8Array) hash.update(chunk)
      callback(null, chunk)
    },
    flush(callback) {
      if (hash.digest('hex') === key) {
        callback()
        return
      }
      onCorrupt()
      callback(corruptError(key, 'content does not match its key'))
    },
  })
}

/** Destroys `stream` with `CancelledError` if `signal` fires before the stream closes. */
export function bindAbort(stream: Readable, signal: AbortSignal | undefined): Readable {
  if (signal === undefined) return stream
  const onAbort = (): void => {
    stream.destroy(new CancelledError('the download was cancelled', {}, { cause: signal.reason }))
  }
  if (signal.aborted) {
    onAbort()
    return stream
  }
  signal.addEventListener('abort', onAbort, { once: true })
  stream.once('close', () => {
    signal.removeEventListener('abort', onAbort)
  })
  return stream
}
