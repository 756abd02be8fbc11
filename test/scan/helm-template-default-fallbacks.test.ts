import { describe, expect, it } from 'vitest';
import { DEPLOYMENT_HEAD, scanTexts } from '../support/scan-texts.js';

/** What the scan reports: file, line, value, skip, detail. */
const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;

const chart = lines('apiVersion: v2', 'name: relay', 'version: 1.0.0', 'appVersion: 2.0.0');

describe('Helm template defaults that the chart values replace', () => {
  it('is the values entry when the value the default falls back from is set, even to the same image', () => {
    const files = {
      'relay/Chart.yaml': chart,
      'relay/values.yaml': lines('setup:', '  image: registry.example.test/team/setup:1.4.0', 'sessions:', '  seedImage: "registry.example.test/team/seed:0.9.1"', 'audit:', '  image: ""'),
      'relay/templates/job.yaml': lines(
        'apiVersion: batch/v1',
        'kind: Job',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: setup',
        '          image: {{ .Values.setup.image | default "registry.example.test/team/setup:1.4.0" }}',
        '        - name: audit',
        '          image: {{ .Values.audit.image | default "registry.example.test/team/audit:2.2.0" }}',
        '        - name: seed',
        '          {{- include "relay.seed" . | nindent 10 }}',
      ),
      'relay/templates/_helpers.tpl': lines('{{- define "relay.seed" -}}', 'image: {{ .Values.sessions.seedImage | default "registry.example.test/team/seed:0.9.1" }}', '{{- end }}'),
    };
    expect(scan(files)).toEqual([
      [
        'relay/templates/job.yaml',
        10,
        'registry.example.test/team/audit:2.2.0',
        'templated',
        "the template's default registry.example.test/team/audit:2.2.0, used where the chart's values (relay/values.yaml) set no other image",
      ],
      ['relay/values.yaml', 2, 'registry.example.test/team/setup:1.4.0', null, null],
      ['relay/values.yaml', 4, 'registry.example.test/team/seed:0.9.1', null, null],
    ]);
  });

  it('follows the variables a template file assigns from the values before the line', () => {
    const files = {
      'relay/Chart.yaml': chart,
      'relay/values.yaml': lines('probe:', '  enabled: true', '  check:', '    image: registry.example.test/tools/check:1.1.0', '  wait: {}'),
      'relay/templates/tests/probe.yaml': lines(
        '{{- $probe := .Values.probe | default dict }}',
        '{{- $check := $probe.check | default dict }}',
        '{{- $wait := $probe.wait | default dict }}',
        '{{- if $probe.enabled }}',
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  annotations:',
        '    helm.sh/hook: test',
        'spec:',
        '  containers:',
        '    - name: check',
        '      image: {{ $check.image | default "registry.example.test/tools/check:1.1.0" }}',
        '    - name: wait',
        '      image: {{ $wait.image | default "registry.example.test/tools/wait:3.0.0" }}',
        '{{- end }}',
      ),
    };
    expect(scan(files)).toEqual([
      [
        'relay/templates/tests/probe.yaml',
        15,
        'registry.example.test/tools/wait:3.0.0',
        'templated',
        "the template's default registry.example.test/tools/wait:3.0.0, used where the chart's values (relay/values.yaml) set no other image",
      ],
      ['relay/values.yaml', 4, 'registry.example.test/tools/check:1.1.0', null, null],
    ]);
  });

  it('reads `or` with a literal as a default written another way', () => {
    const files = {
      'relay/Chart.yaml': chart,
      'relay/values.yaml': lines(
        'tunnel:',
        '  # proxyImage: registry.example.test/net/tunnel',
        '  # proxyTag: "2.8.0"',
        '  ports: []',
        'cache:',
        '  cacheImage: registry.example.test/team/cache:7.2.1',
      ),
      'relay/templates/deployment.yaml': lines(
        ...DEPLOYMENT_HEAD,
        '        - name: tunnel',
        '          image: "{{ or .Values.tunnel.proxyImage "registry.example.test/net/tunnel" }}:{{ or .Values.tunnel.proxyTag "2.8.0" }}"',
        '        - name: cache',
        '          image: "{{ or .Values.cache.cacheImage "registry.example.test/team/cache:7.2.1" }}"',
      ),
    };
    expect(scan(files)).toEqual([
      ['relay/templates/deployment.yaml', 8, 'registry.example.test/net/tunnel:2.8.0', 'templated', "rendered from the chart's defaults: relay/values.yaml; set there, not edited here"],
      ['relay/values.yaml', 6, 'registry.example.test/team/cache:7.2.1', null, null],
    ]);
  });
});
