import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_OCI_INDEX_DIGEST, sha256Digest } from '../../src/core/digest.js';
import { createRegistryClient, type RegistryRequestEvent } from '../../src/lookup/registry-client.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { EMPTY_OCI_INDEX_BYTES, pushImage, pushIndex, seedIncident, type IncidentSeed } from '../support/seed.js';
import { startTokenIssuer, type TokenIssuer } from '../support/token-issuer.js';

const noSleep = async (): Promise<void> => undefined;

describe('registry client against an anonymous registry', () => {
  let registry: TestRegistry;
  let seed: IncidentSeed;
  let cacheDir: string;

  beforeAll(async () => {
    registry = await startRegistry();
    seed = await seedIncident(registry);
    cacheDir = await mkdtemp(join(tmpdir(), 'archpin-client-cache-'));
  });
  afterAll(async () => {
    await registry?.stop();
    if (cacheDir !== undefined) await rm(cacheDir, { recursive: true, force: true });
  });

  const image = () => ({ registry: registry.host, repository: seed.repository });

  it('lists tags', async () => {
    const client = createRegistryClient({ sleep: noSleep });
    const tags = await client.listTags(image());
    expect([...tags].sort()).toEqual(['27.0.3', '27.0.3-dind', '27.1.0-dind', '27.1.1', '27.1.1-dind', '27.2.0-dind']);
    expect(client.requestCounts()).toEqual({ tags: 1, 'manifest-head': 0, 'manifest-get': 0, blob: 0, token: 0 });
  });

  it('gets the empty index by tag with its well-known digest, and by digest', async () => {
    const client = createRegistryClient({ sleep: noSleep });
    const byTag = await client.getManifest(image(), '27.1.0-dind');
    expect(byTag.digest).toBe(EMPTY_OCI_INDEX_DIGEST);
    expect(byTag.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(Buffer.from(byTag.bytes).toString('utf8')).toBe(EMPTY_OCI_INDEX_BYTES);
    const fresh = createRegistryClient({ sleep: noSleep });
    const byDigest = await fresh.getManifest(image(), seed.digests['27.1.1-dind']);
    expect(byDigest.digest).toBe(seed.digests['27.1.1-dind']);
    expect(sha256Digest(byDigest.bytes)).toBe(seed.digests['27.1.1-dind']);
    expect(JSON.parse(Buffer.from(byDigest.bytes).toString('utf8')).manifests).toHaveLength(8);
  });

  it('heads a tag for digest, media type and size', async () => {
    const client = createRegistryClient({ sleep: noSleep });
    expect(await client.headManifest(image(), '27.1.0-dind')).toEqual({
      digest: EMPTY_OCI_INDEX_DIGEST,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      size: 89,
    });
  });

  it('fetches a config blob and verifies it', async () => {
    const client = createRegistryClient({ sleep: noSleep });
    const amd64 = seed.images['27.2.0-dind'][0]!;
    const manifest = await client.getManifest(image(), amd64.digest);
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    const configDigest = JSON.parse(Buffer.from(manifest.bytes).toString('utf8')).config.digest as string;
    const config = JSON.parse(Buffer.from(await client.getBlob(image(), configDigest, { maxBytes: 64 * 1024 })).toString('utf8'));
    expect([config.os, config.architecture, config.variant, config.created]).toEqual(['linux', 'arm64', 'v8', '2024-08-27T20:30:00Z']);
    await expect(client.getBlob(image(), configDigest, { maxBytes: 16 })).rejects.toMatchObject({ code: 'registry-bad-response', retryable: false });
  });

  it('answers 404 as registry-not-found without retrying', async () => {
    const events: RegistryRequestEvent[] = [];
    const client = createRegistryClient({ sleep: noSleep, onRequest: (event) => events.push(event) });
    await expect(client.getManifest(image(), '99.0.0')).rejects.toMatchObject({ code: 'registry-not-found', retryable: false });
    await expect(client.listTags({ registry: registry.host, repository: 'library/absent' })).rejects.toMatchObject({ code: 'registry-not-found' });
    expect(events.map((e) => `${e.kind} ${e.method} ${e.status}`)).toEqual(['manifest-get GET 404', 'tags GET 404']);
  });

  it('resolves a tag through HEAD and the cache: a second run fetches no manifest body', async () => {
    const first = createRegistryClient({ sleep: noSleep, cacheDir });
    const resolved = await first.resolveManifest(image(), '27.1.1-dind');
    expect([resolved.digest, resolved.cached]).toEqual([seed.digests['27.1.1-dind'], false]);
    expect(first.requestCounts()).toMatchObject({ 'manifest-head': 1, 'manifest-get': 1 });
    const again = await first.resolveManifest(image(), '27.1.1-dind');
    expect([again.digest, again.cached]).toEqual([seed.digests['27.1.1-dind'], true]);
    expect(first.requestCounts()).toMatchObject({ 'manifest-head': 2, 'manifest-get': 1 });

    const secondRun = createRegistryClient({ sleep: noSleep, cacheDir });
    const warm = await secondRun.resolveManifest(image(), '27.1.1-dind');
    expect([warm.digest, warm.cached, warm.mediaType]).toEqual([seed.digests['27.1.1-dind'], true, 'application/vnd.oci.image.index.v1+json']);
    expect(Buffer.from(warm.bytes).equals(Buffer.from(resolved.bytes))).toBe(true);
    await secondRun.getManifest(image(), seed.digests['27.1.1-dind']);
    expect(secondRun.requestCounts()).toEqual({ tags: 0, 'manifest-head': 1, 'manifest-get': 0, blob: 0, token: 0 });
  });

  it('reads Docker schema 2 lists and manifests', async () => {
    const repo = 'team/legacy';
    const single = await pushImage(registry, repo, { os: 'linux', architecture: 'amd64', mediaType: 'docker', tag: '1.0' });
    const list = await pushIndex(registry, repo, '1.0-multi', [single], { mediaType: 'docker' });
    const client = createRegistryClient({ sleep: noSleep });
    const got = await client.getManifest({ registry: registry.host, repository: repo }, '1.0');
    expect([got.digest, got.mediaType]).toEqual([single.digest, 'application/vnd.docker.distribution.manifest.v2+json']);
    const gotList = await client.getManifest({ registry: registry.host, repository: repo }, '1.0-multi');
    expect([gotList.digest, gotList.mediaType]).toEqual([list.digest, 'application/vnd.docker.distribution.manifest.list.v2+json']);
  });
});

describe('registry client with htpasswd basic auth', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: [{ username: 'bot', password: 'pull-only-s3cret' }] });
    await pushImage(registry, 'team/app', { os: 'linux', architecture: 'amd64', mediaType: 'oci', tag: '2.4.1' });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('answers the basic challenge with configured credentials, then sends them up front', async () => {
    const events: RegistryRequestEvent[] = [];
    const client = createRegistryClient({
      sleep: noSleep,
      credentials: (host) => (host === registry.host ? { username: 'bot', password: 'pull-only-s3cret' } : null),
      onRequest: (event) => events.push(event),
    });
    const app = { registry: registry.host, repository: 'team/app' };
    expect(await client.listTags(app)).toEqual(['2.4.1']);
    expect((await client.headManifest(app, '2.4.1')).mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(events.map((e) => `${e.kind} ${e.status}`)).toEqual(['tags 401', 'tags 200', 'manifest-head 200']);
  });

  it('fails with registry-unauthorized without or with wrong credentials', async () => {
    const app = { registry: registry.host, repository: 'team/app' };
    await expect(createRegistryClient({ sleep: noSleep }).listTags(app)).rejects.toMatchObject({ code: 'registry-unauthorized', retryable: false });
    const wrong = createRegistryClient({ sleep: noSleep, credentials: () => ({ username: 'bot', password: 'wrong' }) });
    const error = await wrong.listTags(app).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'registry-unauthorized' });
    expect((error as Error).message).not.toContain('wrong');
    expect(wrong.requestCounts().tags).toBe(2);
  });
});

describe('registry client with bearer token auth', () => {
  let issuer: TokenIssuer;
  let registry: TestRegistry;
  beforeAll(async () => {
    issuer = await startTokenIssuer({ users: [{ username: 'ci-bot', password: 'token-s3cret', deny: ['push'] }], anonymousPull: false });
    registry = await startRegistry({ auth: 'token', token: issuer });
    await pushImage(registry, 'team/app', { os: 'linux', architecture: 'amd64', mediaType: 'oci', tag: '3.1.0' });
    await pushImage(registry, 'team/worker', { os: 'linux', architecture: 'arm64', variant: 'v8', mediaType: 'oci', tag: '0.9.2' });
  });
  afterAll(async () => {
    await registry?.stop();
    await issuer?.stop();
  });

  it('fetches one token per repository from the realm, with credentials, and reuses it', async () => {
    issuer.reset();
    const client = createRegistryClient({
      sleep: noSleep,
      credentials: (host) => (host === registry.host ? { username: 'ci-bot', password: 'token-s3cret' } : null),
    });
    const app = { registry: registry.host, repository: 'team/app' };
    const worker = { registry: registry.host, repository: 'team/worker' };
    expect(await client.listTags(app)).toEqual(['3.1.0']);
    const [head, manifest, workerTags] = await Promise.all([client.headManifest(app, '3.1.0'), client.getManifest(app, '3.1.0'), client.listTags(worker)]);
    expect(head.digest).toBe(manifest.digest);
    expect(workerTags).toEqual(['0.9.2']);
    await client.getManifest(worker, '0.9.2');
    expect(issuer.requests.map((r) => `${r.method} ${r.username} ${r.scopes.join(' ')} ${r.status}`)).toEqual([
      'GET ci-bot repository:team/app:pull 200',
      'GET ci-bot repository:team/worker:pull 200',
    ]);
    expect(client.requestCounts()).toEqual({ tags: 3, 'manifest-head': 1, 'manifest-get': 2, blob: 0, token: 2 });
  });

  it('reports registry-unauthorized when the realm refuses the credentials', async () => {
    issuer.reset();
    const client = createRegistryClient({ sleep: noSleep, credentials: () => ({ username: 'ci-bot', password: 'nope' }) });
    await expect(client.listTags({ registry: registry.host, repository: 'team/app' })).rejects.toMatchObject({ code: 'registry-unauthorized' });
    expect(issuer.requests.map((r) => r.status)).toEqual([401]);
  });
});
