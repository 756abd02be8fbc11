import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip, reference.detail ?? null]);

const D0 = `sha256:${'0'.repeat(64)}`;

/** A run whose embedded pipeline takes its tasks from bundles, through the bundles resolver and through the older field. */
const lintRun = [
  'apiVersion: tekton.dev/v1', // 1
  'kind: PipelineRun', // 2
  'metadata:', // 3
  '  name: lint-on-push', // 4
  'spec:', // 5
  '  pipelineSpec:', // 6
  '    tasks:', // 7
  '      - name: prepare', // 8
  '        taskRef:', // 9
  '          resolver: bundles', // 10
  '          params:', // 11
  '            - name: name', // 12
  '              value: prepare', // 13
  '            - name: bundle', // 14
  `              value: registry.example.test/ci/task-prepare:0.4@${D0}`, // 15
  '            - name: kind', // 16
  '              value: task', // 17
  '      - name: lint', // 18
  '        taskRef:', // 19
  '          resolver: bundles', // 20
  '          params:', // 21
  '            - name: bundle', // 22
  '              value: >-', // 23
  '                registry.example.test/ci/task-lint:1.2', // 24
  '            - name: name', // 25
  '              value: lint', // 26
  '      - name: report', // 27
  '        taskRef:', // 28
  '          name: report', // 29
  '          bundle: registry.example.test/ci/task-report:0.9', // 30
  '      - name: notify', // 31
  '        taskRef:', // 32
  '          resolver: git', // 33
  '          params:', // 34
  '            - name: url', // 35
  '              value: https://git.example.test/ci/tasks.git', // 36
  '            - name: bundle', // 37
  '              value: registry.example.test/ci/not-a-bundle:1.0', // 38
  '',
].join('\n');

/** A run that takes its pipeline from a bundle. */
const releaseRun = [
  'apiVersion: tekton.dev/v1', // 1
  'kind: PipelineRun', // 2
  'metadata:', // 3
  '  name: release', // 4
  'spec:', // 5
  '  pipelineRef:', // 6
  '    resolver: bundles', // 7
  '    params:', // 8
  '      - name: bundle', // 9
  '        value: registry.example.test/ci/pipeline-release:2.0', // 10
  '      - name: name', // 11
  '        value: release', // 12
  '      - name: kind', // 13
  '        value: pipeline', // 14
  '',
].join('\n');

describe('a Tekton bundle', () => {
  it('is reported where the bundles resolver or the older bundle field names it; name, kind and other resolvers are not', () => {
    // Before, nothing in either file was reported.
    expect(scan({ '.tekton/lint-on-push.yaml': lintRun, '.tekton/release.yaml': releaseRun })).toEqual([
      ['.tekton/lint-on-push.yaml', 15, `registry.example.test/ci/task-prepare:0.4@${D0}`, 'kubernetes-image', null, 'a Tekton bundle holding the task prepare'],
      ['.tekton/lint-on-push.yaml', 24, 'registry.example.test/ci/task-lint:1.2', 'kubernetes-image', null, 'a Tekton bundle holding the task lint'],
      ['.tekton/lint-on-push.yaml', 30, 'registry.example.test/ci/task-report:0.9', 'kubernetes-image', null, 'a Tekton bundle holding the task report'],
      ['.tekton/release.yaml', 10, 'registry.example.test/ci/pipeline-release:2.0', 'kubernetes-image', null, 'a Tekton bundle holding the pipeline release'],
    ]);
  });

  it('is looked up as a bundle, apart from a container image of the same name and tag', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: lint\nspec:\n  containers:\n    - name: lint\n      image: registry.example.test/ci/task-lint:1.2\n';
    const { references } = scanSources([sourceFile('.tekton/lint-on-push.yaml', new Uint8Array(Buffer.from(lintRun))), sourceFile('pod.yaml', new Uint8Array(Buffer.from(pod)))]);
    expect(references.map((reference) => [reference.file, reference.line, reference.content ?? null])).toEqual([
      ['.tekton/lint-on-push.yaml', 15, 'tekton-bundle'],
      ['.tekton/lint-on-push.yaml', 24, 'tekton-bundle'],
      ['.tekton/lint-on-push.yaml', 30, 'tekton-bundle'],
      ['pod.yaml', 8, null],
    ]);
    const lint = dependenciesOf(references).filter((dependency) => dependency.location.repository === 'ci/task-lint');
    expect(lint.map((dependency) => [dependency.key, dependency.tag, dependency.content ?? null, dependency.references.map((reference) => reference.file)])).toEqual([
      ['registry.example.test/ci/task-lint', '1.2', 'tekton-bundle', ['.tekton/lint-on-push.yaml']],
      ['registry.example.test/ci/task-lint', '1.2', null, ['pod.yaml']],
    ]);
  });

  it('is updated where it is written, its digest pinned there, verified by a re-scan', () => {
    const D1 = `sha256:${'1'.repeat(64)}`;
    const proposal: Proposal = { tag: '1.3', digest: D1, updateType: 'minor', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] };
    const scanned = scanSources([sourceFile('.tekton/lint-on-push.yaml', new Uint8Array(Buffer.from(lintRun)))]);
    const dependency = dependenciesOf(scanned.references).find((candidate) => candidate.location.repository === 'ci/task-lint')!;
    const plan = planUpdates([{ dependency, update: proposal, held: [], error: null }]);
    expect(plan.failures).toEqual([]);
    const expected = lintRun.replace('registry.example.test/ci/task-lint:1.2', `registry.example.test/ci/task-lint:1.3@${D1}`);
    expect(verifyEdits(plan.fileEdits, scanned).map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['.tekton/lint-on-push.yaml', expected],
    ]);
  });
});
