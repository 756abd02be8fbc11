/**
 * A literal that is the tag of several images, against the real registry: when the images' own newest tags
 * differ, the newest tag all of them have that passes the gate is found and written in one merge request
 * (`archpin run` to the GitLab double); when there is none, every update is held, saying what was looked
 * for; `sharedLiterals: "hold"` never edits such a literal.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GITLAB_TEST_TOKEN } from '../support/gitlab-double.js';
import { runArchpin } from '../support/run-cli.js';
import { useScenario } from '../support/scenario.js';
import { pushEmptyIndex, pushImage, pushIndex } from '../support/seed.js';

const scenario = useScenario({ name: 'run-shared-literal', gitlab: {} });
const digests: Record<string, string> = {};

/** Image → its tags (`empty`: an empty index, which the gate refuses). */
const TAGS: Record<string, Record<string, 'complete' | 'empty'>> = {
  'builder/ubuntu-24.04': { '5.65.0': 'complete', '5.66.0': 'complete', '5.67.0': 'complete' },
  'builder/debian-12': { '5.65.0': 'complete', '5.66.0': 'complete', '5.67.0': 'empty' },
  'builder/alma-9': { '5.65.0': 'complete', '5.67.0': 'complete' },
};

beforeAll(async () => {
  for (const [repo, tags] of Object.entries(TAGS)) {
    for (const [tag, kind] of Object.entries(tags)) {
      if (kind === 'empty') {
        digests[`${repo}:${tag}`] = await pushEmptyIndex(scenario.registry, repo, tag);
        continue;
      }
      const images = [];
      for (const architecture of ['amd64', 'arm64'] as const)
        images.push(await pushImage(scenario.registry, repo, { os: 'linux', architecture, mediaType: 'oci', label: `${repo}:${tag}:${architecture}` }));
      digests[`${repo}:${tag}`] = (await pushIndex(scenario.registry, repo, tag, images, { mediaType: 'oci' })).digest;
    }
  }
}, 120_000);

const pipeline = (images: readonly string[]) =>
  ['include: [ci/revision.yml]', ...images.flatMap((image) => [`${image.split('-')[0]}:`, `  image: ${scenario.host}/builder/${image}:\${BUILDER_REVISION}`, '  script: [make package]']), ''].join(
    '\n',
  );
const revision = '# The builders are released together.\nvariables:\n  BUILDER_REVISION: "5.65.0"\n';
let configs = 0;

function configFile(config: object): string {
  const file = path.join(scenario.work, `config-${++configs}.json`);
  writeFileSync(file, JSON.stringify({ platforms: ['linux/amd64', 'linux/arm64'], ...config }));
  return file;
}

async function check(images: readonly string[], config: object = {}) {
  const dir = scenario.tree({ '.gitlab-ci.yml': pipeline(images), 'ci/revision.yml': revision });
  const run = await runArchpin(['check', dir, '--format', 'json', '--config', configFile(config), '--cache-dir', scenario.path(`cache-check-${configs}`)]);
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as {
    updates: Array<{ file: string; line: number; to: string }>;
    blocked: Array<{ image: string; tag: string; reason: string; message: string }>;
  };
}

describe('a shared literal whose images go to different tags', () => {
  it('archpin run writes the newest tag both images have that passes the gate, in one merge request; the newer tag one of them passes alone is held', async () => {
    const project = 'builders/images';
    const images = ['ubuntu-24.04', 'debian-12'];
    scenario.gitlab.state.addProject(project, { files: { '.gitlab-ci.yml': pipeline(images), 'ci/revision.yml': revision } });
    const run = await runArchpin(
      ['run', '--forge', 'gitlab', '--url', scenario.gitlab.url, '--project', project, '--format', 'json', '--config', configFile({}), '--cache-dir', scenario.path('cache-run')],
      { cwd: scenario.work, env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN } },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    const [repository] = report.repositories;
    expect(repository.changes.map((change: { branch: string; action: string; title: string }) => [change.branch, change.action, change.title])).toEqual([
      ['archpin/builder_revision', 'opened', 'Update BUILDER_REVISION'],
    ]);
    // The merge request's diff: only the two files, each exactly.
    const before = scenario.gitlab.state.files(project, 'main');
    const after = scenario.gitlab.state.files(project, 'archpin/builder_revision');
    const changed = [...after].filter(([file, bytes]) => !Buffer.from(bytes).equals(Buffer.from(before.get(file) ?? []))).map(([file, bytes]) => [file, Buffer.from(bytes).toString()]);
    expect(changed).toEqual([
      [
        '.gitlab-ci.yml',
        pipeline(images)
          .replace('ubuntu-24.04:${BUILDER_REVISION}', `ubuntu-24.04:\${BUILDER_REVISION}@${digests['builder/ubuntu-24.04:5.66.0']}`)
          .replace('debian-12:${BUILDER_REVISION}', `debian-12:\${BUILDER_REVISION}@${digests['builder/debian-12:5.66.0']}`),
      ],
      ['ci/revision.yml', revision.replace('5.65.0', '5.66.0')],
    ]);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    // A second run finds the same: the merge request stays as it is, nothing is written.
    const writes = scenario.gitlab.requests.filter((request) => request.method !== 'GET').length;
    const again = await runArchpin(
      ['run', '--forge', 'gitlab', '--url', scenario.gitlab.url, '--project', project, '--format', 'json', '--config', configFile({}), '--cache-dir', scenario.path('cache-run')],
      { cwd: scenario.work, env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN } },
    );
    expect(JSON.parse(again.stdout).repositories[0].changes.map((change: { branch: string; action: string }) => [change.branch, change.action])).toEqual([['archpin/builder_revision', 'unchanged']]);
    expect(scenario.gitlab.requests.filter((request) => request.method !== 'GET').length).toBe(writes);
    expect(repository.blocked.map((item: { image: string; tag: string; reason: string; message: string }) => [item.image.replace(scenario.host, 'HOST'), item.tag, item.reason, item.message])).toEqual(
      [
        ['HOST/builder/debian-12', '5.67.0', 'empty-index', expect.stringContaining('no runnable')],
        [
          'HOST/builder/ubuntu-24.04',
          '5.67.0',
          'shared-literal',
          '$BUILDER_REVISION (ci/revision.yml:3) is the tag of 2 images and moves for all of them together: to 5.66.0, the newest tag every one of them has that passes the gate',
        ],
      ],
    );
  });

  it('archpin check holds every update when no newer tag is common to all of them, saying what it looked for', async () => {
    const report = await check(['ubuntu-24.04', 'debian-12', 'alma-9']);
    expect(report.updates).toEqual([]);
    const because =
      `$BUILDER_REVISION (ci/revision.yml:3) is the tag of 3 images and moves only when every one has the same new tag (5.67.0) passing the gate: ` +
      `${scenario.host}/builder/debian-12:5.65.0 (.gitlab-ci.yml:6) would go to ${scenario.host}/builder/debian-12:5.66.0@${digests['builder/debian-12:5.66.0']}. ` +
      `Tags all of them might have, no newer than any one's own choice, were looked for: ` +
      `5.66.0: ${scenario.host}/builder/alma-9:5.65.0 (.gitlab-ci.yml:9) has no new tag that passes the gate`;
    expect(report.blocked.filter((item) => item.reason === 'shared-literal').map((item) => [item.image.replace(scenario.host, 'HOST'), item.tag, item.message])).toEqual([
      ['HOST/builder/ubuntu-24.04', '5.67.0', because],
      ['HOST/builder/debian-12', '5.66.0', because],
      ['HOST/builder/alma-9', '5.67.0', because],
    ]);
  });

  it('sharedLiterals "hold" leaves the literal alone, even where every image has the same new tag', async () => {
    const images = ['ubuntu-24.04', 'alma-9'];
    const grouped = await check(images);
    expect(grouped.updates.map((update) => [update.file, update.line, update.to.replace(scenario.host, 'HOST')])).toEqual([
      ['.gitlab-ci.yml', 3, `HOST/builder/ubuntu-24.04:5.67.0@${digests['builder/ubuntu-24.04:5.67.0']}`],
      ['.gitlab-ci.yml', 6, `HOST/builder/alma-9:5.67.0@${digests['builder/alma-9:5.67.0']}`],
    ]);
    const held = await check(images, { sharedLiterals: 'hold' });
    expect(held.updates).toEqual([]);
    const because = '$BUILDER_REVISION (ci/revision.yml:3) is the tag of 2 images, and sharedLiterals is "hold": a literal several images share is not edited';
    expect(held.blocked.map((item) => [item.image.replace(scenario.host, 'HOST'), item.tag, item.reason, item.message])).toEqual([
      ['HOST/builder/ubuntu-24.04', '5.67.0', 'shared-literal', because],
      ['HOST/builder/alma-9', '5.67.0', 'shared-literal', because],
    ]);
  });
});
