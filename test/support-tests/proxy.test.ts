import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, startRedirectTarget, type RedirectTarget, type TestProxy } from '../support/proxy.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { MEDIA_TYPES, pushBlob, pushEmptyIndex, pushImage, pushIndex, type PushedManifest } from '../support/seed.js';

const sha256 = (bytes: ArrayBuffer | Uint8Array): string => `sha256:${createHash('sha256').update(new Uint8Array(bytes)).digest('hex')}`;

describe('fault and pagination proxy in front of the real registry', () => {
  let registry: TestRegistry;
  let proxy: TestProxy;
  let storage: RedirectTarget;
  let index: PushedManifest;
  let blob: { digest: string; size: number };
  const manifestUrl = (): string => `${proxy.url}/v2/team/web/manifests/1.4.0`;
  const get = (url: string, init: RequestInit = {}): Promise<Response> => fetch(url, { ...init, headers: { accept: MEDIA_TYPES.ociIndex, ...(init.headers as Record<string, string> | undefined) } });

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startProxy({ target: registry.url });
    storage = await startRedirectTarget();
    // Seeding through the proxy proves upload Locations point back at it.
    const images = await Promise.all([
      pushImage(proxy, 'team/web', { os: 'linux', architecture: 'amd64', mediaType: 'oci' }),
      pushImage(proxy, 'team/web', { os: 'linux', architecture: 'arm64', variant: 'v8', mediaType: 'oci' }),
    ]);
    index = await pushIndex(proxy, 'team/web', '1.4.0', images, { mediaType: 'oci' });
    blob = await pushBlob(registry, 'team/web', Buffer.from('layer bytes that storage will serve\n'));
    for (let batch = 0; batch < 250; batch += 25) {
      await Promise.all(Array.from({ length: 25 }, (_, i) => pushEmptyIndex(registry, 'team/many', `1.0.${batch + i}`)));
    }
    proxy.reset();
  });
  afterEach(() => {
    proxy.reset();
  });
  afterAll(async () => {
    await proxy.stop();
    await storage.stop();
    await registry.stop();
  });

  it('seeded through the proxy and counts every request by method and path', async () => {
    const response = await get(manifestUrl());
    expect(response.status).toBe(200);
    expect(sha256(await response.arrayBuffer())).toBe(index.digest);
    await (await fetch(`${proxy.url}/v2/team/web/manifests/1.4.0`, { method: 'HEAD', headers: { accept: MEDIA_TYPES.ociIndex } })).arrayBuffer();
    expect(proxy.count()).toBe(2);
    expect(proxy.count('GET', /\/manifests\//)).toBe(1);
    expect(proxy.count('HEAD', '/v2/team/web/manifests/1.4.0')).toBe(1);
    expect(proxy.requests[0]).toEqual({ method: 'GET', path: '/v2/team/web/manifests/1.4.0', query: '', status: 200, authorization: false, fault: undefined });
  });

  it('answers 429 with Retry-After on the nth matching request only', async () => {
    proxy.addFault({ method: 'GET', path: /\/manifests\//, nth: 2, fault: { kind: 'status', status: 429, retryAfter: '3' } });
    const statuses: Array<[number, string | null]> = [];
    for (let i = 0; i < 3; i++) {
      const response = await get(manifestUrl());
      statuses.push([response.status, response.headers.get('retry-after')]);
      await response.arrayBuffer();
    }
    expect(statuses).toEqual([
      [200, null],
      [429, '3'],
      [200, null],
    ]);
    expect(proxy.requests.map((r) => r.fault)).toEqual([undefined, 'status', undefined]);
  });

  it('answers 503 for `times` consecutive matches, and ignores other methods', async () => {
    proxy.addFault({ method: 'GET', path: /\/manifests\//, times: 2, fault: { kind: 'status', status: 503 } });
    const head = await fetch(manifestUrl(), { method: 'HEAD', headers: { accept: MEDIA_TYPES.ociIndex } });
    const statuses = [head.status];
    for (let i = 0; i < 3; i++) {
      const response = await get(manifestUrl());
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses).toEqual([200, 503, 503, 200]);
  });

  it('stalls until the client gives up, and delays by the given time', async () => {
    proxy.addFault({ path: /\/manifests\//, nth: 1, fault: { kind: 'stall' } });
    await expect(get(manifestUrl(), { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    proxy.addFault({ path: /\/manifests\//, nth: 1, fault: { kind: 'delay', ms: 250 } });
    const started = Date.now();
    const response = await get(manifestUrl());
    expect(sha256(await response.arrayBuffer())).toBe(index.digest);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('resets the connection, and truncates a body whose Content-Length promised more', async () => {
    proxy.addFault({ path: /\/manifests\//, nth: 1, fault: { kind: 'reset' } });
    await expect(get(manifestUrl())).rejects.toThrow();
    proxy.addFault({ path: /\/manifests\//, nth: 1, fault: { kind: 'truncate', bytes: 40 } });
    const response = await get(manifestUrl());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(index.size));
    await expect(response.arrayBuffer()).rejects.toThrow();
  });

  it('corrupts one byte while keeping the length and the Docker-Content-Digest header', async () => {
    proxy.addFault({ path: /\/manifests\//, fault: { kind: 'corrupt', offset: 10 } });
    const response = await get(manifestUrl());
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get('docker-content-digest')).toBe(index.digest);
    expect(bytes.byteLength).toBe(index.size);
    expect(sha256(bytes)).not.toBe(index.digest);
    const differing = [...bytes].flatMap((byte, i) => (byte === index.bytes[i] ? [] : [i]));
    expect(differing).toEqual([10]);
  });

  it('inflates a manifest to 5 MB of still-valid JSON, with or without Content-Length', async () => {
    proxy.addFault({ path: /\/manifests\//, nth: 1, fault: { kind: 'oversize', bytes: 5 * 1024 * 1024 } });
    const response = await get(manifestUrl());
    expect(response.headers.get('content-length')).toBe(String(5 * 1024 * 1024));
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.byteLength).toBe(5 * 1024 * 1024);
    expect((JSON.parse(bytes.toString('utf8')) as { manifests: unknown[] }).manifests).toHaveLength(2);
    proxy.addFault({ path: /\/manifests\//, nth: 1, fault: { kind: 'oversize', bytes: 5 * 1024 * 1024, chunked: true } });
    const chunked = await get(manifestUrl());
    expect(chunked.headers.get('content-length')).toBeNull();
    expect((await chunked.arrayBuffer()).byteLength).toBe(5 * 1024 * 1024);
  });

  it('redirects a blob to storage on another loopback address, which records the Authorization header', async () => {
    expect(storage.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    proxy.addFault({ method: 'GET', path: /\/blobs\//, fault: { kind: 'redirect', to: storage } });
    const response = await fetch(`${proxy.url}/v2/team/web/blobs/${blob.digest}`, { headers: { authorization: 'Bearer not-for-storage' } });
    expect(response.status).toBe(200);
    expect(response.redirected).toBe(true);
    expect(sha256(await response.arrayBuffer())).toBe(blob.digest);
    expect(proxy.requests.map((r) => [r.status, r.authorization, r.fault])).toEqual([[307, true, 'redirect']]);
    expect(storage.requests).toHaveLength(1);
    expect(storage.requests[0]!.path).toMatch(/^\/storage\/[0-9a-f-]{36}$/);
    // fetch drops credentials on a cross-origin redirect; a client that re-adds them would show here.
    expect(storage.requests[0]!.authorization).toBeUndefined();
  });

  it('distribution itself ignores n and last', async () => {
    const response = await fetch(`${registry.url}/v2/team/many/tags/list?n=5`);
    expect(response.headers.get('link')).toBeNull();
    expect(((await response.json()) as { tags: string[] }).tags).toHaveLength(250);
  });

  it('paginates tags/list with n, last and Link rel="next"', async () => {
    proxy.setPagination({ pageSize: 100 });
    try {
      const pages: string[][] = [];
      const links: Array<string | null> = [];
      let next: string | undefined = '/v2/team/many/tags/list';
      while (next !== undefined) {
        const response: Response = await fetch(`${proxy.url}${next}`);
        const link: string | null = response.headers.get('link');
        links.push(link);
        pages.push(((await response.json()) as { tags: string[] }).tags);
        next = link === null ? undefined : /^<([^>]+)>; rel="next"$/.exec(link)![1];
      }
      expect(pages.map((page) => page.length)).toEqual([100, 100, 50]);
      expect(links).toEqual(['</v2/team/many/tags/list?n=100&last=1.0.188>; rel="next"', '</v2/team/many/tags/list?n=100&last=1.0.53>; rel="next"', null]);
      const all = pages.flat();
      expect(new Set(all).size).toBe(250);
      expect(all).toEqual([...all].sort());

      const small = await fetch(`${proxy.url}/v2/team/many/tags/list?n=3&last=1.0.10`);
      expect(small.headers.get('link')).toBe('</v2/team/many/tags/list?n=3&last=1.0.102>; rel="next"');
      expect(await small.json()).toEqual({ name: 'team/many', tags: ['1.0.100', '1.0.101', '1.0.102'] });
      const missing = await fetch(`${proxy.url}/v2/team/none/tags/list`);
      expect(missing.status).toBe(404);
    } finally {
      proxy.setPagination(false);
    }
  });
});
