import { describe, expect, it } from 'vitest';
import { OCI_INDEX, OCI_MANIFEST, parseManifestOrThrow, type IndexManifest } from '../../src/core/manifest.js';
import { parsePlatform } from '../../src/core/platform.js';
import { ArchpinError } from '../../src/core/errors.js';
import { formatDuration } from '../../src/core/duration.js';
import { toUnreadable } from '../../src/gate/unreadable.js';
import { platformsOf } from '../../src/core/platforms-of.js';
import { selectPlatformEntry } from '../../src/core/select-platform-entry.js';
import { bytes, fakeDigest, ociImageJson, ociIndexJson } from './manifests.js';

function index(json: string): IndexManifest {
  const manifest = parseManifestOrThrow(bytes(json), OCI_INDEX);
  if (manifest.kind !== 'index') throw new Error('not an index');
  return manifest;
}

describe('platformsOf', () => {
  it('lists runnable platforms of an index, sorted, deduplicated, without attestations', () => {
    const manifest = index(ociIndexJson(['linux/s390x', 'linux/arm64', 'linux/aarch64', 'linux/amd64', 'linux/arm'], { attestations: true }));
    expect(platformsOf(manifest)).toEqual(['linux/amd64', 'linux/arm/v7', 'linux/arm64/v8', 'linux/s390x']);
  });

  it('skips entries without a platform and nested indexes', () => {
    const json = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: OCI_MANIFEST, digest: fakeDigest('a'), size: 10 },
        { mediaType: OCI_INDEX, digest: fakeDigest('b'), size: 10, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: OCI_MANIFEST, digest: fakeDigest('c'), size: 10, platform: { os: 'linux', architecture: 'ppc64le' } },
      ],
    });
    expect(platformsOf(index(json))).toEqual(['linux/ppc64le']);
  });

  it('gives a single image its config platform, or nothing when unknown', () => {
    const image = parseManifestOrThrow(bytes(ociImageJson()), null);
    expect(platformsOf(image, parsePlatform('linux/aarch64'))).toEqual(['linux/arm64/v8']);
    expect(platformsOf(image)).toEqual([]);
  });
});

describe('selectPlatformEntry', () => {
  const manifest = index(ociIndexJson(['linux/amd64', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm64/v8'], { attestations: true }));

  it('picks the entry for the same os/arch/variant, normalised', () => {
    expect(selectPlatformEntry(manifest, parsePlatform('linux/aarch64')!)?.digest).toBe(fakeDigest('image linux/arm64/v8'));
    expect(selectPlatformEntry(manifest, parsePlatform('linux/arm')!)?.digest).toBe(fakeDigest('image linux/arm/v7'));
    expect(selectPlatformEntry(manifest, parsePlatform('linux/armel')!)?.digest).toBe(fakeDigest('image linux/arm/v6'));
    expect(selectPlatformEntry(manifest, parsePlatform('linux/x86_64')!)?.digest).toBe(fakeDigest('image linux/amd64'));
  });

  it('returns null when the platform is absent and never picks an attestation', () => {
    expect(selectPlatformEntry(manifest, parsePlatform('linux/386')!)).toBeNull();
    expect(selectPlatformEntry(manifest, parsePlatform('unknown/unknown')!)).toBeNull();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [45_000, '45s'],
    [30 * 60_000, '30m'],
    [4 * 3_600_000, '4h'],
    [90 * 60_000, '1h 30m'],
    [3_630_000, '1h'],
    [26 * 3_600_000 + 59_000, '1d 2h'],
    [-5, '0s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('toUnreadable', () => {
  it('keeps the three gate codes and leaves other errors to the lookup', () => {
    expect(toUnreadable(new ArchpinError('manifest-too-large', 'manifest is 5000000 bytes'))).toEqual({
      kind: 'unreadable',
      code: 'manifest-too-large',
      message: 'manifest is 5000000 bytes',
    });
    expect(toUnreadable(new ArchpinError('digest-mismatch', 'bytes differ'))?.code).toBe('digest-mismatch');
    expect(toUnreadable(new ArchpinError('registry-bad-response', 'response is not valid JSON'))).toBeNull();
  });
});
