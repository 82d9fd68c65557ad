import { describeEventBus } from '../../ports/testing/describe-event-bus.js'
import { createMemoryEventBus } from './memory-event-bus.js'

describeEventBus('memory', () => {
  const handlerErrors: unknown[] = []
  const bus = createMemoryEventBus(
    { kind: 'memory' },
    { onHandlerError: (err) => handlerErrors.push(err) },
  )
  return Promise.resolve({ bus, handlerErrors, cleanup: () => bus.close() })
})
