/**
 * Streams a `put` source into an open file while hashing it, with backpressure, a byte cap and
 * prompt cancellation.
 *
 * @internal
 */
import { createHash } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'
import type { Readable } from 'node:stream'

import { CancelledError, PlatformError, toContentKey, type ContentKey } from '../../core/index.js'

/** What a completed copy produced. */
export interface CopyResult {
  readonly key: ContentKey
  readonly size: number
}

/** Limits of one copy. */
export interface CopyLimits {
  /** Reject as soon as more than this many bytes arrive. */
  readonly maxBytes?: number
  readonly signal?: AbortSignal
}

/** A promise that rejects with `CancelledError` when the signal fires, and its cleanup. */
interface AbortRace {
  readonly promise: Promise<never>
  dispose(): void
}

function raceAbort(signal: AbortSignal): AbortRace {
  let dispose: () => void = () => undefined
  const promise = new Promise<never>((_resolve, reject) => {
    const onAbort = (): void => {
      reject(new CancelledError('the upload was cancelled', {}, { cause: signal.reason }))
    }
    if (signal.aborted) {
      onAbort()
      return
    }
    signal.addEventListener('abort', onAbort, { once: true })
    dispose = () => {
      signal.removeEventListener('abort', onAbort)
    }
  })
  // Only ever observed through Promise.race; never let it surface as an unhandled rejection.
  promise.catch(() => undefined)
  return { promise, dispose }
}

async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await fh.write(bytes, offset, bytes.byteLength - offset)
    if (bytesWritten <= 0) throw new Error('the filesystem accepted no bytes')
    offset += bytesWritten
  }
}

/**
 * Copies `source` into `fh`, computing its SHA-256 on the way.
 *
 * Backpressure comes from pulling one chunk at a time and awaiting its write before asking for
 * the next, so memory stays at one chunk whatever the blob size. Each pull is raced against the
 * signal, so a source that stalls cannot hold a cancelled upload open. On any early exit the
 * source's iterator is `return()`ed (which destroys a Node `Readable`), exactly what
 * `for await … break` would do.
 *
 * @throws PlatformError `INVALID_ARGUMENT` (`details.maxBytes`) when the cap is exceeded, or when
 *   the source yields something other than bytes
 * @throws CancelledError when the signal fires
 * @throws the source's own `PlatformError`, or `UNAVAILABLE` (`reason: 'SOURCE_FAILED'`) wrapping
 *   any other error the source raised
 */
export async function copySource(
  fh: FileHandle,
  source: Readable | AsyncIterable<Uint8Array>,
  limits: CopyLimits,
): Promise<CopyResult> {
  const { maxBytes, signal } = limits
  const hash = createHash('sha256')
  const iterator: AsyncIterator<unknown> = source[Symbol.asyncIterator]()
  const abort = signal === undefined ? undefined : raceAbort(signal)
  let size = 0
  let drained = false
  try {
    for (;;) {
      let step: IteratorResult<unknown>
      try {
        const next = iterator.next()
        step = await (abort === undefined ? next : Promise.race([next, abort.promise]))
      } catch (err) {
        if (err instanceof PlatformError) throw err
        throw new PlatformError(
          'UNAVAILABLE',
          'the upload source failed',
          { reason: 'SOURCE_FAILED' },
          { cause: err },
        )
      }
      if (step.done === true) {
        drained = true
        break
      }
      const chunk = step.value
      if (!(chunk instanceof Uint8Array)) {
        throw new PlatformError(
          'INVALID_ARGUMENT',
          'the upload source must yield bytes (Uint8Array chunks)',
          {
            chunkType: typeof chunk,
          },
        )
      }
      if (maxBytes !== undefined && size + chunk.byteLength > maxBytes) {
        throw new PlatformError(
          'INVALID_ARGUMENT',
          `content exceeds the limit of ${String(maxBytes)} bytes`,
          {
            maxBytes,
          },
        )
      }
      size += chunk.byteLength
      hash.update(chunk)
      await writeAll(fh, chunk)
      if (signal?.aborted === true) {
        throw new CancelledError('the upload was cancelled', {}, { cause: signal.reason })
      }
    }
  } finally {
    abort?.dispose()
    if (!drained) closeQuietly(iterator)
  }
  return { key: toContentKey(hash.digest('hex')), size }
}

function closeQuietly(iterator: AsyncIterator<unknown>): void {
  try {
    // Not awaited: a pending `next()` of a stalled source may never settle, and the caller has
    // already been given its answer.
    const done = iterator.return?.()
    if (done !== undefined) done.catch(() => undefined)
  } catch {
    // A throwing `return()` must not replace the error being reported.
  }
}
