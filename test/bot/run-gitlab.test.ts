import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GITLAB_TEST_TOKEN } from '../support/gitlab-double.js';
import { pushImage, pushIndex } from '../support/seed.js';
import { runArchpin } from '../support/run-cli.js';
import { useScenario } from '../support/scenario.js';

const scenario = useScenario({ name: 'run-gitlab', seed: true, gitlab: {} });

const GOLDEN = path.resolve(import.meta.dirname, '../golden');

const ciFile = () =>
  `# build with dind\nbuild:\n  image: ${scenario.host}/library/docker:27.0.3\n  services:\n    - name: "${scenario.host}/library/docker:27.0.3-dind@${scenario.seed.digests['27.0.3-dind']}"\n      alias: docker\n  script:\n    - docker build .\n`;
const deployFile = () =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: dind\nspec:\n  template:\n    spec:\n      containers:\n        - name: dind\n          image: ${scenario.host}/library/docker:27.0.3-dind # keep in sync with CI\n`;

function run(extra: string[] = [], cache = 'cache', now?: number) {
  return runArchpin(['run', '--forge', 'gitlab', '--url', scenario.gitlab.url, '--group', 'infra', '--format', 'json', '--cache-dir', path.join(scenario.work, cache), ...extra], {
    // A directory without a config file: the checkout's own .archpin.json must not apply.
    cwd: scenario.work,
    env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
    ...(now === undefined ? {} : { now }),
  });
}

const writes = (from: number) => scenario.gitlab.requests.slice(from).filter((request) => request.method !== 'GET' && request.method !== 'HEAD');
/** Golden files hold what is stable between runs: the registry's port and the hidden state (commit shas) are masked. */
const masked = (text: string) => text.replaceAll(scenario.host, 'registry.test').replace(/<!-- archpin-state:[A-Za-z0-9+/=]+ -->/, '<!-- archpin-state:… -->');

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('archpin run on a GitLab group', () => {
  it('opens one MR per update with byte-exact edits and a dashboard, skips archived projects, and a second run writes nothing', async () => {
    scenario.gitlab.state.addProject('infra/ci', { files: { '.gitlab-ci.yml': ciFile(), 'k8s/deploy.yaml': deployFile(), 'README.md': '# ci\n' } });
    scenario.gitlab.state.addProject('infra/old', { archived: true, files: { '.gitlab-ci.yml': ciFile() } });
    scenario.gitlab.state.addProject('infra/team/app', { files: { Dockerfile: `FROM ${scenario.host}/library/docker:27.1.1@${scenario.seed.digests['27.1.1']}\nRUN true\n` } });

    const first = await run();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.repositories.map((repo: { repository: string }) => repo.repository)).toEqual(['infra/ci', 'infra/team/app']);
    const ci = report.repositories[0];
    const branch = `archpin/${scenario.host.replace(':', '-')}-library-docker-27.x`;
    expect(ci.changes.map((change: { branch: string; title: string; action: string }) => [change.branch, change.title, change.action])).toEqual([
      [branch, `Update ${scenario.host}/library/docker Docker tags to 27.1.1, 27.1.1-dind`, 'opened'],
    ]);
    expect(ci.blocked.map((held: { tag: string; reason: string }) => [held.tag, held.reason])).toEqual([['27.2.0-dind', 'platform-regression']]);
    expect(report.repositories[1].changes).toEqual([]);

    const project = scenario.gitlab.state.project('infra/ci');
    const files = scenario.gitlab.state.files('infra/ci', branch);
    expect(Buffer.from(files.get('.gitlab-ci.yml')!).toString()).toBe(
      ciFile()
        .replace(`docker:27.0.3\n`, `docker:27.1.1@${scenario.seed.digests['27.1.1']}\n`)
        .replace(`docker:27.0.3-dind@${scenario.seed.digests['27.0.3-dind']}`, `docker:27.1.1-dind@${scenario.seed.digests['27.1.1-dind']}`),
    );
    expect(Buffer.from(files.get('k8s/deploy.yaml')!).toString()).toBe(deployFile().replace('docker:27.0.3-dind #', `docker:27.1.1-dind@${scenario.seed.digests['27.1.1-dind']} #`));
    expect(Buffer.from(files.get('README.md')!).toString()).toBe('# ci\n');
    const head = scenario.gitlab.state.getCommit(project, project.branches.get(branch)!);
    expect(head.parents).toEqual([project.branches.get('main')]);

    expect(project.mergeRequests.length).toBe(1);
    const mr = project.mergeRequests[0]!;
    expect([mr.state, mr.sourceBranch, mr.targetBranch]).toEqual(['opened', branch, 'main']);
    golden('gitlab-mr-title.txt', `${masked(mr.title)}\n`);
    golden('gitlab-mr-body.md', masked(mr.description));
    expect(project.issues.map((issue) => [issue.title, issue.state])).toEqual([['Dependency Dashboard (archpin)', 'opened']]);
    expect(project.issues[0]!.description).toContain('27.2.0-dind');

    const before = scenario.gitlab.requests.length;
    const second = await run();
    expect(second.code).toBe(0);
    expect(writes(before).map((request) => `${request.method} ${request.path}`)).toEqual([]);
    const perProject = scenario.gitlab.requests.slice(before).filter((request) => request.path.startsWith('/projects/'));
    const calls = new Map<string, number>();
    for (const request of perProject) {
      const id = request.path.split('/')[2]!;
      calls.set(id, (calls.get(id) ?? 0) + 1);
    }
    expect(Math.max(...calls.values())).toBeLessThanOrEqual(3);
    expect(JSON.parse(second.stdout).repositories[0].changes.map((change: { action: string }) => change.action)).toEqual(['unchanged']);
  });

  it('turns a held update into the same MR, updated in place, once its index is complete', async () => {
    const images = await Promise.all(
      ['amd64', 'arm64'].map((architecture) =>
        pushImage(scenario.registry, scenario.seed.repository, {
          os: 'linux',
          architecture,
          ...(architecture === 'arm64' ? { variant: 'v8' } : {}),
          mediaType: 'oci',
          created: '2024-08-28T10:00:00Z',
          label: '27.2.0-dind-complete',
        }),
      ),
    );
    const armV6 = await pushImage(scenario.registry, scenario.seed.repository, {
      os: 'linux',
      architecture: 'arm',
      variant: 'v6',
      mediaType: 'oci',
      created: '2024-08-28T10:00:00Z',
      label: '27.2.0-dind-complete',
    });
    const armV7 = await pushImage(scenario.registry, scenario.seed.repository, {
      os: 'linux',
      architecture: 'arm',
      variant: 'v7',
      mediaType: 'oci',
      created: '2024-08-28T10:00:00Z',
      label: '27.2.0-dind-complete',
    });
    const complete = await pushIndex(scenario.registry, scenario.seed.repository, '27.2.0-dind', [...images, armV6, armV7], { mediaType: 'oci' });

    const before = scenario.gitlab.requests.length;
    // A later run: the tag → digest answers remembered by the earlier runs are older than tagCacheTtl (5 minutes).
    const third = await run([], 'cache', Date.parse('2026-11-22T12:10:00Z'));
    expect(third.code).toBe(0);
    const change = JSON.parse(third.stdout).repositories[0].changes[0];
    expect([change.action, change.title]).toEqual(['updated', `Update ${scenario.host}/library/docker Docker tags to 27.1.1, 27.2.0-dind`]);
    const project = scenario.gitlab.state.project('infra/ci');
    expect(project.mergeRequests.length).toBe(1);
    expect(project.mergeRequests[0]!.title).toBe(change.title);
    const files = scenario.gitlab.state.files('infra/ci', change.branch);
    expect(Buffer.from(files.get('k8s/deploy.yaml')!).toString()).toBe(deployFile().replace('docker:27.0.3-dind #', `docker:27.2.0-dind@${complete.digest} #`));
    const ci = `/projects/${project.id}/`;
    expect(
      writes(before)
        .filter((request) => request.path.startsWith(ci))
        .map((request) => `${request.method} ${request.path.replace(/^\/projects\/\d+/, '')}`),
    ).toEqual(['POST /repository/commits', 'PUT /merge_requests/1', 'PUT /issues/1']);
  });

  it('heals a run that died between pushing the branch and opening the MR: no duplicates', async () => {
    scenario.gitlab.state.addProject('infra/heal', { files: { 'deploy.yaml': deployFile() } });
    const fault = scenario.gitlab.faults.add({ method: 'POST', path: /^\/projects\/\d+\/merge_requests$/, status: 500, body: { message: '500 Internal Server Error' } });
    const broken = await run([], 'cache-heal');
    expect(broken.code).toBe(1);
    expect(fault.fired).toBe(1);
    const project = scenario.gitlab.state.project('infra/heal');
    expect(project.mergeRequests.length).toBe(0);
    expect([...project.branches.keys()].filter((name) => name.startsWith('archpin/')).length).toBe(1);
    scenario.gitlab.faults.clear();

    const healed = await run([], 'cache-heal');
    expect(healed.code).toBe(0);
    expect(project.mergeRequests.length).toBe(1);
    const again = await run([], 'cache-heal');
    expect(again.code).toBe(0);
    expect(project.mergeRequests.length).toBe(1);
  });

  it('waits out a 429 with Retry-After mid-run, and heals a 409 on MR create on the next run', async () => {
    scenario.gitlab.state.addProject('faults/app', { files: { 'deploy.yaml': deployFile() } });
    const project = scenario.gitlab.state.project('faults/app');
    const faultRun = () =>
      runArchpin(['run', '--forge', 'gitlab', '--url', scenario.gitlab.url, '--group', 'faults', '--format', 'json', '--cache-dir', path.join(scenario.work, 'cache-faults')], {
        // A directory without a config file: the checkout's own .archpin.json must not apply.
        cwd: scenario.work,
        env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
      });
    const limited = scenario.gitlab.faults.add({ method: 'POST', path: `/projects/${project.id}/repository/commits`, status: 429, body: { message: 'Retry later' }, headers: { 'Retry-After': '1' } });
    const started = Date.now();
    const first = await faultRun();
    expect(first.code).toBe(0);
    expect(limited.fired).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(project.mergeRequests.length).toBe(1);
    scenario.gitlab.faults.clear();

    // GitLab refuses the MR create with a 409 (it saw a duplicate the run did not): reported, healed next run.
    scenario.gitlab.state.addProject('faults/api', { files: { 'deploy.yaml': deployFile() } });
    const api = scenario.gitlab.state.project('faults/api');
    const conflict = scenario.gitlab.faults.add({
      method: 'POST',
      path: `/projects/${api.id}/merge_requests`,
      status: 409,
      body: { message: ['Another open merge request already exists for this source branch: !1'] },
    });
    const refused = await faultRun();
    expect(refused.code).toBe(1);
    expect(conflict.fired).toBe(1);
    const refusedReport = JSON.parse(refused.stdout).repositories.find((repo: { repository: string }) => repo.repository === 'faults/api');
    expect(refusedReport.changes.map((change: { action: string }) => change.action)).toEqual(['failed']);
    scenario.gitlab.faults.clear();
    const healed = await faultRun();
    expect(healed.code).toBe(0);
    expect(api.mergeRequests.map((mr) => mr.state)).toEqual(['opened']);
    const before = scenario.gitlab.requests.length;
    expect((await faultRun()).code).toBe(0);
    expect(writes(before)).toEqual([]);
    expect(project.mergeRequests.length).toBe(1);
  });

  it('prConcurrentLimit and prHourlyLimit hold back new MRs until there is room', async () => {
    scenario.gitlab.state.addProject('limits/app', { files: { 'a.yaml': deployFile(), Dockerfile: `FROM ${scenario.host}/library/docker:27.1.1\n` } });
    const configFile = path.join(scenario.work, 'limits.json');
    const limitedRun = async (config: object) => {
      writeFileSync(configFile, JSON.stringify(config));
      const result = await runArchpin(
        ['run', '--config', configFile, '--forge', 'gitlab', '--url', scenario.gitlab.url, '--group', 'limits', '--format', 'json', '--cache-dir', path.join(scenario.work, 'cache-limits')],
        {
          env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
          now: Date.parse('2026-05-02T09:30:00Z'), // within the hour of the double's clock, which stamps MRs from 09:00 that day
        },
      );
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout).repositories[0].changes.map((change: { branch: string; action: string }) => [change.branch.replace(/^.*docker-/, ''), change.action]);
    };
    expect(await limitedRun({ prConcurrentLimit: 1 })).toEqual([
      ['27.x', 'opened'],
      ['digest', 'awaiting-limit'],
    ]);
    expect(await limitedRun({ prConcurrentLimit: 0, prHourlyLimit: 1 })).toEqual([
      ['27.x', 'unchanged'],
      ['digest', 'awaiting-limit'],
    ]);
    expect(await limitedRun({ prConcurrentLimit: 0 })).toEqual([
      ['27.x', 'unchanged'],
      ['digest', 'opened'],
    ]);
    // 27.2.0-dind became complete in an earlier test, so the version MR targets it.
    expect(scenario.gitlab.state.project('limits/app').mergeRequests.map((mr) => mr.title)).toEqual([
      `Update ${scenario.host}/library/docker Docker tag to 27.2.0-dind`,
      `Pin ${scenario.host}/library/docker Docker digest`,
    ]);
  });

  it('switches auto-merge on only once the MR has a pipeline (GitLab would merge at once without one)', async () => {
    scenario.gitlab.state.addProject('auto/app', { files: { 'deploy.yaml': deployFile() } });
    const configFile = path.join(scenario.work, 'automerge.json');
    writeFileSync(configFile, JSON.stringify({ automerge: true }));
    const autoRun = async () => {
      const result = await runArchpin(
        ['run', '--config', configFile, '--forge', 'gitlab', '--url', scenario.gitlab.url, '--group', 'auto', '--format', 'json', '--cache-dir', path.join(scenario.work, 'cache-auto')],
        {
          env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
        },
      );
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout).repositories[0].changes.map((change: { action: string; automerge?: string }) => [change.action, change.automerge ?? null]);
    };
    const project = scenario.gitlab.state.project('auto/app');
    expect(await autoRun()).toEqual([['opened', 'waiting']]);
    expect(project.mergeRequests.map((mr) => [mr.state, mr.mergeWhenPipelineSucceeds])).toEqual([['opened', false]]);
    expect(await autoRun()).toEqual([['unchanged', 'waiting']]);
    scenario.gitlab.state.startPipeline('auto/app', 1);
    expect(await autoRun()).toEqual([['updated', null]]);
    expect(project.mergeRequests.map((mr) => [mr.state, mr.mergeWhenPipelineSucceeds])).toEqual([['opened', true]]);
    const before = scenario.gitlab.requests.length;
    expect(await autoRun()).toEqual([['unchanged', null]]);
    expect(writes(before)).toEqual([]);
  });

  it('--dry-run prints the MRs it would open and writes nothing', async () => {
    scenario.gitlab.state.addProject('infra/dry', { files: { 'deploy.yaml': deployFile() } });
    const before = scenario.gitlab.requests.length;
    const dry = await run(['--dry-run'], 'cache-dry');
    expect(dry.code).toBe(0);
    const repo = JSON.parse(dry.stdout).repositories.find((entry: { repository: string }) => entry.repository === 'infra/dry');
    expect(repo.changes.map((change: { action: string }) => change.action)).toEqual(['would-open']);
    expect(writes(before)).toEqual([]);
  });
});
