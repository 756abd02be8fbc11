/**
 * The distributed bot: several `node bin/archpin.js serve` processes on one real redis-server,
 * against the GitLab double and the real registry. A scheduler sweeps, workers run one job per
 * project; a worker killed mid-job has its job taken by another; Redis restarts lose nothing; a
 * webhook burst spread over replicas runs each project once.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useScenario } from '../support/scenario.js';
import { gitlabPush, post, until, WEBHOOK_SECRET } from './serve-support.js';
import { launchServe } from '../support/serve-process.js';
import { ensureBuilt } from '../support/build.js';

/**
 * How long a wait for the processes may take. These are bounds for a machine under heavy load (several
 * node processes start per test), not speed checks: each wait ends as soon as its condition holds.
 */
const LOADED_MS = 60_000;

const scenario = useScenario({ name: 'distributed', seed: true, gitlabProxy: true, redis: true });
const children: ChildProcess[] = [];

beforeAll(async () => {
  await ensureBuilt('dist/bot/bull-serve.js');
}, 120_000);

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Replica {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  /** SIGTERM, and the exit code. */
  stop(): Promise<number | null>;
}

const deploy = () =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: dind\nspec:\n  template:\n    spec:\n      containers:\n        - name: dind\n          image: ${scenario.registry.host}/library/docker:27.0.3-dind\n`;

let configs = 0;
function configFile(groups: string | readonly string[], serve: Record<string, unknown>): string {
  const file = path.join(scenario.work, `archpin-${++configs}.json`);
  const queue = { redisUrl: scenario.redis.url, prefix: `t${configs}`, lockDuration: '2s', backoff: '1s', ...((serve.queue as object | undefined) ?? {}) };
  writeFileSync(
    file,
    JSON.stringify({
      forge: { type: 'gitlab', url: scenario.gitlabProxy.url, groups: typeof groups === 'string' ? [groups] : groups },
      serve: { listen: '127.0.0.1:0', concurrency: 2, webhookSecretEnv: 'HOOK_SECRET', sweepOnStart: false, debounce: '1s', ...serve, queue },
    }),
  );
  return file;
}

let replicas = 0;
/** One `archpin serve` process; it is killed after the test unless it is kept for several (`kept`). */
async function replica(config: string, role: 'all' | 'scheduler' | 'worker', kept?: ChildProcess[]): Promise<Replica> {
  const serve = launchServe(['--config', config, '--role', role, '--cache-dir', path.join(scenario.work, `cache-${++replicas}`), '--log-level', 'info'], { cwd: scenario.work });
  (kept ?? children).push(serve.child);
  const url = await serve.listening(LOADED_MS);
  return { child: serve.child, url, output: () => serve.stderr(), stop: () => serve.stop() };
}

const projectRuns = (id: number) => scenario.gitlab.requests.filter((request) => request.method === 'GET' && request.path === `/projects/${id}/issues`).length;
const metric = async (url: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? NaN);

describe('archpin serve on Redis (BullMQ)', () => {
  it('a scheduler sweeps on its BullMQ schedule, two workers run one job per project, and the next sweeps cost no per-project call', async () => {
    const projects = ['dist/a', 'dist/b', 'dist/c', 'dist/d', 'dist/e'].map((name) => scenario.gitlab.state.addProject(name, { files: { 'deploy.yaml': deploy() } }));
    const config = configFile('dist', { schedule: '*/2 * * * * *' });
    const [scheduler, ...workers] = await Promise.all([replica(config, 'scheduler'), replica(config, 'worker'), replica(config, 'worker')]);
    await until(() => projects.every((project) => project.mergeRequests.length === 1 && project.issues.length === 1), 'every project to get its MR and dashboard', LOADED_MS);
    await until(async () => (await metric(scheduler.url, 'archpin_queue_depth')) === 0 && (await metric(scheduler.url, 'archpin_queue_running')) === 0, 'the queue to drain', LOADED_MS);
    // Ticks after the projects settled: group listings only. A sweep that read the memo before a
    // project's first run wrote it may still queue that project once more when the machine is slow,
    // so the window of two sweeps is tried up to three times; a per-project call on every sweep fails.
    // The counter moves after a sweep's group listing is logged: one sweep may have listed before
    // `from` and counted after `settledSweeps`, so three counted sweeps hold at least two listings.
    let later: typeof scenario.gitlab.requests = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const settledSweeps = await metric(scheduler.url, 'archpin_sweeps_total');
      const from = scenario.gitlab.requests.length;
      await until(async () => (await metric(scheduler.url, 'archpin_sweeps_total')) >= settledSweeps + 3, 'three more sweeps', LOADED_MS);
      await until(async () => (await metric(scheduler.url, 'archpin_queue_depth')) === 0 && (await metric(scheduler.url, 'archpin_queue_running')) === 0, 'the queue to drain', LOADED_MS);
      later = scenario.gitlab.requests.slice(from);
      if (!later.some((request) => request.path.startsWith('/projects/'))) break;
    }
    expect(later.filter((request) => request.path.startsWith('/projects/'))).toEqual([]);
    expect(later.length).toBeGreaterThanOrEqual(2);
    expect(new Set(later.map((request) => request.path))).toEqual(new Set(['/groups/dist/projects']));
    expect(projects.map((project) => project.mergeRequests.length)).toEqual([1, 1, 1, 1, 1]);
    // The scheduler told the quiet projects itself: the workers got no job for them. The sweep
    // counter moves when a sweep has listed the group, before its projects are told quiet, so the
    // scheduler's count is waited for rather than read at once.
    const quietCounts = async () =>
      Promise.all(
        [scheduler, ...workers].map(async (replica) => {
          const text = await (await fetch(`${replica.url}/metrics`)).text();
          return Number(/^archpin_repositories_processed_total\{result="quiet"\} (\d+)$/m.exec(text)?.[1] ?? 0);
        }),
      );
    await until(async () => ((await quietCounts())[0] ?? 0) >= 2 * projects.length, 'two sweeps of quiet projects at the scheduler', LOADED_MS);
    expect((await quietCounts()).slice(1)).toEqual([0, 0]);
    expect(await Promise.all([scheduler, ...workers].map((process) => process.stop()))).toEqual([0, 0, 0]);
  }, 180_000);

  it('a worker killed mid-job: its job goes to another worker, once, and no MR is duplicated', async () => {
    const project = scenario.gitlab.state.addProject('kill/app', { files: { 'deploy.yaml': deploy() } });
    scenario.gitlabProxy.addFault({ method: 'POST', path: /\/merge_requests$/, fault: { kind: 'delay', ms: 3_000 } });
    const config = configFile('kill', {});
    const [first, web] = await Promise.all([replica(config, 'worker'), replica(config, 'scheduler')]);
    const hook = await post(`${web.url}/webhooks/gitlab`, gitlabPush({ id: project.id, path: 'kill/app' }), { 'x-gitlab-token': WEBHOOK_SECRET, 'x-gitlab-event': 'Push Hook' });
    expect(hook.status).toBe(202);
    // The branch is pushed and the MR request is on its way: kill the worker there.
    await until(() => scenario.gitlab.requests.some((request) => request.method === 'POST' && request.path === `/projects/${project.id}/repository/commits`), 'the commit', LOADED_MS);
    first.child.kill('SIGKILL');
    const second = await replica(config, 'worker');
    await until(() => project.mergeRequests.length >= 1 && project.issues.length === 1, 'the retried job to finish', LOADED_MS);
    await until(async () => (await metric(web.url, 'archpin_queue_depth')) === 0 && (await metric(web.url, 'archpin_queue_running')) === 0, 'the queue to drain', LOADED_MS);
    expect(project.mergeRequests.filter((mr) => mr.state === 'opened').length).toBe(1);
    expect(project.mergeRequests.length).toBe(1);
    expect([...project.branches.keys()].filter((branch) => branch.startsWith('archpin/')).length).toBe(1);
    // The killed attempt and its one retry.
    expect(projectRuns(project.id)).toBe(2);
    expect(await metric(web.url, 'archpin_queue_failed')).toBe(0);
    scenario.gitlabProxy.clearFaults();
    expect(await Promise.all([second.stop(), web.stop()])).toEqual([0, 0]);
  }, 180_000);

  /**
   * The next two tests run on the same two workers, started once: the first restarts Redis under them, the
   * second spreads a burst over them and a third replica. Their order plays no part in what they check (each
   * has a group of projects of its own, and nothing sweeps), and two process starts are saved.
   */
  describe('two workers kept for both tests', () => {
    const kept: ChildProcess[] = [];
    let config = '';
    let workers: Replica[] = [];

    beforeAll(async () => {
      config = configFile(['restart', 'burst'], { debounce: '3s' });
      workers = await Promise.all([replica(config, 'worker', kept), replica(config, 'worker', kept)]);
    }, 120_000);

    afterAll(async () => {
      const alive = kept.splice(0).filter((child) => child.exitCode === null).length;
      expect(alive).toBe(2);
      expect(await Promise.all(workers.map((worker) => worker.stop()))).toEqual([0, 0]);
    }, 60_000);

    it('Redis restarts while jobs wait: workers reconnect and every queued project still runs, once', async () => {
      const projects = ['restart/a', 'restart/b', 'restart/c'].map((name) => scenario.gitlab.state.addProject(name, { files: { 'deploy.yaml': deploy() } }));
      for (const [i, project] of projects.entries()) {
        const response = await post(`${workers[i % 2]!.url}/webhooks/gitlab`, gitlabPush({ id: project.id, path: project.pathWithNamespace }), {
          'x-gitlab-token': WEBHOOK_SECRET,
          'x-gitlab-event': 'Push Hook',
        });
        expect(response.status).toBe(202);
      }
      await scenario.redis.restart(1_000);
      await until(() => projects.every((project) => project.mergeRequests.length === 1 && project.issues.length === 1), 'every project to get its MR after the restart', LOADED_MS);
      await until(async () => (await metric(workers[0]!.url, 'archpin_queue_depth')) === 0 && (await metric(workers[0]!.url, 'archpin_queue_running')) === 0, 'the queue to drain', LOADED_MS);
      expect(projects.map((project) => projectRuns(project.id))).toEqual([1, 1, 1]);
    }, 180_000);

    it('a webhook burst spread over three replicas runs each project once', async () => {
      const projects = ['burst/a', 'burst/b', 'burst/c', 'burst/d'].map((name) => scenario.gitlab.state.addProject(name, { files: { 'deploy.yaml': deploy() } }));
      const replicas = [await replica(config, 'all'), ...workers];
      const deliveries = projects.flatMap((project) => Array.from({ length: 9 }, (_, i) => ({ project, replica: replicas[i % 3]! })));
      const answers = await Promise.all(
        deliveries.map(({ project, replica: target }) =>
          post(`${target.url}/webhooks/gitlab`, gitlabPush({ id: project.id, path: project.pathWithNamespace }), { 'x-gitlab-token': WEBHOOK_SECRET, 'x-gitlab-event': 'Push Hook' }).then(
            async (response) => [response.status, ((await response.json()) as { result: string }).result],
          ),
        ),
      );
      expect(answers.filter(([status]) => status !== 202)).toEqual([]);
      expect(answers.filter(([, result]) => result === 'queued').length).toBe(projects.length);
      await until(() => projects.every((project) => project.mergeRequests.length === 1 && project.issues.length === 1), 'every project to get its MR', LOADED_MS);
      await until(async () => (await metric(replicas[0]!.url, 'archpin_queue_depth')) === 0 && (await metric(replicas[0]!.url, 'archpin_queue_running')) === 0, 'the queue to drain', LOADED_MS);
      expect(projects.map((project) => projectRuns(project.id))).toEqual([1, 1, 1, 1]);
      expect(await replicas[0]!.stop()).toBe(0);
    }, 180_000);
  });
});
