import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { parseDuration } from '../../src/core/duration.js';

describe('DEFAULTS', () => {
  it('gives each duration as the text the schema quotes and the milliseconds the code uses, and they agree', () => {
    const pairs = [
      [DEFAULTS.fullCheckInterval, DEFAULTS.fullCheckIntervalMs],
      [DEFAULTS.tagCacheTtl, DEFAULTS.tagCacheTtlMs],
      [DEFAULTS.serve.debounce, DEFAULTS.serve.debounceMs],
      [DEFAULTS.serve.isolation.timeLimit, DEFAULTS.serve.isolation.timeLimitMs],
      [DEFAULTS.serve.queue.backoff, DEFAULTS.serve.queue.backoffMs],
      [DEFAULTS.serve.queue.lockDuration, DEFAULTS.serve.queue.lockDurationMs],
      [DEFAULTS.serve.queue.tagCacheTtl, DEFAULTS.serve.queue.tagCacheTtlMs],
      [DEFAULTS.chain.debounce, DEFAULTS.chain.debounceMs],
      [DEFAULTS.chain.triggerLease, DEFAULTS.chain.triggerLeaseMs],
      [DEFAULTS.registryTimeouts.connect, DEFAULTS.registryTimeouts.connectMs],
      [DEFAULTS.registryTimeouts.firstByte, DEFAULTS.registryTimeouts.firstByteMs],
      [DEFAULTS.registryTimeouts.request, DEFAULTS.registryTimeouts.requestMs],
    ] as const;
    expect(pairs.map(([text]) => parseDuration(text))).toEqual(pairs.map(([, ms]) => ms));
  });
});
