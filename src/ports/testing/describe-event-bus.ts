import { describe, expect, it } from 'vitest'

import {
  DEFAULT_WORKSPACE_ID,
  LOCAL_ACTOR_ID,
  newEventId,
  type DomainEvent,
} from '../../core/index.js'
import type { EventBus } from '../event-bus.js'

/** What a bus factory must provide to the contract suite. */
export interface EventBusFixture {
  readonly bus: EventBus
  /** Errors the bus reported from failing handlers. */
  readonly handlerErrors: unknown[]
  cleanup(): Promise<void>
}

function event(n: number): DomainEvent<'workspace.created'> {
  return {
    id: newEventId(),
    type: 'workspace.created',
    workspace: DEFAULT_WORKSPACE_ID,
    actor: LOCAL_ACTOR_ID,
    occurredAt: 1_700_000_000_000 + n,
    payload: { name: `w${String(n)}` },
  }
}

/**
 * The `EventBus` contract, run against every adapter.
 */
export function describeEventBus(name: string, factory: () => Promise<EventBusFixture>): void {
  describe(`EventBus contract: ${name}`, () => {
    it('delivers to typed and wildcard subscribers, and publish waits for handlers', async () => {
      const f = await factory()
      const seen: string[] = []
      f.bus.subscribe('workspace.created', async (e) => {
        await new Promise((r) => setTimeout(r, 5))
        seen.push(`typed:${e.payload.name}`)
      })
      f.bus.subscribe('*', (e) => {
        seen.push(`any:${e.type}`)
      })
      f.bus.subscribe('artifact.deleted', () => {
        seen.push('wrong')
      })
      await f.bus.publish(event(1))
      expect(seen.sort()).toEqual(['any:workspace.created', 'typed:w1'])
      await f.cleanup()
    })

    it('keeps publish order for awaited publishes', async () => {
      const f = await factory()
      const seen: string[] = []
      f.bus.subscribe('workspace.created', (e) => {
        seen.push(e.payload.name)
      })
      for (let i = 0; i < 20; i++) await f.bus.publish(event(i))
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => `w${String(i)}`))
      await f.cleanup()
    })

    it('isolates failing handlers from the publisher and from other handlers', async () => {
      const f = await factory()
      let reached = false
      f.bus.subscribe('workspace.created', () => {
        throw new Error('boom')
      })
      f.bus.subscribe('workspace.created', () => Promise.reject(new Error('async boom')))
      f.bus.subscribe('workspace.created', () => {
        reached = true
      })
      await expect(f.bus.publish(event(1))).resolves.toBeUndefined()
      expect(reached).toBe(true)
      expect(f.handlerErrors).toHaveLength(2)
      await f.cleanup()
    })

    it('stops delivering after unsubscribe', async () => {
      const f = await factory()
      let count = 0
      const off = f.bus.subscribe('workspace.created', () => {
        count++
      })
      await f.bus.publish(event(1))
      off()
      off()
      await f.bus.publish(event(2))
      expect(count).toBe(1)
      await f.cleanup()
    })

    it('rejects publish after close and with an aborted signal', async () => {
      const f = await factory()
      const ac = new AbortController()
      ac.abort()
      await expect(f.bus.publish(event(1), { signal: ac.signal })).rejects.toMatchObject({
        code: 'CANCELLED',
      })
      await f.bus.close()
      await expect(f.bus.publish(event(1))).rejects.toMatchObject({ code: 'UNAVAILABLE' })
      await f.cleanup()
    })

    it('close waits for deliveries in flight', async () => {
      const f = await factory()
      let done = false
      f.bus.subscribe('workspace.created', async () => {
        await new Promise((r) => setTimeout(r, 30))
        done = true
      })
      const p = f.bus.publish(event(1))
      await f.bus.close()
      expect(done).toBe(true)
      await p
      await f.cleanup()
    })
  })
}
