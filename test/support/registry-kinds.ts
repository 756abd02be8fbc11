/**
 * Doubles of the registries our users run, each bending the distribution API the way its documentation
 * (and the clients that cope with it: regclient, go-containerregistry, skopeo, Renovate) says it does.
 * Each one fronts a real anonymous test registry on 127.0.0.1 and adds the kind's quirks:
 *
 *   const double = await startKindDouble(KIND_BEHAVIOURS.quay, { upstream: registry.url, users: [...] });
 *   image references: `${double.host}/team/app:1.0.0` (Artifactory: `${double.host}/docker-virtual/team/app`)
 *
 * Quirks (`KindBehaviour`):
 *   order        tags/list order: 'oldest-first' (push order, `pushOrder`) or 'sorted'
 *   pagination   'link' (RFC 5988 `Link`, `n`/`last`), 'next-page' (Quay: opaque `next_page` in the body),
 *                'none' (GCR: everything in one answer), 'link-without-prefix' (Artifactory: the Link drops
 *                the virtual repository from the path)
 *   pageSize     the largest page served (a larger `n` is capped); `honoursN`: false ignores `n` (ACR)
 *   rejectNAbove answer 405 to a larger `n` (ECR behind some proxies)
 *   auth         'bearer' (token from `realmPath`, `service` compared byte for byte in the raw query,
 *                anonymous tokens when `anonymousToken`) or 'basic' (ECR, Artifactory)
 *   scope        the scope the challenge names for a repository
 *   headers      sent on every answer (e.g. `X-Artifactory-Id`)
 *   lastModified sent on manifest answers
 *
 * `crossOriginLink` (an origin) makes the last tags page link to another origin (which must never be asked);
 * `crossOriginLinksSent` counts the pages that carried such a Link. `blobRedirect` (a redirect target) answers blob
 * GETs with 307 to a copy of the blob on another host, as ECR (S3), GAR/GCR (Cloud Storage) and ACR do: the client
 * must follow it without the registry's credentials.
 * A bearer token grants the repositories its `scope` parameters name, and only those (another repository answers
 * 401 with the challenge). `multiScope` is what the realm does with several scopes in one request: 'grant' them all
 * (distribution's token server, Docker Hub), 'refuse' (400) or grant only the 'first'.
 * Counters: `requests` (method, path, query, authorization sent), `tokenRequests` (query, authorization, scopes).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, MANIFEST_ACCEPT, sendJson } from './registry-front.js';
import type { RegistryKind } from '../../src/core/registry-kind.js';
import type { RedirectTarget } from './proxy.js';

export interface KindBehaviour {
  readonly kind: RegistryKind;
  readonly order: 'oldest-first' | 'sorted';
  readonly pagination: 'link' | 'next-page' | 'none' | 'link-without-prefix';
  readonly pageSize: number;
  readonly honoursN: boolean;
  readonly rejectNAbove?: number;
  readonly auth: 'bearer' | 'basic';
  readonly realmPath: string;
  readonly service: string;
  readonly anonymousToken: boolean;
  readonly scope: (repository: string) => string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly lastModified?: string;
  /** Artifactory: the path clients use starts with this virtual repository. */
  readonly prefix?: string;
}

const pull = (repository: string): string => `repository:${repository}:pull`;

export const KIND_BEHAVIOURS: Readonly<Record<Exclude<RegistryKind, 'dockerhub' | 'distribution'>, KindBehaviour>> = {
  ghcr: { kind: 'ghcr', order: 'oldest-first', pagination: 'link', pageSize: 10, honoursN: true, auth: 'bearer', realmPath: '/token', service: 'ghcr.io', anonymousToken: true, scope: pull },
  quay: {
    kind: 'quay',
    order: 'oldest-first',
    pagination: 'next-page',
    pageSize: 10,
    honoursN: true,
    auth: 'bearer',
    realmPath: '/v2/auth',
    service: 'quay.io',
    anonymousToken: true,
    scope: pull,
    lastModified: 'Sun, 22 Nov 2026 09:00:00 GMT',
  },
  ecr: { kind: 'ecr', order: 'sorted', pagination: 'link', pageSize: 10, honoursN: true, rejectNAbove: 100, auth: 'basic', realmPath: '', service: '', anonymousToken: false, scope: pull },
  gcr: { kind: 'gcr', order: 'sorted', pagination: 'none', pageSize: 100_000, honoursN: false, auth: 'bearer', realmPath: '/v2/token', service: 'gcr.io', anonymousToken: true, scope: pull },
  acr: {
    kind: 'acr',
    order: 'sorted',
    pagination: 'link',
    pageSize: 10,
    honoursN: false,
    auth: 'bearer',
    realmPath: '/oauth2/token',
    service: 'archpin test.azurecr.io',
    anonymousToken: false,
    scope: (r) => `repository:${r}:metadata_read`,
  },
  harbor: {
    kind: 'harbor',
    order: 'sorted',
    pagination: 'link',
    pageSize: 10,
    honoursN: true,
    auth: 'bearer',
    realmPath: '/service/token',
    service: 'harbor-registry',
    anonymousToken: true,
    scope: pull,
  },
  artifactory: {
    kind: 'artifactory',
    order: 'sorted',
    pagination: 'link-without-prefix',
    pageSize: 10,
    honoursN: true,
    auth: 'basic',
    realmPath: '',
    service: '',
    anonymousToken: false,
    scope: pull,
    headers: { 'x-artifactory-id': 'a1b2c3' },
    prefix: 'docker-virtual',
  },
  gitlab: {
    kind: 'gitlab',
    order: 'sorted',
    pagination: 'link',
    pageSize: 10,
    honoursN: true,
    auth: 'bearer',
    realmPath: '/jwt/auth',
    service: 'container_registry',
    anonymousToken: true,
    scope: pull,
  },
};

export interface KindDouble {
  readonly url: string;
  readonly host: string;
  readonly behaviour: KindBehaviour;
  readonly requests: Array<{ method: string; path: string; query: string; authorization: string | undefined; status: number }>;
  readonly tokenRequests: Array<{ query: string; authorization: string | undefined; scopes: string[] }>;
  /** Tag order for 'oldest-first' listings (tags not named come first, sorted). */
  pushOrder: string[];
  crossOriginLink: string | null;
  crossOriginLinksSent: number;
  blobRedirect: RedirectTarget | null;
  reset(): void;
  stop(): Promise<void>;
}

export async function startKindDouble(
  behaviour: KindBehaviour,
  options: { upstream: string; users?: ReadonlyArray<{ username: string; password: string }>; multiScope?: 'grant' | 'refuse' | 'first' },
): Promise<KindDouble> {
  const upstream = options.upstream.replace(/\/+$/, '');
  const users = options.users ?? [];
  /** Bearer tokens and the repositories each grants. */
  const tokens = new Map<string, ReadonlySet<string>>();
  const basics = new Set(users.map((u) => `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`));
  let host = '';

  const double: KindDouble = {
    url: '',
    host: '',
    behaviour,
    requests: [],
    tokenRequests: [],
    pushOrder: [],
    crossOriginLink: null,
    crossOriginLinksSent: 0,
    blobRedirect: null,
    reset() {
      double.requests.length = 0;
      double.tokenRequests.length = 0;
      double.crossOriginLinksSent = 0;
    },
    stop: async () => undefined,
  };

  const common = (): Record<string, string> => ({ 'docker-distribution-api-version': 'registry/2.0', ...behaviour.headers });

  function authorised(authorization: string | undefined, repository: string | undefined): boolean {
    if (behaviour.auth === 'basic') return users.length === 0 || (authorization !== undefined && basics.has(authorization));
    const bearer = /^Bearer (.+)$/.exec(authorization ?? '');
    const granted = bearer === null ? undefined : tokens.get(bearer[1]!);
    return granted !== undefined && (repository === undefined || granted.has(repository));
  }

  function challenge(repository: string | undefined): string {
    if (behaviour.auth === 'basic') return `Basic realm="http://${host}/"`;
    const scope = repository === undefined ? '' : `,scope="${behaviour.scope(repository)}"`;
    return `Bearer realm="http://${host}${behaviour.realmPath}",service="${behaviour.service}"${scope}`;
  }

  function token(request: IncomingMessage, response: ServerResponse, rawQuery: string): void {
    const scopes = new URLSearchParams(rawQuery).getAll('scope');
    double.tokenRequests.push({ query: rawQuery, authorization: request.headers.authorization, scopes });
    if (scopes.length > 1 && options.multiScope === 'refuse') {
      sendJson(response, 400, { errors: [{ code: 'DENIED', message: 'one scope per request' }] });
      return;
    }
    // `service` must come back exactly as the challenge gave it (percent-encoded, never `+` for a space).
    const service = /(?:^|&)service=([^&]*)/.exec(rawQuery)?.[1];
    if (service !== encodeURIComponent(behaviour.service)) {
      sendJson(response, 400, { errors: [{ code: 'DENIED', message: `unknown service ${service ?? '(none)'}` }] });
      return;
    }
    const basic = request.headers.authorization;
    const known = basic !== undefined && basics.has(basic);
    if ((basic !== undefined && !known) || (!known && !behaviour.anonymousToken)) {
      sendJson(response, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
      return;
    }
    const value = randomBytes(12).toString('hex');
    // `repository:<name>:<actions>`: the name is what lies between the first and the last colon.
    const names = scopes.map((scope) => scope.slice(scope.indexOf(':') + 1, scope.lastIndexOf(':')));
    tokens.set(value, new Set(options.multiScope === 'first' ? names.slice(0, 1) : names));
    sendJson(response, 200, { token: value, expires_in: 300 });
  }

  async function tagsList(response: ServerResponse, repository: string, clientPath: string, query: URLSearchParams): Promise<number> {
    const answer = await fetch(`${upstream}/v2/${repository}/tags/list`);
    if (answer.status !== 200) {
      sendJson(response, answer.status, await answer.json());
      return answer.status;
    }
    const listing = ((await answer.json()) as { tags: string[] | null }).tags ?? [];
    const sorted = [...listing].sort();
    const ordered = behaviour.order === 'oldest-first' ? [...sorted.filter((tag) => !double.pushOrder.includes(tag)), ...double.pushOrder.filter((tag) => listing.includes(tag))] : sorted;
    const askedN = query.get('n');
    if (askedN !== null && behaviour.rejectNAbove !== undefined && Number(askedN) > behaviour.rejectNAbove) {
      sendJson(response, 405, { errors: [{ code: 'UNSUPPORTED', message: 'n too large' }] }, common());
      return 405;
    }
    // The double's largest page is `pageSize`: a larger `n` is capped (or ignored, or refused, as the kind does).
    const n = behaviour.honoursN && askedN !== null ? Math.max(1, Math.min(Number(askedN) || behaviour.pageSize, behaviour.pageSize)) : behaviour.pageSize;
    let start = 0;
    const last = query.get('last');
    const nextPage = query.get('next_page');
    if (nextPage !== null) start = Number(Buffer.from(nextPage, 'base64url').toString('utf8').split(':')[1] ?? 0);
    else if (last !== null) start = ordered.indexOf(last) + 1;
    const page = ordered.slice(start, start + n);
    const more = start + n < ordered.length;
    const headers: Record<string, string> = { ...common() };
    const body: Record<string, unknown> = { name: repository, tags: page };
    if (more && behaviour.pagination === 'link') headers['link'] = `<${clientPath}?n=${n}&last=${encodeURIComponent(page[page.length - 1]!)}>; rel="next"`;
    if (more && behaviour.pagination === 'link-without-prefix') headers['link'] = `</v2/${repository}/tags/list?n=${n}&last=${encodeURIComponent(page[page.length - 1]!)}>; rel="next"`;
    if (more && behaviour.pagination === 'next-page') body['next_page'] = Buffer.from(`page:${start + n}:${randomBytes(4).toString('hex')}`).toString('base64url');
    if (!more && double.crossOriginLink !== null) {
      headers['link'] = `<${double.crossOriginLink}/v2/${repository}/tags/list?n=${n}&last=zzz>; rel="next"`;
      double.crossOriginLinksSent += 1;
    }
    sendJson(response, 200, body, headers);
    return 200;
  }

  async function forward(request: IncomingMessage, response: ServerResponse, upstreamPath: string): Promise<number> {
    const answer = await fetch(`${upstream}${upstreamPath}`, { method: request.method ?? 'GET', headers: { accept: request.headers.accept ?? MANIFEST_ACCEPT } });
    const body = Buffer.from(await answer.arrayBuffer());
    const headers: Record<string, string> = { ...common() };
    for (const name of ['content-type', 'docker-content-digest']) {
      const value = answer.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    if (behaviour.lastModified !== undefined && /\/manifests\//.test(upstreamPath)) headers['last-modified'] = behaviour.lastModified;
    headers['content-length'] = request.method === 'HEAD' ? (answer.headers.get('content-length') ?? '0') : String(body.byteLength);
    response.writeHead(answer.status, headers);
    response.end(request.method === 'HEAD' ? undefined : body);
    return answer.status;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<number> {
    const raw = request.url ?? '/';
    const url = new URL(raw, 'http://kind.invalid');
    const rawQuery = raw.includes('?') ? raw.slice(raw.indexOf('?') + 1) : '';
    if (behaviour.auth === 'bearer' && url.pathname === behaviour.realmPath) {
      token(request, response, rawQuery);
      return 200;
    }
    if (!url.pathname.startsWith('/v2/')) {
      sendJson(response, 404, { errors: [{ code: 'NOT_FOUND' }] });
      return 404;
    }
    let path = url.pathname;
    if (behaviour.prefix !== undefined) {
      const prefix = `/v2/${behaviour.prefix}/`;
      if (path.startsWith(prefix)) path = `/v2/${path.slice(prefix.length)}`;
      else if (path !== '/v2/') {
        sendJson(response, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'no such virtual repository' }] }, common());
        return 404;
      }
    }
    const repository = /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(path)?.[1];
    if (!authorised(request.headers.authorization, repository)) {
      sendJson(response, 401, { errors: [{ code: 'UNAUTHORIZED' }] }, { ...common(), 'www-authenticate': challenge(repository) });
      return 401;
    }
    if (double.blobRedirect !== null && request.method === 'GET' && /^\/v2\/.+\/blobs\/sha256:[a-f0-9]{64}$/.test(path)) {
      const blob = await fetch(`${upstream}${path}`);
      if (blob.status === 200) {
        const location = double.blobRedirect.put(Buffer.from(await blob.arrayBuffer()), blob.headers.get('content-type') ?? undefined);
        response.writeHead(307, { ...common(), location, 'content-length': '0' });
        response.end();
        return 307;
      }
    }
    const tags = /^\/v2\/(.+)\/tags\/list$/.exec(path);
    if (tags !== null && request.method === 'GET') return tagsList(response, tags[1]!, url.pathname, url.searchParams);
    return forward(request, response, `${path}${url.search}`);
  }

  const server: Server = createServer((request, response) => {
    const raw = request.url ?? '/';
    const record = {
      method: request.method ?? 'GET',
      path: raw.split('?')[0]!,
      query: raw.includes('?') ? raw.slice(raw.indexOf('?') + 1) : '',
      authorization: request.headers.authorization,
      status: 0,
    };
    handle(request, response)
      .then((status) => {
        record.status = status;
        double.requests.push(record);
      })
      .catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`double error: ${String(error)}`);
      });
  });
  host = await listenOnLoopback(server);
  Object.assign(double, { url: `http://${host}`, host });
  let stopped: Promise<void> | undefined;
  double.stop = () => {
    stopped ??= closeServer(server);
    return stopped;
  };
  return double;
}
