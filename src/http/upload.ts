import type { FastifyRequest } from 'fastify'

import { ValidationError } from '../core/index.js'

/**
 * Refuses an upload whose declared `Content-Length` is over the limit before any byte is read
 * (413). Chunked uploads without a length are cut by the store's `maxBytes` as they stream.
 */
export function assertUploadSize(req: FastifyRequest, limit: number): void {
  const declared = Number(req.headers['content-length'] ?? Number.NaN)
  if (declared > limit) {
    throw new ValidationError(
      'upload too large',
      [{ path: ['body'], code: 'too_big', message: `at most ${String(limit)} bytes` }],
      { maxBytes: limit },
    )
  }
}
