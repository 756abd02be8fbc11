import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeDashboardState } from '../../src/plan/dashboard.js';
import { runArchpin } from '../support/run-cli.js';
import { useScenario } from '../support/scenario.js';

// The CLI builds the GitHub client as in production (retry and throttling plugins: writes spaced
// one second apart, notifying writes three, a 5xx retried three times after 1 s, 4 s and 9 s), with
// every one of those seconds shrunk to 10 ms.
const WAITS = { msPerSecond: 10 };
const SLOW = 120_000;

const scenario = useScenario({ name: 'run-gh', seed: true, github: { tokens: ['ghs_Q8mWz4TnVb2RcXe7LpK1sYd5HfJ0aG3uNi6o'] } });

const GOLDEN = path.resolve(import.meta.dirname, '../golden');

const composeFile = () =>
  `# local build sandbox\nservices:\n  docker:\n    image: ${scenario.host}/library/docker:27.0.3-dind@${scenario.seed.digests['27.0.3-dind']}\n    privileged: true\n  cli:\n    image: "${scenario.host}/library/docker:27.0.3"\n    depends_on: [docker]\n`;
const deployFile = () =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: dind\nspec:\n  template:\n    spec:\n      containers:\n        - name: dind\n          image: ${scenario.host}/library/docker:27.0.3-dind # keep in sync with compose\n`;

function run(extra: string[] = [], cache = 'cache') {
  return runArchpin(['run', '--forge', 'github', '--url', scenario.github.url, '--owner', 'acme', '--format', 'json', '--cache-dir', path.join(scenario.work, cache), ...extra], {
    // A directory without a config file: the checkout's own .archpin.json must not apply.
    cwd: scenario.work,
    env: { GITHUB_TOKEN: 'ghs_Q8mWz4TnVb2RcXe7LpK1sYd5HfJ0aG3uNi6o' },
    waits: WAITS,
  });
}

const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes!).toString('utf8');
const bare = (requestPath: string) => requestPath.split('?')[0]!;
const writes = (from: number) => scenario.github.requests.slice(from).filter((request) => request.method !== 'GET' && request.method !== 'HEAD');
const masked = (body: string) => body.replaceAll(scenario.host, 'registry.test').replace(/<!-- archpin-state:[A-Za-z0-9+/=]+ -->/, '<!-- archpin-state:… -->');
const branch = () => `archpin/${scenario.host.replace(':', '-')}-library-docker-27.x`;

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('archpin run on a GitHub owner', () => {
  it('opens one PR per update with byte-exact edits and a dashboard, skips archived repositories, and a second run writes nothing', { timeout: SLOW }, async () => {
    scenario.github.state.addRepo('acme/ci', { files: { 'compose.yaml': composeFile(), 'k8s/deploy.yaml': deployFile(), 'README.md': '# ci\n' } });
    scenario.github.state.addRepo('acme/old', { archived: true, files: { 'compose.yaml': composeFile() } });
    scenario.github.state.addRepo('acme/app', { files: { Dockerfile: `FROM ${scenario.host}/library/docker:27.1.1@${scenario.seed.digests['27.1.1']}\nRUN true\n` } });

    const first = await run();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.repositories.map((repo: { repository: string }) => repo.repository)).toEqual(['acme/app', 'acme/ci']);
    const [app, ci] = report.repositories;
    expect(app.changes).toEqual([]);
    expect(ci.changes).toEqual([
      {
        branch: branch(),
        title: `Update ${scenario.host}/library/docker Docker tags to 27.1.1, 27.1.1-dind`,
        action: 'opened',
        number: 1,
        url: `${scenario.github.url}/web/acme/ci/pull/1`,
      },
    ]);
    expect(ci.blocked.map((held: { tag: string; reason: string }) => [held.tag, held.reason])).toEqual([['27.2.0-dind', 'platform-regression']]);

    const files = scenario.github.state.files('acme/ci', branch());
    expect(text(files.get('compose.yaml'))).toBe(
      composeFile()
        .replace(`docker:27.0.3-dind@${scenario.seed.digests['27.0.3-dind']}\n`, `docker:27.1.1-dind@${scenario.seed.digests['27.1.1-dind']}\n`)
        .replace(`docker:27.0.3"`, `docker:27.1.1@${scenario.seed.digests['27.1.1']}"`),
    );
    expect(text(files.get('k8s/deploy.yaml'))).toBe(deployFile().replace('docker:27.0.3-dind #', `docker:27.1.1-dind@${scenario.seed.digests['27.1.1-dind']} #`));
    expect(text(files.get('README.md'))).toBe('# ci\n');
    const head = scenario.github.state.commit('acme/ci', scenario.github.state.branchSha('acme/ci', branch())!)!;
    expect(head.parents).toEqual([scenario.github.state.branchSha('acme/ci', 'main')]);

    const pulls = scenario.github.state.pulls('acme/ci');
    expect(pulls.map((pull) => [pull.number, pull.state, pull.pull!.head, pull.pull!.base, pull.pull!.autoMerge])).toEqual([[1, 'open', branch(), 'main', null]]);
    expect(masked(pulls[0]!.title)).toBe('Update registry.test/library/docker Docker tags to 27.1.1, 27.1.1-dind');
    golden('github-pr-body.md', masked(pulls[0]!.body!));
    expect(scenario.github.state.issues('acme/ci').map((issue) => [issue.number, issue.title, issue.state])).toEqual([[2, 'Dependency Dashboard (archpin)', 'open']]);
    expect(scenario.github.state.issues('acme/ci')[0]!.body).toContain(`[Update ${scenario.host}/library/docker Docker tags to 27.1.1, 27.1.1-dind](${scenario.github.url}/web/acme/ci/pull/1)`);
    expect(scenario.github.state.issues('acme/ci')[0]!.body).toContain('27.2.0-dind');
    expect(scenario.github.state.issues('acme/app').map((issue) => [issue.number, issue.title])).toEqual([[1, 'Dependency Dashboard (archpin)']]);
    // acme/app is looked up before acme/ci adds first-seen times of the same image: each dashboard
    // keeps only what its own lookups consulted, so neither changes on a run with nothing new.
    const firstSeen = (repo: string) => Object.keys(decodeDashboardState(scenario.github.state.issues(repo)[0]!.body)!.firstSeen).map((key) => key.replace(`${scenario.host}/library/docker@`, ''));
    expect(firstSeen('acme/app')).toEqual([]);
    expect(firstSeen('acme/ci')).toEqual([scenario.seed.digests['27.1.1'], scenario.seed.digests['27.1.1-dind'], scenario.seed.digests['27.2.0-dind']].sort());
    expect(scenario.github.state.issues('acme/old')).toEqual([]);
    expect(scenario.github.state.repo('acme/old').refs.size).toBe(1);

    // A second run without the first one's cache (so without its sweep memo) runs both in full and writes nothing.
    const before = scenario.github.requests.length;
    const second = await run([], 'cache-second');
    expect(second.code).toBe(0);
    expect(writes(before).map((request) => `${request.method} ${request.path}`)).toEqual([]);
    const calls = new Map<string, string[]>();
    for (const request of scenario.github.requests.slice(before)) {
      const repo = /^\/repos\/acme\/([^/]+)\//.exec(bare(request.path))?.[1] ?? '-';
      calls.set(repo, [...(calls.get(repo) ?? []), `${request.method} ${bare(request.path)}`]);
    }
    expect(Object.fromEntries(calls)).toEqual({
      '-': ['GET /orgs/acme/repos'],
      app: ['GET /repos/acme/app/branches/main', 'GET /repos/acme/app/issues'],
      ci: ['GET /repos/acme/ci/branches/main', 'GET /repos/acme/ci/issues'],
    });
    const again = JSON.parse(second.stdout);
    expect(
      again.repositories.map((repo: { repository: string; reusedScan: boolean; changes: Array<{ action: string }> }) => [
        repo.repository,
        repo.reusedScan,
        repo.changes.map((change) => change.action),
      ]),
    ).toEqual([
      ['acme/app', true, []],
      ['acme/ci', true, ['unchanged']],
    ]);
    // With the first run's cache, nothing was pushed since (pushed_at from the listing): the listing is the only call.
    const quietFrom = scenario.github.requests.length;
    const third = await run();
    expect(third.code).toBe(0);
    expect(scenario.github.requests.slice(quietFrom).map((request) => `${request.method} ${bare(request.path)}`)).toEqual(['GET /orgs/acme/repos']);
    expect(
      JSON.parse(third.stdout).repositories.map((repo: { repository: string; reusedScan: boolean; changes: Array<{ action: string }> }) => [
        repo.repository,
        repo.reusedScan,
        repo.changes.map((change) => change.action),
      ]),
    ).toEqual([
      ['acme/app', true, []],
      ['acme/ci', true, ['unchanged']],
    ]);
    // A push to acme/app moves its pushed_at: acme/app alone runs again.
    scenario.github.state.pushCommit('acme/app', 'main', { 'NOTES.md': '# notes\n' });
    const pushedFrom = scenario.github.requests.length;
    expect((await run()).code).toBe(0);
    const touched = new Set(scenario.github.requests.slice(pushedFrom).map((request) => /^\/repos\/acme\/([^/]+)\//.exec(bare(request.path))?.[1] ?? '-'));
    expect([...touched].sort()).toEqual(['-', 'app']);
  });

  it('heals a run whose PR create kept failing (500): the pushed branch gets one PR on the next run, no duplicates', { timeout: SLOW }, async () => {
    scenario.github.state.addRepo('acme/heal', { files: { 'deploy.yaml': deployFile() } });
    // One failure per attempt: the first request and its three retries.
    scenario.github.faults.add({ method: 'POST', path: '/repos/acme/heal/pulls', status: 500, times: 4 });
    const broken = await run([], 'cache-heal');
    expect(broken.code).toBe(1);
    const failed = JSON.parse(broken.stdout).repositories.find((repo: { repository: string }) => repo.repository === 'acme/heal');
    expect(failed.changes.map((change: { action: string; number: number | null }) => [change.action, change.number])).toEqual([['failed', null]]);
    expect(scenario.github.requests.filter((request) => request.method === 'POST' && bare(request.path) === '/repos/acme/heal/pulls').map((request) => request.status)).toEqual([500, 500, 500, 500]);
    expect(scenario.github.state.pulls('acme/heal')).toEqual([]);
    const pushed = [...scenario.github.state.repo('acme/heal').refs.keys()].filter((ref) => ref.startsWith('refs/heads/archpin/'));
    expect(pushed).toEqual([`refs/heads/archpin/${scenario.host.replace(':', '-')}-library-docker-27.x`]);
    // The failed change is not remembered: the dashboard state keeps no settled change for it.
    expect(scenario.github.state.issues('acme/heal').map((issue) => issue.title)).toEqual(['Dependency Dashboard (archpin)']);
    scenario.github.faults.clear();

    const healed = await run([], 'cache-heal');
    expect(healed.code).toBe(0);
    const fixed = JSON.parse(healed.stdout).repositories.find((repo: { repository: string }) => repo.repository === 'acme/heal');
    expect(fixed.changes.map((change: { action: string; number: number }) => [change.action, change.number])).toEqual([['opened', 2]]);
    expect(scenario.github.state.pulls('acme/heal').map((pull) => [pull.number, pull.state, pull.pull!.head])).toEqual([[2, 'open', pushed[0]!.slice('refs/heads/'.length)]]);
    expect(text(scenario.github.state.files('acme/heal', pushed[0]!.slice('refs/heads/'.length)).get('deploy.yaml'))).toBe(
      deployFile().replace('docker:27.0.3-dind #', `docker:27.1.1-dind@${scenario.seed.digests['27.1.1-dind']} #`),
    );

    const before = scenario.github.requests.length;
    const again = await run([], 'cache-heal');
    expect(again.code).toBe(0);
    expect(writes(before)).toEqual([]);
    expect(scenario.github.state.pulls('acme/heal').length).toBe(1);
    expect(scenario.github.state.issues('acme/heal').length).toBe(1);
  });

  it('automerge: true in a config file enables auto-merge through GraphQL on the PR it opens', { timeout: SLOW }, async () => {
    scenario.github.state.addRepo('acme/auto', { files: { 'k8s/deploy.yaml': deployFile() } });
    const configFile = path.join(scenario.work, 'automerge.json');
    writeFileSync(configFile, `${JSON.stringify({ automerge: true, labels: ['dependencies'] }, null, 2)}\n`);
    const before = scenario.github.requests.length;
    const result = await runArchpin(
      ['run', '--config', configFile, '--forge', 'github', '--url', scenario.github.url, '--repo', 'acme/auto', '--format', 'json', '--cache-dir', path.join(scenario.work, 'cache-auto')],
      {
        env: { GITHUB_TOKEN: 'ghs_Q8mWz4TnVb2RcXe7LpK1sYd5HfJ0aG3uNi6o' },
        waits: WAITS,
      },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(
      JSON.parse(result.stdout).repositories.map((repo: { repository: string; changes: Array<{ action: string; number: number }> }) => [
        repo.repository,
        repo.changes.map((change) => [change.action, change.number]),
      ]),
    ).toEqual([['acme/auto', [['opened', 1]]]]);
    const pull = scenario.github.state.pulls('acme/auto')[0]!;
    expect(pull.labels).toEqual(['dependencies']);
    expect(pull.pull!.autoMerge?.mergeMethod).toBe('SQUASH');
    const graphql = scenario.github.requests.slice(before).filter((request) => bare(request.path) === '/graphql');
    expect(graphql.length).toBe(1);
    expect(graphql[0]!.status).toBe(200);
    const sent = graphql[0]!.body as { query: string; variables: Record<string, unknown> };
    expect(sent.query).toContain('enablePullRequestAutoMerge');
    expect(sent.variables).toEqual({ pullRequestId: pull.nodeId, mergeMethod: 'SQUASH', expectedHeadOid: scenario.github.state.branchSha('acme/auto', pull.pull!.head) });
    expect(writes(before).map((request) => `${request.method} ${bare(request.path)}`)).toEqual([
      'POST /repos/acme/auto/git/blobs',
      'POST /repos/acme/auto/git/trees',
      'POST /repos/acme/auto/git/commits',
      'POST /repos/acme/auto/git/refs',
      'POST /repos/acme/auto/pulls',
      'PUT /repos/acme/auto/issues/1/labels',
      'POST /graphql',
      'POST /repos/acme/auto/issues',
    ]);
  });
});
