// A hostile registry and a careless publisher, against the real registry: every case is a named hold (or
// the image's own error), never a pin of something unverified, and the other images are unaffected.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runArchpin, type CliRun } from '../support/run-cli.js';
import { deleteManifest, MEDIA_TYPES, pushBlob, pushEmptyIndex, pushImage, pushIndex, pushManifest, type Descriptor, type ImageDescriptor, type Platform } from '../support/seed.js';
import { useScenario } from '../support/scenario.js';

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };
const I386: Platform = { os: 'linux', architecture: '386' };
const TWO = ['linux/amd64', 'linux/arm64/v8'];

let counter = 0;
const scenario = useScenario({ name: 'check-hostile', proxy: {}, redirect: true });

beforeEach(() => scenario.proxy.reset());

interface Report {
  updates: Array<{ file: string; line: number; from: string; to: string; tag: string; updateType: string; digest: string; platforms: string[]; unverifiedPlatforms?: string[] }>;
  blocked: Array<{ image: string; tag: string | null; digest: string | null; reason: string; reasons: string[]; missing: string[]; message: string }>;
  errors: Array<{ image: string; tag: string | null; code: string; message: string }>;
}

async function images(repo: string, tag: string, platforms: readonly Platform[]): Promise<ImageDescriptor[]> {
  return Promise.all(platforms.map((platform) => pushImage(scenario.registry, repo, { ...platform, mediaType: 'oci', label: `${repo}:${tag}` })));
}

async function tagIndex(repo: string, tag: string, platforms: readonly Platform[]): Promise<string> {
  return (await pushIndex(scenario.registry, repo, tag, await images(repo, tag, platforms), { mediaType: 'oci' })).digest;
}

/** Pushes an index with exactly these entries (whatever they claim). */
async function rawIndex(repo: string, tag: string, manifests: readonly object[], extra: object = {}): Promise<{ digest: string; size: number }> {
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests, ...extra }));
  return { digest: await pushManifest(scenario.registry, repo, tag, bytes, MEDIA_TYPES.ociIndex), size: bytes.byteLength };
}

/** An image manifest whose config blob holds `config` as given. */
async function rawImage(repo: string, config: object, options: { configType?: string; artifactType?: string; tag?: string } = {}): Promise<Descriptor> {
  const configBlob = await pushBlob(scenario.registry, repo, Buffer.from(JSON.stringify(config)));
  const layer = await pushBlob(scenario.registry, repo, Buffer.from(`layer of ${repo} ${JSON.stringify(config)}`));
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      ...(options.artifactType ? { artifactType: options.artifactType } : {}),
      config: { mediaType: options.configType ?? MEDIA_TYPES.ociConfig, ...configBlob },
      layers: [{ mediaType: MEDIA_TYPES.ociLayer, ...layer }],
    }),
  );
  const digest = await pushManifest(scenario.registry, repo, options.tag ?? sha(bytes), bytes, MEDIA_TYPES.ociManifest);
  return { mediaType: MEDIA_TYPES.ociManifest, digest, size: bytes.byteLength };
}

function sha(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const pod = (...refs: string[]): string => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n${refs.map((ref, i) => `    - name: c${i}\n      image: ${ref}\n`).join('')}`;

async function check(refs: string[], options: { config?: object; cache?: string } = {}): Promise<{ run: CliRun; report: Report }> {
  const dir = scenario.tree({ 'pod.yaml': pod(...refs) });
  const args = ['check', dir, '--format', 'json', '--cache-dir', options.cache ?? path.join(scenario.work, `cache-${++counter}`)];
  if (options.config) {
    const file = path.join(scenario.work, `config-${++counter}.json`);
    writeFileSync(file, JSON.stringify(options.config));
    args.push('--config', file);
  }
  const run = await runArchpin(args);
  expect(run.stderr).toBe('');
  return { run, report: JSON.parse(run.stdout) as Report };
}

const held = (report: Report) => report.blocked.map((item) => [item.tag, item.reasons, item.missing]);
const proposals = (report: Report) => report.updates.map((update) => [update.to, update.updateType, update.platforms]);

describe('children are verified before a pin', () => {
  it('a deleted child, a child that is an empty index, a config that says s390x: each held with its reason; the newest older passing version is proposed', async () => {
    const repo = 'hostile/children';
    await tagIndex(repo, '1.0.0', [AMD64, ARM64]);
    const good = await tagIndex(repo, '1.1.0', [AMD64, ARM64]);
    // 1.2.0: arm64's child was garbage-collected
    const [amd, arm] = await images(repo, '1.2.0', [AMD64, ARM64]);
    const dangling = await rawIndex(repo, '1.2.0', [amd!, arm!]);
    await deleteManifest(scenario.registry, repo, arm!.digest);
    // 1.3.0: the arm64 entry points at the empty index
    const [amd3] = await images(repo, '1.3.0', [AMD64]);
    const emptyDigest = await pushEmptyIndex(scenario.registry, repo, 'empty');
    const emptyChild = await rawIndex(repo, '1.3.0', [amd3!, { mediaType: MEDIA_TYPES.ociManifest, digest: emptyDigest, size: 89, platform: ARM64 }]);
    // 1.4.0: the arm64 entry holds an s390x image
    const [amd4, s390x] = await images(repo, '1.4.0', [AMD64, { os: 'linux', architecture: 's390x' }]);
    const lying = await rawIndex(repo, '1.4.0', [amd4!, { ...s390x!, platform: ARM64 }]);

    const { run, report } = await check([`${scenario.host}/${repo}:1.0.0`]);
    expect(run.code).toBe(0);
    expect(proposals(report)).toEqual([[`${scenario.host}/${repo}:1.1.0@${good}`, 'minor', TWO]]);
    expect(held(report)).toEqual([
      ['1.4.0', ['platform-mismatch'], ['linux/arm64/v8']],
      ['1.3.0', ['child-not-image'], ['linux/arm64/v8']],
      ['1.2.0', ['child-missing'], ['linux/arm64/v8']],
    ]);
    expect(report.blocked.map((item) => item.digest)).toEqual([lying.digest, emptyChild.digest, dangling.digest]);
    expect(report.blocked[0]!.message).toBe("linux/arm64/v8: the child's config says linux/s390x");
    expect(report.blocked[2]!.message).toBe(`linux/arm64/v8: child ${arm!.digest.slice(0, 19)} is missing from the registry (404)`);
    expect(report.errors).toEqual([]);
  });

  it('with minimumReleaseAge, a missing child holds its candidate instead of aborting the lookup', async () => {
    const repo = 'hostile/aged';
    await tagIndex(repo, '1.0.0', [AMD64, ARM64]);
    const good = await tagIndex(repo, '1.1.0', [AMD64, ARM64]);
    const [amd, arm] = await images(repo, '1.2.0', [AMD64, ARM64]);
    await rawIndex(repo, '1.2.0', [amd!, arm!]);
    await deleteManifest(scenario.registry, repo, amd!.digest);
    const { run, report } = await check([`${scenario.host}/${repo}:1.0.0`], { config: { minimumReleaseAge: '3 days' } });
    expect(run.code).toBe(0);
    expect(proposals(report)).toEqual([[`${scenario.host}/${repo}:1.1.0@${good}`, 'minor', TWO]]);
    expect(held(report)).toEqual([['1.2.0', ['child-missing'], ['linux/amd64']]]);
  });

  it('a size that disagrees with the descriptor, a child over the size limit, a child whose bytes are corrupted: held', async () => {
    const repo = 'hostile/sizes';
    const base = await tagIndex(repo, '1.0.0', [AMD64, ARM64]);
    const [amd, arm] = await images(repo, '1.1.0', [AMD64, ARM64]);
    await rawIndex(repo, '1.1.0', [amd!, { ...arm!, size: arm!.size + 7 }]);
    const [amd2, arm2] = await images(repo, '1.2.0', [AMD64, ARM64]);
    await rawIndex(repo, '1.2.0', [amd2!, { ...arm2!, size: 5 * 1024 * 1024 }]);
    const [amd3, arm3] = await images(repo, '1.3.0', [AMD64, ARM64]);
    await rawIndex(repo, '1.3.0', [amd3!, arm3!]);
    scenario.proxy.addFault({ method: 'GET', path: `/v2/${repo}/manifests/${arm3!.digest}`, fault: { kind: 'corrupt' } });
    const { run, report } = await check([`${scenario.host}/${repo}:1.0.0@${base}`]);
    expect(run.code).toBe(0);
    expect(proposals(report)).toEqual([]);
    expect(held(report)).toEqual([
      ['1.3.0', ['digest-mismatch'], ['linux/arm64/v8']],
      ['1.2.0', ['manifest-too-large'], ['linux/arm64/v8']],
      ['1.1.0', ['size-mismatch'], ['linux/arm64/v8']],
    ]);
    expect(report.errors).toEqual([]);
  });

  it('a child served through a redirect to another host is verified from its bytes and pinned', async () => {
    const repo = 'hostile/redirect';
    const base = await tagIndex(repo, '1.0.0', [AMD64, ARM64]);
    const [amd, arm] = await images(repo, '1.1.0', [AMD64, ARM64]);
    const next = await rawIndex(repo, '1.1.0', [amd!, arm!]);
    scenario.proxy.addFault({ method: 'GET', path: `/v2/${repo}/manifests/${arm!.digest}`, fault: { kind: 'redirect', to: scenario.redirect } });
    const { run, report } = await check([`${scenario.host}/${repo}:1.0.0@${base}`]);
    expect(run.code).toBe(0);
    expect(proposals(report)).toEqual([[`${scenario.host}/${repo}:1.1.0@${next.digest}`, 'minor', TWO]]);
    expect(scenario.proxy.requests.filter((request) => request.fault === 'redirect').length).toBe(1);
  });

  it('a config blob corrupted on the way is digest-mismatch; the same platform twice with different digests is duplicate-platform', async () => {
    const repo = 'hostile/lies';
    const base = await tagIndex(repo, '1.0.0', [AMD64, ARM64]);
    const [amd, arm] = await images(repo, '1.1.0', [AMD64, ARM64]);
    await rawIndex(repo, '1.1.0', [amd!, arm!]);
    const [amdA, armA] = await images(repo, '1.2.0', [AMD64, ARM64]);
    const [amdB] = await images(repo, '1.2.0-b', [AMD64]);
    await rawIndex(repo, '1.2.0', [amdA!, armA!, amdB!]);
    const armManifest = (await (await fetch(`${scenario.registry.url}/v2/${repo}/manifests/${arm!.digest}`, { headers: { accept: MEDIA_TYPES.ociManifest } })).json()) as {
      config: { digest: string };
    };
    scenario.proxy.addFault({ method: 'GET', path: `/v2/${repo}/blobs/${armManifest.config.digest}`, fault: { kind: 'corrupt' } });
    const { run, report } = await check([`${scenario.host}/${repo}:1.0.0@${base}`]);
    expect(run.code).toBe(0);
    expect(proposals(report)).toEqual([]);
    expect(held(report)).toEqual([
      ['1.2.0', ['duplicate-platform'], []],
      ['1.1.0', ['digest-mismatch'], ['linux/arm64/v8']],
    ]);
    expect(report.blocked[0]!.message).toBe('index lists linux/amd64 more than once with different digests');
  });
});

describe('index shapes', () => {
  it('a nested index is resolved and its top digest pinned; one nested too deep is nested-index; entries without a platform are no-platform', async () => {
    const repo = 'hostile/nested';
    const base = await tagIndex(repo, '1.0.0', [AMD64, ARM64]);
    const inner = await rawIndex(repo, 'inner', await images(repo, 'inner', [AMD64, ARM64]));
    const nested = await rawIndex(repo, '1.1.0', [{ mediaType: MEDIA_TYPES.ociIndex, ...inner }]);
    let deep = await rawIndex(repo, 'deep-0', await images(repo, 'deep', [AMD64, ARM64]));
    for (let level = 1; level <= 3; level++) deep = await rawIndex(repo, `deep-${level}`, [{ mediaType: MEDIA_TYPES.ociIndex, ...deep }]);
    await rawIndex(repo, '1.2.0', [{ mediaType: MEDIA_TYPES.ociIndex, ...deep }]);
    const [amd, arm] = await images(repo, '1.3.0', [AMD64, ARM64]);
    await rawIndex(repo, '1.3.0', [{ mediaType: amd!.mediaType, digest: amd!.digest, size: amd!.size }, arm!]);

    const { run, report } = await check([`${scenario.host}/${repo}:1.0.0@${base}`]);
    expect(run.code).toBe(0);
    expect(proposals(report)).toEqual([[`${scenario.host}/${repo}:1.1.0@${nested.digest}`, 'minor', TWO]]);
    expect(held(report)).toEqual([
      ['1.3.0', ['platform-regression', 'no-platform'], ['linux/amd64']],
      ['1.2.0', ['platform-regression', 'nested-index'], ['linux/amd64', 'linux/arm64/v8']],
    ]);
  });

  it('artifacts at version tags (config {}, artifactType, referrers) and cosign tags are never candidates and never abort the lookup', async () => {
    const repo = 'hostile/artifacts';
    await tagIndex(repo, '1.0.0', [AMD64, ARM64]);
    const good = await tagIndex(repo, '1.1.0', [AMD64, ARM64]);
    await rawImage(repo, {}, { configType: 'application/vnd.oci.empty.v1+json', artifactType: 'application/vnd.example.sbom', tag: '1.2.0' });
    await rawImage(repo, {}, { tag: '1.3.0' });
    const signature = await rawImage(repo, { architecture: '', os: '' }, { tag: `${good.replace(':', '-')}.sig` });
    await rawIndex(repo, '1.4.0', [signature], { subject: { mediaType: MEDIA_TYPES.ociIndex, digest: good, size: 1 } });
    const { run, report } = await check([`${scenario.host}/${repo}:1.0.0`, `${scenario.host}/hostile/children:1.0.0`]);
    expect(run.code).toBe(0);
    expect(report.updates.map((update) => [update.line, update.to])).toEqual([
      [8, `${scenario.host}/${repo}:1.1.0@${good}`],
      [10, expect.stringMatching(new RegExp(`^${scenario.host}/hostile/children:1\\.1\\.0@sha256:`))],
    ]);
    expect(report.blocked.filter((item) => item.image === `${scenario.host}/${repo}`).map((item) => [item.tag, item.reasons])).toEqual([
      ['1.4.0', ['artifact']],
      ['1.3.0', ['artifact']],
      ['1.2.0', ['artifact']],
    ]);
    expect(report.errors).toEqual([]);
  });
});

describe('unknown baseline', () => {
  it('an unpinned latest that holds a 386-only or arm64-only index is not pinned; a complete one is', async () => {
    const only386 = await tagIndex('hostile/i386', 'latest', [I386]);
    const onlyArm = await tagIndex('hostile/arm', 'latest', [ARM64]);
    const full = await tagIndex('hostile/full', 'latest', [AMD64, ARM64]);
    const { run, report } = await check([`${scenario.host}/hostile/i386:latest`, `${scenario.host}/hostile/arm:latest`, `${scenario.host}/hostile/full:latest`]);
    expect(run.code).toBe(0);
    expect(proposals(report)).toEqual([[`${scenario.host}/hostile/full:latest@${full}`, 'pin', TWO]]);
    expect(report.blocked.map((item) => [item.image, item.digest, item.reasons, item.missing, item.message])).toEqual([
      [`${scenario.host}/hostile/i386`, only386, ['missing-platforms'], ['linux/amd64'], 'index lists only linux/386; required by default, as no platforms are configured: linux/amd64'],
      [`${scenario.host}/hostile/arm`, onlyArm, ['missing-platforms'], ['linux/amd64'], 'index lists only linux/arm64/v8; required by default, as no platforms are configured: linux/amd64'],
    ]);
  });

  it('a pin to a partial index moves only to a version with linux/amd64, not to the next partial one', async () => {
    const repo = 'hostile/partial-pin';
    const pinned = await tagIndex(repo, '1.0.0', [ARM64]);
    const stillPartial = await tagIndex(repo, '1.1.0', [ARM64]);
    const { report } = await check([`${scenario.host}/${repo}:1.0.0@${pinned}`]);
    expect(proposals(report)).toEqual([]);
    expect(report.blocked.map((item) => [item.tag, item.digest, item.reasons])).toEqual([['1.1.0', stillPartial, ['missing-platforms']]]);
    const complete = await tagIndex(repo, '1.2.0', [AMD64, ARM64]);
    const after = await check([`${scenario.host}/${repo}:1.0.0@${pinned}`]);
    // linux/amd64 is what the unknown-baseline rule requires: only its child is verified and claimed.
    expect(proposals(after.report)).toEqual([[`${scenario.host}/${repo}:1.2.0@${complete}`, 'minor', ['linux/amd64']]]);
    expect(after.report.updates[0]!.unverifiedPlatforms).toEqual(['linux/arm64/v8']);
  });
});

describe('cost', () => {
  it('a warm run against an unchanged registry sends no manifest GET and no blob GET', async () => {
    const repo = 'hostile/warm';
    const base = await tagIndex(repo, '1.0.0', [AMD64, ARM64]);
    await tagIndex(repo, '1.1.0', [AMD64, ARM64]);
    const cache = path.join(scenario.work, 'warm-cache');
    const cold = await check([`${scenario.host}/${repo}:1.0.0@${base}`], { cache });
    expect(cold.report.updates.length).toBe(1);
    // cold: the pinned index, the candidate's index, its two children and their two configs
    expect([scenario.proxy.count('GET', /\/manifests\//), scenario.proxy.count('GET', /\/blobs\//)]).toEqual([4, 2]);
    scenario.proxy.reset();
    const warm = await check([`${scenario.host}/${repo}:1.0.0@${base}`], { cache });
    expect(warm.report.updates).toEqual(cold.report.updates);
    expect([scenario.proxy.count('GET', /\/manifests\//), scenario.proxy.count('GET', /\/blobs\//)]).toEqual([0, 0]);
  });
});

describe('audit', () => {
  async function audit(refs: string[], options: { cache?: string; format?: 'json' | 'text' } = {}): Promise<CliRun> {
    const dir = scenario.tree({ 'pod.yaml': pod(...refs) });
    return runArchpin(['audit', dir, '--format', options.format ?? 'json', '--cache-dir', options.cache ?? path.join(scenario.work, `cache-${++counter}`)]);
  }

  it('a deleted pin, a pin with a dangling child and a pin whose child lies are unsafe (exit 3) with reasons and the newest passing fix', async () => {
    const repo = 'audit/pins';
    const [amd, arm] = await images(repo, '1.0.0', [AMD64, ARM64]);
    const deleted = await rawIndex(repo, 'deleted', [amd!, arm!]);
    const [amd1, arm1] = await images(repo, '1.0.1', [AMD64, ARM64]);
    const dangling = await rawIndex(repo, '1.0.1', [amd1!, arm1!]);
    const [amd2, s390x] = await images(repo, '1.0.2', [AMD64, { os: 'linux', architecture: 's390x' }]);
    const lying = await rawIndex(repo, '1.0.2', [amd2!, { ...s390x!, platform: ARM64 }]);
    const fixed = await tagIndex(repo, '1.1.0', [AMD64, ARM64]);
    const cache = path.join(scenario.work, 'audit-cache');
    // a first run while everything is there warms the cache
    const before = await audit([`${scenario.host}/${repo}:1.0.0@${deleted.digest}`], { cache });
    expect(before.code).toBe(0);
    await deleteManifest(scenario.registry, repo, deleted.digest);
    await deleteManifest(scenario.registry, repo, arm1!.digest);

    const run = await audit([`${scenario.host}/${repo}:1.0.0@${deleted.digest}`, `${scenario.host}/${repo}:1.0.1@${dangling.digest}`, `${scenario.host}/${repo}:1.0.2@${lying.digest}`], { cache });
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as { audit: Array<{ line: number; reasons: string[]; missing: string[]; fix: string | null }>; summary: object; errors: unknown[] };
    expect(report.audit.map((finding) => [finding.line, finding.reasons, finding.missing, finding.fix])).toEqual([
      [8, ['pin-missing'], [], `${scenario.host}/${repo}:1.1.0@${fixed}`],
      [10, ['child-missing'], ['linux/arm64/v8'], `${scenario.host}/${repo}:1.1.0@${fixed}`],
      [12, ['platform-mismatch'], ['linux/arm64/v8'], `${scenario.host}/${repo}:1.1.0@${fixed}`],
    ]);
    expect(report.summary).toEqual({ pins: 3, unsafe: 3, unchecked: 0 });
    expect(report.errors).toEqual([]);
  });

  it('config blobs the cache holds are confirmed with a HEAD: one the registry lost makes the pin unsafe', async () => {
    const repo = 'audit/config-gone';
    const pinned = await tagIndex(repo, '1.0.0', [AMD64, ARM64]);
    const cache = path.join(scenario.work, 'audit-config-cache');
    const before = await audit([`${scenario.host}/${repo}:1.0.0@${pinned}`], { cache });
    expect(before.code).toBe(0);
    // Every blob of the repository now answers 404 (garbage-collected), while manifests are still there.
    scenario.proxy.reset();
    scenario.proxy.addFault({ path: new RegExp(`^/v2/${repo}/blobs/`), fault: { kind: 'status', status: 404 } });
    const run = await audit([`${scenario.host}/${repo}:1.0.0@${pinned}`], { cache });
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as { audit: Array<{ reasons: string[]; missing: string[]; message: string }> };
    expect(report.audit.map((finding) => [finding.reasons, finding.missing])).toEqual([[['child-missing'], ['linux/amd64', 'linux/arm64/v8']]]);
    expect(report.audit[0]!.message).toMatch(/^linux\/amd64: child sha256:[0-9a-f]{12}'s config blob sha256:[0-9a-f]{12} is missing from the registry \(404\); linux\/arm64\/v8: /);
    // Both config blobs were asked for with a HEAD, never downloaded again.
    expect([scenario.proxy.count('HEAD', /\/blobs\//), scenario.proxy.count('GET', /\/blobs\//)]).toEqual([2, 0]);
  });

  it('when only an older version passes, the fix proposes it', async () => {
    const repo = 'audit/older';
    const good = await tagIndex(repo, '2.0.0', [AMD64, ARM64]);
    const partial = await tagIndex(repo, '2.1.0', [ARM64]);
    const run = await audit([`${scenario.host}/${repo}:2.1.0@${partial}`], { format: 'text' });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe(
      [
        'Unsafe pins (1):',
        `  pod.yaml:8  ${scenario.host}/${repo}:2.1.0@${partial}`,
        '      missing-platforms: index lists only linux/arm64/v8; required by default, as no platforms are configured: linux/amd64',
        `      fix: ${scenario.host}/${repo}:2.0.0@${good}`,
        '',
      ].join('\n'),
    );
  });

  it('with the registry down, nothing is called safe: it says how many pins could not be checked (exit 1)', async () => {
    const repo = 'audit/down';
    const pinned = await tagIndex(repo, '1.0.0', [AMD64, ARM64]);
    scenario.proxy.addFault({ path: new RegExp(`^/v2/${repo}/`), fault: { kind: 'status', status: 503 } });
    const run = await audit([`${scenario.host}/${repo}:1.0.0@${pinned}`], { format: 'text' });
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n').slice(0, 3)).toEqual(['No unsafe pin among the 0 checked; 1 of 1 pinned image could not be checked (see errors): their safety is unknown.', '', 'Errors (1):']);
    expect(run.stdout).not.toContain('safe.');
  });
});

describe('inspect', () => {
  interface Inspection {
    image: string;
    tag: string | null;
    digest: string | null;
    mediaType: string | null;
    entries: Array<{ platform: string | null; digest: string; size: number; kind: string; verified: boolean | null; problem: string | null }>;
    verdict: { pass: boolean; platforms?: string[]; notRequired?: string[]; reasons?: Array<{ code: string; missing: string[] }> };
  }

  it('shows each entry verified or not, attestations marked, and the verdict; exit 3 when refused', async () => {
    const repo = 'inspect/app';
    const images1 = await images(repo, '1.0.0', [AMD64, ARM64]);
    const good = await pushIndex(scenario.registry, repo, '1.0.0', images1, { mediaType: 'oci', attestations: true });
    const [amd, s390x] = await images(repo, '1.1.0', [AMD64, { os: 'linux', architecture: 's390x' }]);
    const lying = await rawIndex(repo, '1.1.0', [amd!, { ...s390x!, platform: ARM64 }]);
    const cache = path.join(scenario.work, 'inspect-cache');

    const ok = await runArchpin(['inspect', `${scenario.host}/${repo}:1.0.0`, '--format', 'json', '--cache-dir', cache]);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    const passed = JSON.parse(ok.stdout) as Inspection;
    expect(passed.digest).toBe(good.digest);
    expect(passed.mediaType).toBe(MEDIA_TYPES.ociIndex);
    expect(passed.entries.map((entry) => [entry.platform, entry.kind, entry.verified])).toEqual([
      ['linux/amd64', 'image', true],
      ['linux/arm64/v8', 'image', true],
      ['unknown/unknown', 'attestation', null],
      ['unknown/unknown', 'attestation', null],
    ]);
    expect(passed.entries[0]!.size).toBe(images1[0]!.size);
    expect(passed.verdict).toEqual({ pass: true, platforms: TWO, notRequired: [] });

    // Without platforms configured only linux/amd64 is required: the lying arm64 child is shown, and does not decide.
    const lenient = await runArchpin(['inspect', `${scenario.host}/${repo}@${lying.digest}`, '--cache-dir', cache]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain(`linux/arm64/v8  ${s390x!.digest}  ${String(s390x!.size).padEnd(4)}  platform-mismatch: the child's config says linux/s390x\n`);
    expect(lenient.stdout.endsWith('\nverdict     pass (linux/amd64; not required, not vouched for: linux/arm64/v8)\n')).toBe(true);

    const bad = await runArchpin(['inspect', `${scenario.host}/${repo}@${lying.digest}`, '--platforms', 'linux/amd64,linux/arm64', '--cache-dir', cache]);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toContain(`digest      ${lying.digest}\n`);
    expect(bad.stdout).toContain(`linux/arm64/v8  ${s390x!.digest}  ${String(s390x!.size).padEnd(4)}  platform-mismatch: the child's config says linux/s390x\n`);
    expect(bad.stdout).toContain(`linux/amd64     ${amd!.digest}  ${String(amd!.size).padEnd(4)}  verified\n`);
    expect(bad.stdout.endsWith("\nverdict     refused: platform-mismatch: linux/arm64/v8: the child's config says linux/s390x\n")).toBe(true);

    const matrix = await runArchpin(['inspect', `${scenario.host}/${repo}`, '--tags', '2', '--platforms', 'linux/amd64,linux/arm64', '--cache-dir', cache]);
    expect(matrix.code).toBe(3);
    expect(matrix.stdout.split('\n').slice(2, 5)).toEqual([
      'tag    linux/amd64  linux/arm64/v8  verdict',
      '1.1.0  ok           BAD             refused (platform-mismatch)',
      '1.0.0  ok           ok              pass',
    ]);
  });
});
