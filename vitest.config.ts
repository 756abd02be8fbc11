import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files that start nothing and leave nothing behind: no registry, double, redis-server, child
 * process, server or timer outlives its test, no secret is registered with core/redact (its set is
 * process-wide), and the environment and working directory are left alone. They share worker threads
 * (`isolate: false`), so the runtime and the src module graph load once instead of once per file.
 * A file that starts anything belongs in the isolated project below.
 */
const SHARED = [
  'test/architecture/**/*.test.ts',
  'test/gate/**/*.test.ts',
  'test/plan/**/*.test.ts',
  'test/scan/**/*.test.ts',
  'test/bot/webhooks.test.ts',
  'test/bot/work-queue.test.ts',
  'test/chain/chain-state.test.ts',
  'test/chain/graph.test.ts',
  'test/cli/args.test.ts',
  'test/cli/report-held.test.ts',
  'test/config/extends.test.ts',
  'test/config/validate.test.ts',
  'test/core/docker-versioning.test.ts',
  'test/core/manifest.test.ts',
  'test/core/platform.test.ts',
  'test/hostile/patterns.test.ts',
  'test/lookup/registry-pieces.test.ts',
  'test/packaging/templates.test.ts',
];

/**
 * The longest files (several `archpin serve` processes or a serve on BullMQ waiting out real debounce
 * windows and sweeps) start first, so that the run does not end waiting on one of them alone. vitest
 * orders by the durations of the last run when it has them (a fresh clone has none) and else by size.
 */
const FIRST = ['test/bot/serve-distributed.test.ts', 'test/chain/chain-redis.test.ts', 'test/chain/chain-serve.test.ts'];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = FIRST.findIndex((name) => file.moduleId.endsWith(`/${name}`));
      return index === -1 ? FIRST.length : index;
    };
    return sorted
      .map((file, order) => ({ file, order }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order)
      .map(({ file }) => file);
  }
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two files at a time in each pool: most isolated files wait on a registry, a forge double or
    // `archpin serve` processes (each file starts its own, on free ports), so two overlap well even on
    // two cores. vitest's default here would be one (available parallelism minus one). The shared
    // files run one at a time in one thread beside them.
    maxWorkers: 2,
    minWorkers: 1,
    poolOptions: {
      forks: { isolate: true },
      threads: { isolate: false, maxThreads: 1, minThreads: 1 },
    },
    sequence: { sequencer: LongestFirst },
    setupFiles: ['./test/support/loopback-only.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'shared', include: SHARED, pool: 'threads', isolate: false } },
      {
        extends: true,
        test: { name: 'isolated', include: ['test/**/*.test.ts'], exclude: SHARED, pool: 'forks', isolate: true, globalSetup: ['./test/support/incident-snapshot.ts'] },
      },
    ],
  },
});
