/**
 * `archpin serve` with `serve.queue.redisUrl`: the bot spread over any number of processes on one
 * Redis (or Valkey), through BullMQ.
 *
 * - The schedule is a BullMQ job scheduler on the `sweeps` queue: every replica with the scheduler
 *   role declares the same one, BullMQ fires it once per tick, and one replica takes the tick. No
 *   election of our own.
 * - A sweep lists the targets (bulk calls only) and enqueues one job per repository on the
 *   `repositories` queue, with the repository's key as job id: a repository waits at most once,
 *   whoever enqueues it (a sweep, or a webhook on any replica).
 * - Replicas with the worker role run those jobs with bounded concurrency: the same per-repository
 *   job as the in-process queue (`repositoryJob`). A failed job is retried with backoff, then stays
 *   in the failed set (shown on /metrics) until the repository is queued again. A worker that dies
 *   mid-job loses its lock; BullMQ hands the job to another worker. Runs are idempotent (the forge
 *   is the database), so the retry finds what the first attempt wrote.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type { Repository } from '../apply/forges/forge.js';
import { resolveConfig } from '../config/resolve-config.js';
import { errorFields } from '../core/errors.js';
import type { RepositoryOutcome } from '../core/outcome.js';
import type { LookupSession } from './lookup-sessions.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createOutcomeRecorder } from './outcome-recording.js';
import { memoKey, quietOutcome } from './quiet-repository.js';
import { DEFAULT_ISOLATION, isolatedScanner, ScanWorkerPool } from './isolated-scanner.js';
import { redisConnection } from './redis-connection.js';
import { repositoryJob } from './repository-job.js';
import { cronScheduler, type ServeHandle, type ServeOptions } from './serve.js';
import { listenRoutes, probeForge, serveHandle } from './serve-routes.js';
import { sharedLookup } from './sweep.js';
import type { SweepMemo } from './sweep-memo.js';
import { webhookEndpoint } from './webhook-endpoint.js';
import type { EnqueueResult } from './work-queue.js';

export type ServeRole = 'all' | 'scheduler' | 'worker';

export interface QueueOptions {
  readonly redisUrl: string;
  readonly role: ServeRole;
  /** Prefix of every Redis key (BullMQ's and archpin's own). */
  readonly prefix: string;
  /** Attempts per job: 2 = one retry. */
  readonly attempts: number;
  /** First retry delay; doubles after each failure. */
  readonly backoffMs: number;
  /** How long a job stays with a worker that stops answering before another worker takes it. */
  readonly lockDurationMs: number;
  readonly memo: SweepMemo;
  /** Claims a schedule tick for this replica (true for exactly one replica per key while `ttlMs` lasts). */
  readonly claimTick?: (key: string, ttlMs: number) => Promise<boolean>;
}

interface RepositoryJobData {
  readonly id: string;
  readonly repository: Repository | null;
  readonly reason: string;
  /** A webhook: run in full even when the activity stamp has not moved (GitLab updates it lazily). */
  readonly force: boolean;
  /** A sweep's scheduler found it moved (the quiet check is done): run in full. */
  readonly checked?: boolean;
  /** The sweep that queued it: its lookups are shared by the jobs of that sweep in this worker. */
  readonly sweep: string | null;
  /** Unique per enqueue: tells whether `add` made this job or found another with the same id. */
  readonly ticket?: string;
}

const SWEEP_SCHEDULER = 'sweep';
/** Jobs per addBulk call, and failed jobs read per page. */
const BULK = 500;
/** Repositories a sweep checks for quiet at once (their lookups are shared, so mostly Redis reads). */
const QUIET_CHECKS = 32;

export async function startDistributedServe(options: ServeOptions, queueOptions: QueueOptions): Promise<ServeHandle> {
  const { forge, config, logger } = options;
  const { role, prefix } = queueOptions;
  const metrics: Metrics = createMetrics();
  const recorder = createOutcomeRecorder({ metrics, logger, dryRun: options.dryRun });
  const connection = redisConnection(queueOptions.redisUrl);
  const keyOf = (id: string) => (forge.type === 'github' ? id.toLowerCase() : id);
  const isolation = options.isolation === undefined ? DEFAULT_ISOLATION : options.isolation;
  const scanWorkers = isolation ? new ScanWorkerPool(isolation) : null;
  let stopping = false;
  let forgeReached = role === 'worker';
  let redisReady = false;

  const repositories = new Queue<RepositoryJobData>('repositories', {
    connection,
    prefix,
    defaultJobOptions: { attempts: queueOptions.attempts, backoff: { type: 'exponential', delay: queueOptions.backoffMs }, removeOnComplete: true, removeOnFail: false },
  });
  const sweeps = new Queue('sweeps', { connection, prefix, defaultJobOptions: { removeOnComplete: true, removeOnFail: 100 } });
  for (const queue of [repositories, sweeps]) queue.on('error', (error) => logger.warn({ err: error }, 'queue connection'));

  // BullMQ takes no integer ids (GitLab's are) and no ':' in them.
  const jobIdOf = (id: string) => `repo-${encodeURIComponent(keyOf(id))}`;

  /** One job per repository: a waiting one absorbs the new request; a finished one makes way for it. */
  async function enqueue(data: RepositoryJobData, delayMs: number): Promise<EnqueueResult> {
    const jobId = jobIdOf(data.id);
    const existing = await repositories.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state === 'completed' || state === 'failed' || state === 'unknown') {
        await existing.remove().catch(() => undefined);
      } else {
        if (data.force && !existing.data.force && state !== 'active') await existing.updateData({ ...existing.data, force: true }).catch(() => undefined);
        return state === 'active' ? 'follow-up' : 'duplicate';
      }
    }
    const ticket = randomUUID();
    await repositories.add('repository', { ...data, ticket }, { jobId, ...(delayMs > 0 ? { delay: delayMs } : {}) });
    // `add` answers with the job it was given even when one with that id was already there.
    const stored = await repositories.getJob(jobId);
    return stored?.data.ticket === ticket ? 'queued' : 'duplicate';
  }

  // Lookup sessions: one per sweep (its jobs share lookups in this worker), one per while for webhooks.
  const sessions = new Map<string, Promise<{ session: LookupSession; lookup: ReturnType<typeof sharedLookup> }>>();
  const opened: LookupSession[] = [];
  const sessionFor = (sweep: string | null) => {
    const key = sweep ?? `hooks:${Math.floor(Date.now() / (options.sessionMaxAgeMs ?? 15 * 60_000))}`;
    let found = sessions.get(key);
    if (!found) {
      found = options
        .openLookup()
        .then((session) => (opened.push(session), { session, lookup: sharedLookup({ forge, lookup: session.deps, now: options.now, dryRun: options.dryRun, platforms: options.platforms }) }));
      sessions.set(key, found);
      while (sessions.size > 3) {
        const first = sessions.entries().next();
        if (first.done) break;
        const [oldest, retired] = first.value;
        sessions.delete(oldest);
        void retired.then(({ session }) => opened.splice(opened.indexOf(session), 1));
        void retired.then(({ session }) => session.firstSeen.save()).catch((error: unknown) => logger.warn({ err: error }, 'could not save the first-seen cache'));
      }
    }
    return found;
  };

  const record = (outcome: RepositoryOutcome, quiet: boolean): void => {
    if (!quiet) {
      recorder.finished(outcome);
      return;
    }
    metrics.inc('archpin_repositories_processed_total', { result: 'quiet' });
    logger.debug({ repository: outcome.repository }, 'repository quiet: nothing moved');
  };

  const runJob = async (job: Job<RepositoryJobData>): Promise<string> => {
    const data = job.data;
    try {
      const repository = data.repository ?? (await forge.getRepository(data.id));
      forgeReached = true;
      if (repository.archived) return 'archived';
      const { session, lookup } = await sessionFor(data.sweep);
      const { outcome, quiet } = await repositoryJob(
        repository,
        config,
        {
          forge,
          lookup,
          firstSeen: session.firstSeen,
          now: options.now,
          dryRun: options.dryRun,
          shouldStop: () => stopping,
          memo: queueOptions.memo,
          ...(isolation && scanWorkers ? { scanner: (path: string) => isolatedScanner(path, isolation, scanWorkers) } : {}),
        },
        { force: data.force || data.checked === true },
      );
      record(outcome, quiet);
      return quiet ? 'quiet' : 'done';
    } catch (error) {
      recorder.failed(data.repository?.path ?? data.id, error);
      logger.info({ repository: data.repository?.path ?? data.id, attempt: job.attemptsMade + 1, attempts: job.opts.attempts ?? 1 }, 'job attempt failed');
      throw error;
    }
  };

  /**
   * Queues the repositories a sweep found moved, in bulk. A job already waiting or running for a
   * repository absorbs the request (same job id); a failed one keeps its id, so it is removed first.
   */
  async function enqueueMoved(moved: readonly RepositoryJobData[]): Promise<void> {
    if (moved.length === 0) return;
    const wanted = new Set(moved.map((data) => jobIdOf(data.id)));
    for (let start = 0; ; start += BULK) {
      const failed = await repositories.getJobs(['failed'], start, start + BULK - 1);
      // A job removed between the listing and the read comes back as undefined, though the typings say Job.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      for (const job of failed) if (job?.id && wanted.has(job.id)) await job.remove().catch(() => undefined);
      if (failed.length < BULK) break;
    }
    for (let start = 0; start < moved.length; start += BULK) {
      await repositories.addBulk(moved.slice(start, start + BULK).map((data) => ({ name: 'repository', data, opts: { jobId: jobIdOf(data.id) } })));
    }
  }

  /**
   * A sweep: list the targets in bulk, tell the quiet repositories here (their memo entries read in
   * bulk, their lookups shared through Redis), and queue only the ones that moved.
   */
  const runSweep = async (job: Job): Promise<number> => {
    let listed: Repository[];
    try {
      listed = await forge.listRepositories(options.targets);
    } catch (error) {
      const { code, message } = errorFields(error);
      metrics.inc('archpin_sweep_failures_total');
      logger.error({ code }, `sweep: cannot list repositories: ${message}`);
      throw error;
    }
    forgeReached = true;
    metrics.inc('archpin_sweeps_total');
    // The image graph follows the group: projects whose default branch moved are read again.
    void options.chain?.refresh().catch((error: unknown) => logger.error(errorFields(error), 'chain: cannot read the image graph'));
    const sweep = String(job.id ?? job.timestamp);
    const active = listed.filter((repository) => !repository.archived);
    const { session, lookup } = await sessionFor(sweep);
    const entries = await queueOptions.memo.getMany(active.map((repository) => memoKey(forge, repository)));
    // The images these repositories used last time, named before any lookup: one token per registry covers them.
    session.deps.expectRepositories?.(entries.flatMap((entry) => entry?.dependencies.map((dependency) => dependency.location) ?? []));
    const quietDeps = { forge, lookup, memo: queueOptions.memo, now: options.now };
    const moved: RepositoryJobData[] = [];
    const pending = active.entries();
    const check = async (): Promise<void> => {
      while (!stopping) {
        const step = pending.next();
        if (step.done) return;
        const [index, repository] = step.value;
        const outcome = await quietOutcome(repository, config, quietDeps, entries[index]).catch(() => null);
        if (outcome) record(outcome, true);
        else moved.push({ id: repository.id, repository, reason: 'sweep', force: false, checked: true, sweep });
      }
    };
    await Promise.all(Array.from({ length: QUIET_CHECKS }, check));
    if (!stopping) await enqueueMoved(moved);
    logger.info({ repositories: listed.length, quiet: active.length - moved.length, queued: moved.length, sweep }, 'sweep queued');
    return moved.length;
  };

  const workerOptions = { connection, prefix, lockDuration: queueOptions.lockDurationMs, stalledInterval: Math.max(1000, Math.floor(queueOptions.lockDurationMs / 2)), maxStalledCount: 1 };
  const workers: Worker[] = [];
  if (role !== 'scheduler') workers.push(new Worker<RepositoryJobData, string>('repositories', runJob, { ...workerOptions, concurrency: options.concurrency }));
  if (role !== 'worker') {
    workers.push(new Worker('sweeps', runSweep, { ...workerOptions, concurrency: 1 }));
    if (options.schedule !== null) {
      await sweeps.upsertJobScheduler(SWEEP_SCHEDULER, { pattern: options.schedule, ...(options.timezone ? { tz: options.timezone } : {}) }, { name: 'sweep', data: {} });
    }
  }
  for (const worker of workers) {
    worker.on('error', (error) => logger.warn({ err: error }, 'worker connection'));
    worker.on('failed', (job, error) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) logger.error({ job: job.id, err: error.message }, 'job failed for good: in the failed set');
    });
  }
  await repositories.waitUntilReady();
  redisReady = true;
  repositories.on('error', () => (redisReady = false));

  const sweep = async (): Promise<void> => {
    if (stopping) return;
    await sweeps.add('sweep', {}, { jobId: `now-${Date.now()}` });
  };
  if (role !== 'worker' && options.sweepOnStart) {
    // Replicas starting together queue one start-up sweep between them (one job id per minute).
    await sweeps.add('sweep', {}, { jobId: `start-${Math.floor(Date.now() / 60_000)}` });
  }

  const chain = options.chain;
  const webhook = webhookEndpoint({
    forgeType: forge.type,
    secret: options.webhookSecret,
    branchPrefix: resolveConfig(config).branchPrefix,
    targets: options.targets,
    metrics,
    logger,
    stopping: () => stopping,
    enqueue: (id, event) => enqueue({ id, repository: null, reason: event, force: true, sweep: null }, options.debounceMs),
    ...(chain ? { pipeline: (event) => chain.pipelineEvent(event), push: (event) => chain.pushEvent(event) } : {}),
    resolve: (id) => forge.getRepository(id),
  });

  // Chain schedules: every replica with the scheduler role ticks; the first to claim a tick starts the chain.
  const scheduler = options.scheduler ?? cronScheduler;
  const chainCrons =
    chain && role !== 'worker'
      ? (options.chainSchedules ?? []).map(({ root, cron }) =>
          scheduler(cron, options.timezone, async () => {
            const claimed = queueOptions.claimTick ? await queueOptions.claimTick(`chain:${root}:${Math.floor(Date.now() / 30_000)}`, 5 * 60_000) : true;
            if (!claimed) return;
            await chain.triggerRoot(root, 'schedule').catch((error: unknown) => logger.error({ root, ...errorFields(error) }, 'chain schedule: cannot start the chain'));
          }),
        )
      : [];

  // /metrics answers from the last counts read from Redis (refreshed every second).
  let counts: Record<string, number> = {};
  const refreshCounts = async () => {
    try {
      counts = await repositories.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'failed');
    } catch {
      // Redis away: keep the last counts; readiness says so
    }
  };
  await refreshCounts();
  const counter = setInterval(() => void refreshCounts(), 1000);
  const metricsText = () => {
    const requests: Record<string, number> = {};
    for (const session of opened) for (const [kind, count] of Object.entries(session.requestCounts())) requests[kind] = (requests[kind] ?? 0) + count;
    const body = metrics.render(
      {
        archpin_queue_depth: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
        archpin_queue_running: counts.active ?? 0,
        archpin_ready: forgeReached && redisReady && !stopping ? 1 : 0,
      },
      requests,
    );
    const failed = [
      '# HELP archpin_queue_failed Repository jobs in the failed set: retries used up, not queued again since.',
      '# TYPE archpin_queue_failed gauge',
      `archpin_queue_failed ${counts.failed ?? 0}`,
    ];
    return `${body}${failed.join('\n')}\n${options.chain?.metricsText() ?? ''}`;
  };
  const server = await listenRoutes(options.listen, options.maxBodyBytes, { stopping: () => stopping, ready: () => forgeReached && redisReady, metricsText, webhook }, logger);
  logger.info({ url: server.url, role, schedule: options.schedule, queue: 'bullmq', forge: forge.type }, 'serving');
  if (role === 'scheduler' && !options.sweepOnStart) {
    probeForge(forge, options.targets, logger, () => {
      forgeReached = true;
    });
  }

  return serveHandle({
    url: server.url,
    chain: options.chain ?? null,
    metrics,
    outcomes: recorder.outcomes,
    sweep,
    async idle() {
      for (;;) {
        const [work, ticks] = await Promise.all([repositories.getJobCounts('waiting', 'delayed', 'prioritized', 'active'), sweeps.getJobCounts('waiting', 'active', 'delayed')]);
        if (Object.values(work).every((count) => count === 0) && (ticks.waiting ?? 0) + (ticks.active ?? 0) === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    isStopping: () => stopping,
    shutdown: async () => {
      stopping = true;
      for (const job of chainCrons) job.stop();
      options.chain?.stop();
      logger.info('stopping: finishing the jobs in flight');
      await Promise.all(workers.map((worker) => worker.close()));
      clearInterval(counter);
      for (const pending of sessions.values()) await pending.then(({ session }) => session.firstSeen.save()).catch(() => undefined);
      await Promise.all([repositories.close(), sweeps.close()]);
      await server.close();
      scanWorkers?.close();
      logger.info('stopped');
    },
  });
}
