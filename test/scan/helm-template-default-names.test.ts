import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

/** What the chart's templates report: file, line, value, skip, detail. */
const scan = (files: Record<string, string>) =>
  scanTexts(files)
    .references.filter((reference) => reference.file.includes('/templates/'))
    .map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;

describe('Helm templates that write an image name as a default', () => {
  it("is the image there unless the values replace it; a chart's helpers are read too, not their comments", () => {
    const files = {
      'edge/Chart.yaml': lines('apiVersion: v2', 'name: edge', 'version: 1.0.0', 'appVersion: 3.0.0'),
      'edge/values.yaml': lines('proxy:', '  tag: 2.1.0', 'cache:', '  image: registry.example.test/mirror/cache', '  version: "7.0"'),
      'edge/templates/deployment.yaml': lines(
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: proxy',
        '          image: "{{ .Values.proxy.image | default "registry.example.test/team/proxy" }}:{{ .Values.proxy.tag }}"',
        '        - name: cache',
        '          image: "{{ default "registry.example.test/team/cache" .Values.cache.image }}:{{ .Values.cache.version }}"',
        '        - name: worker',
        '          {{- include "edge.worker" (dict "settings" .Values.worker "tag" .Chart.AppVersion) | nindent 10 }}',
      ),
      'edge/templates/_helpers.tpl': lines(
        '{{/*',
        'usage: |',
        '  {{ include "edge.worker" (dict "settings" .Values.worker) }}',
        'return: |',
        '  image: registry.example.test/team/example:1.0',
        '*/}}',
        '{{- define "edge.worker" -}}',
        '{{- $tag := .tag -}}',
        'image: "{{ .settings.repository | default "registry.example.test/team/worker" }}:{{ $tag }}"',
        'initContainers:',
        '  - name: wait',
        '    image: registry.example.test/team/wait:1.2.0',
        '{{- end }}',
      ),
    };
    expect(scan(files)).toEqual([
      [
        'edge/templates/_helpers.tpl',
        9,
        '{{ .settings.repository | default "registry.example.test/team/worker" }}:{{ $tag }}',
        'templated',
        "the name is the template's default registry.example.test/team/worker unless a value replaces it",
      ],
      ['edge/templates/_helpers.tpl', 12, 'registry.example.test/team/wait:1.2.0', null, null],
      ['edge/templates/deployment.yaml', 6, 'registry.example.test/team/proxy:2.1.0', 'templated', "rendered from the chart's defaults: edge/values.yaml; set there, not edited here"],
    ]);
  });
});
