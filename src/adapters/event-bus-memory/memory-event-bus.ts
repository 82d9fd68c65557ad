import {
  PlatformError,
  throwIfAborted,
  type DomainEvent,
  type DomainEventType,
  type Logger,
} from '../../core/index.js'
import type { EventBus, EventHandler, OpOptions, Unsubscribe } from '../../ports/index.js'

import type { MemoryEventBusConfig } from './memory-config.js'

/** Optional collaborators of the in-process bus. */
export interface MemoryEventBusDeps {
  readonly logger?: Logger
  /**
   * Called when a handler throws or rejects.
   * @default logs the error at `error` level
   */
  readonly onHandlerError?: (err: unknown, event: DomainEvent) => void
}

/**
 * Creates the in-process event bus: handlers run in this process, and `publish` resolves when
 * they have all finished (see the `EventBus` port for the full contract).
 *
 * @example
 * ```ts
 * const bus = createMemoryEventBus({ kind: 'memory' })
 * const off = bus.subscribe('workspace.created', (e) => { audit.push(e) })
 * ```
 */
export function createMemoryEventBus(
  _config: MemoryEventBusConfig,
  deps: MemoryEventBusDeps = {},
): EventBus {
  // A Map of Sets keeps subscription order and makes unsubscribe O(1).
  const handlers = new Map<string, Set<EventHandler>>()
  const inFlight = new Set<Promise<void>>()
  let closed = false
  const reportError =
    deps.onHandlerError ??
    ((err: unknown, event: DomainEvent) => {
      deps.logger?.error({ err, eventType: event.type, eventId: event.id }, 'event handler failed')
    })

  function subscribe(type: string, handler: EventHandler): Unsubscribe {
    let set = handlers.get(type)
    if (set === undefined) {
      set = new Set()
      handlers.set(type, set)
    }
    // Wrap so the same function subscribed twice gets two independent subscriptions.
    const entry: EventHandler = (e) => handler(e)
    set.add(entry)
    return () => {
      handlers.get(type)?.delete(entry)
    }
  }

  async function deliver(event: DomainEvent): Promise<void> {
    const targets = [...(handlers.get(event.type) ?? []), ...(handlers.get('*') ?? [])]
    await Promise.all(
      targets.map(async (handler) => {
        try {
          await handler(event)
        } catch (err) {
          reportError(err, event)
        }
      }),
    )
  }

  const bus: EventBus = {
    kind: 'memory',
    async publish(event: DomainEvent, opts?: OpOptions): Promise<void> {
      if (closed) throw new PlatformError('UNAVAILABLE', 'the event bus is closed')
      throwIfAborted(opts?.signal)
      const delivery = deliver(event)
      inFlight.add(delivery)
      try {
        await delivery
      } finally {
        inFlight.delete(delivery)
      }
    },
    subscribe,
    async close(): Promise<void> {
      closed = true
      await Promise.all([...inFlight])
      handlers.clear()
    },
  }
  return bus
}

/** Narrows an event to a type (useful in `'*'` subscribers). */
export function isEventOfType<T extends DomainEventType>(
  event: DomainEvent,
  type: T,
): event is DomainEvent<T> {
  return event.type === type
}
