/** A values `*Repository` field that a chart's helper joins with `join "/"` before more of the name is a prefix, not an image. */
import { describe, expect, it } from 'vitest';
import { DEPLOYMENT_HEAD, scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const chart = ['apiVersion: v2', 'name: relay', 'version: 0.4.0', 'appVersion: "3.2.0"', ''].join('\n');

const values = [
  'baseImageRegistry: registry.example.test', // 1
  'baseImageRepository: harbour', // 2
  'baseImageTag: 3.2.0', // 3
  'image:', // 4
  '  registry: ""', // 5
  '  repository: ""', // 6
  '  name: relay', // 7
  '  tag: ""', // 8
  'sidecarImageRepository: registry.example.test/harbour/sidecar', // 9
  'sidecarImageTag: 1.0.1', // 10
  '',
].join('\n');

const helpers = [
  '{{- define "relay.image" -}}',
  '{{- $v := .Values.image -}}',
  '{{- $ref := join "/" (compact (list (default .Values.baseImageRegistry $v.registry) (default .Values.baseImageRepository $v.repository) $v.name)) -}}',
  '{{- printf "%s:%s" $ref (default .Values.baseImageTag $v.tag) -}}',
  '{{- end -}}',
  '',
].join('\n');

const deployment = [
  ...DEPLOYMENT_HEAD,
  '        - name: relay',
  '          image: {{ include "relay.image" . }}',
  '        - name: sidecar',
  '          image: "{{ .Values.sidecarImageRepository }}:{{ .Values.sidecarImageTag }}"',
  '',
].join('\n');

describe('a repository field joined by a helper before more of the name', () => {
  it('is not reported as an image, while a repository the templates write whole still is', () => {
    expect(
      rows({
        'charts/relay/Chart.yaml': chart,
        'charts/relay/values.yaml': values,
        'charts/relay/templates/_helpers.tpl': helpers,
        'charts/relay/templates/deployment.yaml': deployment,
      }),
    ).toEqual([['charts/relay/values.yaml', 9, 'registry.example.test/harbour/sidecar:1.0.1', 'helm-values', null]]);
  });
});
