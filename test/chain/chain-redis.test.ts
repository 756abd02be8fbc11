/**
 * Chain state on Redis: two replicas of the distributed bot (in-process, on a real redis-server) share
 * which parent digests their children were triggered for, and a replica started after a Redis restart
 * carries on without triggering anything again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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

let registry: TestRegistry;
let gitlab: GitlabDouble;
let redis: TestRedis;
let work: string;
const replicas: Array<Awaited<ReturnType<typeof startDistributed>>> = [];

beforeAll(async () => {
  [registry, gitlab, redis] = await Promise.all([startRegistry(), startGitlabDouble(), startRedis()]);
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-chain-redis-'));
}, 60_000);

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

async function publish(repo: string, tag: string): Promise<string> {
  const label = `redis-build-${++pushes}`;
  const images = await Promise.all([AMD64, ARM64].map((platform) => pushImage(registry, repo, { ...platform, mediaType: 'oci', label })));
  return (await pushIndex(registry, repo, tag, images, { mediaType: 'oci' })).digest;
}

const ci = (tag: string) => `build:\n  script:\n    - /kaniko/executor --context . --destination "$CI_REGISTRY_IMAGE:${tag}"\n`;

async function replica(name: string): Promise<Awaited<ReturnType<typeof startDistributed>>> {
  const config: Config = {
    forge: { type: 'gitlab', url: gitlab.url, groups: ['shared'] },
    serve: { sweepOnStart: false, queue: { redisUrl: redis.url, prefix: 'chains' } },
    chain: { registry: registry.host, rebuild: true, debounce: '300ms' },
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
    await until(() => triggered().length === 2, 'ruby and worker triggered');
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
    await until(() => triggered().length === 3, 'app triggered');
    await settle(c);
    expect(triggered()).toEqual(['shared/ruby', 'shared/worker', 'shared/app']);
    expect(c.chain!.dashboardSection()).toContain('- `shared/app` after `shared/ruby`: pipeline [#');
  });
});
