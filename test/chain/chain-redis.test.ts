/**
 * Chain state on Redis: two replicas of the distributed bot (in-process, on a real redis-server) share
 * which parent digests their children were triggered for, and a replica started after a Redis restart
 * carries on without triggering anything again. A replica (a real `archpin serve` process) killed
 * between taking a child and recording its trigger leaves a lease that the next sweep of another
 * replica resolves: the child is triggered once in all.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/args.js';
import type { CliIo } from '../../src/cli/io.js';
import { createLogger } from '../../src/cli/logger.js';
import { startDistributed } from '../../src/cli/serve-distributed.js';
import type { Config } from '../../src/config/schema.js';
import { startGitlabDouble, GITLAB_TEST_TOKEN, type GitlabDouble } from '../support/gitlab-double.js';
import { pipelineHook, pipelinesOf, type PipelineRecord } from '../support/gitlab-double-pipelines.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { pushImage, pushIndex, type Platform } from '../support/seed.js';
import { post, until, WEBHOOK_SECRET } from '../bot/serve-support.js';
import { ensureBuilt } from '../support/build.js';
import { launchServe } from '../support/serve-process.js';
import { runArchpin } from '../support/run-cli.js';

let registry: TestRegistry;
let gitlab: GitlabDouble;
let redis: TestRedis;
let work: string;
const replicas: Array<Awaited<ReturnType<typeof startDistributed>>> = [];

beforeAll(async () => {
  [registry, gitlab, redis] = await Promise.all([startRegistry(), startGitlabDouble(), startRedis(), ensureBuilt('dist/bot/bull-serve.js')]);
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-chain-redis-'));
}, 120_000);

afterAll(async () => {
  for (const replica of replicas) await replica.stop();
  await redis?.stop();
  await gitlab?.stop();
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };
let pushes = 0;

async function publish(repo: string, tag: string, labels: Record<string, string> = {}): Promise<string> {
  const label = `redis-build-${++pushes}`;
  const images = await Promise.all([AMD64, ARM64].map((platform) => pushImage(registry, repo, { ...platform, mediaType: 'oci', label, labels })));
  return (await pushIndex(registry, repo, tag, images, { mediaType: 'oci' })).digest;
}

const ci = (tag: string) => `build:\n  script:\n    - /kaniko/executor --context . --destination "$CI_REGISTRY_IMAGE:${tag}"\n`;

async function replica(
  name: string,
  { group = 'shared', prefix = 'chains', debounce = '300ms', triggerLease }: { group?: string; prefix?: string; debounce?: string; triggerLease?: string } = {},
): Promise<Awaited<ReturnType<typeof startDistributed>>> {
  const config: Config = {
    forge: { type: 'gitlab', url: gitlab.url, groups: [group] },
    serve: { sweepOnStart: false, queue: { redisUrl: redis.url, prefix } },
    chain: { registry: registry.host, rebuild: true, debounce, ...(triggerLease ? { triggerLease } : {}) },
  };
  const io: CliIo = {
    stdout: () => undefined,
    stderr: () => undefined,
    env: { HOME: '/nonexistent-home', GITLAB_TOKEN: GITLAB_TEST_TOKEN, ARCHPIN_WEBHOOK_SECRET: WEBHOOK_SECRET },
    cwd: work,
    now: () => Date.now(),
    interactive: false,
  };
  const args = parseCliArgs(['serve', '--listen', '127.0.0.1:0', '--cache-dir', path.join(work, `cache-${name}`), '--schedule', '0 0 1 1 *']);
  const logger = createLogger({ level: 'warn', format: 'json', write: () => undefined, now: io.now });
  const started = await startDistributed(args, config, io, logger, { ...config.serve!.queue!, redisUrl: redis.url });
  replicas.push(started);
  return started;
}

const hook = (url: string, pipeline: PipelineRecord) => post(`${url}/webhooks/gitlab`, pipelineHook(gitlab.state, pipeline), { 'x-gitlab-event': 'Pipeline Hook', 'x-gitlab-token': WEBHOOK_SECRET });
const triggered = () =>
  pipelinesOf(gitlab.state)
    .created()
    .map((pipeline) => pipeline.projectPath);
const createdFor = (project: string) =>
  pipelinesOf(gitlab.state)
    .created()
    .filter((pipeline) => pipeline.projectPath === project)
    .at(-1)!;

async function settle(...running: Array<Awaited<ReturnType<typeof startDistributed>>>): Promise<void> {
  for (const one of running) await one.chain!.settled();
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const one of running) await one.chain!.settled();
}

// Each test starts real serve processes, Redis and a registry: CPU-bound under load, so bounds are generous
// (a full suite on a loaded machine took more than 60 s for a test that takes 8 s alone).
describe('chain state in Redis', () => {
  it('is shared by replicas (one hook delivered to both triggers each child once) and survives a restart of Redis and of the replicas', async () => {
    const host = registry.host;
    gitlab.state.addProject('shared/base', { files: { Dockerfile: 'FROM scratch\n', '.gitlab-ci.yml': ci('1') } });
    gitlab.state.addProject('shared/ruby', { files: { Dockerfile: `FROM ${host}/shared/base:1\n`, '.gitlab-ci.yml': ci('3.3') } });
    gitlab.state.addProject('shared/worker', { files: { Dockerfile: `FROM ${host}/shared/base:1\n`, '.gitlab-ci.yml': ci('1') } });
    gitlab.state.addProject('shared/app', { files: { Dockerfile: `FROM ${host}/shared/ruby:3.3\n`, '.gitlab-ci.yml': ci('1') } });
    const [a, b] = await Promise.all([replica('a'), replica('b')]);
    await publish('shared/base', '1');
    const base = pipelinesOf(gitlab.state).start(gitlab.state.project('shared/base'), 'main', 'push');
    pipelinesOf(gitlab.state).finish(base.id, 'success');
    // GitLab retried the delivery, and each attempt reached another replica at the same time.
    const answers = await Promise.all([hook(a.url, base), hook(b.url, base)]);
    expect(answers.map((answer) => answer.status)).toEqual([202, 202]);
    await until(() => triggered().length === 2, 'ruby and worker triggered', 60_000);
    await settle(a, b);
    expect(triggered()).toEqual(['shared/ruby', 'shared/worker']);
    // A third delivery to b, after a's triggers: b knows from Redis that this digest was built on.
    await hook(b.url, base);
    await settle(b);
    expect(triggered()).toEqual(['shared/ruby', 'shared/worker']);

    await Promise.all([a.stop(), b.stop()]);
    await redis.restart();
    const client = new Redis(redis.url);
    const stored = JSON.parse((await client.get('chains:chain:state'))!) as { done: Array<[string, string[]]> };
    client.disconnect();
    expect(stored.done.map(([key]) => key).sort()).toEqual(['shared/ruby\nshared/base', 'shared/worker\nshared/base']);

    const c = await replica('c');
    await hook(c.url, base);
    await settle(c);
    expect(triggered()).toEqual(['shared/ruby', 'shared/worker']);
    // c carries on: the ruby pipeline b or a triggered succeeds, and the app follows once.
    await publish('shared/ruby', '3.3');
    pipelinesOf(gitlab.state).finish(createdFor('shared/ruby').id, 'success');
    await hook(c.url, createdFor('shared/ruby'));
    await until(() => triggered().length === 3, 'app triggered', 60_000);
    await settle(c);
    expect(triggered()).toEqual(['shared/ruby', 'shared/worker', 'shared/app']);
    expect(c.chain!.dashboardSection()).toContain('- `shared/app` after `shared/ruby`: pipeline [#');
  }, 180_000);

  it('keeps children due when the replica that was waiting out their debounce window stops: the next sweep of another replica triggers them, once', async () => {
    const host = registry.host;
    gitlab.state.addProject('quiet/base', { files: { Dockerfile: 'FROM scratch\n', '.gitlab-ci.yml': ci('1') } });
    gitlab.state.addProject('quiet/app', { files: { Dockerfile: `FROM ${host}/quiet/base:1\n`, '.gitlab-ci.yml': ci('1') } });
    // The first replica waits an hour before triggering: it stops long before its timer would fire.
    const waiting = await replica('quiet-waiting', { group: 'quiet', prefix: 'quiet', debounce: '1h' });
    const digest = await publish('quiet/base', '1');
    const base = pipelinesOf(gitlab.state).start(gitlab.state.project('quiet/base'), 'main', 'push');
    pipelinesOf(gitlab.state).finish(base.id, 'success');
    await hook(waiting.url, base);
    await settle(waiting);
    const client = new Redis(redis.url);
    const stored = JSON.parse((await client.get('quiet:chain:state'))!) as { due: Array<{ project: string; parents: Array<{ images: string[] }> }> };
    client.disconnect();
    expect(stored.due.map((due) => [due.project, due.parents.flatMap((parent) => parent.images)])).toEqual([['quiet/app', [`${host}/quiet/base:1@${digest}`]]]);
    await waiting.stop();
    replicas.splice(replicas.indexOf(waiting), 1);
    const quiet = () => triggered().filter((project) => project.startsWith('quiet/'));
    expect(quiet()).toEqual([]);
    // Another replica (its window is 300 ms, long past): its next sweep triggers the app, and later sweeps nothing more.
    const next = await replica('quiet-next', { group: 'quiet', prefix: 'quiet' });
    await next.chain!.refresh();
    await settle(next);
    expect(quiet()).toEqual(['quiet/app']);
    await next.chain!.refresh();
    await settle(next);
    expect(quiet()).toEqual(['quiet/app']);
    expect(createdFor('quiet/app').variables.find((entry) => entry.key === 'ARCHPIN_UPSTREAM_IMAGES')?.value).toBe(`${host}/quiet/base:1@${digest}`);
  }, 180_000);
});

interface StoredMark {
  project: string;
  owner: string;
  mark: string;
  until: number;
}

async function storedState(prefix: string): Promise<{ starting: StoredMark[]; status: Array<[string, { running: { id: number } | null; starting: boolean }]> }> {
  const client = new Redis(redis.url);
  try {
    return JSON.parse((await client.get(`${prefix}:chain:state`))!) as never;
  } finally {
    client.disconnect();
  }
}

const variable = (pipeline: PipelineRecord, key: string) => pipeline.variables.find((entry) => entry.key === key)?.value;

describe('archpin run and the chain state serve keeps in Redis', () => {
  it("names the pipeline serve gated a parent digest after, in the child's merge request, ahead of the image's revision label", async () => {
    const host = registry.host;
    const base = gitlab.state.addProject('made/base', { files: { Dockerfile: 'FROM scratch\n', '.gitlab-ci.yml': ci('1') } });
    const old = await publish('made/base', '1');
    gitlab.state.addProject('made/app', { files: { Dockerfile: `FROM ${host}/made/base:1@${old}\n` } });
    const bot = await replica('made', { group: 'made', prefix: 'made' });
    // The label names a commit whose own successful pipeline is another one: serve's record is what counts.
    const labelled = pipelinesOf(gitlab.state).start(base, 'main', 'push');
    pipelinesOf(gitlab.state).finish(labelled.id, 'success');
    const digest = await publish('made/base', '1', { 'org.opencontainers.image.revision': labelled.sha });
    gitlab.state.push('made/base', { 'README.md': 'rebuilt\n' }, 'rebuild');
    const pushed = pipelinesOf(gitlab.state).start(base, 'main', 'push');
    pipelinesOf(gitlab.state).finish(pushed.id, 'success');
    await hook(bot.url, pushed);
    await settle(bot);
    expect(bot.chain!.dashboardSection()).toContain(`- \`made/base\`: \`${host}/made/base:1@${digest}\` (pipeline [#${pushed.id}](`);

    writeFileSync(path.join(work, 'archpin.json'), JSON.stringify({ chain: { registry: host }, serve: { queue: { redisUrl: redis.url, prefix: 'made' } }, dashboard: false, tagCacheTtl: '0' }));
    const result = await runArchpin(['run', '--forge', 'gitlab', '--url', gitlab.url, '--group', 'made', '--format', 'json', '--cache-dir', path.join(work, 'cache-made-run')], {
      cwd: work,
      env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
    });
    expect(result.code).toBe(0);
    const [mr] = gitlab.state.project('made/app').mergeRequests;
    expect(mr!.description).toContain(
      `### Upstream\n\n- \`${host}/made/base:1@${digest.slice(0, 19)}…\` is built by \`made/base\`: produced by pipeline [#${pushed.id}](${gitlab.url}/made/base/-/pipelines/${pushed.id}) on \`main\` (archpin serve gated this digest when that pipeline succeeded)\n`,
    );
  }, 180_000);
});

describe('a replica killed between taking a child and recording its trigger', () => {
  for (const hang of ['before', 'after'] as const) {
    const what = hang === 'before' ? 'never reached GitLab: the next sweep of another replica past the lease triggers it' : 'did reach GitLab: the next sweep past the lease adopts that pipeline';
    it(`leaves a lease; a trigger that ${what}, once in all`, async () => {
      const group = `lease-${hang}`;
      const prefix = `lease-${hang}`;
      const host = registry.host;
      gitlab.state.addProject(`${group}/base`, { files: { Dockerfile: 'FROM scratch\n', '.gitlab-ci.yml': ci('1') } });
      const app = gitlab.state.addProject(`${group}/app`, { files: { Dockerfile: `FROM ${host}/${group}/base:1\n`, '.gitlab-ci.yml': ci('1') } });
      const triggerPath = new RegExp(`^/projects/(?:${app.id}|${encodeURIComponent(app.pathWithNamespace)})/pipeline$`);
      const posts = () => gitlab.requests.filter((request) => request.method === 'POST' && triggerPath.test(request.path));
      const appPipelines = () =>
        pipelinesOf(gitlab.state)
          .created()
          .filter((pipeline) => pipeline.projectPath === app.pathWithNamespace);
      // The answer to the first trigger of the app never comes, as when the process dies while it is sent.
      const fault = gitlab.faults.add({ method: 'POST', path: triggerPath, status: 0, hang });
      const config = path.join(work, `${group}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          forge: { type: 'gitlab', url: gitlab.url, groups: [group] },
          serve: { listen: '127.0.0.1:0', webhookSecretEnv: 'HOOK_SECRET', sweepOnStart: false, schedule: '0 0 1 1 *', queue: { redisUrl: redis.url, prefix } },
          chain: { registry: host, rebuild: true, debounce: '100ms', triggerLease: '2s' },
        }),
      );
      const doomed = launchServe(['--config', config, '--cache-dir', path.join(work, `cache-${group}-doomed`)], { cwd: work });
      try {
        const url = await doomed.listening(60_000);
        const digest = await publish(`${group}/base`, '1');
        const base = pipelinesOf(gitlab.state).start(gitlab.state.project(`${group}/base`), 'main', 'push');
        pipelinesOf(gitlab.state).finish(base.id, 'success');
        expect((await hook(url, base)).status).toBe(202);
        await until(() => fault.fired === 1, 'the first trigger of the app sent', 60_000);
        doomed.child.kill('SIGKILL');
        expect((await doomed.exited).signal).toBe('SIGKILL');

        const [mark] = (await storedState(prefix)).starting;
        expect(mark).toMatchObject({ project: app.pathWithNamespace });
        expect(mark!.until - Date.parse(new Date(mark!.until).toISOString())).toBe(0);
        expect(appPipelines().length).toBe(hang === 'before' ? 0 : 1);
        if (hang === 'after') expect(variable(appPipelines()[0]!, 'ARCHPIN_CHAIN_TRIGGER')).toBe(mark!.mark);

        const survivor = await replica(`survivor-${hang}`, { group, prefix, triggerLease: '2s' });
        await until(() => Date.now() > mark!.until, 'the lease to run out', 10_000);
        // The next sweep of the replica that is left.
        await survivor.chain!.refresh();
        await settle(survivor);
        const [pipeline, ...more] = appPipelines();
        expect(more).toEqual([]);
        expect(variable(pipeline!, 'ARCHPIN_UPSTREAM_IMAGES')).toBe(`${host}/${group}/base:1@${digest}`);
        if (hang === 'before') {
          expect(posts().map((request) => request.status)).toEqual([0, 201]);
          expect(variable(pipeline!, 'ARCHPIN_CHAIN_TRIGGER')).not.toBe(mark!.mark);
        } else {
          expect(posts().map((request) => request.status)).toEqual([0]);
          expect(variable(pipeline!, 'ARCHPIN_CHAIN_TRIGGER')).toBe(mark!.mark);
        }
        const after = await storedState(prefix);
        expect(after.starting).toEqual([]);
        expect(after.status.find(([project]) => project === app.pathWithNamespace)?.[1]).toMatchObject({ running: { id: pipeline!.id }, starting: false });
        expect(survivor.chain!.dashboardSection()).toContain(`- \`${app.pathWithNamespace}\` after \`${group}/base\`: pipeline [#${pipeline!.id}](`);

        // Later sweeps and the same hook again trigger nothing more.
        await survivor.chain!.refresh();
        await hook(survivor.url, base);
        await settle(survivor);
        expect(appPipelines().map((one) => one.id)).toEqual([pipeline!.id]);
      } finally {
        gitlab.faults.clear();
        if (doomed.child.exitCode === null && doomed.child.signalCode === null) doomed.child.kill('SIGKILL');
      }
    }, 240_000);
  }
});
