import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files that need a process of their own (`isolate: true`, one fresh fork per file): they start
 * `archpin` or a script as a child process and signal it, stop the built CLI on purpose, load the built
 * scan worker, or run a scan large enough to hold a thread for seconds.
 *
 * Every other file shares worker threads (`isolate: false`), so the runtime and the src module graph
 * load once per thread instead of once per file. What one file could leave to the next is checked or
 * reset by test/support/shared-worker.ts: a file that leaves a registry, double, redis-server, server,
 * socket, child process or timer open fails, and the secrets it registered with core/redact are
 * forgotten after it. A shared file sends no signal to its own process and leaves the environment and
 * working directory alone.
 */
const ISOLATED = [
  'test/bot/scan-worker-pool.test.ts',
  'test/bot/serve-distributed.test.ts',
  'test/bot/serve-process.test.ts',
  'test/chain/chain-redis.test.ts',
  'test/cli/check-unreachable.test.ts',
  'test/cli/interrupts.test.ts',
  'test/demo/demo.test.ts',
  'test/hostile/budgets.test.ts',
  'test/hostile/serve-sigterm.test.ts',
  'test/packaging/dockerfile.test.ts',
  'test/packaging/engines.test.ts',
];

/**
 * The longest files (several `archpin serve` processes or a serve on BullMQ waiting out real debounce
 * windows and sweeps; in the shared threads, the property test that rescans every fixture tree) start first, so that the run does not end waiting on one of them alone. vitest
 * orders by the durations of the last run when it has them (a fresh clone has none) and else by size.
 */
const FIRST = ['test/bot/serve-distributed.test.ts', 'test/chain/chain-redis.test.ts', 'test/chain/chain-serve.test.ts', 'test/scan/rewrite-property.test.ts'];

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
    // Two files at a time in the forks pool (three in the shared threads, below): most files wait on a
    // registry, a forge double or `archpin serve` processes (each file starts its own, on free ports), so
    // they overlap well even on two cores. vitest's default here would be one (available parallelism
    // minus one).
    maxWorkers: 2,
    minWorkers: 1,
    poolOptions: {
      forks: { isolate: true },
      // Three shared threads: their files mostly wait (on a registry, a forge double, a debounce window),
      // so a third one uses CPU the other two leave idle; test/cli and test/chain alone took 85–102 s
      // with three against 117–120 s with two, at the same CPU (loaded machine). All three are kept for
      // the whole run (as many kept as allowed): a run that kept fewer (one of three) failed once at its
      // end on tinypool's "Terminating worker thread", after every test had passed.
      threads: { isolate: false, maxThreads: 3, minThreads: 3 },
    },
    sequence: { sequencer: LongestFirst },
    setupFiles: ['./test/support/loopback-only.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: ISOLATED,
          pool: 'threads',
          isolate: false,
          setupFiles: ['./test/support/shared-worker.ts'],
          globalSetup: ['./test/support/incident-snapshot.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'isolated', include: ISOLATED, pool: 'forks', isolate: true, globalSetup: ['./test/support/incident-snapshot.ts'] },
      },
    ],
  },
});
