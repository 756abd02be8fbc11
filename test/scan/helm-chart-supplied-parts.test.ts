/** Helm values whose registry or tag the chart's templates supply: a merged map's registry, a registry default, a helper printing `:` and appVersion. */
import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanFiles } from '../../src/scan/scan-files.js';
import { scanTexts } from '../support/scan-texts.js';

/** What the values files report (the templates' own image lines are read by the template rules). */
const scan = (files: Record<string, string>) =>
  scanTexts(files)
    .references.filter((reference) => !reference.file.includes('/templates/'))
    .map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null, reference.spans.map((span) => [span.role, span.text, span.line])]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const digest = `sha256:${'a'.repeat(64)}`;

describe('Helm values {image, tag} that the templates merge with a shared map holding the registry', () => {
  const chart = {
    'gate/Chart.yaml': lines('apiVersion: v2', 'name: gate', 'version: 3.0.0', 'appVersion: 2.7.0'),
    'gate/templates/server.yaml': lines(
      'spec:',
      '  containers:',
      '    - name: server',
      '      {{- with (merge .Values.server.image .Values.global.image) }}',
      '      image: {{ if .repository }}{{ .repository }}{{ else }}{{ .registry }}/{{ .image }}{{ end }}:{{ .tag }}{{ if .digest }}@{{ .digest }}{{ end }}',
      '      {{- end }}',
      '    - name: probe',
      '      {{- with (mergeOverwrite .Values.global.image .Values.probe.image) }}',
      '      image: {{ .registry }}/{{ .image }}:{{ .tag }}',
      '      {{- end }}',
    ),
  };
  const values = lines(
    'global:', // 1
    '  image:', // 2
    '    registry: registry.example.test', // 3
    'server:', // 4
    '  image:', // 5
    '    image: gate/server', // 6
    '    tag: "2.7.0"', // 7
    `    digest: ${digest}`, // 8
    'probe:', // 9
    '  image:', // 10
    '    registry: ""', // 11
    '    image: gate/probe', // 12
    '    tag: 1.4.0', // 13
    'tools:', // 14
    '  image:', // 15
    '    image: gate/tools', // 16
    '    tag: 0.3.0', // 17
    'mirror:', // 18
    '  image:', // 19
    '    registry: mirror.example.test', // 20
    '    image: gate/mirror', // 21
    '    tag: 5.0.0', // 22
  );

  it('takes the registry of the map merged in, and edits the tag and digest where they are written; a map no template merges, or with a registry of its own, reads as before', () => {
    const merged = (where: string) => `registry registry.example.test: global.image.registry, merged in by templates/server.yaml:${where}, not edited here`;
    expect(scan({ ...chart, 'gate/values.yaml': values })).toEqual([
      [
        'gate/values.yaml',
        6,
        `registry.example.test/gate/server:2.7.0@${digest}`,
        null,
        merged('4'),
        [
          ['repository', 'gate/server', 6],
          ['tag', '2.7.0', 7],
          ['digest', digest, 8],
        ],
      ],
      [
        'gate/values.yaml',
        12,
        'registry.example.test/gate/probe:1.4.0',
        null,
        merged('8'),
        [
          ['repository', 'gate/probe', 12],
          ['tag', '1.4.0', 13],
        ],
      ],
      [
        'gate/values.yaml',
        16,
        'gate/tools:0.3.0',
        null,
        null,
        [
          ['repository', 'gate/tools', 16],
          ['tag', '0.3.0', 17],
        ],
      ],
      [
        'gate/values.yaml',
        21,
        'mirror.example.test/gate/mirror:5.0.0',
        null,
        null,
        [
          ['registry', 'mirror.example.test', 20],
          ['repository', 'gate/mirror', 21],
          ['tag', '5.0.0', 22],
        ],
      ],
    ]);
  });

  it('an update writes only the tag and digest, byte for byte, and a re-scan reads the new image with the merged registry', () => {
    const files = { ...chart, 'gate/values.yaml': values };
    const found = scanFiles(Object.entries(files).map(([path, text]) => sourceFile(path, Buffer.from(text, 'utf8')))).references.find((reference) => reference.line === 6);
    if (!found) throw new Error('no reference at line 6');
    const next = `sha256:${'b'.repeat(64)}`;
    const plan = editsForReference(found, { tag: '2.8.0', digest: next });
    if (!plan.ok) throw new Error(plan.reason);
    const edited = Buffer.from(applyEdits(Buffer.from(values, 'utf8'), plan.edits)).toString('utf8');
    expect(edited).toBe(values.replace('tag: "2.7.0"', 'tag: "2.8.0"').replace(digest, next));
    expect(scan({ ...chart, 'gate/values.yaml': edited })[0]?.[2]).toBe(`registry.example.test/gate/server:2.8.0@${next}`);
  });

  it('a merge whose template never joins .registry to a name, or whose maps give different registries, is not taken as the registry', () => {
    const repositoryOnly = {
      'gate/Chart.yaml': chart['gate/Chart.yaml'],
      'gate/templates/server.yaml': lines('      {{- with (merge .Values.server.image .Values.global.image) }}', '      image: {{ .image }}:{{ .tag }}', '      {{- end }}'),
    };
    const serverOnly = lines('global:', '  image:', '    registry: registry.example.test', 'server:', '  image:', '    image: gate/server', '    tag: "2.7.0"');
    expect(scan({ ...repositoryOnly, 'gate/values.yaml': serverOnly }).map((entry) => [entry[1], entry[2], entry[3]])).toEqual([[6, 'gate/server:2.7.0', null]]);
    const twoShared = {
      'gate/Chart.yaml': chart['gate/Chart.yaml'],
      'gate/templates/server.yaml': lines(
        '      {{- with (merge .Values.server.image .Values.global.image) }}',
        '      image: {{ .registry }}/{{ .image }}:{{ .tag }}',
        '      {{- end }}',
        '      {{- with (merge .Values.server.image .Values.mirror.image) }}',
        '      image: {{ .registry }}/{{ .image }}:{{ .tag }}',
        '      {{- end }}',
      ),
    };
    const withMirror = `${serverOnly}mirror:\n  image:\n    registry: mirror.example.test\n`;
    expect(scan({ ...twoShared, 'gate/values.yaml': withMirror }).map((entry) => [entry[1], entry[2], entry[3], entry[4]])).toEqual([
      [
        6,
        'gate/server:2.7.0',
        'templated',
        'the registry comes from global.image.registry, merged in by templates/server.yaml:1, mirror.image.registry, merged in by templates/server.yaml:4, not worked out: they render different registries (registry.example.test, mirror.example.test)',
      ],
    ]);
  });
});

describe('Helm values {registry: "", name, tag} whose registry a template defaults to a chart-level value', () => {
  it('evaluates the default beside the name on its own, also in a file the reading cannot render and in a branch the defaults do not reach', () => {
    const files = {
      'probe/Chart.yaml': lines('apiVersion: v2', 'name: probe', 'version: 0.2.0', 'appVersion: v1.9.0'),
      'probe/values.yaml': lines(
        'image:', // 1
        '  registry: acme', // 2
        '  tag: ""', // 3
        'collector:', // 4
        '  image:', // 5
        '    registry: ""', // 6
        '    tag: ""', // 7
        '    name: probe-collector', // 8
        'relay:', // 9
        '  enabled: false', // 10
        '  image:', // 11
        '    registry: registry.example.test', // 12
        '    tag: "1.0.0"', // 13
        '    name: probe-relay', // 14
      ),
      'probe/templates/collector.yaml': lines(
        'metadata:',
        '  labels: {{- include "probe.labels" . | nindent 4 }}',
        'spec:',
        '  containers:',
        '    {{- if .Values.collector.image.tag }}',
        '    - image: "{{ default .Values.image.registry .Values.collector.image.registry }}/{{ .Values.collector.image.name }}:{{ .Values.collector.image.tag }}"',
        '    {{- else }}',
        '    - image: "{{ default .Values.image.registry .Values.collector.image.registry }}/{{ .Values.collector.image.name }}:{{ default .Chart.AppVersion .Values.image.tag }}"',
        '    {{- end }}',
      ),
      'probe/templates/relay.yaml': lines(
        '{{- if .Values.relay.enabled }}',
        '    - image: "{{ default .Values.image.registry .Values.relay.image.registry }}/{{ .Values.relay.image.name }}:{{ .Values.relay.image.tag }}"',
        '{{- end }}',
      ),
    };
    expect(scan(files)).toEqual([
      [
        'probe/values.yaml',
        8,
        'acme/probe-collector:v1.9.0',
        'templated',
        "registry acme: what the chart's templates/collector.yaml:6 renders with the default values; no tag here: the chart's templates use appVersion v1.9.0 (probe/Chart.yaml:4); set there, not edited here",
        [
          ['repository', 'probe-collector', 8],
          ['tag', '', 7],
        ],
      ],
      [
        'probe/values.yaml',
        14,
        'registry.example.test/probe-relay:1.0.0',
        null,
        null,
        [
          ['registry', 'registry.example.test', 12],
          ['repository', 'probe-relay', 14],
          ['tag', '1.0.0', 13],
        ],
      ],
    ]);
  });
});

describe('Helm values {registry, repository, tag: ""} with a helper that prints ":" and appVersion when the tag is empty', () => {
  it('the tag is appVersion: the colon the helper writes is not part of it', () => {
    const files = {
      'agent/Chart.yaml': lines('apiVersion: v2', 'name: agent', 'version: 0.5.0', 'appVersion: v0.8.1'),
      'agent/values.yaml': lines('image:', '  registry: registry.example.test', '  repository: probes/agent', '  tag: ""', '  digest: ""'),
      'agent/templates/_helpers.tpl': lines(
        '{{- define "agent.imageId" -}}',
        '{{- if .Values.image.digest }}',
        '{{- printf "@%s" .Values.image.digest }}',
        '{{- else if .Values.image.tag }}',
        '{{- printf ":%s" .Values.image.tag }}',
        '{{- else }}',
        '{{- printf ":%s" .Chart.AppVersion }}',
        '{{- end }}',
        '{{- end -}}',
      ),
      'agent/templates/daemonset.yaml': lines('      image: {{ .Values.image.registry }}/{{ .Values.image.repository }}{{ include "agent.imageId" . }}'),
    };
    expect(scan(files).map((entry) => [entry[1], entry[2], entry[3], entry[4]])).toEqual([
      [3, 'registry.example.test/probes/agent:v0.8.1', 'templated', "no tag here: the chart's templates use appVersion v0.8.1 (agent/Chart.yaml:4); set there, not edited here"],
    ]);
  });
});
