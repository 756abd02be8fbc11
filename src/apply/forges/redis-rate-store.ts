/**
 * The token's rate budget in Redis, so that every worker process shares one: the same steps as the
 * in-memory store (`acquireStep` / `observeStep` in rate-budget.ts), run atomically by Lua scripts
 * on one hash per token. The key names the token by a hash, never the token itself.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisScript } from '../../core/redis-script.js';
import type { RateObservation, RateStore } from './rate-budget.js';

const ACQUIRE = `
local now = tonumber(ARGV[1])
local perMinute = tonumber(ARGV[2])
local h = redis.call('HMGET', KEYS[1], 'blockedUntil', 'remaining', 'resetAt', 'limit', 'windowStart', 'windowCount')
local blocked = tonumber(h[1]) or 0
if blocked > now then return blocked - now end
local remaining = tonumber(h[2])
local resetAt = tonumber(h[3])
local limit = tonumber(h[4])
if resetAt and resetAt <= now and limit then
  remaining = limit
  resetAt = now + 60000
  redis.call('HSET', KEYS[1], 'remaining', remaining, 'resetAt', resetAt)
end
local known = remaining and resetAt and resetAt > now
if known and remaining <= 0 then return resetAt - now end
if perMinute > 0 then
  local windowStart = tonumber(h[5]) or 0
  local windowCount = tonumber(h[6]) or 0
  if now - windowStart >= 60000 then
    windowStart = now - (now % 60000)
    windowCount = 0
  end
  if windowCount >= perMinute then return windowStart + 60000 - now end
  redis.call('HSET', KEYS[1], 'windowStart', windowStart, 'windowCount', windowCount + 1)
end
if known then redis.call('HSET', KEYS[1], 'remaining', remaining - 1) end
redis.call('PEXPIRE', KEYS[1], 3600000)
return 0
`;

const OBSERVE = `
local blockedUntil = tonumber(ARGV[1])
local remaining = tonumber(ARGV[2])
local resetAt = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
if blockedUntil then
  local current = tonumber(redis.call('HGET', KEYS[1], 'blockedUntil')) or 0
  if blockedUntil > current then redis.call('HSET', KEYS[1], 'blockedUntil', blockedUntil) end
end
if limit then redis.call('HSET', KEYS[1], 'limit', limit) end
if remaining and resetAt then
  local h = redis.call('HMGET', KEYS[1], 'remaining', 'resetAt', 'serverReset')
  local storedRemaining = tonumber(h[1])
  local serverReset = tonumber(h[3]) or 0
  local storedReset = tonumber(h[2])
  if resetAt < serverReset then
    -- an answer from a window already replaced
  elseif resetAt == serverReset then
    if storedReset == serverReset and storedRemaining and remaining < storedRemaining then redis.call('HSET', KEYS[1], 'remaining', remaining) end
  else
    if storedReset and storedReset ~= serverReset and storedRemaining and storedRemaining < remaining then remaining = storedRemaining end
    redis.call('HSET', KEYS[1], 'remaining', remaining, 'resetAt', resetAt, 'serverReset', resetAt)
  end
end
redis.call('PEXPIRE', KEYS[1], 3600000)
return 0
`;

const acquireScript = redisScript(ACQUIRE);
const observeScript = redisScript(OBSERVE);

export function tokenBudgetKey(prefix: string, token: string): string {
  return `${prefix}:rate:${createHash('sha256').update(token).digest('hex').slice(0, 24)}`;
}

export function redisRateStore(redis: Redis, key: string): RateStore {
  const arg = (value: number | undefined) => (value === undefined ? '' : String(Math.round(value)));
  return {
    async acquire(now, perMinute) {
      return Number(await acquireScript(redis, [key], [String(now), String(perMinute)]));
    },
    async observe(observation: RateObservation) {
      if (observation.blockedUntil === undefined && observation.remaining === undefined && observation.limit === undefined) return;
      await observeScript(redis, [key], [arg(observation.blockedUntil), arg(observation.remaining), arg(observation.resetAt), arg(observation.limit)]);
    },
  };
}
