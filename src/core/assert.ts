/**
 * Assertions for programmer errors (invariants), never for user input.
 *
 * A failed assertion is a bug, so it throws a plain `Error` that maps to `INTERNAL`.
 */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`)
}

/** Exhaustiveness helper for `switch` over a union. */
export function assertNever(value: never, message = 'unexpected value'): never {
  throw new Error(`${message}: ${String(value)}`)
}
