/** The sweep memo in Redis: one hash field per repository, written through, shared by every worker. */
import type { Redis } from 'ioredis';
import type { SweepMemo, SweepMemoEntry } from './sweep-memo.js';

export function redisSweepMemo(redis: Redis, key: string): SweepMemo {
  return {
    async get(repository) {
      const text = await redis.hget(key, repository);
      if (text === null) return null;
      try {
        return JSON.parse(text) as SweepMemoEntry;
      } catch {
        return null;
      }
    },
    async set(repository, entry) {
      if (entry === null) await redis.hdel(key, repository);
      else await redis.hset(key, repository, JSON.stringify(entry));
    },
    save: () => Promise.resolve(),
  };
}
