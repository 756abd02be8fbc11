import { isArchpinError } from '../core/errors.js';
import { RegistryError } from './registry-errors.js';

export interface RetryPolicy {
  /** Total attempts, the first one included. */
  readonly attempts: number;
  /** Delay before the first retry; doubles each time, with jitter. */
  readonly baseDelayMs: number;
  /** The longest wait honoured; a longer Retry-After fails at once instead of retrying early. */
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Returns [0, 1); injectable so tests get exact delays. */
  readonly random: () => number;
  readonly now: () => number;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/** Exponential backoff with full jitter for retry number `retry` (1 for the first retry). */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (policy.random() * ceiling) / 2);
}

/**
 * Runs `attempt` until it succeeds, a non-retryable error occurs, or attempts run out.
 * Only errors marked retryable are retried; a server's Retry-After replaces the backoff delay.
 */
export async function withRetry<T>(attempt: (index: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let index = 1; ; index++) {
    try {
      return await attempt(index);
    } catch (error) {
      if (!isArchpinError(error) || !error.retryable || index >= policy.attempts) throw error;
      const asked = error instanceof RegistryError ? error.retryAfterMs : null;
      if (asked !== null && asked > policy.maxDelayMs) throw error;
      await policy.sleep(asked ?? backoffDelay(index, policy));
    }
  }
}
