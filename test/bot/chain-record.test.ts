/**
 * `archpin run` reads what serve recorded about parent digests. A state that is not one serve writes
 * (not JSON, another version, an entry of the wrong shape, a pipeline link that is not http(s)) is
 * refused as a whole, with a problem naming the store and the first bad value; the run goes on without it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChainRecord } from '../../src/bot/chain-record.js';
import { ChainState } from '../../src/chain/chain-state.js';
import { startRedis, type TestRedis } from '../support/redis.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
const BUILT = {
  project: 'infra/base',
  image: 'registry.example.com/infra/base:1',
  pipeline: { id: 41, url: 'https://gitlab.example.com/infra/base/-/pipelines/41' },
  ref: 'main',
  at: 1_700_000_000_000,
};

/** The state text serve writes after one parent build passed the chain gate. */
function servedState(): string {
  const state = new ChainState({ nodes: [], edges: [], order: [], cycles: [], blocked: [], problems: [] }, { debounceMs: 0, concurrency: 1 });
  state.recordBuilt({ project: BUILT.project, images: [`${BUILT.image}@${DIGEST}`], digestKey: DIGEST, pipeline: BUILT.pipeline }, BUILT.ref, BUILT.at);
  return JSON.stringify(state.snapshot());
}

/** The served state with one value replaced (JSON text in, JSON text out). */
function altered(change: (state: { version: unknown; builtBy: Array<[string, Record<string, unknown>]> }) => void): string {
  const state = JSON.parse(servedState()) as { version: unknown; builtBy: Array<[string, Record<string, unknown>]> };
  change(state);
  return JSON.stringify(state);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'archpin-chain-record-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function fromFile(text: string | null) {
  const cacheDir = mkdtempSync(path.join(dir, 'cache-'));
  if (text !== null) writeFileSync(path.join(cacheDir, 'chain-state.json'), text);
  const record = await readChainRecord({}, {}, cacheDir);
  return { record, file: path.join(cacheDir, 'chain-state.json') };
}

describe('the chain record run reads from chain-state.json', () => {
  it('gives the pipeline serve recorded for a digest, and nothing for another digest', async () => {
    const { record } = await fromFile(servedState());
    expect({ from: record.from, problem: record.problem }).toEqual({ from: 'file', problem: null });
    expect(record.builtBy(DIGEST)).toEqual(BUILT);
    expect(record.builtBy(OTHER)).toBeNull();
  });

  it('is empty without a problem when serve recorded nothing', async () => {
    const { record } = await fromFile(null);
    expect({ from: record.from, problem: record.problem, built: record.builtBy(DIGEST) }).toEqual({ from: null, problem: null, built: null });
  });

  it('refuses a state that is not JSON, naming the file', async () => {
    const { record, file } = await fromFile('{"version":1,');
    expect({ from: record.from, built: record.builtBy(DIGEST) }).toEqual({ from: null, built: null });
    expect(record.problem).toBe(`${file} is not JSON`);
  });

  it('refuses a state written by another version', async () => {
    const { record, file } = await fromFile(altered((state) => (state.version = 2)));
    expect(record.builtBy(DIGEST)).toBeNull();
    expect(record.problem).toBe(`${file} is not a chain state archpin serve writes: version: written by another version of archpin (state version 2, this one reads 1)`);
  });

  it('refuses the whole state when one entry is hostile: a pipeline link that is not http(s), a key that is not a digest, a wrong type', async () => {
    const cases: Array<[string, string]> = [
      [altered((state) => ((state.builtBy[0]![1].pipeline as { url: string }).url = 'javascript:alert(1)')), 'builtBy.0.1.pipeline.url: Invalid URL'],
      [altered((state) => state.builtBy.push(['latest', state.builtBy[0]![1]])), 'builtBy.1.0: expected a sha256 digest'],
      [altered((state) => (state.builtBy[0]![1].project = 7)), 'builtBy.0.1.project: Invalid input: expected string, received number'],
      ['null', '(root): Invalid input: expected object, received null'],
    ];
    for (const [text, problem] of cases) {
      const { record, file } = await fromFile(text);
      expect({ from: record.from, built: record.builtBy(DIGEST), problem: record.problem }).toEqual({
        from: null,
        built: null,
        problem: `${file} is not a chain state archpin serve writes: ${problem}`,
      });
    }
  });
});

describe('the chain record run reads from Redis', () => {
  let redis: TestRedis;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('reads the state under the configured prefix, and refuses a malformed one naming the key', async () => {
    const config = { serve: { queue: { redisUrl: redis.url, prefix: 'rec' } } };
    await client.set('rec:chain:state', servedState());
    const good = await readChainRecord(config, {}, dir);
    expect({ from: good.from, problem: good.problem, built: good.builtBy(DIGEST) }).toEqual({ from: 'redis', problem: null, built: BUILT });

    await client.set(
      'rec:chain:state',
      altered((state) => (state.builtBy[0]![1].at = 'yesterday')),
    );
    const bad = await readChainRecord(config, {}, dir);
    expect({ from: bad.from, problem: bad.problem, built: bad.builtBy(DIGEST) }).toEqual({
      from: null,
      problem: 'Redis key rec:chain:state is not a chain state archpin serve writes: builtBy.0.1.at: Invalid input: expected number, received string',
      built: null,
    });
  });
});
