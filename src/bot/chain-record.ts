/**
 * What `archpin serve` recorded about parent digests, read by `archpin run` (never written): for each
 * digest that passed the chain gate, the default-branch pipeline whose success it was gated after.
 * With `serve.queue.redisUrl` the state is in Redis (`<prefix>:chain:state`), else `chain-state.json`
 * in the cache directory. Nothing recorded, or a store that cannot be read, gives an empty record.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BuiltBy, ChainSnapshot } from '../chain/chain-state.js';
import type { Config } from '../config/schema.js';
import { DEFAULTS } from '../config/defaults.js';

export interface ChainRecord {
  /** Where it was read from, or null when nothing was found. */
  readonly from: 'redis' | 'file' | null;
  /** Why the store could not be read (Redis unreachable), else null. */
  readonly problem: string | null;
  builtBy(digest: string): BuiltBy | null;
}

const recordOf = (from: ChainRecord['from'], text: string | null, problem: string | null = null): ChainRecord => {
  let entries: ChainSnapshot['builtBy'] = [];
  try {
    const parsed = text === null ? null : (JSON.parse(text) as Partial<ChainSnapshot> | null);
    if (parsed?.version === 1 && Array.isArray(parsed.builtBy)) entries = parsed.builtBy;
  } catch {
    // an unreadable state proves nothing
  }
  const map = new Map(entries);
  return { from: map.size > 0 ? from : null, problem, builtBy: (digest) => map.get(digest) ?? null };
};

export async function readChainRecord(config: Config, env: Readonly<Record<string, string | undefined>>, cacheDir: string): Promise<ChainRecord> {
  const queue = config.serve?.queue;
  if (queue?.redisUrl) {
    const { Redis } = await import('ioredis');
    const { redisConnection } = await import('./redis-connection.js');
    const password = queue.redisPasswordEnv ? env[queue.redisPasswordEnv] : undefined;
    const redis = new Redis({ ...redisConnection(queue.redisUrl), ...(password ? { password } : {}), lazyConnect: true, connectTimeout: 5_000, maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return recordOf('redis', await redis.get(`${queue.prefix ?? DEFAULTS.serve.queue.prefix}:chain:state`));
    } catch (error) {
      return recordOf(null, null, error instanceof Error ? error.message : String(error));
    } finally {
      redis.disconnect();
    }
  }
  return recordOf('file', await readFile(path.join(cacheDir, 'chain-state.json'), 'utf8').catch(() => null));
}
