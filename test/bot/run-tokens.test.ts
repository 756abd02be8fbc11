/**
 * Bearer tokens asked by `archpin run` and `archpin serve` on a registry in token mode (the real registry with the
 * token issuer double, behind a proxy that logs each answer): one token covers the repositories of a sweep instead
 * of one token per repository, and serve's sessions share the challenge a first session learned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITLAB_TEST_TOKEN } from '../support/gitlab-double.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runArchpin } from '../support/run-cli.js';
import { startProxy, type TestProxy } from '../support/proxy.js';
import { useScenario } from '../support/scenario.js';
import { pushImage, pushIndex, type Platform } from '../support/seed.js';
import { startTokenIssuer, type TokenIssuer } from '../support/token-issuer.js';
import { NOW, startTestServe, until } from './serve-support.js';

const PLATFORMS: readonly Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
];

/** Image repositories of the registry, and the projects using them (each project two of them). */
const IMAGES = ['team/a', 'team/b', 'team/c', 'team/d', 'team/e', 'team/f'] as const;
const PROJECTS: Record<string, readonly string[]> = {
  p1: ['team/a', 'team/b'],
  p2: ['team/b', 'team/c'],
  p3: ['team/d', 'team/e'],
  p4: ['team/e', 'team/f'],
};

const scenario = useScenario({ name: 'run-tokens', registry: false, gitlab: {} });
let issuer: TokenIssuer;
let registry: TestRegistry;
let proxy: TestProxy;

beforeAll(async () => {
  issuer = await startTokenIssuer({ anonymousPull: true });
  registry = await startRegistry({ auth: 'token', token: issuer });
  proxy = await startProxy({ target: registry.url });
  for (const image of IMAGES) {
    for (const tag of ['1.0.0', '1.1.0']) {
      const children = await Promise.all(PLATFORMS.map((platform) => pushImage(registry, image, { ...platform, mediaType: 'oci', label: `${image} ${tag}` })));
      await pushIndex(registry, image, tag, children, { mediaType: 'oci' });
    }
  }
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  await issuer?.stop();
});

const podFile = (images: readonly string[]) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n${images.map((image, at) => `    - name: c${at}\n      image: ${proxy.host}/${image}:1.0.0\n`).join('')}`;

function addGroup(group: string): void {
  for (const [name, images] of Object.entries(PROJECTS)) scenario.gitlab.state.addProject(`${group}/${name}`, { files: { 'pod.yaml': podFile(images) } });
}

/** The token requests made since `from`, each as its sorted scopes. */
const tokenScopes = (from: number) => issuer.requests.slice(from).map((request) => [...request.scopes].sort());
const pull = (image: string) => `repository:${image}:pull`;
/** The registry's 401 answers since `from` (each one a challenge collected). */
const challenges = (from: number) => proxy.requests.slice(from).filter((request) => request.status === 401).length;

describe('archpin run', () => {
  it('asks one token for the images each project brings, then one for the whole sweep once the memo knows them', async () => {
    addGroup('tokens-run');
    const run = (extra: string[] = []) =>
      runArchpin(['run', '--forge', 'gitlab', '--url', scenario.gitlab.url, '--group', 'tokens-run', '--format', 'json', '--cache-dir', scenario.path('cache-run'), ...extra], {
        env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
      });

    let from = issuer.requests.length;
    const first = await run(['--concurrency', '1']);
    expect(first.code).toBe(0);
    // Each project's images are named before its lookups: a token for p1's two, then one adding each project's new ones.
    expect(tokenScopes(from)).toEqual([
      [pull('team/a'), pull('team/b')],
      [pull('team/a'), pull('team/b'), pull('team/c')],
      [pull('team/a'), pull('team/b'), pull('team/c'), pull('team/d'), pull('team/e')],
      [pull('team/a'), pull('team/b'), pull('team/c'), pull('team/d'), pull('team/e'), pull('team/f')],
    ]);
    expect(issuer.requests.slice(from).map((request) => request.status)).toEqual([200, 200, 200, 200]);
    const merged = Object.keys(PROJECTS).map((name) => scenario.gitlab.state.project(`tokens-run/${name}`).mergeRequests.map((mr) => mr.title));
    expect(merged).toEqual([
      [`Update ${proxy.host}/team/a Docker tag to 1.1.0`, `Update ${proxy.host}/team/b Docker tag to 1.1.0`],
      [`Update ${proxy.host}/team/b Docker tag to 1.1.0`, `Update ${proxy.host}/team/c Docker tag to 1.1.0`],
      [`Update ${proxy.host}/team/d Docker tag to 1.1.0`, `Update ${proxy.host}/team/e Docker tag to 1.1.0`],
      [`Update ${proxy.host}/team/e Docker tag to 1.1.0`, `Update ${proxy.host}/team/f Docker tag to 1.1.0`],
    ]);

    // The next run (a new process, its tokens gone) names every image the memo remembers before the first lookup.
    from = issuer.requests.length;
    const second = await run();
    expect(second.code).toBe(0);
    expect(tokenScopes(from)).toEqual([IMAGES.map(pull)]);
  });
});

describe('archpin serve', () => {
  it('asks one token for the images each project brings, and one for the next sweep once its tokens expired', async () => {
    addGroup('tokens-serve');
    let clock = NOW;
    const started = await startTestServe(
      { forge: 'gitlab', url: scenario.gitlab.url, groups: ['tokens-serve'] },
      { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
      scenario.path('cache-serve'),
      { concurrency: 1 },
      {},
      { now: () => clock },
    );
    try {
      let from = issuer.requests.length;
      let fromProxy = proxy.requests.length;
      await started.handle.sweep();
      await started.handle.idle();
      await until(() => started.handle.outcomes.length === 4, 'four outcomes');
      // The first session learns the registry's challenge: p1's first request gets a 401, and so may p1's other image's
      // first request when it leaves before that answer is in.
      expect([1, 2]).toContain(challenges(fromProxy));
      expect(tokenScopes(from)).toEqual([
        [pull('team/a'), pull('team/b')],
        [pull('team/a'), pull('team/b'), pull('team/c')],
        [pull('team/a'), pull('team/b'), pull('team/c'), pull('team/d'), pull('team/e')],
        [pull('team/a'), pull('team/b'), pull('team/c'), pull('team/d'), pull('team/e'), pull('team/f')],
      ]);

      // An hour later every token has expired: the sweep names the images its projects used, one token covers them.
      clock += 60 * 60_000;
      from = issuer.requests.length;
      fromProxy = proxy.requests.length;
      await started.handle.sweep();
      await started.handle.idle();
      await until(() => started.handle.outcomes.length === 8, 'eight outcomes');
      expect(tokenScopes(from)).toEqual([IMAGES.map(pull)]);
      // The second sweep's session (a new registry client) knows the challenge: the token is asked before any request, no 401.
      expect(challenges(fromProxy)).toBe(0);
    } finally {
      await started.handle.stop();
    }
  });
});
