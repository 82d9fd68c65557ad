import { ValidationError } from '../core/index.js'

/** The position after which the next page starts. */
export interface Cursor {
  readonly createdAt: number
  readonly id: string
}

/** Encodes a cursor as an opaque URL-safe token. */
export function encodePageToken(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id]), 'utf8').toString('base64url')
}

/** Decodes a token from `encodePageToken`; `INVALID_ARGUMENT` for anything else. */
export function decodePageToken(token: string, field = 'pageToken'): Cursor {
  const bad = (): ValidationError =>
    new ValidationError('invalid page token', [
      { path: [field], code: 'invalid_format', message: 'not a token returned by a previous page' },
    ])
  if (token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) throw bad()
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
  } catch (err) {
    throw Object.assign(bad(), { cause: err })
  }
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== 'number' ||
    !Number.isSafeInteger(value[0]) ||
    typeof value[1] !== 'string' ||
    !/^[0-9a-f]{32}$/.test(value[1])
  ) {
    throw bad()
  }
  return { createdAt: value[0], id: value[1] }
}
