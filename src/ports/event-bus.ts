import type { DomainEvent, DomainEventType } from '../core/index.js'
import type { OpOptions } from './op-options.js'

/** A subscriber. Its failure never fails the publisher. */
export type EventHandler<T extends DomainEventType = DomainEventType> = (
  event: DomainEvent<T>,
) => void | Promise<void>

/** Calling it removes the subscription; calling it twice is harmless. */
export type Unsubscribe = () => void

/**
 * Domain events between services and the capabilities that react to them (audit, monitoring
 * triggers, pipelines).
 *
 * - `publish` is called after the write it describes has committed. It resolves once every
 *   matching handler has finished (so a CLI command's audit entry is written before it exits).
 *   A handler that throws or rejects is reported to the bus's error hook; the other handlers
 *   still run and `publish` still resolves.
 * - Handlers for one event run concurrently; events published one after another (each awaited)
 *   reach every handler in that order.
 * - `subscribe('*', h)` receives every event type.
 * - `close` waits for deliveries in flight; `publish` after `close` rejects with `UNAVAILABLE`.
 */
export interface EventBus {
  readonly kind: string
  publish(event: DomainEvent, opts?: OpOptions): Promise<void>
  subscribe<T extends DomainEventType>(type: T, handler: EventHandler<T>): Unsubscribe
  subscribe(type: '*', handler: EventHandler): Unsubscribe
  close(): Promise<void>
}
