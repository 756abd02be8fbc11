import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

/** A DaemonSet an operator renders with Go templates from its custom resource's spec. */
const daemonSet = (images: readonly string[]) =>
  [
    'apiVersion: apps/v1',
    'kind: DaemonSet',
    'metadata:',
    '  name: probe-agent',
    '  namespace: {{ .Runtime.Namespace }}',
    'spec:',
    '  template:',
    '    spec:',
    '      {{- if .Spec.PullSecrets }}',
    '      imagePullSecrets:',
    '      {{- range .Spec.PullSecrets }}',
    '        - name: {{ . }}',
    '      {{- end }}',
    '      {{- end }}',
    '      containers:',
    ...images.flatMap((image, index) => [`        - name: c${index}`, `          image: ${image}`]),
    '',
  ].join('\n');

describe("an operator's Go template manifests", () => {
  it('an image made only of actions on the fields of the data the program renders with names no image; a literal is still reported', () => {
    const text = daemonSet([
      '{{ joinImage .Spec.Registry .Spec.Image .Spec.Version }}',
      '{{ .Runtime.AgentImageName }}',
      '"{{- .Spec.Agent.Registry -}}/{{ .Spec.Agent.Name }}:{{ .Spec.Agent.Version }}"',
      'registry.example.test/ops/agent:{{ .Spec.Version }}',
      'registry.example.test/ops/sidecar:2.4.1',
      '{{ .Spec.Image | default "registry.example.test/ops/probe:1.0.0" }}',
      '{{ $image }}',
    ]);
    expect(scan({ 'manifests/agent/daemonset.yaml': text })).toEqual([
      ['manifests/agent/daemonset.yaml', 23, 'registry.example.test/ops/agent:{{ .Spec.Version }}', 'templated'],
      ['manifests/agent/daemonset.yaml', 25, 'registry.example.test/ops/sidecar:2.4.1', null],
      ['manifests/agent/daemonset.yaml', 27, '{{ .Spec.Image | default "registry.example.test/ops/probe:1.0.0" }}', 'templated'],
      ['manifests/agent/daemonset.yaml', 29, '{{ $image }}', 'templated'],
    ]);
  });

  it("in a chart, and on Helm's own fields, such a value stays as the chart rules read it", () => {
    const outside = daemonSet(['{{ .Values.agent.image }}', '{{ .Release.Name }}']);
    const chart = 'apiVersion: v2\nname: agent\nversion: 1.0.0\n';
    const inside = daemonSet(['{{ .Spec.AgentImageName }}']);
    expect(scan({ 'deploy/agent.yaml': outside, 'chart/Chart.yaml': chart, 'chart/files/agent.yaml': inside })).toEqual([
      ['chart/files/agent.yaml', 17, '{{ .Spec.AgentImageName }}', 'templated'],
      ['deploy/agent.yaml', 17, '{{ .Values.agent.image }}', 'templated'],
      ['deploy/agent.yaml', 19, '{{ .Release.Name }}', 'templated'],
    ]);
  });
});

describe("a chart's own manifests outside its templates", () => {
  const chart = 'apiVersion: v2\nname: ledger\nversion: 1.0.0\nappVersion: "2.4.0"\n';
  const values = 'agent:\n  image:\n    registry: registry.example.test\n    repository: team/agent\n    tag: 2.4.0\n';

  it('an image made only of Helm actions that read the chart passes on the values entry; a literal part leaves it templated', () => {
    const resource = [
      'apiVersion: ledger.example.test/v1', // 1
      'kind: Ledger', // 2
      'metadata:', // 3
      '  name: main', // 4
      'spec:', // 5
      '  image: {{ template "ledger.image" . }}', // 6
      '  agent:', // 7
      '    image: "{{ .Values.agent.image.registry }}/{{ .Values.agent.image.repository }}:{{ .Values.agent.image.tag }}"', // 8
      '  monitor:', // 9
      '    image: "{{ .Values.agent.image.registry }}/{{ .Values.agent.image.repository }}:{{ .Values.agent.image.tag }}-monitor"', // 10
      '  proxy:', // 11
      '    image: "{{ .Release.Name }}/proxy:1.0"', // 12
      '',
    ].join('\n');
    const manifest = [
      'apiVersion: apps/v1', // 1
      'kind: Deployment', // 2
      'metadata:', // 3
      '  name: resolver', // 4
      'spec:', // 5
      '  template:', // 6
      '    spec:', // 7
      '      containers:', // 8
      '      - name: resolver', // 9
      '        {{- with $.Values.resolver.image }}', // 10
      '        image: {{ include "ledger.images.convert" (dict "image" . "ctx" $) }}', // 11
      '        {{- end }}', // 12
      '',
    ].join('\n');
    expect(
      scan({
        'ledger/Chart.yaml': chart,
        'ledger/values.yaml': values,
        'ledger/files/custom-resource/ledger.yaml': resource,
        'ledger/manifests/resolver.yaml': manifest,
      }),
    ).toEqual([
      ['ledger/files/custom-resource/ledger.yaml', 10, '{{ .Values.agent.image.registry }}/{{ .Values.agent.image.repository }}:{{ .Values.agent.image.tag }}-monitor', 'templated'],
      ['ledger/files/custom-resource/ledger.yaml', 12, '{{ .Release.Name }}/proxy:1.0', 'templated'],
      ['ledger/values.yaml', 4, 'registry.example.test/team/agent:2.4.0', null],
    ]);
  });
});
