// Tekton bundles through the gate, against the real registry: bundles pushed as `tkn bundle push` lays them out (a
// config built on an empty image, with no platform; one annotated layer per resource). A bundle reference's candidate
// must be a bundle; an image reference's must be an image to run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMPTY_OCI_INDEX_DIGEST } from '../../src/core/digest.js';
import { runArchpin, type CliRun } from '../support/run-cli.js';
import { MEDIA_TYPES, pushBlob, pushEmptyIndex, pushImage, pushIndex, pushManifest, pushTektonBundle, type BundleResource } from '../support/seed.js';
import { useScenario } from '../support/scenario.js';

const scenario = useScenario({ name: 'check-tekton-bundles' });
let counter = 0;

const LINT: BundleResource[] = [{ kind: 'task', name: 'lint' }];

/** A Pipeline whose tasks come from bundles: through the bundles resolver, and through the older `bundle` field. */
const pipeline = (resolved: string, older?: string): string =>
  [
    'apiVersion: tekton.dev/v1', // 1
    'kind: Pipeline', // 2
    'metadata:', // 3
    '  name: build-and-lint', // 4
    'spec:', // 5
    '  tasks:', // 6
    '    - name: lint', // 7
    '      taskRef:', // 8
    '        resolver: bundles', // 9
    '        params:', // 10
    '          - name: bundle', // 11
    `            value: ${resolved}`, // 12
    '          - name: name', // 13
    '            value: lint', // 14
    '          - name: kind', // 15
    '            value: task', // 16
    ...(older === undefined ? [] : ['    - name: report', '      taskRef:', '        name: report', `        bundle: ${older}`]), // 17-20
    '',
  ].join('\n');

const pod = (image: string): string => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: runner\nspec:\n  containers:\n    - name: runner\n      image: ${image}\n`;

interface Report {
  updates: Array<{ file: string; line: number; from: string; to: string; updateType: string; platforms: string[]; fromPlatforms: string[]; content?: string }>;
  blocked: Array<{ image: string; tag: string | null; digest: string | null; reasons: string[]; message: string }>;
  errors: unknown[];
  audit?: Array<{ file: string; line: number; reason: string; reasons: string[]; message: string; fix: string | null }>;
}

async function archpin(command: 'check' | 'audit', dir: string, ...extra: string[]): Promise<{ run: CliRun; report: Report }> {
  const run = await runArchpin([command, dir, '--format', 'json', '--cache-dir', path.join(scenario.work, `cache-${++counter}`), ...extra]);
  expect(run.stderr).toBe('');
  return { run, report: JSON.parse(run.stdout) as Report };
}

const host = (): string => scenario.host;
const held = (report: Report) => report.blocked.map((item) => [item.tag, item.digest, item.reasons, item.message]);

/** An OCI manifest with the empty config descriptor and no layers. */
async function pushEmptyManifest(repo: string, tag: string): Promise<string> {
  const config = await pushBlob(scenario.registry, repo, Buffer.from('{}'));
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: { mediaType: 'application/vnd.oci.empty.v1+json', ...config }, layers: [] }));
  return pushManifest(scenario.registry, repo, tag, bytes, MEDIA_TYPES.ociManifest);
}

describe('a Tekton bundle reference', () => {
  it('is updated to a newer bundle, pinned by digest, as older and newer `tkn` push them (Docker and OCI media types)', async () => {
    await pushTektonBundle(scenario.registry, 'ci/task-lint', { resources: LINT, mediaType: 'docker', tag: 'v1' });
    const lint2 = await pushTektonBundle(scenario.registry, 'ci/task-lint', { resources: LINT, mediaType: 'docker', tag: 'v2', created: '2024-08-01T12:00:00Z' });
    const report1 = await pushTektonBundle(scenario.registry, 'ci/task-report', { resources: [{ kind: 'task', name: 'report' }], mediaType: 'oci', tag: '0.4.0' });
    const report2 = await pushTektonBundle(scenario.registry, 'ci/task-report', {
      resources: [
        { kind: 'task', name: 'report' },
        { kind: 'stepaction', name: 'upload' },
      ],
      mediaType: 'oci',
      tag: '0.4.1',
    });
    const file = pipeline(`${host()}/ci/task-lint:v1`, `${host()}/ci/task-report:0.4.0@${report1.digest}`);
    const dir = scenario.tree({ 'pipeline.yaml': file });
    const { run, report } = await archpin('check', dir, '--write');
    expect(run.code).toBe(0);
    expect(report.updates.map((update) => [update.line, update.from, update.to, update.updateType, update.platforms, update.fromPlatforms, update.content])).toEqual([
      [12, `${host()}/ci/task-lint:v1`, `${host()}/ci/task-lint:v2@${lint2.digest}`, 'major', [], [], 'tekton-bundle'],
      [20, `${host()}/ci/task-report:0.4.0@${report1.digest}`, `${host()}/ci/task-report:0.4.1@${report2.digest}`, 'patch', [], [], 'tekton-bundle'],
    ]);
    expect(report.blocked).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(readFileSync(path.join(dir, 'pipeline.yaml'), 'utf8')).toBe(pipeline(`${host()}/ci/task-lint:v2@${lint2.digest}`, `${host()}/ci/task-report:0.4.1@${report2.digest}`));
    // A second run has nothing left to do; the text report names the bundle where an image's platforms would be.
    expect((await archpin('check', dir)).report.updates).toEqual([]);
    const text = await runArchpin(['check', scenario.tree({ 'pipeline.yaml': pipeline(`${host()}/ci/task-lint:v1`) }), '--cache-dir', path.join(scenario.work, `cache-${++counter}`)]);
    expect(text.stdout).toContain(`  pipeline.yaml:12  ${host()}/ci/task-lint:v1  ${host()}/ci/task-lint:v2@sha256:${lint2.digest.slice(7, 19)}…  major  Tekton bundle\n`);
  });

  it('holds a candidate that is not a bundle, saying why, and takes the newest one that is', async () => {
    const repo = 'ci/task-build';
    await pushTektonBundle(scenario.registry, repo, { resources: [{ kind: 'task', name: 'build' }], mediaType: 'oci', tag: 'v1' });
    const good = await pushTektonBundle(scenario.registry, repo, { resources: [{ kind: 'task', name: 'build' }], mediaType: 'oci', tag: 'v2' });
    const unannotated = await pushTektonBundle(scenario.registry, repo, { resources: [{ kind: 'task', name: 'build' }], mediaType: 'oci', tag: 'v3', annotate: false });
    const runnable = await pushImage(scenario.registry, repo, { os: 'linux', architecture: 'amd64', mediaType: 'oci', tag: 'v4' });
    const noLayers = await pushTektonBundle(scenario.registry, repo, { resources: [], mediaType: 'oci', tag: 'v5' });
    const empty = await pushEmptyManifest(repo, 'v6');
    const index = await pushIndex(
      scenario.registry,
      repo,
      'v7',
      [await pushImage(scenario.registry, repo, { os: 'linux', architecture: 'arm64', variant: 'v8', mediaType: 'oci', label: 'v7' }), runnable],
      { mediaType: 'oci' },
    );
    await pushEmptyIndex(scenario.registry, repo, 'v8');
    const { run, report } = await archpin('check', scenario.tree({ 'pipeline.yaml': pipeline(`${host()}/${repo}:v1`) }));
    expect(run.code).toBe(0);
    expect(report.updates.map((update) => update.to)).toEqual([`${host()}/${repo}:v2@${good.digest}`]);
    const annotations = 'dev.tekton.image.apiVersion, dev.tekton.image.kind, dev.tekton.image.name';
    expect(held(report)).toEqual([
      ['v8', EMPTY_OCI_INDEX_DIGEST, ['not-bundle'], `${EMPTY_OCI_INDEX_DIGEST} is the well-known empty index: nothing has been published yet, not a Tekton bundle`],
      ['v7', index.digest, ['not-bundle'], 'an image index (2 entries), not a Tekton bundle: a bundle is one image manifest'],
      ['v6', empty, ['not-bundle'], 'not a Tekton bundle: an image manifest with no layers (a Tekton bundle holds one resource per layer)'],
      ['v5', noLayers.digest, ['not-bundle'], 'not a Tekton bundle: an image manifest with no layers (a Tekton bundle holds one resource per layer)'],
      ['v4', runnable.digest, ['not-bundle'], `an image to run (linux/amd64), not a Tekton bundle: no layer carries the Tekton bundle annotations (${annotations})`],
      ['v3', unannotated.digest, ['not-bundle'], `not a Tekton bundle: no layer carries the Tekton bundle annotations (${annotations})`],
    ]);
  });

  it('is judged apart from the same image written as a container image, whose bundle candidate stays held', async () => {
    const repo = 'ci/shared-name';
    const image = await pushImage(scenario.registry, repo, { os: 'linux', architecture: 'amd64', mediaType: 'oci', tag: '1.0.0' });
    const bundle = await pushTektonBundle(scenario.registry, repo, { resources: LINT, mediaType: 'oci', tag: '1.1.0' });
    const dir = scenario.tree({ 'pipeline.yaml': pipeline(`${host()}/${repo}:1.0.0`), 'pod.yaml': pod(`${host()}/${repo}:1.0.0`) });
    const { run, report } = await archpin('check', dir);
    expect(run.code).toBe(0);
    // The bundle reference takes the bundle; the Pod's image is pinned where it is, its bundle candidate held.
    expect(report.updates.map((update) => [update.file, update.to, update.updateType])).toEqual([
      ['pipeline.yaml', `${host()}/${repo}:1.1.0@${bundle.digest}`, 'minor'],
      ['pod.yaml', `${host()}/${repo}:1.0.0@${image.digest}`, 'pin'],
    ]);
    expect(held(report)).toEqual([['1.1.0', bundle.digest, ['artifact'], 'a Tekton bundle (holding the task lint), not an image to run']]);
  });
});

describe('audit of a Tekton bundle pin', () => {
  it('a pin to a bundle is safe; a bundle reference pinned to an image, or an image pinned to a bundle, is not', async () => {
    const repo = 'ci/task-test';
    const v1 = await pushTektonBundle(scenario.registry, repo, { resources: [{ kind: 'task', name: 'test' }], mediaType: 'oci', tag: 'v1' });
    const safe = await archpin('audit', scenario.tree({ 'pipeline.yaml': pipeline(`${host()}/${repo}:v1@${v1.digest}`) }));
    expect(safe.run.code).toBe(0);
    expect(safe.report.audit).toEqual([]);

    const runnable = await pushImage(scenario.registry, 'ci/task-image', { os: 'linux', architecture: 'amd64', mediaType: 'oci', tag: 'v1' });
    const fixed = await pushTektonBundle(scenario.registry, 'ci/task-image', { resources: [{ kind: 'task', name: 'test' }], mediaType: 'oci', tag: 'v2' });
    const dir = scenario.tree({ 'pipeline.yaml': pipeline(`${host()}/ci/task-image:v1@${runnable.digest}`), 'pod.yaml': pod(`${host()}/${repo}:v1@${v1.digest}`) });
    const unsafe = await archpin('audit', dir);
    expect(unsafe.run.code).toBe(3);
    expect(unsafe.report.audit?.map((item) => [item.file, item.line, item.reasons, item.message, item.fix])).toEqual([
      [
        'pipeline.yaml',
        12,
        ['not-bundle'],
        'an image to run (linux/amd64), not a Tekton bundle: no layer carries the Tekton bundle annotations (dev.tekton.image.apiVersion, dev.tekton.image.kind, dev.tekton.image.name)',
        `${host()}/ci/task-image:v2@${fixed.digest}`,
      ],
      ['pod.yaml', 8, ['artifact'], 'a Tekton bundle (holding the task test), not an image to run', null],
    ]);
  });
});
