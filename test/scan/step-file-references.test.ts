/** Jenkins X Lighthouse steps that name a pipeline file (`image: uses:…`) instead of an image. */
import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources } from '../../src/pipeline/pipeline.js';

const run = [
  'apiVersion: tekton.dev/v1beta1', // 1
  'kind: PipelineRun', // 2
  'metadata:', // 3
  '  name: verify', // 4
  'spec:', // 5
  '  pipelineSpec:', // 6
  '    tasks:', // 7
  '      - name: from-catalog', // 8
  '        taskSpec:', // 9
  '          stepTemplate:', // 10
  '            image: uses:example-org/ci-catalog/tasks/build/verify.yaml@stable', // 11
  '          steps:', // 12
  '            - image: uses:example-org/ci-catalog/tasks/clone/clone.yaml@0a1b2c3d', // 13
  '            - name: report', // 14
  '              image: registry.example.test/ci/reporter:2.4.0', // 15
  '            - name: local', // 16
  '              image: uses:./tasks/lint.yaml', // 17
  '            - name: broken', // 18
  '              image: example/Lint:1.0', // 19
  '',
].join('\n');

describe('Lighthouse step references', () => {
  it('leaves out a step image written as `uses:` and a pipeline file; other images and bad names stay', () => {
    const scanned = scanSources([sourceFile('.lighthouse/ci/verify.yaml', new Uint8Array(Buffer.from(run)))]);
    expect(scanned.references.map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [15, 'registry.example.test/ci/reporter:2.4.0', null],
      [19, 'example/Lint:1.0', 'invalid-reference'],
    ]);
    expect(scanned.problems).toEqual([]);
  });
});
