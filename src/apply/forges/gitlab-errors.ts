/** Maps GitLab API failures to ArchpinErrors with forge-* codes; messages say what to fix and never hold the token. */
import { GitbeakerRequestError, GitbeakerRetryError, GitbeakerTimeoutError } from '@gitbeaker/rest';
import { ArchpinError, isArchpinError } from '../../core/errors.js';
import { GitlabHttpError } from './gitlab-requester.js';

export interface GitlabErrorContext {
  readonly url: string;
  readonly tokenEnv: string;
  readonly token: string;
}

/** The HTTP status of a failed call, or null when it did not get an answer. */
export function statusOf(error: unknown): number | null {
  if (error instanceof GitlabHttpError) return error.status === 0 ? null : error.status;
  if (error instanceof GitbeakerRequestError) return error.cause?.response.status ?? null;
  return null;
}

function scrub(text: string, context: GitlabErrorContext): string {
  return context.token ? text.split(context.token).join('***') : text;
}

/** `action` reads as "list projects of group acme" / "create a merge request in acme/web". */
export function gitlabError(error: unknown, action: string, context: GitlabErrorContext): ArchpinError {
  if (isArchpinError(error)) return error;
  const make = (code: ConstructorParameters<typeof ArchpinError>[0], message: string, retryable = false): ArchpinError =>
    new ArchpinError(code, scrub(message, context), { retryable, cause: { status: statusOf(error), action } });
  if (error instanceof GitbeakerTimeoutError) return make('forge-unavailable', `GitLab at ${context.url} did not answer in time to ${action}`, true);
  if (error instanceof GitbeakerRetryError) return make('forge-unavailable', `GitLab at ${context.url} kept failing to ${action}: ${error.message}`, true);
  const status = statusOf(error);
  const detail = error instanceof GitlabHttpError ? error.description : error instanceof Error ? error.message : String(error);
  if (status === null) {
    return make('forge-unavailable', `cannot reach GitLab at ${context.url} to ${action}: ${detail}`, true);
  }
  switch (status) {
    case 401:
      return make('forge-unauthorized', `GitLab rejected the token while trying to ${action} (401 ${detail || 'Unauthorized'}): the token in ${context.tokenEnv} is invalid, expired or revoked`);
    case 403:
      return make('forge-forbidden', `GitLab refused to ${action} (403 ${detail || 'Forbidden'}): the token in ${context.tokenEnv} needs the api scope and at least the Developer role on the project`);
    case 404:
      return make('forge-not-found', `GitLab could not ${action}: ${detail || '404 Not Found'}`);
    case 409:
      return make('forge-conflict', `GitLab could not ${action} (409): ${detail}`);
    case 429: {
      const wait = error instanceof GitlabHttpError && error.retryAfterMs !== null ? `; retry after ${Math.ceil(error.retryAfterMs / 1000)} s` : '';
      return make('forge-rate-limited', `GitLab rate-limited the request to ${action}${wait}`, true);
    }
    default:
      if (status >= 500) return make('forge-unavailable', `GitLab failed to ${action} (${status} ${detail})`, true);
      if (status === 400 && /already exists/i.test(detail)) return make('forge-conflict', `GitLab could not ${action} (400): ${detail}`);
      return make('forge-error', `GitLab could not ${action} (${status}): ${detail}`);
  }
}
