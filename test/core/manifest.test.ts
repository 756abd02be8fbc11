import { describe, expect, it } from 'vitest';
import { EMPTY_DOCKER_LIST_DIGEST, EMPTY_OCI_INDEX_DIGEST, sha256Digest } from '../../src/core/digest.js';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, MAX_MANIFEST_BYTES, OCI_INDEX, OCI_MANIFEST, parseImageConfig, parseManifest, parseManifestOrThrow, type Manifest } from '../../src/core/manifest.js';
import { ArchpinError } from '../../src/core/errors.js';
import { EMPTY_DOCKER_LIST_TEXT, EMPTY_OCI_INDEX_TEXT, bytes, dockerListJson, fakeDigest, ociImageJson, ociIndexJson } from '../gate/manifests.js';

function ok(result: ReturnType<typeof parseManifest>): Manifest {
  if (!result.ok) throw new Error(`expected a manifest, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function failure(result: { ok: boolean; error?: ArchpinError }): { code: string; message: string } {
  if (result.ok || !result.error) throw new Error('expected a failure');
  expect(result.error).toBeInstanceOf(ArchpinError);
  return { code: result.error.code, message: result.error.message };
}

describe('parseManifest: indexes', () => {
  it('parses a complete OCI index with attestations, normalising platforms', () => {
    const manifest = ok(parseManifest(bytes(ociIndexJson(['linux/amd64', 'linux/arm64', 'linux/arm/v7'], { attestations: true })), OCI_INDEX));
    expect(manifest.kind).toBe('index');
    if (manifest.kind !== 'index') return;
    expect(manifest.mediaType).toBe(OCI_INDEX);
    expect(manifest.entries).toHaveLength(6);
    expect(manifest.entries[0]).toEqual({
      mediaType: OCI_MANIFEST,
      digest: fakeDigest('image linux/amd64'),
      size: 1612,
      platform: { os: 'linux', architecture: 'amd64', variant: null },
      annotations: {},
      attestation: false,
    });
    expect(manifest.entries[2]!.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(manifest.entries[1]).toEqual({
      mediaType: OCI_MANIFEST,
      digest: fakeDigest('attestation linux/amd64'),
      size: 839,
      platform: { os: 'unknown', architecture: 'unknown', variant: null },
      annotations: {
        'vnd.docker.reference.digest': fakeDigest('image linux/amd64'),
        'vnd.docker.reference.type': 'attestation-manifest',
      },
      attestation: true,
    });
    expect(manifest.entries.map((entry) => entry.attestation)).toEqual([false, true, false, true, false, true]);
  });

  it('marks an entry with only the attestation annotation as an attestation', () => {
    const json = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: fakeDigest('att'),
          size: 566,
          annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
          platform: { architecture: 'amd64', os: 'linux' },
        },
      ],
    });
    const manifest = ok(parseManifest(bytes(json), OCI_INDEX));
    expect(manifest.kind === 'index' && manifest.entries[0]!.attestation).toBe(true);
  });

  it('parses a complete Docker manifest list', () => {
    const manifest = ok(parseManifest(bytes(dockerListJson(['linux/amd64', 'linux/arm/v6', 'linux/aarch64'])), DOCKER_MANIFEST_LIST));
    expect(manifest).toEqual({
      kind: 'index',
      mediaType: DOCKER_MANIFEST_LIST,
      entries: [
        {
          mediaType: DOCKER_MANIFEST,
          digest: fakeDigest('docker image linux/amd64'),
          size: 1165,
          platform: { os: 'linux', architecture: 'amd64', variant: null },
          annotations: {},
          attestation: false,
        },
        { mediaType: DOCKER_MANIFEST, digest: fakeDigest('docker image linux/arm/v6'), size: 1165, platform: { os: 'linux', architecture: 'arm', variant: 'v6' }, annotations: {}, attestation: false },
        {
          mediaType: DOCKER_MANIFEST,
          digest: fakeDigest('docker image linux/aarch64'),
          size: 1165,
          platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          annotations: {},
          attestation: false,
        },
      ],
    });
  });

  it('parses the exact empty Docker Hub index and its digest is the known one', () => {
    const data = bytes(EMPTY_OCI_INDEX_TEXT);
    expect(data.byteLength).toBe(89);
    expect(sha256Digest(data)).toBe(EMPTY_OCI_INDEX_DIGEST);
    expect(ok(parseManifest(data, OCI_INDEX))).toEqual({ kind: 'index', mediaType: OCI_INDEX, entries: [] });
  });

  it('parses the empty Docker schema 2 list and its digest is the known one', () => {
    const data = bytes(EMPTY_DOCKER_LIST_TEXT);
    expect(sha256Digest(data)).toBe(EMPTY_DOCKER_LIST_DIGEST);
    expect(ok(parseManifest(data, 'application/json'))).toEqual({ kind: 'index', mediaType: DOCKER_MANIFEST_LIST, entries: [] });
  });
});

describe('parseManifest: media types', () => {
  it('parses a single image manifest', () => {
    expect(ok(parseManifest(bytes(ociImageJson(4)), `${OCI_MANIFEST}; charset=utf-8`))).toEqual({
      kind: 'image',
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: fakeDigest('config'), size: 7023 },
      layers: 4,
    });
  });

  it('uses the declared mediaType when the Content-Type is generic or missing', () => {
    expect(ok(parseManifest(bytes(ociIndexJson(['linux/amd64'])), 'application/json')).mediaType).toBe(OCI_INDEX);
    expect(ok(parseManifest(bytes(ociImageJson()), null)).kind).toBe('image');
  });

  it('infers from the shape when neither header nor body says', () => {
    const json = JSON.stringify({ schemaVersion: 2, manifests: [] });
    expect(ok(parseManifest(bytes(json), 'application/octet-stream'))).toEqual({ kind: 'index', mediaType: OCI_INDEX, entries: [] });
  });

  it('accepts a specific Content-Type when the body declares none', () => {
    const json = JSON.stringify({ schemaVersion: 2, manifests: [] });
    expect(ok(parseManifest(bytes(json), DOCKER_MANIFEST_LIST)).mediaType).toBe(DOCKER_MANIFEST_LIST);
  });

  it('rejects a Content-Type that contradicts the declared mediaType', () => {
    expect(failure(parseManifest(bytes(ociIndexJson(['linux/amd64'])), DOCKER_MANIFEST_LIST))).toEqual({
      code: 'registry-bad-response',
      message: `Content-Type ${DOCKER_MANIFEST_LIST} does not match the manifest's mediaType ${OCI_INDEX}`,
    });
  });

  it('refuses schema 1 and unknown media types', () => {
    const schema1 = JSON.stringify({ schemaVersion: 1, name: 'library/busybox', tag: '1.36', architecture: 'amd64', fsLayers: [] });
    expect(failure(parseManifest(bytes(schema1), 'application/vnd.docker.distribution.manifest.v1+prettyjws')).code).toBe('unsupported-media-type');
    expect(failure(parseManifest(bytes(schema1), null)).code).toBe('unsupported-media-type');
    expect(failure(parseManifest(bytes('{"schemaVersion":2}'), 'application/vnd.oci.artifact.manifest.v1+json'))).toEqual({
      code: 'unsupported-media-type',
      message: 'unsupported manifest media type application/vnd.oci.artifact.manifest.v1+json',
    });
  });

  it('reports invalid JSON and bad shapes as registry-bad-response', () => {
    expect(failure(parseManifest(bytes('<html>rate limited</html>'), OCI_INDEX))).toEqual({ code: 'registry-bad-response', message: 'response is not valid JSON' });
    expect(failure(parseManifest(bytes('[]'), OCI_INDEX)).code).toBe('registry-bad-response');
    expect(failure(parseManifest(bytes('{"schemaVersion":2,"mediaType":7}'), null)).message).toBe('manifest mediaType is not a string');
    const badDigest = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: 'nope', size: 1 }] });
    expect(failure(parseManifest(bytes(badDigest), OCI_INDEX)).message).toMatch(/^invalid index: manifests\.0\.digest: /);
    const badSize = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'x', digest: fakeDigest('c'), size: -1 }, layers: [] });
    expect(failure(parseManifest(bytes(badSize), OCI_MANIFEST)).message).toMatch(/^invalid image manifest: config\.size: /);
  });

  it('refuses manifests above the size limit', () => {
    const big = new Uint8Array(MAX_MANIFEST_BYTES + 1).fill(0x20);
    expect(failure(parseManifest(big, OCI_INDEX)).code).toBe('manifest-too-large');
  });

  it('throws the typed error from parseManifestOrThrow', () => {
    expect(() => parseManifestOrThrow(bytes('{'), OCI_INDEX)).toThrow(ArchpinError);
    expect(parseManifestOrThrow(bytes(EMPTY_OCI_INDEX_TEXT), null).kind).toBe('index');
  });
});

describe('parseImageConfig', () => {
  it('reads the platform (normalised) and creation time', () => {
    const config = JSON.stringify({
      architecture: 'arm64',
      os: 'linux',
      variant: 'v8',
      created: '2024-07-23T21:20:22.155834412Z',
      config: { Env: ['PATH=/usr/local/bin:/usr/bin'] },
      rootfs: { type: 'layers', diff_ids: [] },
    });
    const result = parseImageConfig(bytes(config));
    expect(result).toEqual({
      ok: true,
      value: { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, created: new Date(Date.UTC(2024, 6, 23, 21, 20, 22, 155)) },
    });
  });

  it('gives a null creation time when absent, zero or malformed', () => {
    for (const created of [undefined, '0001-01-01T00:00:00Z', '1970-01-01T00:00:00Z', 'yesterday']) {
      const result = parseImageConfig(bytes(JSON.stringify({ architecture: 'x86_64', os: 'linux', created })));
      expect(result).toEqual({ ok: true, value: { platform: { os: 'linux', architecture: 'amd64', variant: null }, created: null } });
    }
  });

  it('fails on a config without a platform', () => {
    expect(failure(parseImageConfig(bytes('{"os":"linux"}'))).message).toMatch(/^invalid image config: architecture: /);
    expect(failure(parseImageConfig(bytes('not json'))).code).toBe('registry-bad-response');
  });
});
