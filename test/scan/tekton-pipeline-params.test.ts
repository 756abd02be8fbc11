import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [
    reference.file,
    reference.line,
    reference.value,
    reference.skip,
    reference.spans.map((span) => [span.role, span.text, span.line]),
    reference.detail ?? null,
  ]);

/** A Task whose test step runs an image whose tag is a parameter with a default, and one without. */
const testTask = [
  'apiVersion: tekton.dev/v1', // 1
  'kind: Task', // 2
  'metadata:', // 3
  '  name: unit-tests', // 4
  'spec:', // 5
  '  params:', // 6
  '    - name: runtime-tag', // 7
  '      type: string', // 8
  '      default: "3.12.4-slim"', // 9
  '    - name: linter-tag', // 10
  '      type: string', // 11
  '  steps:', // 12
  '    - name: test', // 13
  '      image: registry.example.test/tools/runtime:$(params.runtime-tag)', // 14
  '      script: make test', // 15
  '    - name: lint', // 16
  '      image: registry.example.test/tools/linter:$(params.linter-tag)', // 17
  '      script: make lint', // 18
  '',
].join('\n');

/** A pipeline that gives the Task's tag parameter a value of its own. */
const overridingPipeline = [
  'apiVersion: tekton.dev/v1', // 1
  'kind: Pipeline', // 2
  'metadata:', // 3
  '  name: nightly', // 4
  'spec:', // 5
  '  tasks:', // 6
  '    - name: tests', // 7
  '      taskRef:', // 8
  '        name: unit-tests', // 9
  '      params:', // 10
  '        - name: runtime-tag', // 11
  '          value: "3.13.0-slim"', // 12
  '',
].join('\n');

describe('a Tekton Task image written with a parameter that has a default', () => {
  it('is the image with the default filled in, reported at the step and edited in the default', () => {
    // Before, line 14 was reported `templated` as `registry.example.test/tools/runtime:$(params.runtime-tag)`.
    expect(scan({ 'tasks/unit-tests.yaml': testTask })).toEqual([
      [
        'tasks/unit-tests.yaml',
        14,
        'registry.example.test/tools/runtime:3.12.4-slim',
        null,
        [
          ['template', 'registry.example.test/tools/runtime:$(params.runtime-tag)', 14],
          ['variable', '3.12.4-slim', 9],
        ],
        "through the Task's parameter runtime-tag (line 7), edited there",
      ],
      ['tasks/unit-tests.yaml', 17, 'registry.example.test/tools/linter:$(params.linter-tag)', 'templated', [['reference', 'registry.example.test/tools/linter:$(params.linter-tag)', 17]], null],
    ]);
  });

  it('stays templated when a pipeline of the scan gives the parameter a value', () => {
    expect(scan({ 'tasks/unit-tests.yaml': testTask, 'pipelines/nightly.yaml': overridingPipeline }).filter(([file]) => file === 'tasks/unit-tests.yaml')).toEqual([
      [
        'tasks/unit-tests.yaml',
        14,
        'registry.example.test/tools/runtime:$(params.runtime-tag)',
        'templated',
        [['reference', 'registry.example.test/tools/runtime:$(params.runtime-tag)', 14]],
        'parameter runtime-tag (line 7) is given by Pipeline nightly',
      ],
      ['tasks/unit-tests.yaml', 17, 'registry.example.test/tools/linter:$(params.linter-tag)', 'templated', [['reference', 'registry.example.test/tools/linter:$(params.linter-tag)', 17]], null],
    ]);
  });

  it('an update edits the default and pins the step, verified by a re-scan', () => {
    const D1 = `sha256:${'1'.repeat(64)}`;
    const proposal: Proposal = { tag: '3.12.5-slim', digest: D1, updateType: 'patch', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] };
    const scanned = scanSources([sourceFile('tasks/unit-tests.yaml', new Uint8Array(Buffer.from(testTask)))]);
    const dependency = dependenciesOf(scanned.references).find((candidate) => candidate.location.repository === 'tools/runtime')!;
    const plan = planUpdates([{ dependency, update: proposal, held: [], error: null }]);
    expect(plan.failures).toEqual([]);
    const expected = testTask.replace('default: "3.12.4-slim"', 'default: "3.12.5-slim"').replace('runtime:$(params.runtime-tag)', `runtime:$(params.runtime-tag)@${D1}`);
    expect(verifyEdits(plan.fileEdits, scanned).map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([['tasks/unit-tests.yaml', expected]]);
  });
});

/** A run of the release pipeline: the image it builds and pushes, and the image of a tool a task runs. */
const releaseRun = [
  'apiVersion: tekton.dev/v1', // 1
  'kind: PipelineRun', // 2
  'metadata:', // 3
  '  generateName: release-', // 4
  'spec:', // 5
  '  pipelineRef:', // 6
  '    name: release', // 7
  '  params:', // 8
  '    - name: app-image', // 9
  '      value: registry.example.test/shop/web:2.4.0', // 10
  '    - name: docs-image', // 11
  '      value: registry.example.test/shop/docs:2.4.0', // 12
  '    - name: scanner-image', // 13
  '      value: registry.example.test/tools/scanner:0.9.1', // 14
  '',
].join('\n');

/** The release pipeline: the catalog's kaniko builds the app, a task of the repository builds the docs, another scans. */
const releasePipeline = [
  'apiVersion: tekton.dev/v1', // 1
  'kind: Pipeline', // 2
  'metadata:', // 3
  '  name: release', // 4
  'spec:', // 5
  '  params:', // 6
  '    - name: app-image', // 7
  '    - name: docs-image', // 8
  '    - name: scanner-image', // 9
  '    - name: worker-image', // 10
  '      default: registry.example.test/shop/worker:2.4.0', // 11
  '  tasks:', // 12
  '    - name: build-app', // 13
  '      taskRef:', // 14
  '        name: kaniko', // 15
  '      params:', // 16
  '        - name: IMAGE', // 17
  '          value: $(params.app-image)', // 18
  '    - name: build-docs', // 19
  '      taskRef:', // 20
  '        name: docs-build', // 21
  '      params:', // 22
  '        - name: target', // 23
  '          value: $(params.docs-image)', // 24
  '    - name: build-worker', // 25
  '      taskSpec:', // 26
  '        params:', // 27
  '          - name: output', // 28
  '        steps:', // 29
  '          - name: push', // 30
  '            image: registry.example.test/tools/builder:1.2.0', // 31
  '            env:', // 32
  '              - name: DEST', // 33
  '                value: $(params.output)', // 34
  '            script: |', // 35
  '              buildah bud -t "$DEST" .', // 36
  '              buildah push "$DEST"', // 37
  '      params:', // 38
  '        - name: output', // 39
  '          value: $(params.worker-image)', // 40
  '    - name: scan', // 41
  '      taskRef:', // 42
  '        name: image-scan', // 43
  '      params:', // 44
  '        - name: IMAGE', // 45
  '          value: $(params.scanner-image)', // 46
  '',
].join('\n');

/** A task of the repository that builds the docs image and pushes it where its `target` says. */
const docsTask = [
  'apiVersion: tekton.dev/v1', // 1
  'kind: Task', // 2
  'metadata:', // 3
  '  name: docs-build', // 4
  'spec:', // 5
  '  params:', // 6
  '    - name: target', // 7
  '    - name: builder-image', // 8
  '      default: registry.example.test/tools/kaniko:1.23.2', // 9
  '  steps:', // 10
  '    - name: build', // 11
  '      image: $(params.builder-image)', // 12
  '      args:', // 13
  '        - --destination=$(params.target)', // 14
  '',
].join('\n');

describe('a Tekton parameter that a task pushes to', () => {
  it('is not reported where a run or a pipeline gives it; other image parameters are', () => {
    // Before, lines 10 and 12 of the run and line 11 of the pipeline were reported as images.
    expect(scan({ 'tekton/run.yaml': releaseRun, 'tekton/pipeline.yaml': releasePipeline, 'tekton/docs-task.yaml': docsTask }).map(([file, line, value, skip]) => [file, line, value, skip])).toEqual([
      ['tekton/docs-task.yaml', 9, 'registry.example.test/tools/kaniko:1.23.2', null],
      ['tekton/pipeline.yaml', 31, 'registry.example.test/tools/builder:1.2.0', null],
      ['tekton/run.yaml', 14, 'registry.example.test/tools/scanner:0.9.1', null],
    ]);
  });

  it('needs the pipeline to follow it through: a run scanned without it keeps the value', () => {
    expect(scan({ 'tekton/run.yaml': releaseRun }).map(([file, line, value]) => [file, line, value])).toEqual([
      ['tekton/run.yaml', 10, 'registry.example.test/shop/web:2.4.0'],
      ['tekton/run.yaml', 12, 'registry.example.test/shop/docs:2.4.0'],
      ['tekton/run.yaml', 14, 'registry.example.test/tools/scanner:0.9.1'],
    ]);
  });
});
