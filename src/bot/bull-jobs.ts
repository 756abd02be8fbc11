/** What the workers of the distributed bot run: a repository job, and a sweep that queues the repositories that moved. */
import type { Job } from 'bullmq';
import type { Repository } from '../apply/forges/forge.js';
import { errorFields } from '../core/errors.js';
import type { RepositoryOutcome } from '../core/outcome.js';
import type { RepositoryJobData, RepositoryQueue } from './bull-repository-queue.js';
import type { SweepSessions } from './bull-sweep-sessions.js';
import { isolatedScanner, type IsolationLimits, type ScanWorkerPool } from './isolated-scanner.js';
import type { Metrics } from './metrics.js';
import type { OutcomeRecorder } from './outcome-recording.js';
import { memoKey, quietOutcome } from './quiet-repository.js';
import { repositoryJob } from './repository-job.js';
import type { ServeOptions } from './serve.js';
import type { SweepMemo } from './sweep-memo.js';

/** What a replica knows of itself, for /readyz and /metrics, and whether it is stopping. */
export interface ReplicaStatus {
  stopping: boolean;
  /** The forge answered once (a worker-only replica does not ask). */
  forgeReached: boolean;
  redisReady: boolean;
}

export interface BullJobDeps {
  readonly options: Pick<ServeOptions, 'forge' | 'config' | 'logger' | 'now' | 'dryRun' | 'targets' | 'chain'>;
  readonly memo: SweepMemo;
  readonly status: ReplicaStatus;
  readonly metrics: Metrics;
  readonly recorder: OutcomeRecorder;
  readonly sessions: SweepSessions;
  readonly repositories: RepositoryQueue;
  readonly isolation: IsolationLimits | null;
  readonly scanWorkers: ScanWorkerPool | null;
}

/** Repositories a sweep checks for quiet at once (their lookups are shared, so mostly Redis reads). */
const QUIET_CHECKS = 32;

/** Counts a repository's outcome: a quiet one only as quiet. */
function record(deps: BullJobDeps, outcome: RepositoryOutcome, quiet: boolean): void {
  if (!quiet) {
    deps.recorder.finished(outcome);
    return;
  }
  deps.metrics.inc('archpin_repositories_processed_total', { result: 'quiet' });
  deps.options.logger.debug({ repository: outcome.repository }, 'repository quiet: nothing moved');
}

/** One repository's job: the same run as the in-process queue's; a failure is recorded and thrown for BullMQ to retry. */
export function repositoryJobRunner(deps: BullJobDeps): (job: Job<RepositoryJobData>) => Promise<string> {
  const { forge, config, logger } = deps.options;
  const { isolation, scanWorkers, status } = deps;
  return async (job) => {
    const data = job.data;
    try {
      const repository = data.repository ?? (await forge.getRepository(data.id));
      status.forgeReached = true;
      if (repository.archived) return 'archived';
      const { session, lookup } = await deps.sessions.sessionFor(data.sweep);
      const { outcome, quiet } = await repositoryJob(
        repository,
        config,
        {
          forge,
          lookup,
          firstSeen: session.firstSeen,
          now: deps.options.now,
          dryRun: deps.options.dryRun,
          shouldStop: () => status.stopping,
          memo: deps.memo,
          ...(isolation && scanWorkers ? { scanner: (path: string) => isolatedScanner(path, isolation, scanWorkers) } : {}),
        },
        { force: data.force || data.checked === true },
      );
      record(deps, outcome, quiet);
      return quiet ? 'quiet' : 'done';
    } catch (error) {
      deps.recorder.failed(data.repository?.path ?? data.id, error);
      logger.info({ repository: data.repository?.path ?? data.id, attempt: job.attemptsMade + 1, attempts: job.opts.attempts ?? 1 }, 'job attempt failed');
      throw error;
    }
  };
}

/**
 * A sweep: list the targets in bulk, tell the quiet repositories here (their memo entries read in
 * bulk, their lookups shared through Redis), and queue only the ones that moved.
 */
export function sweepRunner(deps: BullJobDeps): (job: Job) => Promise<number> {
  const { forge, config, logger } = deps.options;
  const { metrics, status } = deps;
  return async (job) => {
    let listed: Repository[];
    try {
      listed = await forge.listRepositories(deps.options.targets);
    } catch (error) {
      const { code, message } = errorFields(error);
      metrics.inc('archpin_sweep_failures_total');
      logger.error({ code }, `sweep: cannot list repositories: ${message}`);
      throw error;
    }
    status.forgeReached = true;
    metrics.inc('archpin_sweeps_total');
    // The image graph follows the group: projects whose default branch moved are read again.
    void deps.options.chain?.refresh().catch((error: unknown) => logger.error(errorFields(error), 'chain: cannot read the image graph'));
    const sweep = String(job.id ?? job.timestamp);
    const active = listed.filter((repository) => !repository.archived);
    const { session, lookup } = await deps.sessions.sessionFor(sweep);
    const entries = await deps.memo.getMany(active.map((repository) => memoKey(forge, repository)));
    // The images these repositories used last time, named before any lookup: one token per registry covers them.
    session.deps.expectRepositories?.(entries.flatMap((entry) => entry?.dependencies.map((dependency) => dependency.location) ?? []));
    const quietDeps = { forge, lookup, memo: deps.memo, now: deps.options.now };
    const moved: RepositoryJobData[] = [];
    const pending = active.entries();
    const check = async (): Promise<void> => {
      while (!status.stopping) {
        const step = pending.next();
        if (step.done) return;
        const [index, repository] = step.value;
        const outcome = await quietOutcome(repository, config, quietDeps, entries[index]).catch(() => null);
        if (outcome) record(deps, outcome, true);
        else moved.push({ id: repository.id, repository, reason: 'sweep', force: false, checked: true, sweep });
      }
    };
    await Promise.all(Array.from({ length: QUIET_CHECKS }, check));
    if (!status.stopping) await deps.repositories.enqueueMoved(moved);
    logger.info({ repositories: listed.length, quiet: active.length - moved.length, queued: moved.length, sweep }, 'sweep queued');
    return moved.length;
  };
}
