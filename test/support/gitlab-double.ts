/**
 * A stateful GitLab v4 API double on 127.0.0.1 for the real @gitbeaker/rest client: the endpoints
 * archpin's GitLab adapter uses, with GitLab's payloads, error texts, auth and pagination headers.
 * Routes match the raw (still percent-encoded) path, as GitLab's router does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GlFailure, type GlRequest, type GlResponse, type GlRoute } from './gitlab-double-http.js';
import { mrRoutes } from './gitlab-double-mr-routes.js';
import { pipelineRoutes } from './gitlab-double-pipelines.js';
import { repoRoutes } from './gitlab-double-repo-routes.js';
import { GitlabState } from './gitlab-double-state.js';
import { FaultRules, type FaultCounter, type FaultMatch } from './faults.js';

export { GitlabState } from './gitlab-double-state.js';

export const GITLAB_TEST_TOKEN = 'glpat-Zk3v9QeXr2LmTt8NpA1b';

export type TokenScope = 'api' | 'read_api';

export interface GitlabDoubleOptions {
  /** Accepted tokens and their scopes; defaults to GITLAB_TEST_TOKEN with `api`. */
  readonly tokens?: Readonly<Record<string, readonly TokenScope[]>>;
  /** A path prefix the API lives under, e.g. `/gitlab` for a relative URL root. */
  readonly relativeRoot?: string;
  /** Milliseconds every response waits before it is sent (a network round trip, for benchmarks). */
  readonly latencyMs?: number;
  /**
   * A RackAttack-style limit per token: `limit` requests per `windowMs`; the request over it gets a
   * plain-text 429 with Retry-After and RateLimit-* headers (GitLab sends those reliably only on
   * 429s; `headersOnEveryResponse` adds them to every answer, as an application limit does).
   */
  readonly rateLimit?: {
    readonly limit: number;
    readonly windowMs: number;
    readonly headersOnEveryResponse?: boolean;
    /** The limiter's clock (default Date.now): a test that moves it itself decides where windows end. */
    readonly now?: () => number;
  };
}

export interface LoggedRequest {
  readonly method: string;
  /** Raw path after `/api/v4`, without the query. */
  readonly path: string;
  readonly query: string;
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A GitLab fault: the rule (see faults.ts; a pattern is tested against the path after /api/v4) and the answer. */
export interface FaultSpec extends FaultMatch {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Never answer the matching request (the caller is left waiting, as when GitLab or the connection
   * stalls): `before` the double acts on it, or `after` (the change is made, only the answer is lost).
   * It is logged with status 0.
   */
  readonly hang?: 'before' | 'after';
}

export type Fault = FaultCounter<FaultSpec>;

export interface Faults {
  add(spec: FaultSpec): Fault;
  clear(): void;
}

export interface GitlabDouble {
  /** The host to give gitbeaker (no trailing slash, no /api/v4). */
  readonly url: string;
  readonly state: GitlabState;
  readonly requests: LoggedRequest[];
  readonly faults: Faults;
  /** Requests refused with 429 by the rate limit (they are in `requests` too). */
  readonly rateLimited: () => number;
  /** Requests whose method matches and whose path matches (exact string or pattern). */
  count(method: string, path: string | RegExp): number;
  stop(): Promise<void>;
}

/** The status a hung request is logged with; no answer is sent. */
const HANG = 0;

const ROUTES: readonly GlRoute[] = [...repoRoutes, ...mrRoutes, ...pipelineRoutes];

const matches = (pattern: string | RegExp, path: string): boolean => (typeof pattern === 'string' ? pattern === path : pattern.test(path));

export async function startGitlabDouble(options: GitlabDoubleOptions = {}): Promise<GitlabDouble> {
  const tokens = options.tokens ?? { [GITLAB_TEST_TOKEN]: ['api'] };
  const root = (options.relativeRoot ?? '').replace(/\/$/, '');
  let url = '';
  const state = new GitlabState(() => url);
  const requests: LoggedRequest[] = [];
  const rules = new FaultRules<FaultSpec>();
  const faults: Faults = { add: (spec) => rules.add(spec), clear: () => rules.clear() };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const response = handle(req, raw);
      if (response.status === HANG) return;
      if (options.latencyMs) setTimeout(() => send(res, response), options.latencyMs);
      else send(res, response);
    });
  });

  function handle(req: IncomingMessage, raw: Buffer): GlResponse & { path: string; query: string; body: Record<string, unknown> } {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const fullPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = q < 0 ? '' : rawUrl.slice(q + 1);
    const prefix = `${root}/api/v4`;
    const path = fullPath.startsWith(prefix) ? fullPath.slice(prefix.length) : fullPath;
    let body: Record<string, unknown> = {};
    const finish = (response: GlResponse) => {
      requests.push({ method, path, query, status: response.status, body, headers: req.headers });
      return { ...response, path, query, body };
    };
    if (raw.length > 0 && (req.headers['content-type'] ?? '').startsWith('application/json')) {
      try {
        const parsed: unknown = JSON.parse(raw.toString('utf8'));
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch {
        return finish({ status: 400, json: { error: 'The request body is not valid JSON' } });
      }
    }
    let hang: FaultSpec['hang'];
    const fault = rules.pick(method, path);
    if (fault?.hang === 'before') return finish({ status: HANG });
    if (fault?.hang === 'after') hang = 'after';
    else if (fault) return finish({ status: fault.status, json: fault.body ?? { message: `${fault.status} Injected` }, headers: fault.headers });
    if (!fullPath.startsWith(prefix)) return finish({ status: 404, json: { error: '404 Not Found' } });
    const token = headerValue(req, 'private-token') ?? bearer(headerValue(req, 'authorization')) ?? headerValue(req, 'job-token');
    const scopes = token === undefined ? undefined : tokens[token];
    if (!scopes) return finish({ status: 401, json: { message: '401 Unauthorized' } });
    let routed: { route: GlRoute; params: string[] } | undefined;
    for (const route of ROUTES) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(path);
      if (match) {
        routed = { route, params: match.slice(1) };
        break;
      }
    }
    const limited = rateLimit(token!);
    if (limited.refused) return finish({ status: 429, text: 'Retry later\n', headers: limited.headers });
    if (!routed) return finish({ status: 404, json: { error: '404 Not Found' } });
    if (routed.route.write && !scopes.includes('api')) {
      return finish({
        status: 403,
        json: { error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the access token.', scope: 'api' },
      });
    }
    const request: GlRequest = {
      method,
      path,
      query: new URLSearchParams(query),
      headers: req.headers,
      body,
      url: new URL(`${url}${fullPath}${q < 0 ? '' : `?${query}`}`),
      state,
      canWrite: scopes.includes('api'),
    };
    try {
      const answer = routed.route.handler(request, routed.params);
      const projectId = /^\/projects\/([^/]+)/.exec(path)?.[1];
      if (routed.route.write && answer.status < 300 && projectId) {
        const project = state.findProject(decodeURIComponent(projectId));
        if (project) project.lastActivityAt = state.now();
      }
      if (hang === 'after') return finish({ status: HANG });
      return finish(limited.headers && options.rateLimit?.headersOnEveryResponse ? { ...answer, headers: { ...answer.headers, ...limited.headers } } : answer);
    } catch (error) {
      if (error instanceof GlFailure) return finish({ status: error.status, json: error.payload });
      return finish({ status: 500, json: { message: `500 Internal Server Error: ${(error as Error).message}` } });
    }
  }

  const windows = new Map<string, { start: number; count: number }>();
  let refused = 0;
  function rateLimit(token: string): { refused: boolean; headers?: Record<string, string> } {
    const limit = options.rateLimit;
    if (!limit) return { refused: false };
    const now = (limit.now ?? Date.now)();
    let window = windows.get(token);
    if (!window || now - window.start >= limit.windowMs) {
      window = { start: now - (now % limit.windowMs), count: 0 };
      windows.set(token, window);
    }
    window.count += 1;
    const resetMs = window.start + limit.windowMs;
    const headers = {
      'ratelimit-name': 'throttle_authenticated_api',
      'ratelimit-limit': String(limit.limit),
      'ratelimit-observed': String(window.count),
      'ratelimit-remaining': String(Math.max(0, limit.limit - window.count)),
      'ratelimit-reset': String(Math.ceil(resetMs / 1000)),
      'ratelimit-resettime': new Date(resetMs).toUTCString(),
    };
    if (window.count <= limit.limit) return { refused: false, headers };
    refused += 1;
    return { refused: true, headers: { ...headers, 'retry-after': String(Math.max(1, Math.ceil((resetMs - now) / 1000))) } };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${root}`;
  return {
    url,
    state,
    requests,
    faults,
    rateLimited: () => refused,
    count: (method, path) => requests.filter((r) => r.method === method && matches(path, r.path)).length,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function bearer(value: string | undefined): string | undefined {
  const match = value === undefined ? null : /^Bearer\s+(\S+)$/i.exec(value);
  return match ? match[1] : undefined;
}

function send(res: ServerResponse, response: GlResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  if (response.status === 204) {
    res.writeHead(204, headers);
    res.end();
    return;
  }
  if (response.text !== undefined) {
    headers['content-type'] = 'text/plain';
    headers['content-length'] = String(Buffer.byteLength(response.text));
    res.writeHead(response.status, headers);
    res.end(response.text);
    return;
  }
  if (response.bytes) {
    headers['content-length'] = String(response.bytes.length);
    res.writeHead(response.status, headers);
    res.end(Buffer.from(response.bytes));
    return;
  }
  const text = JSON.stringify(response.json ?? null);
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(response.status, headers);
  res.end(text);
}
