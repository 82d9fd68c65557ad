/**
 * The logging seam: a structural subset of pino's API, so core and domain code log without
 * depending on pino. `platform/` creates the pino instance; the HTTP server hands the same
 * instance to Fastify.
 */
export interface LogFn {
  (obj: unknown, msg?: string, ...args: unknown[]): void
  (msg: string, ...args: unknown[]): void
}

export interface Logger {
  level: string
  trace: LogFn
  debug: LogFn
  info: LogFn
  warn: LogFn
  error: LogFn
  fatal: LogFn
  silent: LogFn
  child(bindings: Record<string, unknown>): Logger
}

const noop: LogFn = () => undefined

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = Object.freeze({
  level: 'silent',
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  fatal: noop,
  silent: noop,
  child: () => silentLogger,
})
