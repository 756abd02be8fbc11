import { afterEach, describe, expect, it } from 'vitest';
import { gitlabRateLimits, createGitlabForge } from '../../../src/apply/forges/gitlab.js';
import { createRateBudget, memoryRateStore, rateObservation } from '../../../src/apply/forges/rate-budget.js';
import { startGitlabDouble, GITLAB_TEST_TOKEN, type GitlabDouble } from '../../support/gitlab-double.js';

const headers = (values: Record<string, string>) => (name: string) => values[name] ?? null;

describe('rate budget', () => {
  it("reads GitLab's RateLimit-* and GitHub's x-ratelimit-* headers, and a 429's Retry-After", () => {
    const now = 1_800_000_000_000;
    expect(rateObservation(headers({ 'ratelimit-limit': '600', 'ratelimit-remaining': '12', 'ratelimit-reset': '1800000060' }), 200, now)).toEqual({
      remaining: 12,
      resetAt: 1_800_000_060_000,
      limit: 600,
    });
    expect(rateObservation(headers({ 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1800000300' }), 403, now)).toEqual({
      remaining: 0,
      resetAt: 1_800_000_300_000,
      limit: 5000,
      blockedUntil: 1_800_000_300_000,
    });
    expect(rateObservation(headers({ 'retry-after': '7' }), 429, now)).toEqual({ blockedUntil: now + 7000 });
    expect(rateObservation(headers({ 'retry-after': '7' }), 200, now)).toEqual({});
    expect(rateObservation(headers({}), 200, now)).toEqual({});
  });

  it('waits only when the forge says nothing is left, or when the configured rate is used up', async () => {
    let clock = 1_000_000;
    const waits: number[] = [];
    const budget = createRateBudget({ store: memoryRateStore(), perMinute: 3, now: () => clock, sleep: async (ms) => void (waits.push(ms), (clock += ms)), maxPollMs: 60_000 });
    for (let i = 0; i < 3; i++) await budget.take();
    expect(waits).toEqual([]);
    await budget.take();
    expect(waits).toEqual([20_000]); // the minute window (aligned on the clock) ends 20 s later
    await budget.observe({ remaining: 1, resetAt: clock + 5000 });
    await budget.take();
    expect(waits).toEqual([20_000]);
    await budget.take();
    expect(waits).toEqual([20_000, 5000]);
    await budget.observe({ blockedUntil: clock + 1234 });
    await budget.take();
    // Blocked for 1,234 ms, and then the minute's 3 requests are used up: on to the next minute.
    expect(waits).toEqual([20_000, 5000, 1234, 53_766]);
    expect(budget.waitedMs).toBe(80_000);
  });

  it('takes the lowest count of one window (answers arrive out of order) and starts over at a new reset time', async () => {
    let clock = 0;
    const waits: number[] = [];
    const budget = createRateBudget({ store: memoryRateStore(), now: () => clock, sleep: async (ms) => void (waits.push(ms), (clock += ms)), maxPollMs: 60_000 });
    await budget.observe({ remaining: 1, resetAt: 10_000 });
    await budget.observe({ remaining: 5, resetAt: 10_000 });
    await budget.take();
    await budget.take();
    expect(waits).toEqual([10_000]);
    await budget.observe({ remaining: 50, resetAt: 70_000 });
    await budget.take();
    expect(waits).toEqual([10_000]);
  });

  it("configures gitbeaker's limiters from GitLab's documented limits: GitLab.com's on gitlab.com, none elsewhere", () => {
    expect(gitlabRateLimits('https://gitlab.com')).toEqual({ '**': 2000, 'groups/*/projects': 600, 'projects/*': 400, projects: 200 });
    expect(gitlabRateLimits('https://gitlab.example.com/gitlab')).toEqual({ '**': 1_000_000_000 });
  });
});

describe('GitLab clients sharing one token budget', () => {
  let double: GitlabDouble;
  afterEach(async () => {
    await double?.stop();
  });

  it('two clients of one token share the budget from RateLimit-Remaining: they wait for the reset instead of collecting 429s', async () => {
    // One clock for the double's limiter and the budget, moved only by the budget's waits, and only
    // once every request already let through has reached the double: no request is in flight across
    // a window's end, so the counts are exact whatever the machine's speed.
    const WINDOW = 2_000;
    const start = Date.parse('2026-11-22T12:00:00Z');
    let clock = start;
    double = await startGitlabDouble({ rateLimit: { limit: 15, windowMs: WINDOW, headersOnEveryResponse: true, now: () => clock } });
    double.state.addProject('acme/app', { files: { 'a.txt': 'a' } });
    const burst = async (budgeted: boolean) => {
      const store = memoryRateStore();
      const from = double.requests.length;
      let sent = 0;
      const counting = {
        acquire: async (now: number, perMinute: number) => {
          const wait = await store.acquire(now, perMinute);
          if (wait <= 0) sent++;
          return wait;
        },
        observe: store.observe.bind(store),
      };
      const sleep = async (ms: number) => {
        const until = clock + ms;
        while (double.requests.length - from < sent) await new Promise((resolve) => setTimeout(resolve, 1));
        clock = Math.max(clock, until);
      };
      const budgets = [0, 1].map(() => createRateBudget({ store: counting, now: () => clock, sleep, maxPollMs: 100 }));
      const clients = budgets.map((budget) =>
        createGitlabForge({ url: double.url, token: GITLAB_TEST_TOKEN, tokenEnv: 'GITLAB_TOKEN', sleep: async () => {}, maxRetryAfterMs: 0, ...(budgeted ? { budget } : {}) }),
      );
      const before = double.rateLimited();
      await clients[0]!.getRepository('acme/app');
      const reads = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => clients[i % 2]!.getRepository('acme/app')));
      return { refused: double.rateLimited() - before, ok: reads.filter((read) => read.status === 'fulfilled').length };
    };
    // Without the budget: 41 reads in one window of 15; the 26 over it are refused (and fail at once: maxRetryAfterMs 0).
    const unmanaged = await burst(false);
    expect(unmanaged).toEqual({ refused: 26, ok: 14 });
    clock += WINDOW;
    const windowOf = (time: number) => Math.floor(time / WINDOW);
    const managedFrom = clock;
    // With it: 15, 15 and 11 reads in three windows, not one refused.
    const managed = await burst(true);
    expect(managed).toEqual({ refused: 0, ok: 40 });
    expect(windowOf(clock) - windowOf(managedFrom)).toBe(2);
  });

  it('a 429 with Retry-After on one client holds the other back until then', async () => {
    double = await startGitlabDouble({ rateLimit: { limit: 3, windowMs: 60_000 } });
    double.state.addProject('acme/app', { files: { 'a.txt': 'a' } });
    const store = memoryRateStore();
    const started = Date.now();
    let clock = started;
    const sleeps: number[] = [];
    const budgets = [0, 1].map(() => createRateBudget({ store, now: () => clock, sleep: async (ms) => void (sleeps.push(ms), (clock += ms)), maxPollMs: 120_000 }));
    const [first, second] = budgets.map((budget) => createGitlabForge({ url: double.url, token: GITLAB_TEST_TOKEN, tokenEnv: 'GITLAB_TOKEN', budget, sleep: async () => {}, maxRetryAfterMs: 0 }));
    for (let i = 0; i < 3; i++) await first!.getRepository('acme/app');
    // The fourth request is refused (Retry-After up to 60 s); the client gives up at once (maxRetryAfterMs 0).
    await expect(first!.getRepository('acme/app')).rejects.toMatchObject({ code: 'forge-rate-limited' });
    expect(double.rateLimited()).toBe(1);
    // The other client of the token waits for the reset instead of collecting its own 429.
    const before = double.requests.length;
    const waiting = second!.getRepository('acme/app').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sleeps.length).toBe(1);
    expect(sleeps[0]).toBeGreaterThan(0);
    // The window is 60 s from the double's first answer, which came after the test clock stopped at `started`.
    expect(sleeps[0]).toBeLessThanOrEqual(60_000 + (Date.now() - started));
    await waiting;
    expect(double.requests.length - before).toBe(1);
  });
});
