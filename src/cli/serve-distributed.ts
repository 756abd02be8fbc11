/** `archpin serve` with serve.queue.redisUrl: Redis for the queue, the lookup cache, the memo and the rate budget. */
import { Redis } from 'ioredis';
import { redisRateStore, tokenBudgetKey } from '../apply/forges/redis-rate-store.js';
import { startDistributedServe } from '../bot/bull-serve.js';
import { redisConnection } from '../bot/redis-connection.js';
import { redisSweepMemo } from '../bot/redis-sweep-memo.js';
import { redisChainStore } from '../bot/chain-store.js';
import type { ChainRunner } from '../bot/chain-runner.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Config } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import { ArchpinError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { sharedFirstSeenStore } from '../lookup/shared-first-seen-store.js';
import { sharedManifestSource } from '../lookup/shared-manifest-source.js';
import type { ParsedArgs } from './args.js';
import type { CliIo } from './io.js';
import type { Logger } from './logger.js';
import { serveOptions } from './serve-options.js';

/** serve.queue with its Redis URL (without one, serve runs in one process). */
type QueueConfig = NonNullable<NonNullable<Config['serve']>['queue']> & { readonly redisUrl: string };

export async function startDistributed(args: ParsedArgs, config: Config, io: CliIo, logger: Logger, queue: QueueConfig): Promise<{ url: string; chain: ChainRunner | null; stop(): Promise<void> }> {
  const password = queue.redisPasswordEnv ? io.env[queue.redisPasswordEnv] : undefined;
  if (queue.redisPasswordEnv && !password) throw new ArchpinError('usage', `serve.queue.redisPasswordEnv names ${queue.redisPasswordEnv}, which is not set`);
  registerSecret(password ?? null);
  let url = queue.redisUrl;
  if (password) {
    const parsed = new URL(url);
    parsed.password = encodeURIComponent(password);
    url = parsed.href;
  }
  const prefix = queue.prefix ?? DEFAULTS.serve.queue.prefix;
  const connection = redisConnection(url);
  const redis = new Redis({ ...connection, lazyConnect: false });
  redis.on('error', (error) => logger.warn({ err: error.message }, 'redis connection'));
  // The schema has checked every duration, so parseDuration answers for each.
  const ms = (text: string | undefined, fallback: number) => (text ? parseDuration(text) : null) ?? fallback;
  const options = await serveOptions(args, config, io, logger, {
    rateStore: (token) => redisRateStore(redis, tokenBudgetKey(prefix, token)),
    source: (source) =>
      sharedManifestSource(source, {
        redis,
        prefix,
        tagTtlMs: ms(queue.tagCacheTtl, DEFAULTS.serve.queue.tagCacheTtlMs),
        hostConcurrency: queue.registryConcurrency ?? DEFAULTS.serve.queue.registryConcurrency,
      }),
    firstSeen: (local) => sharedFirstSeenStore(redis, `${prefix}:first-seen`, local),
    chainStore: redisChainStore(redis, prefix),
  });
  const handle = await startDistributedServe(options, {
    redisUrl: url,
    role: args.role,
    prefix,
    attempts: queue.attempts ?? DEFAULTS.serve.queue.attempts,
    backoffMs: ms(queue.backoff, DEFAULTS.serve.queue.backoffMs),
    lockDurationMs: ms(queue.lockDuration, DEFAULTS.serve.queue.lockDurationMs),
    memo: redisSweepMemo(redis, `${prefix}:memo`),
    claimTick: async (key, ttlMs) => (await redis.set(`${prefix}:tick:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK',
  });
  return {
    url: handle.url,
    chain: handle.chain,
    async stop() {
      await handle.stop();
      await redis.quit().catch(() => undefined);
    },
  };
}
