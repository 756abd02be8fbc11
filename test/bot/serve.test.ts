import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Forge, Repository } from '../../src/apply/forges/forge.js';
import { createGitlabForge } from '../../src/apply/forges/gitlab.js';
import { GITLAB_TEST_TOKEN } from '../support/gitlab-double.js';
import { useScenario } from '../support/scenario.js';
import { gitlabPush, post, startTestServe, until, WEBHOOK_SECRET, type Started } from './serve-support.js';

const scenario = useScenario({ name: 'serve', seed: true, gitlab: {} });
const running: Started[] = [];

afterAll(async () => {
  for (const started of running) await started.handle.stop();
});

const deployFile = () =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: dind\nspec:\n  template:\n    spec:\n      containers:\n        - name: dind\n          image: ${scenario.host}/library/docker:27.0.3-dind # keep in sync with CI\n`;
const ciFile = () =>
  `build:\n  image: ${scenario.host}/library/docker:27.0.3\n  services:\n    - name: "${scenario.host}/library/docker:27.0.3-dind@${scenario.seed.digests['27.0.3-dind']}"\n      alias: docker\n`;

async function serve(group: string, overrides: Parameters<typeof startTestServe>[3] = {}): Promise<Started> {
  const started = await startTestServe({ forge: 'gitlab', url: scenario.gitlab.url, groups: [group] }, { GITLAB_TOKEN: GITLAB_TEST_TOKEN }, path.join(scenario.work, `cache-${group}`), overrides);
  running.push(started);
  return started;
}

const hook = (url: string, body: string, token: string | null = WEBHOOK_SECRET) =>
  post(`${url}/webhooks/gitlab`, body, { 'x-gitlab-event': 'Push Hook', ...(token === null ? {} : { 'x-gitlab-token': token }) });
/** Repository runs of a project seen by the double: each run starts by reading the default branch head. */
/** Runs of a project: each run looks its dashboard issue up once (a run that wrote reads the default branch twice). */
const runsOf = (id: number) => scenario.gitlab.count('GET', `/projects/${id}/issues`);
const metricLines = (text: string, prefix: string) => text.split('\n').filter((line) => line.startsWith(prefix));

describe('archpin serve (GitLab)', () => {
  it('answers /healthz at once and /readyz once the forge was reached', async () => {
    scenario.gitlab.state.addProject('health/app', { files: { 'deploy.yaml': deployFile() } });
    const { handle } = await serve('health');
    const health = await fetch(`${handle.url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    const ready = await until(async () => {
      const response = await fetch(`${handle.url}/readyz`);
      return response.status === 200 ? response : null;
    }, 'readyz');
    expect(await ready.text()).toBe('ready\n');
    expect((await fetch(`${handle.url}/nothing-here`)).status).toBe(404);
    expect((await fetch(`${handle.url}/healthz`, { method: 'POST' })).status).toBe(405);
    expect(handle.outcomes).toEqual([]);
  });

  it('a webhook with a wrong or missing token gets 401 and starts nothing', async () => {
    const project = scenario.gitlab.state.addProject('locked/app', { files: { 'deploy.yaml': deployFile() } });
    const { handle, logs } = await serve('locked', { debounceMs: 0 });
    const body = gitlabPush({ id: project.id, path: 'locked/app' });
    const wrong = await hook(handle.url, body, 'whk-7Hq2mXv9LpR4tNc9');
    const missing = await hook(handle.url, body, null);
    const longer = await hook(handle.url, body, `${WEBHOOK_SECRET}x`);
    expect([wrong.status, missing.status, longer.status]).toEqual([401, 401, 401]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(runsOf(project.id)).toBe(0);
    expect(project.mergeRequests).toEqual([]);
    const metrics = await (await fetch(`${handle.url}/metrics`)).text();
    expect(metricLines(metrics, 'archpin_webhook_events_total')).toEqual(['archpin_webhook_events_total{forge="gitlab",result="unauthorized"} 3']);
    expect(metricLines(metrics, 'archpin_queue_depth ')).toEqual(['archpin_queue_depth 0']);
    expect(logs.join('')).not.toContain(WEBHOOK_SECRET);
  });

  it('a push to the default branch leads to a merge request; other events are ignored', async () => {
    const project = scenario.gitlab.state.addProject('push/app', { files: { 'deploy.yaml': deployFile() } });
    const { handle, records } = await serve('push');
    const other = await hook(handle.url, gitlabPush({ id: project.id, path: 'push/app' }, 'refs/heads/feature'));
    expect([other.status, await other.json()]).toEqual([202, { result: 'ignored', reason: 'push to a branch other than the default branch' }]);
    const stranger = await hook(handle.url, gitlabPush({ id: 999, path: 'elsewhere/app' }));
    expect(await stranger.json()).toEqual({ result: 'ignored', reason: 'elsewhere/app is not a target' });
    const pipeline = await hook(handle.url, JSON.stringify({ object_kind: 'pipeline', project: { id: project.id, path_with_namespace: 'push/app' } }));
    expect([pipeline.status, await pipeline.json()]).toEqual([202, { result: 'ignored', reason: 'pipeline events are not used' }]);

    const response = await hook(handle.url, gitlabPush({ id: project.id, path: 'push/app' }));
    expect([response.status, await response.json()]).toEqual([202, { result: 'queued', repository: 'push/app' }]);
    const mr = await until(() => project.mergeRequests[0], 'the merge request');
    expect([mr.state, mr.sourceBranch, mr.title]).toEqual([
      'opened',
      `archpin/${scenario.host.replace(':', '-')}-library-docker-27.x`,
      `Update ${scenario.host}/library/docker Docker tag to 27.1.1-dind`,
    ]);
    await handle.idle();
    expect(runsOf(project.id)).toBe(1);
    const done = records().filter((record) => record.msg === 'repository done');
    expect(done.map(({ repository, opened, held }) => ({ repository, opened, held }))).toEqual([{ repository: 'push/app', opened: 1, held: 1 }]);

    // An event on the bot's own merge request (e.g. someone closed it) runs the project again.
    const mrEvent = JSON.stringify({
      object_kind: 'merge_request',
      project: { id: project.id, path_with_namespace: 'push/app' },
      object_attributes: { iid: 1, action: 'close', source_branch: mr.sourceBranch },
    });
    expect(await (await hook(handle.url, mrEvent)).json()).toEqual({ result: 'queued', repository: 'push/app' });
    const foreign = JSON.stringify({ object_kind: 'merge_request', project: { id: project.id, path_with_namespace: 'push/app' }, object_attributes: { iid: 2, source_branch: 'feature/login' } });
    expect(await (await hook(handle.url, foreign)).json()).toEqual({ result: 'ignored', reason: 'merge request not from an archpin branch' });
    await handle.idle();
    expect(runsOf(project.id)).toBe(2);
  });

  it('a burst of 50 events for one idle project runs it once', async () => {
    const project = scenario.gitlab.state.addProject('burst/app', { files: { 'deploy.yaml': deployFile() } });
    // The 50 deliveries must all arrive within the wait; on a loaded machine they have taken over three seconds.
    const { handle } = await serve('burst', { debounceMs: 10_000 });
    const body = gitlabPush({ id: project.id, path: 'burst/app' });
    const answers = await Promise.all(Array.from({ length: 50 }, () => hook(handle.url, body).then(async (response) => [response.status, ((await response.json()) as { result: string }).result])));
    expect(answers.filter(([, result]) => result === 'queued').length).toBe(1);
    expect(answers.filter(([status, result]) => status === 202 && result === 'duplicate').length).toBe(49);
    await until(() => handle.outcomes.length === 1, 'the run');
    await handle.idle();
    expect(runsOf(project.id)).toBe(1);
    expect(handle.outcomes.map((outcome) => outcome.repository)).toEqual(['burst/app']);
    const metrics = await (await fetch(`${handle.url}/metrics`)).text();
    expect(metricLines(metrics, 'archpin_webhook_events_total')).toEqual([
      'archpin_webhook_events_total{forge="gitlab",result="duplicate"} 49',
      'archpin_webhook_events_total{forge="gitlab",result="queued"} 1',
    ]);
    expect(metricLines(metrics, 'archpin_repositories_processed_total')).toEqual(['archpin_repositories_processed_total{result="ok"} 1']);
  }, 60_000);

  it('a burst while the project runs queues exactly one follow-up run', async () => {
    const project = scenario.gitlab.state.addProject('busy/app', { files: { 'deploy.yaml': deployFile() } });
    const real = createGitlabForge({ url: scenario.gitlab.url, token: GITLAB_TEST_TOKEN, tokenEnv: 'GITLAB_TOKEN' });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered = 0;
    const forge: Forge = {
      ...real,
      branchHead: async (repo: Repository, branch: string) => {
        entered++;
        if (entered === 1) await held;
        return real.branchHead(repo, branch);
      },
    };
    const { handle } = await serve('busy', { forge, debounceMs: 0 });
    const body = gitlabPush({ id: project.id, path: 'busy/app' });
    expect(await (await hook(handle.url, body)).json()).toEqual({ result: 'queued', repository: 'busy/app' });
    await until(() => entered === 1, 'the first run');
    const results: string[] = [];
    for (let index = 0; index < 50; index++) results.push(((await (await hook(handle.url, body)).json()) as { result: string }).result);
    expect(results[0]).toBe('follow-up');
    expect(results.slice(1).every((result) => result === 'duplicate')).toBe(true);
    release();
    await until(() => handle.outcomes.length === 2, 'two runs');
    await handle.idle();
    expect(runsOf(project.id)).toBe(2);
    expect(handle.outcomes.map((outcome) => outcome.changes.map((change) => change.action))).toEqual([['opened'], ['unchanged']]);
  });

  it('a sweep reports exact metrics', async () => {
    scenario.gitlab.state.addProject('metered/ci', { files: { '.gitlab-ci.yml': ciFile(), 'k8s/deploy.yaml': deployFile() } });
    scenario.gitlab.state.addProject('metered/empty', { files: { 'README.md': '# nothing to pin\n' } });
    const { handle } = await serve('metered', { debounceMs: 0 });
    await handle.sweep();
    await handle.idle();
    const text = await (await fetch(`${handle.url}/metrics`)).text();
    const counters = text.split('\n').filter((line) => line && !line.startsWith('#') && !line.startsWith('archpin_registry_requests_total'));
    expect(counters).toEqual([
      'archpin_sweeps_total 1',
      'archpin_sweep_failures_total 0',
      'archpin_repositories_processed_total{result="ok"} 2',
      'archpin_change_requests_total{action="opened"} 1',
      'archpin_holds_total{reason="platform-regression"} 1',
      'archpin_queue_depth 0',
      'archpin_queue_running 0',
      'archpin_ready 1',
    ]);
    expect(text).toContain('# TYPE archpin_change_requests_total counter\n');
    expect(text).toContain('# TYPE archpin_queue_depth gauge\narchpin_queue_depth 0\n');
    // 6 manifests by tag and digest, plus the 4 children and 4 config blobs of each of the two proposed indexes
    expect(metricLines(text, 'archpin_registry_requests_total')).toEqual([
      'archpin_registry_requests_total{kind="blob"} 8',
      'archpin_registry_requests_total{kind="manifest-get"} 14',
      'archpin_registry_requests_total{kind="manifest-head"} 0',
      'archpin_registry_requests_total{kind="tags"} 1',
      'archpin_registry_requests_total{kind="token"} 0',
    ]);
  });

  it('a schedule tick sweeps every target', async () => {
    const project = scenario.gitlab.state.addProject('ticking/app', { files: { 'deploy.yaml': deployFile() } });
    const { handle } = await serve('ticking', { schedule: '* * * * * *', debounceMs: 0 });
    await until(() => project.mergeRequests.length === 1, 'the merge request from the scheduled sweep', 60_000);
    // The merge request exists before the sweep records its outcome: wait for the record too.
    await until(() => handle.outcomes.length >= 1, 'the outcome of the scheduled sweep');
    expect(handle.metrics.value('archpin_sweeps_total')).toBeGreaterThanOrEqual(1);
    expect(handle.outcomes[0]!.changes.map((change) => change.action)).toEqual(['opened']);
    await handle.stop();
  });

  it('is not ready while the forge cannot be reached, and refuses webhooks without a secret', async () => {
    const real = createGitlabForge({ url: scenario.gitlab.url, token: GITLAB_TEST_TOKEN, tokenEnv: 'GITLAB_TOKEN' });
    const forge: Forge = { ...real, listRepositories: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')) };
    const { handle, records } = await serve('down', { forge, webhookSecret: null, sweepOnStart: true });
    await until(() => handle.metrics.value('archpin_sweep_failures_total') === 1, 'the failed sweep');
    const ready = await fetch(`${handle.url}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([503, 'forge not reached yet\n']);
    const refused = await hook(handle.url, gitlabPush({ id: 1, path: 'down/app' }));
    expect([refused.status, await refused.text()]).toEqual([403, 'webhooks are disabled: set serve.webhookSecretEnv\n']);
    expect(
      records()
        .filter((record) => record.level === 50)
        .map((record) => [record.code, record.msg]),
    ).toEqual([['run-failed', 'sweep: cannot list repositories: connect ECONNREFUSED 127.0.0.1:1']]);
    const metrics = await (await fetch(`${handle.url}/metrics`)).text();
    expect(metricLines(metrics, 'archpin_ready ')).toEqual(['archpin_ready 0']);
  });

  it('a stop during a sweep finishes the write in flight: no archpin branch is left without its merge request', async () => {
    const projects = ['halt/a', 'halt/b', 'halt/c', 'halt/d', 'halt/e'].map((name) => scenario.gitlab.state.addProject(name, { files: { 'deploy.yaml': deployFile() } }));
    const real = createGitlabForge({ url: scenario.gitlab.url, token: GITLAB_TEST_TOKEN, tokenEnv: 'GITLAB_TOKEN' });
    // Set inside the forge wrapper below, which the compiler's narrowing does not follow.
    let stopping = null as Promise<void> | null;
    let readyWhileStopping: number | null = null;
    let handle: Started['handle'] | null = null;
    const forge: Forge = {
      ...real,
      commitFiles: async (repo, request) => {
        if (!stopping && handle) {
          stopping = handle.stop();
          readyWhileStopping = (await fetch(`${handle.url}/readyz`)).status;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
        return real.commitFiles(repo, request);
      },
    };
    const started = await serve('halt', { forge, debounceMs: 0, concurrency: 2 });
    handle = started.handle;
    await handle.sweep();
    await until(() => stopping !== null, 'the stop');
    await stopping;
    expect(readyWhileStopping).toBe(503);
    await expect(fetch(`${handle.url}/healthz`)).rejects.toThrow();
    const branchesWithoutMr = projects.flatMap((project) =>
      [...project.branches.keys()]
        .filter((branch) => branch.startsWith('archpin/') && !project.mergeRequests.some((mr) => mr.sourceBranch === branch))
        .map((branch) => `${project.pathWithNamespace}:${branch}`),
    );
    expect(branchesWithoutMr).toEqual([]);
    const withMr = projects.filter((project) => project.mergeRequests.length === 1).length;
    expect(withMr).toBeGreaterThanOrEqual(1);
    expect(withMr).toBeLessThanOrEqual(2);
    // The queued projects never started: nothing was written to them.
    expect(projects.slice(2).map((project) => [project.pathWithNamespace, project.branches.size, project.mergeRequests.length, project.issues.length])).toEqual([
      ['halt/c', 1, 0, 0],
      ['halt/d', 1, 0, 0],
      ['halt/e', 1, 0, 0],
    ]);
    expect(started.records().some((record) => record.msg === 'stopped')).toBe(true);
  });
});
