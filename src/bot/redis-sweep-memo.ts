/** The sweep memo in Redis: one hash field per repository, written through, shared by every worker. */
import type { Redis } from 'ioredis';
import type { SweepMemo, SweepMemoEntry } from './sweep-memo.js';

/** Fields read per HMGET. */
const BATCH = 1000;

function parse(text: string | null): SweepMemoEntry | null {
  if (text === null) return null;
  try {
    const entry = JSON.parse(text) as SweepMemoEntry;
    return typeof entry.settledAt === 'number' ? entry : null;
  } catch {
    return null;
  }
}

export function redisSweepMemo(redis: Redis, key: string): SweepMemo {
  return {
    get: async (repository) => parse(await redis.hget(key, repository)),
    async getMany(repositories) {
      const found: Array<SweepMemoEntry | null> = [];
      for (let start = 0; start < repositories.length; start += BATCH) {
        const texts = await redis.hmget(key, ...repositories.slice(start, start + BATCH));
        for (const text of texts) found.push(parse(text));
      }
      return found;
    },
    async set(repository, entry) {
      if (entry === null) await redis.hdel(key, repository);
      else await redis.hset(key, repository, JSON.stringify(entry));
    },
    save: () => Promise.resolve(),
  };
}
