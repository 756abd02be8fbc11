/**
 * The octokit client the GitHub forge uses: @octokit/rest with the retry and throttling plugins,
 * quiet by default, and one `call` wrapper that maps every failure to a typed ArchpinError.
 */
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import { githubError, type GithubPermission } from './github-errors.js';
import { rateObservation, type RateBudget } from './rate-budget.js';

export const GithubOctokit = Octokit.plugin(retry, throttling);
export type GithubClient = InstanceType<typeof GithubOctokit>;

export interface GithubLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface GithubClientOptions {
  /** API base URL: `https://api.github.com` (forge.url's default for GitHub), `https://ghe.example.com/api/v3`, or a test double. */
  readonly url: string;
  readonly token: string;
  readonly fetch?: typeof fetch;
  /**
   * plugin-throttling: spaces writes ≥1 s apart and waits out rate limits (default true). When
   * off, a rate-limited response fails at once with `forge-rate-limited`.
   */
  readonly throttle?: boolean;
  /** Retries of 5xx/network failures (default 3). */
  readonly retries?: number;
  /** Milliseconds per second of retry and rate-limit waits and of the throttler's write spacing (default 1000; tests shrink it). */
  readonly waitScaleMs?: number;
  /** Longest rate-limit wait, in seconds, the throttler accepts before giving up (default 900). */
  readonly maxRateLimitWaitSeconds?: number;
  /** How many times one request may wait out a rate limit (default 2). */
  readonly rateLimitRetries?: number;
  readonly log?: GithubLogger;
  /** The token's budget shared across clients and workers: x-ratelimit-* headers, Retry-After, a configured rate. */
  readonly budget?: RateBudget;
}

const SILENT: GithubLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export function createGithubClient(options: GithubClientOptions): GithubClient {
  const scale = options.waitScaleMs ?? 1000;
  const maxWait = options.maxRateLimitWaitSeconds ?? 900;
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const shouldWait = (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number): boolean => retryCount < rateLimitRetries && retryAfter <= maxWait;
  const octokit = new GithubOctokit({
    auth: options.token,
    baseUrl: options.url.replace(/\/+$/, ''),
    userAgent: 'archpin',
    log: options.log ?? SILENT,
    request: { fetch: wholeBodies(options.fetch) },
    // 409/422 are answers, 429 belongs to the throttler; retry only what can heal (5xx, network).
    retry: { doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451], retries: options.retries ?? 3, retryAfterBaseValue: scale },
    throttle: options.throttle === false ? { enabled: false } : { onRateLimit: shouldWait, onSecondaryRateLimit: shouldWait, retryAfterBaseValue: scale, ...spacing(scale) },
  });
  const budget = options.budget;
  if (budget) {
    // Around the throttling and retry plugins (a hook added later wraps the earlier ones): one count per
    // request; the plugins' own retries wait out 429s and 403s themselves. Every answer says what is left.
    octokit.hook.wrap('request', async (request, requestOptions) => {
      await budget.take();
      try {
        const response = await request(requestOptions);
        await budget.observe(rateObservation((name) => headerOf(response.headers, name), response.status, Date.now()));
        return response;
      } catch (error) {
        const failed = error as { status?: number; response?: { headers?: Readonly<Record<string, string | number | undefined>> } };
        if (typeof failed.status === 'number') await budget.observe(rateObservation((name) => headerOf(failed.response?.headers, name), failed.status, Date.now()));
        throw error;
      }
    });
  }
  return octokit;
}

/** Statuses whose answer has no body; `new Response` refuses one for them. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * Every answer's body read to its end before octokit sees the answer. Octokit hands an unparsed
 * body (the raw file reads) on as a stream and lets go of the fetch Response; undici cancels the
 * stream of a Response that is garbage collected, so a collection between the two failed the read
 * with "Response body object should not be disturbed or locked". The copy is a Response of bytes in
 * memory, which nothing cancels. Parsed answers were read whole anyway.
 */
function wholeBodies(base: typeof fetch | undefined): typeof fetch {
  return async (input, init) => {
    const answer = await (base ?? globalThis.fetch)(input, init);
    const body = NULL_BODY.has(answer.status) ? null : await answer.arrayBuffer();
    const copy = new Response(body, { status: answer.status, statusText: answer.statusText, headers: answer.headers });
    Object.defineProperty(copy, 'url', { value: answer.url });
    return copy;
  };
}

/**
 * plugin-throttling spaces writes 1 s apart, searches 2 s and notifying writes (pull requests,
 * issues, comments) 3 s, in limiters it shares across clients. At another scale the client gets
 * its own limiters, with the same spacing in scaled seconds.
 */
function spacing(scale: number): { write?: Bottleneck.Group; search?: Bottleneck.Group; notifications?: Bottleneck.Group } {
  if (scale === 1000) return {};
  const group = (id: string, seconds: number) => new Bottleneck.Group({ id: `archpin-${id}`, maxConcurrent: 1, minTime: seconds * scale });
  return { write: group('write', 1), search: group('search', 2), notifications: group('notifications', 3) };
}

function headerOf(headers: Readonly<Record<string, string | number | undefined>> | undefined, name: string): string | null {
  const value = headers?.[name];
  return value === undefined ? null : String(value);
}

/**
 * Creating an issue or a comment is not idempotent: a 5xx may come after GitHub made it, and a
 * retry would make a second one. These fail at once; the next run finds what exists and heals.
 */
export const NO_RETRY = { retries: 0 } as const;

/** Runs one GitHub operation, mapping its failure to an ArchpinError describing `action`. */
export async function call<T>(action: string, permission: GithubPermission, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw githubError(error, action, permission);
  }
}

/** True for an ArchpinError (or octokit error) with this HTTP status / forge code. */
export function isStatus(error: unknown, status: number): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: unknown }).status === status;
}
