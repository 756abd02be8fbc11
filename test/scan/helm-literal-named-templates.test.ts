/** A chart's named templates that write one literal word, used in the image lines of its templates. */
import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanFiles } from '../../src/scan/scan-files.js';

function scan(files: Record<string, string>): Array<[string, number, string, string | null, string | undefined]> {
  const result = scanFiles(Object.entries(files).map(([path, text]) => sourceFile(path, Buffer.from(text))));
  return result.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail]);
}

const chart = 'apiVersion: v2\nname: ci\nversion: 0.1.0\n';
const digest = `sha256:${'4'.repeat(64)}`;
const helpers = [
  '{{/* Tool versions, kept in one place. */}}',
  '{{ define "ci.shellTag" -}}',
  '  3.20.1',
  '{{- end }}',
  '',
  '{{ define "ci.deployerTag" -}}',
  `1.31.2@${digest}`,
  '{{- end }}',
  '',
  '{{ define "ci.deployerDigest" -}}',
  digest,
  '{{- end }}',
  '',
  '{{ define "ci.spacedTag" }}',
  '2.0.0',
  '{{ end }}',
  '',
  '{{ define "ci.valuesTag" -}}',
  '{{ .Values.toolTag }}',
  '{{- end }}',
  '',
].join('\n');
const task = [
  'apiVersion: tekton.dev/v1beta1',
  'kind: Task',
  'metadata:',
  '  name: {{ .Release.Name }}-deploy',
  'spec:',
  '  steps:',
  '    - name: check',
  '      image: registry.example.test/tools/shell:{{ template "ci.shellTag" . }}',
  '    - name: apply',
  '      image: "registry.example.test/tools/deployer:{{ include "ci.deployerTag" . }}"',
  '    - name: pinned',
  '      image: registry.example.test/tools/deployer@{{ template "ci.deployerDigest" . }}',
  '    - name: spaced',
  '      image: registry.example.test/tools/spaced:{{ template "ci.spacedTag" . }}',
  '    - name: valued',
  '      image: registry.example.test/tools/valued:{{ template "ci.valuesTag" . }}',
  '    - name: missing',
  '      image: registry.example.test/tools/missing:{{ template "ci.noSuchTag" . }}',
  '',
].join('\n');

describe('named templates that write one literal word', () => {
  it('give the tag or digest of an image line that uses them, shown templated with the helper named', () => {
    expect(scan({ 'charts/ci/Chart.yaml': chart, 'charts/ci/templates/_helpers.tpl': helpers, 'charts/ci/templates/task.yaml': task })).toEqual([
      [
        'charts/ci/templates/task.yaml',
        8,
        'registry.example.test/tools/shell:3.20.1',
        'templated',
        "rendered from the chart's defaults: the named template ci.shellTag (charts/ci/templates/_helpers.tpl:3); set there, not edited here",
      ],
      [
        'charts/ci/templates/task.yaml',
        10,
        `registry.example.test/tools/deployer:1.31.2@${digest}`,
        'templated',
        "rendered from the chart's defaults: the named template ci.deployerTag (charts/ci/templates/_helpers.tpl:7); set there, not edited here",
      ],
      [
        'charts/ci/templates/task.yaml',
        12,
        `registry.example.test/tools/deployer@${digest}`,
        'templated',
        "rendered from the chart's defaults: the named template ci.deployerDigest (charts/ci/templates/_helpers.tpl:11); set there, not edited here",
      ],
      // A body that keeps its line breaks (no trim markers), one that reads the values, and a name no file defines stay as written.
      ['charts/ci/templates/task.yaml', 14, 'registry.example.test/tools/spaced:{{ template "ci.spacedTag" . }}', 'templated', undefined],
      ['charts/ci/templates/task.yaml', 16, 'registry.example.test/tools/valued:{{ template "ci.valuesTag" . }}', 'templated', undefined],
      ['charts/ci/templates/task.yaml', 18, 'registry.example.test/tools/missing:{{ template "ci.noSuchTag" . }}', 'templated', undefined],
    ]);
  });
});
