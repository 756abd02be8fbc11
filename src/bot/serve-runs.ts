/** What the one-process `archpin serve` runs from its queue: one repository, and a sweep that queues every target. */
import type { Forge, ForgeTargets, Repository } from '../apply/forges/forge.js';
import type { Config } from '../config/schema.js';
import type { Logger } from 'pino';
import type { ChainRunner } from './chain-runner.js';
import type { SweepMemo } from './sweep-memo.js';
import { errorFields } from '../core/errors.js';
import { isolatedScanner, type IsolationLimits, type ScanWorkerPool } from './isolated-scanner.js';
import type { LookupSessions } from './lookup-sessions.js';
import type { Metrics } from './metrics.js';
import type { OutcomeRecorder } from './outcome-recording.js';
import { repositoryJob } from './repository-job.js';
import { expectRemembered } from './sweep.js';
import type { WorkQueue } from './work-queue.js';

export type QueueItem = { readonly id: string; readonly repository: Repository | null; readonly reason: string };

/** The serve options a run reads (ServeOptions, serve.ts). */
export interface ServeRunOptions {
  readonly forge: Forge;
  readonly config: Config;
  readonly logger: Logger;
  readonly now: () => number;
  readonly dryRun: boolean;
  readonly targets: ForgeTargets;
  readonly memo?: SweepMemo;
  readonly chain?: ChainRunner | undefined;
}

export interface ServeRunDeps {
  readonly options: ServeRunOptions;
  readonly sessions: LookupSessions;
  readonly recorder: OutcomeRecorder;
  readonly isolation: IsolationLimits | null;
  readonly scanWorkers: ScanWorkerPool | null;
  readonly stopping: () => boolean;
  /** The forge answered: the server is ready. */
  readonly reached: () => void;
}

/** Runs one queued repository: a webhook's in full, a sweep's skipped when nothing moved (with a memo). A failure is recorded. */
export function repositoryRunner(deps: ServeRunDeps): (item: QueueItem) => Promise<void> {
  const { forge, config, logger } = deps.options;
  const { isolation, scanWorkers } = deps;
  return async (item) => {
    if (deps.stopping()) return;
    try {
      const repository = item.repository ?? (await forge.getRepository(item.id));
      deps.reached();
      if (repository.archived) {
        logger.info({ repository: repository.path }, 'archived repository skipped');
        return;
      }
      const { session: opened, lookup } = await deps.sessions.current();
      logger.debug({ repository: repository.path, reason: item.reason }, 'repository run');
      // A webhook runs the repository in full; a sweep skips it when nothing moved (with a memo).
      const { outcome } = await repositoryJob(
        repository,
        config,
        {
          forge,
          lookup,
          firstSeen: opened.firstSeen,
          now: deps.options.now,
          dryRun: deps.options.dryRun,
          shouldStop: deps.stopping,
          memo: deps.options.memo,
          ...(isolation && scanWorkers ? { scanner: (path: string) => isolatedScanner(path, isolation, scanWorkers) } : {}),
        },
        { force: item.reason !== 'sweep' },
      );
      deps.recorder.finished(outcome);
    } catch (error) {
      deps.recorder.failed(item.repository?.path ?? item.id, error);
    }
  };
}

/** A sweep: lists the targets and queues every one of them (a repository already waiting is not queued twice). */
export function sweeper(deps: ServeRunDeps & { readonly metrics: Metrics; readonly queue: WorkQueue<QueueItem>; readonly keyOf: (id: string) => string }): () => Promise<void> {
  const { forge, logger } = deps.options;
  return async () => {
    if (deps.stopping()) return;
    let repositories: Repository[];
    try {
      repositories = await forge.listRepositories(deps.options.targets);
    } catch (error) {
      const { code, message } = errorFields(error);
      deps.metrics.inc('archpin_sweep_failures_total');
      logger.error({ code }, `sweep: cannot list repositories: ${message}`);
      return;
    }
    deps.reached();
    deps.metrics.inc('archpin_sweeps_total');
    // The image graph follows the group: projects whose default branch moved are read again.
    void deps.options.chain?.refresh().catch((error: unknown) => logger.error(errorFields(error), 'chain: cannot read the image graph'));
    if (deps.options.memo) {
      const memo = deps.options.memo;
      await deps.sessions
        .current()
        .then(({ session }) => expectRemembered(repositories, forge, memo, session.deps))
        .catch(() => undefined);
    }
    const { queue } = deps;
    let queued = 0;
    for (const repository of repositories) if (queue.add(deps.keyOf(repository.id), { id: repository.id, repository, reason: 'sweep' }) !== 'duplicate') queued++;
    logger.info({ repositories: repositories.length, queued }, 'sweep queued');
  };
}
