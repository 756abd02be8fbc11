/**
 * A Docker Hub double on 127.0.0.1, in front of a real (anonymous) test registry, built from Docker's
 * documentation of the registry, its pull quota and the Hub tags API:
 *
 *   const hub = await startDockerHub({ upstream: registry.url, quota: 100 });
 *   config: { mirrors: { 'docker.io': hub.registryUrl }, registries: { 'docker.io': { hubApiUrl: hub.apiUrl } } }
 *
 * Registry side (`registryUrl`): every /v2/ request needs a bearer token from `{registryUrl}/token`
 * (`Bearer realm=…/token,service="registry.docker.io",scope="repository:<name>:pull"`, anonymous tokens
 * included). A manifest GET answered 200 is a pull; HEADs and blobs are free. Manifest answers carry
 * `RateLimit-Limit: <quota>;w=21600` and `RateLimit-Remaining`. Once the quota is spent a manifest GET gets
 * 429 `TOOMANYREQUESTS` (no Retry-After). Everything else is forwarded to the upstream registry.
 *
 * API side (`apiUrl`, another origin): `GET /v2/namespaces/{ns}/repositories/{repo}/tags?page_size=&page=`
 * lists tags newest push first with `digest`, `media_type`, `tag_last_pushed` and per-platform `images`
 * (attestations as `unknown/unknown`), read from the upstream registry without counting; each image's
 * os/architecture/variant come from its config blob and its `size` is its layers' total, as Hub records them; `next` is an
 * absolute URL on the API origin. `pushedAt[repo:tag]` sets push times (default: the order pushed, a minute
 * apart, ending at `now`). `apiDown` makes the API answer 503.
 *
 * Accounts and private repositories: `accounts[identifier] = secret` (a password or personal access token).
 * `POST {apiUrl}/v2/auth/token` with JSON `{identifier, secret}` answers 200 `{access_token}`, a JWT whose `exp` is
 * `clock` + `hubTokenTtlS` (600 s, as Docker's API reference says); a wrong secret gets 401, a body without both
 * fields 400 (Docker does not document the error bodies: these carry a `message`). `privateRepos[repo] = owner`
 * makes a repository private: without the owner's token its tags answer `privateAnswer` (401 or 404, as Hub does
 * for anonymous callers); a token that is unknown, expired (`clock` past its `exp`) or revoked by
 * `expireHubTokens()` gets 401 on every API request. On the registry side the token endpoint takes the account's
 * Basic credentials (a wrong pair gets 401) and a private repository's requests need the owner's token.
 *
 * Other origins (each must never be asked): `crossOriginNext` makes the API's last tags page give a `next` on that
 * origin, `crossOriginLink` makes the registry's last tags/list page give a `Link` to it, and `loginRedirect` makes
 * the login answer 307 with a `Location` there (a body must never follow a redirect to another origin).
 *
 * Counters: `pulls`, `requests` (method, path, status), `apiRequests`, `tokenRequests`, `logins` (identifier,
 * status), `apiAuth` (per tags request: `none`, `valid` or `invalid`), `registryLogins` (user name per token asked,
 * null when anonymous).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, MANIFEST_ACCEPT, sendJson } from './registry-front.js';

export interface DockerHubDouble {
  readonly registryUrl: string;
  readonly registryHost: string;
  readonly apiUrl: string;
  pulls: number;
  quota: number;
  apiDown: boolean;
  readonly pushedAt: Record<string, string>;
  readonly requests: Array<{ method: string; path: string; status: number }>;
  apiRequests: number;
  tokenRequests: number;
  /** The `scope` parameters of each token request. */
  readonly tokenScopes: string[][];
  readonly accounts: Record<string, string>;
  readonly privateRepos: Record<string, string>;
  privateAnswer: 401 | 404;
  hubTokenTtlS: number;
  /** The API's clock (epoch ms) for token `exp`; default `now`. */
  clock: number;
  readonly logins: Array<{ identifier: string; status: number }>;
  readonly apiAuth: Array<'none' | 'valid' | 'invalid'>;
  readonly registryLogins: Array<string | null>;
  /** An origin (`http://host:port`) the API's last tags page names as `next`; null: `next` is null there. */
  crossOriginNext: string | null;
  /** An origin the registry's last tags/list page links to (`Link: <…>; rel="next"`). */
  crossOriginLink: string | null;
  /** An origin the login redirects to (307, `Location: {origin}/v2/auth/token`). */
  loginRedirect: string | null;
  /** Registry requests that carried an API token (it must never leave the API origin). */
  hubTokensAtRegistry: number;
  /** Every API token issued so far stops working (Hub revoked it or its clock ran ahead). */
  expireHubTokens(): void;
  /** Clears counters and the log; the quota starts over. */
  reset(): void;
  count(method: string, path: RegExp): number;
  stop(): Promise<void>;
}

export async function startDockerHub(options: { upstream: string; quota?: number; now?: number }): Promise<DockerHubDouble> {
  const upstream = options.upstream.replace(/\/+$/, '');
  /** Registry tokens, by the user they were issued to (null: anonymous). */
  const tokens = new Map<string, string | null>();
  /** API tokens: who, and until when (epoch s). */
  const apiTokens = new Map<string, { identifier: string; exp: number }>();
  const everIssued = new Set<string>();
  const now = options.now ?? Date.parse('2026-11-22T12:00:00Z');
  let registryHost = '';
  let apiHost = '';

  const state: DockerHubDouble = {
    registryUrl: '',
    registryHost: '',
    apiUrl: '',
    pulls: 0,
    quota: options.quota ?? 100,
    apiDown: false,
    pushedAt: {},
    requests: [],
    apiRequests: 0,
    tokenRequests: 0,
    tokenScopes: [],
    accounts: {},
    privateRepos: {},
    privateAnswer: 404,
    hubTokenTtlS: 600,
    clock: now,
    logins: [],
    apiAuth: [],
    registryLogins: [],
    hubTokensAtRegistry: 0,
    crossOriginNext: null,
    crossOriginLink: null,
    loginRedirect: null,
    expireHubTokens: () => apiTokens.clear(),
    reset() {
      state.pulls = 0;
      state.requests.length = 0;
      state.apiRequests = 0;
      state.tokenRequests = 0;
      state.tokenScopes.length = 0;
      state.logins.length = 0;
      state.apiAuth.length = 0;
      state.registryLogins.length = 0;
      state.hubTokensAtRegistry = 0;
    },
    count(method, path) {
      return state.requests.filter((r) => r.method === method && path.test(r.path)).length;
    },
    stop: async () => undefined,
  };

  const rateHeaders = (): Record<string, string> => ({
    'ratelimit-limit': `${state.quota};w=21600`,
    'ratelimit-remaining': `${Math.max(0, state.quota - state.pulls)};w=21600`,
  });

  async function forward(request: IncomingMessage, response: ServerResponse, path: string): Promise<number> {
    const answer = await fetch(`${upstream}${path}`, { method: request.method ?? 'GET', headers: { accept: request.headers.accept ?? MANIFEST_ACCEPT }, redirect: 'manual' });
    const body = Buffer.from(await answer.arrayBuffer());
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'docker-content-digest', 'link', 'last-modified', 'location']) {
      const value = answer.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    if (state.crossOriginLink !== null && answer.status === 200 && /\/tags\/list$/.test(path.split('?')[0]!) && headers['link'] === undefined) {
      headers['link'] = `<${state.crossOriginLink}${path.split('?')[0]!}?n=100&last=zzz>; rel="next"`;
    }
    const isManifest = /\/manifests\//.test(path);
    if (isManifest && request.method === 'GET' && answer.status === 200) state.pulls += 1;
    response.writeHead(answer.status, {
      ...headers,
      ...(isManifest ? rateHeaders() : {}),
      'content-length': String(request.method === 'HEAD' ? (answer.headers.get('content-length') ?? 0) : body.byteLength),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
    return answer.status;
  }

  async function handleRegistry(request: IncomingMessage, response: ServerResponse): Promise<number> {
    const url = new URL(request.url ?? '/', 'http://hub.invalid');
    const sent = /^(?:Bearer|Basic) (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (sent !== undefined && [...apiTokens.keys(), ...everIssued].includes(sent)) state.hubTokensAtRegistry += 1;
    if (url.pathname === '/token') {
      state.tokenRequests += 1;
      state.tokenScopes.push(url.searchParams.getAll('scope'));
      const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '');
      let user: string | null = null;
      if (basic !== null) {
        const text = Buffer.from(basic[1]!, 'base64').toString('utf8');
        const colon = text.indexOf(':');
        user = text.slice(0, colon);
        if (colon < 0 || state.accounts[user] !== text.slice(colon + 1)) {
          state.registryLogins.push(user);
          sendJson(response, 401, { details: 'incorrect username or password' });
          return 401;
        }
      }
      state.registryLogins.push(user);
      const token = randomBytes(12).toString('hex');
      tokens.set(token, user);
      sendJson(response, 200, { token, access_token: token, expires_in: 300, issued_at: new Date(now).toISOString() });
      return 200;
    }
    if (!url.pathname.startsWith('/v2/')) {
      sendJson(response, 404, { errors: [{ code: 'NOT_FOUND' }] });
      return 404;
    }
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    const name = /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(url.pathname)?.[1];
    const owner = name === undefined ? undefined : state.privateRepos[name];
    if (bearer === null || !tokens.has(bearer[1]!) || (owner !== undefined && tokens.get(bearer[1]!) !== owner)) {
      const scope = name === undefined ? '' : `,scope="repository:${name}:pull"`;
      sendJson(
        response,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        {
          'www-authenticate': `Bearer realm="http://${registryHost}/token",service="registry.docker.io"${scope}`,
        },
      );
      return 401;
    }
    if (/\/manifests\//.test(url.pathname) && request.method === 'GET' && state.pulls >= state.quota) {
      sendJson(
        response,
        429,
        {
          errors: [
            { code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limits' },
          ],
        },
        rateHeaders(),
      );
      return 429;
    }
    return forward(request, response, `${url.pathname}${url.search}`);
  }

  async function describeTag(name: string, tag: string): Promise<Record<string, unknown> | null> {
    const answer = await fetch(`${upstream}/v2/${name}/manifests/${tag}`, { headers: { accept: MANIFEST_ACCEPT } });
    if (answer.status !== 200) return null;
    const bytes = Buffer.from(await answer.arrayBuffer());
    const manifest = JSON.parse(bytes.toString('utf8')) as {
      mediaType?: string;
      manifests?: Array<{ digest: string; size: number; mediaType: string; platform?: { os: string; architecture: string; variant?: string } }>;
      config?: { digest: string };
    };
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const mediaType = manifest.mediaType ?? answer.headers.get('content-type') ?? '';
    let images: Array<Record<string, unknown>> = [];
    if (manifest.manifests !== undefined) {
      // Hub's record of each platform image is made from the image itself (its config), not from the index's
      // descriptor: a descriptor that lies is recorded with the config's platform; a child that is missing or
      // not an image is not recorded. `size` is the compressed size of the layers, not the manifest's size.
      for (const entry of manifest.manifests) {
        if (entry.platform?.os === 'unknown' && entry.platform.architecture === 'unknown') {
          images.push({ architecture: 'unknown', os: 'unknown', variant: null, digest: entry.digest, size: 0, status: 'active' });
          continue;
        }
        const recorded = await recordImage(name, entry.digest);
        if (recorded !== null) images.push(recorded);
      }
    } else if (manifest.config !== undefined) {
      const config = (await (await fetch(`${upstream}/v2/${name}/blobs/${manifest.config.digest}`)).json()) as { os: string; architecture: string; variant?: string };
      images = [{ architecture: config.architecture, os: config.os, variant: config.variant ?? null, digest, size: bytes.byteLength, status: 'active' }];
    }
    return { name: tag, digest, media_type: mediaType, content_type: 'image', images, tag_status: 'active', v2: true };
  }

  /** The record Hub keeps for one platform image: os/architecture/variant from its config, the layers' total size. */
  async function recordImage(name: string, digest: string): Promise<Record<string, unknown> | null> {
    const answer = await fetch(`${upstream}/v2/${name}/manifests/${digest}`, { headers: { accept: MANIFEST_ACCEPT } });
    if (answer.status !== 200) return null;
    const child = (await answer.json().catch(() => null)) as { config?: { digest?: string }; layers?: Array<{ size?: number }> } | null;
    if (typeof child?.config?.digest !== 'string') return null;
    const blob = await fetch(`${upstream}/v2/${name}/blobs/${child.config.digest}`);
    if (blob.status !== 200) return null;
    const config = (await blob.json().catch(() => null)) as { os?: string; architecture?: string; variant?: string } | null;
    if (typeof config?.os !== 'string' || typeof config.architecture !== 'string') return null;
    const size = (child.layers ?? []).reduce((sum, layer) => sum + (layer.size ?? 0), 0);
    return { architecture: config.architecture, os: config.os, variant: config.variant ?? null, digest, size, status: 'active' };
  }

  function login(request: IncomingMessage, response: ServerResponse, text: string): number {
    let body: { identifier?: unknown; secret?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // a body that is not JSON lacks both fields
    }
    const identifier = typeof body.identifier === 'string' ? body.identifier : '';
    const status = request.headers['content-type'] !== 'application/json' || identifier === '' || typeof body.secret !== 'string' ? 400 : state.accounts[identifier] === body.secret ? 200 : 401;
    if (state.loginRedirect !== null) {
      state.logins.push({ identifier, status: 307 });
      response.writeHead(307, { location: `${state.loginRedirect}/v2/auth/token`, 'content-length': '0' });
      response.end();
      return 307;
    }
    state.logins.push({ identifier, status });
    if (status === 400) sendJson(response, 400, { message: 'identifier and secret are required' });
    else if (status === 401) sendJson(response, 401, { message: 'incorrect username or password' });
    else {
      const exp = Math.floor(state.clock / 1000) + state.hubTokenTtlS;
      const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
      const token = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: identifier, exp, jti: randomBytes(8).toString('hex') })}.${randomBytes(16).toString('base64url')}`;
      apiTokens.set(token, { identifier, exp });
      everIssued.add(token);
      sendJson(response, 200, { access_token: token });
    }
    return status;
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse): Promise<number> {
    const url = new URL(request.url ?? '/', 'http://hub.invalid');
    if (url.pathname === '/v2/auth/token' && request.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      return login(request, response, Buffer.concat(chunks).toString('utf8'));
    }
    state.apiRequests += 1;
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    const issued = bearer === null ? undefined : apiTokens.get(bearer[1]!);
    const valid = issued !== undefined && issued.exp * 1000 > state.clock;
    state.apiAuth.push(bearer === null ? 'none' : valid ? 'valid' : 'invalid');
    if (bearer !== null && !valid) {
      sendJson(response, 401, { message: 'invalid or expired token' });
      return 401;
    }
    const match = /^\/v2\/namespaces\/([^/]+)\/repositories\/([^/]+)\/tags$/.exec(url.pathname);
    if (state.apiDown) {
      sendJson(response, 503, { message: 'unavailable' });
      return 503;
    }
    if (match === null) {
      sendJson(response, 404, { message: 'object not found', errinfo: {} });
      return 404;
    }
    const name = `${decodeURIComponent(match[1]!)}/${decodeURIComponent(match[2]!)}`;
    const owner = state.privateRepos[name];
    if (owner !== undefined && (!valid || issued.identifier !== owner)) {
      if (state.privateAnswer === 401) sendJson(response, 401, { message: 'authentication required' });
      else sendJson(response, 404, { message: 'object not found', errinfo: {} });
      return state.privateAnswer;
    }
    const list = await fetch(`${upstream}/v2/${name}/tags/list`);
    if (list.status !== 200) {
      sendJson(response, 404, { message: 'object not found', errinfo: {} });
      return 404;
    }
    const tags = ((await list.json()) as { tags: string[] | null }).tags ?? [];
    const described = (await Promise.all(tags.map((tag) => describeTag(name, tag)))).filter((tag): tag is Record<string, unknown> => tag !== null);
    described.forEach((tag, i) => {
      const pushed = state.pushedAt[`${name}:${String(tag['name'])}`] ?? new Date(now - (described.length - i) * 60_000).toISOString();
      tag['tag_last_pushed'] = pushed;
      tag['last_updated'] = pushed;
    });
    described.sort((a, b) => String(b['tag_last_pushed']).localeCompare(String(a['tag_last_pushed'])) || String(a['name']).localeCompare(String(b['name'])));
    const pageSize = Math.min(100, Math.max(1, Number(url.searchParams.get('page_size') ?? 10) || 10));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const results = described.slice((page - 1) * pageSize, page * pageSize);
    const more = described.length > page * pageSize;
    const link = (p: number): string => `http://${apiHost}${url.pathname}?page_size=${pageSize}&page=${p}`;
    const next = more ? link(page + 1) : state.crossOriginNext === null ? null : `${state.crossOriginNext}${url.pathname}?page_size=${pageSize}&page=${page + 1}`;
    sendJson(response, 200, { count: described.length, next, previous: page > 1 ? link(page - 1) : null, results });
    return 200;
  }

  const serve = (handler: (request: IncomingMessage, response: ServerResponse) => Promise<number>, log: boolean) =>
    createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0]!;
      handler(request, response)
        .then((status) => {
          if (log) state.requests.push({ method: request.method ?? 'GET', path, status });
        })
        .catch((error: unknown) => {
          if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
          response.end(`double error: ${String(error)}`);
        });
    });

  const registry = serve(handleRegistry, true);
  const api = serve(handleApi, false);
  registryHost = await listenOnLoopback(registry);
  apiHost = await listenOnLoopback(api);
  Object.assign(state, { registryUrl: `http://${registryHost}`, registryHost, apiUrl: `http://${apiHost}` });
  let stopped: Promise<void> | undefined;
  state.stop = () => {
    stopped ??= Promise.all([closeServer(registry), closeServer(api)]).then(() => undefined);
    return stopped;
  };
  return state;
}
