/**
 * Where the chain state lives between events: in memory (one process, lost on restart), in a JSON file
 * in serve's cache directory (one process, kept over restarts), or in Redis (kept over restarts and
 * shared by every replica). Each change to the state runs under the store's lock, on the state as
 * loaded from the store, and is saved before the lock is released: a replica never triggers what
 * another already triggered, and a restart does not trigger a parent digest again.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { ChainSnapshot } from '../chain/chain-state.js';
import { redisScript } from '../core/redis-script.js';
import { chainSnapshotSchema } from './chain-snapshot-schema.js';

export interface ChainStore {
  /** Where the state is kept, for the log. */
  readonly kind: 'memory' | 'file' | 'redis';
  /** Runs `change` holding the lock: it gets the stored state (null: none yet) and returns the state to store. */
  update<T>(change: (stored: ChainSnapshot | null) => Promise<{ snapshot: ChainSnapshot; result: T }>): Promise<T>;
}

/**
 * The stored state, or null when there is none or it is not one serve writes (not JSON, another version,
 * an entry of the wrong shape): serve then starts from an empty state rather than act on a state it cannot trust.
 */
const parse = (text: string | null): ChainSnapshot | null => {
  if (text === null) return null;
  try {
    const parsed = chainSnapshotSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
};

/** One lock per process: changes run one after the other. */
function serialised(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

export function memoryChainStore(): ChainStore {
  let stored: ChainSnapshot | null = null;
  const inTurn = serialised();
  return {
    kind: 'memory',
    update: (change) =>
      inTurn(async () => {
        const { snapshot, result } = await change(stored);
        stored = snapshot;
        return result;
      }),
  };
}

/** `chain-state.json` in the directory, replaced atomically on every change; read once. */
export function fileChainStore(directory: string): ChainStore {
  const file = path.join(directory, 'chain-state.json');
  let stored: Promise<ChainSnapshot | null> | null = null;
  let written = '';
  const inTurn = serialised();
  return {
    kind: 'file',
    update: (change) =>
      inTurn(async () => {
        stored ??= readFile(file, 'utf8').then(parse, () => null);
        const { snapshot, result } = await change(await stored);
        stored = Promise.resolve(snapshot);
        const text = JSON.stringify(snapshot);
        if (text !== written) {
          await mkdir(directory, { recursive: true });
          const temporary = `${file}.${process.pid}.tmp`;
          await writeFile(temporary, text);
          await rename(temporary, file);
          written = text;
        }
        return result;
      }),
  };
}

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const releaseScript = redisScript(RELEASE);

export interface RedisChainStoreOptions {
  /** How long a lock outlives a replica that died holding it. */
  readonly lockMs?: number;
  /** How long to wait for the lock before giving up on the change. */
  readonly waitMs?: number;
}

/** `<prefix>:chain:state` (JSON) guarded by `<prefix>:chain:lock` (SET NX PX with a token, released only by its holder). */
export function redisChainStore(redis: Redis, prefix: string, options: RedisChainStoreOptions = {}): ChainStore {
  const stateKey = `${prefix}:chain:state`;
  const lockKey = `${prefix}:chain:lock`;
  const lockMs = options.lockMs ?? 60_000;
  const waitMs = options.waitMs ?? 120_000;
  const inTurn = serialised();
  const acquire = async (): Promise<string> => {
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      if ((await redis.set(lockKey, token, 'PX', lockMs, 'NX')) === 'OK') return token;
      if (Date.now() > deadline) throw new Error(`the chain state lock ${lockKey} is still held after ${waitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };
  return {
    kind: 'redis',
    update: (change) =>
      inTurn(async () => {
        const token = await acquire();
        try {
          const { snapshot, result } = await change(parse(await redis.get(stateKey)));
          await redis.set(stateKey, JSON.stringify(snapshot));
          return result;
        } finally {
          await releaseScript(redis, [lockKey], [token]);
        }
      }),
  };
}
