import { ArchpinError, type ErrorCode } from '../core/errors.js';

/** An ArchpinError from a registry exchange; carries the HTTP status and the server's Retry-After when it sent one. */
export class RegistryError extends ArchpinError {
  readonly status: number | null;
  /** Milliseconds the server asked us to wait before retrying. */
  readonly retryAfterMs: number | null;
  /** Docker Hub's `toomanyrequests`: the pull quota is spent; no more requests go to that host this run. */
  readonly quotaExhausted: boolean;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; cause?: unknown; status?: number | null; retryAfterMs?: number | null; quotaExhausted?: boolean } = {}) {
    super(code, message, options);
    this.name = 'RegistryError';
    this.status = options.status ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.quotaExhausted = options.quotaExhausted ?? false;
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
  return new RegistryError('registry-network', `${what}: ${detail}`, { retryable: true, cause: error });
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
