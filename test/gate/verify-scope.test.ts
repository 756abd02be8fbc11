import { describe, expect, it } from 'vitest';
import { sha256Digest } from '../../src/core/digest.js';
import { OCI_INDEX, OCI_MANIFEST, parseManifestOrThrow, type IndexManifest } from '../../src/core/manifest.js';
import { parsePlatform } from '../../src/core/platform.js';
import { entriesToVerify, platformsToVerify } from '../../src/core/verify-scope.js';
import type { ChildCheck, GateCandidate, GateInput } from '../../src/core/verdict.js';
import { evaluateCandidate } from '../../src/gate/evaluate.js';
import { bytes, fakeDigest, ociIndexJson } from './manifests.js';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const FOUR = ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/s390x'];

function index(text: string): { manifest: IndexManifest; digest: string } {
  const data = bytes(text);
  return { manifest: parseManifestOrThrow(data, OCI_INDEX) as IndexManifest, digest: sha256Digest(data) };
}

const ok = (platform: string): ChildCheck => ({ ok: true, platform: parsePlatform(platform)!, variantGiven: true, created: null });

function input(text: string, children: Map<string, ChildCheck> | undefined, policy: string[] | null, current: string[] | null = null): GateInput {
  const { manifest, digest } = index(text);
  const candidate: GateCandidate = {
    image: 'example.test/app',
    tag: '2.0.0',
    digest,
    contentDigest: digest,
    manifest,
    imagePlatform: null,
    created: null,
    firstSeen: null,
    ...(children ? { children } : {}),
  };
  const currentImage = current === null ? null : { manifest: index(ociIndexJson(current)).manifest, imagePlatform: null };
  return { candidate, current: currentImage, policy: { platforms: policy, minimumReleaseAge: null, settleTime: null }, now: NOW };
}

describe('platformsToVerify / entriesToVerify', () => {
  it('the configured platforms, else the platforms of the image in use, else every runnable entry', () => {
    const current = { manifest: index(ociIndexJson(['linux/amd64', 'linux/386'])).manifest, imagePlatform: null };
    expect(platformsToVerify({ platforms: ['linux/aarch64', 'linux/amd64'] }, current)).toEqual(['linux/arm64/v8', 'linux/amd64']);
    expect(platformsToVerify({ platforms: null }, current)).toEqual(['linux/386', 'linux/amd64']);
    expect(platformsToVerify({ platforms: [] }, null)).toBe('all');
    const { manifest } = index(ociIndexJson(FOUR, { attestations: true }));
    expect(entriesToVerify(manifest, ['linux/amd64', 'linux/arm64']).map((entry) => entry.digest)).toEqual([fakeDigest('image linux/amd64'), fakeDigest('image linux/arm64')]);
    expect(entriesToVerify(manifest, 'all')).toHaveLength(4);
  });
});

describe('evaluateCandidate: only the required platforms are verified and claimed', () => {
  const text = ociIndexJson(FOUR, { attestations: true });

  it('a 4-platform index with 2 required platforms passes on their 2 children and lists the other 2 as not verified', () => {
    const children = new Map([
      [fakeDigest('image linux/amd64'), ok('linux/amd64')],
      [fakeDigest('image linux/arm64'), ok('linux/arm64/v8')],
    ]);
    expect(evaluateCandidate(input(text, children, ['linux/amd64', 'linux/arm64']))).toEqual({
      pass: true,
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      unverified: ['linux/arm/v7', 'linux/s390x'],
    });
  });

  it('a required child that was not checked is unverified; a broken child of a platform nobody requires does not hold', () => {
    const children = new Map<string, ChildCheck>([
      [fakeDigest('image linux/amd64'), ok('linux/amd64')],
      [fakeDigest('image linux/s390x'), { ok: false, code: 'child-missing', message: 'gone' }],
    ]);
    expect(evaluateCandidate(input(text, children, ['linux/amd64', 'linux/arm64']))).toEqual({
      pass: false,
      reasons: [{ code: 'unverified', missing: ['linux/arm64/v8'], message: `linux/arm64/v8: child ${fakeDigest('image linux/arm64').slice(0, 19)} was not checked` }],
    });
    const verdict = evaluateCandidate(input(text, children, ['linux/amd64']));
    expect(verdict).toEqual({ pass: true, platforms: ['linux/amd64'], unverified: ['linux/arm/v7', 'linux/arm64/v8', 'linux/s390x'] });
  });

  it('under "no regression" the platforms of the image in use are the ones verified; a lie there holds', () => {
    const children = new Map([
      [fakeDigest('image linux/amd64'), ok('linux/amd64')],
      [fakeDigest('image linux/arm64'), ok('linux/s390x')],
    ]);
    expect(evaluateCandidate(input(text, children, null, ['linux/amd64', 'linux/arm64']))).toEqual({
      pass: false,
      reasons: [{ code: 'platform-mismatch', missing: ['linux/arm64/v8'], message: "linux/arm64/v8: the child's config says linux/s390x" }],
    });
  });

  it('without children (a descriptor-only verdict) every listed platform is named, as before', () => {
    expect(evaluateCandidate(input(text, undefined, ['linux/amd64']))).toEqual({ pass: true, platforms: ['linux/amd64', 'linux/arm/v7', 'linux/arm64/v8', 'linux/s390x'] });
  });
});

describe('evaluateCandidate: Windows entries in duplicate-platform detection', () => {
  const windows = (entries: Array<{ label: string; version: string; features?: string[] }>): string =>
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: entries.map(({ label, version, features }) => ({
        mediaType: OCI_MANIFEST,
        digest: fakeDigest(label),
        size: 1000,
        platform: { os: 'windows', architecture: 'amd64', 'os.version': version, ...(features ? { 'os.features': features } : {}) },
      })),
    });

  it('the same os.version with and without os.features win32k are two platforms; the same features twice are a duplicate', () => {
    const distinct = windows([
      { label: 'ltsc2022', version: '10.0.20348.2340' },
      { label: 'ltsc2022 win32k', version: '10.0.20348.2340', features: ['win32k'] },
      { label: 'ltsc2019', version: '10.0.17763.5576' },
    ]);
    expect(evaluateCandidate(input(distinct, undefined, ['windows/amd64']))).toEqual({ pass: true, platforms: ['windows/amd64'] });
    const twice = windows([
      { label: 'a', version: '10.0.20348.2340', features: ['win32k'] },
      { label: 'b', version: '10.0.20348.2340', features: ['win32k'] },
    ]);
    expect(evaluateCandidate(input(twice, undefined, ['windows/amd64']))).toEqual({
      pass: false,
      reasons: [{ code: 'duplicate-platform', message: 'index lists windows/amd64 (os.version 10.0.20348.2340, os.features win32k) more than once with different digests' }],
    });
  });
});
