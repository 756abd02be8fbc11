import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files that share worker threads (`isolate: false`), so the runtime and the src module graph load
 * once per thread instead of once per file. A file belongs here when nothing it starts outlives it and
 * it changes nothing process-wide:
 * - every registry, double, redis-server, server, socket, child process and timer it starts is stopped
 *   by its own hooks (test/support/shared-worker.ts fails a file that leaves one open);
 * - it registers no secret with core/redact (that set is held for the whole process, and a value masked
 *   in one file would be masked in the next): no registry credentials through the config, no forge
 *   token through `archpin run` or `serve`, no `serveOptions`;
 * - it sends no signal to its own process, and leaves the environment and working directory alone;
 * - it runs no archpin child process and no scan large enough to hold the thread for seconds.
 * Every other file runs in the isolated project below, one fresh process per file.
 */
const SHARED = [
  'test/apply/forges/**/*.test.ts',
  'test/architecture/**/*.test.ts',
  'test/gate/**/*.test.ts',
  'test/plan/**/*.test.ts',
  'test/scan/**/*.test.ts',
  'test/bot/reconcile-change.test.ts',
  'test/bot/webhooks.test.ts',
  'test/bot/work-queue.test.ts',
  'test/chain/chain-state.test.ts',
  'test/chain/graph.test.ts',
  'test/cli/args.test.ts',
  'test/cli/check.test.ts',
  'test/cli/check-cases.test.ts',
  'test/cli/check-gitlab-variables.test.ts',
  'test/cli/check-hostile.test.ts',
  'test/cli/check-package-rules.test.ts',
  'test/cli/check-revision-tags.test.ts',
  'test/cli/check-versioning.test.ts',
  'test/cli/check-write-converges.test.ts',
  'test/cli/read-tree-git.test.ts',
  'test/cli/report-held.test.ts',
  'test/config/discovery.test.ts',
  'test/config/extends.test.ts',
  'test/config/validate.test.ts',
  'test/core/docker-versioning.test.ts',
  'test/core/manifest.test.ts',
  'test/core/platform.test.ts',
  'test/core/redis-script.test.ts',
  'test/hostile/chain.test.ts',
  'test/hostile/patterns.test.ts',
  'test/hostile/reads.test.ts',
  'test/hostile/writes.test.ts',
  'test/lookup/registry-client.test.ts',
  'test/lookup/registry-faults.test.ts',
  'test/lookup/registry-pieces.test.ts',
  'test/lookup/registry-profile.test.ts',
  'test/lookup/shared-first-seen-store.test.ts',
  'test/packaging/kubernetes.test.ts',
  'test/packaging/templates.test.ts',
  'test/support-tests/proxy.test.ts',
  'test/support-tests/registry-seed.test.ts',
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
    // Two files at a time in each pool: most files wait on a registry, a forge double or `archpin
    // serve` processes (each file starts its own, on free ports), so two overlap well even on two
    // cores. vitest's default here would be one (available parallelism minus one).
    maxWorkers: 2,
    minWorkers: 1,
    poolOptions: {
      forks: { isolate: true },
      threads: { isolate: false, maxThreads: 2, minThreads: 1 },
    },
    sequence: { sequencer: LongestFirst },
    setupFiles: ['./test/support/loopback-only.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'shared', include: SHARED, pool: 'threads', isolate: false, setupFiles: ['./test/support/shared-worker.ts'], globalSetup: ['./test/support/incident-snapshot.ts'] },
      },
      {
        extends: true,
        test: { name: 'isolated', include: ['test/**/*.test.ts'], exclude: SHARED, pool: 'forks', isolate: true, globalSetup: ['./test/support/incident-snapshot.ts'] },
      },
    ],
  },
});
