import { describe, expect, it } from 'vitest';
import { templatedDefault } from '../../src/scan/tekton-params.js';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null]);

const chart = 'apiVersion: v2\nname: ci-tasks\nversion: 1.2.0\n';
const values = 'registry: registry.example.test\nlintImage: registry.example.test/tools/lint:1.4.2\n';

describe('the templated default of a Tekton parameter that a step runs as its image', () => {
  it('tells a default that writes part of the name from one a chart names wholly and from a placeholder', () => {
    const path = 'ci-tasks/templates/tasks/lint.yaml';
    expect(templatedDefault(path, '{{ include "ci-tasks.registry" . }}/tools/lint:1.4.2')).toBe('image');
    expect(templatedDefault(path, '{{ .Values.registry }}/tools/lint:{{ .Values.lintTag }}')).toBe('image');
    expect(templatedDefault('tasks/lint.yaml', '${REGISTRY}/tools/lint:1.4.2')).toBe('image');
    expect(templatedDefault(path, '{{ $image }}')).toBe('passed-on');
    expect(templatedDefault(path, '{{ include "ci-tasks.runtimeImage" . }}')).toBe('passed-on');
    // Outside a chart's templates, a value that is only a placeholder names no image until a script fills it in.
    expect(templatedDefault('tasks/lint.yaml', '{{ .Values.lintImage }}')).toBe(null);
    expect(templatedDefault('tasks/lint.yaml', '{{TARGET}}')).toBe(null);
    expect(templatedDefault('tasks/lint.yaml', '${LINT_IMAGE}:latest')).toBe(null);
    expect(templatedDefault('tasks/lint.yaml', '@LINT_IMAGE@')).toBe(null);
    // A Tekton substitution is given by the run.
    expect(templatedDefault(path, '$(params.base)')).toBe(null);
  });

  it('in a chart template that is no YAML, reports the default where it is written and not its uses', () => {
    const task = [
      '{{- if .Values.tasks }}', // 1
      'apiVersion: tekton.dev/v1', // 2
      'kind: Task', // 3
      'metadata:', // 4
      '  name: lint', // 5
      'spec:', // 6
      '  params:', // 7
      '    - name: LINTER', // 8
      '      default: {{ include "ci-tasks.registry" . }}/tools/lint:1.4.2', // 9
      '    - name: RUNTIME', // 10
      "      default: '{{ $runtime }}'", // 11
      '    - name: RUNNER', // 12
      '      default: ""', // 13
      '  steps:', // 14
      '    - name: lint', // 15
      '      image: $(params.LINTER)', // 16
      '    - name: lint-again', // 17
      '      image: $(params.LINTER)', // 18
      '    - name: test', // 19
      '      image: $(params.RUNTIME)', // 20
      '    - name: report', // 21
      '      image: $(params.RUNNER)', // 22
      '{{- end }}', // 23
      '',
    ].join('\n');
    // Before, lines 16, 18 and 20 were each reported `templated` as `$(params.…)` and line 9 not at all.
    expect(scan({ 'ci-tasks/Chart.yaml': chart, 'ci-tasks/values.yaml': values, 'ci-tasks/templates/tasks/lint.yaml': task })).toEqual([
      ['ci-tasks/templates/tasks/lint.yaml', 9, '{{ include "ci-tasks.registry" . }}/tools/lint:1.4.2', 'templated', null],
      ['ci-tasks/templates/tasks/lint.yaml', 22, '$(params.RUNNER)', 'templated', null],
      ['ci-tasks/values.yaml', 2, 'registry.example.test/tools/lint:1.4.2', null, null],
    ]);
  });

  it('in a chart template that parses, the default is rendered from the values when it can be', () => {
    const task = [
      'apiVersion: tekton.dev/v1', // 1
      'kind: Task', // 2
      'metadata:', // 3
      '  name: build', // 4
      'spec:', // 5
      '  params:', // 6
      '    - name: builder', // 7
      '      default: "{{ .Values.registry }}/tools/build:2.0.1"', // 8
      '    - name: checker', // 9
      '      default: "{{ .Values.lintImage }}"', // 10
      '  steps:', // 11
      '    - name: build', // 12
      '      image: $(params.builder)', // 13
      '    - name: check', // 14
      '      image: $(params.checker)', // 15
      '',
    ].join('\n');
    expect(scan({ 'ci-tasks/Chart.yaml': chart, 'ci-tasks/values.yaml': values, 'ci-tasks/templates/build.yaml': task })).toEqual([
      ['ci-tasks/templates/build.yaml', 8, 'registry.example.test/tools/build:2.0.1', 'templated', "rendered from the chart's defaults: ci-tasks/values.yaml; set there, not edited here"],
      ['ci-tasks/values.yaml', 2, 'registry.example.test/tools/lint:1.4.2', null, null],
    ]);
  });

  it('outside a chart, a default written through a variable is the image, templated, and a placeholder leaves the use', () => {
    const task = [
      'apiVersion: tekton.dev/v1', // 1
      'kind: Task', // 2
      'metadata:', // 3
      '  name: package', // 4
      'spec:', // 5
      '  params:', // 6
      '    - name: packager', // 7
      '      default: ${REGISTRY}/tools/package:3.1.0', // 8
      '    - name: signer', // 9
      '      default: ${SIGNER_IMAGE}', // 10
      '  steps:', // 11
      '    - name: package', // 12
      '      image: $(params.packager)', // 13
      '    - name: sign', // 14
      '      image: $(params.signer)', // 15
      '',
    ].join('\n');
    expect(scan({ 'tekton/package.yaml': task })).toEqual([
      ['tekton/package.yaml', 8, '${REGISTRY}/tools/package:3.1.0', 'templated', null],
      ['tekton/package.yaml', 15, '$(params.signer)', 'templated', null],
    ]);
  });

  it("a run's templated value for a parameter its embedded steps run is the image the same way", () => {
    const run = [
      'apiVersion: tekton.dev/v1', // 1
      'kind: PipelineRun', // 2
      'metadata:', // 3
      '  name: checks', // 4
      'spec:', // 5
      '  params:', // 6
      '    - name: runner', // 7
      '      value: "{{ .Values.registry }}/ci/runner:1.8.1"', // 8
      '  pipelineSpec:', // 9
      '    tasks:', // 10
      '      - name: unit', // 11
      '        taskSpec:', // 12
      '          steps:', // 13
      '            - name: unit', // 14
      '              image: $(params.runner)', // 15
      '',
    ].join('\n');
    expect(scan({ 'ci-tasks/Chart.yaml': chart, 'ci-tasks/values.yaml': values, 'ci-tasks/templates/run.yaml': run })).toEqual([
      ['ci-tasks/templates/run.yaml', 8, 'registry.example.test/ci/runner:1.8.1', 'templated', "rendered from the chart's defaults: ci-tasks/values.yaml; set there, not edited here"],
      ['ci-tasks/values.yaml', 2, 'registry.example.test/tools/lint:1.4.2', null, null],
    ]);
  });
});
