/** The HTTP routes of `archpin serve`: health, readiness, metrics and the two webhook endpoints. */
import type { ForgeType } from '../apply/forges/forge.js';
import type { HttpHandler, HttpRequest, HttpResponse } from './http-server.js';

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
