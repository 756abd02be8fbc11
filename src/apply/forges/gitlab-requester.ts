/**
 * A gitbeaker requesterFn that replaces its built-in request handler: it honours `Retry-After`
 * on 429 (capped), retries 5xx and network failures on reads only, returns every non-JSON body
 * as a Blob (raw files stay byte-exact whatever content type GitLab sniffs) and fails with a
 * GitlabHttpError that carries the status and GitLab's own message but never the request headers.
 */
import { createRequesterFn, getMatchingRateLimiter, type RateLimiters, type RequesterType, type ResourceOptions } from '@gitbeaker/requester-utils';
import { rateObservation, type RateBudget } from './rate-budget.js';

export type FetchLike = (input: URL, init: RequestInit) => Promise<Response>;
export type Sleep = (ms: number) => Promise<void>;

export interface GitlabRequesterOptions {
  readonly fetch?: FetchLike;
  readonly sleep?: Sleep;
  /** Longest Retry-After the client waits out; a longer one fails as rate-limited. */
  readonly maxRetryAfterMs?: number;
  /** Retries of a 429 before giving up. */
  readonly maxRateLimitRetries?: number;
  /** Retries of a 5xx or network failure on GET. */
  readonly maxServerRetries?: number;
  /** The token's budget, shared with every other client of the token (and worker, through Redis). */
  readonly budget?: RateBudget;
}

export class GitlabHttpError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly endpoint: string,
    readonly description: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(`${method} ${endpoint}: ${status === 0 ? description : `${status} ${description}`}`);
    this.name = 'GitlabHttpError';
  }
}

const DEFAULT_RATE_LIMIT_WAIT_MS = 1000;
const SERVER_RETRY_BASE_MS = 250;

export const defaultSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(date - now, 0);
}

/** `application/json; charset=utf-8` → `application/json`. */
function mediaTypeOf(response: Response): string {
  const [type = ''] = (response.headers.get('content-type') ?? '').split(';');
  return type.trim();
}

async function describeFailure(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  const type = mediaTypeOf(response);
  if (type === 'application/json') {
    try {
      const parsed = JSON.parse(text) as { error?: unknown; message?: unknown; scope?: unknown } | null;
      const content = parsed?.error ?? parsed?.message ?? '';
      const main = typeof content === 'string' ? content : JSON.stringify(content);
      return typeof parsed?.scope === 'string' ? `${main} (scope ${parsed.scope} required)` : main;
    } catch {
      return text.slice(0, 200);
    }
  }
  return text.slice(0, 200) || response.statusText;
}

async function parseBody(response: Response): Promise<unknown> {
  if (response.status === 204) return null;
  const type = mediaTypeOf(response);
  if (type === 'application/json') {
    const text = await response.text();
    return text === '' ? {} : ((JSON.parse(text) as unknown) ?? {});
  }
  return response.blob();
}

export function createGitlabRequester(options: GitlabRequesterOptions = {}): (resourceOptions: ResourceOptions) => RequesterType {
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const sleep = options.sleep ?? defaultSleep;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const maxRateLimitRetries = options.maxRateLimitRetries ?? 3;
  const maxServerRetries = options.maxServerRetries ?? 2;

  async function handle(endpoint: string, requestOptions?: Record<string, unknown>) {
    const {
      rateLimiters,
      prefixUrl,
      searchParams,
      method = 'GET',
      headers,
      body,
      signal,
    } = (requestOptions ?? {}) as {
      rateLimiters?: RateLimiters;
      prefixUrl?: string;
      searchParams?: string;
      method?: string;
      headers?: Record<string, string>;
      body?: string | FormData;
      signal?: AbortSignal;
    };
    const base = prefixUrl ? (prefixUrl.endsWith('/') ? prefixUrl : `${prefixUrl}/`) : undefined;
    const url = new URL(endpoint, base);
    url.search = searchParams ?? '';
    const rateLimit = getMatchingRateLimiter(endpoint, rateLimiters, method);
    const safe = method === 'GET' || method === 'HEAD';
    let rateLimited = 0;
    let serverFailures = 0;
    for (;;) {
      await rateLimit();
      await options.budget?.take();
      let response: Response;
      try {
        response = await fetchFn(url, { method, headers, body, signal });
        await options.budget?.observe(rateObservation((name) => response.headers.get(name), response.status, Date.now()));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if ((error as Error | undefined)?.name === 'TimeoutError' || (error as Error | undefined)?.name === 'AbortError') {
          throw new GitlabHttpError(0, method, endpoint, `timed out (${reason})`);
        }
        if (safe && serverFailures < maxServerRetries) {
          await sleep(SERVER_RETRY_BASE_MS * 2 ** serverFailures);
          serverFailures += 1;
          continue;
        }
        throw new GitlabHttpError(0, method, endpoint, `network error: ${reason}`);
      }
      if (response.ok) {
        return { body: (await parseBody(response)) as never, headers: Object.fromEntries(response.headers.entries()), status: response.status };
      }
      if (response.status === 429) {
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
        const wait = retryAfter ?? DEFAULT_RATE_LIMIT_WAIT_MS * 2 ** rateLimited;
        if (rateLimited < maxRateLimitRetries && wait <= maxRetryAfterMs) {
          await response.body?.cancel().catch(() => undefined);
          await sleep(wait);
          rateLimited += 1;
          continue;
        }
        throw new GitlabHttpError(429, method, endpoint, await describeFailure(response), wait);
      }
      if (response.status >= 500 && safe && serverFailures < maxServerRetries) {
        await response.body?.cancel().catch(() => undefined);
        await sleep(SERVER_RETRY_BASE_MS * 2 ** serverFailures);
        serverFailures += 1;
        continue;
      }
      throw new GitlabHttpError(response.status, method, endpoint, await describeFailure(response));
    }
  }

  return createRequesterFn((_, requestOptions) => Promise.resolve(requestOptions), handle);
}
