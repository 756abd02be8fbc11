/**
 * First-seen times shared by every worker through Redis (one hash, field `image@digest`, value
 * epoch ms). A worker reads the hash when it opens a lookup session and writes what it sees for
 * the first time right away; the earliest time wins, whoever writes last. A digest that another
 * worker saw after this session opened is taken as first seen now by this one until its next
 * session: later, never earlier, so `settleTime` can only hold a candidate longer, never pin it
 * early. The local store (the cache directory) keeps its copy too.
 */
import type { Redis } from 'ioredis';
import { redisScript } from '../core/redis-script.js';
import type { FirstSeenStore } from './first-seen-store.js';

/** HSET each (field, ms) pair unless the hash holds an earlier time already. */
const EARLIEST = `
for i = 1, #ARGV, 2 do
  local known = redis.call('HGET', KEYS[1], ARGV[i])
  if not known or tonumber(known) > tonumber(ARGV[i + 1]) then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 0
`;
const earliestScript = redisScript(EARLIEST);

export async function sharedFirstSeenStore(redis: Redis, key: string, local: FirstSeenStore): Promise<FirstSeenStore> {
  for (const [field, value] of Object.entries(await redis.hgetall(key))) {
    const ms = Number(value);
    if (Number.isFinite(ms)) local.remember(field, ms);
  }
  const pending = new Map<string, number>();
  let flushing: Promise<void> | null = null;
  const flush = async (): Promise<void> => {
    while (pending.size > 0) {
      const batch = [...pending];
      pending.clear();
      try {
        await earliestScript(
          redis,
          [key],
          batch.flatMap(([field, ms]) => [field, String(ms)]),
        );
      } catch (error) {
        // Kept for the next flush (or save): Redis may be back by then.
        for (const [field, ms] of batch) if ((pending.get(field) ?? Infinity) > ms) pending.set(field, ms);
        throw error;
      }
    }
  };
  const schedule = (): void => {
    if (flushing) return;
    let failed = false;
    flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(flush)
      .catch(() => void (failed = true))
      .finally(() => {
        flushing = null;
        // Written meanwhile: flush again (after a failure, the next write or save tries).
        if (!failed && pending.size > 0) schedule();
      });
  };
  const share = (field: string, ms: number): void => {
    pending.set(field, Math.min(ms, pending.get(field) ?? Infinity));
    schedule();
  };
  return {
    observe(image, digest, now) {
      const seen = local.observe(image, digest, now);
      if (seen === null) share(`${image}@${digest}`, now);
      return seen;
    },
    entries: () => local.entries(),
    remember(field, firstSeen) {
      local.remember(field, firstSeen);
      const kept = local.entries().get(field);
      if (kept !== undefined && kept === firstSeen) share(field, firstSeen);
    },
    async save() {
      await flushing;
      await flush();
      await local.save();
    },
  };
}
