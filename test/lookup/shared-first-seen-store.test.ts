/**
 * First-seen times shared through a real redis-server: what one worker sees first, a worker that
 * opens its session later knows; the earliest time wins whoever writes last; each worker's cache
 * directory keeps its copy.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFirstSeenStore } from '../../src/lookup/first-seen-store.js';
import { sharedFirstSeenStore } from '../../src/lookup/shared-first-seen-store.js';
import { startRedis, type TestRedis } from '../support/redis.js';

let redis: TestRedis;
let client: Redis;
let work: string;
const IMAGE = '127.0.0.1:5000/library/docker';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1 });
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-first-seen-'));
}, 60_000);

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A worker's session: its own cache directory, the shared hash. */
async function session(worker: string, key: string) {
  return sharedFirstSeenStore(client, key, await openFirstSeenStore(path.join(work, worker)));
}

describe('first-seen times shared through Redis', () => {
  it('a digest one worker saw first is known to a worker whose session opens later, with the first time', async () => {
    const a = await session('a1', 'fs:1');
    expect(a.observe(IMAGE, D1, 1_000)).toBeNull();
    expect(a.observe(IMAGE, D1, 2_000)).toBe(1_000);
    await a.save();
    expect(await client.hgetall('fs:1')).toEqual({ [`${IMAGE}@${D1}`]: '1000' });
    const b = await session('b1', 'fs:1');
    expect(b.observe(IMAGE, D1, 9_000)).toBe(1_000);
    expect(b.observe(IMAGE, D2, 9_500)).toBeNull();
    await b.save();
    // Each worker's cache directory keeps its copy too.
    expect(JSON.parse(readFileSync(path.join(work, 'b1', 'first-seen.json'), 'utf8'))).toEqual({ [`${IMAGE}@${D1}`]: 1_000, [`${IMAGE}@${D2}`]: 9_500 });
    expect(await client.hgetall('fs:1')).toEqual({ [`${IMAGE}@${D1}`]: '1000', [`${IMAGE}@${D2}`]: '9500' });
  });

  it('shares a first sighting without waiting for save', async () => {
    const a = await session('a2', 'fs:2');
    expect(a.observe(IMAGE, D1, 4_000)).toBeNull();
    for (let i = 0; i < 100 && (await client.hget('fs:2', `${IMAGE}@${D1}`)) === null; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await client.hget('fs:2', `${IMAGE}@${D1}`)).toBe('4000');
    await a.save();
  });

  it('keeps the earliest time, whoever writes last: two sessions open together, and times carried in dashboards', async () => {
    const a = await session('a3', 'fs:3');
    const b = await session('b3', 'fs:3');
    expect(a.observe(IMAGE, D1, 5_000)).toBeNull();
    await a.save();
    // b opened before a's sighting: it takes the digest as new (later, never earlier), and Redis keeps a's time.
    expect(b.observe(IMAGE, D1, 7_000)).toBeNull();
    await b.save();
    expect(await client.hget('fs:3', `${IMAGE}@${D1}`)).toBe('5000');
    // A dashboard's earlier time wins everywhere; a later one changes nothing.
    b.remember(`${IMAGE}@${D1}`, 3_000);
    a.remember(`${IMAGE}@${D1}`, 6_000);
    await Promise.all([a.save(), b.save()]);
    expect(await client.hget('fs:3', `${IMAGE}@${D1}`)).toBe('3000');
    const c = await session('c3', 'fs:3');
    expect(c.observe(IMAGE, D1, 8_000)).toBe(3_000);
    expect([...c.entries()]).toEqual([[`${IMAGE}@${D1}`, 3_000]]);
  });
});
