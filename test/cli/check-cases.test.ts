import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runArchpin, type CliRun } from '../support/run-cli.js';
import { MEDIA_TYPES, pushAttestation, pushImage, pushIndex, pushManifest, type ImageDescriptor, type Platform, type PushedManifest } from '../support/seed.js';
import { useScenario } from '../support/scenario.js';

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };
const ARM_V7: Platform = { os: 'linux', architecture: 'arm', variant: 'v7' };
const ARM_V6: Platform = { os: 'linux', architecture: 'arm', variant: 'v6' };
const ARM_BARE: Platform = { os: 'linux', architecture: 'arm' };
const I386: Platform = { os: 'linux', architecture: '386' };
const FULL = ['linux/amd64', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm64/v8'];
/** The clock of every run (runArchpin's default). */
const NOW = Date.parse('2026-11-22T12:00:00Z');

let counter = 0;
// Tag lists come back 50 at a time at most, whatever `n` the client asks for.
const scenario = useScenario({ name: 'check-cases', seed: true, proxy: { pagination: { pageSize: 50, maxPageSize: 50 } } });

beforeEach(() => scenario.proxy.reset());

interface Pushed extends PushedManifest {
  images: ImageDescriptor[];
}

async function pushTag(repo: string, tag: string, platforms: readonly Platform[], options: { flavor?: 'oci' | 'docker'; created?: string; attestations?: boolean } = {}): Promise<Pushed> {
  const flavor = options.flavor ?? 'oci';
  const images = await Promise.all(
    platforms.map((platform) => pushImage(scenario.registry, repo, { ...platform, mediaType: flavor, label: `${repo}:${tag}`, ...(options.created ? { created: options.created } : {}) })),
  );
  const index = await pushIndex(scenario.registry, repo, tag, images, { mediaType: flavor, attestations: options.attestations ?? false });
  return { ...index, images };
}

const pod = (...images: string[]): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n${images.map((image, i) => `    - name: c${i}\n      image: ${image}\n`).join('')}`;

interface Report {
  references: Array<{ file: string; line: number; value: string; skip: string | null }>;
  updates: unknown[];
  blocked: unknown[];
  errors: unknown[];
}

async function check(dir: string, options: { config?: object; args?: string[]; cache?: string; now?: number } = {}): Promise<{ run: CliRun; report: Report }> {
  const args = ['check', dir, '--format', 'json', '--cache-dir', options.cache ?? path.join(scenario.work, `cache-${++counter}`), ...(options.args ?? [])];
  if (options.config !== undefined) {
    const file = path.join(scenario.work, `config-${++counter}.json`);
    writeFileSync(file, JSON.stringify(options.config));
    args.push('--config', file);
  }
  const run = await runArchpin(args, options.now === undefined ? {} : { now: options.now });
  expect(run.stderr).toBe('');
  return { run, report: JSON.parse(run.stdout) as Report };
}

describe('platform verdicts', () => {
  it('attestations next to real platforms pass; attestation-only is an empty index; 386-only regresses amd64', async () => {
    const repo = 'cases/runner';
    const current = await pushTag(repo, '1.0.0', [AMD64, ARM64]);
    const withAttestations = await pushTag(repo, '1.1.0', [AMD64, ARM64], { attestations: true });
    const only386 = await pushTag(repo, '1.2.0', [I386]);
    const unpublished = await pushImage(scenario.registry, repo, { ...AMD64, mediaType: 'oci', label: 'cases/runner:1.3.0' });
    const attestationOnly = await pushIndex(scenario.registry, repo, '1.3.0', [await pushAttestation(scenario.registry, repo, unpublished)], { mediaType: 'oci' });

    const dir = scenario.tree({ 'pod.yaml': pod(`${scenario.host}/${repo}:1.0.0`) });
    const { run, report } = await check(dir);
    expect(run.code).toBe(0);
    expect(report.updates).toEqual([
      {
        file: 'pod.yaml',
        line: 8,
        from: `${scenario.host}/${repo}:1.0.0`,
        to: `${scenario.host}/${repo}:1.1.0@${withAttestations.digest}`,
        image: `${scenario.host}/${repo}`,
        tag: '1.1.0',
        updateType: 'minor',
        digest: withAttestations.digest,
        platforms: ['linux/amd64', 'linux/arm64/v8'],
        fromPlatforms: ['linux/amd64', 'linux/arm64/v8'],
      },
    ]);
    expect(report.blocked).toEqual([
      {
        image: `${scenario.host}/${repo}`,
        tag: '1.3.0',
        digest: attestationOnly.digest,
        reason: 'empty-index',
        reasons: ['empty-index', 'platform-regression'],
        missing: ['linux/amd64', 'linux/arm64/v8'],
        message: 'index lists only attestation manifests (1), no runnable image; index lists no runnable platform; the current image provides linux/amd64, linux/arm64/v8',
      },
      {
        image: `${scenario.host}/${repo}`,
        tag: '1.2.0',
        digest: only386.digest,
        reason: 'platform-regression',
        reasons: ['platform-regression'],
        missing: ['linux/amd64', 'linux/arm64/v8'],
        message: 'index lists only linux/386; the current image provides linux/amd64, linux/arm64/v8',
      },
    ]);
    expect(report.errors).toEqual([]);
    expect(current.digest).not.toBe(withAttestations.digest);
  });

  it('a required linux/amd64 is never satisfied by 386: held, and the tag in use is pinned instead', async () => {
    const repo = 'cases/i386';
    const current = await pushTag(repo, '2.0.0', [I386, AMD64]);
    const only386 = await pushTag(repo, '2.1.0', [I386]);
    const dir = scenario.tree({ 'pod.yaml': pod(`${scenario.host}/${repo}:2.0.0`) });
    const { run, report } = await check(dir, { args: ['--platforms', 'linux/amd64'] });
    expect(run.code).toBe(0);
    expect(report.updates).toEqual([
      {
        file: 'pod.yaml',
        line: 8,
        from: `${scenario.host}/${repo}:2.0.0`,
        to: `${scenario.host}/${repo}:2.0.0@${current.digest}`,
        image: `${scenario.host}/${repo}`,
        tag: '2.0.0',
        updateType: 'pin',
        digest: current.digest,
        // Only the required platform's child is verified, so only it is claimed; 386 is listed as not verified.
        platforms: ['linux/amd64'],
        unverifiedPlatforms: ['linux/386'],
        fromPlatforms: ['linux/386', 'linux/amd64'],
      },
    ]);
    expect(report.blocked).toEqual([
      {
        image: `${scenario.host}/${repo}`,
        tag: '2.1.0',
        digest: only386.digest,
        reason: 'missing-platforms',
        reasons: ['missing-platforms'],
        missing: ['linux/amd64'],
        message: 'index lists only linux/386; policy requires linux/amd64',
      },
    ]);
  });

  it('arm without a variant is arm/v7; arm/v6 does not replace arm/v7', async () => {
    const repo = 'cases/edge';
    await pushTag(repo, '3.0.0', [AMD64, ARM_V7]);
    const bareArm = await pushTag(repo, '3.1.0', [AMD64, ARM_BARE]);
    const v6 = await pushTag(repo, '3.2.0', [AMD64, ARM_V6]);
    const dir = scenario.tree({ 'pod.yaml': pod(`${scenario.host}/${repo}:3.0.0`) });
    const { run, report } = await check(dir);
    expect(run.code).toBe(0);
    expect(report.updates).toEqual([
      {
        file: 'pod.yaml',
        line: 8,
        from: `${scenario.host}/${repo}:3.0.0`,
        to: `${scenario.host}/${repo}:3.1.0@${bareArm.digest}`,
        image: `${scenario.host}/${repo}`,
        tag: '3.1.0',
        updateType: 'minor',
        digest: bareArm.digest,
        platforms: ['linux/amd64', 'linux/arm/v7'],
        fromPlatforms: ['linux/amd64', 'linux/arm/v7'],
      },
    ]);
    expect(report.blocked).toEqual([
      {
        image: `${scenario.host}/${repo}`,
        tag: '3.2.0',
        digest: v6.digest,
        reason: 'platform-regression',
        reasons: ['platform-regression'],
        missing: ['linux/arm/v7'],
        message: 'index lists only linux/amd64, linux/arm/v6; the current image provides linux/arm/v7',
      },
    ]);
  });

  it('Docker manifest lists and OCI indexes are read alike, in both directions', async () => {
    await pushTag('cases/legacy', '1.0.0', [AMD64, ARM64], { flavor: 'docker' });
    const legacyNext = await pushTag('cases/legacy', '1.1.0', [AMD64, ARM64], { flavor: 'oci' });
    const modern = await pushTag('cases/modern', '4.0.0', [AMD64, ARM64], { flavor: 'oci' });
    const modernNext = await pushTag('cases/modern', '4.0.1', [AMD64, ARM64], { flavor: 'docker' });
    expect(modernNext.mediaType).toBe(MEDIA_TYPES.dockerList);
    const dir = scenario.tree({ 'compose.yaml': `services:\n  a:\n    image: ${scenario.host}/cases/legacy:1.0.0\n  b:\n    image: ${scenario.host}/cases/modern:4.0.0@${modern.digest}\n` });
    const { run, report } = await check(dir);
    expect(run.code).toBe(0);
    expect(report.updates).toEqual([
      {
        file: 'compose.yaml',
        line: 3,
        from: `${scenario.host}/cases/legacy:1.0.0`,
        to: `${scenario.host}/cases/legacy:1.1.0@${legacyNext.digest}`,
        image: `${scenario.host}/cases/legacy`,
        tag: '1.1.0',
        updateType: 'minor',
        digest: legacyNext.digest,
        platforms: ['linux/amd64', 'linux/arm64/v8'],
        fromPlatforms: ['linux/amd64', 'linux/arm64/v8'],
      },
      {
        file: 'compose.yaml',
        line: 5,
        from: `${scenario.host}/cases/modern:4.0.0@${modern.digest}`,
        to: `${scenario.host}/cases/modern:4.0.1@${modernNext.digest}`,
        image: `${scenario.host}/cases/modern`,
        tag: '4.0.1',
        updateType: 'patch',
        digest: modernNext.digest,
        platforms: ['linux/amd64', 'linux/arm64/v8'],
        fromPlatforms: ['linux/amd64', 'linux/arm64/v8'],
      },
    ]);
    expect(report.blocked).toEqual([]);
  });

  it('a single-arch manifest is held as single-arch when --platforms asks for two', async () => {
    const repo = 'cases/tool';
    const current = await pushTag(repo, '5.0.0', [AMD64, ARM64]);
    const single = await pushImage(scenario.registry, repo, { ...AMD64, mediaType: 'oci', label: 'cases/tool:5.1.0', tag: '5.1.0' });
    const dir = scenario.tree({ Dockerfile: `FROM ${scenario.host}/${repo}:5.0.0@${current.digest}\n` });
    const { run, report } = await check(dir, { args: ['--platforms', 'linux/amd64,linux/arm64'] });
    expect(run.code).toBe(0);
    expect(report.updates).toEqual([]);
    expect(report.blocked).toEqual([
      {
        image: `${scenario.host}/${repo}`,
        tag: '5.1.0',
        digest: single.digest,
        reason: 'missing-platforms',
        reasons: ['missing-platforms', 'single-arch'],
        missing: ['linux/arm64/v8'],
        message: 'image is single-platform linux/amd64; policy requires linux/arm64/v8; image is single-platform linux/amd64, not a multi-platform index; policy requires linux/amd64, linux/arm64/v8',
      },
    ]);
  });
});

describe('the incident', () => {
  it('a user on 27.0.3-dind gets 27.1.1-dind while 27.2.0-dind lacks amd64 (platforms from the config)', async () => {
    const dir = scenario.tree({ '.gitlab-ci.yml': `build:\n  services:\n    - ${scenario.host}/library/docker:27.0.3-dind\n  script: [docker info]\n` });
    const { run, report } = await check(dir, { config: { platforms: ['linux/amd64', 'linux/arm64'] } });
    expect(run.code).toBe(0);
    expect(report.updates).toEqual([
      {
        file: '.gitlab-ci.yml',
        line: 3,
        from: `${scenario.host}/library/docker:27.0.3-dind`,
        to: `${scenario.host}/library/docker:27.1.1-dind@${scenario.seed.digests['27.1.1-dind']}`,
        image: `${scenario.host}/library/docker`,
        tag: '27.1.1-dind',
        updateType: 'minor',
        digest: scenario.seed.digests['27.1.1-dind'],
        // The two required platforms are verified and claimed; the others the index lists are not verified.
        platforms: ['linux/amd64', 'linux/arm64/v8'],
        unverifiedPlatforms: ['linux/arm/v6', 'linux/arm/v7'],
        fromPlatforms: FULL,
      },
    ]);
    expect(report.blocked).toEqual([
      {
        image: `${scenario.host}/library/docker`,
        tag: '27.2.0-dind',
        digest: scenario.seed.digests['27.2.0-dind'],
        reason: 'missing-platforms',
        reasons: ['missing-platforms'],
        missing: ['linux/amd64'],
        message: 'index lists only linux/arm64/v8; policy requires linux/amd64',
      },
    ]);
    expect(report.errors).toEqual([]);
  });

  it("a pin to one platform's manifest on purpose moves to the same platform of the new index", async () => {
    const amd64 = (tag: '27.0.3-dind' | '27.1.1-dind' | '27.2.0-dind') => scenario.seed.images[tag].find((image) => image.platform.architecture === 'amd64')!.digest;
    const arm64 = (tag: '27.0.3-dind' | '27.2.0-dind') => scenario.seed.images[tag].find((image) => image.platform.architecture === 'arm64')!.digest;
    const dir = scenario.tree({
      Dockerfile: `FROM ${scenario.host}/library/docker:27.0.3-dind@${amd64('27.0.3-dind')} AS amd64\nFROM ${scenario.host}/library/docker:27.0.3-dind@${arm64('27.0.3-dind')} AS arm64\n`,
    });
    const { run, report } = await check(dir);
    expect(run.code).toBe(0);
    expect(report.updates).toEqual([
      {
        file: 'Dockerfile',
        line: 1,
        from: `${scenario.host}/library/docker:27.0.3-dind@${amd64('27.0.3-dind')}`,
        to: `${scenario.host}/library/docker:27.1.1-dind@${amd64('27.1.1-dind')}`,
        image: `${scenario.host}/library/docker`,
        tag: '27.1.1-dind',
        updateType: 'minor',
        digest: amd64('27.1.1-dind'),
        platforms: ['linux/amd64'],
        fromPlatforms: ['linux/amd64'],
      },
      {
        file: 'Dockerfile',
        line: 2,
        from: `${scenario.host}/library/docker:27.0.3-dind@${arm64('27.0.3-dind')}`,
        to: `${scenario.host}/library/docker:27.2.0-dind@${arm64('27.2.0-dind')}`,
        image: `${scenario.host}/library/docker`,
        tag: '27.2.0-dind',
        updateType: 'minor',
        digest: arm64('27.2.0-dind'),
        platforms: ['linux/arm64/v8'],
        fromPlatforms: ['linux/arm64/v8'],
      },
    ]);
    expect(report.blocked).toEqual([
      {
        image: `${scenario.host}/library/docker`,
        tag: '27.2.0-dind',
        digest: scenario.seed.digests['27.2.0-dind'],
        reason: 'platform-regression',
        reasons: ['platform-regression'],
        missing: ['linux/amd64'],
        message: 'index lists only linux/arm64/v8; the current image provides linux/amd64',
      },
    ]);
  });
});

describe('tag lists', () => {
  it('reads more than 100 tags across pages and finds the newest on the last one', async () => {
    const repo = 'cases/many';
    const old = await pushTag(repo, '1.0.0', [AMD64, ARM64]);
    const tags = Array.from({ length: 120 }, (_, i) => `1.${i + 1}.0`);
    for (const tag of tags) await pushManifest(scenario.registry, repo, tag, old.bytes, old.mediaType);
    const newest = await pushTag(repo, '1.999.0', [AMD64, ARM64]);
    const sorted = ['1.0.0', ...tags, '1.999.0'].sort();
    expect(sorted.at(-1)).toBe('1.999.0');

    const dir = scenario.tree({ 'pod.yaml': pod(`${scenario.host}/${repo}:1.0.0@${old.digest}`) });
    const { run, report } = await check(dir);
    expect(run.code).toBe(0);
    expect(report.updates).toEqual([
      {
        file: 'pod.yaml',
        line: 8,
        from: `${scenario.host}/${repo}:1.0.0@${old.digest}`,
        to: `${scenario.host}/${repo}:1.999.0@${newest.digest}`,
        image: `${scenario.host}/${repo}`,
        tag: '1.999.0',
        updateType: 'minor',
        digest: newest.digest,
        platforms: ['linux/amd64', 'linux/arm64/v8'],
        fromPlatforms: ['linux/amd64', 'linux/arm64/v8'],
      },
    ]);
    expect(scenario.proxy.requests.filter((r) => r.path === `/v2/${repo}/tags/list`).map((r) => [r.query, r.status])).toEqual([
      ['n=1000', 200],
      [`n=50&last=${sorted[49]}`, 200],
      [`n=50&last=${sorted[99]}`, 200],
    ]);
  });
});

describe('policy from the config', () => {
  let aged: { old: Pushed; fresh: Pushed };

  beforeAll(async () => {
    aged = {
      old: await pushTag('cases/aged', '1.0.0', [AMD64, ARM64], { created: '2026-10-01T08:00:00Z' }),
      fresh: await pushTag('cases/aged', '1.1.0', [AMD64, ARM64], { created: '2026-11-21T12:00:00Z' }),
    };
  });

  it('minimumReleaseAge holds a candidate created a day ago as too-new and pins the tag in use', async () => {
    const dir = scenario.tree({ 'pod.yaml': pod(`${scenario.host}/cases/aged:1.0.0`) });
    const { run, report } = await check(dir, { config: { minimumReleaseAge: '3 days' } });
    expect(run.code).toBe(0);
    expect(report.updates).toEqual([
      {
        file: 'pod.yaml',
        line: 8,
        from: `${scenario.host}/cases/aged:1.0.0`,
        to: `${scenario.host}/cases/aged:1.0.0@${aged.old.digest}`,
        image: `${scenario.host}/cases/aged`,
        tag: '1.0.0',
        updateType: 'pin',
        digest: aged.old.digest,
        platforms: ['linux/amd64', 'linux/arm64/v8'],
        fromPlatforms: ['linux/amd64', 'linux/arm64/v8'],
      },
    ]);
    expect(report.blocked).toEqual([
      {
        image: `${scenario.host}/cases/aged`,
        tag: '1.1.0',
        digest: aged.fresh.digest,
        reason: 'too-new',
        reasons: ['too-new'],
        missing: [],
        message: 'created 1d ago; minimumReleaseAge is 3d',
      },
    ]);
  });

  it('settleTime holds every digest first seen in this run, and lets it through on a later run', async () => {
    const dir = scenario.tree({ 'pod.yaml': pod(`${scenario.host}/cases/aged:1.0.0`) });
    const cache = path.join(scenario.work, 'settle-cache');
    const first = await check(dir, { config: { settleTime: '30 minutes' }, cache });
    expect(first.run.code).toBe(0);
    expect(first.report.updates).toEqual([]);
    expect(first.report.blocked).toEqual([
      {
        image: `${scenario.host}/cases/aged`,
        tag: '1.1.0',
        digest: aged.fresh.digest,
        reason: 'too-new',
        reasons: ['too-new'],
        missing: [],
        message: 'digest first seen just now; settleTime is 30m',
      },
      {
        image: `${scenario.host}/cases/aged`,
        tag: '1.0.0',
        digest: aged.old.digest,
        reason: 'too-new',
        reasons: ['too-new'],
        missing: [],
        message: 'digest first seen just now; settleTime is 30m',
      },
    ]);

    const later = await check(dir, { config: { settleTime: '30 minutes' }, cache, now: NOW + 45 * 60 * 1000 });
    expect(later.report.updates).toEqual([
      {
        file: 'pod.yaml',
        line: 8,
        from: `${scenario.host}/cases/aged:1.0.0`,
        to: `${scenario.host}/cases/aged:1.1.0@${aged.fresh.digest}`,
        image: `${scenario.host}/cases/aged`,
        tag: '1.1.0',
        updateType: 'minor',
        digest: aged.fresh.digest,
        platforms: ['linux/amd64', 'linux/arm64/v8'],
        fromPlatforms: ['linux/amd64', 'linux/arm64/v8'],
      },
    ]);
    expect(later.report.blocked).toEqual([]);
  });

  it('a package rule with enabled: false reports the references as ignored and never asks the registry', async () => {
    const dir = scenario.tree({ 'pod.yaml': pod(`${scenario.host}/cases/aged:1.0.0`, `${scenario.host}/library/docker:27.0.3`) });
    const { run, report } = await check(dir, { config: { packageRules: [{ matchImages: [`${scenario.host}/cases/aged`], enabled: false }] } });
    expect(run.code).toBe(0);
    expect(report.references.map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [8, `${scenario.host}/cases/aged:1.0.0`, 'ignored'],
      [10, `${scenario.host}/library/docker:27.0.3`, null],
    ]);
    expect((report.updates as Array<{ to: string }>).map((update) => update.to)).toEqual([`${scenario.host}/library/docker:27.1.1@${scenario.seed.digests['27.1.1']}`]);
    expect(scenario.proxy.count(undefined, /^\/v2\/cases\/aged\//)).toBe(0);
  });

  it("allowMajor: false keeps a rule's images within their major version", async () => {
    const repo = 'cases/major';
    await pushTag(repo, '1.0.0', [AMD64, ARM64]);
    const minor = await pushTag(repo, '1.1.0', [AMD64, ARM64]);
    const major = await pushTag(repo, '2.0.0', [AMD64, ARM64]);
    const dir = scenario.tree({ 'pod.yaml': pod(`${scenario.host}/${repo}:1.0.0`) });
    const update = (tag: string, digest: string, updateType: string) => ({
      file: 'pod.yaml',
      line: 8,
      from: `${scenario.host}/${repo}:1.0.0`,
      to: `${scenario.host}/${repo}:${tag}@${digest}`,
      image: `${scenario.host}/${repo}`,
      tag,
      updateType,
      digest,
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      fromPlatforms: ['linux/amd64', 'linux/arm64/v8'],
    });

    const allowed = await check(dir);
    expect(allowed.report.updates).toEqual([update('2.0.0', major.digest, 'major')]);
    const kept = await check(dir, { config: { packageRules: [{ matchImages: [`${scenario.host}/cases/*`], allowMajor: false }] } });
    expect(kept.report.updates).toEqual([update('1.1.0', minor.digest, 'minor')]);
  });
});
