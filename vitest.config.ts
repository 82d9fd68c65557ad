import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    restoreMocks: true,
    // `.only` left in a test fails CI instead of silently skipping the rest.
    allowOnly: !process.env['CI'],
    setupFiles: ['test/setup/fail-on-console.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'] },
  },
})
