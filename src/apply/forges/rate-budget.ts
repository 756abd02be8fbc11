/**
 * One request budget per forge token, shared by every client that uses the token: in one process by
 * default, across every worker process when the state lives in Redis (`redis-rate-store.ts`).
 *
 * The budget knows what the forge itself said (RateLimit-* / X-RateLimit-* headers: requests left
 * until a reset time, or a 429's Retry-After) and an optional configured rate (requests per minute).
 * A request waits only when the forge's own numbers say it would be refused, or when the configured
 * rate is used up: there is no client-side stall below the server's limit.
 */

export type Sleep = (ms: number) => Promise<void>;

/** What one response said about the budget. Times are epoch milliseconds. */
export interface RateObservation {
  /** Requests left until `resetAt` (RateLimit-Remaining / x-ratelimit-remaining). */
  readonly remaining?: number | undefined;
  readonly resetAt?: number | undefined;
  /** Requests per window (RateLimit-Limit / x-ratelimit-limit). */
  readonly limit?: number | undefined;
  /** Nobody sends anything until then (a 429's Retry-After, or a reset with nothing remaining). */
  readonly blockedUntil?: number | undefined;
}

/** Where the shared state lives; both operations are atomic. */
export interface RateStore {
  /** Counts one request and answers 0, or answers how many ms to wait before asking again (nothing counted). */
  acquire(now: number, perMinute: number): Promise<number>;
  observe(observation: RateObservation, now: number): Promise<void>;
}

export interface RateBudget {
  /** Waits until one more request fits, then counts it. */
  take(): Promise<void>;
  observe(observation: RateObservation): Promise<void>;
  /** Milliseconds spent waiting so far (to show that nothing stalled). */
  readonly waitedMs: number;
}

export interface RateBudgetOptions {
  readonly store: RateStore;
  /** Requests per minute for this token across all workers; 0 = only what the forge says. */
  readonly perMinute?: number;
  readonly now?: () => number;
  readonly sleep?: Sleep;
  /** Longest single wait before asking the store again. */
  readonly maxPollMs?: number;
}

const defaultSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function createRateBudget(options: RateBudgetOptions): RateBudget {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const perMinute = options.perMinute ?? 0;
  const maxPollMs = options.maxPollMs ?? 1000;
  let waitedMs = 0;
  return {
    async take() {
      for (;;) {
        const wait = await options.store.acquire(now(), perMinute);
        if (wait <= 0) return;
        const step = Math.min(wait, maxPollMs);
        waitedMs += step;
        await sleep(step);
      }
    },
    observe: (observation) => options.store.observe(observation, now()),
    get waitedMs() {
      return waitedMs;
    },
  };
}

interface RateState {
  blockedUntil: number;
  remaining: number | null;
  resetAt: number | null;
  limit: number | null;
  /** The latest reset time the forge itself announced (an assumed window does not move it). */
  serverReset: number;
  windowStart: number;
  windowCount: number;
}

const MINUTE = 60_000;

/** The state machine both stores follow (the Redis store runs the same steps in a script). */
export function acquireStep(state: RateState, now: number, perMinute: number): number {
  if (state.blockedUntil > now) return state.blockedUntil - now;
  if (state.resetAt !== null && state.resetAt <= now && state.limit !== null) {
    // The forge's window has ended and no answer from the new one has come back yet: assume its full
    // limit for at most a minute; the first answer replaces this with the forge's own numbers.
    state.remaining = state.limit;
    state.resetAt = now + MINUTE;
  }
  const { remaining, resetAt } = state;
  const known = remaining !== null && resetAt !== null && resetAt > now;
  if (known && remaining <= 0) return resetAt - now;
  if (perMinute > 0) {
    if (now - state.windowStart >= MINUTE) {
      state.windowStart = now - (now % MINUTE);
      state.windowCount = 0;
    }
    if (state.windowCount >= perMinute) return state.windowStart + MINUTE - now;
    state.windowCount += 1;
  }
  if (known) state.remaining = remaining - 1;
  return 0;
}

export function observeStep(state: RateState, observation: RateObservation): void {
  if (observation.blockedUntil !== undefined && observation.blockedUntil > state.blockedUntil) state.blockedUntil = observation.blockedUntil;
  if (observation.limit !== undefined) state.limit = observation.limit;
  if (observation.remaining === undefined || observation.resetAt === undefined) return;
  // An answer from a window that has already been replaced says nothing about the current one.
  if (observation.resetAt < state.serverReset) return;
  if (observation.resetAt === state.serverReset) {
    // Within one window the lowest count is the freshest (answers arrive out of order). Once a new
    // window is assumed (the announced reset has passed), late answers of the old one are ignored.
    if (state.resetAt === state.serverReset && state.remaining !== null) state.remaining = Math.min(state.remaining, observation.remaining);
    return;
  }
  // The first answers of a new window: when a full window was assumed, what was sent since counts too.
  const sentSince = state.remaining;
  const assumed = state.resetAt !== null && state.resetAt !== state.serverReset && sentSince !== null;
  state.remaining = assumed ? Math.min(sentSince, observation.remaining) : observation.remaining;
  state.resetAt = observation.resetAt;
  state.serverReset = observation.resetAt;
}

/** The budget's state in this process: one per token, shared by all its clients here. */
export function memoryRateStore(): RateStore {
  const state: RateState = { blockedUntil: 0, remaining: null, resetAt: null, limit: null, serverReset: 0, windowStart: 0, windowCount: 0 };
  return {
    acquire: (now, perMinute) => Promise.resolve(acquireStep(state, now, perMinute)),
    observe: (observation) => {
      observeStep(state, observation);
      return Promise.resolve();
    },
  };
}

type HeaderGetter = (name: string) => string | null | undefined;

function numberOf(text: string | null | undefined): number | undefined {
  if (text === null || text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

/**
 * Reads GitLab's `RateLimit-*` or GitHub's `x-ratelimit-*` headers and `Retry-After` (seconds or an
 * HTTP date). `status` 429 (or a GitHub 403 with nothing remaining) blocks until the later of the two.
 */
export function rateObservation(get: HeaderGetter, status: number, now: number): RateObservation {
  const remaining = numberOf(get('ratelimit-remaining') ?? get('x-ratelimit-remaining'));
  const limit = numberOf(get('ratelimit-limit') ?? get('x-ratelimit-limit'));
  const resetSeconds = numberOf(get('ratelimit-reset') ?? get('x-ratelimit-reset'));
  const resetAt = resetSeconds === undefined ? undefined : resetSeconds * 1000;
  const retryAfterText = get('retry-after');
  let retryAt: number | undefined;
  if (retryAfterText) {
    const seconds = numberOf(retryAfterText);
    const date = seconds === undefined ? Date.parse(retryAfterText) : NaN;
    retryAt = seconds !== undefined ? now + seconds * 1000 : Number.isNaN(date) ? undefined : date;
  }
  const refused = status === 429 || ((status === 403 || status === 429) && remaining === 0);
  const blockedUntil = refused ? Math.max(retryAt ?? 0, remaining === 0 && resetAt !== undefined ? resetAt : 0) || undefined : undefined;
  return {
    ...(remaining !== undefined && resetAt !== undefined ? { remaining, resetAt } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(blockedUntil !== undefined ? { blockedUntil } : {}),
  };
}
