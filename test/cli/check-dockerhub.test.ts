import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EMPTY_OCI_INDEX_DIGEST } from '../../src/core/digest.js';
import { startDockerHub, type DockerHubDouble } from '../support/dockerhub-double.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runArchpin, type CliRun } from '../support/run-cli.js';
import { deleteManifest, MEDIA_TYPES, pushImage, pushIndex, pushManifest, seedIncident, type IncidentSeed, type IncidentTag } from '../support/seed.js';
import { writeTree } from '../support/scenario.js';
import { startRedirectTarget, type RedirectTarget } from '../support/proxy.js';
import { createTokenCache, type TokenCache } from '../../src/lookup/token-cache.js';

const FULL = ['linux/amd64', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm64/v8'];
const NOW = Date.parse('2026-11-22T12:00:00Z');
/** A private repository read without the tags API: the pinned index, the candidate's index and its two children. */
const PRIVATE_REGISTRY_PATH_PULLS = 4;

let registry: TestRegistry;
let hub: DockerHubDouble;
let seed: IncidentSeed;
let work: string;
let counter = 0;

beforeAll(async () => {
  registry = await startRegistry();
  seed = await seedIncident(registry);
  hub = await startDockerHub({ upstream: registry.url, now: NOW });
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-dockerhub-'));
});

afterAll(async () => {
  await hub?.stop();
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  hub.reset();
  hub.quota = 100;
  hub.apiDown = false;
  for (const key of Object.keys(hub.pushedAt)) Reflect.deleteProperty(hub.pushedAt, key);
});

const makeDir = (name: string, files: Record<string, string>): string => writeTree(path.join(work, name), files);

interface Report {
  updates: Array<{ file: string; line: number; from: string; to: string; updateType: string; platforms: string[] }>;
  blocked: Array<{ tag: string; reason: string; missing: string[]; digest: string; message: string }>;
  errors: Array<{ image: string; tag: string | null; code: string; message: string }>;
  registries: Array<{ host: string; kind: string; pulls: number; requests: number; rateLimit: { limit: number; remaining: number } | null; stopped: boolean }>;
  audit?: Array<{ file: string; line: number; reason: string; message: string; fix: string | null }>;
}

async function archpin(command: 'check' | 'audit', dir: string, cache: string, extra: object = {}, now = NOW, tokens?: TokenCache): Promise<{ run: CliRun; report: Report }> {
  const config = path.join(work, `config-${++counter}.json`);
  writeFileSync(config, JSON.stringify({ mirrors: { 'docker.io': hub.registryUrl }, registries: { 'docker.io': { hubApiUrl: hub.apiUrl } }, ...extra }));
  const run = await runArchpin([command, dir, '--format', 'json', '--cache-dir', cache, '--config', config], { now, ...(tokens ? { tokens } : {}) });
  return { run, report: JSON.parse(run.stdout) as Report };
}

const incidentTree = () =>
  makeDir(`tree-${++counter}`, {
    '.gitlab-ci.yml': `build:\n  image: docker:27.1.1\n  services:\n    - docker:27.0.3-dind@${seed.digests['27.0.3-dind']}\n`,
    'k8s/dind.yaml': `apiVersion: v1\nkind: Pod\nmetadata: {name: dind}\nspec:\n  containers:\n    - name: dind\n      image: docker:27.1.1-dind@${seed.digests['27.1.1-dind']}\n`,
  });

describe('Docker Hub: the tags API answers, pulls are spent only on what is proposed', () => {
  it('cold: the update and the pin cost one pull each (children confirmed by HEAD and the tags API); the partial candidate and the up-to-date pin cost none; warm: no pull at all', async () => {
    const dir = incidentTree();
    const cache = path.join(work, 'cache-cold-warm');
    const cold = await archpin('check', dir, cache);
    expect(cold.run.code).toBe(0);
    expect(cold.report.updates.map(({ file, line, from, to, updateType }) => ({ file, line, from, to, updateType }))).toEqual([
      { file: '.gitlab-ci.yml', line: 2, from: 'docker:27.1.1', to: `docker:27.1.1@${seed.digests['27.1.1']}`, updateType: 'pin' },
      { file: '.gitlab-ci.yml', line: 4, from: `docker:27.0.3-dind@${seed.digests['27.0.3-dind']}`, to: `docker:27.1.1-dind@${seed.digests['27.1.1-dind']}`, updateType: 'minor' },
    ]);
    expect(cold.report.updates.map((update) => update.platforms)).toEqual([FULL, FULL]);
    expect(cold.report.blocked.map(({ tag, reason, missing, digest }) => [tag, reason, missing, digest])).toEqual([
      ['27.2.0-dind', 'platform-regression', ['linux/amd64', 'linux/arm/v6', 'linux/arm/v7'], seed.digests['27.2.0-dind']],
    ]);
    expect(cold.report.errors).toEqual([]);
    // Each proposed index is the one pull. Its four platform children are confirmed by HEAD (digest, size, media
    // type), their platforms by the tags API's record of each image: HEADs are free, so no child costs a pull.
    expect(hub.pulls).toBe(2);
    expect(hub.count('GET', /\/manifests\//)).toBe(2);
    expect(hub.count('GET', /\/manifests\/sha256:/)).toBe(2);
    expect(hub.count('GET', /\/blobs\//)).toBe(0);
    expect(hub.count('GET', /\/tags\/list/)).toBe(0);
    // One HEAD collects the token challenge (401), then one HEAD per proposed candidate and one per child. The
    // children of 27.1.1 may be confirmed before or after the 27.1.1-dind candidate is asked for, so past the
    // first candidate the HEADs are compared as a set.
    const heads = hub.requests.filter((r) => r.method === 'HEAD').map((r) => `${r.path} ${r.status}`);
    expect(heads.slice(0, 2)).toEqual(['/v2/library/docker/manifests/27.1.1 401', '/v2/library/docker/manifests/27.1.1 200']);
    expect(heads.slice(2).sort()).toEqual(
      ['/v2/library/docker/manifests/27.1.1-dind 200', ...[...seed.images['27.1.1'], ...seed.images['27.1.1-dind']].map(({ digest }) => `/v2/library/docker/manifests/${digest} 200`)].sort(),
    );
    expect(hub.apiRequests).toBe(1);
    expect(cold.report.registries).toEqual([{ host: 'docker.io', kind: 'dockerhub', pulls: 2, requests: 7 + 8, rateLimit: { limit: 100, remaining: 98 }, stopped: false }]);

    hub.reset();
    const warm = await archpin('check', dir, cache);
    expect(warm.report.updates).toEqual(cold.report.updates);
    expect(warm.report.blocked).toEqual(cold.report.blocked);
    expect(hub.pulls).toBe(0);
    expect(hub.count('GET', /\/manifests\//)).toBe(0);
    // Within tagCacheTtl the two tags' digests are remembered, and the children confirmed cold are remembered by
    // digest: no HEAD at all. Ten minutes later the two tags are HEADed again (free), and still no pull.
    expect(hub.requests.filter((r) => r.method === 'HEAD')).toEqual([]);
    hub.reset();
    const later = await archpin('check', dir, cache, {}, Date.parse('2026-11-22T12:10:00Z'));
    expect(later.report.updates).toEqual(cold.report.updates);
    expect(hub.pulls).toBe(0);
    expect(hub.requests.filter((r) => r.method === 'HEAD' && r.status === 200)).toHaveLength(2);
  });

  it('children on Docker Hub: a lying or deleted child is held on the tags API record without a pull; a size that lies is caught by the HEAD, with the index the only pull', async () => {
    const repo = 'acme/lying';
    const amd = await pushImage(registry, repo, { os: 'linux', architecture: 'amd64', mediaType: 'oci', label: repo });
    const arm = await pushImage(registry, repo, { os: 'linux', architecture: 'arm64', variant: 'v8', mediaType: 'oci', label: repo });
    const s390x = await pushImage(registry, repo, { os: 'linux', architecture: 's390x', mediaType: 'oci', label: repo });
    const gone = await pushImage(registry, repo, { os: 'linux', architecture: 'arm64', variant: 'v8', mediaType: 'oci', label: `${repo} gone` });
    const pinned = await pushIndex(registry, repo, '1.0.0', [amd, arm], { mediaType: 'oci' });
    const raw = async (tag: string, manifests: object[]): Promise<string> =>
      pushManifest(registry, repo, tag, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests })), MEDIA_TYPES.ociIndex);
    // 1.1.0 lists an arm64 child the registry no longer has; 1.2.0 lists the s390x image as arm64; 1.3.0 gives arm64 a wrong size.
    const dangling = await raw('1.1.0', [amd, gone]);
    await deleteManifest(registry, repo, gone.digest);
    const lying = await raw('1.2.0', [amd, { ...s390x, platform: arm.platform }]);
    const wrongSize = await raw('1.3.0', [amd, { ...arm, size: arm.size + 1 }]);
    const dir = makeDir('lying', { Dockerfile: `FROM ${repo}:1.0.0@${pinned.digest}\n` });
    const { run, report } = await archpin('check', dir, path.join(work, 'cache-lying'));
    expect(run.code).toBe(0);
    expect(report.updates).toEqual([]);
    expect(report.blocked.map(({ tag, reason, digest, message }) => [tag, reason, digest, message])).toEqual([
      ['1.3.0', 'size-mismatch', wrongSize, `linux/arm64/v8: child ${arm.digest.slice(0, 19)} is ${arm.size} bytes; the index's descriptor says ${arm.size + 1}`],
      ['1.2.0', 'platform-regression', lying, 'index lists only linux/amd64, linux/s390x; the current image provides linux/arm64/v8 (as the Docker Hub tags API records it)'],
      ['1.1.0', 'platform-regression', dangling, 'index lists only linux/amd64; the current image provides linux/arm64/v8 (as the Docker Hub tags API records it)'],
    ]);
    // The one pull is the index about to be proposed; its children are HEADs.
    expect(hub.pulls).toBe(1);
    expect(hub.requests.filter((r) => r.method === 'GET' && r.path.includes('/manifests/')).map((r) => `${r.path} ${r.status}`)).toEqual([`/v2/${repo}/manifests/${wrongSize} 200`]);
    expect(
      hub.requests
        .filter((r) => r.method === 'HEAD' && r.path.includes('/manifests/sha256:'))
        .map((r) => r.path)
        .sort(),
    ).toEqual([amd.digest, arm.digest].map((digest) => `/v2/${repo}/manifests/${digest}`).sort());
  });

  it('minimumReleaseAge is measured from tag_last_pushed and says so; the too-new tag costs no pull', async () => {
    hub.pushedAt['library/docker:27.2.0-dind'] = '2026-11-22T11:00:00Z';
    hub.pushedAt['library/docker:27.1.1-dind'] = '2026-11-22T10:00:00Z';
    hub.pushedAt['library/docker:27.1.0-dind'] = '2026-11-20T10:00:00Z';
    const dir = makeDir('release-age', { Dockerfile: `FROM docker:27.0.3-dind@${seed.digests['27.0.3-dind']}\n` });
    const { run, report } = await archpin('check', dir, path.join(work, 'cache-age'), { minimumReleaseAge: '4 hours' });
    expect(run.code).toBe(0);
    expect(report.updates).toEqual([]);
    expect(report.blocked.map(({ tag, reason, message }) => [tag, reason, message])).toEqual([
      ['27.2.0-dind', 'platform-regression', expect.any(String)],
      ['27.1.1-dind', 'too-new', 'pushed (Docker Hub tag_last_pushed) 2h ago; minimumReleaseAge is 4h'],
      ['27.1.0-dind', 'empty-index', expect.any(String)],
    ]);
    expect(hub.pulls).toBe(0);
  });

  it('a spent quota: the 429 toomanyrequests stops lookups on docker.io; nothing more is asked of it', async () => {
    hub.quota = 1;
    const { run, report } = await archpin('check', incidentTree(), path.join(work, 'cache-quota'));
    expect(run.code).toBe(1);
    // The one pull goes to one index, the other index GET gets the 429; docker.io is then stopped for the run, so
    // the children of the first are not confirmed either and nothing is proposed unverified.
    expect(report.updates).toHaveLength(0);
    expect(report.errors.map((error) => error.code)).toEqual(['registry-rate-limited', 'registry-rate-limited']);
    expect(report.errors[0]!.message).toMatch(/429 toomanyrequests \(pull quota exhausted\)$/);
    expect(hub.count('GET', /\/manifests\//)).toBe(2);
    expect(hub.requests.filter((r) => r.status === 429)).toHaveLength(1);
    const after = hub.requests.findIndex((r) => r.status === 429);
    // Only free HEADs follow the 429.
    expect(hub.requests.slice(after + 1).filter((r) => r.method !== 'HEAD')).toEqual([]);
    expect(report.registries).toEqual([{ host: 'docker.io', kind: 'dockerhub', pulls: 1, requests: expect.any(Number), rateLimit: { limit: 1, remaining: 0 }, stopped: true }]);
  });

  it('without the tags API (503) the registry answers: same verdicts, more pulls', async () => {
    hub.apiDown = true;
    const { report } = await archpin('check', incidentTree(), path.join(work, 'cache-api-down'));
    expect(report.updates.map((update) => update.to)).toEqual([`docker:27.1.1@${seed.digests['27.1.1']}`, `docker:27.1.1-dind@${seed.digests['27.1.1-dind']}`]);
    expect(report.blocked.map((held) => [held.tag, held.reason])).toEqual([['27.2.0-dind', 'platform-regression']]);
    expect(hub.count('GET', /\/tags\/list/)).toBe(1);
    expect(hub.pulls).toBeGreaterThan(2);
  });

  it('audit through the double: a pin to the empty index is reported with its repin', async () => {
    const dir = makeDir('audit', { Dockerfile: `FROM docker:27.1.0-dind@${EMPTY_OCI_INDEX_DIGEST}\nFROM docker:27.1.1@${seed.digests['27.1.1']}\n` });
    const { run, report } = await archpin('audit', dir, path.join(work, 'cache-audit'));
    expect(run.code).toBe(3);
    expect(report.audit!.map(({ line, reason, fix }) => ({ line, reason, fix }))).toEqual([{ line: 1, reason: 'empty-index', fix: `docker:27.1.1-dind@${seed.digests['27.1.1-dind']}` }]);
  });
});

describe('Docker Hub: nothing is asked of another origin', () => {
  let trap: RedirectTarget;

  beforeAll(async () => {
    trap = await startRedirectTarget();
  });

  afterAll(async () => {
    hub.crossOriginNext = null;
    hub.crossOriginLink = null;
    await trap?.stop();
  });

  const expectedUpdates = () => [`docker:27.1.1@${seed.digests['27.1.1']}`, `docker:27.1.1-dind@${seed.digests['27.1.1-dind']}`];
  const auditTree = () => makeDir(`audit-origin-${++counter}`, { Dockerfile: `FROM docker:27.1.0-dind@${EMPTY_OCI_INDEX_DIGEST}\nFROM docker:27.1.1@${seed.digests['27.1.1']}\n` });
  const auditFix = () => [{ line: 1, reason: 'empty-index', fix: `docker:27.1.1-dind@${seed.digests['27.1.1-dind']}` }];

  it('a tags API page whose `next` is on another origin ends the listing there: check and audit give the same verdicts, no pull more', async () => {
    hub.crossOriginNext = trap.url;
    try {
      const checked = await archpin('check', incidentTree(), path.join(work, 'cache-origin-next-check'));
      expect(checked.report.errors).toEqual([]);
      expect(checked.report.updates.map((update) => update.to)).toEqual(expectedUpdates());
      expect(checked.report.blocked.map((held) => [held.tag, held.reason])).toEqual([['27.2.0-dind', 'platform-regression']]);
      expect(hub.apiRequests).toBe(1);
      expect(hub.pulls).toBe(2);
      expect(hub.count('GET', /\/tags\/list/)).toBe(0);

      hub.reset();
      const audited = await archpin('audit', auditTree(), path.join(work, 'cache-origin-next-audit'));
      expect(audited.run.code).toBe(3);
      expect(audited.report.audit!.map(({ line, reason, fix }) => ({ line, reason, fix }))).toEqual(auditFix());
      expect(hub.apiRequests).toBe(1);
      expect(hub.count('GET', /\/tags\/list/)).toBe(0);
      expect(trap.requests).toEqual([]);
    } finally {
      hub.crossOriginNext = null;
    }
  });

  it('without the tags API, a registry tags/list whose Link names another origin is not followed: check and audit give the same verdicts', async () => {
    hub.apiDown = true;
    hub.crossOriginLink = trap.url;
    try {
      const checked = await archpin('check', incidentTree(), path.join(work, 'cache-origin-link-check'));
      expect(checked.report.errors).toEqual([]);
      expect(checked.report.updates.map((update) => update.to)).toEqual(expectedUpdates());
      expect(checked.report.blocked.map((held) => [held.tag, held.reason])).toEqual([['27.2.0-dind', 'platform-regression']]);
      expect(hub.requests.filter((r) => r.path.endsWith('/tags/list')).map((r) => [r.method, r.path, r.status])).toEqual([['GET', '/v2/library/docker/tags/list', 200]]);

      hub.reset();
      const audited = await archpin('audit', auditTree(), path.join(work, 'cache-origin-link-audit'));
      expect(audited.run.code).toBe(3);
      expect(audited.report.audit!.map(({ line, reason, fix }) => ({ line, reason, fix }))).toEqual(auditFix());
      expect(hub.requests.filter((r) => r.path.endsWith('/tags/list')).map((r) => [r.method, r.path, r.status])).toEqual([['GET', '/v2/library/docker/tags/list', 200]]);
      expect(trap.requests).toEqual([]);
    } finally {
      hub.crossOriginLink = null;
    }
  });
});

describe('Docker Hub audit: a pin whose tags API record is complete costs no pull', () => {
  it('cold: the two safe pins are judged on the record (HEADs only); the unsafe pin is read before it is reported (one pull) and its fix is the one pull of the proposed index; warm: no pull', async () => {
    const dir = makeDir('audit-record', {
      Dockerfile: `FROM docker:27.0.3-dind@${seed.digests['27.0.3-dind']}\nFROM docker:27.1.1@${seed.digests['27.1.1']}\nFROM docker:27.2.0-dind@${seed.digests['27.2.0-dind']}\n`,
    });
    const cache = path.join(work, 'cache-audit-record');
    const cold = await archpin('audit', dir, cache);
    expect(cold.run.code).toBe(3);
    expect(cold.report.audit!.map(({ line, reason, fix }) => ({ line, reason, fix }))).toEqual([{ line: 3, reason: 'missing-platforms', fix: `docker:27.1.1-dind@${seed.digests['27.1.1-dind']}` }]);
    expect(cold.report.errors).toEqual([]);
    expect(hub.pulls).toBe(2);
    expect(hub.requests.filter((r) => r.method === 'GET' && r.path.includes('/manifests/')).map((r) => r.path)).toEqual(
      ['27.2.0-dind', '27.1.1-dind'].map((tag) => `/v2/library/docker/manifests/${seed.digests[tag as IncidentTag]}`),
    );
    // Each safe pin: a HEAD by digest (digest and index media type), a HEAD of its tag, a HEAD per platform child.
    const heads = new Set(hub.requests.filter((r) => r.method === 'HEAD' && r.status === 200).map((r) => r.path));
    for (const tag of ['27.0.3-dind', '27.1.1'] as const) {
      for (const digest of [seed.digests[tag], ...seed.images[tag].map((image) => image.digest)]) expect(heads).toContain(`/v2/library/docker/manifests/${digest}`);
      expect(heads).toContain(`/v2/library/docker/manifests/${tag}`);
    }
    expect(hub.apiRequests).toBe(1);
    expect(cold.report.registries).toEqual([{ host: 'docker.io', kind: 'dockerhub', pulls: 2, requests: hub.requests.length + 1, rateLimit: { limit: 100, remaining: 98 }, stopped: false }]);

    hub.reset();
    const warm = await archpin('audit', dir, cache);
    expect(warm.report.audit).toEqual(cold.report.audit);
    expect(hub.pulls).toBe(0);
    expect(hub.count('GET', /\/manifests\//)).toBe(0);
  });

  it('without a record of the pin (its tag moved on), the pin is read: one pull; what the tag holds now is its record, confirmed by HEAD', async () => {
    const repo = 'acme/moved';
    const amd = await pushImage(registry, repo, { os: 'linux', architecture: 'amd64', mediaType: 'oci', label: repo });
    const arm = await pushImage(registry, repo, { os: 'linux', architecture: 'arm64', variant: 'v8', mediaType: 'oci', label: repo });
    const old = await pushIndex(registry, repo, '1.0.0', [amd, arm], { mediaType: 'oci' });
    const moved = await pushIndex(
      registry,
      repo,
      '1.0.0',
      [amd, arm].map((image) => ({ ...image, annotations: { rebuilt: 'yes' } })),
      { mediaType: 'oci' },
    );
    expect(moved.digest).not.toBe(old.digest);
    const dir = makeDir('audit-moved', { Dockerfile: `FROM ${repo}:1.0.0@${old.digest}\n` });
    const { run, report } = await archpin('audit', dir, path.join(work, 'cache-audit-moved'));
    expect(run.code).toBe(0);
    expect(report.audit).toEqual([]);
    expect(hub.requests.filter((r) => r.method === 'GET' && r.path.includes('/manifests/')).map((r) => r.path)).toEqual([`/v2/${repo}/manifests/${old.digest}`]);
    expect(hub.pulls).toBe(1);
    // The tag's HEAD finds the index it moved to, the pin's children are confirmed by HEAD and the record.
    expect(
      hub.requests
        .filter((r) => r.method === 'HEAD' && r.status === 200)
        .map((r) => r.path.split('/').pop())
        .sort(),
    ).toEqual([moved.digest, '1.0.0', old.digest, amd.digest, arm.digest].sort());
  });

  it('a pin to one platform of its tag (on purpose) is judged on the record: no pull; with platforms it does not cover, it is read and reported', async () => {
    const repo = 'acme/one-platform';
    const amd = await pushImage(registry, repo, { os: 'linux', architecture: 'amd64', mediaType: 'oci', label: repo });
    const arm = await pushImage(registry, repo, { os: 'linux', architecture: 'arm64', variant: 'v8', mediaType: 'oci', label: repo });
    const index = await pushIndex(registry, repo, '1.0.0', [amd, arm], { mediaType: 'oci' });
    const dir = makeDir('audit-one-platform', { Dockerfile: `FROM ${repo}:1.0.0@${amd.digest}\n` });
    const { run, report } = await archpin('audit', dir, path.join(work, 'cache-audit-one-platform'));
    expect(report.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(report.audit).toEqual([]);
    expect(hub.pulls).toBe(0);
    // HEADs only: the tag, the index it points at (whose record lists the pin) and the pinned image itself.
    expect(
      hub.requests
        .filter((r) => r.method === 'HEAD' && r.status === 200)
        .map((r) => r.path.split('/').pop())
        .sort(),
    ).toEqual(['1.0.0', index.digest, amd.digest].sort());

    hub.reset();
    const both = await archpin('audit', dir, path.join(work, 'cache-audit-one-platform-both'), { platforms: ['linux/amd64', 'linux/arm64'] });
    expect(both.run.code).toBe(3);
    expect(both.report.audit!.map(({ reason, fix }) => ({ reason, fix }))).toEqual([{ reason: 'missing-platforms', fix: `${repo}:1.0.0@${index.digest}` }]);
    // The record cannot show that pin safe: the pinned image is read, and the fix (the tag's index) is the other pull.
    expect(hub.requests.filter((r) => r.method === 'GET' && r.path.includes('/manifests/')).map((r) => r.path.split('/').pop())).toEqual([amd.digest, index.digest]);
  });

  it('the record gives no descriptor sizes: a size that lies is seen once the index is read (API down: one pull), and from the cache after that (no pull); on the record alone the pin passes', async () => {
    const repo = 'acme/sizes';
    const amd = await pushImage(registry, repo, { os: 'linux', architecture: 'amd64', mediaType: 'oci', label: repo });
    const arm = await pushImage(registry, repo, { os: 'linux', architecture: 'arm64', variant: 'v8', mediaType: 'oci', label: repo });
    const lying = await pushManifest(
      registry,
      repo,
      '1.0.0',
      Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [amd, { ...arm, size: arm.size + 1 }] })),
      MEDIA_TYPES.ociIndex,
    );
    const dir = makeDir('audit-sizes', { Dockerfile: `FROM ${repo}:1.0.0@${lying}\n` });
    const onRecord = await archpin('audit', dir, path.join(work, 'cache-audit-sizes-record'));
    expect(onRecord.run.code).toBe(0);
    expect(onRecord.report.audit).toEqual([]);
    expect(hub.pulls).toBe(0);

    const cache = path.join(work, 'cache-audit-sizes');
    hub.apiDown = true;
    const read = await archpin('audit', dir, cache);
    expect(read.run.code).toBe(3);
    const finding = [{ reason: 'size-mismatch', message: `linux/arm64/v8: child ${arm.digest.slice(0, 19)} is ${arm.size} bytes; the index's descriptor says ${arm.size + 1}` }];
    expect(read.report.audit!.map(({ reason, message }) => ({ reason, message }))).toEqual(finding);
    // Without the API every manifest is a pull: the pin, both children, and its tag (a HEAD showed it holds the pin;
    // the search for a fix reads it).
    expect(hub.requests.filter((r) => r.method === 'GET' && r.path.includes('/manifests/')).map((r) => r.path)).toEqual(
      [lying, amd.digest, arm.digest, '1.0.0'].map((reference) => `/v2/${repo}/manifests/${reference}`),
    );

    hub.apiDown = false;
    hub.reset();
    const cached = await archpin('audit', dir, cache);
    expect(cached.report.audit!.map(({ reason, message }) => ({ reason, message }))).toEqual(finding);
    expect(hub.count('GET', /\/manifests\/sha256:/)).toBe(0);
  });
});

describe('bearer tokens: one per realm, service, scopes and credential for the whole process', () => {
  it('runs in one process (as serve sessions) share tokens until issued_at + expires_in; one token covers the repositories of a run', async () => {
    const tokens = createTokenCache();
    const dir = makeDir('tokens', { Dockerfile: `FROM docker:27.0.3-dind@${seed.digests['27.0.3-dind']}\n` });
    await archpin('check', dir, path.join(work, 'cache-tokens-1'), {}, NOW, tokens);
    expect(hub.tokenRequests).toBe(1);
    // A cold cache directory, so that the run talks to the registry again: the token is still valid (300 s).
    hub.reset();
    const second = await archpin('check', dir, path.join(work, 'cache-tokens-2'), {}, Date.parse('2026-11-22T12:04:00Z'), tokens);
    expect(second.report.updates.map((update) => update.to)).toEqual([`docker:27.1.1-dind@${seed.digests['27.1.1-dind']}`]);
    // The new client knows the challenge the first one learned (no 401) and finds the token for its realm, service and scope.
    expect(hub.requests.filter((r) => r.status === 401)).toEqual([]);
    expect(hub.tokenRequests).toBe(0);
    // Past issued_at + 300 s less the margin (10 s): a new token, one for both repositories of the run (a scope each).
    hub.reset();
    const amd = await pushImage(registry, 'acme/tokens', { os: 'linux', architecture: 'amd64', mediaType: 'oci', label: 'acme/tokens' });
    await pushIndex(registry, 'acme/tokens', '1.0.0', [amd], { mediaType: 'oci' });
    const other = makeDir('tokens-other', { Dockerfile: `FROM docker:27.0.3-dind@${seed.digests['27.0.3-dind']}\nFROM acme/tokens:1.0.0\n` });
    await archpin('check', other, path.join(work, 'cache-tokens-3'), {}, Date.parse('2026-11-22T12:04:51Z'), tokens);
    expect(hub.tokenRequests).toBe(1);
    expect(hub.tokenScopes).toEqual([['repository:library/docker:pull', 'repository:acme/tokens:pull']]);
    // The token is asked for before the first request, from the challenge known: still no 401.
    expect(hub.requests.filter((r) => r.status === 401)).toEqual([]);
    // Without a shared cache every run asks again, and learns the challenge with a 401.
    hub.reset();
    await archpin('check', dir, path.join(work, 'cache-tokens-4'), {}, Date.parse('2026-11-22T12:04:52Z'));
    expect(hub.tokenRequests).toBe(1);
    expect(hub.requests.filter((r) => r.status === 401).map((r) => [r.method, r.path])).toEqual([['HEAD', '/v2/library/docker/manifests/27.1.1-dind']]);
  });
});

describe('private Docker Hub repositories: the Hub login opens the tags API to them', () => {
  const SECRET = 'dckr_pat_private-hub-secret-1';
  const repo = 'acme/private';
  let old: string;
  let current: string;

  beforeAll(async () => {
    const images = async (label: string) => [
      await pushImage(registry, repo, { os: 'linux', architecture: 'amd64', mediaType: 'oci', label }),
      await pushImage(registry, repo, { os: 'linux', architecture: 'arm64', variant: 'v8', mediaType: 'oci', label }),
    ];
    old = (await pushIndex(registry, repo, '1.0.0', await images(`${repo} 1.0.0`), { mediaType: 'oci' })).digest;
    current = (await pushIndex(registry, repo, '1.1.0', await images(`${repo} 1.1.0`), { mediaType: 'oci' })).digest;
  });

  beforeEach(() => {
    hub.accounts['acme'] = SECRET;
    hub.privateRepos[repo] = 'acme';
    hub.privateAnswer = 404;
    hub.clock = NOW;
  });

  afterAll(() => {
    Reflect.deleteProperty(hub.privateRepos, repo);
  });

  /** docker.io's credentials (the Hub login) and the mirror's (the registry side) from the environment. */
  async function privateRun(command: 'check' | 'audit', dir: string, cache: string, options: { hubSecret?: string; now?: number; tokens?: TokenCache } = {}) {
    const config = path.join(work, `config-${++counter}.json`);
    const registries = {
      'docker.io': { hubApiUrl: hub.apiUrl, username: 'acme', passwordEnv: 'HUB_SECRET' },
      [hub.registryHost]: { username: 'acme', passwordEnv: 'MIRROR_SECRET' },
    };
    writeFileSync(config, JSON.stringify({ mirrors: { 'docker.io': hub.registryUrl }, registries }));
    const run = await runArchpin([command, dir, '--format', 'json', '--cache-dir', cache, '--config', config], {
      now: options.now ?? NOW,
      env: { HUB_SECRET: options.hubSecret ?? SECRET, MIRROR_SECRET: SECRET },
      ...(options.tokens ? { tokens: options.tokens } : {}),
    });
    expect(run.stdout).not.toContain(SECRET);
    expect(run.stderr).not.toContain(SECRET);
    expect(hub.hubTokensAtRegistry).toBe(0);
    return { run, report: JSON.parse(run.stdout) as Report };
  }

  it('check: one login, the tags API read with its token, and the same pulls as a public repository (cold: the proposed index; warm: none)', async () => {
    const dir = makeDir('private-check', { Dockerfile: `FROM ${repo}:1.0.0@${old}\n` });
    const cache = path.join(work, 'cache-private-check');
    const cold = await privateRun('check', dir, cache);
    expect(cold.run.code).toBe(0);
    expect(cold.run.stderr).toBe('');
    expect(cold.report.updates.map(({ from, to, updateType }) => ({ from, to, updateType }))).toEqual([{ from: `${repo}:1.0.0@${old}`, to: `${repo}:1.1.0@${current}`, updateType: 'minor' }]);
    expect(cold.report.errors).toEqual([]);
    expect(hub.logins).toEqual([{ identifier: 'acme', status: 200 }]);
    expect(hub.apiRequests).toBe(1);
    expect(hub.apiAuth).toEqual(['valid']);
    expect(hub.pulls).toBe(1);
    expect(hub.requests.filter((r) => r.method === 'GET' && r.path.includes('/manifests/')).map((r) => r.path)).toEqual([`/v2/${repo}/manifests/${current}`]);
    expect(hub.count('GET', /\/tags\/list/)).toBe(0);
    expect(hub.registryLogins.every((user) => user === 'acme')).toBe(true);

    hub.reset();
    const warm = await privateRun('check', dir, cache);
    expect(warm.report.updates).toEqual(cold.report.updates);
    expect(hub.pulls).toBe(0);
    expect(hub.count('GET', /\/manifests\//)).toBe(0);
  });

  it('audit: a safe private pin is judged on the record with no pull', async () => {
    const dir = makeDir('private-audit', { Dockerfile: `FROM ${repo}:1.1.0@${current}\n` });
    const { run, report } = await privateRun('audit', dir, path.join(work, 'cache-private-audit'));
    expect(run.code).toBe(0);
    expect(report.audit).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(hub.logins).toEqual([{ identifier: 'acme', status: 200 }]);
    expect(hub.apiAuth).toEqual(['valid']);
    expect(hub.pulls).toBe(0);
  });

  it('a refused login is a warning, not a failure: the API is read anonymously, the private repository through the registry (same verdict, more pulls)', async () => {
    hub.privateAnswer = 401;
    const dir = makeDir('private-refused', { Dockerfile: `FROM ${repo}:1.0.0@${old}\n` });
    const { run, report } = await privateRun('check', dir, path.join(work, 'cache-private-refused'), { hubSecret: 'dckr_pat_revoked-long-ago' });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('archpin: warning: Docker Hub API: login as acme refused (401); private repositories are read through the registry instead (more pulls)\n');
    expect(report.updates.map((update) => update.to)).toEqual([`${repo}:1.1.0@${current}`]);
    expect(hub.logins).toEqual([{ identifier: 'acme', status: 401 }]);
    expect(hub.apiAuth).toEqual(['none']);
    expect(hub.count('GET', /\/tags\/list/)).toBe(1);
    expect(hub.pulls).toBe(PRIVATE_REGISTRY_PATH_PULLS);
  });

  it('a login redirected to another origin is not followed (its body holds the secret): a warning, the private repository through the registry', async () => {
    const trap = await startRedirectTarget();
    hub.loginRedirect = trap.url;
    hub.privateAnswer = 401;
    try {
      const dir = makeDir('private-login-redirect', { Dockerfile: `FROM ${repo}:1.0.0@${old}\n` });
      const { run, report } = await privateRun('check', dir, path.join(work, 'cache-private-login-redirect'));
      expect(run.code).toBe(0);
      expect(run.stderr).toBe(
        `archpin: warning: Docker Hub API: login failed (POST Hub login ${new URL(hub.apiUrl).host}: redirected to another origin (${trap.url}); not followed); private repositories are read through the registry instead (more pulls)\n`,
      );
      expect(report.updates.map((update) => update.to)).toEqual([`${repo}:1.1.0@${current}`]);
      expect(hub.logins).toEqual([{ identifier: 'acme', status: 307 }]);
      expect(hub.apiAuth).toEqual(['none']);
      expect(trap.requests).toEqual([]);
    } finally {
      hub.loginRedirect = null;
      await trap.stop();
    }
  });

  it('the token is renewed when it runs out and, once, when the API refuses it early', async () => {
    const tokens = createTokenCache();
    const dir = makeDir('private-renew', { Dockerfile: `FROM ${repo}:1.0.0@${old}\n` });
    const at = (minutes: number) => NOW + minutes * 60_000;
    await privateRun('check', dir, path.join(work, 'cache-private-renew-1'), { tokens });
    expect(hub.logins).toHaveLength(1);
    // Five minutes later, in the same process: the token (10 minutes) is sent again, no login.
    hub.reset();
    hub.clock = at(5);
    await privateRun('check', dir, path.join(work, 'cache-private-renew-2'), { tokens, now: at(5) });
    expect(hub.logins).toEqual([]);
    expect(hub.apiAuth).toEqual(['valid']);
    // Hub stops taking it early: the 401 brings one new login and one more try.
    hub.reset();
    hub.expireHubTokens();
    hub.clock = at(6);
    const early = await privateRun('check', dir, path.join(work, 'cache-private-renew-3'), { tokens, now: at(6) });
    expect(early.report.updates.map((update) => update.to)).toEqual([`${repo}:1.1.0@${current}`]);
    expect(hub.logins).toEqual([{ identifier: 'acme', status: 200 }]);
    expect(hub.apiAuth).toEqual(['invalid', 'valid']);
    expect(hub.pulls).toBe(1);
    // Past that token's exp (issued at 6 min, 10 minutes' life, sent until 30 s before): a login before the request.
    hub.reset();
    hub.clock = at(15.75);
    await privateRun('check', dir, path.join(work, 'cache-private-renew-4'), { tokens, now: at(15.75) });
    expect(hub.logins).toEqual([{ identifier: 'acme', status: 200 }]);
    expect(hub.apiAuth).toEqual(['valid']);
  });
});
