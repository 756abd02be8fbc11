/**
 * Turns octokit failures (RequestError, GraphqlResponseError, network errors) into ArchpinErrors
 * with forge-* codes. Messages say what was attempted and, for 401/403, what to fix; they never
 * carry a token (ArchpinError redacts, and octokit already masks the authorization header).
 */
import { ArchpinError, type ErrorCode } from '../../core/errors.js';

/** The GitHub App / fine-grained token permission an operation needs. */
export type GithubPermission = 'metadata: read' | 'contents: read' | 'contents: write' | 'pull requests: write' | 'issues: write';

interface ResponseLike {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string | number | undefined>>;
  readonly data?: unknown;
}

interface GithubErrorBody {
  readonly message?: unknown;
  readonly errors?: ReadonlyArray<{ readonly message?: unknown; readonly code?: unknown; readonly field?: unknown; readonly type?: unknown }>;
}

const CONFLICT_422 = /Reference already exists|A pull request already exists|Update is not a fast forward/i;

function describe(body: GithubErrorBody | undefined, fallback: string): string {
  const message = typeof body?.message === 'string' ? body.message : fallback;
  const details = (body?.errors ?? []).map((e) => (typeof e.message === 'string' ? e.message : [e.field, e.code].filter((x) => typeof x === 'string').join(' '))).filter((text) => text !== '');
  return details.length > 0 ? `${message} (${details.join('; ')})` : message;
}

function header(response: ResponseLike | undefined, name: string): string | undefined {
  const value = response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

function rateLimitHint(response: ResponseLike | undefined): string {
  const retryAfter = header(response, 'retry-after');
  if (retryAfter !== undefined) return `retry after ${retryAfter}s`;
  const reset = Number(header(response, 'x-ratelimit-reset'));
  return Number.isFinite(reset) && reset > 0 ? `the limit resets at ${new Date(reset * 1000).toISOString()}` : 'retry later';
}

function fromGraphql(error: { errors?: GithubErrorBody['errors'] }, action: string, permission: GithubPermission): ArchpinError {
  const errors = error.errors ?? [];
  const text = errors.map((e) => (typeof e.message === 'string' ? e.message : typeof e.type === 'string' ? e.type : 'unknown error')).join('; ');
  const types = errors.map((e) => e.type);
  let code: ErrorCode = 'forge-error';
  if (types.includes('RATE_LIMITED')) code = 'forge-rate-limited';
  else if (types.includes('FORBIDDEN')) code = 'forge-forbidden';
  else if (types.includes('NOT_FOUND')) code = 'forge-not-found';
  const hint = code === 'forge-forbidden' ? `; the token needs the "${permission}" permission` : '';
  return new ArchpinError(code, `GitHub could not ${action}: ${text}${hint}`, { retryable: code === 'forge-rate-limited', cause: error });
}

/** Maps any failure of a GitHub call made to `action` (e.g. "create a pull request in acme/web"). */
export function githubError(error: unknown, action: string, permission: GithubPermission): ArchpinError {
  if (error instanceof ArchpinError) return error;
  const candidate = error as { name?: string; status?: number; response?: ResponseLike; errors?: GithubErrorBody['errors']; message?: string } | null | undefined;
  if (candidate?.name === 'GraphqlResponseError') return fromGraphql(candidate, action, permission);
  const status = typeof candidate?.status === 'number' ? candidate.status : undefined;
  const response = candidate?.response;
  if (status === undefined || response === undefined) {
    const reason = candidate?.message ?? String(error);
    return new ArchpinError('forge-unavailable', `GitHub could not be reached to ${action}: ${reason}`, { retryable: true, cause: error });
  }
  const body = (typeof response.data === 'object' && response.data !== null ? response.data : undefined) as GithubErrorBody | undefined;
  const detail = `${status} ${describe(body, typeof response.data === 'string' && response.data !== '' ? response.data : 'error')}`;
  const rateLimited = status === 429 || (status === 403 && (header(response, 'x-ratelimit-remaining') === '0' || /\bsecondary rate\b/i.test(typeof body?.message === 'string' ? body.message : '')));
  if (rateLimited) {
    return new ArchpinError('forge-rate-limited', `GitHub rate limit hit while trying to ${action} (${detail}); ${rateLimitHint(response)}`, {
      retryable: true,
      cause: error,
    });
  }
  const plain = (code: ErrorCode, message: string, retryable = false): ArchpinError => new ArchpinError(code, message, { retryable, cause: error });
  switch (status) {
    case 401:
      return plain('forge-unauthorized', `GitHub rejected the token while trying to ${action} (${detail}); check that the token in the configured token environment variable is valid and not expired`);
    case 403:
      return plain('forge-forbidden', `GitHub refused to ${action} (${detail}); the token needs the "${permission}" permission on the repository`);
    case 404:
      return plain('forge-not-found', `GitHub could not ${action}: ${detail} (missing, or not visible to this token)`);
    case 409:
      return plain('forge-conflict', `GitHub could not ${action}: ${detail}`);
    case 422:
      return plain(CONFLICT_422.test(detail) ? 'forge-conflict' : 'forge-error', `GitHub could not ${action}: ${detail}`);
    default:
      if (status >= 500) return plain('forge-unavailable', `GitHub failed to ${action}: ${detail}`, true);
      return plain('forge-error', `GitHub could not ${action}: ${detail}`);
  }
}
