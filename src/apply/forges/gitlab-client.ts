/**
 * The @gitbeaker/rest client the GitLab forge and the pipeline API share: our own requesterFn
 * (Retry-After, read-only retries, byte-exact raw files), and `call`/`callOrNull`, which turn every
 * failure into an ArchpinError naming the action and the token's variable, never the token.
 */
import { Gitlab } from '@gitbeaker/rest';
import type { ArchpinError } from '../../core/errors.js';
import { gitlabError, statusOf, type GitlabErrorContext } from './gitlab-errors.js';
import { createGitlabRequester, type FetchLike, type Sleep } from './gitlab-requester.js';
import type { RateBudget } from './rate-budget.js';

export interface GitlabClientOptions {
  /** Instance URL, e.g. https://gitlab.example.com (a relative root like /gitlab is kept). */
  readonly url: string;
  readonly token: string;
  /** Name of the environment variable the token came from, for error messages (forge.tokenEnv or its default). */
  readonly tokenEnv: string;
  readonly fetch?: FetchLike;
  readonly sleep?: Sleep;
  /** Longest Retry-After waited out on a 429; longer ones fail as forge-rate-limited. */
  readonly maxRetryAfterMs?: number;
  /** gitbeaker's per-process limiters: endpoint glob → requests per minute (absent: gitbeaker's own). */
  readonly rateLimits?: Readonly<Record<string, number>>;
  /** The token's budget shared across clients and workers (RateLimit-* headers, Retry-After, a configured rate). */
  readonly budget?: RateBudget;
}

export interface GitlabClient {
  readonly api: InstanceType<typeof Gitlab>;
  /** Runs one API call; a failure becomes an ArchpinError for `action`. Wire shapes are read through our own interfaces. */
  readonly call: <T>(action: string, run: () => Promise<unknown>) => Promise<T>;
  /** Like `call`, but a 404 answers null. */
  readonly callOrNull: <T>(action: string, run: () => Promise<unknown>) => Promise<T | null>;
  /** Turns a failure the caller caught itself into the same ArchpinError `call` would throw. */
  readonly error: (error: unknown, action: string) => ArchpinError;
}

/** Items per page on every listing. */
export const PER_PAGE = 100;

export function createGitlabClient(options: GitlabClientOptions): GitlabClient {
  const host = options.url.replace(/\/+$/, '');
  const context: GitlabErrorContext = { url: host, tokenEnv: options.tokenEnv, token: options.token };
  const api = new Gitlab({
    host,
    token: options.token,
    ...(options.rateLimits ? { rateLimits: { ...options.rateLimits }, rateLimitDuration: 60 } : {}),
    requesterFn: createGitlabRequester({
      fetch: options.fetch,
      sleep: options.sleep,
      maxRetryAfterMs: options.maxRetryAfterMs,
      ...(options.budget ? { budget: options.budget } : {}),
    }),
  });
  const error = (cause: unknown, action: string): ArchpinError => gitlabError(cause, action, context);
  return {
    api,
    error,
    call: async <T>(action: string, run: () => Promise<unknown>): Promise<T> => {
      try {
        return (await run()) as T;
      } catch (cause) {
        throw error(cause, action);
      }
    },
    callOrNull: async <T>(action: string, run: () => Promise<unknown>): Promise<T | null> => {
      try {
        return (await run()) as T;
      } catch (cause) {
        if (statusOf(cause) === 404) return null;
        throw error(cause, action);
      }
    },
  };
}
