import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../src/core/digest.js';
import { createRegistryClient } from '../../src/lookup/registry-client.js';

/** A small scripted registry on 127.0.0.1 for answers the real one never gives. */
type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server | undefined;
const seen: Array<{ method: string; url: string; authorization: string | undefined }> = [];

async function serve(handler: Handler): Promise<string> {
  seen.length = 0;
  server = createServer((request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization });
    handler(request, response);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}

afterEach(async () => {
  if (server !== undefined) {
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
  }
});

const json = (response: ServerResponse, body: unknown, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  response.end(text);
};

describe('registry client edge cases', () => {
  it('stops following Link when a page repeats or points at another host', async () => {
    const host = await serve((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      const last = url.searchParams.get('last');
      if (last === null) json(response, { name: 'team/app', tags: ['1.0', '1.1'] }, { link: '</v2/team/app/tags/list?n=2&last=1.1>; rel="next"' });
      else if (last === '1.1') json(response, { name: 'team/app', tags: ['1.2', '1.0'] }, { link: '<?n=2&last=1.1>; rel="next"' });
      else json(response, { name: 'team/app', tags: ['9.9'] });
    });
    const client = createRegistryClient({ sleep: async () => undefined });
    expect(await client.listTags({ registry: host, repository: 'team/app' })).toEqual(['1.0', '1.1', '1.2']);
    expect(seen.map((s) => s.url)).toEqual(['/v2/team/app/tags/list?n=1000', '/v2/team/app/tags/list?n=2&last=1.1']);

    server!.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    const other = await serve((_request, response) => json(response, { name: 'team/app', tags: ['2.0'] }, { link: '<http://127.0.0.2:9/v2/team/app/tags/list?last=2.0>; rel="next"' }));
    expect(await client.listTags({ registry: other, repository: 'team/app' })).toEqual(['2.0']);
    expect(seen).toHaveLength(1);
  });

  it('times out a body that stalls after the headers', async () => {
    const host = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', 'content-length': '400' });
      response.write('{"schemaVersion":2,');
    });
    const client = createRegistryClient({ timeoutMs: 250, attempts: 1 });
    await expect(client.getManifest({ registry: host, repository: 'team/app' }, '1.0')).rejects.toMatchObject({
      code: 'registry-timeout',
      retryable: true,
    });
  });

  it('uses a mirror for Docker Hub with the mirror host credentials, and verifies a digest reference', async () => {
    const body = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}';
    const digest = sha256Digest(Buffer.from(body));
    const host = await serve((request, response) => {
      if (request.headers.authorization === undefined) {
        response.writeHead(401, { 'www-authenticate': 'Basic realm="mirror"', 'content-length': '0' });
        response.end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', 'content-length': String(body.length) });
      response.end(body);
    });
    const asked: string[] = [];
    const client = createRegistryClient({
      mirrors: { 'docker.io': `http://${host}/` },
      credentials: (key) => {
        asked.push(key);
        return { username: 'mirror-bot', password: 'm1rror' };
      },
    });
    const manifest = await client.getManifest({ registry: 'docker.io', repository: 'library/alpine' }, digest);
    expect([manifest.digest, manifest.mediaType]).toEqual([digest, 'application/vnd.oci.image.index.v1+json']);
    expect(asked).toEqual([host]);
    expect(seen.map((s) => [s.url, s.authorization])).toEqual([
      [`/v2/library/alpine/manifests/${digest}`, undefined],
      [`/v2/library/alpine/manifests/${digest}`, `Basic ${Buffer.from('mirror-bot:m1rror').toString('base64')}`],
    ]);
    // by digest again: served from memory
    await client.getManifest({ registry: 'docker.io', repository: 'library/alpine' }, digest);
    expect(seen).toHaveLength(2);

    const wrong = `sha256:${'0'.repeat(64)}`;
    await expect(client.getManifest({ registry: 'docker.io', repository: 'library/alpine' }, wrong)).rejects.toMatchObject({
      code: 'digest-mismatch',
    });
  });

  it('refuses a network failure as retryable registry-network after the attempts', async () => {
    const host = await serve((request) => request.socket.destroy());
    const sleeps: number[] = [];
    const client = createRegistryClient({ random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) });
    await expect(client.headManifest({ registry: host, repository: 'team/app' }, '1.0')).rejects.toMatchObject({
      code: 'registry-network',
      retryable: true,
    });
    expect(seen).toHaveLength(3);
    expect(sleeps).toEqual([375, 750]);
  });

  it('keeps at most `concurrency` requests in flight per registry host', async () => {
    let inFlight = 0;
    let peak = 0;
    const host = await serve((request, response) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        const tag = /manifests\/(.*)$/.exec(request.url ?? '')![1]!;
        response.writeHead(200, { 'docker-content-digest': sha256Digest(Buffer.from(tag)), 'content-length': '0' });
        response.end();
      }, 30);
    });
    const client = createRegistryClient({ concurrency: 2 });
    const heads = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((tag) => client.headManifest({ registry: host, repository: 'team/app' }, tag)));
    expect(heads.map((h) => h.digest)).toEqual(['a', 'b', 'c', 'd', 'e'].map((tag) => sha256Digest(Buffer.from(tag))));
    expect([seen.length, peak]).toEqual([5, 2]);
  });
});
