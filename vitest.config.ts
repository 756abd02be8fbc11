import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time: most files wait on a registry, a forge double or `archpin serve` processes
    // (each file starts its own, on free ports), so two overlap well even on two cores. vitest's
    // default here would be one (available parallelism minus one).
    maxWorkers: 2,
    minWorkers: 1,
    setupFiles: ['./test/support/loopback-only.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
