/** Concourse pipelines and tasks: the images tasks and resource types run in. */
import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources } from '../../src/pipeline/pipeline.js';

const pipeline = [
  'resource_types:', // 1
  '- name: merge-request', // 2
  '  type: registry-image', // 3
  '  source:', // 4
  '    repository: registry.example.test/ci/mr-resource', // 5
  '- name: chat', // 6
  '  type: docker-image', // 7
  '  source: {repository: example/chat-resource, tag: "2.4"}', // 8
  '- name: ledger', // 9
  '  type: mock', // 10
  '  source:', // 11
  '    repository: example/ledger-resource', // 12
  'resources:', // 13
  '- name: app-image', // 14
  '  type: registry-image', // 15
  '  source:', // 16
  '    repository: registry.example.test/team/app', // 17
  '- name: base', // 18
  '  type: registry-image', // 19
  '  source:', // 20
  '    repository: example/base', // 21
  '    tag: "1.2"', // 22
  'jobs:', // 23
  '- name: build', // 24
  '  plan:', // 25
  '  - task: unit', // 26
  '    config:', // 27
  '      platform: linux', // 28
  '      image_resource:', // 29
  '        type: registry-image', // 30
  '        source: {repository: example/toolbox}', // 31
  '      run: {path: make}', // 32
  '    params:', // 33
  '      TOKEN: {{api_token}}', // 34
  '',
].join('\n');

const task = ['platform: linux', 'image_resource:', '  type: docker-image', '  source:', '    repository: registry.example.test/lang/builder', 'run:', '  path: make', ''].join('\n');

describe('Concourse images', () => {
  it('reports the image of each image_resource and image resource type, with or without a tag; a resource without a tag is not one; old {{param}} values keep the file YAML', () => {
    const scanned = scanSources([sourceFile('ci/pipeline.yml', new Uint8Array(Buffer.from(pipeline))), sourceFile('ci/tasks/unit.yml', new Uint8Array(Buffer.from(task)))]);
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.kind, reference.skip])).toEqual([
      ['ci/pipeline.yml', 5, 17, 'registry.example.test/ci/mr-resource', 'yaml-image', 'no-tag'],
      ['ci/pipeline.yml', 8, 24, 'example/chat-resource:2.4', 'yaml-image', null],
      ['ci/pipeline.yml', 21, 17, 'example/base:1.2', 'yaml-image', null],
      ['ci/pipeline.yml', 31, 30, 'example/toolbox', 'yaml-image', 'no-tag'],
      ['ci/tasks/unit.yml', 5, 17, 'registry.example.test/lang/builder', 'yaml-image', 'no-tag'],
    ]);
    expect(scanned.problems).toEqual([]);
  });

  it('reads such a pipeline as YAML when it also names an alias with no anchor, which is reported at its line', () => {
    const aliased = pipeline.replace('    params:', '    input_mapping: *unit_inputs\n    params:');
    const scanned = scanSources([sourceFile('ci/pipeline.yml', new Uint8Array(Buffer.from(aliased)))]);
    expect(scanned.references.map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [5, 'registry.example.test/ci/mr-resource', 'no-tag'],
      [8, 'example/chat-resource:2.4', null],
      [21, 'example/base:1.2', null],
      [31, 'example/toolbox', 'no-tag'],
    ]);
    expect(scanned.problems).toEqual([{ file: 'ci/pipeline.yml', line: 33, code: 'parse-error', message: 'YAML: alias *unit_inputs names no anchor defined before it; nothing is read there' }]);
  });

  it("does not read a task step's image, the name of an artifact of the plan, in a pipeline or a task written apart", () => {
    const steps = [
      'resources:', // 1
      '- name: runner', // 2
      '  type: registry-image', // 3
      '  source: {repository: registry.example.test/ci/runner, tag: "5.1"}', // 4
      'jobs:', // 5
      '- name: test', // 6
      '  plan:', // 7
      '  - get: runner', // 8
      '  - task: lint', // 9
      '    image: runner', // 10
      '    file: ci/tasks/lint.yml', // 11
      '  - do:', // 12
      '    - task: unit', // 13
      '      image: runner', // 14
      '      config: {platform: linux, run: {path: make}}', // 15
      '  - task: smoke', // 16
      '    file: ci/tasks/smoke.yml', // 17
      '    vars: {image: example/smoke:2.0}', // 18
      '',
    ].join('\n');
    const scanned = scanSources([sourceFile('ci/steps.yml', new Uint8Array(Buffer.from(steps)))]);
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([
      ['ci/steps.yml', 4, 'registry.example.test/ci/runner:5.1', null],
      ['ci/steps.yml', 18, 'example/smoke:2.0', null],
    ]);
    expect(scanned.problems).toEqual([]);
  });
});
