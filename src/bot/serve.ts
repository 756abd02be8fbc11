/**
 * `archpin serve`: a long-running bot. A cron schedule enqueues a sweep of every target repository,
 * webhooks enqueue the one repository they are about, and a deduplicating queue runs repositories with
 * bounded concurrency. Health, readiness and Prometheus metrics are served over HTTP. A stop lets the
 * run in flight finish its current write; the forge holds all state, so a restart loses nothing.
 */
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Forge, ForgeTargets, Repository } from '../apply/forges/forge.js';
import type { Config } from '../config/schema.js';
import { errorFields } from '../core/errors.js';
import type { RepositoryOutcome } from '../core/outcome.js';
import type { FindUpdatesDeps } from '../lookup/find-updates.js';
import type { FirstSeenStore } from '../lookup/first-seen-store.js';
import { startHttpServer, type HttpRequest, type HttpResponse } from './http-server.js';
import type { ChainRunner } from './chain-runner.js';
import { createMetrics, type Metrics } from './metrics.js';
import { runRepository } from './run-repository.js';
import { sharedLookup } from './sweep.js';
import { webhookEndpoint } from './webhook-endpoint.js';
import { createWorkQueue } from './work-queue.js';

/** Registry lookups for a while of work: fresh tag lists each time the queue starts from idle. */
export interface LookupSession {
  readonly deps: Omit<FindUpdatesDeps, 'policyFor'>;
  readonly firstSeen: FirstSeenStore;
  readonly requestCounts: () => Readonly<Record<string, number>>;
}

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
  /** `chain.schedules`: cron patterns that start the chain below a root project. */
  readonly chainSchedules?: ReadonlyArray<{ readonly root: string; readonly cron: string }>;
}

export interface ServeHandle {
  readonly url: string;
  /** Chain rebuilds, when on. */
  readonly chain: ChainRunner | null;
  readonly metrics: Metrics;
  /** The last 100 repository runs finished, oldest first. */
  readonly outcomes: readonly RepositoryOutcome[];
  /** Enqueues a sweep of every target repository now (as a schedule tick does). */
  sweep(): Promise<void>;
  /** Resolves when nothing waits and nothing runs. */
  idle(): Promise<void>;
  /** Stops accepting work, lets the run in flight finish its current write, closes the server. */
  stop(): Promise<void>;
  readonly stopping: boolean;
}

type QueueItem = { readonly id: string; readonly repository: Repository | null; readonly reason: string };

const MIB = 1024 * 1024;
const KEPT_OUTCOMES = 100;

export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  const { forge, config, logger } = options;
  const metrics = createMetrics();
  const outcomes: RepositoryOutcome[] = [];
  const branchPrefix = config.branchPrefix ?? 'archpin/';
  const keyOf = (id: string) => (forge.type === 'github' ? id.toLowerCase() : id);
  const closedRegistryRequests: Record<string, number> = {};
  let ready = false;
  let stopping = false;
  interface Session {
    readonly value: Promise<{ session: LookupSession; lookup: ReturnType<typeof sharedLookup> }>;
    readonly startedAt: number;
    opened: LookupSession | null;
  }
  let session: Session | null = null;
  const retiring: Array<Promise<void>> = [];
  let batch = { repositories: 0, failed: 0, opened: 0, updated: 0, closed: 0, held: 0, errors: 0 };

  const lookupFor = async () => {
    if (!session || Date.now() - session.startedAt > (options.sessionMaxAgeMs ?? 15 * 60_000)) {
      if (session) retire(session);
      const value = options.openLookup().then((opened) => {
        fresh.opened = opened;
        return { session: opened, lookup: sharedLookup({ forge, lookup: opened.deps, now: options.now, dryRun: options.dryRun, platforms: options.platforms }) };
      });
      const fresh: Session = { value, startedAt: Date.now(), opened: null };
      session = fresh;
    }
    return session.value;
  };

  /** Moves a finished session's request counts into the totals and saves its first-seen times. */
  function retire(done: Session): void {
    if (session === done) session = null;
    const counted = (opened: LookupSession) => {
      for (const [kind, count] of Object.entries(opened.requestCounts())) closedRegistryRequests[kind] = (closedRegistryRequests[kind] ?? 0) + count;
    };
    if (done.opened) counted(done.opened);
    retiring.push(
      done.value.then(
        async ({ session: opened }) => {
          if (!done.opened) counted(opened);
          await opened.firstSeen.save();
        },
        () => undefined,
      ).catch((error: unknown) => logger.warn({ err: error }, 'could not save the first-seen cache')),
    );
  }

  const record = (outcome: RepositoryOutcome): void => {
    outcomes.push(outcome);
    if (outcomes.length > KEPT_OUTCOMES) outcomes.shift();
    metrics.inc('archpin_repositories_processed_total', { result: 'ok' });
    for (const change of outcome.changes) {
      if (change.action === 'opened' || change.action === 'updated' || change.action === 'failed') metrics.inc('archpin_change_requests_total', { action: change.action });
    }
    if (outcome.closed.length && !options.dryRun) metrics.inc('archpin_change_requests_total', { action: 'closed' }, outcome.closed.length);
    for (const held of outcome.held) for (const reason of held.reasons) metrics.inc('archpin_holds_total', { reason: reason.code });
    for (const error of outcome.errors) if ('image' in error) metrics.inc('archpin_registry_errors_total', { code: error.code });
    const count = (action: string) => outcome.changes.filter((change) => change.action === action).length;
    batch.repositories++;
    batch.opened += count('opened');
    batch.updated += count('updated');
    batch.closed += outcome.closed.length;
    batch.held += outcome.held.length;
    batch.errors += outcome.errors.length;
    const fields = { repository: outcome.repository, opened: count('opened'), updated: count('updated'), unchanged: count('unchanged'), failed: count('failed'), closed: outcome.closed.length, held: outcome.held.length, errors: outcome.errors.length };
    for (const error of outcome.errors) logger.warn({ repository: outcome.repository, code: error.code }, error.message);
    logger.info(fields, 'repository done');
  };

  const runItem = async (item: QueueItem): Promise<void> => {
    if (stopping) return;
    try {
      const repository = item.repository ?? (await forge.getRepository(item.id));
      ready = true;
      if (repository.archived) {
        logger.info({ repository: repository.path }, 'archived repository skipped');
        return;
      }
      const { session: opened, lookup } = await lookupFor();
      logger.debug({ repository: repository.path, reason: item.reason }, 'repository run');
      const outcome = await runRepository(repository, config, { forge, lookup, firstSeen: opened.firstSeen, now: options.now, dryRun: options.dryRun, shouldStop: () => stopping });
      record(outcome);
    } catch (error) {
      const { code, message } = errorFields(error);
      metrics.inc('archpin_repositories_processed_total', { result: 'failed' });
      metrics.inc('archpin_forge_errors_total', { code });
      batch.repositories++;
      batch.failed++;
      logger.error({ repository: item.repository?.path ?? item.id, code }, message);
    }
  };

  const queue = createWorkQueue<QueueItem>({
    concurrency: options.concurrency,
    debounceMs: options.debounceMs,
    run: runItem,
    onIdle: () => {
      if (batch.repositories > 0) logger.info({ ...batch }, 'queue drained');
      batch = { repositories: 0, failed: 0, opened: 0, updated: 0, closed: 0, held: 0, errors: 0 };
      if (session) retire(session);
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
    ...(options.chain ? { pipeline: (event) => options.chain!.pipelineEvent(event) } : {}),
  });



  const handle = async (request: HttpRequest): Promise<HttpResponse> => {
    const route = `${request.method} ${request.path}`;
    switch (route) {
      case 'GET /healthz':
        return { status: 200, body: 'ok\n' };
      case 'GET /readyz':
        if (stopping) return { status: 503, body: 'stopping\n' };
        return ready ? { status: 200, body: 'ready\n' } : { status: 503, body: 'forge not reached yet\n' };
      case 'GET /metrics': {
        const requests: Record<string, number> = { ...closedRegistryRequests };
        for (const [kind, count] of Object.entries(session?.opened?.requestCounts() ?? {})) requests[kind] = (requests[kind] ?? 0) + count;
        const body = metrics.render({ archpin_queue_depth: queue.depth, archpin_queue_running: queue.running, archpin_ready: ready && !stopping ? 1 : 0 }, requests) + (options.chain?.metricsText() ?? '');
        return { status: 200, body, contentType: 'text/plain; version=0.0.4; charset=utf-8' };
      }
      case 'POST /webhooks/gitlab':
        return webhook('gitlab', request);
      case 'POST /webhooks/github':
        return webhook('github', request);
      default:
        return { status: request.path === '/healthz' || request.path === '/readyz' || request.path === '/metrics' || request.path.startsWith('/webhooks/') ? 405 : 404, body: 'not found\n' };
    }
  };

  const server = await startHttpServer(options.listen, handle, { maxBodyBytes: options.maxBodyBytes ?? MIB, onError: (error) => logger.error({ err: error }, 'request failed') });
  const cron = options.schedule === null ? null : new Cron(options.schedule, { protect: true, ...(options.timezone ? { timezone: options.timezone } : {}) }, () => sweep());
  const chainCrons = (options.chain ? (options.chainSchedules ?? []) : []).map(
    ({ root, cron: pattern }) =>
      new Cron(pattern, { protect: true, ...(options.timezone ? { timezone: options.timezone } : {}) }, async () => {
        await options.chain!.triggerRoot(root, 'schedule').catch((error: unknown) => logger.error({ root, ...errorFields(error) }, 'chain schedule: cannot start the chain'));
      }),
  );
  logger.info({ url: server.url, schedule: options.schedule, next: cron?.nextRun()?.toISOString() ?? null, forge: forge.type, chain: options.chain ? 'rebuild' : 'off' }, 'serving');
  if (options.sweepOnStart) void sweep();
  else {
    // Readiness still needs the forge reached once: list the targets without queueing them.
    void forge.listRepositories(options.targets).then(
      () => {
        ready = true;
      },
      (error: unknown) => logger.error(errorFields(error), 'forge not reachable'),
    );
  }

  let stopped: Promise<void> | null = null;
  return {
    url: server.url,
    chain: options.chain ?? null,
    metrics,
    outcomes,
    sweep,
    idle: () => queue.idle(),
    get stopping() {
      return stopping;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        cron?.stop();
        for (const chainCron of chainCrons) chainCron.stop();
        options.chain?.stop();
        logger.info({ running: queue.running, waiting: queue.depth }, 'stopping: finishing the write in flight');
        await queue.stop();
        if (session) retire(session);
        await Promise.all(retiring);
        await server.close();
        logger.info('stopped');
      })();
      return stopped;
    },
  };
}
