import { describe, expect, it } from 'vitest'

import { createFakeClock, systemClock } from './clock.js'
import { createContext } from './context.js'
import { DEFAULT_WORKSPACE_ID, LOCAL_ACTOR_ID, toContentKey, toWorkspaceId } from './ids.js'

describe('clock', () => {
  it('fake clock moves only when told', () => {
    const clock = createFakeClock(1_000)
    expect(clock.now()).toBe(1_000)
    clock.advance(250)
    expect([clock.now(), clock.monotonic()]).toEqual([1_250, 250])
    clock.set(5)
    expect([clock.now(), clock.monotonic()]).toEqual([5, 250])
    expect(() => {
      clock.advance(-1)
    }).toThrow(RangeError)
  })

  it('system clock is monotonic', () => {
    const a = systemClock.monotonic()
    expect(systemClock.monotonic()).toBeGreaterThanOrEqual(a)
  })
})

describe('ids and context', () => {
  it('defaults the context to the default workspace and the local actor, frozen', () => {
    const ctx = createContext()
    expect(ctx.workspace).toBe(DEFAULT_WORKSPACE_ID)
    expect(ctx.actor).toBe(LOCAL_ACTOR_ID)
    expect(Object.isFrozen(ctx)).toBe(true)
  })

  it('validates workspace slugs and content keys', () => {
    expect(toWorkspaceId('team-a')).toBe('team-a')
    for (const bad of ['', 'Team', '-a', 'a-', '../x', 'a'.repeat(64), 'a_b', 'default\n']) {
      expect(() => toWorkspaceId(bad)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      )
    }
    expect(() => toContentKey('A'.repeat(64))).toThrow()
    expect(toContentKey('a'.repeat(64))).toBe('a'.repeat(64))
  })
})
