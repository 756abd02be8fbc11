/**
 * What `archpin serve` recorded about parent digests, read by `archpin run` (never written): for each
 * digest that passed the chain gate, the default-branch pipeline whose success it was gated after.
 * With `serve.queue.redisUrl` the state is in Redis (`<prefix>:chain:state`), else `chain-state.json`
 * in the cache directory. Nothing recorded gives an empty record. A store that cannot be read (Redis
 * unreachable), or whose state is not one serve writes (not JSON, another version, an entry of the wrong
 * shape), also gives an empty record, with the problem: the run goes on, and merge requests name an
 * upstream pipeline only from what the images themselves prove.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { BuiltBy } from '../chain/chain-state.js';
import { formatPath } from '../config/config-path.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Config } from '../config/schema.js';
import { builtByEntriesSchema, snapshotVersionSchema } from './chain-snapshot-schema.js';

export interface ChainRecord {
  /** Where it was read from, or null when nothing was found. */
  readonly from: 'redis' | 'file' | null;
  /** Why the store could not be read or its state was refused, else null. */
  readonly problem: string | null;
  builtBy(digest: string): BuiltBy | null;
}

/** The part of serve's chain state that run reads (its other keys are serve's own). */
const storedStateSchema = z.object({ version: snapshotVersionSchema, builtBy: builtByEntriesSchema.optional() });

const EMPTY: ReadonlyMap<string, BuiltBy> = new Map();

/** The entries of a stored state, or why it is refused (`where` names the store in the message). */
function parseStoredState(text: string, where: string): { entries: ReadonlyMap<string, BuiltBy>; problem: string | null } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { entries: EMPTY, problem: `${where} is not JSON` };
  }
  const parsed = storedStateSchema.safeParse(value);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    return { entries: EMPTY, problem: `${where} is not a chain state archpin serve writes: ${issue ? `${formatPath(issue.path)}: ${issue.message}` : 'unexpected shape'}` };
  }
  return { entries: new Map(parsed.data.builtBy ?? []), problem: null };
}

const recordOf = (from: 'redis' | 'file', text: string | null, where: string): ChainRecord => {
  const { entries, problem } = text === null ? { entries: EMPTY, problem: null } : parseStoredState(text, where);
  return { from: entries.size > 0 ? from : null, problem, builtBy: (digest) => entries.get(digest) ?? null };
};

const unreadable = (problem: string): ChainRecord => ({ from: null, problem, builtBy: () => null });

export async function readChainRecord(config: Config, env: Readonly<Record<string, string | undefined>>, cacheDir: string): Promise<ChainRecord> {
  const queue = config.serve?.queue;
  if (queue?.redisUrl) {
    const { Redis } = await import('ioredis');
    const { redisConnection } = await import('./redis-connection.js');
    const password = queue.redisPasswordEnv ? env[queue.redisPasswordEnv] : undefined;
    const redis = new Redis({ ...redisConnection(queue.redisUrl), ...(password ? { password } : {}), lazyConnect: true, connectTimeout: 5_000, maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    const key = `${queue.prefix ?? DEFAULTS.serve.queue.prefix}:chain:state`;
    try {
      await redis.connect();
      return recordOf('redis', await redis.get(key), `Redis key ${key}`);
    } catch (error) {
      return unreadable(error instanceof Error ? error.message : String(error));
    } finally {
      redis.disconnect();
    }
  }
  const file = path.join(cacheDir, 'chain-state.json');
  return recordOf('file', await readFile(file, 'utf8').catch(() => null), file);
}
