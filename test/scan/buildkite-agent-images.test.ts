/** A Buildkite agent that a cloud provider boots as a virtual machine: its `image` names the machine's image, not a container's. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const PIPELINE = [
  'agents:', // 1
  '  image: registry.example.test/ci/agent:4.2.0', // 2
  'steps:', // 3
  '  - label: unit', // 4
  '    command: make unit', // 5
  '  - label: e2e', // 6
  '    command: make e2e', // 7
  '    agents:', // 8
  '      provider: "gcp"', // 9
  '      image: "family/runner-ubuntu-2404"', // 10
  '      machineType: n2-standard-8', // 11
  '  - label: arm', // 12
  '    command: make arm', // 13
  '    agents:', // 14
  '      provider: aws', // 15
  '      image: runner-ubuntu-2404-aarch64', // 16
  '  - label: lint', // 17
  '    command: make lint', // 18
  '    agents:', // 19
  '      image: registry.example.test/ci/linter:1.8.0', // 20
  '      memory: 4G', // 21
  '',
].join('\n');

const TEMPLATE = [
  'steps:', // 1
  '{{- range $test := .Tests }}', // 2
  '  - label: {{ $test.Name }}', // 3
  '    command: make e2e', // 4
  '    agents:', // 5
  '      {{- if $test.Dind }}', // 6
  '      provider: "gcp"', // 7
  '      image: "family/runner-ubuntu-2404"', // 8
  '      {{- if $test.Large }}', // 9
  '      machineType: n2-standard-16', // 10
  '      {{- end }}', // 11
  '      {{- else }}', // 12
  '      image: registry.example.test/ci/agent:4.2.0', // 13
  '      {{- end }}', // 14
  '{{- end }}', // 15
  '',
].join('\n');

describe('a Buildkite agent booted as a virtual machine', () => {
  it("leaves out the image of an agents map whose provider is a cloud's, and reads the others", () => {
    expect(scan({ '.buildkite/pipeline.yml': PIPELINE })).toEqual([
      ['.buildkite/pipeline.yml', 2, 'registry.example.test/ci/agent:4.2.0', 'yaml-image', null],
      ['.buildkite/pipeline.yml', 20, 'registry.example.test/ci/linter:1.8.0', 'yaml-image', null],
    ]);
  });

  it('does the same in a pipeline kept as a template, branch by branch', () => {
    expect(scan({ '.buildkite/e2e/pipeline.tpl.yaml': TEMPLATE })).toEqual([['.buildkite/e2e/pipeline.tpl.yaml', 13, 'registry.example.test/ci/agent:4.2.0', 'yaml-image', null]]);
  });

  it('reads an image beside another provider key, outside agents', () => {
    const other = ['steps:', '  - label: build', '    plugins:', '      - docker#v5.12.0:', '          image: registry.example.test/ci/builder:2.0.1', '          provider: gcp', ''].join('\n');
    expect(scan({ '.buildkite/build.yml': other })).toEqual([['.buildkite/build.yml', 5, 'registry.example.test/ci/builder:2.0.1', 'yaml-image', null]]);
  });
});
