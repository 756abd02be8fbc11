import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startProxy, startRedirectTarget, type FaultRule, type RedirectTarget, type TestProxy } from '../support/proxy.js';
import { startRegistry, type RegistryTarget, type TestRegistry } from '../support/registry.js';
import { runArchpin, type CliRun } from '../support/run-cli.js';
import { pushImage, pushIndex, seedIncident, type IncidentSeed, type Platform } from '../support/seed.js';
import { useScenario } from '../support/scenario.js';

const PLATFORMS: readonly Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
];
const FULL = ['linux/amd64', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm64/v8'];
const TWO = ['linux/amd64', 'linux/arm64/v8'];

const scenario = useScenario({ name: 'check-faults', registry: false });
const makeRepo = (name: string, files: Record<string, string>): string => scenario.tree(files, name);

/** Two tags of a repository, each a complete index of amd64 and arm64 (OCI, or a Docker manifest list). */
async function seedPair(target: RegistryTarget, repo: string, tags: readonly [string, string], flavor: 'oci' | 'docker'): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const tag of tags) {
    const images = await Promise.all(PLATFORMS.map((platform) => pushImage(target, repo, { ...platform, mediaType: flavor, label: `${repo} ${tag}` })));
    digests[tag] = (await pushIndex(target, repo, tag, images, { mediaType: flavor })).digest;
  }
  return digests;
}

let cacheCount = 0;
const freshCache = (): string => path.join(scenario.work, `cache-${++cacheCount}`);

interface Report {
  updates: Array<{ file: string; to: string; updateType: string; platforms: string[] }>;
  blocked: Array<{ image: string; tag: string | null; digest: string | null; reason: string; reasons: string[]; missing: string[]; message: string }>;
  errors: Array<{ image: string; tag: string | null; code: string; retryable: boolean; message: string }>;
}

const parse = (run: CliRun): Report => JSON.parse(run.stdout) as Report;
const summary = (report: Report) => report.updates.map((update) => [update.file, update.to, update.updateType, update.platforms]);

describe('archpin check through registry faults (anonymous)', () => {
  let registry: TestRegistry;
  let proxy: TestProxy;
  let incident: IncidentSeed;
  let api: Record<string, string>;
  let worker: Record<string, string>;
  let dir: string;
  let host: string;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startProxy({ target: registry.url });
    incident = await seedIncident(registry);
    api = await seedPair(registry, 'team/api', ['1.0.0', '1.1.0'], 'oci');
    worker = await seedPair(registry, 'team/worker', ['2.3.0', '2.4.0'], 'docker');
    host = proxy.host;
    dir = makeRepo('three-images', {
      '.gitlab-ci.yml': `test:\n  services:\n    - name: ${host}/library/docker:27.0.3-dind\n      alias: docker\n  script: [docker info]\n`,
      'k8s/api.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ${host}/team/api:1.0.0@${api['1.0.0']}\n`,
      Dockerfile: `FROM ${host}/team/worker:2.3.0\nRUN true\n`,
    });
  });

  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  beforeEach(() => proxy.reset());

  const dockerUpdate = () => ['.gitlab-ci.yml', `${host}/library/docker:27.1.1-dind@${incident.digests['27.1.1-dind']}`, 'minor', FULL];
  const apiUpdate = () => ['k8s/api.yaml', `${host}/team/api:1.1.0@${api['1.1.0']}`, 'minor', TWO];
  const workerUpdate = () => ['Dockerfile', `${host}/team/worker:2.4.0@${worker['2.4.0']}`, 'minor', TWO];
  const dockerHeld = () => ({
    image: `${host}/library/docker`,
    tag: '27.2.0-dind',
    digest: incident.digests['27.2.0-dind'],
    reason: 'platform-regression',
    reasons: ['platform-regression'],
    missing: ['linux/amd64', 'linux/arm/v6', 'linux/arm/v7'],
    message: 'index lists only linux/arm64/v8; the current image provides linux/amd64, linux/arm/v6, linux/arm/v7',
  });

  async function check(faults: FaultRule[], env: Record<string, string> = {}): Promise<{ run: CliRun; report: Report; ms: number }> {
    for (const fault of faults) proxy.addFault(fault);
    const started = Date.now();
    const run = await runArchpin(['check', dir, '--format', 'json', '--cache-dir', freshCache()], { env });
    return { run, report: parse(run), ms: Date.now() - started };
  }

  it('without faults: three exact updates, the partial dind index held, exit 0', async () => {
    const { run, report } = await check([]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(summary(report)).toEqual([dockerUpdate(), workerUpdate(), apiUpdate()]);
    expect(report.blocked).toEqual([dockerHeld()]);
    expect(report.errors).toEqual([]);
  });

  it('request budget: cold, GETs by tag without HEADs and each tag once; warm, HEADs and no manifest GET (no HEAD within tagCacheTtl)', async () => {
    const cache = freshCache();
    const kinds = () => ({
      tags: proxy.count('GET', /\/tags\/list/),
      head: proxy.count('HEAD', /\/manifests\//),
      get: proxy.count('GET', /\/manifests\//),
      blob: proxy.count('GET', /\/blobs\//),
    });
    const cold = await runArchpin(['check', dir, '--format', 'json', '--cache-dir', cache]);
    expect(summary(parse(cold))).toEqual([dockerUpdate(), workerUpdate(), apiUpdate()]);
    // docker: 27.0.3-dind, 27.2.0-dind (held), 27.1.1-dind; api: its pinned digest, 1.1.0; worker: 2.3.0, 2.4.0;
    // plus, for each proposed index, every platform's child manifest and config blob (docker 4, worker 2, api 2)
    expect(kinds()).toEqual({ tags: 3, head: 0, get: 7 + 8, blob: 8 });
    proxy.reset();
    const warm = await runArchpin(['check', dir, '--format', 'json', '--cache-dir', cache]);
    expect(summary(parse(warm))).toEqual([dockerUpdate(), workerUpdate(), apiUpdate()]);
    // Within tagCacheTtl (default 5 minutes) the tags' digests are remembered: the tag lists are the only requests.
    expect(kinds()).toEqual({ tags: 3, head: 0, get: 0, blob: 0 });
    proxy.reset();
    // Six minutes later each tag is asked again with a HEAD; the manifests are still cached by digest.
    const later = await runArchpin(['check', dir, '--format', 'json', '--cache-dir', cache], { now: Date.parse('2026-11-22T12:06:00Z') });
    expect(summary(parse(later))).toEqual([dockerUpdate(), workerUpdate(), apiUpdate()]);
    expect(kinds()).toEqual({ tags: 3, head: 6, get: 0, blob: 0 });
  });

  it('429 with Retry-After: 1 is waited out and the tag list is asked again', async () => {
    const { run, report, ms } = await check([{ method: 'GET', path: '/v2/team/api/tags/list', nth: 1, fault: { kind: 'status', status: 429, retryAfter: '1' } }]);
    expect(run.code).toBe(0);
    expect(summary(report)).toEqual([dockerUpdate(), workerUpdate(), apiUpdate()]);
    expect(report.errors).toEqual([]);
    expect(proxy.requests.filter((r) => r.path === '/v2/team/api/tags/list').map((r) => r.status)).toEqual([429, 200]);
    expect(ms).toBeGreaterThanOrEqual(1000);
  });

  it('429 asking for longer than the client waits fails that image at once as registry-rate-limited; the others are exact', async () => {
    const { run, report } = await check([{ method: 'GET', path: '/v2/team/api/tags/list', fault: { kind: 'status', status: 429, retryAfter: '120' } }]);
    expect(run.code).toBe(1);
    expect(summary(report)).toEqual([dockerUpdate(), workerUpdate()]);
    expect(report.blocked).toEqual([dockerHeld()]);
    expect(report.errors).toEqual([{ image: `${host}/team/api`, tag: '1.0.0', code: 'registry-rate-limited', retryable: true, message: `GET tags ${host}/team/api: 429 too many requests` }]);
    expect(proxy.count('GET', '/v2/team/api/tags/list')).toBe(1);
  });

  it('503 then success: the manifest is fetched again and the update is the same', async () => {
    const { run, report } = await check([{ method: 'GET', path: '/v2/team/api/manifests/1.1.0', nth: 1, fault: { kind: 'status', status: 503 } }]);
    expect(run.code).toBe(0);
    expect(summary(report)).toEqual([dockerUpdate(), workerUpdate(), apiUpdate()]);
    expect(report.errors).toEqual([]);
    expect(proxy.requests.filter((r) => r.path === '/v2/team/api/manifests/1.1.0').map((r) => [r.method, r.status])).toEqual([
      ['GET', 503],
      ['GET', 200],
    ]);
  });

  it('503 on every attempt: registry-unavailable after three attempts, exit 1', async () => {
    const { run, report } = await check([{ method: 'GET', path: '/v2/team/worker/manifests/2.4.0', fault: { kind: 'status', status: 503 } }]);
    expect(run.code).toBe(1);
    expect(summary(report)).toEqual([dockerUpdate(), apiUpdate()]);
    expect(report.errors).toEqual([{ image: `${host}/team/worker`, tag: '2.3.0', code: 'registry-unavailable', retryable: true, message: `GET manifest ${host}/team/worker:2.4.0: 503 unavailable` }]);
    expect(proxy.count('GET', '/v2/team/worker/manifests/2.4.0')).toBe(3);
  });

  it('a stalled tag list times out (ARCHPIN_REGISTRY_TIMEOUT_MS) as registry-timeout; the others are exact', async () => {
    // The timeout holds for every request of the run: on a loaded machine the registry's real answers have taken over 400 ms.
    const { run, report } = await check([{ method: 'GET', path: '/v2/team/worker/tags/list', fault: { kind: 'stall' } }], { ARCHPIN_REGISTRY_TIMEOUT_MS: '2000' });
    expect(run.code).toBe(1);
    expect(summary(report)).toEqual([dockerUpdate(), apiUpdate()]);
    expect(report.blocked).toEqual([dockerHeld()]);
    expect(report.errors).toEqual([
      { image: `${host}/team/worker`, tag: '2.3.0', code: 'registry-timeout', retryable: true, message: `GET tags ${host}/team/worker: no complete answer within 2000 ms` },
    ]);
    expect(proxy.count('GET', '/v2/team/worker/tags/list')).toBe(3);
  }, 60_000);

  it('a body cut short on every attempt is registry-bad-response and proposes nothing for that image', async () => {
    const { run, report } = await check([{ method: 'GET', path: '/v2/team/api/manifests/1.1.0', fault: { kind: 'truncate' } }]);
    expect(run.code).toBe(1);
    expect(summary(report)).toEqual([dockerUpdate(), workerUpdate()]);
    expect(report.errors.map((error) => [error.image, error.tag, error.code, error.retryable])).toEqual([[`${host}/team/api`, '1.0.0', 'registry-bad-response', true]]);
    expect(report.errors[0]!.message).toMatch(new RegExp(`^GET manifest ${host.replace(/\./g, '\\.')}/team/api:1\\.1\\.0: `));
    expect(proxy.count('GET', '/v2/team/api/manifests/1.1.0')).toBe(3);
  });

  it('a body cut short once is fetched again and gives the exact update', async () => {
    const { run, report } = await check([{ method: 'GET', path: '/v2/team/api/manifests/1.1.0', nth: 1, fault: { kind: 'truncate' } }]);
    expect(run.code).toBe(0);
    expect(summary(report)).toEqual([dockerUpdate(), workerUpdate(), apiUpdate()]);
    expect(report.errors).toEqual([]);
  });

  it('a body that does not hash to its Docker-Content-Digest is held as digest-mismatch, never pinned', async () => {
    const { run, report } = await check([{ method: 'GET', path: '/v2/team/api/manifests/1.1.0', fault: { kind: 'corrupt' } }]);
    expect(run.code).toBe(0);
    expect(summary(report)).toEqual([dockerUpdate(), workerUpdate()]);
    expect(report.errors).toEqual([]);
    expect(report.blocked.map((held) => [held.image, held.tag, held.digest, held.reasons])).toEqual([
      [`${host}/library/docker`, '27.2.0-dind', incident.digests['27.2.0-dind'], ['platform-regression']],
      [`${host}/team/api`, '1.1.0', null, ['digest-mismatch']],
    ]);
    expect(report.blocked[1]!.message).toContain(`GET manifest ${host}/team/api:1.1.0: Docker-Content-Digest ${api['1.1.0']} but received bytes hash to sha256:`);
  });

  for (const chunked of [false, true]) {
    it(`an oversized manifest (${chunked ? 'chunked' : 'with Content-Length'}) is held as manifest-too-large`, async () => {
      const { run, report } = await check([{ method: 'GET', path: '/v2/team/api/manifests/1.1.0', fault: { kind: 'oversize', bytes: 5 * 1024 * 1024, chunked } }]);
      expect(run.code).toBe(0);
      expect(summary(report)).toEqual([dockerUpdate(), workerUpdate()]);
      expect(report.errors).toEqual([]);
      expect(report.blocked.map((held) => [held.image, held.tag, held.digest, held.reasons])).toEqual([
        [`${host}/library/docker`, '27.2.0-dind', incident.digests['27.2.0-dind'], ['platform-regression']],
        [`${host}/team/api`, '1.1.0', null, ['manifest-too-large']],
      ]);
    });
  }

  it('a schema 1 manifest is held as unsupported-media-type', async () => {
    const body = JSON.stringify({ schemaVersion: 1, name: 'team/api', tag: '1.1.0', architecture: 'amd64', fsLayers: [], history: [] });
    const { run, report } = await check([
      { method: 'GET', path: '/v2/team/api/manifests/1.1.0', fault: { kind: 'status', status: 200, body, headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' } } },
    ]);
    expect(run.code).toBe(0);
    expect(summary(report)).toEqual([dockerUpdate(), workerUpdate()]);
    expect(report.errors).toEqual([]);
    expect(report.blocked.map((held) => [held.image, held.tag, held.reasons])).toEqual([
      [`${host}/library/docker`, '27.2.0-dind', ['platform-regression']],
      [`${host}/team/api`, '1.1.0', ['unsupported-media-type']],
    ]);
  });
});

describe('archpin check through a redirect to another host (htpasswd registry)', () => {
  let registry: TestRegistry;
  let proxy: TestProxy;
  let storage: RedirectTarget;
  let api: Record<string, string>;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: [{ username: 'ci-bot', password: 'pull-only-42' }] });
    proxy = await startProxy({ target: registry.url });
    storage = await startRedirectTarget();
    api = await seedPair(registry, 'team/api', ['1.0.0', '1.1.0'], 'oci');
  });

  afterAll(async () => {
    await storage?.stop();
    await proxy?.stop();
    await registry?.stop();
  });

  it('follows the redirect without the credentials and pins the verified bytes', async () => {
    proxy.addFault({ method: 'GET', path: '/v2/team/api/manifests/1.1.0', fault: { kind: 'redirect', to: storage } });
    const dir = makeRepo('redirect', { 'compose.yaml': `services:\n  api:\n    image: ${proxy.host}/team/api:1.0.0\n` });
    const config = path.join(scenario.work, 'redirect.json');
    writeFileSync(config, JSON.stringify({ registries: { [proxy.host]: { username: 'ci-bot', passwordEnv: 'REGISTRY_PASSWORD' } } }));
    const run = await runArchpin(['check', dir, '--format', 'json', '--config', config, '--cache-dir', freshCache()], { env: { REGISTRY_PASSWORD: 'pull-only-42' } });
    expect(run.code).toBe(0);
    const report = parse(run);
    expect(summary(report)).toEqual([['compose.yaml', `${proxy.host}/team/api:1.1.0@${api['1.1.0']}`, 'minor', TWO]]);
    expect(report.errors).toEqual([]);
    const redirected = proxy.requests.filter((r) => r.path === '/v2/team/api/manifests/1.1.0');
    expect(redirected.map((r) => [r.method, r.status, r.authorization])).toEqual([['GET', 307, true]]);
    expect(storage.requests.map((r) => [r.method, r.path.startsWith('/storage/'), r.authorization])).toEqual([['GET', true, undefined]]);
  });
});
