import { z } from 'zod'

/** Configuration of the in-process event bus (it has no knobs yet). */
export const memoryEventBusConfigSchema = z.object({ kind: z.literal('memory') }).strict()

export type MemoryEventBusConfig = z.infer<typeof memoryEventBusConfigSchema>
