/**
 * A stateful GitHub REST (and auto-merge GraphQL) double on node:http, 127.0.0.1 only, for
 * driving the real @octokit/rest client in tests.
 *
 *   const gh = await startGithubDouble();                  // token 'test-token'
 *   gh.state.addRepo('acme/node-base', { files: { 'Dockerfile': 'FROM node:20\n' } });
 *   const forge = createGithubForge({ url: gh.url, token: 'test-token', throttle: false });
 *   ...
 *   gh.requests                                            // [{ method, path, status, body }]
 *   gh.faults.add({ method: 'POST', path: /\/pulls$/, status: 500 });
 *   await gh.stop();
 *
 * Fidelity points: `application/json; charset=utf-8` everywhere (errors included), raw contents
 * as `application/vnd.github.raw; charset=utf-8`, absolute `Link` pagination URLs repeating all
 * query parameters, `x-ratelimit-*` headers on every response, GitHub's error bodies (`message`,
 * `documentation_url`, `status`, `errors[]` on 422), routes matched on the raw (percent-encoded)
 * path, `token`/`Bearer` authorization (401 `Bad credentials`), PRs and issues sharing one number
 * sequence per repository, and the issues list including PRs (with a `pull_request` key).
 * `{ enterprise: true }` serves the GHES layout (REST under /api/v3, GraphQL at /api/graphql).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gitRoutes } from './github-double-git-routes.js';
import { HttpFailure, errorBody, type DoubleResponse, type Route } from './github-double-http.js';
import { pullRoutes } from './github-double-pull-routes.js';
import { GithubState } from './github-double-state.js';
import { FaultRules, type FaultCounter, type FaultMatch } from './faults.js';

export { GithubState } from './github-double-state.js';

export interface GithubDoubleOptions {
  /** Tokens accepted in `Authorization: token <t>` / `Bearer <t>`. Default `['test-token']`. */
  readonly tokens?: readonly string[];
  /** GitHub Enterprise Server layout: REST under `/api/v3` (the returned `url`), GraphQL at `/api/graphql`. */
  readonly enterprise?: boolean;
}

export interface LoggedRequest {
  readonly method: string;
  /** Raw path including the query string. */
  readonly path: string;
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A GitHub fault: the rule (see faults.ts; a pattern is tested against the path and query) and the answer. */
export interface FaultRule extends FaultMatch {
  readonly status: number;
  /** JSON body; default GitHub's error body for the status. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Faults {
  add(rule: FaultRule): FaultCounter<FaultRule>;
  clear(): void;
}

export interface GithubDouble {
  readonly url: string;
  readonly state: GithubState;
  readonly requests: LoggedRequest[];
  readonly faults: Faults;
  stop(): Promise<void>;
}

const ROUTES: readonly Route[] = [...gitRoutes, ...pullRoutes];
const STATUS_TEXT: Readonly<Record<number, string>> = {
  401: 'Bad credentials',
  403: 'Resource not accessible by integration',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Validation Failed',
  429: 'API rate limit exceeded',
  500: 'Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpFailure(400, 'Problems parsing JSON');
  }
}

function route(method: string, rawPath: string): { route: Route; params: string[] } | null {
  for (const candidate of ROUTES) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(rawPath);
    if (match) return { route: candidate, params: match.slice(1).map((p) => decodeURIComponent(p ?? '')) };
  }
  return null;
}

export async function startGithubDouble(options: GithubDoubleOptions = {}): Promise<GithubDouble> {
  const tokens = new Set(options.tokens ?? ['test-token']);
  const state = new GithubState();
  const requests: LoggedRequest[] = [];
  const rules = new FaultRules<FaultRule>();
  let remaining = 5000;
  let requestId = 0;
  let urls = { api: '', web: '' };

  const faults: Faults = { add: (rule) => rules.add(rule), clear: () => rules.clear() };

  function fault(method: string, path: string): DoubleResponse | null {
    const rule = rules.pick(method, path.split('?')[0] ?? path, path);
    if (rule === undefined) return null;
    const body = rule.body ?? errorBody(new HttpFailure(rule.status, STATUS_TEXT[rule.status] ?? 'Error'));
    return { status: rule.status, json: body, ...(rule.headers ? { headers: rule.headers } : {}) };
  }

  async function handle(request: IncomingMessage): Promise<{ response: DoubleResponse; body: unknown }> {
    const method = (request.method ?? 'GET').toUpperCase();
    const rawUrl = request.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const fullPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawPath = !options.enterprise ? fullPath : fullPath === '/api/graphql' ? '/graphql' : fullPath.startsWith('/api/v3/') ? fullPath.slice(7) : '/unknown';
    const query = new URLSearchParams(queryAt < 0 ? '' : rawUrl.slice(queryAt + 1));
    let body: unknown;
    try {
      body = await readBody(request);
      const auth = /^(?:token|bearer)\s+(.+)$/i.exec(request.headers.authorization ?? '');
      if (!auth) throw new HttpFailure(401, 'Requires authentication', undefined, 'https://docs.github.com/rest');
      if (!tokens.has(auth[1]!.trim())) throw new HttpFailure(401, 'Bad credentials', undefined, 'https://docs.github.com/rest');
      const injected = fault(method, rawUrl);
      if (injected) return { response: injected, body };
      const found = route(method, rawPath);
      if (!found) throw new HttpFailure(404, 'Not Found', undefined, 'https://docs.github.com/rest');
      const response = found.route.handler({ method, rawPath, query, headers: request.headers, body, urls, state }, found.params);
      return { response, body };
    } catch (error) {
      if (error instanceof HttpFailure) return { response: { status: error.status, json: errorBody(error) }, body };
      return { response: { status: 500, json: { message: `double failure: ${String(error)}` } }, body };
    }
  }

  function send(res: ServerResponse, response: DoubleResponse): void {
    remaining = Math.max(remaining - 1, 0);
    const reset = Math.floor(Date.now() / 1000) + 3600;
    res.setHeader('x-github-request-id', `DBL:${(++requestId).toString(16).padStart(6, '0')}`);
    res.setHeader('x-ratelimit-limit', '5000');
    res.setHeader('x-ratelimit-remaining', String(remaining));
    res.setHeader('x-ratelimit-used', String(5000 - remaining));
    res.setHeader('x-ratelimit-reset', String(reset));
    res.setHeader('x-ratelimit-resource', 'core');
    for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
    if (response.raw) {
      res.writeHead(response.status, { 'content-type': response.raw.contentType, 'content-length': response.raw.bytes.byteLength });
      res.end(Buffer.from(response.raw.bytes));
      return;
    }
    if (response.status === 204 || response.json === undefined) {
      res.writeHead(response.status);
      res.end();
      return;
    }
    const text = JSON.stringify(response.json);
    res.writeHead(response.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  const server = createServer((req, res) => {
    void handle(req).then(({ response, body }) => {
      requests.push({ method: (req.method ?? 'GET').toUpperCase(), path: req.url ?? '/', status: response.status, body, headers: { ...req.headers } });
      send(res, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const root = `http://127.0.0.1:${port}`;
  const url = options.enterprise ? `${root}/api/v3` : root;
  urls = { api: url, web: `${root}/web` };

  return {
    url,
    state,
    requests,
    faults,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
