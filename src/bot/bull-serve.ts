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
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { resolveConfig } from '../config/resolve-config.js';
import { repositoryJobRunner, sweepRunner, type BullJobDeps, type ReplicaStatus } from './bull-jobs.js';
import { queueMetrics } from './bull-queue-metrics.js';
import { createRepositoryQueue, type RepositoryJobData } from './bull-repository-queue.js';
import { createSweepSessions } from './bull-sweep-sessions.js';
import { SESSION_MAX_AGE_MS } from './lookup-sessions.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createOutcomeRecorder, type OutcomeRecorder } from './outcome-recording.js';
import { DEFAULT_ISOLATION, ScanWorkerPool } from './isolated-scanner.js';
import { redisConnection } from './redis-connection.js';
import type { ServeHandle, ServeOptions } from './serve.js';
import type { ChainRunner } from './chain-runner.js';
import { chainScheduleJobs, cronScheduler } from './chain-schedules.js';
import { listenRoutes, probeForge, serveHandle } from './serve-routes.js';
import type { SweepMemo } from './sweep-memo.js';
import { serveWebhook } from './webhook-endpoint.js';

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

const SWEEP_SCHEDULER = 'sweep';

/** Wires a replica: the queues, its workers by role, the sweep schedule, webhooks, chain schedules and the HTTP routes. */
export async function startDistributedServe(options: ServeOptions, queueOptions: QueueOptions): Promise<ServeHandle> {
  const { forge, config, logger } = options;
  const { role, prefix } = queueOptions;
  const metrics: Metrics = createMetrics();
  const recorder = createOutcomeRecorder({ metrics, logger, dryRun: options.dryRun });
  const connection = redisConnection(queueOptions.redisUrl);
  const isolation = options.isolation === undefined ? DEFAULT_ISOLATION : options.isolation;
  const scanWorkers = isolation ? new ScanWorkerPool(isolation) : null;
  const status: ReplicaStatus = { stopping: false, forgeReached: role === 'worker', redisReady: false };

  const keyOf = (id: string) => (forge.type === 'github' ? id.toLowerCase() : id);
  const repositories = createRepositoryQueue(connection, { prefix, attempts: queueOptions.attempts, backoffMs: queueOptions.backoffMs, keyOf }, logger);
  const sweeps = new Queue('sweeps', { connection, prefix, defaultJobOptions: { removeOnComplete: true, removeOnFail: 100 } });
  sweeps.on('error', (error) => logger.warn({ err: error }, 'queue connection'));
  const sessions = createSweepSessions({ ...options, maxAgeMs: options.sessionMaxAgeMs ?? SESSION_MAX_AGE_MS }, logger);
  const jobs: BullJobDeps = { options, memo: queueOptions.memo, status, metrics, recorder, sessions, repositories, isolation, scanWorkers };

  const workers = await startWorkers(jobs, sweeps, options, { connection, prefix, role, lockDurationMs: queueOptions.lockDurationMs });
  await repositories.queue.waitUntilReady();
  status.redisReady = true;
  repositories.queue.on('error', () => (status.redisReady = false));

  const sweep = async (): Promise<void> => {
    if (status.stopping) return;
    await sweeps.add('sweep', {}, { jobId: `now-${Date.now()}` });
  };
  if (role !== 'worker' && options.sweepOnStart) {
    // Replicas starting together queue one start-up sweep between them (one job id per minute).
    await sweeps.add('sweep', {}, { jobId: `start-${Math.floor(Date.now() / 60_000)}` });
  }

  const chain = options.chain;
  const webhook = serveWebhook(forge, chain, {
    secret: options.webhookSecret,
    branchPrefix: resolveConfig(config).branchPrefix,
    targets: options.targets,
    metrics,
    logger,
    stopping: () => status.stopping,
    enqueue: (id, event) => repositories.enqueue({ id, repository: null, reason: event, force: true, sweep: null }, options.debounceMs),
  });
  const chainCrons = chain && role !== 'worker' ? claimedChainSchedules(chain, options, queueOptions.claimTick) : [];

  const queueCounts = await queueMetrics(repositories.queue, metrics, sessions, status, options.chain ?? null);
  const server = await listenRoutes(
    options.listen,
    options.maxBodyBytes,
    { stopping: () => status.stopping, ready: () => status.forgeReached && status.redisReady, metricsText: () => queueCounts.text(), webhook },
    logger,
  );
  logger.info({ url: server.url, role, schedule: options.schedule, queue: 'bullmq', forge: forge.type }, 'serving');
  if (role === 'scheduler' && !options.sweepOnStart) {
    probeForge(forge, options.targets, logger, () => {
      status.forgeReached = true;
    });
  }

  return serveHandle({
    url: server.url,
    chain: options.chain ?? null,
    metrics,
    outcomes: recorder.outcomes,
    sweep,
    idle: () => queuesIdle(repositories.queue, sweeps),
    isStopping: () => status.stopping,
    shutdown: async () => {
      status.stopping = true;
      await stopReplica({ options, chainCrons, recorder, workers, queueCounts, sessions, queues: [repositories.queue, sweeps], server, scanWorkers });
    },
  });
}

/** Stops a replica: its schedules and chain, then the jobs in flight finish; caches are saved, queues and the server closed. */
async function stopReplica(replica: {
  readonly options: ServeOptions;
  readonly chainCrons: ReturnType<typeof chainScheduleJobs>;
  readonly recorder: OutcomeRecorder;
  readonly workers: readonly Worker[];
  readonly queueCounts: { stop(): void };
  readonly sessions: { saveAll(): Promise<void> };
  readonly queues: readonly Queue[];
  readonly server: { close(): Promise<void> };
  readonly scanWorkers: ScanWorkerPool | null;
}): Promise<void> {
  const { options, recorder } = replica;
  const { logger } = options;
  for (const { job } of replica.chainCrons) job.stop();
  options.chain?.stop();
  // Jobs not started stay queued in Redis for the next worker: none is dropped.
  recorder.stopping(0);
  logger.info('stopping: finishing the jobs in flight');
  await Promise.all(replica.workers.map((worker) => worker.close()));
  recorder.stopped();
  replica.queueCounts.stop();
  await replica.sessions.saveAll();
  await Promise.all(replica.queues.map((queue) => queue.close()));
  await replica.server.close();
  replica.scanWorkers?.close();
  logger.info('stopped');
}

/** The replica's workers by role (repository jobs; sweeps and the sweep schedule), logging connection errors and jobs that failed for good. */
async function startWorkers(
  jobs: BullJobDeps,
  sweeps: Queue,
  options: ServeOptions,
  queue: { connection: ConnectionOptions; prefix: string; role: ServeRole; lockDurationMs: number },
): Promise<Worker[]> {
  const { logger } = options;
  const { connection, prefix, role } = queue;
  const workerOptions = { connection, prefix, lockDuration: queue.lockDurationMs, stalledInterval: Math.max(1000, Math.floor(queue.lockDurationMs / 2)), maxStalledCount: 1 };
  const workers: Worker[] = [];
  if (role !== 'scheduler') workers.push(new Worker<RepositoryJobData, string>('repositories', repositoryJobRunner(jobs), { ...workerOptions, concurrency: options.concurrency }));
  if (role !== 'worker') {
    workers.push(new Worker('sweeps', sweepRunner(jobs), { ...workerOptions, concurrency: 1 }));
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
  return workers;
}

/** Chain schedules: every replica with the scheduler role ticks; the first to claim a tick starts the chain. */
function claimedChainSchedules(chain: ChainRunner, options: ServeOptions, claimTick: QueueOptions['claimTick']): ReturnType<typeof chainScheduleJobs> {
  return chainScheduleJobs(chain, options.chainSchedules ?? [], {
    scheduler: options.scheduler ?? cronScheduler,
    timezone: options.timezone,
    logger: options.logger,
    claim: async (root) => (claimTick ? await claimTick(`chain:${root}:${Math.floor(Date.now() / 30_000)}`, 5 * 60_000) : true),
  });
}

/** Resolves once no repository job waits, is delayed or runs, and no sweep waits or runs. */
async function queuesIdle(repositories: Queue, sweeps: Queue): Promise<void> {
  for (;;) {
    const [work, ticks] = await Promise.all([repositories.getJobCounts('waiting', 'delayed', 'prioritized', 'active'), sweeps.getJobCounts('waiting', 'active', 'delayed')]);
    if (Object.values(work).every((count) => count === 0) && (ticks.waiting ?? 0) + (ticks.active ?? 0) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
