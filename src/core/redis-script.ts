/**
 * A Lua script run by its SHA-1 (`EVALSHA`), so each call sends the hash instead of the script's
 * text; a server that does not know it yet (`NOSCRIPT`: first use, a restart, `SCRIPT FLUSH`) gets
 * the text once through `EVAL`, which also stores it. The shared rate budget runs a script on every
 * forge request, so the text would otherwise be most of what a worker writes to Redis.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type RedisScript = (redis: Redis, keys: readonly string[], args: readonly string[]) => Promise<unknown>;

export function redisScript(lua: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (redis, keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  };
}
