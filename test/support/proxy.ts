/**
 * An HTTP proxy on 127.0.0.1 in front of a test registry (or the token issuer) that counts
 * requests, injects faults and can paginate tag lists.
 *
 *   const proxy = await startProxy({ target: registry.url });        // then point the client at proxy.url / proxy.host
 *   proxy.addFault({ method: 'GET', path: /\/manifests\//, nth: 2, fault: { kind: 'status', status: 429, retryAfter: '1' } });
 *   proxy.count('GET', /\/manifests\//)                              // → number of matching requests seen
 *   proxy.setPagination({ pageSize: 100 })                           // tags/list honours n & last, sends Link
 *   await proxy.stop();
 *
 * The Host header is passed through, so upload Locations the registry builds point back at
 * the proxy. The proxy may also be used as a `RegistryTarget` for seeding
 * (`{ url: proxy.url, authorization: registry.authorization }`).
 *
 * Fault rules (`FaultRule`, matched as faults.ts describes): `method` (any when omitted), `path`
 * (RegExp tested against the path and query, or an exact path), `nth` (1-based occurrence among
 * the requests this rule matches, default 1) and `times` (how many consecutive matches from `nth`
 * on; default 1 when `nth` is given, every match otherwise). Kinds (`Fault`):
 *   status    answer `status` (e.g. 429 with `retryAfter`, 503) without asking upstream
 *   stall     never answer (the connection stays open until the client gives up or stop())
 *   delay     forward, but answer only after `ms`
 *   reset     destroy the connection without answering
 *   truncate  forward; declare the full Content-Length, send `bytes` (default half) then close
 *   corrupt   forward; flip one bit of the byte at `offset` (default the middle), headers
 *             (Content-Length, Docker-Content-Digest) unchanged
 *   oversize  forward; pad the body with spaces up to `bytes` (JSON stays valid), headers kept
 *             except Content-Length (or no Content-Length at all with `chunked: true`)
 *   redirect  forward, store the body on `to` (a RedirectTarget, e.g. on 127.0.0.2) and answer
 *             `status` (default 307) with its Location, like a registry handing blobs to storage
 * Several rules may match; the first added wins.
 *
 * `requests` logs every request: { method, path, query, status, authorization (was the
 * header sent), fault (kind applied, if any) }. `reset()` clears the log and the rules.
 *
 * `startRedirectTarget(host?)` starts a tiny server (default 127.0.0.2, falling back to
 * 127.0.0.1) that serves stored bodies once put there and records each request's method, path
 * and Authorization header (so tests can assert that credentials were not forwarded).
 */
import { request as httpRequest, createServer, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { FaultRules, type FaultMatch } from './faults.js';

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; body?: string; headers?: Record<string, string> }
  | { kind: 'stall' }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset' }
  | { kind: 'truncate'; bytes?: number }
  | { kind: 'corrupt'; offset?: number }
  | { kind: 'oversize'; bytes: number; chunked?: boolean }
  | { kind: 'redirect'; to: RedirectTarget; status?: 301 | 302 | 303 | 307 | 308 };

/** A proxy fault: the rule (see faults.ts; a pattern is tested against the path and query) and the fault to apply. */
export interface FaultRule extends FaultMatch {
  readonly fault: Fault;
}

export interface ProxyRequest {
  method: string;
  path: string;
  query: string;
  status: number | undefined;
  authorization: boolean;
  fault: Fault['kind'] | undefined;
}

export interface PaginationOptions {
  /** Page size when the client sends no `n` (default 100). */
  pageSize?: number;
  /** Largest `n` honoured (default 1000). */
  maxPageSize?: number;
}

export interface TestProxy {
  readonly url: string;
  readonly host: string;
  readonly requests: ProxyRequest[];
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  setPagination(options: PaginationOptions | false): void;
  count(method?: string, path?: RegExp | string): number;
  reset(): void;
  stop(): Promise<void>;
}

export interface RedirectTarget {
  readonly url: string;
  readonly requests: Array<{ method: string; path: string; authorization: string | undefined }>;
  /** Stores a body and returns the absolute URL that serves it. */
  put(body: Buffer, contentType: string | undefined): string;
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function forwardableHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const result: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name) && value !== undefined) result[name] = value;
  }
  return result;
}

function pathMatches(pattern: RegExp | string, pathAndQuery: string, path: string): boolean {
  return typeof pattern === 'string' ? pattern === path : pattern.test(pathAndQuery);
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function listen(server: ReturnType<typeof createServer>, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(0, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

function closeServer(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startRedirectTarget(host = '127.0.0.2'): Promise<RedirectTarget> {
  const bodies = new Map<string, { body: Buffer; contentType: string | undefined }>();
  const requests: RedirectTarget['requests'] = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://redirect.invalid').pathname;
    requests.push({ method: request.method ?? 'GET', path, authorization: request.headers.authorization });
    const stored = bodies.get(path);
    if (stored === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-length': stored.body.byteLength, ...(stored.contentType === undefined ? {} : { 'content-type': stored.contentType }) });
    response.end(request.method === 'HEAD' ? undefined : stored.body);
  });
  let boundHost = host;
  let port: number;
  try {
    port = await listen(server, host);
  } catch {
    boundHost = '127.0.0.1';
    port = await listen(server, boundHost);
  }
  const url = `http://${boundHost}:${port}`;
  let stopped: Promise<void> | undefined;
  return {
    url,
    requests,
    put(body, contentType) {
      const path = `/storage/${randomUUID()}`;
      bodies.set(path, { body, contentType });
      return `${url}${path}`;
    },
    stop() {
      stopped ??= closeServer(server);
      return stopped;
    },
  };
}

export async function startProxy(options: { target: string; faults?: FaultRule[]; pagination?: PaginationOptions }): Promise<TestProxy> {
  const target = new URL(options.target);
  const requests: ProxyRequest[] = [];
  const rules = new FaultRules<FaultRule>({ everyMatchWithoutNth: true });
  for (const rule of options.faults ?? []) rules.add(rule);
  let pagination: PaginationOptions | false = options.pagination ?? false;

  const upstream = (request: IncomingMessage, body: Buffer | undefined, pathAndQuery: string): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const outgoing = httpRequest({ host: target.hostname, port: target.port, method: request.method, path: pathAndQuery, headers: forwardableHeaders(request.headers) }, resolve);
      outgoing.on('error', reject);
      if (body === undefined) request.pipe(outgoing);
      else outgoing.end(body);
    });

  const choose = (method: string, pathAndQuery: string, path: string): Fault | undefined => rules.pick(method, path, pathAndQuery)?.fault;

  const paginate = async (request: IncomingMessage, response: ServerResponse, name: string, query: URLSearchParams, settings: PaginationOptions): Promise<number> => {
    const answer = await upstream(request, Buffer.alloc(0), `/v2/${name}/tags/list`);
    const raw = await readAll(answer);
    if (answer.statusCode !== 200) {
      response.writeHead(answer.statusCode ?? 502, forwardableHeaders(answer.headers));
      response.end(raw);
      return answer.statusCode ?? 502;
    }
    const listing = JSON.parse(raw.toString('utf8')) as { name: string; tags: string[] | null };
    const all = [...(listing.tags ?? [])].sort();
    const last = query.get('last');
    const requested = query.get('n');
    const n = Math.min(requested === null ? (settings.pageSize ?? 100) : Math.max(0, Number.parseInt(requested, 10) || 0), settings.maxPageSize ?? 1000);
    const after = last === null ? all : all.filter((tag) => tag > last);
    const page = after.slice(0, n);
    const headers: OutgoingHttpHeaders = { ...forwardableHeaders(answer.headers) };
    delete headers['content-length'];
    if (after.length > page.length && page.length > 0) {
      headers.link = `</v2/${name}/tags/list?n=${n}&last=${encodeURIComponent(page[page.length - 1]!)}>; rel="next"`;
    }
    const body = Buffer.from(JSON.stringify({ name: listing.name, tags: page }));
    headers['content-length'] = body.byteLength;
    response.writeHead(200, headers);
    response.end(body);
    return 200;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse, record: ProxyRequest): Promise<void> => {
    const pathAndQuery = request.url ?? '/';
    const fault = choose(record.method, pathAndQuery, record.path);
    record.fault = fault?.kind;
    if (fault?.kind === 'status') {
      const body = fault.body ?? JSON.stringify({ errors: [{ code: fault.status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE', message: `injected ${fault.status}` }] });
      response.writeHead(fault.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...(fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter }),
        ...fault.headers,
      });
      response.end(body);
      record.status = fault.status;
      return;
    }
    if (fault?.kind === 'stall') return;
    if (fault?.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));

    const tagsList = /^\/v2\/(.+)\/tags\/list$/.exec(record.path);
    if (pagination !== false && tagsList !== null && record.method === 'GET' && fault === undefined) {
      record.status = await paginate(request, response, tagsList[1]!, new URLSearchParams(record.query), pagination);
      return;
    }

    const answer = await upstream(request, undefined, pathAndQuery);
    const status = answer.statusCode ?? 502;
    record.status = status;
    const headers = forwardableHeaders(answer.headers);
    if (fault === undefined || fault.kind === 'delay') {
      response.writeHead(status, headers);
      answer.pipe(response);
      return;
    }
    const body = await readAll(answer);
    switch (fault.kind) {
      case 'truncate': {
        const keep = Math.min(fault.bytes ?? Math.floor(body.byteLength / 2), body.byteLength - 1);
        response.writeHead(status, { ...headers, 'content-length': body.byteLength });
        response.write(body.subarray(0, Math.max(0, keep)), () => response.socket?.destroy());
        return;
      }
      case 'corrupt': {
        const corrupted = Buffer.from(body);
        const offset = fault.offset ?? Math.floor(corrupted.byteLength / 2);
        if (offset < corrupted.byteLength) corrupted[offset] = corrupted[offset]! ^ 0x01;
        response.writeHead(status, headers);
        response.end(corrupted);
        return;
      }
      case 'oversize': {
        const padded = Buffer.alloc(Math.max(fault.bytes, body.byteLength), 0x20);
        body.copy(padded);
        const { 'content-length': _dropped, ...rest } = headers;
        response.writeHead(status, fault.chunked === true ? { ...rest, 'transfer-encoding': 'chunked' } : { ...rest, 'content-length': padded.byteLength });
        response.end(padded);
        return;
      }
      case 'redirect': {
        const location = fault.to.put(body, answer.headers['content-type']);
        response.writeHead(fault.status ?? 307, { location, 'content-length': 0 });
        response.end();
        record.status = fault.status ?? 307;
        return;
      }
    }
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://proxy.invalid');
    const record: ProxyRequest = {
      method: (request.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: url.search.slice(1),
      status: undefined,
      authorization: request.headers.authorization !== undefined,
      fault: undefined,
    };
    requests.push(record);
    handle(request, response, record).catch((error: unknown) => {
      record.status = 502;
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`proxy error: ${String(error)}`);
    });
  });
  const port = await listen(server, '127.0.0.1');
  const host = `127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${host}`,
    host,
    requests,
    addFault(rule) {
      rules.add(rule);
    },
    clearFaults() {
      rules.clear();
    },
    setPagination(settings) {
      pagination = settings;
    },
    count(method, path) {
      return requests.filter(
        (record) =>
          (method === undefined || record.method === method.toUpperCase()) &&
          (path === undefined || pathMatches(path, record.query === '' ? record.path : `${record.path}?${record.query}`, record.path)),
      ).length;
    },
    reset() {
      requests.length = 0;
      rules.clear();
    },
    stop() {
      stopped ??= closeServer(server);
      return stopped;
    },
  };
}
