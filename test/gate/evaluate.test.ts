import { describe, expect, it } from 'vitest';
import { EMPTY_DOCKER_LIST_DIGEST, EMPTY_OCI_INDEX_DIGEST } from '../../src/core/digest.js';
import { DOCKER_MANIFEST_LIST, OCI_INDEX, parseManifestOrThrow, type Manifest } from '../../src/core/manifest.js';
import { parsePlatform, type Platform } from '../../src/core/platform.js';
import { evaluateCandidate } from '../../src/gate/evaluate.js';
import type { GateCandidate, GateInput, GatePolicy, UnreadableManifest } from '../../src/core/verdict.js';
import { EMPTY_DOCKER_LIST_TEXT, EMPTY_OCI_INDEX_TEXT, HOUR, NO_POLICY, NOW, bytes, dockerListJson, gateCandidate, ociImageJson, ociIndexJson } from './manifests.js';

function candidateFrom(text: string, contentType: string | null, extra: Partial<GateCandidate> = {}): GateCandidate {
  return gateCandidate('docker.io/library/docker', '27.2.0-dind', text, contentType, extra);
}

function indexCandidate(platforms: readonly string[], extra: Partial<GateCandidate> = {}, attestations = false): GateCandidate {
  return candidateFrom(ociIndexJson(platforms, { attestations }), OCI_INDEX, extra);
}

function imageCandidate(platform: string | null, extra: Partial<GateCandidate> = {}): GateCandidate {
  return candidateFrom(ociImageJson(), null, { imagePlatform: platform ? parsePlatform(platform) : null, ...extra });
}

function currentIndex(platforms: readonly string[]): { manifest: Manifest; imagePlatform: Platform | null } {
  return { manifest: parseManifestOrThrow(bytes(ociIndexJson(platforms, { attestations: true })), OCI_INDEX), imagePlatform: null };
}

function input(candidate: GateCandidate, options: { policy?: Partial<GatePolicy>; current?: GateInput['current'] } = {}): GateInput {
  return { candidate, current: options.current ?? null, policy: { ...NO_POLICY, ...options.policy }, now: NOW };
}

describe('evaluateCandidate: passing candidates', () => {
  it('passes a complete OCI index and lists its platforms sorted and normalised', () => {
    const verdict = evaluateCandidate(
      input(indexCandidate(['linux/arm64', 'linux/amd64', 'linux/arm/v6', 'linux/arm', 'linux/386', 'linux/s390x'], {}, true), {
        policy: { platforms: ['linux/amd64', 'linux/aarch64'] },
        current: currentIndex(['linux/amd64', 'linux/arm64']),
      }),
    );
    expect(verdict).toEqual({
      pass: true,
      platforms: ['linux/386', 'linux/amd64', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm64/v8', 'linux/s390x'],
    });
  });

  it('passes a complete Docker manifest list under the default no-regression policy', () => {
    const candidate = candidateFrom(dockerListJson(['linux/amd64', 'linux/arm64/v8']), DOCKER_MANIFEST_LIST);
    expect(evaluateCandidate(input(candidate, { current: currentIndex(['linux/x86_64', 'linux/aarch64']) }))).toEqual({
      pass: true,
      platforms: ['linux/amd64', 'linux/arm64/v8'],
    });
  });

  it('excludes attestations from the platforms of an index', () => {
    expect(evaluateCandidate(input(indexCandidate(['linux/amd64'], {}, true)))).toEqual({ pass: true, platforms: ['linux/amd64'] });
  });

  it('passes a single image matching a one-platform policy', () => {
    expect(evaluateCandidate(input(imageCandidate('linux/x86_64'), { policy: { platforms: ['linux/amd64'] } }))).toEqual({
      pass: true,
      platforms: ['linux/amd64'],
    });
  });

  it('passes when the current pin is the empty index (nothing to regress from)', () => {
    const current = { manifest: parseManifestOrThrow(bytes(EMPTY_OCI_INDEX_TEXT), OCI_INDEX), imagePlatform: null };
    expect(evaluateCandidate(input(indexCandidate(['linux/amd64']), { current }))).toEqual({ pass: true, platforms: ['linux/amd64'] });
  });

  it('passes exactly at the age limits', () => {
    const candidate = indexCandidate(['linux/amd64'], { created: NOW - 4 * HOUR, firstSeen: NOW - HOUR / 2 });
    expect(evaluateCandidate(input(candidate, { policy: { minimumReleaseAge: 4 * HOUR, settleTime: HOUR / 2 } })).pass).toBe(true);
  });
});

describe('evaluateCandidate: empty-index', () => {
  it('blocks the exact empty Docker Hub index', () => {
    const candidate = candidateFrom(EMPTY_OCI_INDEX_TEXT, OCI_INDEX);
    expect(candidate.digest).toBe(EMPTY_OCI_INDEX_DIGEST);
    expect(evaluateCandidate(input(candidate))).toEqual({
      pass: false,
      reasons: [{ code: 'empty-index', message: `${EMPTY_OCI_INDEX_DIGEST} is the well-known empty index: no platform has been published yet` }],
    });
  });

  it('blocks the empty Docker schema 2 list by its digest', () => {
    const candidate = candidateFrom(EMPTY_DOCKER_LIST_TEXT, 'application/json');
    expect(candidate.digest).toBe(EMPTY_DOCKER_LIST_DIGEST);
    const verdict = evaluateCandidate(input(candidate));
    expect(!verdict.pass && verdict.reasons.map((reason) => reason.code)).toEqual(['empty-index']);
  });

  it('blocks any other empty index by its content', () => {
    const candidate = candidateFrom('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}', null);
    expect(evaluateCandidate(input(candidate))).toEqual({
      pass: false,
      reasons: [{ code: 'empty-index', message: 'index has no entries: no platform has been published yet' }],
    });
  });

  it('blocks an index holding only attestations', () => {
    const json = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: JSON.parse(ociIndexJson(['linux/amd64', 'linux/arm64'], { attestations: true })).manifests.filter((entry: { platform: { os: string } }) => entry.platform.os === 'unknown'),
    });
    expect(evaluateCandidate(input(candidateFrom(json, OCI_INDEX)))).toEqual({
      pass: false,
      reasons: [{ code: 'empty-index', message: 'index lists only attestation manifests (2), no runnable image' }],
    });
  });

  it('also reports the missing required platforms of an empty index', () => {
    const verdict = evaluateCandidate(input(candidateFrom(EMPTY_OCI_INDEX_TEXT, OCI_INDEX), { policy: { platforms: ['linux/amd64'] } }));
    expect(verdict).toEqual({
      pass: false,
      reasons: [
        { code: 'empty-index', message: `${EMPTY_OCI_INDEX_DIGEST} is the well-known empty index: no platform has been published yet` },
        { code: 'missing-platforms', missing: ['linux/amd64'], message: 'index lists no runnable platform; policy requires linux/amd64' },
      ],
    });
  });
});

describe('evaluateCandidate: missing-platforms', () => {
  it('says the platforms are a default, not a policy, when nothing was configured', () => {
    expect(evaluateCandidate(input(indexCandidate(['linux/arm64']), { policy: { platforms: ['linux/amd64'], platformsSource: 'default' } }))).toEqual({
      pass: false,
      reasons: [
        {
          code: 'missing-platforms',
          missing: ['linux/amd64'],
          message: 'index lists only linux/arm64/v8; required by default, as no platforms are configured: linux/amd64',
        },
      ],
    });
  });

  it('blocks an arm64-only index when amd64 is required', () => {
    expect(evaluateCandidate(input(indexCandidate(['linux/arm64']), { policy: { platforms: ['linux/amd64', 'linux/arm64'] } }))).toEqual({
      pass: false,
      reasons: [{ code: 'missing-platforms', missing: ['linux/amd64'], message: 'index lists only linux/arm64/v8; policy requires linux/amd64' }],
    });
  });

  it('never lets a 386-only index satisfy amd64', () => {
    expect(evaluateCandidate(input(indexCandidate(['linux/386']), { policy: { platforms: ['linux/x86_64'] } }))).toEqual({
      pass: false,
      reasons: [{ code: 'missing-platforms', missing: ['linux/amd64'], message: 'index lists only linux/386; policy requires linux/amd64' }],
    });
  });

  it('keeps arm/v7 and arm/v6 apart', () => {
    expect(evaluateCandidate(input(indexCandidate(['linux/arm/v6', 'linux/amd64']), { policy: { platforms: ['linux/arm'] } }))).toEqual({
      pass: false,
      reasons: [{ code: 'missing-platforms', missing: ['linux/arm/v7'], message: 'index lists only linux/amd64, linux/arm/v6; policy requires linux/arm/v7' }],
    });
  });

  it('treats arm64 and arm64/v8, x86_64 and amd64 as the same', () => {
    const verdict = evaluateCandidate(input(indexCandidate(['linux/aarch64', 'linux/x86_64']), { policy: { platforms: ['linux/arm64/v8', 'linux/amd64'] } }));
    expect(verdict).toEqual({ pass: true, platforms: ['linux/amd64', 'linux/arm64/v8'] });
  });

  it('lists an unparsable required platform as missing', () => {
    const verdict = evaluateCandidate(input(indexCandidate(['linux/amd64']), { policy: { platforms: ['amd64'] } }));
    expect(verdict).toEqual({
      pass: false,
      reasons: [{ code: 'missing-platforms', missing: ['amd64'], message: 'index lists only linux/amd64; policy requires amd64' }],
    });
  });

  it('does not check regression when platforms are configured', () => {
    const verdict = evaluateCandidate(input(indexCandidate(['linux/amd64']), { policy: { platforms: ['linux/amd64'] }, current: currentIndex(['linux/amd64', 'linux/s390x']) }));
    expect(verdict).toEqual({ pass: true, platforms: ['linux/amd64'] });
  });
});

describe('evaluateCandidate: platform-regression (default policy)', () => {
  it('blocks a candidate missing a platform the current index offers', () => {
    const verdict = evaluateCandidate(input(indexCandidate(['linux/386', 'linux/arm64']), { current: currentIndex(['linux/amd64', 'linux/arm64']) }));
    expect(verdict).toEqual({
      pass: false,
      reasons: [{ code: 'platform-regression', missing: ['linux/amd64'], message: 'index lists only linux/386, linux/arm64/v8; the current image provides linux/amd64' }],
    });
  });

  it('uses the one platform of a current single image', () => {
    const current = { manifest: parseManifestOrThrow(bytes(ociImageJson()), null), imagePlatform: parsePlatform('linux/arm/v7') };
    expect(evaluateCandidate(input(indexCandidate(['linux/amd64', 'linux/arm/v7']), { current }))).toEqual({
      pass: true,
      platforms: ['linux/amd64', 'linux/arm/v7'],
    });
    expect(evaluateCandidate(input(indexCandidate(['linux/amd64', 'linux/arm/v6']), { current }))).toEqual({
      pass: false,
      reasons: [{ code: 'platform-regression', missing: ['linux/arm/v7'], message: 'index lists only linux/amd64, linux/arm/v6; the current image provides linux/arm/v7' }],
    });
  });

  it('fails closed when the current single image has an unknown platform', () => {
    const current = { manifest: parseManifestOrThrow(bytes(ociImageJson()), null), imagePlatform: null };
    expect(evaluateCandidate(input(indexCandidate(['linux/amd64']), { current }))).toEqual({
      pass: false,
      reasons: [{ code: 'platform-regression', message: 'the platform of the current image is unknown, so a regression cannot be ruled out' }],
    });
  });
});

describe('evaluateCandidate: single-arch', () => {
  it('blocks a single image when the policy requires more than its platform', () => {
    expect(evaluateCandidate(input(imageCandidate('linux/amd64'), { policy: { platforms: ['linux/amd64', 'linux/arm64'] } }))).toEqual({
      pass: false,
      reasons: [
        { code: 'missing-platforms', missing: ['linux/arm64/v8'], message: 'image is single-platform linux/amd64; policy requires linux/arm64/v8' },
        {
          code: 'single-arch',
          missing: ['linux/arm64/v8'],
          message: 'image is single-platform linux/amd64, not a multi-platform index; policy requires linux/amd64, linux/arm64/v8',
        },
      ],
    });
  });

  it('blocks a single image replacing a multi-platform index (no policy)', () => {
    expect(evaluateCandidate(input(imageCandidate('linux/amd64'), { current: currentIndex(['linux/amd64', 'linux/arm64']) }))).toEqual({
      pass: false,
      reasons: [
        { code: 'platform-regression', missing: ['linux/arm64/v8'], message: 'image is single-platform linux/amd64; the current image provides linux/arm64/v8' },
        {
          code: 'single-arch',
          missing: ['linux/arm64/v8'],
          message: 'image is single-platform linux/amd64, not a multi-platform index; the current image provides linux/amd64, linux/arm64/v8',
        },
      ],
    });
  });

  it('reports only missing-platforms when one other platform is required', () => {
    expect(evaluateCandidate(input(imageCandidate('linux/arm64'), { policy: { platforms: ['linux/amd64'] } }))).toEqual({
      pass: false,
      reasons: [{ code: 'missing-platforms', missing: ['linux/amd64'], message: 'image is single-platform linux/arm64/v8; policy requires linux/amd64' }],
    });
  });

  it('fails closed on a single image whose platform is unknown', () => {
    expect(evaluateCandidate(input(imageCandidate(null)))).toEqual({
      pass: false,
      reasons: [{ code: 'single-arch', message: 'candidate is a single image manifest whose platform is unknown (its config was not read)' }],
    });
  });
});

describe('evaluateCandidate: too-new', () => {
  it('blocks a candidate created less than minimumReleaseAge ago', () => {
    const candidate = indexCandidate(['linux/amd64'], { created: NOW - 90 * 60_000 });
    expect(evaluateCandidate(input(candidate, { policy: { minimumReleaseAge: 4 * HOUR } }))).toEqual({
      pass: false,
      reasons: [{ code: 'too-new', message: 'created 1h 30m ago; minimumReleaseAge is 4h' }],
    });
  });

  it('blocks a digest first seen less than settleTime ago', () => {
    const candidate = indexCandidate(['linux/amd64'], { firstSeen: NOW - 10 * 60_000 });
    expect(evaluateCandidate(input(candidate, { policy: { settleTime: 30 * 60_000 } }))).toEqual({
      pass: false,
      reasons: [{ code: 'too-new', message: 'digest first seen 10m ago; settleTime is 30m' }],
    });
  });

  it('blocks a digest never seen before when settleTime is set', () => {
    const candidate = indexCandidate(['linux/amd64'], { firstSeen: null });
    expect(evaluateCandidate(input(candidate, { policy: { settleTime: 30 * 60_000 } }))).toEqual({
      pass: false,
      reasons: [{ code: 'too-new', message: 'digest first seen just now; settleTime is 30m' }],
    });
  });

  it('fails closed on an unknown creation time', () => {
    const candidate = indexCandidate(['linux/amd64'], { created: null });
    expect(evaluateCandidate(input(candidate, { policy: { minimumReleaseAge: 3 * 86_400_000 } }))).toEqual({
      pass: false,
      reasons: [{ code: 'too-new', message: 'release age unknown (no creation time in the image config); minimumReleaseAge is 3d' }],
    });
  });

  it('ignores unknown times when no age policy is set', () => {
    const candidate = indexCandidate(['linux/amd64'], { created: null, firstSeen: null });
    expect(evaluateCandidate(input(candidate, { policy: { minimumReleaseAge: 0, settleTime: null } }))).toEqual({ pass: true, platforms: ['linux/amd64'] });
  });

  it('blocks a creation time in the future', () => {
    const candidate = indexCandidate(['linux/amd64'], { created: NOW + 2 * HOUR });
    expect(evaluateCandidate(input(candidate, { policy: { minimumReleaseAge: HOUR } }))).toEqual({
      pass: false,
      reasons: [{ code: 'too-new', message: 'created 2h in the future; minimumReleaseAge is 1h' }],
    });
  });
});

describe('evaluateCandidate: untrusted answers', () => {
  it('blocks when the bytes do not hash to the digest, skipping platform rules', () => {
    const candidate = indexCandidate(['linux/arm64'], { contentDigest: EMPTY_OCI_INDEX_DIGEST.replace('eb37', 'eb38') });
    const verdict = evaluateCandidate(input(candidate, { policy: { platforms: ['linux/amd64'] } }));
    expect(verdict).toEqual({
      pass: false,
      reasons: [{ code: 'digest-mismatch', message: `manifest bytes hash to ${candidate.contentDigest}, not the expected ${candidate.digest}` }],
    });
  });

  it('turns an unreadable manifest into its reason', () => {
    const unreadable: UnreadableManifest = { kind: 'unreadable', code: 'unsupported-media-type', message: 'Docker schema 1 manifests are not supported' };
    const candidate = indexCandidate(['linux/amd64'], { manifest: unreadable });
    expect(evaluateCandidate(input(candidate, { policy: { platforms: ['linux/amd64'] } }))).toEqual({
      pass: false,
      reasons: [{ code: 'unsupported-media-type', message: 'Docker schema 1 manifests are not supported' }],
    });
  });
});

describe('evaluateCandidate: several reasons at once', () => {
  it('reports every reason in a fixed order', () => {
    const candidate = imageCandidate('linux/386', { created: null, firstSeen: NOW - 60_000 });
    const verdict = evaluateCandidate(input(candidate, { policy: { platforms: ['linux/amd64', 'linux/arm64'], minimumReleaseAge: 4 * HOUR, settleTime: HOUR } }));
    expect(verdict).toEqual({
      pass: false,
      reasons: [
        {
          code: 'missing-platforms',
          missing: ['linux/amd64', 'linux/arm64/v8'],
          message: 'image is single-platform linux/386; policy requires linux/amd64, linux/arm64/v8',
        },
        {
          code: 'single-arch',
          missing: ['linux/amd64', 'linux/arm64/v8'],
          message: 'image is single-platform linux/386, not a multi-platform index; policy requires linux/amd64, linux/arm64/v8',
        },
        {
          code: 'too-new',
          message: 'release age unknown (no creation time in the image config); minimumReleaseAge is 4h; digest first seen 1m ago; settleTime is 1h',
        },
      ],
    });
  });

  it('combines empty-index, regression and too-new for a fresh partial push', () => {
    const candidate = candidateFrom(EMPTY_OCI_INDEX_TEXT, OCI_INDEX, { created: null, firstSeen: null });
    const verdict = evaluateCandidate(input(candidate, { current: currentIndex(['linux/amd64']), policy: { settleTime: HOUR } }));
    expect(!verdict.pass && verdict.reasons.map((reason) => reason.code)).toEqual(['empty-index', 'platform-regression', 'too-new']);
  });
});
