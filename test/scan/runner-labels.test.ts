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

  it('reads no `labels` list outside a runner map', () => {
    const manifest = lines('metadata:', '  labels:', '    - "linux-latest:docker://registry.example.test/ci/runner-base:24.04"');
    expect(rows({ 'deploy/other.yaml': manifest })).toEqual([]);
  });
});
