import { pino } from 'pino'

import type { Logger } from '../core/index.js'

/**
 * The process logger: pino writing JSON lines to stderr, so stdout stays clean for command
 * output (`--json`) and pipes.
 */
export function createLogger(options: { readonly level: string; readonly name?: string }): Logger {
  return pino(
    {
      level: options.level,
      base: { name: options.name ?? 'plinth' },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password'],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: 2, sync: true }),
  )
}
