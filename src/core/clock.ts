/**
 * Time as a dependency: services and jobs take a `Clock` rather than calling `Date.now()`,
 * so tests can pin and advance time.
 */
export interface Clock {
  /** Wall-clock time in epoch milliseconds (what is stored in the metadata store). */
  now(): number
  /** A monotonic reading in milliseconds, for durations only (never stored). */
  monotonic(): number
}

/** The real clock. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  monotonic: () => performance.now(),
})

/** A clock that only moves when told to. */
export interface FakeClock extends Clock {
  /** Moves both readings forward by `ms` (≥ 0). */
  advance(ms: number): void
  /** Sets wall-clock time; the monotonic reading is unaffected. */
  set(epochMs: number): void
}

/**
 * Creates a controllable clock for tests.
 *
 * @example
 * ```ts
 * const clock = createFakeClock(1_700_000_000_000)
 * clock.advance(1000)
 * clock.now() // 1_700_000_001_000
 * ```
 */
export function createFakeClock(startEpochMs = 0): FakeClock {
  let wall = startEpochMs
  let mono = 0
  return {
    now: () => wall,
    monotonic: () => mono,
    advance(ms: number) {
      if (!(ms >= 0)) throw new RangeError('advance() needs a non-negative number of milliseconds')
      wall += ms
      mono += ms
    },
    set(epochMs: number) {
      wall = epochMs
    },
  }
}
