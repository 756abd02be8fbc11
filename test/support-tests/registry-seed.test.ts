import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_OCI_INDEX_DIGEST } from '../../src/core/digest.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { EMPTY_OCI_INDEX_BYTES, MEDIA_TYPES, deleteManifest, pushEmptyIndex, pushImage, pushIndex, seedIncident, type IncidentSeed } from '../support/seed.js';

const sha256 = (bytes: ArrayBuffer | Uint8Array): string => `sha256:${createHash('sha256').update(new Uint8Array(bytes)).digest('hex')}`;
const ACCEPT_ALL = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(', ');

async function getManifest(registry: TestRegistry, repo: string, ref: string): Promise<{ response: Response; bytes: Buffer }> {
  const response = await fetch(`${registry.url}/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT_ALL } });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('test registry without auth, seeded with the incident', () => {
  let registry: TestRegistry;
  let seed: IncidentSeed;

  beforeAll(async () => {
    registry = await startRegistry();
    seed = await seedIncident(registry);
  });
  afterAll(async () => {
    await registry.stop();
  });

  it('listens on 127.0.0.1 only and answers /v2/ with 200', async () => {
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(registry.host).toBe(registry.url.slice('http://'.length));
    const response = await fetch(`${registry.url}/v2/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('serves the empty index as the exact 89 Docker Hub bytes', async () => {
    expect(Buffer.byteLength(EMPTY_OCI_INDEX_BYTES)).toBe(89);
    expect(seed.digests['27.1.0-dind']).toBe(EMPTY_OCI_INDEX_DIGEST);
    const { response, bytes } = await getManifest(registry, 'library/docker', '27.1.0-dind');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(MEDIA_TYPES.ociIndex);
    expect(response.headers.get('docker-content-digest')).toBe(EMPTY_OCI_INDEX_DIGEST);
    expect(bytes.toString('latin1')).toBe('{"manifests":[],"mediaType":"application\\/vnd.oci.image.index.v1+json","schemaVersion":2}');
    expect(sha256(bytes)).toBe(EMPTY_OCI_INDEX_DIGEST);
  });

  it('lists the six incident tags (distribution 2.8 lists them unsorted)', async () => {
    const response = await fetch(`${registry.url}/v2/library/docker/tags/list`);
    const body = (await response.json()) as { name: string; tags: string[] };
    expect(body.name).toBe('library/docker');
    expect([...body.tags].sort()).toEqual(['27.0.3', '27.0.3-dind', '27.1.0-dind', '27.1.1', '27.1.1-dind', '27.2.0-dind']);
  });

  it('serves complete indexes with four platforms plus one attestation each', async () => {
    const { response, bytes } = await getManifest(registry, 'library/docker', '27.1.1-dind');
    expect(response.headers.get('docker-content-digest')).toBe(seed.digests['27.1.1-dind']);
    expect(sha256(bytes)).toBe(seed.digests['27.1.1-dind']);
    const index = JSON.parse(bytes.toString('utf8')) as {
      manifests: Array<{ digest: string; platform: { os: string; architecture: string; variant?: string }; annotations?: Record<string, string> }>;
    };
    expect(index.manifests.map((m) => [m.platform.os, m.platform.architecture, m.platform.variant ?? ''].join('/'))).toEqual([
      'linux/amd64/',
      'linux/arm64/v8',
      'linux/arm/v6',
      'linux/arm/v7',
      'unknown/unknown/',
      'unknown/unknown/',
      'unknown/unknown/',
      'unknown/unknown/',
    ]);
    const attestation = index.manifests[4]!;
    expect(attestation.annotations).toEqual({
      'vnd.docker.reference.digest': index.manifests[0]!.digest,
      'vnd.docker.reference.type': 'attestation-manifest',
    });
    expect(seed.platforms['27.1.1-dind']).toEqual(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v6', 'linux/arm/v7']);
    expect(seed.platforms['27.2.0-dind']).toEqual(['linux/arm64/v8']);
    expect(new Set(Object.values(seed.digests)).size).toBe(6);
  });

  it('serves image manifests by digest, and their config blob names the platform', async () => {
    const arm64 = seed.images['27.2.0-dind'][0]!;
    const { response, bytes } = await getManifest(registry, 'library/docker', arm64.digest);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(MEDIA_TYPES.ociManifest);
    expect(sha256(bytes)).toBe(arm64.digest);
    expect(bytes.byteLength).toBe(arm64.size);
    const manifest = JSON.parse(bytes.toString('utf8')) as { config: { digest: string }; layers: Array<{ digest: string; size: number }> };
    const config = await fetch(`${registry.url}/v2/library/docker/blobs/${manifest.config.digest}`);
    const configBytes = await config.arrayBuffer();
    expect(sha256(configBytes)).toBe(manifest.config.digest);
    const parsed = JSON.parse(Buffer.from(configBytes).toString('utf8')) as Record<string, unknown>;
    expect([parsed.os, parsed.architecture, parsed.variant, parsed.created]).toEqual(['linux', 'arm64', 'v8', '2024-08-27T20:30:00Z']);
    const layer = await fetch(`${registry.url}/v2/library/docker/blobs/${manifest.layers[0]!.digest}`);
    const layerBytes = Buffer.from(await layer.arrayBuffer());
    expect(layerBytes.byteLength).toBe(manifest.layers[0]!.size);
    expect([layerBytes[0], layerBytes[1]]).toEqual([0x1f, 0x8b]);
  });

  it('pushes Docker schema 2 lists and single images, and deletes by digest', async () => {
    const amd64 = await pushImage(registry, 'team/tool', { os: 'linux', architecture: 'amd64', mediaType: 'docker', tag: '1.0.0-amd64' });
    const arm64 = await pushImage(registry, 'team/tool', { os: 'linux', architecture: 'arm64', mediaType: 'docker' });
    expect(amd64.mediaType).toBe(MEDIA_TYPES.dockerManifest);
    const list = await pushIndex(registry, 'team/tool', '1.0.0', [amd64, arm64], { mediaType: 'docker' });
    const { response, bytes } = await getManifest(registry, 'team/tool', '1.0.0');
    expect(response.headers.get('content-type')).toBe(MEDIA_TYPES.dockerList);
    expect(sha256(bytes)).toBe(list.digest);
    expect(bytes.equals(list.bytes)).toBe(true);
    const single = await getManifest(registry, 'team/tool', '1.0.0-amd64');
    expect(single.response.headers.get('docker-content-digest')).toBe(amd64.digest);

    await pushEmptyIndex(registry, 'team/tool', '1.1.0');
    await deleteManifest(registry, 'team/tool', EMPTY_OCI_INDEX_DIGEST);
    expect((await getManifest(registry, 'team/tool', '1.1.0')).response.status).toBe(404);
  });

  it('stop() kills the server and removes its directory', async () => {
    const other = await startRegistry();
    expect(existsSync(other.dir)).toBe(true);
    await other.stop();
    await other.stop();
    expect(existsSync(other.dir)).toBe(false);
    await expect(fetch(`${other.url}/v2/`)).rejects.toThrow();
  });
});
