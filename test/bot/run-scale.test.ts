import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseShard, shardOf } from '../../src/bot/shard.js';
import { GITLAB_TEST_TOKEN } from '../support/gitlab-double.js';
import { pushImage, pushIndex } from '../support/seed.js';
import { useScenario } from '../support/scenario.js';
import { runArchpin } from '../support/run-cli.js';

const scenario = useScenario({ name: 'run-scale', seed: true, gitlab: {} });

function run(group: string, cache: string, extra: string[] = [], env: Record<string, string> = {}) {
  return runArchpin(['run', '--forge', 'gitlab', '--url', scenario.gitlab.url, '--group', group, '--format', 'json', '--cache-dir', path.join(scenario.work, cache), ...extra], {
    env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN, ...env },
  });
}

/** Requests made since `from`: group listings, and the other calls by project id. */
function callsSince(from: number): { group: number; byProject: Map<string, number> } {
  const byProject = new Map<string, number>();
  let group = 0;
  for (const request of scenario.gitlab.requests.slice(from)) {
    const id = /^\/projects\/(\d+)/.exec(request.path)?.[1];
    if (id === undefined) group++;
    else byProject.set(id, (byProject.get(id) ?? 0) + 1);
  }
  return { group, byProject };
}

const deployFile = (tag: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: dind\nspec:\n  containers:\n    - name: dind\n      image: ${scenario.host}/library/docker:${tag}\n`;
const repositoriesOf = (stdout: string) => (JSON.parse(stdout) as { repositories: Array<{ repository: string }> }).repositories.map((repo) => repo.repository);

describe('cheap no-op sweeps', () => {
  it('skips a settled project without a forge call, runs one that moved, and runs them all when an image gets a new tag', async () => {
    const names = ['quiet/a', 'quiet/b', 'quiet/sub/c', 'quiet/sub/d'];
    for (const name of names) scenario.gitlab.state.addProject(name, { files: { 'pod.yaml': deployFile('27.0.3-dind'), 'README.md': `# ${name}\n` } });
    const ids = names.map((name) => String(scenario.gitlab.state.project(name).id));

    const first = await run('quiet', 'cache-quiet');
    expect(first.code).toBe(0);
    expect(names.map((name) => scenario.gitlab.state.project(name).mergeRequests.length)).toEqual([1, 1, 1, 1]);

    let from = scenario.gitlab.requests.length;
    const second = await run('quiet', 'cache-quiet');
    expect(second.code).toBe(0);
    expect(callsSince(from)).toEqual({ group: 1, byProject: new Map() });
    const report = JSON.parse(second.stdout) as { repositories: Array<{ repository: string; changes: Array<{ action: string }>; reusedScan: boolean }> };
    expect(report.repositories.map((repo) => [repo.repository, repo.changes.map((change) => change.action), repo.reusedScan])).toEqual(names.map((name) => [name, ['unchanged'], true]));

    // A push to one project moves its last_activity_at: that project alone runs (and picks the push up).
    scenario.gitlab.state.push('quiet/sub/c', { 'more.yaml': deployFile('27.1.1') });
    from = scenario.gitlab.requests.length;
    const third = await run('quiet', 'cache-quiet');
    expect(third.code).toBe(0);
    const moved = callsSince(from);
    expect([...moved.byProject.keys()]).toEqual([ids[2]]);
    expect(scenario.gitlab.state.files('quiet/sub/c', scenario.gitlab.state.project('quiet/sub/c').mergeRequests[0]!.sourceBranch).has('more.yaml')).toBe(true);

    // Nothing new again: zero per-project calls, the pushed project included.
    from = scenario.gitlab.requests.length;
    expect((await run('quiet', 'cache-quiet')).code).toBe(0);
    expect(callsSince(from).byProject.size).toBe(0);

    // A new complete tag changes what the lookup says: every project using the image runs and its MR is updated.
    const images = await Promise.all(
      (['amd64', 'arm64'] as const).map((architecture) =>
        pushImage(scenario.registry, scenario.seed.repository, {
          os: 'linux',
          architecture,
          ...(architecture === 'arm64' ? { variant: 'v8' } : {}),
          mediaType: 'oci',
          created: '2024-09-02T10:00:00Z',
          label: '27.3.0-dind',
        }),
      ),
    );
    const armV6 = await pushImage(scenario.registry, scenario.seed.repository, {
      os: 'linux',
      architecture: 'arm',
      variant: 'v6',
      mediaType: 'oci',
      created: '2024-09-02T10:00:00Z',
      label: '27.3.0-dind',
    });
    const armV7 = await pushImage(scenario.registry, scenario.seed.repository, {
      os: 'linux',
      architecture: 'arm',
      variant: 'v7',
      mediaType: 'oci',
      created: '2024-09-02T10:00:00Z',
      label: '27.3.0-dind',
    });
    await pushIndex(scenario.registry, scenario.seed.repository, '27.3.0-dind', [...images, armV6, armV7], { mediaType: 'oci' });
    from = scenario.gitlab.requests.length;
    const fifth = await run('quiet', 'cache-quiet');
    expect(fifth.code).toBe(0);
    expect([...callsSince(from).byProject.keys()].sort()).toEqual([...ids].sort());
    expect(names.map((name) => scenario.gitlab.state.project(name).mergeRequests[0]!.title.endsWith('27.3.0-dind'))).toEqual([true, true, true, true]);
  });

  it('runs every project in full once its last full run is older than forge.fullCheckInterval (default 24 hours), whatever its stamp says', async () => {
    const names = ['lagging/a', 'lagging/b'];
    for (const name of names) scenario.gitlab.state.addProject(name, { files: { 'pod.yaml': deployFile('27.0.3-dind') } });
    const ids = names.map((name) => String(scenario.gitlab.state.project(name).id));
    const start = Date.parse('2026-11-22T12:00:00Z');
    const at = (hours: number, extra: string[] = []) =>
      runArchpin(['run', '--forge', 'gitlab', '--url', scenario.gitlab.url, '--group', 'lagging', '--format', 'json', '--cache-dir', path.join(scenario.work, 'cache-lagging'), ...extra], {
        env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
        now: start + hours * 3_600_000,
      });
    expect((await at(0)).code).toBe(0);
    let from = scenario.gitlab.requests.length;
    expect((await at(23.9)).code).toBe(0);
    expect(callsSince(from)).toEqual({ group: 1, byProject: new Map() });
    // 24 hours after the full run: both run in full (each looks its dashboard up), then are quiet again.
    from = scenario.gitlab.requests.length;
    expect((await at(24)).code).toBe(0);
    const full = callsSince(from);
    expect([...full.byProject.keys()].sort()).toEqual([...ids].sort());
    expect(scenario.gitlab.requests.slice(from).filter((request) => request.method === 'GET' && /^\/projects\/\d+\/issues$/.test(request.path)).length).toBe(2);
    from = scenario.gitlab.requests.length;
    expect((await at(30)).code).toBe(0);
    expect(callsSince(from)).toEqual({ group: 1, byProject: new Map() });
    // A shorter interval from the configuration.
    const config = path.join(scenario.work, 'lagging.json');
    writeFileSync(config, JSON.stringify({ forge: { type: 'gitlab', fullCheckInterval: '2 hours' } }));
    from = scenario.gitlab.requests.length;
    expect((await at(31, ['--config', config])).code).toBe(0);
    expect(callsSince(from).byProject.size).toBe(2);
    from = scenario.gitlab.requests.length;
    expect((await at(32.5, ['--config', config])).code).toBe(0);
    expect(callsSince(from)).toEqual({ group: 1, byProject: new Map() });
    from = scenario.gitlab.requests.length;
    expect((await at(33, ['--config', config])).code).toBe(0);
    expect([...callsSince(from).byProject.keys()].sort()).toEqual([...ids].sort());
  });

  it('runs a project whose memo is lost (empty cache) in full, and remembers nothing from a dry run', async () => {
    scenario.gitlab.state.addProject('fresh/one', { files: { 'pod.yaml': deployFile('27.0.3-dind') } });
    const id = String(scenario.gitlab.state.project('fresh/one').id);
    expect((await run('fresh', 'cache-fresh-1', ['--dry-run'])).code).toBe(0);
    let from = scenario.gitlab.requests.length;
    expect((await run('fresh', 'cache-fresh-1', ['--dry-run'])).code).toBe(0);
    expect(callsSince(from).byProject.get(id)).toBeGreaterThan(0);
    expect((await run('fresh', 'cache-fresh-1')).code).toBe(0);
    from = scenario.gitlab.requests.length;
    expect((await run('fresh', 'cache-fresh-2')).code).toBe(0);
    expect(callsSince(from).byProject.get(id)).toBe(2);
  });
});

describe('run --shard I/N', () => {
  it('splits the projects by a stable hash of their id: disjoint shards that cover every project', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `shards/p${String(i).padStart(2, '0')}`);
    for (const name of names) scenario.gitlab.state.addProject(name, { files: { 'README.md': `# ${name}\n` } });
    const shards: string[][] = [];
    for (const index of [1, 2, 3]) {
      const result = await run('shards', `cache-shard-${index}`, ['--shard', `${index}/3`]);
      expect(result.code).toBe(0);
      shards.push(repositoriesOf(result.stdout));
    }
    const expected = [1, 2, 3].map((index) => names.filter((name) => shardOf(String(scenario.gitlab.state.project(name).id), 3) === index));
    expect(shards).toEqual(expected);
    expect(shards.flat().sort()).toEqual(names);
    expect(shards.every((shard) => shard.length > 0)).toBe(true);
    // GitLab's parallel: N sets CI_NODE_INDEX / CI_NODE_TOTAL; the flag wins over them.
    const fromEnv = await run('shards', 'cache-shard-env', [], { CI_NODE_INDEX: '2', CI_NODE_TOTAL: '3' });
    expect(repositoriesOf(fromEnv.stdout)).toEqual(expected[1]);
    const flagWins = await run('shards', 'cache-shard-env', ['--shard', '3/3'], { CI_NODE_INDEX: '2', CI_NODE_TOTAL: '3' });
    expect(repositoriesOf(flagWins.stdout)).toEqual(expected[2]);
  });

  it('refuses a shard that is not I/N with 1 ≤ I ≤ N', async () => {
    for (const bad of ['0/3', '4/3', '2', 'a/b', '1/0']) {
      const result = await run('shards', 'cache-shard-bad', ['--shard', bad]);
      expect([result.code, result.stderr]).toEqual([2, `archpin: --shard ${bad}: expected I/N with 1 ≤ I ≤ N (e.g. 2/4), not "${bad}"\nRun "archpin run --help" for usage.\n`]);
    }
    expect(parseShard(undefined, { CI_NODE_INDEX: '1' })).toBeUndefined();
    expect(() => parseShard(undefined, { CI_NODE_INDEX: '5', CI_NODE_TOTAL: '4' })).toThrow('CI_NODE_INDEX/CI_NODE_TOTAL: expected I/N with 1 ≤ I ≤ N (e.g. 2/4), not "5/4"');
  });
});
