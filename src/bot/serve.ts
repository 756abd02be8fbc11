/**
 * `archpin serve`: a long-running bot. A cron schedule enqueues a sweep of every target repository,
 * webhooks enqueue the one repository they are about, and a deduplicating queue runs repositories with
 * bounded concurrency. Health, readiness and Prometheus metrics are served over HTTP. A stop lets the
 * run in flight finish its current write; the forge holds all state, so a restart loses nothing.
 */
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Forge, ForgeTargets, Repository } from '../apply/forges/forge.js';
import { resolveConfig } from '../config/resolve-config.js';
import type { Config } from '../config/schema.js';
import { errorFields } from '../core/errors.js';
import type { ChainRunner } from './chain-runner.js';
import { DEFAULT_ISOLATION, isolatedScanner, ScanWorkerPool, type IsolationLimits } from './isolated-scanner.js';
import { createLookupSessions, SESSION_MAX_AGE_MS, type LookupSession } from './lookup-sessions.js';
import { createMetrics } from './metrics.js';
import { createOutcomeRecorder } from './outcome-recording.js';
import { repositoryJob } from './repository-job.js';
import { listenRoutes, probeForge, serveHandle, type ServeHandle } from './serve-routes.js';
import type { SweepMemo } from './sweep-memo.js';
import { expectRemembered, sharedLookup } from './sweep.js';
import { webhookEndpoint } from './webhook-endpoint.js';
import { createWorkQueue } from './work-queue.js';

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

/** Calls `tick` at the times of a cron pattern until stopped; `next` is the next time, for the log. */
export type Scheduler = (pattern: string, timezone: string | undefined, tick: () => Promise<void>) => { stop(): void; next(): Date | null };

/** croner, protected against overlapping ticks. */
export const cronScheduler: Scheduler = (pattern, timezone, tick) => {
  const cron = new Cron(pattern, { protect: true, ...(timezone ? { timezone } : {}) }, tick);
  return { stop: () => cron.stop(), next: () => cron.nextRun() };
};

type QueueItem = { readonly id: string; readonly repository: Repository | null; readonly reason: string };

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
  const sessions = createLookupSessions({
    open: options.openLookup,
    lookupFor: (opened) => sharedLookup({ forge, lookup: opened.deps, now: options.now, dryRun: options.dryRun, platforms: options.platforms }),
    maxAgeMs: options.sessionMaxAgeMs ?? SESSION_MAX_AGE_MS,
    onSaveError: (error: unknown) => logger.warn({ err: error }, 'could not save the first-seen cache'),
  });

  const runItem = async (item: QueueItem): Promise<void> => {
    if (stopping) return;
    try {
      const repository = item.repository ?? (await forge.getRepository(item.id));
      ready = true;
      if (repository.archived) {
        logger.info({ repository: repository.path }, 'archived repository skipped');
        return;
      }
      const { session: opened, lookup } = await sessions.current();
      logger.debug({ repository: repository.path, reason: item.reason }, 'repository run');
      // A webhook runs the repository in full; a sweep skips it when nothing moved (with a memo).
      const { outcome } = await repositoryJob(
        repository,
        config,
        {
          forge,
          lookup,
          firstSeen: opened.firstSeen,
          now: options.now,
          dryRun: options.dryRun,
          shouldStop: () => stopping,
          memo: options.memo,
          ...(isolation && scanWorkers ? { scanner: (path: string) => isolatedScanner(path, isolation, scanWorkers) } : {}),
        },
        { force: item.reason !== 'sweep' },
      );
      recorder.finished(outcome);
    } catch (error) {
      recorder.failed(item.repository?.path ?? item.id, error);
    }
  };

  const queue = createWorkQueue<QueueItem>({
    concurrency: options.concurrency,
    debounceMs: options.debounceMs,
    run: runItem,
    onIdle: () => {
      recorder.drained();
      sessions.retireCurrent();
    },
  });

  const sweep = async (): Promise<void> => {
    if (stopping) return;
    let repositories: Repository[];
    try {
      repositories = await forge.listRepositories(options.targets);
    } catch (error) {
      const { code, message } = errorFields(error);
      metrics.inc('archpin_sweep_failures_total');
      logger.error({ code }, `sweep: cannot list repositories: ${message}`);
      return;
    }
    ready = true;
    metrics.inc('archpin_sweeps_total');
    // The image graph follows the group: projects whose default branch moved are read again.
    void options.chain?.refresh().catch((error: unknown) => logger.error(errorFields(error), 'chain: cannot read the image graph'));
    if (options.memo) {
      const memo = options.memo;
      await sessions
        .current()
        .then(({ session }) => expectRemembered(repositories, forge, memo, session.deps))
        .catch(() => undefined);
    }
    let queued = 0;
    for (const repository of repositories) if (queue.add(keyOf(repository.id), { id: repository.id, repository, reason: 'sweep' }) !== 'duplicate') queued++;
    logger.info({ repositories: repositories.length, queued }, 'sweep queued');
  };

  const webhook = webhookEndpoint({
    forgeType: forge.type,
    secret: options.webhookSecret,
    branchPrefix,
    targets: options.targets,
    metrics,
    logger,
    stopping: () => stopping,
    enqueue: (id, event) => queue.add(keyOf(id), { id, repository: null, reason: event }),
    ...(chain ? { pipeline: (event) => chain.pipelineEvent(event), push: (event) => chain.pushEvent(event) } : {}),
    resolve: (id) => forge.getRepository(id),
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
  const chainCrons = (chain ? (options.chainSchedules ?? []) : []).map(({ root, cron: pattern }) => ({
    root,
    job: scheduler(pattern, options.timezone, async () => {
      await chain?.triggerRoot(root, 'schedule').catch((error: unknown) => logger.error({ root, ...errorFields(error) }, 'chain schedule: cannot start the chain'));
    }),
  }));
  logger.info(
    {
      url: server.url,
      schedule: options.schedule,
      next: cron?.nextRun()?.toISOString() ?? null,
      forge: forge.type,
      chain: options.chain ? 'rebuild' : 'off',
      ...(chainCrons.length ? { chainSchedules: chainCrons.map(({ root, job }) => ({ root, next: job.next()?.toISOString() ?? null })) } : {}),
    },
    'serving',
  );
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
      options.abortLookups?.();
      cron?.stop();
      for (const { job } of chainCrons) job.stop();
      options.chain?.stop();
      logger.info({ running: queue.running, waiting: queue.depth }, 'stopping: finishing the write in flight');
      await queue.stop();
      sessions.retireCurrent();
      await sessions.settled();
      await server.close();
      scanWorkers?.close();
      logger.info('stopped');
    },
  });
}
