import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../src/core/digest.js';
import { createRegistryClient, type RegistryClientOptions } from '../../src/lookup/registry-client.js';
import { startProxy, startRedirectTarget, type RedirectTarget, type TestProxy } from '../support/proxy.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { seedIncident, type IncidentSeed } from '../support/seed.js';

const USER = { username: 'puller', password: 'fault-s3cret' };
const ALL_TAGS = ['27.0.3', '27.0.3-dind', '27.1.0-dind', '27.1.1', '27.1.1-dind', '27.2.0-dind'];
const MANIFESTS = /\/manifests\//;

describe('registry client through a faulty proxy', () => {
  let registry: TestRegistry;
  let proxy: TestProxy;
  let storage: RedirectTarget;
  let seed: IncidentSeed;
  let sleeps: number[];

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: [USER] });
    seed = await seedIncident(registry);
    proxy = await startProxy({ target: registry.url });
    storage = await startRedirectTarget();
  });
  afterAll(async () => {
    await proxy?.stop();
    await storage?.stop();
    await registry?.stop();
  });
  beforeEach(() => {
    proxy.reset();
    proxy.setPagination(false);
    sleeps = [];
  });

  const image = () => ({ registry: proxy.host, repository: seed.repository });
  const client = (options: RegistryClientOptions = {}) =>
    createRegistryClient({
      credentials: (host) => (host === proxy.host ? USER : null),
      random: () => 0,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...options,
    });

  it('follows Link pagination to the end, and stops at the page cap', async () => {
    proxy.setPagination({ maxPageSize: 2 });
    expect(await client().listTags(image())).toEqual(ALL_TAGS);
    expect(proxy.requests.filter((r) => r.path.endsWith('/tags/list')).map((r) => `${r.status} ${r.query}`)).toEqual(['401 n=1000', '200 n=1000', '200 n=2&last=27.0.3-dind', '200 n=2&last=27.1.1']);
    proxy.reset();
    expect(await client({ maxTagPages: 2 }).listTags(image())).toEqual(ALL_TAGS.slice(0, 4));
    expect(await client({ maxTags: 3 }).listTags(image())).toEqual(ALL_TAGS.slice(0, 3));
  });

  it('waits as long as a 429 Retry-After says, then succeeds', async () => {
    proxy.addFault({ method: 'GET', path: MANIFESTS, nth: 1, fault: { kind: 'status', status: 429, retryAfter: '7' } });
    const manifest = await client().getManifest(image(), '27.1.1-dind');
    expect(manifest.digest).toBe(seed.digests['27.1.1-dind']);
    expect(sleeps).toEqual([7000]);
    expect(proxy.requests.filter((r) => MANIFESTS.test(r.path)).map((r) => r.status)).toEqual([429, 401, 200]);
  });

  it('reads Retry-After as an HTTP date, and fails at once when it asks for more than the cap', async () => {
    const now = Date.parse('2025-03-04T10:00:00Z');
    proxy.addFault({ method: 'HEAD', path: MANIFESTS, nth: 1, fault: { kind: 'status', status: 429, retryAfter: 'Tue, 04 Mar 2025 10:00:12 GMT' } });
    expect((await client({ now: () => now }).headManifest(image(), '27.0.3')).digest).toBe(seed.digests['27.0.3']);
    expect(sleeps).toEqual([12_000]);

    proxy.reset();
    proxy.addFault({ method: 'HEAD', path: MANIFESTS, fault: { kind: 'status', status: 429, retryAfter: '3600' } });
    await expect(client().headManifest(image(), '27.0.3')).rejects.toMatchObject({ code: 'registry-rate-limited', retryable: true });
    expect(sleeps).toEqual([12_000]);
    expect(proxy.count('HEAD', MANIFESTS)).toBe(1);
  });

  it('retries 503 with backoff, then succeeds; gives up after the attempts', async () => {
    proxy.addFault({ method: 'GET', path: MANIFESTS, nth: 1, times: 2, fault: { kind: 'status', status: 503 } });
    expect((await client().getManifest(image(), '27.0.3')).digest).toBe(seed.digests['27.0.3']);
    expect(sleeps).toEqual([250, 500]);

    proxy.reset();
    sleeps = [];
    proxy.addFault({ method: 'GET', path: MANIFESTS, fault: { kind: 'status', status: 503 } });
    await expect(client({ attempts: 4 }).getManifest(image(), '27.0.3')).rejects.toMatchObject({ code: 'registry-unavailable', retryable: true });
    expect(sleeps).toEqual([250, 500, 1000]);
    expect(proxy.count('GET', MANIFESTS)).toBe(4);
  });

  it('does not retry 403', async () => {
    proxy.addFault({ method: 'GET', path: MANIFESTS, fault: { kind: 'status', status: 403 } });
    await expect(client().getManifest(image(), '27.0.3')).rejects.toMatchObject({ code: 'registry-forbidden', retryable: false });
    expect(proxy.count('GET', MANIFESTS)).toBe(1);
  });

  it('times out a stalled request as registry-timeout', async () => {
    proxy.addFault({ method: 'GET', path: MANIFESTS, fault: { kind: 'stall' } });
    const error = await client({ timeoutMs: 300, attempts: 2 })
      .getManifest(image(), '27.0.3')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'registry-timeout', retryable: true });
    expect((error as Error).message).toBe(`GET manifest ${proxy.host}/library/docker:27.0.3: no complete answer within 300 ms`);
    expect(proxy.count('GET', MANIFESTS)).toBe(2);
    expect(sleeps).toEqual([250]);
  });

  it('reports a truncated body as a retryable bad response, and recovers on retry', async () => {
    proxy.addFault({ method: 'GET', path: MANIFESTS, fault: { kind: 'truncate', bytes: 100 } });
    await expect(client({ attempts: 1 }).getManifest(image(), seed.digests['27.1.1-dind'])).rejects.toMatchObject({
      code: 'registry-bad-response',
      retryable: true,
    });
    proxy.reset();
    proxy.addFault({ method: 'GET', path: MANIFESTS, nth: 1, fault: { kind: 'truncate' } });
    expect((await client().getManifest(image(), seed.digests['27.1.1-dind'])).digest).toBe(seed.digests['27.1.1-dind']);
    expect(proxy.requests.filter((r) => MANIFESTS.test(r.path)).map((r) => r.fault ?? r.status)).toEqual(['truncate', 200]);
  });

  it('refuses a corrupted body as digest-mismatch, by tag and by digest', async () => {
    proxy.addFault({ method: 'GET', path: MANIFESTS, fault: { kind: 'corrupt' } });
    const byTag = await client()
      .getManifest(image(), '27.1.1-dind')
      .catch((e: unknown) => e);
    expect(byTag).toMatchObject({ code: 'digest-mismatch', retryable: false });
    expect((byTag as Error).message).toContain(`Docker-Content-Digest ${seed.digests['27.1.1-dind']} but received bytes hash to sha256:`);
    await expect(client().getManifest(image(), seed.digests['27.0.3'])).rejects.toMatchObject({ code: 'digest-mismatch' });
    expect(sleeps).toEqual([]);
  });

  it('refuses an oversized manifest by Content-Length and while streaming', async () => {
    proxy.addFault({ method: 'GET', path: MANIFESTS, fault: { kind: 'oversize', bytes: 5 * 1024 * 1024 } });
    const declared = await client()
      .getManifest(image(), '27.0.3')
      .catch((e: unknown) => e);
    expect(declared).toMatchObject({ code: 'manifest-too-large', retryable: false });
    expect((declared as Error).message).toBe(`GET manifest ${proxy.host}/library/docker:27.0.3: Content-Length 5242880 exceeds the limit of 4194304 bytes`);
    proxy.reset();
    proxy.addFault({ method: 'GET', path: MANIFESTS, fault: { kind: 'oversize', bytes: 64 * 1024, chunked: true } });
    const streamed = await client({ maxManifestBytes: 32 * 1024 })
      .getManifest(image(), '27.0.3')
      .catch((e: unknown) => e);
    expect(streamed).toMatchObject({ code: 'manifest-too-large' });
    expect((streamed as Error).message).toBe(`GET manifest ${proxy.host}/library/docker:27.0.3: body exceeds the limit of 32768 bytes`);
  });

  it('follows a blob redirect to another host without forwarding Authorization', async () => {
    const c = client();
    const manifest = await c.getManifest(image(), seed.images['27.1.1'][0]!.digest);
    const configDigest = JSON.parse(Buffer.from(manifest.bytes).toString('utf8')).config.digest as string;
    proxy.reset();
    proxy.addFault({ method: 'GET', path: /\/blobs\//, fault: { kind: 'redirect', to: storage } });
    const before = storage.requests.length;
    const bytes = await c.getBlob(image(), configDigest, { maxBytes: 64 * 1024 });
    expect(sha256Digest(bytes)).toBe(configDigest);
    expect(JSON.parse(Buffer.from(bytes).toString('utf8')).architecture).toBe('amd64');
    expect(proxy.requests.map((r) => [r.method, r.status, r.authorization])).toEqual([['GET', 307, true]]);
    expect(storage.requests.slice(before).map((r) => [r.method, r.authorization])).toEqual([['GET', undefined]]);
  });

  it('refuses Docker schema 1 manifests', async () => {
    const schema1 = JSON.stringify({ schemaVersion: 1, name: 'library/docker', tag: 'old', architecture: 'amd64', fsLayers: [], history: [] });
    proxy.addFault({
      method: 'GET',
      path: MANIFESTS,
      fault: { kind: 'status', status: 200, body: schema1, headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' } },
    });
    const error = await client()
      .getManifest(image(), 'old')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unsupported-media-type', retryable: false });
    expect((error as Error).message).toBe(
      `GET manifest ${proxy.host}/library/docker:old: Docker schema 1 manifest (application/vnd.docker.distribution.manifest.v1+prettyjws) is not supported; the image must be pushed as schema 2 or OCI`,
    );
  });

  it('a second run against an unchanged registry fetches no manifest body', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'archpin-warm-'));
    try {
      const cold = client({ cacheDir });
      for (const tag of ALL_TAGS) expect((await cold.resolveManifest(image(), tag)).cached).toBe(false);
      expect([proxy.count('HEAD', MANIFESTS), proxy.count('GET', MANIFESTS)]).toEqual([7, 6]);
      proxy.reset();
      const warm = client({ cacheDir });
      const resolved = [];
      for (const tag of ALL_TAGS) resolved.push(await warm.resolveManifest(image(), tag));
      expect(resolved.map((r) => [r.digest, r.cached])).toEqual(ALL_TAGS.map((tag) => [seed.digests[tag as keyof IncidentSeed['digests']], true]));
      expect(proxy.count('GET', MANIFESTS)).toBe(0);
      expect(proxy.count('HEAD', MANIFESTS)).toBe(7);
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
