import { ArchpinError, type ErrorCode } from '../core/errors.js';

/** An ArchpinError from a registry exchange; carries the HTTP status and the server's Retry-After when it sent one. */
export class RegistryError extends ArchpinError {
  readonly status: number | null;
  /** Milliseconds the server asked us to wait before retrying. */
  readonly retryAfterMs: number | null;
  /** Docker Hub's `toomanyrequests`: the pull quota is spent; no more requests go to that host this run. */
  readonly quotaExhausted: boolean;
  /** `registry-unreachable`: the host (host:port) that could not be reached; no more requests go to it this run. */
  readonly host: string | null;
  /** `registry-unreachable`: why the host could not be reached, e.g. `connect ECONNREFUSED 127.0.0.1:5000`. */
  readonly hostCause: string | null;

  constructor(
    code: ErrorCode,
    message: string,
    options: { retryable?: boolean; cause?: unknown; status?: number | null; retryAfterMs?: number | null; quotaExhausted?: boolean; host?: string | null; hostCause?: string | null } = {},
  ) {
    super(code, message, options);
    this.name = 'RegistryError';
    this.status = options.status ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.quotaExhausted = options.quotaExhausted ?? false;
    this.host = options.host ?? null;
    this.hostCause = options.hostCause ?? null;
  }
}

/** Maps an unexpected HTTP status to a typed error. `what` names the request, e.g. `GET manifest docker.io/library/docker:27`. */
export function errorForStatus(status: number, what: string, retryAfterMs: number | null = null): RegistryError {
  const base = { status, retryAfterMs };
  if (status === 401) return new RegistryError('registry-unauthorized', `${what}: 401 unauthorized`, base);
  if (status === 403) return new RegistryError('registry-forbidden', `${what}: 403 forbidden`, base);
  if (status === 404) return new RegistryError('registry-not-found', `${what}: 404 not found`, base);
  if (status === 429) return new RegistryError('registry-rate-limited', `${what}: 429 too many requests`, { ...base, retryable: true });
  if (status === 502 || status === 503 || status === 504) {
    return new RegistryError('registry-unavailable', `${what}: ${status} unavailable`, { ...base, retryable: true });
  }
  return new RegistryError('registry-bad-response', `${what}: unexpected status ${status}`, base);
}

/** Maps a fetch or body-stream failure to a typed, retryable error (timeouts apart from other network failures). */
export function errorForFailure(error: unknown, what: string, timeoutMs: number): RegistryError {
  if (error instanceof RegistryError) return error;
  if (isTimeout(error)) {
    return new RegistryError('registry-timeout', `${what}: no complete answer within ${timeoutMs} ms`, { retryable: true, cause: error });
  }
  const detail = describe(error);
  // Aborted by the command's stop (an interrupt, serve's shutdown): asking again cannot help.
  if (isAbort(error)) return new RegistryError('registry-network', `${what}: ${detail}`, { retryable: false, cause: error });
  return new RegistryError('registry-network', `${what}: ${detail}`, { retryable: true, cause: error });
}

/** An AbortError (a stop signal), as opposed to a timeout's TimeoutError. */
function isAbort(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.name === 'AbortError') return true;
  }
  return false;
}

/** Failure codes that say the host itself cannot be reached, whatever the path: nothing listens, no route, no name, no connection in time. */
const HOST_DOWN_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * How a request that got no HTTP answer failed: `host` when the host cannot be reached at all (refused, no route,
 * unknown name, connect timeout), `first-byte` when it accepted the connection but sent no headers within the
 * first-byte timeout, `other` for the rest (a connection reset, the whole-request timeout).
 */
export function noAnswerKind(error: unknown): 'host' | 'first-byte' | 'other' {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && HOST_DOWN_CODES.has(code)) return 'host';
    if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'first-byte';
    // fetch refuses ports that browsers block (1, 9, 25, …) before connecting: no request can reach that host.
    if (e.message === 'bad port') return 'host';
    if (e instanceof AggregateError && e.errors.some((inner) => noAnswerKind(inner) === 'host')) return 'host';
  }
  return 'other';
}

/** A short cause for a failure with no answer: `connect ECONNREFUSED 127.0.0.1:5000`, `no response headers within 10000 ms`. */
export function noAnswerCause(error: unknown, firstByteMs: number): string {
  if (noAnswerKind(error) === 'first-byte') return `connected, but no response headers within ${firstByteMs} ms`;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'no connection within the connect timeout';
    if (typeof code === 'string' && HOST_DOWN_CODES.has(code)) return e.message || code;
    if (e.message === 'bad port') return 'the port is one that fetch refuses to use';
  }
  return describe(error);
}

function isTimeout(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.name === 'TimeoutError') return true;
  }
  return false;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}
