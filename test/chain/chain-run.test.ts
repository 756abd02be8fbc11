/**
 * Chain pins in `archpin run`: a child pinning its parent by digest moves only to a parent digest that
 * passes the gate, and the MR names the pipeline that produced that digest only when it is proven (here:
 * by the image's revision label and the successful pipelines of that commit), else says why it is not known.
 */
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

async function publish(repo: string, tag: string, platforms: readonly Platform[], labels: Record<string, string> = {}): Promise<string> {
  const label = `build-${++builds}`;
  const images = await Promise.all(platforms.map((platform) => pushImage(registry, repo, { ...platform, mediaType: 'oci', label, labels })));
  return (await pushIndex(registry, repo, tag, images, { mediaType: 'oci' })).digest;
}

function run(group = 'pins') {
  // The parent tag moves between two runs a moment apart: ask the registry every time (no remembered tag → digest answers).
  writeFileSync(path.join(work, 'archpin.json'), JSON.stringify({ chain: { registry: host }, dashboard: false, tagCacheTtl: '0' }));
  return runArchpin(['run', '--forge', 'gitlab', '--url', gitlab.url, '--group', group, '--format', 'json', '--cache-dir', path.join(work, 'cache')], {
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
  it('moves a digest-pinned parent only to a complete push, names the upstream project, and says the producing pipeline is not known when the image has no revision label', async () => {
    const old = await publish('pins/base', '1', [AMD64, ARM64]);
    const base = gitlab.state.addProject('pins/base', { files: { Dockerfile: 'FROM scratch\n', '.gitlab-ci.yml': 'push:\n  script:\n    - /kaniko/executor --destination $CI_REGISTRY_IMAGE:1\n' } });
    gitlab.state.addProject('pins/app', { files: { Dockerfile: `FROM ${host}/pins/base:1@${old}\nRUN make\n` } });
    // A partial push (arm64 only) from a pipeline that succeeded: the app is not moved to it.
    const partialDigest = await publish('pins/base', '1', [ARM64]);
    const partial = pipelinesOf(gitlab.state).start(base, 'main', 'push');
    pipelinesOf(gitlab.state).finish(partial.id, 'success');
    const first = await run();
    expect(first.code).toBe(0);
    const held = JSON.parse(first.stdout).repositories.find((repo: { repository: string }) => repo.repository === 'pins/app');
    expect(held.changes).toEqual([]);
    // Nothing configures platforms: the held line says the chain's default applies, and why.
    expect(held.blocked).toEqual([
      {
        image: `${host}/pins/base`,
        tag: '1',
        digest: partialDigest,
        reason: 'missing-platforms',
        reasons: ['missing-platforms'],
        message: "index lists only linux/arm64/v8; required by default of an image chain's parent, as neither chain.platforms nor platforms is configured: linux/amd64",
      },
    ]);
    expect(gitlab.state.project('pins/app').mergeRequests).toEqual([]);
    // The complete push lands from the next pipeline: the MR moves the pin and names that pipeline.
    const complete = await publish('pins/base', '1', [AMD64, ARM64]);
    const pipeline = pipelinesOf(gitlab.state).start(base, 'main', 'push');
    pipelinesOf(gitlab.state).finish(pipeline.id, 'success');
    const second = await run();
    expect(second.code).toBe(0);
    const [mr] = gitlab.state.project('pins/app').mergeRequests;
    expect(new TextDecoder().decode(gitlab.state.files('pins/app', mr!.sourceBranch).get('Dockerfile'))).toBe(`FROM ${host}/pins/base:1@${complete}\nRUN make\n`);
    // The newest successful pipeline is not named: nothing ties it to this digest.
    expect(mr!.description).toContain(
      `### Upstream\n\n- \`${host}/pins/base:1@${complete.slice(0, 19)}…\` is built by \`pins/base\`: the pipeline that produced it is not known: its image config has no \`org.opencontainers.image.revision\` label, and archpin serve has no record of this digest\n`,
    );
    expect(mr!.description).not.toContain(`#${pipeline.id}`);
  });

  it('names the pipeline of the commit in the image revision label (not the newest one), and says so when that commit has no successful pipeline', async () => {
    const base = gitlab.state.addProject('rev/base', { files: { Dockerfile: 'FROM scratch\n', '.gitlab-ci.yml': 'push:\n  script:\n    - /kaniko/executor --destination $CI_REGISTRY_IMAGE:1\n' } });
    const old = await publish('rev/base', '1', [AMD64, ARM64]);
    gitlab.state.addProject('rev/app', { files: { Dockerfile: `FROM ${host}/rev/base:1@${old}\n` } });
    const store = pipelinesOf(gitlab.state);
    const first = store.start(base, 'main', 'push');
    store.finish(first.id, 'success');
    // The commit the image is built from: one failed pipeline and one successful re-run on it.
    const built = gitlab.state.push('rev/base', { 'README.md': 'rebuilt\n' }, 'openssl 3.3.2');
    store.finish(store.start(base, 'main', 'push').id, 'failed');
    const producer = store.start(base, 'main', 'web');
    store.finish(producer.id, 'success');
    const complete = await publish('rev/base', '1', [AMD64, ARM64], { 'org.opencontainers.image.revision': built, 'org.opencontainers.image.source': `${gitlab.url}/rev/base` });
    // main has moved on since, and its newest successful pipeline built another commit.
    gitlab.state.push('rev/base', { 'README.md': 'later\n' }, 'docs');
    const newest = store.start(base, 'main', 'push');
    store.finish(newest.id, 'success');
    expect((await run('rev')).code).toBe(0);
    const [mr] = gitlab.state.project('rev/app').mergeRequests;
    expect(mr!.description).toContain(
      `### Upstream\n\n- \`${host}/rev/base:1@${complete.slice(0, 19)}…\` is built by \`rev/base\`: built from commit \`${built.slice(0, 12)}\` (image label \`org.opencontainers.image.revision\`) by pipeline [#${producer.id}](${gitlab.url}/rev/base/-/pipelines/${producer.id}) on \`main\`, the one successful pipeline of that commit\n`,
    );
    expect(
      gitlab.requests.filter((request) => request.path === `/projects/${base.id}/pipelines` && request.query.includes('sha=')).map((request) => new URLSearchParams(request.query).get('sha')),
    ).toEqual([built]);

    // A label naming a commit with no successful pipeline: nothing is named.
    const unbuilt = 'deadbeef'.repeat(5);
    const orphan = await publish('rev/base', '1', [AMD64, ARM64], { 'org.opencontainers.image.revision': unbuilt });
    expect((await run('rev')).code).toBe(0);
    const [updated] = gitlab.state.project('rev/app').mergeRequests;
    expect(updated!.description).toContain(
      `- \`${host}/rev/base:1@${orphan.slice(0, 19)}…\` is built by \`rev/base\`: the pipeline that produced it is not known: rev/base has no successful pipeline for commit deadbeefdead (its \`org.opencontainers.image.revision\` label), and archpin serve has no record of this digest\n`,
    );
  });
});
