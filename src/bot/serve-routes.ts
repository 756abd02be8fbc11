/**
 * The HTTP face of `archpin serve`, the same for one process and for Redis-backed replicas: health,
 * readiness, metrics and the two webhook endpoints; the readiness probe of the forge; the handle a
 * running serve is stopped through.
 */
import type { Logger } from 'pino';
import type { Forge, ForgeTargets, ForgeType } from '../apply/forges/forge.js';
import { MIB } from '../core/budgets.js';
import { errorFields } from '../core/errors.js';
import type { RepositoryOutcome } from '../core/outcome.js';
import type { ChainRunner } from './chain-runner.js';
import { startHttpServer, type HttpHandler, type HttpRequest, type HttpResponse, type HttpServer } from './http-server.js';
import type { Metrics } from './metrics.js';

export interface ServeRoutesDeps {
  readonly stopping: () => boolean;
  /** The forge has been reached once. */
  readonly ready: () => boolean;
  /** The Prometheus text at this moment. */
  readonly metricsText: () => string;
  readonly webhook: (forgeType: ForgeType, request: HttpRequest) => Promise<HttpResponse>;
}

const KNOWN_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export function serveRoutes(deps: ServeRoutesDeps): HttpHandler {
  return async (request) => {
    const route = `${request.method} ${request.path}`;
    switch (route) {
      case 'GET /healthz':
        return { status: 200, body: 'ok\n' };
      case 'GET /readyz':
        if (deps.stopping()) return { status: 503, body: 'stopping\n' };
        return deps.ready() ? { status: 200, body: 'ready\n' } : { status: 503, body: 'forge not reached yet\n' };
      case 'GET /metrics':
        return { status: 200, body: deps.metricsText(), contentType: 'text/plain; version=0.0.4; charset=utf-8' };
      case 'POST /webhooks/gitlab':
        return deps.webhook('gitlab', request);
      case 'POST /webhooks/github':
        return deps.webhook('github', request);
      default:
        return { status: KNOWN_PATHS.has(request.path) || request.path.startsWith('/webhooks/') ? 405 : 404, body: 'not found\n' };
    }
  };
}

/** Serves the routes on `listen`; a request body over `maxBodyBytes` (default 1 MiB) is refused, a failed request is logged. */
export function listenRoutes(listen: { host: string; port: number }, maxBodyBytes: number | undefined, deps: ServeRoutesDeps, logger: Logger): Promise<HttpServer> {
  return startHttpServer(listen, serveRoutes(deps), { maxBodyBytes: maxBodyBytes ?? MIB, onError: (error) => logger.error({ err: error }, 'request failed') });
}

/** Readiness needs the forge reached once: with no sweep at start, the targets are listed (not queued) and `reached` is called when the forge answered. */
export function probeForge(forge: Pick<Forge, 'listRepositories'>, targets: ForgeTargets, logger: Logger, reached: () => void): void {
  void forge.listRepositories(targets).then(
    () => {
      reached();
    },
    (error: unknown) => logger.error(errorFields(error), 'forge not reachable'),
  );
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

/** A running serve's handle: `shutdown` runs once however often `stop` is called; `stopping` reads the serve's own flag. */
export function serveHandle(parts: Omit<ServeHandle, 'stop' | 'stopping'> & { readonly isStopping: () => boolean; readonly shutdown: () => Promise<void> }): ServeHandle {
  let stopped: Promise<void> | null = null;
  return {
    url: parts.url,
    chain: parts.chain,
    metrics: parts.metrics,
    outcomes: parts.outcomes,
    sweep: () => parts.sweep(),
    idle: () => parts.idle(),
    get stopping() {
      return parts.isStopping();
    },
    stop() {
      stopped ??= parts.shutdown();
      return stopped;
    },
  };
}
