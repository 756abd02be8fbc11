/** Values written as `$(inputs.params.x)` in YAML that is not a Tekton object: a tool's parameters, given by its caller. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

const inventory = [
  'vars:', // 1
  '  registry: <registry>', // 2
  'images:', // 3
  '  - name: probe-context', // 4
  '    stages:', // 5
  '      - name: probe-build', // 6
  '        buildargs:', // 7
  '          builder_image: $(inputs.params.builder_image)', // 8
  '          runner_image: $(params.registry)/$(params.runner):$(params.version)', // 9
  '          base_image: registry.example.test/base/os:$(inputs.params.version)', // 10
  '          tools_image: registry.example.test/base/tools:4.2', // 11
  '',
].join('\n');

const task = [
  'apiVersion: tekton.dev/v1', // 1
  'kind: Task', // 2
  'metadata:', // 3
  '  name: build', // 4
  'spec:', // 5
  '  params:', // 6
  '    - name: builder', // 7
  '  steps:', // 8
  '    - name: build', // 9
  '      image: $(params.builder)', // 10
  '',
].join('\n');

describe('tool parameters outside Tekton objects', () => {
  it('leave out a value made only of parameter placeholders in plain YAML; a Tekton step still shows its use', () => {
    expect(rows({ 'build/inventory.yaml': inventory, 'tekton/build.yaml': task })).toEqual([
      ['build/inventory.yaml', 10, 'registry.example.test/base/os:$(inputs.params.version)', 'templated'],
      ['build/inventory.yaml', 11, 'registry.example.test/base/tools:4.2', null],
      ['tekton/build.yaml', 10, '$(params.builder)', 'templated'],
    ]);
  });
});
