import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanTexts } from '../support/scan-texts.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.line, reference.column, reference.value, reference.skip, reference.detail ?? null]);
const digest = `sha256:${'ab'.repeat(32)}`;

describe("a Gitea or Forgejo runner's labels", () => {
  it("reports the image of each `label:docker://image` in a runner config's `runner.labels`, not the label", () => {
    const config = lines(
      'log:', // 1
      '  level: info', // 2
      'runner:', // 3
      '  capacity: 2', // 4
      '  labels:', // 5
      '    - "linux-latest:docker://registry.example.test/ci/runner-base:24.04"', // 6
      '    - linux-slim:docker://registry.example.test/ci/runner-slim', // 7
      '    - "bare-metal:host"', // 8
      'cache:', // 9
      '  enabled: false', // 10
    );
    expect(rows({ 'deploy/runner/config.yaml': config })).toEqual([
      [6, 30, 'registry.example.test/ci/runner-base:24.04', null, 'the runner label linux-latest: the runner runs the jobs that ask for it in this image'],
      [7, 27, 'registry.example.test/ci/runner-slim', 'no-tag', 'the runner label linux-slim: the runner runs the jobs that ask for it in this image'],
    ]);
  });

  it('reads a list kept in a variable named for the runner labels, and edits only the image', () => {
    const defaults = lines(
      '---', // 1
      'build_runner_version: "6.3.1"', // 2
      'build_runner_labels:', // 3
      '  - "self-hosted:docker://registry.example.test/ci/runner-base:24.04"', // 4
      '  - "arm64:host"', // 5
      'build_labels:', // 6
      '  - "other:docker://registry.example.test/ci/other:1.0"', // 7
    );
    const references = scanTexts({ 'roles/build_runner/defaults/main.yml': defaults }).references;
    expect(references.map((reference) => [reference.line, reference.column, reference.value, reference.skip])).toEqual([[4, 27, 'registry.example.test/ci/runner-base:24.04', null]]);
    const [runner] = references;
    if (!runner) throw new Error('no runner label');
    const plan = editsForReference(runner, { tag: '24.10', digest });
    if (!plan.ok) throw new Error(plan.reason);
    const bytes = sourceFile('roles/build_runner/defaults/main.yml', Buffer.from(defaults)).bytes;
    expect(Buffer.from(applyEdits(bytes, plan.edits)).toString('latin1')).toBe(
      defaults.replace('docker://registry.example.test/ci/runner-base:24.04', `docker://registry.example.test/ci/runner-base:24.10@${digest}`),
    );
  });

  it("reads the labels the runner's image takes joined by commas in GITEA_RUNNER_LABELS: a compose service's environment, a container's env", () => {
    const label = (name: string) => `the runner label ${name}: the runner runs the jobs that ask for it in this image`;
    const compose = lines(
      'services:', // 1
      '  runner:', // 2
      '    image: registry.example.test/ci/act-runner:0.6.1', // 3
      '    environment:', // 4
      '      GITEA_INSTANCE_URL: https://git.example.test', // 5
      '      GITEA_RUNNER_LABELS: "linux-latest:docker://registry.example.test/ci/runner-base:24.04,bare-metal:host, linux-slim:docker://registry.example.test/ci/runner-slim:1.2"', // 6
      '  other:', // 7
      '    image: registry.example.test/ci/act-runner:0.6.1', // 8
      '    environment:', // 9
      '      - GITEA_RUNNER_NAME=second', // 10
      '      - GITEA_RUNNER_LABELS=self-hosted:docker://registry.example.test/ci/runner-base:24.04', // 11
      '      - BUILD_LABELS=other:docker://registry.example.test/ci/other:1.0', // 12
    );
    expect(rows({ 'compose.yaml': compose })).toEqual([
      [3, 12, 'registry.example.test/ci/act-runner:0.6.1', null, null],
      [6, 51, 'registry.example.test/ci/runner-base:24.04', null, label('linux-latest')],
      [6, 131, 'registry.example.test/ci/runner-slim:1.2', null, label('linux-slim')],
      [8, 12, 'registry.example.test/ci/act-runner:0.6.1', null, null],
      [11, 50, 'registry.example.test/ci/runner-base:24.04', null, label('self-hosted')],
    ]);
    // The image after the comma is edited in place, the labels around it left as written.
    const slim = scanTexts({ 'compose.yaml': compose }).references.find((reference) => reference.value.endsWith('runner-slim:1.2'));
    if (!slim) throw new Error('no runner-slim label');
    const plan = editsForReference(slim, { tag: '1.3', digest });
    if (!plan.ok) throw new Error(plan.reason);
    expect(Buffer.from(applyEdits(sourceFile('compose.yaml', Buffer.from(compose)).bytes, plan.edits)).toString('latin1')).toBe(
      compose.replace('ci/runner-slim:1.2"', `ci/runner-slim:1.3@${digest}"`),
    );
    const deployment = lines(
      'apiVersion: apps/v1', // 1
      'kind: Deployment', // 2
      'metadata:', // 3
      '  name: act-runner', // 4
      'spec:', // 5
      '  template:', // 6
      '    spec:', // 7
      '      containers:', // 8
      '        - name: runner', // 9
      '          image: registry.example.test/ci/act-runner:0.6.1', // 10
      '          env:', // 11
      '            - name: GITEA_RUNNER_LABELS', // 12
      '              value: linux-latest:docker://registry.example.test/ci/runner-base:24.04', // 13
      '            - name: GITEA_RUNNER_NAME', // 14
      '              value: first:docker://registry.example.test/ci/not-a-label:1.0', // 15
    );
    expect(rows({ 'deploy/runner.yaml': deployment })).toEqual([
      [10, 18, 'registry.example.test/ci/act-runner:0.6.1', null, null],
      [13, 44, 'registry.example.test/ci/runner-base:24.04', null, label('linux-latest')],
    ]);
  });

  it('reads no `labels` list outside a runner map', () => {
    const manifest = lines('metadata:', '  labels:', '    - "linux-latest:docker://registry.example.test/ci/runner-base:24.04"');
    expect(rows({ 'deploy/other.yaml': manifest })).toEqual([]);
  });
});
