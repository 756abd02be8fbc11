/**
 * Chain rebuilds end to end: archpin serve receives GitLab Pipeline Hooks, gates the image the pipeline
 * pushed to the real registry, and triggers the children's pipelines on the GitLab double (whose
 * pipeline list is the trigger log).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cronScheduler, type Scheduler, type ServeOptions } from '../../src/bot/serve.js';
import type { Config } from '../../src/config/schema.js';
import { startGitlabDouble, GITLAB_TEST_TOKEN, type GitlabDouble } from '../support/gitlab-double.js';
import { pipelineHook, pipelinesOf, type PipelineRecord } from '../support/gitlab-double-pipelines.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { pushImage, pushIndex, type Platform } from '../support/seed.js';
import { post, startTestServe, until, WEBHOOK_SECRET, type Started } from '../bot/serve-support.js';
import { runArchpin } from '../support/run-cli.js';

let registry: TestRegistry;
let host: string;
let work: string;
const running: Started[] = [];
const doubles: GitlabDouble[] = [];

beforeAll(async () => {
  registry = await startRegistry();
  host = registry.host;
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-chain-'));
});

afterAll(async () => {
  for (const started of running) await started.handle.stop();
  for (const double of doubles) await double.stop();
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };
let pushes = 0;

/** Pushes `repo:tag` as an OCI index of these platforms (each build distinct), returns the index digest. */
async function publish(repo: string, tag: string, platforms: readonly Platform[]): Promise<string> {
  const label = `build-${++pushes}`;
  const images = await Promise.all(platforms.map((platform) => pushImage(registry, repo, { ...platform, mediaType: 'oci', label })));
  return (await pushIndex(registry, repo, tag, images, { mediaType: 'oci' })).digest;
}

const ci = (tag: string) => `build:\n  image: 127.0.0.1:9/kaniko-project/executor:debug\n  script:\n    - /kaniko/executor --context . --destination "$CI_REGISTRY_IMAGE:${tag}"\n`;

interface Chain {
  readonly gitlab: GitlabDouble;
  readonly serve: Started;
  readonly group: string;
  /** Finishes a pipeline and delivers its Pipeline Hook; resolves with the HTTP answer. */
  finish(pipeline: PipelineRecord, status: 'success' | 'failed'): Promise<{ status: number; body: unknown }>;
  /** A pipeline as a push to the default branch starts it. */
  pushPipeline(project: string): PipelineRecord;
  /** Commits to a project's default branch and delivers its Push Hook listing the changed files. */
  commit(project: string, files: Record<string, string>): Promise<void>;
  /** Chain-file reads (repository tree listings) per project path. */
  treeReads(project: string): number;
  /** Projects archpin triggered, in order. */
  triggered(): string[];
  settle(): Promise<void>;
}

async function chainGroup(group: string, projects: Record<string, Record<string, string>>, chain: Config['chain'] = {}, overrides: Partial<ServeOptions> = {}): Promise<Chain> {
  const gitlab = await startGitlabDouble();
  doubles.push(gitlab);
  for (const [name, files] of Object.entries(projects)) gitlab.state.addProject(`${group}/${name}`, { files });
  const config: Config = { forge: { type: 'gitlab', url: gitlab.url, groups: [group] }, chain: { registry: host, rebuild: true, debounce: '300ms', ...chain } };
  const serve = await startTestServe({ forge: 'gitlab', url: gitlab.url, groups: [group] }, { GITLAB_TOKEN: GITLAB_TEST_TOKEN }, path.join(work, `cache-${group}`), overrides, config);
  running.push(serve);
  const store = pipelinesOf(gitlab.state);
  return {
    gitlab,
    serve,
    group,
    async finish(pipeline, status) {
      store.finish(pipeline.id, status);
      const response = await post(`${serve.handle.url}/webhooks/gitlab`, pipelineHook(gitlab.state, pipeline), { 'x-gitlab-event': 'Pipeline Hook', 'x-gitlab-token': WEBHOOK_SECRET });
      return { status: response.status, body: await response.json() };
    },
    pushPipeline(project) {
      return store.start(gitlab.state.project(`${group}/${project}`), 'main', 'push');
    },
    async commit(project, files) {
      const record = gitlab.state.project(`${group}/${project}`);
      const before = record.branches.get('main')!;
      const after = gitlab.state.push(record.id, files, 'change chain files');
      const hook = {
        object_kind: 'push',
        event_name: 'push',
        ref: 'refs/heads/main',
        before,
        after,
        checkout_sha: after,
        project_id: record.id,
        project: { id: record.id, path_with_namespace: record.pathWithNamespace, default_branch: 'main', web_url: `${gitlab.url}/${record.pathWithNamespace}` },
        commits: [{ id: after, message: 'change chain files', title: 'change chain files', added: [], modified: Object.keys(files), removed: [] }],
        total_commits_count: 1,
      };
      const response = await post(`${serve.handle.url}/webhooks/gitlab`, JSON.stringify(hook), { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': WEBHOOK_SECRET });
      expect(response.status).toBe(202);
      await serve.handle.chain!.settled();
    },
    // The chain reads a project's tree at its default branch; a repository run (queued by the same push or sweep,
    // and running alongside) reads it at the head commit, and is not counted.
    treeReads: (project) =>
      gitlab.requests.filter(
        (request) =>
          request.method === 'GET' && request.path === `/projects/${gitlab.state.project(`${group}/${project}`).id}/repository/tree` && new URLSearchParams(request.query).get('ref') === 'main',
      ).length,
    triggered: () => store.created().map((pipeline) => pipeline.projectPath),
    async settle() {
      // Events are handled one at a time; a debounced child is triggered a window later.
      await serve.handle.chain!.settled();
      await new Promise((resolve) => setTimeout(resolve, 400));
      await serve.handle.chain!.settled();
    },
  };
}

const createdFor = (chain: Chain, project: string): PipelineRecord => {
  const found = pipelinesOf(chain.gitlab.state)
    .created()
    .filter((pipeline) => pipeline.projectPath === `${chain.group}/${project}`)
    .at(-1);
  if (!found) throw new Error(`no pipeline triggered for ${project}`);
  return found;
};

const store = (chain: Chain) => pipelinesOf(chain.gitlab.state);

const metricLines = async (chain: Chain, prefix: string) => (await (await fetch(`${chain.serve.handle.url}/metrics`)).text()).split('\n').filter((line) => line.startsWith(prefix));

function threeLevels(group: string): Record<string, Record<string, string>> {
  return {
    base: { Dockerfile: 'FROM scratch\nCOPY rootfs /\n', '.gitlab-ci.yml': ci('1') },
    ruby: {
      Dockerfile: `ARG REGISTRY=${host}\nARG BASE=1\nFROM \${REGISTRY}/${group}/base:\${BASE} AS build\nRUN make\nFROM build\n`,
      '.gitlab-ci.yml': 'variables:\n  IMAGE: $CI_REGISTRY_IMAGE:3.3\npush:\n  script:\n    - docker build -t $IMAGE .\n    - docker push $IMAGE\n',
    },
    app: { Dockerfile: `FROM ${host}/${group}/ruby:3.3\n`, '.gitlab-ci.yml': ci('1') },
    worker: { Dockerfile: `FROM --platform=linux/amd64 ${host}/${group}/base:1\n`, '.gitlab-ci.yml': ci('1') },
  };
}

describe('chain rebuilds in archpin serve', () => {
  it('rebuilds a three-level chain in order: the sibling and the middle after the base, the app after the middle, each once', async () => {
    const chain = await chainGroup('three', threeLevels('three'));
    const baseDigest = await publish('three/base', '1', [AMD64, ARM64]);
    expect(await chain.finish(chain.pushPipeline('base'), 'success')).toEqual({ status: 202, body: { result: 'chain', repository: 'three/base' } });
    await until(() => chain.triggered().length === 2, 'ruby and worker triggered');
    expect(chain.triggered()).toEqual(['three/ruby', 'three/worker']);
    const ruby = createdFor(chain, 'ruby');
    expect(ruby.variables).toEqual([
      { key: 'ARCHPIN_CHAIN_PARENTS', value: 'three/base', variable_type: 'env_var' },
      { key: 'ARCHPIN_UPSTREAM_IMAGES', value: `${host}/three/base:1@${baseDigest}`, variable_type: 'env_var' },
      { key: 'ARCHPIN_UPSTREAM_PIPELINES', value: `${chain.gitlab.url}/three/base/-/pipelines/${pipelinesOf(chain.gitlab.state).all[0]!.id}`, variable_type: 'env_var' },
      // unique per trigger (replica id, time taken, child): how a trigger whose answer was lost is found again
      { key: 'ARCHPIN_CHAIN_TRIGGER', value: expect.stringMatching(/^[0-9a-f-]{36}:\d+:three\/ruby$/) as unknown, variable_type: 'env_var' },
    ]);
    await publish('three/ruby', '3.3', [AMD64, ARM64]);
    await chain.finish(ruby, 'success');
    await until(() => chain.triggered().length === 3, 'app triggered');
    await publish('three/worker', '1', [AMD64, ARM64]);
    await chain.finish(createdFor(chain, 'worker'), 'success');
    await publish('three/app', '1', [AMD64, ARM64]);
    await chain.finish(createdFor(chain, 'app'), 'success');
    await chain.settle();
    expect(chain.triggered()).toEqual(['three/ruby', 'three/worker', 'three/app']);
    expect(await metricLines(chain, 'archpin_chain_triggers_total')).toEqual([
      'archpin_chain_triggers_total{result="triggered"} 3',
      'archpin_chain_triggers_total{result="dry-run"} 0',
      'archpin_chain_triggers_total{result="failed"} 0',
    ]);
    expect(await metricLines(chain, 'archpin_chain_gate_total')).toEqual(['archpin_chain_gate_total{result="passed"} 4', 'archpin_chain_gate_total{result="blocked"} 0']);
    const dashboard = chain.gitlab.state.project('three/base').issues.find((issue) => issue.title === 'archpin image chain')!;
    expect(dashboard.description).toContain(`- \`three/base\`: \`${host}/three/base:1@${baseDigest}\``);
    expect(dashboard.description).toContain(`- \`three/app\` after \`three/ruby\`: pipeline [#${createdFor(chain, 'app').id}]`);
  });

  it('stops the chain when the parent was pushed arm64-only (missing platform), and names the reason', async () => {
    const chain = await chainGroup('partial', threeLevels('partial'));
    const digest = await publish('partial/base', '1', [ARM64]);
    await chain.finish(chain.pushPipeline('base'), 'success');
    await chain.settle();
    expect(chain.triggered()).toEqual([]);
    const dashboard = chain.gitlab.state.project('partial/base').issues.find((issue) => issue.title === 'archpin image chain')!;
    // Neither chain.platforms nor platforms is configured: the message says linux/amd64 is the default, not a configured policy.
    expect(dashboard.description).toContain(
      `- \`partial/base\` — **gate-blocked**: ${host}/partial/base:1@${digest}: missing-platforms: index lists only linux/arm64/v8; required by default of an image chain's parent, as neither chain.platforms nor platforms is configured: linux/amd64`,
    );
    expect(dashboard.description).toContain('not rebuilt: `partial/app`, `partial/ruby`, `partial/worker`');
    expect(await metricLines(chain, 'archpin_chain_stopped ')).toEqual(['archpin_chain_stopped 1']);
    // The missing platform lands, the pipeline re-runs: the chain goes on.
    await publish('partial/base', '1', [AMD64, ARM64]);
    await chain.finish(chain.pushPipeline('base'), 'success');
    await until(() => chain.triggered().length === 2, 'children triggered after the complete push');
    expect(chain.triggered()).toEqual(['partial/ruby', 'partial/worker']);
  });

  it('stops below a failed middle pipeline and resumes when it is re-run successfully', async () => {
    const chain = await chainGroup('failing', threeLevels('failing'));
    await publish('failing/base', '1', [AMD64, ARM64]);
    await chain.finish(chain.pushPipeline('base'), 'success');
    await until(() => chain.triggered().length === 2, 'middle triggered');
    await chain.finish(createdFor(chain, 'ruby'), 'failed');
    await chain.settle();
    expect(chain.triggered()).toEqual(['failing/ruby', 'failing/worker']);
    const dashboard = chain.gitlab.state.project('failing/base').issues.find((issue) => issue.title === 'archpin image chain')!;
    expect(dashboard.description).toContain(`- \`failing/ruby\` — **pipeline-failed**: pipeline #${createdFor(chain, 'ruby').id} failed; not rebuilt: \`failing/app\``);
    await publish('failing/ruby', '3.3', [AMD64, ARM64]);
    await chain.finish(chain.pushPipeline('ruby'), 'success');
    await until(() => chain.triggered().length === 3, 'app triggered after the re-run');
    await chain.settle();
    expect(chain.triggered()).toEqual(['failing/ruby', 'failing/worker', 'failing/app']);
  });

  it('triggers each child once for a burst of parent events with one digest', async () => {
    const chain = await chainGroup('burst', threeLevels('burst'));
    await publish('burst/base', '1', [AMD64, ARM64]);
    const first = chain.pushPipeline('base');
    const second = chain.pushPipeline('base');
    await Promise.all([chain.finish(first, 'success'), chain.finish(second, 'success'), chain.finish(first, 'success')]);
    await chain.settle();
    expect(chain.triggered()).toEqual(['burst/ruby', 'burst/worker']);
  });

  it('triggers a diamond child once, after both parents rebuilt in the same window', async () => {
    const chain = await chainGroup('diamond', {
      base: { Dockerfile: 'FROM scratch\n', '.gitlab-ci.yml': ci('1') },
      left: { Dockerfile: `FROM ${host}/diamond/base:1\n`, '.gitlab-ci.yml': ci('1') },
      right: { Dockerfile: `FROM ${host}/diamond/base:1@sha256:${'0'.repeat(64)}\n`, '.gitlab-ci.yml': ci('1') },
      app: { Dockerfile: `FROM ${host}/diamond/left:1 AS l\nFROM ${host}/diamond/right:1\nCOPY --from=l /x /x\n`, '.gitlab-ci.yml': ci('1') },
    });
    await publish('diamond/base', '1', [AMD64]);
    await chain.finish(chain.pushPipeline('base'), 'success');
    await until(() => chain.triggered().length === 2, 'left and right triggered');
    await publish('diamond/left', '1', [AMD64]);
    await chain.finish(createdFor(chain, 'left'), 'success');
    await chain.settle();
    expect(chain.triggered()).toEqual(['diamond/left', 'diamond/right']);
    await publish('diamond/right', '1', [AMD64]);
    await chain.finish(createdFor(chain, 'right'), 'success');
    await until(() => chain.triggered().length === 3, 'app triggered');
    await chain.settle();
    expect(chain.triggered()).toEqual(['diamond/left', 'diamond/right', 'diamond/app']);
    expect(createdFor(chain, 'app').variables[0]).toEqual({ key: 'ARCHPIN_CHAIN_PARENTS', value: 'diamond/left,diamond/right', variable_type: 'env_var' });
    await publish('diamond/app', '1', [AMD64]);
    await chain.finish(createdFor(chain, 'app'), 'success');
    // Both parents rebuilt by hand within one debounce window: the child is triggered once, after both.
    await publish('diamond/left', '1', [AMD64]);
    await publish('diamond/right', '1', [AMD64]);
    await chain.finish(chain.pushPipeline('left'), 'success');
    await chain.finish(chain.pushPipeline('right'), 'success');
    await chain.settle();
    expect(chain.triggered()).toEqual(['diamond/left', 'diamond/right', 'diamond/app', 'diamond/app']);
    expect(createdFor(chain, 'app').variables[0]).toEqual({ key: 'ARCHPIN_CHAIN_PARENTS', value: 'diamond/left,diamond/right', variable_type: 'env_var' });
  });

  it('follows .gitlab-deps instead of FROM, and never walks a cycle', async () => {
    const chain = await chainGroup('deps', {
      ...threeLevels('deps'),
      app: { Dockerfile: `FROM ${host}/deps/ruby:3.3\n`, '.gitlab-ci.yml': ci('1'), '.gitlab-deps': 'deps/worker\n' },
      loop: { Dockerfile: `FROM ${host}/deps/base:1\nCOPY --from=${host}/deps/loop2:1 / /\n`, '.gitlab-ci.yml': ci('1') },
      loop2: { Dockerfile: `FROM ${host}/deps/loop:1\n`, '.gitlab-ci.yml': ci('1') },
    });
    await publish('deps/base', '1', [AMD64, ARM64]);
    await chain.finish(chain.pushPipeline('base'), 'success');
    await until(() => chain.triggered().length === 2, 'ruby and worker triggered');
    await publish('deps/ruby', '3.3', [AMD64, ARM64]);
    await chain.finish(createdFor(chain, 'ruby'), 'success');
    await chain.settle();
    expect(chain.triggered()).toEqual(['deps/ruby', 'deps/worker']);
    await publish('deps/worker', '1', [AMD64, ARM64]);
    await chain.finish(createdFor(chain, 'worker'), 'success');
    await until(() => chain.triggered().length === 3, 'app triggered after worker');
    expect(chain.triggered()).toEqual(['deps/ruby', 'deps/worker', 'deps/app']);
    const dashboard = chain.gitlab.state.project('deps/base').issues.find((issue) => issue.title === 'archpin image chain')!;
    expect(dashboard.description).toContain('- `deps/loop` — **cycle**');
    expect(dashboard.description).toContain('- `deps/loop` → `deps/loop2` → `deps/loop`');
  });

  it('ignores a Pipeline Hook of a project outside its groups, and pipelines of other branches', async () => {
    const chain = await chainGroup('scoped', threeLevels('scoped'));
    const other = chain.gitlab.state.addProject('elsewhere/base', { files: { Dockerfile: 'FROM scratch\n' } });
    const pipeline = pipelinesOf(chain.gitlab.state).start(other, 'main', 'push');
    pipelinesOf(chain.gitlab.state).finish(pipeline.id, 'success');
    const response = await post(`${chain.serve.handle.url}/webhooks/gitlab`, pipelineHook(chain.gitlab.state, pipeline), { 'x-gitlab-event': 'Pipeline Hook', 'x-gitlab-token': WEBHOOK_SECRET });
    expect([response.status, await response.json()]).toEqual([202, { result: 'ignored', reason: 'elsewhere/base is not a target' }]);
    chain.gitlab.state.push('scoped/base', { README: 'x' }, 'feature', 'feature');
    await publish('scoped/base', '1', [AMD64, ARM64]);
    await chain.finish(pipelinesOf(chain.gitlab.state).start(chain.gitlab.state.project('scoped/base'), 'feature', 'push'), 'success');
    await chain.settle();
    expect(chain.triggered()).toEqual([]);
  });

  it('reads a project again when a push changes its chain files, and the changed edges take effect', async () => {
    const chain = await chainGroup('grow', { ...threeLevels('grow'), late: { Dockerfile: 'FROM scratch\n', '.gitlab-ci.yml': ci('1') } });
    await publish('grow/base', '1', [AMD64, ARM64]);
    await chain.finish(chain.pushPipeline('base'), 'success');
    await until(() => chain.triggered().length === 2, 'ruby and worker triggered');
    expect(chain.triggered()).toEqual(['grow/ruby', 'grow/worker']);
    expect([chain.treeReads('late'), chain.treeReads('base')]).toEqual([1, 1]);
    // A push that touches no chain file reads nothing again.
    await chain.commit('late', { 'README.md': '# late\n' });
    expect(chain.treeReads('late')).toBe(1);
    // A Dockerfile now built on base: the project is read again (only it), and the next base build triggers it.
    await chain.commit('late', { Dockerfile: `FROM ${host}/grow/base:1\n` });
    expect([chain.treeReads('late'), chain.treeReads('base'), chain.treeReads('ruby')]).toEqual([2, 1, 1]);
    expect(chain.serve.handle.chain!.state.currentGraph.nodes.find((node) => node.path === 'grow/late')!.parents).toEqual(['grow/base']);
    await chain.finish(createdFor(chain, 'ruby'), 'success');
    await chain.finish(createdFor(chain, 'worker'), 'success');
    await publish('grow/base', '1', [AMD64, ARM64]);
    await chain.finish(chain.pushPipeline('base'), 'success');
    await until(() => chain.triggered().length === 5, 'the base children triggered again, late among them');
    expect(chain.triggered().slice(2)).toEqual(['grow/late', 'grow/ruby', 'grow/worker']);
  });

  it('reads the graph again on each sweep: a project changed without a hook is read, the others come from the cache', async () => {
    const chain = await chainGroup('swept', threeLevels('swept'));
    await chain.serve.handle.chain!.refresh();
    expect(chain.serve.handle.chain!.state.currentGraph.nodes.find((node) => node.path === 'swept/app')!.parents).toEqual(['swept/ruby']);
    chain.gitlab.state.push('swept/app', { '.gitlab-deps': 'swept/worker\n' }, 'upstream list');
    await chain.serve.handle.sweep();
    await until(() => chain.treeReads('app') === 2, 'app read again by the sweep');
    await chain.serve.handle.chain!.settled();
    expect(chain.serve.handle.chain!.state.currentGraph.nodes.find((node) => node.path === 'swept/app')!.parents).toEqual(['swept/worker']);
    expect(['base', 'ruby', 'worker'].map((project) => chain.treeReads(project))).toEqual([1, 1, 1]);
    await chain.serve.handle.idle();
  });

  it('keeps chain.concurrency triggered pipelines in flight per group: the next child starts when one finishes', async () => {
    const chain = await chainGroup('budget', threeLevels('budget'), { concurrency: 1 });
    await publish('budget/base', '1', [AMD64, ARM64]);
    await chain.finish(chain.pushPipeline('base'), 'success');
    await until(() => chain.triggered().length === 1, 'the first child triggered');
    await chain.settle();
    expect(chain.triggered()).toEqual(['budget/ruby']);
    expect(await metricLines(chain, 'archpin_chain_due ')).toEqual(['archpin_chain_due 1']);
    await chain.finish(createdFor(chain, 'ruby'), 'failed');
    await until(() => chain.triggered().length === 2, 'the second child triggered once the first finished');
    await chain.settle();
    expect(chain.triggered()).toEqual(['budget/ruby', 'budget/worker']);
    expect(await metricLines(chain, 'archpin_chain_due ')).toEqual(['archpin_chain_due 0']);
  });

  it('chain.schedules start the chain from its root on each cron tick', async () => {
    const jobs: Array<{ pattern: string; timezone: string | undefined; tick: () => Promise<void>; stopped: boolean }> = [];
    const scheduler: Scheduler = (pattern, timezone, tick) => {
      const job = { pattern, timezone, tick, stopped: false };
      jobs.push(job);
      return { stop: () => (job.stopped = true), next: () => new Date('2026-12-07T03:00:00Z') };
    };
    const chain = await chainGroup('cron', threeLevels('cron'), { schedules: [{ root: 'cron/base', cron: '0 3 * * 1' }] }, { scheduler, timezone: 'Europe/Berlin' });
    expect(jobs.map(({ pattern, timezone }) => [pattern, timezone])).toEqual([['0 3 * * 1', 'Europe/Berlin']]);
    expect(chain.serve.records().find((record) => record.msg === 'serving')!.chainSchedules).toEqual([{ root: 'cron/base', next: '2026-12-07T03:00:00.000Z' }]);
    expect(chain.triggered()).toEqual([]);
    await jobs[0]!.tick();
    expect(
      pipelinesOf(chain.gitlab.state)
        .created()
        .map((pipeline) => [pipeline.projectPath, pipeline.variables]),
    ).toEqual([['cron/base', [{ key: 'ARCHPIN_CHAIN_ROOT', value: 'cron/base', variable_type: 'env_var' }]]]);
    await publish('cron/base', '1', [AMD64, ARM64]);
    await chain.finish(createdFor(chain, 'base'), 'success');
    await until(() => chain.triggered().length === 3, 'the children of the scheduled root triggered');
    expect(chain.triggered()).toEqual(['cron/base', 'cron/ruby', 'cron/worker']);
    await chain.serve.handle.stop();
    expect(jobs[0]!.stopped).toBe(true);
  });

  it('computes the next run of a chain schedule with croner, and refuses a pattern that is not cron', async () => {
    const job = cronScheduler('0 3 * * 1', 'UTC', () => Promise.resolve());
    const next = job.next()!;
    job.stop();
    expect([next.getUTCDay(), next.getUTCHours(), next.getUTCMinutes()]).toEqual([1, 3, 0]);
    await expect(chainGroup('badcron', threeLevels('badcron'), { schedules: [{ root: 'badcron/base', cron: '0 3 * *' }] })).rejects.toThrow(
      /^chain\.schedules\[0\] \(root badcron\/base\): "0 3 \* \*" is not a cron pattern: /,
    );
  });

  it('keeps the chain state in the cache directory: a restarted serve does not trigger a parent digest again', async () => {
    const chain = await chainGroup('restart', threeLevels('restart'));
    await publish('restart/base', '1', [AMD64, ARM64]);
    const base = chain.pushPipeline('base');
    await chain.finish(base, 'success');
    await until(() => chain.triggered().length === 2, 'ruby and worker triggered');
    await chain.settle();
    await chain.serve.handle.stop();
    const stored = JSON.parse(readFileSync(path.join(work, 'cache-restart', 'chain-state.json'), 'utf8')) as { version: number; log: Array<{ project: string }>; passed: unknown[] };
    expect([stored.version, stored.log.map((record) => record.project), stored.passed.length]).toEqual([1, ['restart/ruby', 'restart/worker'], 1]);
    // The same hook delivered again to a new process on the same cache directory: nothing is triggered.
    const again = await startTestServe(
      { forge: 'gitlab', url: chain.gitlab.url, groups: ['restart'] },
      { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
      path.join(work, 'cache-restart'),
      {},
      {
        forge: { type: 'gitlab', url: chain.gitlab.url, groups: ['restart'] },
        chain: { registry: host, rebuild: true, debounce: '300ms' },
      },
    );
    running.push(again);
    const response = await post(`${again.handle.url}/webhooks/gitlab`, pipelineHook(chain.gitlab.state, base), { 'x-gitlab-event': 'Pipeline Hook', 'x-gitlab-token': WEBHOOK_SECRET });
    expect(response.status).toBe(202);
    await again.handle.chain!.settled();
    await new Promise((resolve) => setTimeout(resolve, 400));
    await again.handle.chain!.settled();
    expect(chain.triggered()).toEqual(['restart/ruby', 'restart/worker']);
    // It carries on where the first left off: ruby's pipeline (triggered before the restart) succeeds, app follows.
    await publish('restart/ruby', '3.3', [AMD64, ARM64]);
    store(chain).finish(createdFor(chain, 'ruby').id, 'success');
    await post(`${again.handle.url}/webhooks/gitlab`, pipelineHook(chain.gitlab.state, createdFor(chain, 'ruby')), { 'x-gitlab-event': 'Pipeline Hook', 'x-gitlab-token': WEBHOOK_SECRET });
    await until(() => chain.triggered().length === 3, 'app triggered by the restarted serve');
    expect(chain.triggered()).toEqual(['restart/ruby', 'restart/worker', 'restart/app']);
    expect(again.handle.chain!.dashboardSection()).toContain('- `restart/ruby` after `restart/base`: pipeline [#');
  });

  it('dry run logs what it would trigger and triggers nothing', async () => {
    const chain = await chainGroup('dry', threeLevels('dry'), { dryRun: true });
    await publish('dry/base', '1', [AMD64, ARM64]);
    await chain.finish(chain.pushPipeline('base'), 'success');
    await chain.settle();
    expect(chain.triggered()).toEqual([]);
    const wouldTrigger = chain.serve
      .records()
      .filter((record) => record.msg === 'chain (dry run): would trigger a pipeline')
      .map((record) => record.project);
    expect(wouldTrigger).toEqual(['dry/ruby', 'dry/worker']);
    expect(await metricLines(chain, 'archpin_chain_triggers_total{result="dry-run"}')).toEqual(['archpin_chain_triggers_total{result="dry-run"} 2']);
  });

  it('archpin chain trigger ROOT starts the chain with a pipeline on the root', async () => {
    const chain = await chainGroup('cli', threeLevels('cli'));
    const result = await runArchpin(['chain', 'trigger', 'cli/base', '--forge', 'gitlab', '--url', chain.gitlab.url, '--group', 'cli', '--format', 'json'], {
      env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
    });
    expect(result.code).toBe(0);
    const started = pipelinesOf(chain.gitlab.state).created();
    expect(started.map((pipeline) => [pipeline.projectPath, pipeline.ref, pipeline.variables])).toEqual([
      ['cli/base', 'main', [{ key: 'ARCHPIN_CHAIN_ROOT', value: 'cli/base', variable_type: 'env_var' }]],
    ]);
    expect(JSON.parse(result.stdout)).toEqual({
      version: 1,
      project: 'cli/base',
      pipeline: { id: started[0]!.id, url: `${chain.gitlab.url}/cli/base/-/pipelines/${started[0]!.id}`, status: 'created' },
    });
  });
});
