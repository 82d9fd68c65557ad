/**
 * @module adapters/event-bus-memory
 * The in-process domain-event bus used in single-process deployments.
 */
export { memoryEventBusConfigSchema } from './memory-config.js'
export type { MemoryEventBusConfig } from './memory-config.js'
export { createMemoryEventBus, isEventOfType } from './memory-event-bus.js'
export type { MemoryEventBusDeps } from './memory-event-bus.js'
