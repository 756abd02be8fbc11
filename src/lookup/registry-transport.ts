import PQueue from 'p-queue';
import { redactSecrets } from '../core/errors.js';
import { parseRetryAfter, withRetry, type RetryPolicy } from './http-retry.js';
import type { AuthTarget, RegistryAuth } from './registry-auth.js';
import { errorForFailure, errorForStatus, noAnswerCause, noAnswerKind, RegistryError } from './registry-errors.js';

export type RequestKind = 'tags' | 'manifest-head' | 'manifest-get' | 'blob' | 'blob-head' | 'token' | 'hub-tags' | 'hub-login';

/** One HTTP request sent (each redirect hop and each retry counts); `status` is null when no answer came. */
export interface RegistryRequestEvent {
  readonly kind: RequestKind;
  readonly method: string;
  readonly url: string;
  readonly status: number | null;
  /** Milliseconds from sending the request to its answer (or failure). */
  readonly ms: number;
  /** When no answer came: why, e.g. `connect ECONNREFUSED 127.0.0.1:5000`. */
  readonly error?: string;
}

export interface TransportRequest<T> {
  readonly kind: RequestKind;
  readonly method: 'GET' | 'HEAD' | 'POST';
  /** A form body (token realms' OAuth2 POST), sent as application/x-www-form-urlencoded. */
  readonly form?: URLSearchParams;
  /** A JSON body (Docker Hub's login), sent as application/json. */
  readonly json?: string;
  readonly url: URL;
  /** The registry and repository the request authenticates for; null for requests that never authenticate (token realms). */
  readonly target: AuthTarget | null;
  readonly headers?: Readonly<Record<string, string>>;
  /** Names the request in error messages. */
  readonly what: string;
  /** Reads a 2xx answer; runs under the same timeout as the request. */
  readonly read: (response: Response) => Promise<T>;
  /** Extra basic credentials for the request (token realms). */
  readonly authorization?: string | null;
}

export interface TransportOptions {
  readonly fetch: typeof fetch;
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** The first-byte (response headers) timeout the fetch applies, for messages. */
  readonly firstByteMs: number;
  readonly retry: RetryPolicy;
  readonly userAgent: string;
  readonly onRequest: ((event: RegistryRequestEvent) => void) | undefined;
  /** Called as each request leaves (progress: which host is being waited on). */
  readonly onStart?: ((url: URL) => void) | undefined;
  /** Sees every answer's status and headers (rate-limit telemetry, registry kind detection). */
  readonly onAnswer?: ((kind: RequestKind, url: URL, response: Response) => void) | undefined;
}

export interface Transport {
  send<T>(request: TransportRequest<T>, auth: RegistryAuth | null): Promise<T>;
  counts(): Readonly<Record<RequestKind, number>>;
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

type Exchange<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly challenge: string | null };

/**
 * HTTP for registries: a queue per host, per-request timeouts, retries, manual redirects that drop credentials
 * across origins, and a circuit per host: once a host cannot be reached (refused, no route, unknown name, no
 * connection or no response headers in time from a host that has not answered this run), every later request to
 * it fails at once with `registry-unreachable` instead of waiting for its own timeouts.
 */
export function createTransport(options: TransportOptions): Transport {
  const queues = new Map<string, PQueue>();
  const circuit = createHostCircuit(options);
  // Docker Hub API requests and blob HEADs (audit) appear in the counts once there is one.
  const counts: Partial<Record<RequestKind, number>> = { tags: 0, 'manifest-head': 0, 'manifest-get': 0, blob: 0, token: 0 };

  function queueFor(host: string): PQueue {
    let queue = queues.get(host);
    if (queue === undefined) {
      queue = new PQueue({ concurrency: options.concurrency });
      queues.set(host, queue);
    }
    return queue;
  }

  function report(request: TransportRequest<unknown>, url: URL, status: number | null, started: number, error?: string): void {
    counts[request.kind] = (counts[request.kind] ?? 0) + 1;
    const ms = Math.round(performance.now() - started);
    options.onRequest?.({ kind: request.kind, method: request.method, url: redactSecrets(url.href), status, ms, ...(error === undefined ? {} : { error: redactSecrets(error) }) });
  }

  /** One request, following redirects, within one timeout; 401 from the registry's own origin comes back as a challenge. */
  async function exchange<T>(request: TransportRequest<T>, authorization: string | null): Promise<Exchange<T>> {
    const signal = AbortSignal.timeout(options.timeoutMs);
    const origin = request.url.origin;
    let url = request.url;
    let credential = authorization;
    for (let hop = 0; ; hop++) {
      circuit.refuseWhenDown(request, url.host);
      const { headers, body } = requestInit(request, credential, options.userAgent);
      let response: Response;
      const started = performance.now();
      options.onStart?.(url);
      try {
        response = await options.fetch(url, { method: request.method, headers, redirect: 'manual', signal, ...(body === undefined ? {} : { body }) });
      } catch (error) {
        const failure = circuit.noAnswer(error, request, url);
        report(request, url, null, started, failure.hostCause ?? failure.message);
        throw failure;
      }
      circuit.answered(url.host);
      report(request, url, response.status, started);
      options.onAnswer?.(request.kind, url, response);
      const location = response.headers.get('location');
      if (REDIRECTS.has(response.status) && location !== null) {
        await discard(response);
        if (hop >= MAX_REDIRECTS) throw new RegistryError('registry-bad-response', `${request.what}: too many redirects`);
        const next = new URL(location, url);
        // A body may hold a secret (a refresh token, a password): it never goes to another origin.
        if (next.origin !== origin && body !== undefined) throw new RegistryError('registry-bad-response', `${request.what}: redirected to another origin (${next.origin}); not followed`);
        url = next;
        if (url.origin !== origin) credential = null;
        continue;
      }
      return answerOf(request, response, url.origin === origin, options);
    }
  }

  async function attempt<T>(request: TransportRequest<T>, auth: RegistryAuth | null): Promise<T> {
    circuit.refuseWhenDown(request, request.url.host);
    const queue = queueFor(request.url.host);
    return authorized(request, auth, (authorization) => queue.add(() => exchange(request, authorization), { throwOnTimeout: true }));
  }

  async function send<T>(request: TransportRequest<T>, auth: RegistryAuth | null): Promise<T> {
    try {
      return await withRetry(() => attempt(request, auth), options.retry);
    } catch (error) {
      if (error instanceof RegistryError && error.code === 'registry-unreachable' && error.host !== null) circuit.open(error.host, error.hostCause ?? 'unreachable');
      throw error;
    }
  }

  return {
    send,
    counts: () => ({ ...counts }) as Record<RequestKind, number>,
  };
}

/** Sends a request with the header earlier challenges taught, then answers up to two 401 challenges. */
async function authorized<T>(request: TransportRequest<T>, auth: RegistryAuth | null, send: (authorization: string | null) => Promise<Exchange<T>>): Promise<T> {
  const target = request.target;
  const first = target !== null && auth !== null ? await auth.header(target) : (request.authorization ?? null);
  const answer = await send(first);
  if (answer.ok) return answer.value;
  if (target === null || auth === null) throw errorForStatus(401, request.what);
  const next = await auth.challenge(target, answer.challenge, first);
  if (next === null) throw errorForStatus(401, request.what);
  const retried = await send(next);
  if (retried.ok) return retried.value;
  // A token asked for several repositories that this one refused: once more with a token of its own.
  const own = await auth.challenge(target, retried.challenge, next, { again: true });
  if (own === null) throw errorForStatus(401, request.what);
  const last = await send(own);
  if (last.ok) return last.value;
  throw errorForStatus(401, request.what);
}

/** The circuit per host: which hosts answered this run, and which cannot be reached (with the cause). */
interface HostCircuit {
  /** Fails at once when the host's circuit is open. */
  refuseWhenDown(request: TransportRequest<unknown>, host: string): void;
  /** A request that got no HTTP answer: `registry-unreachable` when that says the host is down, else the usual network or timeout error. */
  noAnswer(error: unknown, request: TransportRequest<unknown>, url: URL): RegistryError;
  answered(host: string): void;
  /** Opens the host's circuit unless it is open already (the first cause is kept). */
  open(host: string, cause: string): void;
}

function createHostCircuit(options: Pick<TransportOptions, 'firstByteMs' | 'timeoutMs'>): HostCircuit {
  /** Hosts that sent an HTTP answer this run: a first-byte timeout there is one slow path, not a dead host. */
  const answered = new Set<string>();
  /** Hosts whose circuit is open, with the cause. */
  const down = new Map<string, string>();
  return {
    refuseWhenDown(request, host) {
      const cause = down.get(host);
      if (cause !== undefined) {
        throw new RegistryError('registry-unreachable', `${request.what}: not sent, ${host} is unreachable (${cause})`, { host, hostCause: cause });
      }
    },
    noAnswer(error, request, url) {
      const kind = noAnswerKind(error);
      const host = url.host;
      if (kind === 'host' || (kind === 'first-byte' && !answered.has(host))) {
        const cause = noAnswerCause(error, options.firstByteMs);
        if (!answered.has(host) && !down.has(host)) down.set(host, cause);
        // A host that answered earlier this run gets the usual retries first; one that never answered does not.
        return new RegistryError('registry-unreachable', `${request.what}: ${host} is unreachable: ${cause}`, { host, hostCause: cause, retryable: answered.has(host), cause: error });
      }
      if (kind === 'first-byte') {
        return new RegistryError('registry-timeout', `${request.what}: no response headers within ${options.firstByteMs} ms`, { retryable: true, cause: error });
      }
      return errorForFailure(error, request.what, options.timeoutMs);
    },
    answered(host) {
      answered.add(host);
    },
    open(host, cause) {
      if (!down.has(host)) down.set(host, cause);
    },
  };
}

/** The headers and body one hop sends. */
function requestInit(request: TransportRequest<unknown>, credential: string | null, userAgent: string): { headers: Record<string, string>; body: string | undefined } {
  const headers: Record<string, string> = { 'user-agent': userAgent, ...request.headers };
  if (credential !== null) headers['authorization'] = credential;
  const body = request.form !== undefined ? request.form.toString() : request.json;
  if (request.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (request.json !== undefined) headers['content-type'] = 'application/json';
  return { headers, body };
}

/** What an answer that is not a redirect means: the read body, a challenge to answer (401 from the registry's own origin), or an error. */
async function answerOf<T>(request: TransportRequest<T>, response: Response, sameOrigin: boolean, options: Pick<TransportOptions, 'timeoutMs' | 'retry'>): Promise<Exchange<T>> {
  if (response.status >= 200 && response.status < 300) {
    try {
      return { ok: true, value: await request.read(response) };
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      const failure = errorForFailure(error, request.what, options.timeoutMs);
      if (failure.code === 'registry-timeout') throw failure;
      throw new RegistryError('registry-bad-response', `${request.what}: body could not be read completely`, {
        retryable: true,
        cause: error,
      });
    }
  }
  if (response.status === 429) throw await rateLimited(request, response, options.retry.now());
  await discard(response);
  if (response.status === 401 && sameOrigin && request.target !== null) {
    return { ok: false, challenge: response.headers.get('www-authenticate') };
  }
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), options.retry.now());
  throw errorForStatus(response.status, request.what, retryAfter);
}

/** The error a 429 is. Docker Hub's pull quota: `toomanyrequests` will not lift for hours, so it is not retried. */
async function rateLimited(request: TransportRequest<unknown>, response: Response, now: number): Promise<RegistryError> {
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now);
  const text = await readSmall(response);
  const exhausted = /toomanyrequests/i.test(text);
  if (exhausted && retryAfter === null) {
    // Without a Retry-After this is a spent quota (Docker Hub's pulls), not a burst: retrying cannot help.
    return new RegistryError('registry-rate-limited', `${request.what}: 429 toomanyrequests (pull quota exhausted)`, { status: 429, quotaExhausted: true });
  }
  if (exhausted) {
    const error = errorForStatus(429, request.what, retryAfter);
    return new RegistryError(error.code, error.message, { status: 429, retryAfterMs: retryAfter, retryable: true, quotaExhausted: true });
  }
  return errorForStatus(429, request.what, retryAfter);
}

/** The first few KiB of an error body, as text. */
async function readSmall(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < 4096) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch {
    // an unreadable error body says nothing more
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}
