import { describe, expect, it } from 'vitest';
import { DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, parseConfigCreated, parseManifestOrThrow } from '../../src/core/manifest.js';
import { parsePlatform } from '../../src/core/platform.js';
import type { GateCandidate, GateInput, GatePolicy } from '../../src/core/verdict.js';
import { evaluateCandidate } from '../../src/gate/evaluate.js';
import { HOUR, NO_POLICY, NOW, bytes, fakeDigest, gateCandidate, ociIndexJson } from './manifests.js';

/** The three annotations Tekton's bundles resolver reads on each layer. */
const resource = (kind: string, name: string): Record<string, string> => ({ 'dev.tekton.image.apiVersion': 'v1', 'dev.tekton.image.kind': kind, 'dev.tekton.image.name': name });

/** An image manifest as `tkn bundle push` writes it: a Docker-typed config naming no platform, one annotated layer per resource. */
function bundleJson(layers: ReadonlyArray<Record<string, string> | null>, mediaType: string = DOCKER_MANIFEST): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: fakeDigest('bundle config'), size: 412 },
    layers: layers.map((annotations, i) => ({
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
      digest: fakeDigest(`bundle layer ${i}`),
      size: 280 + i,
      ...(annotations === null ? {} : { annotations }),
    })),
  });
}

function candidate(text: string, contentType: string | null, extra: Partial<GateCandidate> = {}): GateCandidate {
  const configProblem = 'its config is not an image config (invalid image config: os: Too small: expected string to have >=1 characters)';
  return gateCandidate('registry.example.test/ci/task-lint', 'v2', text, contentType, { configProblem, ...extra });
}

const bundleInput = (candidateOf: GateCandidate, policy: Partial<GatePolicy> = {}): GateInput => ({
  content: 'tekton-bundle',
  candidate: candidateOf,
  current: null,
  policy: { ...NO_POLICY, ...policy },
  now: NOW,
});
const imageInput = (candidateOf: GateCandidate): GateInput => ({ candidate: candidateOf, current: null, policy: NO_POLICY, now: NOW });

describe('parseManifest: layer annotations', () => {
  it('keeps each layer string annotations, in order, when some layer has any', () => {
    const manifest = parseManifestOrThrow(bytes(bundleJson([resource('task', 'lint'), null, { 'dev.tekton.image.kind': 'task', size: 3 } as unknown as Record<string, string>])), null);
    expect(manifest).toEqual({
      kind: 'image',
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: fakeDigest('bundle config'), size: 412 },
      layers: 3,
      layerAnnotations: [resource('task', 'lint'), {}, { 'dev.tekton.image.kind': 'task' }],
    });
  });

  it("reads the creation time of a config that names no platform (a bundle's)", () => {
    expect(parseConfigCreated(bytes('{"architecture":"","created":"2024-08-01T12:00:00Z","os":"","rootfs":{"type":"layers","diff_ids":[]}}'))?.toISOString()).toBe('2024-08-01T12:00:00.000Z');
    expect(parseConfigCreated(bytes('{"architecture":"","os":""}'))).toBeNull();
    expect(parseConfigCreated(bytes('[1]'))).toBeNull();
  });
});

describe('evaluateCandidate: a Tekton bundle reference', () => {
  it('passes a bundle whose layers each name their resource, claiming no platform, whatever platforms the policy requires', () => {
    const two = candidate(bundleJson([resource('task', 'lint'), resource('stepaction', 'upload')]), null);
    expect(evaluateCandidate(bundleInput(two))).toEqual({ pass: true, platforms: [] });
    expect(evaluateCandidate(bundleInput(two, { platforms: ['linux/amd64', 'linux/arm64'] }))).toEqual({ pass: true, platforms: [] });
    expect(evaluateCandidate(bundleInput(candidate(bundleJson([resource('pipeline', 'release')], OCI_MANIFEST), null)))).toEqual({ pass: true, platforms: [] });
  });

  it('holds what is not a bundle, naming why', () => {
    const holds = (input: GateInput) => {
      const verdict = evaluateCandidate(input);
      return verdict.pass ? null : verdict.reasons.map((reason) => [reason.code, reason.message]);
    };
    const index = candidate(ociIndexJson(['linux/amd64', 'linux/arm64']), OCI_INDEX);
    expect(holds(bundleInput(index))).toEqual([['not-bundle', 'an image index (2 entries), not a Tekton bundle: a bundle is one image manifest']]);
    expect(holds(bundleInput(candidate(bundleJson([]), null)))).toEqual([['not-bundle', 'not a Tekton bundle: an image manifest with no layers (a Tekton bundle holds one resource per layer)']]);
    expect(holds(bundleInput(candidate(bundleJson([resource('task', 'lint'), { 'dev.tekton.image.kind': 'task', 'dev.tekton.image.name': 'test' }]), null)))).toEqual([
      ['not-bundle', 'not a Tekton bundle: layer 2 of 2 carries no dev.tekton.image.apiVersion'],
    ]);
    expect(holds(bundleInput(candidate(bundleJson([resource('Tasks', 'lint')]), null)))).toEqual([
      ['not-bundle', 'not a Tekton bundle: layer 1 of 1 names its kind "Tasks", not lowercase and singular as Tekton requires'],
    ]);
    const many = Array.from({ length: 21 }, (_, i) => resource('task', `t${i}`));
    expect(holds(bundleInput(candidate(bundleJson(many), null)))).toEqual([['not-bundle', "not a Tekton bundle: 21 layers: Tekton's bundles resolver takes at most 20 resources"]]);
    const runnable = candidate(bundleJson([null, null]), null, { imagePlatform: parsePlatform('linux/arm64'), configProblem: undefined });
    expect(holds(bundleInput(runnable))).toEqual([
      [
        'not-bundle',
        'an image to run (linux/arm64/v8), not a Tekton bundle: no layer carries the Tekton bundle annotations (dev.tekton.image.apiVersion, dev.tekton.image.kind, dev.tekton.image.name)',
      ],
    ]);
    const referrer = JSON.stringify({ ...(JSON.parse(bundleJson([resource('task', 'lint')])) as object), subject: { mediaType: OCI_MANIFEST, digest: fakeDigest('signed'), size: 1 } });
    expect(holds(bundleInput(candidate(referrer, null)))).toEqual([['not-bundle', `a referrer of ${fakeDigest('signed')} (signature, SBOM or attestation), not a Tekton bundle`]]);
  });

  it('holds a bundle whose bytes do not match its digest, or that is too new', () => {
    const lying = candidate(bundleJson([resource('task', 'lint')]), null, { contentDigest: fakeDigest('other bytes') });
    expect(evaluateCandidate(bundleInput(lying))).toEqual({
      pass: false,
      reasons: [{ code: 'digest-mismatch', message: `manifest bytes hash to ${fakeDigest('other bytes')}, not the expected ${lying.digest}` }],
    });
    const fresh = candidate(bundleJson([resource('task', 'lint')]), null, { created: NOW - HOUR });
    expect(evaluateCandidate(bundleInput(fresh, { minimumReleaseAge: 4 * HOUR }))).toEqual({ pass: false, reasons: [{ code: 'too-new', message: 'created 1h ago; minimumReleaseAge is 4h' }] });
  });

  it('a bundle is no candidate for a container image: it is held as an artifact, named as a bundle', () => {
    expect(evaluateCandidate(imageInput(candidate(bundleJson([resource('task', 'lint'), resource('task', 'test')]), null)))).toEqual({
      pass: false,
      reasons: [{ code: 'artifact', message: 'a Tekton bundle (holding the task lint, task test), not an image to run' }],
    });
    // Without the annotations, it is the artifact it was.
    expect(evaluateCandidate(imageInput(candidate(bundleJson([null]), null)))).toEqual({
      pass: false,
      reasons: [{ code: 'artifact', message: 'not a runnable image: its config is not an image config (invalid image config: os: Too small: expected string to have >=1 characters)' }],
    });
  });
});
