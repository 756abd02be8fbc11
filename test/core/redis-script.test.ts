/** Lua scripts run by hash on a real redis-server: the text goes once, and again after the server forgot it. */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisScript } from '../../src/core/redis-script.js';
import { startRedis, type TestRedis } from '../support/redis.js';

let redis: TestRedis;
let client: Redis;
const LUA = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
const SHA = createHash('sha1').update(LUA).digest('hex');

/** How often the server ran each command, from INFO commandstats. */
async function calls(command: string): Promise<number> {
  const info = await client.info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1 });
}, 60_000);

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

describe('redisScript', () => {
  it('sends the text only when the server does not know the hash', async () => {
    const increment = redisScript(LUA);
    await client.config('RESETSTAT');
    expect(await client.script('EXISTS', SHA)).toEqual([0]);
    expect(await increment(client, ['counter'], ['2'])).toBe(2);
    expect(await client.script('EXISTS', SHA)).toEqual([1]);
    expect(await increment(client, ['counter'], ['3'])).toBe(5);
    expect(await increment(client, ['counter'], ['4'])).toBe(9);
    expect({ evalsha: await calls('evalsha'), eval: await calls('eval') }).toEqual({ evalsha: 3, eval: 1 });

    await client.script('FLUSH');
    expect(await increment(client, ['counter'], ['1'])).toBe(10);
    expect({ evalsha: await calls('evalsha'), eval: await calls('eval') }).toEqual({ evalsha: 4, eval: 2 });
  });

  it('passes on a script error that is not NOSCRIPT', async () => {
    const failing = redisScript("return redis.error_reply('budget store broken')");
    await expect(failing(client, ['k'], [])).rejects.toThrow('budget store broken');
  });
});
