import { afterEach, beforeEach, vi } from 'vitest'

// A stray console call in library code is a bug (logs go through the injected Logger);
// fail the test that produced it rather than letting it scroll past.
const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const
let calls: string[] = []

beforeEach(() => {
  calls = []
  for (const method of METHODS) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      calls.push(`console.${method}: ${args.map(String).join(' ')}`)
    })
  }
})

afterEach(() => {
  if (calls.length > 0) {
    const seen = calls
    calls = []
    throw new Error(`unexpected console output:\n${seen.join('\n')}`)
  }
})
