/**
 * `archpin serve`: a long-running bot. A cron schedule enqueues a sweep of every target repository,
 * webhooks enqueue the one repository they are about, and a deduplicating queue runs repositories with
 * bounded concurrency. Health, readiness and Prometheus metrics are served over HTTP. A stop lets the
 * run in flight finish its current write; the forge holds all state, so a restart loses nothing.
 */
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Forge, ForgeTargets } from '../apply/forges/forge.js';
import { resolveConfig } from '../config/resolve-config.js';
import type { Config } from '../config/schema.js';
import type { ChainRunner } from './chain-runner.js';
import { DEFAULT_ISOLATION, ScanWorkerPool, type IsolationLimits } from './isolated-scanner.js';
import { createLookupSessions, SESSION_MAX_AGE_MS, type LookupSession } from './lookup-sessions.js';
import { createMetrics } from './metrics.js';
import { createOutcomeRecorder, type OutcomeRecorder } from './outcome-recording.js';
import { listenRoutes, probeForge, serveHandle, type ServeHandle } from './serve-routes.js';
import type { SweepMemo } from './sweep-memo.js';
import { sharedLookup } from './sweep.js';
import { serveWebhook } from './webhook-endpoint.js';
import { createWorkQueue, type WorkQueue } from './work-queue.js';
import { chainScheduleJobs, cronScheduler, type Scheduler } from './chain-schedules.js';
import { repositoryRunner, sweeper, type QueueItem, type ServeRunDeps } from './serve-runs.js';

export interface ServeOptions {
  readonly config: Config;
  readonly forge: Forge;
  readonly targets: ForgeTargets;
  readonly openLookup: () => Promise<LookupSession>;
  readonly logger: Logger;
  readonly listen: { host: string; port: number };
  /** Cron pattern (5 or 6 fields), or null for no schedule. */
  readonly schedule: string | null;
  readonly timezone?: string | undefined;
  /** The GitLab webhook token / GitHub webhook secret; null disables the webhook endpoints (403). */
  readonly webhookSecret: string | null;
  readonly concurrency: number;
  /** How long a queued repository waits for more events before it runs (a burst becomes one run). */
  readonly debounceMs: number;
  readonly sweepOnStart: boolean;
  readonly dryRun: boolean;
  readonly platforms?: readonly string[] | undefined;
  /** The clock of lookups and gate decisions (the queue and the session age use the real clock). */
  readonly now: () => number;
  readonly maxBodyBytes?: number;
  /** A lookup session older than this is replaced before the next repository run (default 15 minutes). */
  readonly sessionMaxAgeMs?: number;
  /** Chain rebuilds (GitLab, `chain.rebuild`): Pipeline Hooks go to it, its schedules start chains. */
  readonly chain?: ChainRunner | undefined;
  /**
   * Limits of one repository's scanning and change making, run in a worker thread (isolated-scanner.ts);
   * a repository over them is reported and skipped. Default DEFAULT_ISOLATION; null runs in-process.
   */
  readonly isolation?: IsolationLimits | null;
  /** Aborts every registry lookup in flight (called first on stop, so a stalled registry cannot delay it). */
  readonly abortLookups?: () => void;
  /** `chain.schedules`: cron patterns that start the chain below a root project. */
  readonly chainSchedules?: ReadonlyArray<{ readonly root: string; readonly cron: string }>;
  /** Runs `tick` on a cron pattern (default: croner, in `timezone`); tests drive the ticks themselves. */
  readonly scheduler?: Scheduler;
  /** What earlier sweeps left settled: a sweep skips a repository with nothing new without a forge call. */
  readonly memo?: SweepMemo;
}

export type { ServeHandle } from './serve-routes.js';
export { cronScheduler, type Scheduler } from './chain-schedules.js';

export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  const { forge, config, logger } = options;
  const metrics = createMetrics();
  const recorder = createOutcomeRecorder({ metrics, logger, dryRun: options.dryRun });
  const { branchPrefix } = resolveConfig(config);
  const keyOf = (id: string) => (forge.type === 'github' ? id.toLowerCase() : id);
  const isolation = options.isolation === undefined ? DEFAULT_ISOLATION : options.isolation;
  const scanWorkers = isolation ? new ScanWorkerPool(isolation) : null;
  let ready = false;
  let stopping = false;
  const chain = options.chain;
  const sessions = serveSessions(options);

  const runs: ServeRunDeps = {
    options,
    sessions,
    recorder,
    isolation,
    scanWorkers,
    stopping: () => stopping,
    reached: () => {
      ready = true;
    },
  };

  const queue = repositoryQueue(options, runs);

  const sweep = sweeper({ ...runs, metrics, queue, keyOf });

  const webhook = serveWebhook(forge, chain, {
    secret: options.webhookSecret,
    branchPrefix,
    targets: options.targets,
    metrics,
    logger,
    stopping: () => stopping,
    enqueue: (id, event) => queue.add(keyOf(id), { id, repository: null, reason: event }),
  });

  const routes = {
    stopping: () => stopping,
    ready: () => ready,
    metricsText: () =>
      metrics.render({ archpin_queue_depth: queue.depth, archpin_queue_running: queue.running, archpin_ready: ready && !stopping ? 1 : 0 }, sessions.requestCounts()) +
      (options.chain?.metricsText() ?? ''),
    webhook,
  };

  const server = await listenRoutes(options.listen, options.maxBodyBytes, routes, logger);
  const cron = options.schedule === null ? null : new Cron(options.schedule, { protect: true, ...(options.timezone ? { timezone: options.timezone } : {}) }, () => sweep());
  const scheduler = options.scheduler ?? cronScheduler;
  const chainCrons = chain ? chainScheduleJobs(chain, options.chainSchedules ?? [], { scheduler, timezone: options.timezone, logger }) : [];
  logServing(options, server.url, cron, chainCrons);
  if (options.sweepOnStart) void sweep();
  else {
    probeForge(forge, options.targets, logger, () => {
      ready = true;
    });
  }

  return serveHandle({
    url: server.url,
    chain: options.chain ?? null,
    metrics,
    outcomes: recorder.outcomes,
    sweep,
    idle: () => queue.idle(),
    isStopping: () => stopping,
    shutdown: async () => {
      stopping = true;
      await stopServe({ options, cron, chainCrons, recorder, queue, sessions, server, scanWorkers });
    },
  });
}

/** The deduplicating queue that runs repositories; when it drains, the run is recorded and the lookup session retired. */
function repositoryQueue(options: ServeOptions, runs: ServeRunDeps): WorkQueue<QueueItem> {
  const { recorder, sessions } = runs;
  return createWorkQueue<QueueItem>({
    concurrency: options.concurrency,
    debounceMs: options.debounceMs,
    run: repositoryRunner(runs),
    onIdle: () => {
      recorder.drained();
      sessions.retireCurrent();
    },
  });
}

/** The lookup sessions of a serve process: each session's lookup shares the forge and the run options. */
function serveSessions(options: ServeOptions): ReturnType<typeof createLookupSessions> {
  const { forge, logger } = options;
  return createLookupSessions({
    open: options.openLookup,
    lookupFor: (opened) => sharedLookup({ forge, lookup: opened.deps, now: options.now, dryRun: options.dryRun, platforms: options.platforms }),
    maxAgeMs: options.sessionMaxAgeMs ?? SESSION_MAX_AGE_MS,
    onSaveError: (error: unknown) => logger.warn({ err: error }, 'could not save the first-seen cache'),
  });
}

/** The "serving" line: where, on which schedule (and its next time), the forge, and the chain and its schedules. */
function logServing(options: ServeOptions, url: string, cron: Cron | null, chainCrons: ReturnType<typeof chainScheduleJobs>): void {
  options.logger.info(
    {
      url,
      schedule: options.schedule,
      next: cron?.nextRun()?.toISOString() ?? null,
      forge: options.forge.type,
      chain: options.chain ? 'rebuild' : 'off',
      ...(chainCrons.length ? { chainSchedules: chainCrons.map(({ root, job }) => ({ root, next: job.next()?.toISOString() ?? null })) } : {}),
    },
    'serving',
  );
}

/** Stops serving: lookups are aborted and schedules stopped, the write in flight finishes, sessions are retired and saved, the server closed. */
async function stopServe(serving: {
  readonly options: ServeOptions;
  readonly cron: Cron | null;
  readonly chainCrons: ReturnType<typeof chainScheduleJobs>;
  readonly recorder: OutcomeRecorder;
  readonly queue: WorkQueue<QueueItem>;
  readonly sessions: ReturnType<typeof createLookupSessions>;
  readonly server: { close(): Promise<void> };
  readonly scanWorkers: ScanWorkerPool | null;
}): Promise<void> {
  const { options, recorder, queue, sessions } = serving;
  const { logger } = options;
  options.abortLookups?.();
  serving.cron?.stop();
  for (const { job } of serving.chainCrons) job.stop();
  options.chain?.stop();
  recorder.stopping(queue.depth);
  logger.info({ running: queue.running, waiting: queue.depth }, 'stopping: finishing the write in flight');
  await queue.stop();
  recorder.stopped();
  sessions.retireCurrent();
  await sessions.settled();
  await serving.server.close();
  serving.scanWorkers?.close();
  logger.info('stopped');
}
