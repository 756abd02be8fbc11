/** Chain pins in `archpin run`: a child pinning its parent by digest moves only to a parent digest that passes the gate, and the MR names its project's newest successful pipeline. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitlabDouble, GITLAB_TEST_TOKEN, type GitlabDouble } from '../support/gitlab-double.js';
import { pipelinesOf } from '../support/gitlab-double-pipelines.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { pushImage, pushIndex, type Platform } from '../support/seed.js';
import { runArchpin } from '../support/run-cli.js';

let registry: TestRegistry;
let gitlab: GitlabDouble;
let work: string;
let host: string;

beforeAll(async () => {
  registry = await startRegistry();
  host = registry.host;
  gitlab = await startGitlabDouble();
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-chain-run-'));
});

afterAll(async () => {
  await gitlab?.stop();
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };
let builds = 0;

async function publish(repo: string, tag: string, platforms: readonly Platform[]): Promise<string> {
  const label = `build-${++builds}`;
  const images = await Promise.all(platforms.map((platform) => pushImage(registry, repo, { ...platform, mediaType: 'oci', label })));
  return (await pushIndex(registry, repo, tag, images, { mediaType: 'oci' })).digest;
}

function run() {
  // The parent tag moves between two runs a moment apart: ask the registry every time (no remembered tag → digest answers).
  writeFileSync(path.join(work, 'archpin.json'), JSON.stringify({ chain: { registry: host }, dashboard: false, tagCacheTtl: '0' }));
  return runArchpin(['run', '--forge', 'gitlab', '--url', gitlab.url, '--group', 'pins', '--format', 'json', '--cache-dir', path.join(work, 'cache')], {
    cwd: work,
    env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
  });
}

describe('archpin graph through the forge', () => {
  it('reads the group at each default branch and prints the build order', async () => {
    gitlab.state.addProject('graph/base', { files: { Dockerfile: 'FROM scratch\n', '.gitlab-ci.yml': 'b:\n  script: ["/kaniko/executor --destination $CI_REGISTRY_IMAGE:1"]\n' } });
    gitlab.state.addProject('graph/sub/app', { files: { 'images/Containerfile': 'ARG REG=registry.example.com\nFROM ${REG}/graph/base:1\n', '.gitlab-deps': '' } });
    gitlab.state.addProject('graph/lib', { files: { Dockerfile: 'FROM registry.example.com/graph/sub/app:1\n', '.gitlab-deps': 'graph/base\n' } });
    const result = await runArchpin(['graph', '--forge', 'gitlab', '--url', gitlab.url, '--group', 'graph', '--format', 'json'], { cwd: work, env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN } });
    expect(result.code).toBe(0);
    const graph = JSON.parse(result.stdout);
    // An empty .gitlab-deps names no project and counts as absent: the app's FROM gives its edge.
    expect(graph.order).toEqual(['graph/base', 'graph/lib', 'graph/sub/app']);
    expect(graph.edges).toEqual([
      { parent: 'graph/base', child: 'graph/lib', via: [{ kind: 'gitlab-deps', file: '.gitlab-deps', line: 1 }] },
      { parent: 'graph/base', child: 'graph/sub/app', via: [{ kind: 'from', file: 'images/Containerfile', line: 2, image: 'registry.example.com/graph/base:1' }] },
    ]);
    expect(graph.projects.map((project: { path: string; id: string }) => [project.path, project.id])).toEqual([
      ['graph/base', String(gitlab.state.project('graph/base').id)],
      ['graph/lib', String(gitlab.state.project('graph/lib').id)],
      ['graph/sub/app', String(gitlab.state.project('graph/sub/app').id)],
    ]);
  });
});

describe('chain pins in archpin run', () => {
  it('moves a digest-pinned parent only to a complete push and names the upstream project and its newest successful pipeline, without claiming it pushed the digest', async () => {
    const old = await publish('pins/base', '1', [AMD64, ARM64]);
    const base = gitlab.state.addProject('pins/base', { files: { Dockerfile: 'FROM scratch\n', '.gitlab-ci.yml': 'push:\n  script:\n    - /kaniko/executor --destination $CI_REGISTRY_IMAGE:1\n' } });
    gitlab.state.addProject('pins/app', { files: { Dockerfile: `FROM ${host}/pins/base:1@${old}\nRUN make\n` } });
    // A partial push (arm64 only) from a pipeline that succeeded: the app is not moved to it.
    await publish('pins/base', '1', [ARM64]);
    const partial = pipelinesOf(gitlab.state).start(base, 'main', 'push');
    pipelinesOf(gitlab.state).finish(partial.id, 'success');
    const first = await run();
    expect(first.code).toBe(0);
    const held = JSON.parse(first.stdout).repositories.find((repo: { repository: string }) => repo.repository === 'pins/app');
    expect(held.changes).toEqual([]);
    expect(held.blocked.map((entry: { reasons: string[] }) => entry.reasons)).toEqual([['missing-platforms']]);
    expect(gitlab.state.project('pins/app').mergeRequests).toEqual([]);
    // The complete push lands from the next pipeline: the MR moves the pin and names that pipeline.
    const complete = await publish('pins/base', '1', [AMD64, ARM64]);
    const pipeline = pipelinesOf(gitlab.state).start(base, 'main', 'push');
    pipelinesOf(gitlab.state).finish(pipeline.id, 'success');
    const second = await run();
    expect(second.code).toBe(0);
    const [mr] = gitlab.state.project('pins/app').mergeRequests;
    expect(new TextDecoder().decode(gitlab.state.files('pins/app', mr!.sourceBranch).get('Dockerfile'))).toBe(`FROM ${host}/pins/base:1@${complete}\nRUN make\n`);
    expect(mr!.description).toContain(
      `### Upstream\n\n- \`${host}/pins/base:1@${complete.slice(0, 19)}…\` is built by \`pins/base\`: its newest successful default-branch pipeline is [#${pipeline.id}](${gitlab.url}/pins/base/-/pipelines/${pipeline.id}); archpin cannot prove that this pipeline pushed this digest\n`,
    );
  });
});
